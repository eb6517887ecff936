//! The open chat's messages: in box order (oldest first), indexed by id, so that what happens
//! most costs the same in a chat of a hundred messages as in one of a million: finding a
//! message by id (the cursor, a reply's quote, an edit, a deletion) is a hash lookup, a new
//! message goes on the end, and an older page goes on the front, without moving or
//! re-indexing what is held. Only a message that lands in the middle (a gap filled, one
//! delivered out of order) moves the ones after it and re-indexes them.

use std::collections::VecDeque;
use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::HashTable;

use crate::chat::protocol::BoxPos;
use crate::chat::types::Envelope;

fn no_box() -> &'static BoxPos {
    static DEFAULT: std::sync::OnceLock<BoxPos> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(BoxPos::default)
}

/// Where a message goes: its box position (a missing one read as the default, as the chat's
/// order has always treated it), then its time.
fn order<'a>(m: &'a Envelope) -> (&'a BoxPos, u64) {
    let b: &'a BoxPos = match &m.box_pos {
        Some(b) => b,
        None => no_box(),
    };
    (b, m.timestamp)
}

#[derive(Debug, Clone, Default)]
pub struct Messages {
    /// Shared with whoever else holds a message at the moment (the store's writer, until it
    /// has written a pushed one): a push is not copied to be kept twice, and a message let go
    /// of here is freed by the last holder. Changed in place when no one else holds it, else
    /// on a copy (`Arc::make_mut`).
    items: VecDeque<Arc<Envelope>>,
    /// Message id → logical position; the item at logical position `p` is `items[p - base]`.
    /// The table holds only positions, hashed by the id they point at and compared with it
    /// there: no copy of an id is made, kept or freed per message (a copy per message was a
    /// tenth of the loop's time in a flood, its hashing and comparing another). Hashed with
    /// foldhash, seeded at random per process (SipHash was a tenth more): the ids come from
    /// the server, and a seed it cannot know keeps it from choosing colliding ones; the table
    /// holds a window's worth at most.
    index: HashTable<i64>,
    hasher: foldhash::fast::RandomState,
    /// The logical position of `items[0]` (it goes down as older pages go on the front).
    base: i64,
    /// Entries of `index` left behind by `drop_front` (positions below `base`, which no
    /// lookup matches): the window moving on in a flood lets go of one message per message
    /// arriving, and taking each out of the table meant hashing an id long gone cold. They
    /// are swept out in one pass over the table (no hashing) once they are as many as the
    /// live ones, before the table would grow, and before `base` goes down again (where a
    /// left-behind position could name a new message).
    stale: usize,
    /// The oldest timestamp held (u64::MAX when empty), or None when it is to be found again
    /// (after messages were let go of or replaced): found when asked (a page arriving), not
    /// each time the window moves on in a flood.
    min_ts: std::cell::Cell<Option<u64>>,
}

impl PartialEq for Messages {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

impl std::ops::Index<usize> for Messages {
    type Output = Envelope;
    fn index(&self, i: usize) -> &Envelope {
        &self.items[i]
    }
}

impl From<Vec<Envelope>> for Messages {
    fn from(v: Vec<Envelope>) -> Messages {
        let mut m = Messages::default();
        m.merge(v);
        m
    }
}

impl Messages {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Envelope> + ExactSizeIterator {
        self.items.iter().map(|e| &**e)
    }

    pub fn get(&self, i: usize) -> Option<&Envelope> {
        self.items.get(i).map(|e| &**e)
    }

    pub fn first(&self) -> Option<&Envelope> {
        self.items.front().map(|e| &**e)
    }

    pub fn last(&self) -> Option<&Envelope> {
        self.items.back().map(|e| &**e)
    }

    /// The oldest timestamp held, if any.
    pub fn oldest_time(&self) -> Option<u64> {
        if self.items.is_empty() {
            return None;
        }
        let t = match self.min_ts.get() {
            Some(t) => t,
            None => self.items.iter().map(|e| e.timestamp).min()?,
        };
        self.min_ts.set(Some(t));
        Some(t)
    }

    /// Lowers the oldest timestamp known for one added (called before it is added).
    fn note_time(&mut self, ts: u64) {
        if self.items.is_empty() {
            self.min_ts.set(Some(ts));
        } else if let Some(t) = self.min_ts.get() {
            self.min_ts.set(Some(t.min(ts)));
        }
    }

    /// Where the message `id` is (0: the oldest held).
    pub fn position(&self, id: &str) -> Option<usize> {
        let (items, base) = (&self.items, self.base);
        let p = *self.index.find(self.hasher.hash_one(id), |&p| {
            id_at(items, base, p) == Some(id)
        })?;
        usize::try_from(p - base).ok()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.position(id).is_some()
    }

    /// Indexes the item at logical position `p` (already in `items`).
    fn index_at(&mut self, p: i64) {
        if self.stale > 0 && self.index.len() >= self.index.capacity() {
            // About to grow: the move hashes every entry, and a left-behind one has no id.
            self.sweep();
        }
        let (items, base, hasher) = (&self.items, self.base, &self.hasher);
        let Some(id) = id_at(items, base, p) else {
            return;
        };
        self.index.insert_unique(hasher.hash_one(id), p, |&q| {
            hasher.hash_one(id_at(items, base, q).unwrap_or_default())
        });
    }

