//! The chat list and the open chat's history, as the model keeps them: pure data and the pure
//! functions `update` applies to them (events, ordering, selection). No I/O.

use super::picker::{Candidate, rank};
use crate::chat::events::ChatEvent;
use crate::chat::types::{Chat, ChatType, Envelope};
use crate::sanitize;

/// Where the list is: distinct loading, empty (Ready with no items) and error states.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Loadable {
    #[default]
    NotAsked,
    Loading,
    Ready,
    Failed(String),
}

/// One row of the chat list; every string already made safe for the terminal.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatEntry {
    pub id: String,
    pub title: String,
    pub kind: ChatType,
    pub unread: u64,
    /// Milliseconds of the last message (0: none).
    pub last_at: u64,
    pub last_text: String,
    /// What the filter searches: the title and, for a p2p chat, the peer's display name
    /// (lowercased once; see [`ChatList::reindex`]).
    pub search: Candidate,
}

impl ChatEntry {
    pub fn from_chat(c: &Chat) -> ChatEntry {
        let title = match (&c.title, c.chat_type) {
            (Some(t), _) if !t.is_empty() => t.clone(),
            (_, ChatType::Favorites) => "Favorites".into(),
            _ => "(untitled)".into(),
        };
        let title = sanitize::line(&title).into_owned();
        ChatEntry {
            id: c.chat_id.clone(),
            search: Candidate::new(c.chat_id.clone(), &[&title]),
            title,
            kind: c.chat_type,
            unread: c.unread,
            last_at: c.last_message.as_ref().map(|m| m.timestamp).unwrap_or(0),
            last_text: c
                .last_message
                .as_ref()
                .map(|m| sanitize::line(&m.summary()).into_owned())
                .unwrap_or_default(),
        }
    }

