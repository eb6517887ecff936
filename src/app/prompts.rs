//! The pop-up questions and the chat-list filter: the call prompt, the forward target, the
//! file to send, the new chat, confirmations. Every text in them is an [`super::Editor`];
//! every list is a [`super::Picker`].

use crossterm::event::{KeyCode, KeyEvent};
use serde_json::json;

use super::{
    CallPrompt, Candidate, ChatOp, Cmd, Confirm, Edit, Lines, Mode, Model, NewChatKind,
    NoticeLevel, Pick, Prompt,
};
use crate::sanitize;

/// Opens the call prompt over the address book as it is now (`book`: titled as the address
/// book). Each row's presence is read live from the Room's state when drawn.
pub(super) fn open_call(m: &mut Model, book: bool) {
    open_picker(m, book, false);
}

/// The participants list's `c`: the address book, Enter inviting into the running call.
pub(super) fn open_invite(m: &mut Model) {
    open_picker(m, false, true);
}

fn open_picker(m: &mut Model, book: bool, invite: bool) {
    m.mode = Mode::Prompt(Prompt::Call(picker_of(m, book, invite)));
    m.touch();
}

/// The call prompt over the address book as it is now: nothing typed, nobody chosen.
fn picker_of(m: &Model, book: bool, invite: bool) -> CallPrompt {
    let mut contacts = Vec::with_capacity(m.room.state.contacts.len());
    let mut labels = Vec::with_capacity(m.room.state.contacts.len());
    for c in &m.room.state.contacts {
        let name = sanitize::line(&c.peer.name).into_owned();
        let id = sanitize::line(&c.peer.id).into_owned();
        // Found by the name's letters in order, or by a piece of the id.
        contacts.push(if c.peer.name.is_empty() {
            Candidate::new(c.peer.id.clone(), &[&c.peer.id])
        } else {
            Candidate::with_exact(c.peer.id.clone(), &[&c.peer.name], &[&c.peer.id])
        });
        labels.push(if name.is_empty() {
            id
        } else {
            format!("{name} ({id})")
        });
    }
    // Nothing is chosen yet: a stray Enter must not call the first entry.
    CallPrompt {
        // The address book as it was when the prompt opened: its ranking is kept.
        picker: crate::app::Picker::frozen(),
        contacts,
        labels,
        selected: None,
        moved: false,
        book,
        invite,
        marked: Vec::new(),
    }
}

/// The address book's prompt in `mode`: on screen, or under a form or a question asked from
/// it.
fn book_mut(mode: &mut Mode) -> Option<&mut CallPrompt> {
    match mode {
        Mode::Prompt(Prompt::Call(p)) => Some(p),
        Mode::Prompt(Prompt::Form(f)) => book_mut(&mut f.back),
        Mode::Confirm(c) => book_mut(&mut c.back),
        _ => None,
    }
}

/// The address book changed while the prompt shows it (a contact added or removed, the list
/// read again): the prompt's copy follows (under a form or a question too), keeping what was
/// typed, the highlight and the marks of the contacts still there.
pub(super) fn refresh_book(m: &mut Model, room: usize) {
    if m.room.active != Some(room) {
        return;
    }
    let (book, invite) = match book_mut(&mut m.mode) {
        Some(p) => (p.book, p.invite),
        None => return,
    };
    let mut fresh = picker_of(m, book, invite);
    let Some(p) = book_mut(&mut m.mode) else {
        return;
    };
    let same = fresh.contacts.len() == p.contacts.len()
        && fresh
            .contacts
            .iter()
            .zip(&p.contacts)
            .all(|(a, b)| a.id == b.id);
    if same {
        return;
    }
    let ids: std::collections::HashSet<&str> =
        fresh.contacts.iter().map(|c| c.id.as_str()).collect();
    fresh.marked = p
        .marked
        .iter()
        .filter(|id| ids.contains(id.as_str()))
        .cloned()
        .collect();
    fresh.selected = p.selected.clone().filter(|id| ids.contains(id.as_str()));
    fresh.moved = p.moved && fresh.selected.is_some();
    let q = p.picker.query.text().to_string();
    if !q.is_empty() {
        let keep = fresh.selected.clone();
        fresh.picker.paste(&q, &fresh.contacts, &mut fresh.selected);
        if keep.is_some() {
            fresh.selected = keep;
        }
    }
    *p = fresh;
    m.touch();
}

