//! The Room as the console drives it: its link's reports, the actions on it (call, hang up,
//! mute, volume, answering), the call dialog's seconds, and switching between rooms.

use serde_json::json;

use super::update::{record, short};
use super::{Answer, Cmd, Confirmed, LinkStatus, Model, Msg, NoticeLevel};
use crate::keys::Action;
use crate::room::{AppState, RoomEvent, RoomLinkEvent};

pub(super) fn on_room(m: &mut Model, ev: RoomLinkEvent) -> Vec<Cmd> {
    match ev {
        RoomLinkEvent::Status(s) => {
            // A ringing call cannot be answered without the link, and whether it still rings
            // is unknown: the dialog closes rather than count on. The Room's state after the
            // reconnect says what became of it.
            if !s.is_up() && (m.room.state.invite.is_some() || m.room.state.calling.is_some()) {
                m.room.state.invite = None;
                m.room.state.calling = None;
                m.notify(
                    NoticeLevel::Warn,
                    "The Room link is down: the call dialog is closed until the Room says \
                     what became of the call",
                );
            }
            m.room.link = s;
            m.touch();
            return sync_ticks(m).into_iter().collect();
        }
        RoomLinkEvent::State(s) => {
            // The call's duration is counted from a join this console saw: the Room known to
            // be outside a conference before. One already under way when the console first
            // learnt of it (or after a reconnect) has no known start.
            match (m.room.state.conference.is_some(), s.conference.is_some()) {
                (false, true) => {
                    let saw_it_start = matches!(
                        m.room.state.app_state,
                        Some(a) if a != AppState::Conference && a != AppState::Close
                    );
                    m.room.conf_secs = saw_it_start.then_some(0);
                }
                (_, false) => m.room.conf_secs = None,
                (true, true) => {}
            }
            // How a call ended (or was refused) also goes to the status bar.
            let outcome = s
                .last_outcome
                .clone()
                .filter(|o| m.room.state.last_outcome.as_ref() != Some(o));
            let joined = match (&m.room.state.conference, &s.conference) {
                (None, Some(c)) => Some(if c.title.is_empty() {
                    c.id.clone()
                } else {
                    c.title.clone()
                }),
                _ => None,
            };
            if s.volume != m.room.state.volume {
                m.room.volume_asked = None;
            }
            if m.room.state != *s {
                m.room.state = *s;
                m.touch();
            }
            if let Some(o) = outcome {
                m.notify(NoticeLevel::Info, format!("Call: {}", short(&o)));
            } else if let Some(t) = joined {
                m.notify(NoticeLevel::Info, format!("In a call: {}", short(&t)));
            }
            return sync_ticks(m).into_iter().collect();
        }
        RoomLinkEvent::Event(RoomEvent::InviteReceived {
            peer_dn,
            peer_id,
            conf_title,
            ..
        }) => {
            let who = if peer_dn.is_empty() { peer_id } else { peer_dn };
            let what = match conf_title {
                Some(t) => format!("Invitation to {} from {}", short(&t), short(&who)),
                None => format!("Incoming call from {}", short(&who)),
            };
            let keys = format!(
                "{} accepts, {} rejects",
                m.ui.keys.describe(Action::Accept),
                m.ui.keys.describe(Action::Reject)
            );
            m.notify(NoticeLevel::Info, format!("{what}: {keys}"));
            if m.ui.bell {
                return vec![Cmd::Bell];
            }
        }
        RoomLinkEvent::Event(RoomEvent::RejectReceived { .. } | RoomEvent::StopCalling { .. }) => {
            // The outcome is in the state snapshot that follows; say it once it is there.
        }
        RoomLinkEvent::Frame {
            outgoing,
            text,
            at_ms,
        } => record(
            m,
            super::model::Traffic::new("room", outgoing, &text, at_ms),
        ),
        RoomLinkEvent::Event(_) | RoomLinkEvent::Session(_) => {}
    }
    vec![]
}

/// An action on a Room whose link is up.
pub(super) fn room_action(m: &mut Model, action: Action) -> Vec<Cmd> {
    let r = &m.room;
    match action {
        Action::Mic => {
            let muted = r.state.mic_muted;
            toggle(m, "setMicMute", "microphone", muted)
        }
        Action::Camera => {
            let muted = r.state.camera_muted;
            toggle(m, "setVideoMute", "camera", muted)
        }
        Action::Accept if r.state.invite.is_some() => vec![Cmd::room("accept", json!({}))],
        Action::Reject if r.state.invite.is_some() => vec![Cmd::room("reject", json!({}))],
        Action::Accept | Action::Reject => vec![],
        // Hanging up a ringing incoming call rejects it (docs/room-protocol.md, Choices R26).
        Action::HangUp if r.state.invite.is_some() => vec![Cmd::room("reject", json!({}))],
        Action::HangUp if r.state.call().can_hang_up() => {
            vec![Cmd::room("hangUp", json!({ "forAll": false }))]
        }
        Action::HangUp => {
            m.notify(NoticeLevel::Info, "No call to hang up");
            vec![]
        }
        Action::HangUpAll => hang_up_all(m),
        Action::VolumeUp => volume(m, true),
        Action::VolumeDown => volume(m, false),
        Action::Call => {
            super::prompts::open_call(m);
            vec![]
        }
        _ => vec![],
    }
}