    /// A one-character type marker.
    pub fn marker(&self) -> &'static str {
        match self.kind {
            ChatType::P2p => "@",
            ChatType::Group => "#",
            ChatType::Channel => "»",
            ChatType::Favorites => "★",
            _ => "·",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatList {
    pub state: Loadable,
    pub items: Vec<ChatEntry>,
    /// The selected chat, by id (survives re-sorting).
    pub selected: Option<String>,
    /// The list is the local store's copy, not yet confirmed by the server.
    pub from_store: bool,
}

impl ChatList {
    /// Unread first, then by last activity, newest first; ties by title.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (b.unread > 0)
                .cmp(&(a.unread > 0))
                .then(b.last_at.cmp(&a.last_at))
                .then_with(|| a.title.cmp(&b.title))
        });
    }

    pub fn set(&mut self, chats: &[Chat]) {
        self.items = chats.iter().map(ChatEntry::from_chat).collect();
        self.state = Loadable::Ready;
        self.from_store = false;
        self.sort();
        if self
            .selected
            .as_ref()
            .is_none_or(|s| !self.items.iter().any(|i| &i.id == s))
        {
            self.selected = self.items.first().map(|i| i.id.clone());
        }
    }

    pub fn selected_index(&self) -> Option<usize> {
        let s = self.selected.as_ref()?;
        self.items.iter().position(|i| &i.id == s)
    }

    /// Moves the selection by `delta` rows, staying in the list.
    pub fn step(&mut self, delta: isize) {
        if self.items.is_empty() {
            return;
        }
        let i = self.selected_index().unwrap_or(0) as isize;
        let n = (i + delta).clamp(0, self.items.len() as isize - 1) as usize;
        self.selected = Some(self.items[n].id.clone());
    }

    /// The rows that match `filter` (all rows for an empty one), best match first: the
    /// filter's characters in order, any case, in the title or the peer's display name.
    pub fn matching(&self, filter: &str) -> Vec<&ChatEntry> {
        if filter.trim().is_empty() {
            return self.items.iter().collect();
        }
        rank(filter, &self.candidates())
            .into_iter()
            .map(|i| &self.items[i])
            .collect()
    }

    /// Moves the selection by `delta` among the rows matching `filter`.
    pub fn step_in(&mut self, delta: isize, filter: &str) {
        let ids: Vec<String> = self.matching(filter).iter().map(|c| c.id.clone()).collect();
        if ids.is_empty() {
            return;
        }
        let i = self
            .selected
            .as_ref()
            .and_then(|s| ids.iter().position(|x| x == s));
        let n = match i {
            Some(i) => (i as isize + delta).clamp(0, ids.len() as isize - 1) as usize,
            None => 0,
        };
        self.selected = Some(ids[n].clone());
    }

    /// The search keys, in list order (for a [`super::Picker`]).
    pub fn candidates(&self) -> Vec<&Candidate> {
        self.items.iter().map(|i| &i.search).collect()
    }

    /// Rebuilds the search keys from the titles and the display names known now.
    pub fn reindex(&mut self, names: &std::collections::HashMap<String, String>) {
        for i in &mut self.items {
            // A p2p chat's title is the peer's id: found by the name, or a piece of the id.
            i.search = match names.get(&i.title) {
                Some(n) => Candidate::with_exact(i.id.clone(), &[n], &[&i.title]),
                None => Candidate::new(i.id.clone(), &[&i.title]),
            };
        }
    }

    /// The next chat with unread messages after the selected one (wrapping), if any.
    pub fn next_unread(&self) -> Option<String> {
        let start = self.selected_index().map(|i| i + 1).unwrap_or(0);
        let n = self.items.len();
        (0..n)
            .map(|k| &self.items[(start + k) % n])
            .find(|i| i.unread > 0)
            .map(|i| i.id.clone())
    }

    /// Applies a server request. `open` is the chat on screen (its messages are read as they
    /// come); `me` is our own id (our messages are never unread).
    pub fn apply(&mut self, ev: &ChatEvent, open: Option<&str>, me: Option<&str>) -> bool {
        match ev {
            ChatEvent::Message(e) => {
                let Some(item) = self.items.iter_mut().find(|i| i.id == e.chat_id) else {
                    return false;
                };
                if e.timestamp >= item.last_at {
                    item.last_at = e.timestamp;
                    item.last_text = sanitize::line(&e.summary()).into_owned();
                }
                if !e.is_system() && open != Some(e.chat_id.as_str()) && me != Some(&e.author.id) {
                    item.unread += 1;
                }
            }
            ChatEvent::ChatCreated { chat, .. } => {
                let entry = ChatEntry::from_chat(chat);
                match self.items.iter_mut().find(|i| i.id == entry.id) {
                    Some(i) => *i = entry,
                    None => self.items.push(entry),
                }
            }
            ChatEvent::ChatRemoved { chat_id } => {
                self.items.retain(|i| &i.id != chat_id);
                if self.selected.as_ref() == Some(chat_id) {
                    self.selected = self.items.first().map(|i| i.id.clone());
                }
            }
            ChatEvent::TitleChanged { chat_id, title } => {
                let Some(i) = self.items.iter_mut().find(|i| &i.id == chat_id) else {
                    return false;
                };
                i.title = sanitize::line(title).into_owned();
                i.search = Candidate::new(i.id.clone(), &[&i.title]);
            }
            _ => return false,
        }
        self.sort();
        if self.selected.is_none() {
            self.selected = self.items.first().map(|i| i.id.clone());
        }
        true
    }

    pub fn mark_read(&mut self, chat_id: &str) {
        if let Some(i) = self.items.iter_mut().find(|i| i.id == chat_id) {
            i.unread = 0;
        }
        self.sort();
    }
}

/// Whether older history is left to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Older {
    /// There may be older messages; scrolling near the top asks for them.
    #[default]
    More,
    /// A page of older messages is on its way.
    Loading,
    /// The first message of the chat is here.
    Complete,
}

/// Messages seen deleted, by chat id.
pub type RemovedMessages = std::collections::HashMap<String, Vec<Envelope>>;

/// How many deleted messages are remembered per chat.
pub const REMOVED_KEPT: usize = 200;

/// The chat on screen: its messages in box order (oldest first).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpenChat {
    pub chat_id: String,
    pub title: String,
    pub state: Loadable,
    pub messages: super::Messages,
    /// The message the cursor is on (None: following the newest).
    pub selected: Option<String>,
    pub older: Older,
    /// Messages removed while on screen: shown as deleted rather than vanishing.
    pub deleted: std::collections::HashSet<String>,
    /// The chat's unread count when it was opened: the newest page marks where they begin.
    pub unread_at_open: u64,
    /// The first message not yet seen: a "new messages" line is drawn above it.
    pub first_unread: Option<String>,
    /// Messages from others that arrived while the cursor was up in the history.
    pub new_below: usize,
    /// The search over the loaded messages (`/`): what is searched for; the matches are
    /// highlighted and `n` / `N` move the cursor between them.
    pub search: Option<String>,
    /// What is shown came from the local store and the server has not confirmed it yet: the
    /// server's newest page replaces it (edits, deletions and new messages with it).
    pub from_store: bool,
    /// What the window knows of the messages newer than it holds (see `window.rs`).
    pub newer: super::Newer,
    /// While the gap under a newest page that met nothing held is being read: the oldest
    /// message above the gap (the window never lets go across it, see `window.rs`).
    pub gap_top: Option<String>,
    /// Steps the cursor was asked to take past the oldest (negative) or newest held message
    /// while more are being read: taken when they come (`pay_owed`), so keys held or typed
    /// ahead at the edge are not lost. At most [`MAX_OWED`] either way.
    pub owed: isize,
}

