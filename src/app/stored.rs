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
    for (id, ts) in snap.reads {
        let mark = m.chat.read_marks.entry(id).or_insert(ts);
        *mark = (*mark).max(ts);
    }
    for (id, name) in snap.names {
        let name = sanitize::line(&name).into_owned();
        if !name.is_empty() {
            m.chat.names.entry(id).or_insert(name);
        }
    }
    m.touch();
    // The server answered first: its list stands (and the chat open last is opened in it).
    if m.chat.list.state != Loadable::Ready {
        if snap.chats.is_empty() {
            return vec![];
        }
        m.chat.list.set(&snap.chats);
        m.chat.list.from_store = true;
        m.chat.list.reindex(&m.chat.names);
    }
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

/// Opens the search over every stored chat.
pub fn open_search(m: &mut Model) {
    m.mode = super::Mode::Prompt(super::Prompt::SearchAll(super::SearchAll::default()));
    m.touch();
}

/// Asks the store for what the query matches now (every change of the query: results follow
/// the typing; an answer to an earlier query is dropped).
pub fn search_now(m: &mut Model) -> Vec<Cmd> {
    let super::Mode::Prompt(super::Prompt::SearchAll(s)) = &mut m.mode else {
        return vec![];
    };
    s.seq += 1;
    s.selected = 0;
    let query = s.query.text().to_string();
    let cmds = if crate::store::fts_query(&query).is_none() {
        s.hits.clear();
        s.state = super::SearchState::Empty;
        vec![]
    } else {
        s.state = super::SearchState::Searching;
        vec![Cmd::SearchStore { seq: s.seq, query }]
    };
    m.touch();
    cmds
}

/// Keys in the search over every chat: typing searches, ↑↓ choose, Enter opens the chat at
/// the chosen message, Esc closes.
pub fn search_key(m: &mut Model, k: &crossterm::event::KeyEvent) -> Vec<Cmd> {
    use crossterm::event::KeyCode;
    let super::Mode::Prompt(super::Prompt::SearchAll(s)) = &mut m.mode else {
        return vec![];
    };
    match k.code {
        KeyCode::Esc => {
            m.mode = super::Mode::Normal;
            m.touch();
            vec![]
        }
        KeyCode::Up => {
            s.selected = s.selected.saturating_sub(1);
            m.touch();
            vec![]
        }
        KeyCode::Down => {
            s.selected = (s.selected + 1).min(s.hits.len().saturating_sub(1));
            m.touch();
            vec![]
        }
        KeyCode::Enter => {
            let Some(hit) = s.hits.get(s.selected).cloned() else {
                return vec![];
            };
            let first_word = s.query.text().split_whitespace().next().map(str::to_string);
            m.mode = super::Mode::Normal;
            jump(m, &hit, first_word)
        }
        _ => match s.query.key(k, super::Lines::One) {
            super::Edit::Changed => search_now(m),
            super::Edit::Unchanged | super::Edit::NotMine => vec![],
        },
    }
}

pub fn searched(
    m: &mut Model,
    seq: u64,
    result: Result<Vec<crate::store::Hit>, String>,
) -> Vec<Cmd> {
    let super::Mode::Prompt(super::Prompt::SearchAll(s)) = &mut m.mode else {
        return vec![];
    };
    if s.seq != seq {
        return vec![];
    }
    match result {
        Ok(hits) => {
            s.hits = hits;
            s.state = super::SearchState::Done;
        }
        Err(e) => {
            s.hits.clear();
            s.state = super::SearchState::Failed(sanitize::line(&e).into_owned());
        }
    }
    s.selected = s.selected.min(s.hits.len().saturating_sub(1));
    m.touch();
    vec![]
}

