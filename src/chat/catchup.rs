//! Catching up after a reconnect. The client asks the server for no replay of unread messages
//! (docs/chat-protocol.md, auth), so what was posted while the link was down is never pushed:
//! it has to be read. [`Seen`] remembers, per chat, the newest message known (on the server's
//! clock) and the ids already shown; after a reconnect, [`Seen::missed`] reads the chats whose
//! last message is newer, page by page back to what was known, and returns what was not shown,
//! oldest first. Pushes and catch-up may overlap; an id is shown once.

use std::collections::{HashMap, HashSet, VecDeque};

use super::methods::{GetChatHistory, GetChats};
use super::types::{Chat, Envelope};
use super::{ChatError, ChatHandle};

/// Ids shown are remembered up to this many.
const IDS_KEPT: usize = 10_000;
/// A chat is read back at most this many pages of 100 while catching up.
const MAX_PAGES: usize = 50;

/// Every chat, page by page (pages count from 1).
pub async fn all_chats(h: &ChatHandle) -> Result<Vec<Chat>, ChatError> {
    // Read until a page brings no chat not seen: a page shorter than asked is not taken for
    // the last (a server may give fewer a page than asked for, and the list read is taken
    // as every chat there is: a chat missing from it is forgotten by the store). A server
    // that ignores `page` and gives the same chats again ends it too.
    let mut out: Vec<Chat> = Vec::new();
    let mut seen = HashSet::new();
    for page in 1..=1000 {
        let got = h.get_chats(GetChats { count: 100, page }).await?.0;
        let before = out.len();
        for c in got {
            if seen.insert(c.chat_id.clone()) {
                out.push(c);
            }
        }
        if out.len() == before {
            break;
        }
    }
    Ok(out)
}

#[derive(Debug, Default)]
pub struct Seen {
    /// Per chat, the newest message timestamp known (server clock, milliseconds).
    newest: HashMap<String, u64>,
    /// Ids already shown (or known at the start), newest last.
    ids: HashSet<String>,
    order: VecDeque<String>,
    /// Whether the chats were read once (the baseline).
    based: bool,
    /// The chats' last messages at the baseline: from before, so never caught up on (a push
    /// of one, posted as the link came up, is still shown).
    before: HashSet<String>,
}

impl Seen {
    /// Whether a message is still to be shown.
    pub fn is_new(&self, id: &str) -> bool {
        !self.ids.contains(id)
    }

    /// A message was shown (or is known): never shown again, and catch-up starts after it.
    pub fn saw(&mut self, e: &Envelope) {
        if !e.chat_id.is_empty() {
            let n = self.newest.entry(e.chat_id.clone()).or_insert(0);
            *n = (*n).max(e.timestamp);
        }
        if self.ids.insert(e.message_id.clone()) {
            self.order.push_back(e.message_id.clone());
            if self.order.len() > IDS_KEPT
                && let Some(old) = self.order.pop_front()
            {
                self.ids.remove(&old);
            }
        }
    }

    /// The link is up: the first time, the chats' last messages are the baseline (nothing
    /// before them is shown); later, what was missed since, oldest first, marked as shown.
    pub async fn on_up(&mut self, h: &ChatHandle) -> Result<Vec<Envelope>, ChatError> {
        let chats = all_chats(h).await?;
        if !self.based {
            self.based = true;
            for c in &chats {
                if let Some(last) = &c.last_message {
                    let n = self.newest.entry(c.chat_id.clone()).or_insert(0);
                    *n = (*n).max(last.timestamp);
                    self.before.insert(last.message_id.clone());
                }
            }
            return Ok(Vec::new());
        }
        let mut missed = Vec::new();
        for c in &chats {
            let Some(last) = &c.last_message else {
                continue;
            };
            // A chat new since the baseline is read from its start.
            let known = self.newest.get(&c.chat_id).copied();
            if known.is_some_and(|k| last.timestamp < k)
                || (known == Some(last.timestamp)
                    && (!self.is_new(&last.message_id) || self.before.contains(&last.message_id)))
            {
                continue;
            }
            missed.extend(self.read_back(h, &c.chat_id, known.unwrap_or(0)).await?);
        }
        missed.sort_by_key(|e| e.timestamp);
        for e in &missed {
            self.saw(e);
        }
        Ok(missed)
    }

    /// A chat's messages not yet shown, stamped at or after `since`.
    async fn read_back(
        &self,
        h: &ChatHandle,
        chat_id: &str,
        since: u64,
    ) -> Result<Vec<Envelope>, ChatError> {
        let mut out: Vec<Envelope> = Vec::new();
        let mut from: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = h
                .get_chat_history(GetChatHistory {
                    chat_id: chat_id.to_string(),
                    count: 100,
                    from_message_id: from.clone(),
                })
                .await?
                .messages;
            let full = page.len() >= 100;
            let oldest = page.iter().min_by_key(|e| e.timestamp).cloned();
            out.extend(page.into_iter().filter(|e| {
                e.timestamp >= since
                    && self.is_new(&e.message_id)
                    && !self.before.contains(&e.message_id)
                    && !e.message_id.is_empty()
            }));
            match oldest {
                Some(o)
                    if full && o.timestamp >= since && from.as_deref() != Some(&o.message_id) =>
                {
                    from = Some(o.message_id);
                }
                _ => break,
            }
        }
        for e in &mut out {
            if e.chat_id.is_empty() {
                e.chat_id = chat_id.to_string();
            }
        }
        out.dedup_by(|a, b| a.message_id == b.message_id);
        Ok(out)
    }
}