/// See [`OpenChat::owed`]: a few pages.
pub const MAX_OWED: isize = 500;

impl OpenChat {
    /// The newest message read, when the reader is at the newest: the window live (not the
    /// store's copy, not away from the newest) and nothing arrived below the cursor unseen.
    /// What the store keeps as read when the console leaves (pushes that came while the
    /// chat was open and followed were read, though no page said so).
    pub fn read_to(&self) -> Option<(String, u64)> {
        if self.from_store || self.newer.detached || self.new_below > 0 {
            return None;
        }
        self.messages
            .last()
            .map(|e| (e.message_id.clone(), e.timestamp))
    }

    /// Adds messages (a page or a push), keeping box order and dropping duplicates by id
    /// (see [`super::Messages::merge`]); messages of other chats are ignored.
    pub fn merge(&mut self, new: impl IntoIterator<Item = Envelope>) {
        let chat = self.chat_id.clone();
        self.messages.merge(
            new.into_iter()
                .filter(|e| e.chat_id == chat || e.chat_id.is_empty()),
        );
    }

    /// Shows a message as deleted (it stays in place, so the reader sees what happened), and
    /// keeps it in `removed` so that the chat shows it so when opened again.
    pub fn mark_deleted(&mut self, message_id: &str, removed: &mut RemovedMessages) -> bool {
        let Some(e) = self.messages.by_id(message_id) else {
            return false;
        };
        let kept = removed.entry(self.chat_id.clone()).or_default();
        if !kept.iter().any(|k| k.message_id == message_id) {
            kept.push(e.clone());
            if kept.len() > REMOVED_KEPT {
                kept.remove(0);
            }
        }
        self.deleted.insert(message_id.to_string())
    }

    /// Puts back, shown deleted, the messages seen deleted earlier in this chat that fall
    /// within what is loaded now (a page the server sends no longer holds them).
    pub fn restore_removed(&mut self, removed: &RemovedMessages) {
        let Some(kept) = removed.get(&self.chat_id) else {
            return;
        };
        let from = if self.older == Older::Complete {
            0
        } else {
            self.messages.oldest_time().unwrap_or(u64::MAX)
        };
        let back: Vec<Envelope> = kept
            .iter()
            .filter(|k| k.timestamp >= from)
            .filter(|k| !self.messages.contains(&k.message_id))
            .cloned()
            .collect();
        for k in &kept[..] {
            if k.timestamp >= from {
                self.deleted.insert(k.message_id.clone());
            }
        }
        if !back.is_empty() {
            self.merge(back);
        }
    }

    /// The message `id` was deleted while we watched (this session).
    pub fn is_deleted(&self, id: &str) -> bool {
        self.deleted.contains(id)
    }

    pub fn selected_index(&self) -> Option<usize> {
        let id = self.selected.as_ref()?;
        self.messages.position(id)
    }

    pub fn selected_message(&self) -> Option<&Envelope> {
        self.selected_index().map(|i| &self.messages[i])
    }

    /// Moves the cursor: up from "following the newest" lands on the newest message; down
    /// past the newest goes back to following.
    pub fn step(&mut self, delta: isize) {
        let delta = delta + std::mem::take(&mut self.owed);
        let n = self.messages.len();
        if n == 0 {
            self.selected = None;
            return;
        }
        let next = match self.selected_index() {
            None if delta < 0 => Some(n as isize + delta),
            None => None,
            Some(i) => Some(i as isize + delta),
        };
        // Past an edge beyond which a page is on its way: owed until it comes (only then:
        // with nothing coming, the keys would wait for nothing).
        match next {
            Some(i) if i < 0 && self.older == Older::Loading => {
                self.owed = i.max(-MAX_OWED);
            }
            Some(i) if i >= n as isize && self.newer.detached && self.newer.loading => {
                self.owed = (i - (n as isize - 1)).min(MAX_OWED);
            }
            _ => {}
        }
        self.selected = match next {
            // Past the last held: following the newest, unless the window stops short of it
            // (the next page is read instead, and the cursor waits on the last).
            Some(i) if i >= n as isize && self.newer.detached => {
                Some(self.messages[n - 1].message_id.clone())
            }
            Some(i) if i >= n as isize => None,
            Some(i) => Some(self.messages[i.max(0) as usize].message_id.clone()),
            None => None,
        };
        // At the newest message every new one has been passed: none is below any more.
        if self.selected.is_none() || (!self.newer.detached && self.selected_index() == Some(n - 1))
        {
            self.new_below = 0;
        }
    }

