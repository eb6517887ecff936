//! The open chat's window: the model holds at most [`WINDOW`] of a chat's messages, around the
//! cursor, so that a chat of a million messages costs what one of ten thousand does. What
//! falls out of the window is let go; scrolling back to it reads it again: older messages as
//! always (the page before the oldest held), newer ones by what the window remembers of them.
//!
//! The chat bot API pages only backwards (`getChatHistory` gives the messages older than a
//! given one), so to read the messages just newer than the window the console needs the id of
//! the message just above them. When messages leave the window's newer end it keeps, for each
//! page-sized chunk of them, the id of the chunk's first message (a few dozen bytes a hundred
//! messages): the chunk nearest the window is the page older than the next chunk's first
//! message, and the last chunk is the page older than the first message that arrived while
//! the window was away from the newest (or the newest page, when none did). With the link
//! down, or in the store's copy, newer pages come from the local store instead.

use super::chats::{Older, OpenChat};
use super::history::HISTORY_PAGE;

/// How many messages of the open chat the model holds at most (plus a page of slack, so that
/// trimming goes a page at a time).
pub const WINDOW: usize = 10_000;

const PAGE: usize = HISTORY_PAGE as usize;

/// What the window knows of the messages newer than it holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Newer {
    /// The window does not reach the chat's newest message: moving down past the last held
    /// reads more, and new messages are not added to it (they are counted as new below).
    pub detached: bool,
    /// The first message of each chunk let go from the newer end, the nearest the window last.
    pub chunks: Vec<String>,
    /// The first message that arrived while the window was detached (None: none did).
    pub above: Option<String>,
    /// A newer page is on its way.
    pub loading: bool,
}

/// Where the next newer page comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum NewerSource {
    /// The page older than this message, from the server (None: the newest page).
    Server(Option<String>),
    /// The page after the window's last message, from the local store.
    Store,
}

impl OpenChat {
    /// Keeps at most [`WINDOW`] messages (trimming once a page of slack is exceeded), around
    /// the cursor: half on each side where the chat allows; following the newest, the newest.
    pub fn fit_window(&mut self) {
        let n = self.messages.len();
        if n <= WINDOW + PAGE {
            return;
        }
        let at = self.selected_index().unwrap_or(n - 1);
        let lo = at.saturating_sub(WINDOW / 2).min(n - WINDOW);
        let mut hi = lo + WINDOW;
        // A gap being read (under a newest page that met nothing held) is never let go
        // across: the chunks let go must be whole runs of the chat. Until it closes the
        // window holds what the gap brings.
        let gap = self
            .gap_top
            .as_deref()
            .and_then(|g| self.messages.position(g));
        if let Some(g) = gap {
            hi = hi.max(g);
        }
        self.spill_back(n - hi);
        if lo > 0 {
            self.messages.drop_front(lo);
            self.older = Older::More;
            if gap.is_some_and(|g| lo > g) {
                // Everything below the gap is gone, and the gap with it.
                self.gap_top = None;
            }
        }
    }

    /// Lets go of the `k` newest messages held, remembering each page-sized chunk's first
    /// message (one not seen deleted, so the server still knows it).
    fn spill_back(&mut self, k: usize) {
        if k == 0 {
            return;
        }
        let n = self.messages.len();
        let mut firsts: Vec<String> = (n - k..n)
            .step_by(PAGE)
            .filter_map(|start| {
                (start..(start + PAGE).min(n))
                    .map(|i| &self.messages[i].message_id)
                    .find(|id| !self.deleted.contains(*id))
                    .cloned()
            })
            .collect();
        // Newest chunk first, so the nearest ends on top (above those let go before).
        firsts.reverse();
        self.newer.detached = true;
        self.newer.chunks.extend(firsts);
        self.messages.drop_back(k);
    }

    /// A message pushed while the window is away from the newest: not added (it is read with
    /// the rest when the reader gets there), but remembered as the bound of what was let go.
    pub fn arrived_detached(&mut self, message_id: &str) {
        if self.newer.above.is_none() {
            self.newer.above = Some(message_id.to_string());
        }
    }

    /// Where the next newer page comes from, with the link `up` or not; None: the newest page
    /// (`LoadHistory` without `before`, which ends the detachment).
    pub fn newer_source(&self, up: bool) -> Option<NewerSource> {
        if self.from_store || !up {
            return Some(NewerSource::Store);
        }
        let c = &self.newer.chunks;
        match c.len() {
            0 => None,
            1 => self
                .newer
                .above
                .clone()
                .map(|a| NewerSource::Server(Some(a))),
            n => Some(NewerSource::Server(Some(c[n - 2].clone()))),
        }
    }

    /// A newer page arrived (`stored`: from the local store) and was merged: the chunk it
    /// brings back is forgotten; a short page from the store is the store's newest.
    pub fn newer_arrived(&mut self, got: usize, stored: bool) {
        self.newer.loading = false;
        if stored {
            if got < PAGE {
                self.newer = Newer::default();
            }
        } else {
            self.newer.chunks.pop();
        }
        self.fit_window();
    }
}

#[cfg(test)]
#[path = "window_tests.rs"]
mod tests;
