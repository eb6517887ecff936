//! A room's call history: the view (`l`), read from the Room (`getCallHistory`), Enter to
//! call back after a confirmation; and each room's count of missed calls nobody has viewed,
//! which the rooms strip shows. The count is the Room's own (its `viewed` marks and
//! `lastView`), read when the link comes up and whenever a call stops ringing unanswered;
//! opening the view marks the history viewed on the Room (`setLastCallsViewed`).

use serde_json::json;

use super::mode::{CallsState, CallsView};
use super::{Answer, Cmd, Confirmed, Mode, Model, Msg, NoticeLevel};
use crate::keys::{Action, Context, KeySpec};
use crate::room::history::{CallHistory, CallRecord};

/// `l`: the shown room's call history, loading.
pub(super) fn open(m: &mut Model, room: usize) -> Vec<Cmd> {
    m.mode = Mode::Calls(CallsView {
        room,
        state: CallsState::Loading,
        selected: 0,
    });
    m.touch();
    vec![Cmd::CallHistory(room)]
}

/// Room `room`'s history arrived: the count of unviewed missed calls is updated, and the view
/// shows the calls if it is open on that room (which marks them viewed).
pub(super) fn loaded(
    m: &mut Model,
    room: usize,
    r: Result<CallHistory, super::AppError>,
) -> Vec<Cmd> {
    let viewing = matches!(&m.mode, Mode::Calls(v) if v.room == room);
    let mut cmds = vec![];
    match r {
        Ok(h) => {
            let unseen = h.unseen_missed();
            if let Some(slot) = m.room.slot_mut(room) {
                slot.missed = unseen;
            }
            if viewing {
                if let Mode::Calls(v) = &mut m.mode {
                    v.selected = v.selected.min(h.calls.len().saturating_sub(1));
                    v.state = CallsState::Ready(h.calls);
                }
                if unseen != Some(0) {
                    // Seen now: the Room marks them so, and says `lastCallsViewed`.
                    cmds.push(Cmd::room(room, "setLastCallsViewed", json!({})));
                    if let Some(slot) = m.room.slot_mut(room) {
                        slot.missed = Some(0);
                    }
                }
            }
        }
        Err(e) => {
            let text = crate::sanitize::line(&e.to_string()).into_owned();
            if viewing {
                if let Mode::Calls(v) = &mut m.mode {
                    v.state = CallsState::Failed(text);
                }
            } else if let Some(slot) = m.room.slot_mut(room) {
                // What was known may no longer hold.
                slot.missed = None;
            }
        }
    }
    m.touch();
    cmds
}

/// Keys in the view: move, Enter calls the selected peer back (after a confirmation), `l` or
/// Esc closes.
pub(super) fn on_key(m: &mut Model, key: KeySpec) -> Vec<Cmd> {
    let action =
        m.ui.keys
            .lookup(key, &[Context::Global, Context::Room, Context::History]);
    let Mode::Calls(v) = &mut m.mode else {
        return vec![];
    };
    let n = match &v.state {
        CallsState::Ready(calls) => calls.len(),
        _ => 0,
    };
    let last = n.saturating_sub(1);
    match action {
        Some(Action::Down) => v.selected = (v.selected + 1).min(last),
        Some(Action::Up) => v.selected = v.selected.saturating_sub(1),
        Some(Action::PageDown) => v.selected = (v.selected + 10).min(last),
        Some(Action::PageUp) => v.selected = v.selected.saturating_sub(10),
        Some(Action::Back | Action::CallLog | Action::Quit) => m.mode = Mode::Normal,
        Some(Action::Open) => {
            let (room, selected) = (v.room, v.selected);
            let call = match &v.state {
                CallsState::Ready(calls) => calls.get(selected).cloned(),
                _ => None,
            };
            if let Some(c) = call {
                return call_back(m, room, &c);
            }
        }
        _ => return vec![],
    }
    m.touch();
    vec![]
}

/// Asks before calling `c`'s peer from room `room`.
fn call_back(m: &mut Model, room: usize, c: &CallRecord) -> Vec<Cmd> {
    if c.peer_id.is_empty() {
        m.notify(
            NoticeLevel::Info,
            "The Room did not say who this call was with",
        );
        return vec![];
    }
    // A Room in a call (or ringing) places no other: said before asking.
    if let Some(s) = m.room.slot(room)
        && s.link.is_up()
        && !matches!(
            s.state.call(),
            crate::room::state::Call::None | crate::room::state::Call::Unknown
        )
    {
        m.notify(
            NoticeLevel::Info,
            format!(
                "{} is in a call: hang up first to call back",
                super::update::short(m.room.name(room))
            ),
        );
        return vec![];
    }
    if !m.room.slot(room).is_some_and(|s| s.link.is_up()) {
        m.notify(
            NoticeLevel::Warn,
            format!(
                "{} is not connected: no call placed",
                super::update::short(m.room.name(room))
            ),
        );
        return vec![];
    }
    // The id the call goes to is said beside the name, so the name cannot stand for another.
    let id = crate::sanitize::line(&c.peer_id).into_owned();
    let who = match crate::sanitize::line(&c.peer_name) {
        n if n.is_empty() || *n == id => super::update::short(&id),
        n => format!(
            "{} ({})",
            super::update::short(&n),
            super::update::short(&id)
        ),
    };
    // The room first: a narrow dialog cuts the end, and which room calls is the point.
    let question = format!(
        "From {}, call {who}?",
        super::update::short(m.room.name(room))
    );
    let answers = vec![Answer {
        key: 'y',
        label: "yes, call".into(),
        msg: Msg::Confirmed(Confirmed::Room {
            room,
            method: "call".into(),
            params: json!({ "peerId": c.peer_id }),
        }),
    }];
    super::prompts::confirm(m, question, answers);
    vec![]
}

#[cfg(test)]
#[path = "calls_tests.rs"]
mod tests;