    /// Takes the steps owed (see [`OpenChat::owed`]) once a page has come.
    pub fn pay_owed(&mut self) {
        if self.owed != 0 {
            self.step(0);
        }
    }

    /// Places the "new messages" line from the count the chat list had when the chat was
    /// opened: above the oldest of the newest `unread_at_open` messages written by others,
    /// newer than `read` (the newest this console read, by time) when that is known.
    pub fn mark_unread_from_open(&mut self, me: Option<&str>, read: Option<u64>) {
        let n = std::mem::take(&mut self.unread_at_open);
        if n == 0 || self.first_unread.is_some() {
            return;
        }
        let mut seen = 0u64;
        for e in self.messages.iter().rev() {
            if read.is_some_and(|r| e.timestamp <= r) {
                break;
            }
            if e.is_system() || me == Some(e.author.id.as_str()) {
                continue;
            }
            seen += 1;
            self.first_unread = Some(e.message_id.clone());
            if seen == n {
                break;
            }
        }
    }

    /// Whether message `i` matches the search (its text, as the history shows it; a deleted
    /// one never). Smart case: a query with a capital letter matches case exactly.
    pub fn search_hit(&self, i: usize) -> bool {
        let (Some(q), Some(e)) = (&self.search, self.messages.get(i)) else {
            return false;
        };
        !self.is_deleted(&e.message_id) && text_matches(&e.summary(), q)
    }

    /// The nearest match older (`older`) or newer than the cursor (from the newest when it
    /// follows the newest), if any.
    pub fn search_from_cursor(&self, older: bool) -> Option<usize> {
        let n = self.messages.len();
        let at = self.selected_index();
        if older {
            let end = at.unwrap_or(n);
            (0..end).rev().find(|&i| self.search_hit(i))
        } else {
            let start = at.map_or(n, |i| i + 1);
            (start..n).find(|&i| self.search_hit(i))
        }
    }

    /// How many loaded messages match the search.
    pub fn search_count(&self) -> usize {
        (0..self.messages.len())
            .filter(|&i| self.search_hit(i))
            .count()
    }

    /// Notes a pushed message for the reader: while the cursor is up in the history, one from
    /// someone else counts as new below (and, the first, marks where the new ones begin).
    pub fn note_arrival(&mut self, e: &Envelope, me: Option<&str>) {
        if e.chat_id != self.chat_id || e.is_system() || me == Some(e.author.id.as_str()) {
            return;
        }
        if self.selected.is_some() {
            self.new_below += 1;
            if self.first_unread.is_none() {
                self.first_unread = Some(e.message_id.clone());
            }
        }
    }

    pub fn apply(&mut self, ev: ChatEvent, removed: &mut RemovedMessages) -> bool {
        match ev {
            ChatEvent::Message(e) if e.chat_id == self.chat_id => {
                if self.newer.detached && !self.messages.contains(&e.message_id) {
                    self.arrived_detached(&e.message_id);
                    return true;
                }
                self.messages.push(e);
                self.fit_window();
                true
            }
            ChatEvent::Edited {
                chat_id,
                message_id: Some(id),
                text,
                parse_mode,
                ..
            } if chat_id == self.chat_id || chat_id.is_empty() => {
                let Some(m) = self.messages.by_id_mut(&id) else {
                    return false;
                };
                m.is_edited = true;
                m.content = crate::chat::types::Content::Text {
                    text,
                    parse_mode,
                    buttons: None,
                };
                true
            }
            ChatEvent::Removed {
                chat_id,
                message_id,
                ..
            } if chat_id == self.chat_id => self.mark_deleted(&message_id, removed),
            ChatEvent::HistoryCleared { chat_id, .. } if chat_id == self.chat_id => {
                self.messages.clear();
                self.deleted.clear();
                self.selected = None;
                self.newer = super::Newer::default();
                self.gap_top = None;
                true
            }
            _ => false,
        }
    }
}

/// Whether `text` contains `query`: case-insensitively, unless the query has a capital.
pub fn text_matches(text: &str, query: &str) -> bool {
    if query.is_empty() {
        return false;
    }
    if query.chars().any(char::is_uppercase) {
        text.contains(query)
    } else {
        text.to_lowercase().contains(query)
    }
}

#[cfg(test)]
#[path = "chats_tests.rs"]
mod tests;
