//! The mouse, as the model sees it: the runtime turns a click or a wheel turn at a cell into
//! what was drawn there (a [`Target`], from the last frame's hit map), so `update` deals in
//! chats and messages, never in coordinates.
//!
//! - A click focuses the pane under it; on a chat it selects the chat, and a click on the
//!   chat already selected opens it; on a message it selects the message; on a dialog's
//!   button it presses that button's key.
//! - The wheel scrolls what is under the pointer: the chat list, the history (older pages
//!   load as it nears the top), the help, the outbox, the explorer's reply.
//! - While a pop-up is up, only the pop-up answers.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Cmd, Mode, Model, Pane};
use crate::keys::Action;

/// What was drawn at a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Anywhere in a pane not covered below.
    Pane(Pane),
    /// The composer.
    Composer,
    /// A row of the chat list.
    Chat(String),
    /// A line of a message in the history.
    Message(String),
    /// A button: clicking it is pressing this key.
    Press(KeyCode),
    /// A button: clicking it is this action.
    Action(Action),
    /// A pop-up's body (help, outbox, a viewer): the wheel scrolls it.
    Popup,
    /// A room's chip on the rooms strip: clicking it shows that room.
    Room(usize),
}

/// How many messages or rows one notch of the wheel moves.
const WHEEL_STEP: isize = 3;

pub(super) fn on_click(m: &mut Model, target: Target) -> Vec<Cmd> {
    // A button acts only while what drew it is still up: two clicks in one burst are both
    // read against the frame on screen, and the second must not land on what is under the
    // dialog the first one closed (a confirmation's `m` would mute the microphone).
    match target {
        Target::Press(code) => {
            if !matches!(m.mode, Mode::Confirm(_)) {
                return vec![];
            }
            return super::input::on_key(m, KeyEvent::new(code, KeyModifiers::NONE));
        }
        Target::Action(a) => {
            if m.room.dialog().is_none() {
                return vec![];
            }
            return super::update::on_action(m, a);
        }
        _ => {}
    }
    // A pop-up is modal: clicks elsewhere do nothing.
    if m.mode.is_popup() || m.mode.explorer().is_some() {
        return vec![];
    }
    if m.ui.notice.take().is_some() {
        m.touch();
    }
    match target {
        Target::Pane(p) => focus(m, p),
        Target::Composer => {
            if !m.mode.is_composing() {
                return super::update::on_action(m, Action::Compose);
            }
        }
        Target::Chat(id) => {
            focus(m, Pane::Chats);
            if m.chat.list.selected.as_deref() == Some(id.as_str())
                && (m.chat.link.is_up() || m.chat.list.state == super::Loadable::Ready)
            {
                return super::update::open_selected(m);
            }
            m.chat.list.selected = Some(id);
            m.touch();
        }
        Target::Message(id) => {
            focus(m, Pane::History);
            if let Some(o) = m.chat.open.as_mut() {
                o.selected = Some(id);
                m.touch();
            }
        }
        Target::Room(i) => {
            focus(m, Pane::Room);
            return super::room::select_room(m, i);
        }
        Target::Press(_) | Target::Action(_) | Target::Popup => {}
    }
    vec![]
}

/// Leaves the composer or the filter (keeping what was typed) and focuses `p`.
fn focus(m: &mut Model, p: Pane) {
    if matches!(m.mode, Mode::Composing | Mode::Filtering) {
        m.mode = Mode::Normal;
    }
    m.ui.focus = p;
    m.touch();
}

pub(super) fn on_wheel(m: &mut Model, target: Target, up: bool) -> Vec<Cmd> {
    let delta = if up { -WHEEL_STEP } else { WHEEL_STEP };
    match (&m.mode, target) {
        (Mode::Participants { .. }, _) => {
            super::room::scroll_participants(m, delta);
            vec![]
        }
        (Mode::Pager(_), _) => {
            super::pager::scroll(m, delta);
            vec![]
        }
        (Mode::Explorer(_), _) => {
            super::explorer::wheel(m, delta);
            vec![]
        }
        (Mode::Outbox { selected }, _) => {
            let n = super::outbox::rows(m).len();
            let s = if up {
                selected.saturating_sub(1)
            } else {
                (selected + 1).min(n.saturating_sub(1))
            };
            m.mode = Mode::Outbox { selected: s };
            m.touch();
            vec![]
        }
        (mode, _) if mode.is_popup() || mode.explorer().is_some() => vec![],
        (_, Target::Chat(_) | Target::Pane(Pane::Chats)) => {
            m.chat.list.step_in(delta, m.chat.filter.query.text());
            m.touch();
            vec![]
        }
        (_, Target::Message(_) | Target::Pane(Pane::History)) => super::history::scroll(m, delta),
        (_, Target::Pane(Pane::Inspector)) => {
            super::inspector::step(m, delta);
            vec![]
        }
        _ => vec![],
    }
}

#[cfg(test)]
#[path = "pointer_tests.rs"]
mod tests;
