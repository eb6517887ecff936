//! The address book's own keys, in the call prompt and the address book (`c`, `b`): Tab marks
//! contacts (fzf's multi-select), Enter with marks creates a conference with them (or, from
//! the participants list, invites them all), Ctrl-N adds a contact, Ctrl-X removes the
//! highlighted one after asking. Every other key is the picker's.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::{Answer, CallPrompt, Cmd, Confirmed, Mode, Model, Msg, NoticeLevel, Prompt};
use crate::sanitize;

/// A key the address book acts on itself.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum BookKey {
    /// Tab: the highlighted contact marked (`Some(true)`), unmarked (`Some(false)`), or
    /// nobody highlighted (`None`).
    Mark(Option<bool>),
    /// Ctrl-N, with what was typed in the filter.
    Add(String),
    /// Ctrl-X: the highlighted contact, if any.
    Remove(Option<String>),
    /// Enter with contacts marked.
    EnterMarked,
}

/// Whether `k` is one of the address book's own keys (marks change here).
pub(super) fn key(k: &KeyEvent, c: &mut CallPrompt) -> Option<BookKey> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match k.code {
        KeyCode::Tab => {
            // Nobody highlighted yet: the first match is the one Tab marks.
            if c.selected.is_none() {
                c.selected = super::prompts::call_matches(c)
                    .first()
                    .map(|&i| c.contacts[i].id.clone());
            }
            let Some(id) = c.selected.clone() else {
                return Some(BookKey::Mark(None));
            };
            let marked = match c.marked.iter().position(|m| *m == id) {
                Some(at) => {
                    c.marked.remove(at);
                    false
                }
                None => {
                    c.marked.push(id);
                    true
                }
            };
            // On to the next, as fzf does, to mark a run of them quickly.
            let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
            c.picker.key(&down, &c.contacts, &mut c.selected);
            c.moved = true;
            Some(BookKey::Mark(Some(marked)))
        }
        KeyCode::Char('n' | 'N') if ctrl => {
            Some(BookKey::Add(c.picker.query.text().trim().to_string()))
        }
        KeyCode::Char('x' | 'X') if ctrl => Some(BookKey::Remove(c.selected.clone())),
        KeyCode::Enter if !c.marked.is_empty() => Some(BookKey::EnterMarked),
        _ => None,
    }
}

/// What the address book does for its own keys.
pub(super) fn act(m: &mut Model, k: BookKey) -> Vec<Cmd> {
    let Some(room) = m.room.active else {
        return vec![];
    };
    match k {
        BookKey::Mark(None) => {
            m.notify(
                NoticeLevel::Info,
                "No contact matches: Tab marks the highlighted one",
            );
            vec![]
        }
        BookKey::Mark(Some(_)) => {
            m.touch();
            vec![]
        }
        BookKey::Add(typed) => {
            super::form::open_add_contact(m, room, &typed);
            vec![]
        }
        BookKey::Remove(None) => {
            m.notify(
                NoticeLevel::Info,
                "Pick a contact with ↓ first: Ctrl-X removes the highlighted one",
            );
            vec![]
        }
        BookKey::Remove(Some(id)) => {
            let who = label(m, &id);
            let where_ = sanitize::line(m.room.name(room)).into_owned();
            let answers = vec![Answer {
                key: 'y',
                label: "yes, remove".into(),
                msg: Msg::Confirmed(Confirmed::Room {
                    room,
                    method: "removeFromAbook".into(),
                    params: json!({ "peerId": id }),
                }),
            }];
            super::prompts::confirm(
                m,
                format!("Remove {who} from {where_}'s address book?"),
                answers,
            );
            vec![]
        }
        BookKey::EnterMarked => enter_marked(m, room),
    }
}

/// The marked contacts: invited into the running conference (from the participants list), or
/// the form for a new conference with them.
fn enter_marked(m: &mut Model, room: usize) -> Vec<Cmd> {
    let Mode::Prompt(Prompt::Call(c)) = &m.mode else {
        return vec![];
    };
    let (marked, invite) = (c.marked.clone(), c.invite);
    let names: Vec<String> = marked.iter().map(|id| label(m, id)).collect();
    if !m.room.link.is_up() {
        let what = m.room.link.label();
        m.notify(
            NoticeLevel::Warn,
            format!("The Room is not connected ({what}): nothing sent"),
        );
        return vec![];
    }
    if invite {
        m.mode = Mode::Normal;
        m.notify(
            NoticeLevel::Info,
            format!("Inviting {} into the call", names.join(", ")),
        );
        return marked
            .into_iter()
            .map(|id| Cmd::room(room, "inviteToConference", json!({ "peerId": id })))
            .collect();
    }
    if m.room.state.conference.is_some() || m.room.ringing() {
        m.notify(
            NoticeLevel::Warn,
            "The Room is in a call: invite them from the participants list (p, then c), or \
             hang up first",
        );
        return vec![];
    }
    super::form::open_new_conference(m, room, marked, names);
    vec![]
}

/// A contact as the address book shows it: the name (cleaned, shortened), else the id.
fn label(m: &Model, id: &str) -> String {
    let name = m
        .room
        .state
        .contacts
        .iter()
        .find(|c| c.peer.id == id)
        .map(|c| c.peer.name.as_str())
        .filter(|n| !n.is_empty())
        .unwrap_or(id);
    super::update::short(&sanitize::line(name))
}
