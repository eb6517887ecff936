//! What the local message store gives the model: the chats and the chat open last, drawn
//! before the server answers (and while it cannot be reached), marked as the store's copy
//! until the server's own list and newest page replace them.

use super::{Cmd, Loadable, Model, NoticeLevel};
use crate::chat::types::Envelope;
use crate::sanitize;
use crate::store::writer::Snapshot;

pub fn store_opened(m: &mut Model, r: Result<Box<Snapshot>, String>) -> Vec<Cmd> {
    let snap = match r {
        Ok(s) => *s,
        Err(e) => {
            m.notify(
                NoticeLevel::Warn,
                format!(
                    "The message store is not available ({}): nothing is kept for offline reading or search",
                    sanitize::line(&e)
                ),
            );
            return vec![];
        }
    };
    for n in &snap.notices {
        m.notify(NoticeLevel::Warn, sanitize::line(n).into_owned());
    }
    for (id, name) in snap.names {
        let name = sanitize::line(&name).into_owned();
        if !name.is_empty() {
            m.chat.names.entry(id).or_insert(name);
        }
    }
    m.touch();
    // The server answered first: its list stands.
    if m.chat.list.state == Loadable::Ready || snap.chats.is_empty() {
        return vec![];
    }
    m.chat.list.set(&snap.chats);
    m.chat.list.from_store = true;
    m.chat.list.reindex(&m.chat.names);
    let Some((chat_id, page)) = snap.open else {
        return vec![];
    };
    if m.chat.open.is_some() || !m.chat.list.items.iter().any(|c| c.id == chat_id) {
        return vec![];
    }
    m.chat.list.selected = Some(chat_id.clone());
    // Opened where the user left it, without taking the keyboard from the list.
    let focus = m.ui.focus;
    let cmds = super::update::open_selected(m);
    m.ui.focus = focus;
    let mut gap = None;
    super::history::history_loaded(m, &chat_id, None, Ok(page), &mut gap, true);
    cmds
}

pub fn stored_page(
    m: &mut Model,
    chat_id: &str,
    before: Option<String>,
    result: Result<Vec<Envelope>, String>,
) -> Vec<Cmd> {
    let Some(open) = m.chat.open.as_ref().filter(|o| o.chat_id == chat_id) else {
        return vec![];
    };
    // The server's newest page came first: it stands.
    if before.is_none() && open.state == Loadable::Ready && !open.from_store {
        return vec![];
    }
    match result {
        Ok(page) => {
            let mut gap = None;
            super::history::history_loaded(m, chat_id, before, Ok(page), &mut gap, true);
        }
        Err(e) => {
            if let Some(o) = m.chat.open.as_mut() {
                if before.is_some() {
                    o.older = super::Older::More;
                } else if o.messages.is_empty() {
                    o.state = Loadable::Failed(format!(
                        "offline, and the store cannot be read: {}",
                        sanitize::line(&e)
                    ));
                }
            }
            m.notify(
                NoticeLevel::Error,
                format!("Cannot read the message store: {}", sanitize::line(&e)),
            );
        }
    }
    vec![]
}
