//! Conference control from the participants list (`p`): the owner switches a participant's
//! microphone and camera, invites them onto the podium or sends them down, answers their
//! requests for it, gives or takes moderator rights, removes them, and invites others in;
//! anyone else sees these unavailable, with the reason. Outside the list, `P` takes or leaves
//! the podium for the Room itself. Every change shows when the Room's events bring it.

use serde_json::json;

use super::room::control_refusal;
use super::update::short;
use super::{Answer, Cmd, Confirmed, Mode, Model, Msg, NoticeLevel};
use crate::keys::{Action, Context, KeySpec};
use crate::room::RoomEvent;
use crate::room::state::Participant;

/// Keys while the participants list is open: move, page, close; for the conference's owner,
/// the selected participant's microphone (`m`) and camera (`v`) on or off, the podium (`P`),
/// moderator rights (`M`), and removing them (`d`, after asking).
pub(super) fn on_participants_key(m: &mut Model, key: KeySpec) -> Vec<Cmd> {
    let action =
        m.ui.keys
            .lookup(key, &[Context::Global, Context::Room, Context::History]);
    let delta = match action {
        Some(Action::Down) => 1,
        Some(Action::Up) => -1,
        Some(Action::PageDown) => 10,
        Some(Action::PageUp) => -10,
        Some(Action::Participants | Action::Back | Action::Quit) => {
            m.mode = Mode::Normal;
            m.touch();
            return vec![];
        }
        Some(
            a
            @ (Action::Mic | Action::Camera | Action::Delete | Action::Podium | Action::Moderator),
        ) => {
            return control_participant(m, a);
        }
        Some(Action::Call)
            if m.room
                .state
                .conference
                .as_ref()
                .is_some_and(|c| c.conf_type == 0) =>
        {
            m.notify(
                NoticeLevel::Info,
                "A one-to-one call takes nobody else: create a conference instead (b, Tab to mark, Enter)",
            );
            return vec![];
        }
        Some(Action::Call) if m.room.state.conference.is_some() => {
            super::prompts::open_invite(m);
            return vec![];
        }
        _ => return vec![],
    };
    super::room::scroll_participants(m, delta);
    vec![]
}

/// An owner's action on the selected participant.
fn control_participant(m: &mut Model, action: Action) -> Vec<Cmd> {
    let (Mode::Participants { selected }, Some(room)) = (&m.mode, m.room.active) else {
        return vec![];
    };
    let selected = usize::from(*selected);
    let state = &m.room.state;
    let Some(p) = state.conference.as_ref().and_then(|c| {
        let others = c.others(state.me());
        others
            .get(selected.min(others.len().saturating_sub(1)))
            .map(|p| (*p).clone())
    }) else {
        m.notify(NoticeLevel::Info, "Nobody selected");
        return vec![];
    };
    if let Some(why) = control_refusal(state) {
        m.notify(NoticeLevel::Warn, format!("Not available: {why}"));
        return vec![];
    }
    if !m.room.link.is_up() {
        m.notify(
            NoticeLevel::Warn,
            "The Room is not connected: nothing changed",
        );
        return vec![];
    }
    use crate::room::protocol::DeviceState;
    let who = short(&crate::sanitize::line(if p.peer.name.is_empty() {
        &p.peer.id
    } else {
        &p.peer.name
    }));
    // The participant's id as the Room listed it (with its instance): what these need.
    let id = p.peer.id.clone();
    let (method, what, now) = match action {
        Action::Mic => ("turnRemoteMic", "microphone", p.mic),
        Action::Camera => ("turnRemoteCamera", "camera", p.video),
        Action::Podium => return podium(m, room, &p, &who),
        Action::Moderator => return moderator(m, room, &p, &who),
        _ => {
            let answers = vec![Answer {
                key: 'y',
                label: "yes, remove".into(),
                msg: Msg::Confirmed(Confirmed::Room {
                    room,
                    method: "kickPeer".into(),
                    params: json!({ "peerId": id }),
                }),
            }];
            super::prompts::confirm(m, format!("Remove {who} from the conference?"), answers);
            return vec![];
        }
    };
    // On turns it off; off turns it on; unknown turns it off (the side that exposes nobody).
    // A value asked for and not yet reported counts as the state (quick presses alternate).
    if now == DeviceState::Absent {
        m.notify(NoticeLevel::Info, format!("{who} has no {what}"));
        return vec![];
    }
    let reported = matches!(now, DeviceState::On);
    let on = !pending(m, room, method, &id, reported).unwrap_or(now != DeviceState::Muted);
    ask(m, room, method, &id, on);
    m.notify(
        NoticeLevel::Info,
        format!("{who}'s {what} {} requested", if on { "on" } else { "off" }),
    );
    vec![Cmd::room(room, method, json!({ "peerId": id, "on": on }))]
}