/// Mutes or unmutes a device. When its state is unknown there is nothing to flip: the
/// request mutes it, the side that cannot expose anyone, and says so (docs/room-protocol.md,
/// "What the console knows"); the event that follows makes the state known.
fn toggle(m: &mut Model, method: &str, what: &str, muted: Option<bool>) -> Vec<Cmd> {
    let mute = match muted {
        Some(muted) => !muted,
        None => {
            m.notify(
                NoticeLevel::Info,
                format!("The {what}'s state is unknown: muting it"),
            );
            true
        }
    };
    vec![Cmd::room(method, json!({ "mute": mute }))]
}

fn retrying(s: &LinkStatus) -> bool {
    matches!(s, LinkStatus::Retrying { in_secs, .. } if *in_secs > 0)
}

/// Runs the one-second ticks only while something on screen counts: a call dialog's
/// seconds, a call's duration, a link's retry countdown. Idle, nothing ticks.
pub(super) fn sync_ticks(m: &mut Model) -> Option<Cmd> {
    let dialog = m.room.state.invite.is_some() || m.room.state.calling.is_some();
    if dialog != m.room.dialog_open {
        m.room.dialog_open = dialog;
        if dialog {
            m.room.ring_secs = 0;
        }
    }
    let want =
        dialog || m.room.conf_secs.is_some() || retrying(&m.room.link) || retrying(&m.chat.link);
    if want == m.ui.ticking {
        return None;
    }
    m.ui.ticking = want;
    Some(Cmd::Ticks(want))
}

pub(super) fn on_tick(m: &mut Model) -> Vec<Cmd> {
    if !m.ui.ticking {
        return vec![];
    }
    if m.room.dialog_open {
        m.room.ring_secs += 1;
        m.touch();
    }
    if let Some(s) = m.room.conf_secs.as_mut() {
        *s += 1;
        m.touch();
    }
    let mut counted = false;
    for link in [&mut m.room.link, &mut m.chat.link] {
        if let LinkStatus::Retrying { in_secs, .. } = link
            && *in_secs > 0
        {
            *in_secs -= 1;
            counted = true;
        }
    }
    if counted {
        m.touch();
    }
    sync_ticks(m).into_iter().collect()
}

pub(super) fn switch_room(m: &mut Model) -> Vec<Cmd> {
    match (m.room.list.len(), m.room.active) {
        (0, _) => m.notify(
            NoticeLevel::Warn,
            "No room is configured: add a [[room]] to the config",
        ),
        (1, _) => m.notify(NoticeLevel::Info, "Only one room is configured"),
        (n, cur) => {
            let next = cur.map(|i| (i + 1) % n).unwrap_or(0);
            m.room.active = Some(next);
            m.room.link = LinkStatus::Offline;
            m.room.state = crate::room::RoomState::default();
            m.room.conf_secs = None;
            let name = m.room.list[next].name.clone();
            m.notify(NoticeLevel::Info, format!("Room: {name}"));
            return vec![Cmd::ConnectRoom(next)];
        }
    }
    vec![]
}

/// `H`: end the conference for everyone, after a confirmation.
pub(super) fn hang_up_all(m: &mut Model) -> Vec<Cmd> {
    if !m.room.state.call().in_conference() {
        m.notify(NoticeLevel::Info, "No conference to end");
        return vec![];
    }
    let answers = vec![Answer {
        key: 'y',
        label: "yes, end it for all".into(),
        msg: Msg::Confirmed(Confirmed::Room {
            method: "hangUp".into(),
            params: json!({ "forAll": true }),
        }),
    }];
    super::prompts::confirm(m, "End the conference for everyone?".into(), answers);
    vec![]
}

/// `+`/`-`: the speaker volume in steps of a tenth (`audioPlayLevel`, 0.0–1.0).
pub(super) fn volume(m: &mut Model, up: bool) -> Vec<Cmd> {
    // Presses faster than the Room's answers count from the last one asked for.
    let now = m.room.volume_asked.or(m.room.state.volume).unwrap_or(0.5);
    let step = if up { 0.1 } else { -0.1 };
    let next = ((now + step).clamp(0.0, 1.0) * 10.0).round() / 10.0;
    if (next - now).abs() < f64::EPSILON {
        let edge = if up { "full" } else { "zero" };
        m.notify(NoticeLevel::Info, format!("Volume is at {edge}"));
        return vec![];
    }
    m.room.volume_asked = Some(next);
    vec![Cmd::room(
        "setSettings",
        json!({ "settings": { "audioPlayLevel": next } }),
    )]
}

#[cfg(test)]
#[path = "room_tests.rs"]
mod tests;