    /// Takes the item at logical position `p` (still in `items`) out of the index.
    fn unindex_at(&mut self, p: i64) {
        let (items, base) = (&self.items, self.base);
        let Some(id) = id_at(items, base, p) else {
            return;
        };
        if let Ok(entry) = self.index.find_entry(self.hasher.hash_one(id), |&q| q == p) {
            entry.remove();
        }
    }

    pub fn by_id(&self, id: &str) -> Option<&Envelope> {
        self.position(id).and_then(|i| self.get(i))
    }

    /// The message `id`, to change what it says (never its id).
    pub fn by_id_mut(&mut self, id: &str) -> Option<&mut Envelope> {
        let i = self.position(id)?;
        self.get_mut(i)
    }

    /// The message at `i`, to change what it says (never its id).
    pub fn get_mut(&mut self, i: usize) -> Option<&mut Envelope> {
        self.items.get_mut(i).map(Arc::make_mut)
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.index.clear();
        self.stale = 0;
        self.base = 0;
        self.min_ts.set(None);
    }

    /// Adds one message (a push): replaced in place when held, on the end when it is the
    /// newest (the usual case, without allocating anything), else where it belongs.
    pub fn push(&mut self, e: impl Into<Arc<Envelope>>) {
        let e: Arc<Envelope> = e.into();
        if let Some(i) = self.position(&e.message_id) {
            self.items[i] = e;
            self.min_ts.set(None);
            return;
        }
        if self.items.back().is_none_or(|b| order(b) <= order(&e)) {
            self.note_time(e.timestamp);
            let p = self.base + self.items.len() as i64;
            self.items.push_back(e);
            self.index_at(p);
            return;
        }
        self.merge([e]);
    }

    /// Adds messages (a page, newest first as the server sends them, or a push), keeping box
    /// order; a message already held is replaced in place (an edit, a page read again), and
    /// one that comes twice in the same batch is taken once.
    pub fn merge<E: Into<Arc<Envelope>>>(&mut self, new: impl IntoIterator<Item = E>) {
        let mut fresh: Vec<Arc<Envelope>> = Vec::new();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        for e in new {
            let e: Arc<Envelope> = e.into();
            if let Some(i) = self.position(&e.message_id) {
                self.items[i] = e;
                self.min_ts.set(None);
            } else if seen.insert(e.message_id.clone()) {
                fresh.push(e);
            }
        }
        if fresh.is_empty() {
            return;
        }
        fresh.sort_by(|a, b| order(a).cmp(&order(b)));
        if let Some(t) = fresh.iter().map(|e| e.timestamp).min() {
            self.note_time(t);
        }
        let after_all = self
            .items
            .back()
            .is_none_or(|b| order(b) <= order(&fresh[0]));
        let before_all = self
            .items
            .front()
            .is_some_and(|f| fresh.last().is_some_and(|l| order(l) < order(f)));
        if after_all {
            for e in fresh {
                let p = self.base + self.items.len() as i64;
                self.items.push_back(e);
                self.index_at(p);
            }
        } else if before_all {
            self.sweep();
            for e in fresh.into_iter().rev() {
                self.base -= 1;
                self.items.push_front(e);
                self.index_at(self.base);
            }
        } else {
            // Into the middle: merge the two sorted runs, then number them again.
            let old = std::mem::take(&mut self.items);
            let mut merged = VecDeque::with_capacity(old.len() + fresh.len());
            let (mut a, mut b) = (old.into_iter().peekable(), fresh.into_iter().peekable());
            loop {
                let take_a = match (a.peek(), b.peek()) {
                    (Some(x), Some(y)) => order(x) <= order(y),
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (None, None) => break,
                };
                merged.extend(if take_a { a.next() } else { b.next() });
            }
            self.items = merged;
            self.reindex();
        }
    }

    /// Lets go of the `k` oldest messages held (the window moving on): O(k), nothing else
    /// moved or re-indexed.
    pub fn drop_front(&mut self, k: usize) {
        let k = k.min(self.items.len());
        self.items.drain(..k);
        self.base += k as i64;
        self.stale += k;
        if self.stale >= self.items.len() {
            self.sweep();
        }
        self.min_ts.set(None);
    }

    /// Lets go of the `k` newest messages held: O(k).
    pub fn drop_back(&mut self, k: usize) {
        self.sweep();
        for _ in 0..k.min(self.items.len()) {
            self.unindex_at(self.base + self.items.len() as i64 - 1);
            self.items.pop_back();
        }
        self.min_ts.set(None);
        if self.items.is_empty() {
            self.clear();
        }
    }

    /// Takes the entries `drop_front` left behind out of the index.
    fn sweep(&mut self) {
        if self.stale > 0 {
            let base = self.base;
            self.index.retain(|p| *p >= base);
            self.stale = 0;
        }
    }

    fn reindex(&mut self) {
        self.base = 0;
        self.index.clear();
        self.stale = 0;
        let (items, hasher) = (&self.items, &self.hasher);
        self.index.reserve(items.len(), |&q| {
            hasher.hash_one(id_at(items, 0, q).unwrap_or_default())
        });
        for p in 0..self.items.len() as i64 {
            self.index_at(p);
        }
    }
}

/// The id of the item at logical position `p`.
fn id_at(items: &VecDeque<Arc<Envelope>>, base: i64, p: i64) -> Option<&str> {
    let i = usize::try_from(p - base).ok()?;
    items.get(i).map(|e| e.message_id.as_str())
}

#[cfg(test)]
#[path = "messages_tests.rs"]
mod tests;