/// Address-book entries matching what was typed in the call prompt, best first: indices
/// into `contacts` and `labels` (a frame copies only the rows it shows).
pub fn call_matches(p: &CallPrompt) -> std::borrow::Cow<'_, [usize]> {
    p.picker.ranked(&p.contacts)
}

/// Opens the forward picker for a message of `from_chat`.
pub(super) fn open_forward(m: &mut Model, message_id: String, from_chat: &str) {
    let selected = m
        .chat
        .list
        .items
        .iter()
        .find(|c| c.id != from_chat)
        .map(|c| c.id.clone());
    m.mode = Mode::Prompt(Prompt::Forward {
        message_id,
        picker: Default::default(),
        selected,
    });
    m.touch();
}

/// Every key while a prompt is open.
pub(super) fn on_prompt_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    let chats = m.chat.list.candidates();
    let Mode::Prompt(p) = &mut m.mode else {
        return vec![];
    };
    if let Prompt::Call(c) = p
        && let Some(cmds) = super::book::key(k, c)
    {
        return super::book::act(m, cmds);
    }
    let done = match p {
        Prompt::Call(c) => match c.picker.key(k, &c.contacts, &mut c.selected) {
            Pick::Enter => {
                // Someone chosen: the highlighted match, else what was typed. With nothing
                // typed and the highlight not moved, nobody is.
                let typed = c.picker.query.text().trim().to_string();
                let peer = if typed.is_empty() && !c.moved {
                    None
                } else {
                    c.selected.clone().or(Some(typed).filter(|s| !s.is_empty()))
                };
                let Some(peer) = peer else {
                    m.notify(
                        NoticeLevel::Info,
                        "Type a name or id, or pick one with ↓, then Enter calls",
                    );
                    return vec![];
                };
                let invite = c.invite;
                let Some(room) = m.room.active else {
                    return vec![];
                };
                // Not queued for a link that may come back later: said now, the prompt kept.
                if !m.room.link.is_up() {
                    let what = m.room.link.label();
                    m.notify(
                        NoticeLevel::Warn,
                        format!("The Room is not connected ({what}): no call placed"),
                    );
                    return vec![];
                }
                m.mode = Mode::Normal;
                m.touch();
                if invite {
                    m.notify(
                        NoticeLevel::Info,
                        format!(
                            "Inviting {} into the call",
                            super::update::short(&sanitize::line(&peer))
                        ),
                    );
                    return vec![Cmd::room(
                        room,
                        "inviteToConference",
                        json!({ "peerId": peer }),
                    )];
                }
                return vec![Cmd::room(room, "call", json!({ "peerId": peer }))];
            }
            Pick::Changed => {
                c.moved = matches!(
                    k.code,
                    KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown
                );
                if !c.moved && c.picker.query.text().trim().is_empty() {
                    c.selected = None;
                }
                Some(false)
            }
            other => outcome(other),
        },
        Prompt::Forward {
            message_id,
            picker,
            selected,
        } => match picker.key(k, &chats, selected) {
            Pick::Enter => {
                let Some(to_chat) = selected.clone() else {
                    return vec![];
                };
                let message_id = std::mem::take(message_id);
                m.mode = Mode::Normal;
                m.touch();
                return vec![Cmd::Chat(ChatOp::Forward {
                    message_id,
                    to_chat,
                })];
            }
            other => outcome(other),
        },
        Prompt::Search { query } => match k.code {
            KeyCode::Esc => Some(true),
            KeyCode::Enter => {
                let q = query.text().to_string();
                m.mode = Mode::Normal;
                super::history::run_search(m, &q);
                return vec![];
            }
            _ => edited(query.key(k, Lines::One)),
        },
        Prompt::SearchAll(_) => return super::stored::search_key(m, k),
        Prompt::Form(_) => return super::form::on_key(m, k),
        Prompt::Upload { path } => match k.code {
            KeyCode::Esc => Some(true),
            KeyCode::Enter => {
                let typed = path.text().trim().to_string();
                return super::transfers::upload(m, &typed);
            }
            _ => edited(path.key(k, Lines::One)),
        },
        Prompt::NewChat { kind, input } => match k.code {
            KeyCode::Esc => Some(true),
            KeyCode::Tab => {
                *kind = kind.next();
                Some(false)
            }
            KeyCode::BackTab => {
                *kind = kind.prev();
                Some(false)
            }
            KeyCode::Enter => {
                let arg = input.text().trim().to_string();
                if arg.is_empty() {
                    return vec![];
                }
                let kind = *kind;
                m.mode = Mode::Normal;
                m.touch();
                return vec![Cmd::Chat(ChatOp::Create { kind, arg })];
            }
            _ => edited(input.key(k, Lines::One)),
        },
    };
    match done {
        None => vec![],
        Some(close) => {
            if close {
                m.mode = Mode::Normal;
            }
            m.touch();
            vec![]
        }
    }
}