/// `P` on a participant: one who asked for the podium gets an answer (after asking which);
/// one on it is sent down; anyone else is invited up. Only a role-based conference has a
/// podium.
fn podium(m: &mut Model, room: usize, p: &Participant, who: &str) -> Vec<Cmd> {
    let role_based = m
        .room
        .state
        .conference
        .as_ref()
        .is_some_and(crate::room::state::Conference::role_based);
    if !role_based {
        m.notify(
            NoticeLevel::Info,
            "Not available: only a role-based conference has a podium (here everyone is on it)",
        );
        return vec![];
    }
    let id = p.peer.id.clone();
    if p.role == Some(3) {
        let ask = |key, label: &str, method: &str| Answer {
            key,
            label: label.into(),
            msg: Msg::Confirmed(Confirmed::Room {
                room,
                method: method.into(),
                params: json!({ "peerId": id }),
            }),
        };
        let answers = vec![
            ask('y', "let them up", "acceptRequestToPodium"),
            ask('n', "refuse", "rejectRequestToPodium"),
        ];
        super::prompts::confirm(m, format!("{who} asks for the podium."), answers);
        return vec![];
    }
    if p.role == Some(4) {
        m.notify(
            NoticeLevel::Info,
            format!("{who} is invited to the podium already: waiting for their answer"),
        );
        return vec![];
    }
    let (method, doing) = match p.broadcast {
        Some(true) => (
            "kickFromPodium",
            format!("Sending {who} down from the podium"),
        ),
        // Not on it, or not said: the Room refuses an invitation to one who is.
        _ => ("inviteToPodium", format!("Inviting {who} onto the podium")),
    };
    m.notify(NoticeLevel::Info, doing);
    vec![Cmd::room(room, method, json!({ "peerId": id }))]
}

/// `M` on a participant: moderator rights given, or taken from one known to have them.
fn moderator(m: &mut Model, room: usize, p: &Participant, who: &str) -> Vec<Cmd> {
    let group = m
        .room
        .state
        .conference
        .as_ref()
        .is_some_and(|c| c.conf_type != 0);
    if !group {
        m.notify(
            NoticeLevel::Info,
            "Not available: a one-to-one call has no moderators",
        );
        return vec![];
    }
    let reported = p.moderator() == Some(true);
    let give = !pending(m, room, "setModeratorRole", &p.peer.id, reported).unwrap_or(reported);
    ask(m, room, "setModeratorRole", &p.peer.id, give);
    m.notify(
        NoticeLevel::Info,
        if give {
            format!("Making {who} a moderator")
        } else {
            format!("Taking {who}'s moderator rights")
        },
    );
    vec![Cmd::room(
        room,
        "setModeratorRole",
        json!({ "peerId": p.peer.id, "moderator": give }),
    )]
}

/// `P` outside the participants list: the Room itself steps onto the podium or down.
pub(super) fn own_podium(m: &mut Model, room: usize) -> Vec<Cmd> {
    let state = &m.room.state;
    let Some(c) = &state.conference else {
        m.notify(NoticeLevel::Info, "No conference: there is no podium");
        return vec![];
    };
    if !c.role_based() {
        m.notify(
            NoticeLevel::Info,
            "Only a role-based conference has a podium (here everyone is on it)",
        );
        return vec![];
    }
    let on = state
        .me()
        .and_then(|me| {
            c.participants
                .iter()
                .find(|p| crate::room::state::same_user(&p.peer.id, &me.id))
        })
        .and_then(|p| p.broadcast);
    let (method, doing) = match on {
        Some(true) => ("leavePodium", "Leaving the podium"),
        Some(false) => ("gotoPodium", "Asking for the podium"),
        None => {
            m.notify(
                NoticeLevel::Info,
                "Whether the Room is on the podium is not known yet: nothing sent",
            );
            return vec![];
        }
    };
    m.notify(NoticeLevel::Info, doing);
    vec![Cmd::room(room, method, json!({}))]
}

/// What a room's event says to the conference's owner: someone asks for the podium.
pub(super) fn on_event(m: &mut Model, i: usize, e: &RoomEvent) {
    let RoomEvent::RoleEvent {
        peer_id, role: 3, ..
    } = e
    else {
        return;
    };
    let Some(slot) = m.room.slot(i) else { return };
    let Some(c) = &slot.state.conference else {
        return;
    };
    if c.owned_by_another(slot.state.me()) {
        return;
    }
    // The Room itself asking is its own doing.
    if slot
        .state
        .me()
        .is_some_and(|me| crate::room::state::same_user(peer_id, &me.id))
    {
        return;
    }
    let who = c
        .participants
        .iter()
        .find(|p| crate::room::state::same_user(&p.peer.id, peer_id))
        .map(|p| p.peer.name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| peer_id.clone());
    let keys = format!(
        "{} then {} answers",
        m.ui.keys.describe(Action::Participants),
        m.ui.keys.describe(Action::Podium)
    );
    let text = super::room::of_room(
        m,
        i,
        format!(
            "{} asks for the podium ({keys})",
            short(&crate::sanitize::line(&who))
        ),
    );
    m.notify(NoticeLevel::Info, text);
}

/// The value last asked for `method` on participant `id` while the Room has not reported it
/// (`reported` is what it reports now; an answer that matches ends the wait).
fn pending(m: &mut Model, room: usize, method: &str, id: &str, reported: bool) -> Option<bool> {
    let slot = m.room.slot_mut(room)?;
    let key = format!("{method}:{id}");
    match slot.asked_of_others.get(&key).copied() {
        Some(a) if a == reported => {
            slot.asked_of_others.remove(&key);
            None
        }
        other => other,
    }
}

fn ask(m: &mut Model, room: usize, method: &str, id: &str, value: bool) {
    if let Some(slot) = m.room.slot_mut(room) {
        slot.asked_of_others.insert(format!("{method}:{id}"), value);
    }
}