/// Opens a search result's chat on the stored messages around it, the cursor on it and the
/// words highlighted; it is the store's copy until the newest page is asked for (End).
fn jump(m: &mut Model, hit: &crate::store::Hit, word: Option<String>) -> Vec<Cmd> {
    let title = m
        .chat
        .list
        .items
        .iter()
        .find(|c| c.id == hit.chat_id)
        .map(|c| c.title.clone())
        .or_else(|| {
            hit.chat_title
                .as_deref()
                .map(|t| sanitize::line(t).into_owned())
        })
        .unwrap_or_else(|| "(untitled)".into());
    if m.chat.list.items.iter().any(|c| c.id == hit.chat_id) {
        m.chat.list.selected = Some(hit.chat_id.clone());
    }
    m.chat.open = Some(super::OpenChat {
        chat_id: hit.chat_id.clone(),
        title,
        state: Loadable::Loading,
        selected: Some(hit.message_id.clone()),
        from_store: true,
        search: word,
        ..Default::default()
    });
    m.ui.focus = super::Pane::History;
    m.touch();
    vec![Cmd::LoadAround {
        chat_id: hit.chat_id.clone(),
        message_id: hit.message_id.clone(),
    }]
}

pub fn around(
    m: &mut Model,
    chat_id: &str,
    message_id: &str,
    result: Result<Vec<Envelope>, String>,
) -> Vec<Cmd> {
    let Some(open) = m
        .chat
        .open
        .as_mut()
        .filter(|o| o.chat_id == chat_id && o.from_store)
    else {
        return vec![];
    };
    match result {
        Ok(page) => {
            let found = page.iter().any(|e| e.message_id == message_id);
            open.merge(page);
            open.state = Loadable::Ready;
            open.older = super::Older::More;
            // A place in the middle of the chat: newer pages are read from the store as the
            // cursor goes down, and End goes to the server's newest.
            open.newer.detached = true;
            if !found {
                open.selected = None;
                m.notify(
                    NoticeLevel::Info,
                    "That message is no longer in the store (deleted since?)",
                );
            }
        }
        Err(e) => {
            open.state = Loadable::Failed(format!(
                "cannot read the message store: {}",
                sanitize::line(&e)
            ));
        }
    }
    m.touch();
    vec![]
}

/// `B`: copies the selected chat's whole history from the server into the store, in the
/// background; the notice line says how far it has come.
pub fn backfill(m: &mut Model) -> Vec<Cmd> {
    let Some(i) = m.chat.list.selected_index() else {
        return vec![];
    };
    let id = m.chat.list.items[i].id.clone();
    let title = m.chat.shown_title(&id).unwrap_or_default();
    if m.chat.backfills.contains_key(&id) {
        m.notify(
            NoticeLevel::Info,
            format!("“{title}” is being copied into the store already"),
        );
        return vec![];
    }
    if !m.chat.link.is_up() {
        m.notify(
            NoticeLevel::Warn,
            "Not connected to the chat server: nothing to copy from",
        );
        return vec![];
    }
    m.chat.backfills.insert(id.clone(), 0);
    m.notify(
        NoticeLevel::Info,
        format!("Copying “{title}” into the store…"),
    );
    vec![Cmd::Backfill { chat_id: id }]
}

pub fn backfilled(
    m: &mut Model,
    chat_id: &str,
    read: usize,
    done: Option<Result<(), String>>,
) -> Vec<Cmd> {
    let title = m
        .chat
        .shown_title(chat_id)
        .unwrap_or_else(|| "the chat".to_string());
    match done {
        None => {
            if m.chat.backfills.contains_key(chat_id) {
                m.chat.backfills.insert(chat_id.to_string(), read);
                // A bar that turns, as the total is not known: the count is what tells.
                let spin = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"][(read / 100) % 8];
                m.notify(
                    NoticeLevel::Info,
                    format!("{spin} Copying “{title}” into the store: {read} messages read"),
                );
            }
        }
        Some(Ok(())) => {
            let read = m.chat.backfills.remove(chat_id).unwrap_or(0).max(read);
            m.notify(
                NoticeLevel::Info,
                format!("“{title}” copied into the store: {read} messages, back to its start"),
            );
        }
        Some(Err(e)) => {
            let read = m.chat.backfills.remove(chat_id).unwrap_or(0);
            m.notify(
                NoticeLevel::Error,
                format!(
                    "Copying “{title}” into the store stopped after {read} messages: {}",
                    sanitize::line(&e)
                ),
            );
        }
    }
    vec![]
}

#[cfg(test)]
#[path = "stored_tests.rs"]
mod tests;