/// A picker's answer as "close the prompt?" (None: nothing happened).
fn outcome(p: Pick) -> Option<bool> {
    match p {
        Pick::Esc => Some(true),
        Pick::Changed => Some(false),
        Pick::Enter | Pick::Unchanged | Pick::NotMine => None,
    }
}

/// An editor's answer as "close the prompt?" (None: nothing happened).
fn edited(e: Edit) -> Option<bool> {
    match e {
        Edit::Changed => Some(false),
        Edit::Unchanged | Edit::NotMine => None,
    }
}

/// Keys in a confirmation: an answer's key sends its message; any other key cancels. Either
/// way the mode it was asked from comes back.
pub(super) fn on_confirm_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    let Mode::Confirm(Confirm { answers, back, .. }) = std::mem::take(&mut m.mode) else {
        return vec![];
    };
    m.mode = *back;
    m.touch();
    if let KeyCode::Char(c) = k.code
        && let Some(a) = answers.into_iter().find(|a| a.key == c)
    {
        return super::update(m, a.msg);
    }
    m.notify(NoticeLevel::Info, "Cancelled");
    vec![]
}

/// Opens a confirmation over the current mode.
pub(super) fn confirm(m: &mut Model, question: String, answers: Vec<super::Answer>) {
    let back = Box::new(std::mem::take(&mut m.mode));
    m.mode = Mode::Confirm(Confirm {
        question,
        answers,
        back,
    });
    m.touch();
}

/// Typing in the chat-list filter: the query narrows the list (the best match selected),
/// arrows move among matches, Enter opens the selected chat and keeps the filter, Esc
/// clears it.
pub(super) fn on_filter_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    // The list's search keys and its selection are separate fields: borrowed together.
    let cands: Vec<&crate::app::Candidate> = m.chat.list.items.iter().map(|i| &i.search).collect();
    match m.chat.filter.key(k, &cands, &mut m.chat.list.selected) {
        Pick::Esc => {
            m.mode = Mode::Normal;
            m.chat.filter = Default::default();
            if m.chat.list.selected.is_none() {
                m.chat.list.selected = m.chat.list.items.first().map(|c| c.id.clone());
            }
        }
        Pick::Enter => {
            m.mode = Mode::Normal;
            m.touch();
            return super::update::open_selected(m);
        }
        Pick::Changed => {}
        Pick::Unchanged | Pick::NotMine => return vec![],
    }
    m.touch();
    vec![]
}

/// Opens the new-chat prompt.
pub(super) fn open_new_chat(m: &mut Model) {
    m.mode = Mode::Prompt(Prompt::NewChat {
        kind: NewChatKind::P2p,
        input: Default::default(),
    });
    m.touch();
}

/// Opens the upload prompt.
pub(super) fn open_upload(m: &mut Model) {
    m.mode = Mode::Prompt(Prompt::Upload {
        path: Default::default(),
    });
    m.touch();
}

#[cfg(test)]
#[path = "prompts_tests.rs"]
mod tests;
