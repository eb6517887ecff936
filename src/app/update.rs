use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Cmd, LinkStatus, Model, Msg, NoticeLevel, Overlay, Pane};
use crate::keys::{Action, Context, KeySpec};

/// The one place the model changes. Pure: no I/O, no clock, no randomness.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Key(k) => on_key(m, k),
        Msg::Resize(w, h) => {
            if m.size != (w, h) {
                m.size = (w, h);
                m.dirty = true;
            }
            vec![]
        }
        // The composer (chat issue) takes pastes; until then there is nowhere to put them.
        Msg::Paste(_) | Msg::Mouse(_) => vec![],
        Msg::TerminalLost(_) | Msg::Signal(_) => quit(m),
    }
}

fn quit(m: &mut Model) -> Vec<Cmd> {
    m.quit = true;
    vec![Cmd::Quit]
}

fn is_ctrl_c(k: &KeyEvent) -> bool {
    k.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(k.code, KeyCode::Char('c') | KeyCode::Char('C'))
}

fn on_key(m: &mut Model, k: KeyEvent) -> Vec<Cmd> {
    let Some(key) = KeySpec::from_event(&k) else {
        return vec![];
    };
    // Ctrl-C always quits, whatever the bindings say.
    if is_ctrl_c(&k) {
        return quit(m);
    }
    if m.notice.take().is_some() {
        m.dirty = true;
    }
    if let Some(Overlay::Help { scroll }) = m.overlay {
        return on_help_key(m, key, scroll);
    }
    let pane_ctx = match m.focus {
        Pane::Room => Context::Room,
        Pane::Chats => Context::Chats,
        Pane::History => Context::History,
    };
    let Some(action) = m
        .keys
        .lookup(key, &[pane_ctx, Context::Room, Context::Global])
    else {
        return vec![];
    };
    on_action(m, action)
}

fn on_help_key(m: &mut Model, key: KeySpec, scroll: u16) -> Vec<Cmd> {
    let action = m.keys.lookup(key, &[Context::Global]);
    match action {
        Some(Action::Down) => {
            m.overlay = Some(Overlay::Help {
                scroll: scroll.saturating_add(1),
            })
        }
        Some(Action::Up) => {
            m.overlay = Some(Overlay::Help {
                scroll: scroll.saturating_sub(1),
            })
        }
        Some(Action::Help | Action::Back | Action::Quit) => m.overlay = None,
        _ => return vec![],
    }
    m.dirty = true;
    vec![]
}

fn on_action(m: &mut Model, action: Action) -> Vec<Cmd> {
    match action {
        Action::Quit => return quit(m),
        Action::Help => {
            m.overlay = Some(Overlay::Help { scroll: 0 });
            m.dirty = true;
        }
        Action::NextPane | Action::PrevPane => {
            let order = Pane::ORDER;
            let i = order.iter().position(|p| *p == m.focus).unwrap_or(0);
            let step = if action == Action::NextPane {
                1
            } else {
                order.len() - 1
            };
            m.focus = order[(i + step) % order.len()];
            m.dirty = true;
        }
        Action::Inspector => {
            m.inspector = !m.inspector;
            m.dirty = true;
        }
        Action::SwitchRoom => switch_room(m),
        Action::Call | Action::HangUp | Action::Mic | Action::Camera => {
            if !m.room_link.is_up() {
                let what = match &m.room_link {
                    LinkStatus::NotConfigured => {
                        "No room is configured: add a [[room]] to the config, or run with --demo"
                            .to_string()
                    }
                    other => format!("No room connected ({})", other.label()),
                };
                m.notify(NoticeLevel::Warn, what);
            }
        }
        Action::Compose
        | Action::Filter
        | Action::NextUnread
        | Action::Reply
        | Action::Edit
        | Action::Delete
        | Action::Forward
        | Action::Upload
        | Action::Download => {
            if !m.chat_link.is_up() {
                let what = match &m.chat_link {
                    LinkStatus::NotConfigured => {
                        "No chat server is configured: add [chat] to the config, or run with --demo"
                            .to_string()
                    }
                    other => format!("No chat server connected ({})", other.label()),
                };
                m.notify(NoticeLevel::Warn, what);
            }
        }
        // Nothing to move, open or close in the empty panes, and no dialog is open.
        Action::Up
        | Action::Down
        | Action::Open
        | Action::Back
        | Action::Accept
        | Action::Reject => {}
    }
    vec![]
}

fn switch_room(m: &mut Model) {
    match (m.rooms.len(), m.active_room) {
        (0, _) => m.notify(
            NoticeLevel::Warn,
            "No room is configured: add a [[room]] to the config",
        ),
        (1, _) => m.notify(NoticeLevel::Info, "Only one room is configured"),
        (n, cur) => {
            let next = cur.map(|i| (i + 1) % n).unwrap_or(0);
            m.active_room = Some(next);
            m.room_link = LinkStatus::Offline;
            let name = m.rooms[next].name.clone();
            m.notify(NoticeLevel::Info, format!("Room: {name}"));
        }
    }
}
