//! The Room as the console drives it: its link's reports, the actions on it (call, hang up,
//! mute, volume, answering), the call dialog's seconds, and switching between rooms.

use serde_json::json;

use super::update::{record, short};
use super::{Answer, Cmd, Confirmed, LinkStatus, Mode, Model, Msg, NoticeLevel};
use crate::keys::Action;
use crate::room::state::Call;
use crate::room::{AppState, RoomEvent, RoomLinkEvent};

/// How long the answer keys wait after the call dialog took the place of another (ms).
pub(super) const DIALOG_HOLD_MS: u64 = 1_000;

/// Notes the call dialog shown now. A dialog that replaces another, or comes within a second
/// of one closing, holds `a`/`r` back for [`DIALOG_HOLD_MS`]; a first dialog does not.
pub(super) fn track_dialog(m: &mut Model) {
    let now = m.ui.now_ms;
    let shown = m.room.dialog().map(|(i, s)| {
        let who = match (&s.state.invite, &s.state.calling) {
            (Some(inv), _) => inv.peer.id.clone(),
            (None, Some(c)) => c.clone(),
            (None, None) => String::new(),
        };
        (i, who)
    });
    let seen = &mut m.room.dialog_seen;
    if shown == seen.shown {
        return;
    }
    let replaced = seen.shown.is_some()
        || seen
            .closed_ms
            .is_some_and(|c| now < c.saturating_add(DIALOG_HOLD_MS));
    if shown.is_some() && replaced {
        seen.hold_until_ms = now.saturating_add(DIALOG_HOLD_MS);
    }
    if shown.is_none() {
        seen.closed_ms = Some(now);
    }
    seen.shown = shown;
}

/// A notice about room `i`: named when other rooms are configured and it is not the one
/// shown (a fleet's notices say which room they are about).
pub(super) fn of_room(m: &Model, i: usize, text: String) -> String {
    if m.room.list.len() > 1 && m.room.active != Some(i) {
        format!("{}: {text}", short(m.room.name(i)))
    } else {
        text
    }
}

pub(super) fn on_room(m: &mut Model, i: usize, ev: RoomLinkEvent) -> Vec<Cmd> {
    if let RoomLinkEvent::Event(e) = &ev {
        super::account::on_event(m, i, e);
        super::conference::on_event(m, i, e);
    }
    let Some(slot) = m.room.slot_mut(i) else {
        return vec![];
    };
    match ev {
        RoomLinkEvent::Status(s) => {
            // A ringing call cannot be answered without the link, and whether it still rings
            // is unknown: the dialog closes rather than count on. The Room's state after the
            // reconnect says what became of it.
            let closed = !s.is_up() && slot.ringing();
            if closed {
                slot.state.invite = None;
                slot.state.calling = None;
                // Nor is it known whether the Room still rings: its ringing state (which would
                // otherwise show a call whose caller is unknown) waits for the Room's word.
                if slot.state.app_state == Some(crate::room::AppState::Wait) {
                    slot.state.app_state = None;
                }
            }
            if !s.is_up() {
                // What becomes of the requests in flight is for the next session to say.
                forget_volume_requests(slot);
            }
            let came_up = s.is_up() && !slot.link.is_up();
            let down = !s.is_up();
            super::live::link_changed(m, i, !down);
            let slot = &mut m.room.slots[i];
            slot.link = s;
            m.touch();
            // A view of this room's live state would go on showing it as current: closed.
            let view_of_it = down
                && match &m.mode {
                    Mode::Aim { room } | Mode::Devices { room, .. } => *room == i,
                    Mode::Calls(v) => v.room == i,
                    Mode::Participants { .. } | Mode::Prompt(super::Prompt::Call(_)) => {
                        m.room.active == Some(i)
                    }
                    _ => false,
                };
            if view_of_it {
                m.mode = Mode::Normal;
                let text = of_room(
                    m,
                    i,
                    "The Room link is down: the view of it is closed (what it showed may no \
                     longer hold)"
                        .into(),
                );
                m.notify(NoticeLevel::Warn, text);
            }
            // The Room's count of missed calls nobody viewed, for the strip.
            let mut cmds: Vec<Cmd> = came_up.then_some(Cmd::CallHistory(i)).into_iter().collect();
            if closed {
                let text = of_room(
                    m,
                    i,
                    "The Room link is down: the call dialog is closed until the Room says \
                     what became of the call"
                        .into(),
                );
                m.notify(NoticeLevel::Warn, text);
            }
            cmds.extend(sync_ticks(m));
            return cmds;
        }
        RoomLinkEvent::State(s) => {
            // The call's duration is counted from a join this console saw: the Room known to
            // be outside a conference before. One already under way when the console first
            // learnt of it (or after a reconnect) has no known start.
            match (slot.state.conference.is_some(), s.conference.is_some()) {
                (false, true) => {
                    let saw_it_start = matches!(
                        slot.state.app_state,
                        Some(a) if a != AppState::Conference && a != AppState::Close
                    );
                    slot.conf_secs = saw_it_start.then_some(0);
                }
                (_, false) => slot.conf_secs = None,
                (true, true) => {}
            }
            // How a call ended (or was refused) also goes to the status bar.
            let outcome = s
                .last_outcome
                .clone()
                .filter(|o| slot.state.last_outcome.as_ref() != Some(o));
            let joined = match (&slot.state.conference, &s.conference) {
                (None, Some(c)) => Some(if c.title.is_empty() {
                    c.id.clone()
                } else {
                    c.title.clone()
                }),
                _ => None,
            };
            // A call that stopped ringing in without a conference may be a missed one.
            let unanswered =
                slot.state.invite.is_some() && s.invite.is_none() && s.conference.is_none();
            // A mute the Room now reports as asked is no longer pending.
            if slot.mute_asked[0].is_some() && s.mic_muted == slot.mute_asked[0] {
                slot.mute_asked[0] = None;
            }
            if slot.mute_asked[1].is_some() && s.camera_muted == slot.mute_asked[1] {
                slot.mute_asked[1] = None;
            }
            let call_ended = slot.state.conference.is_some() && s.conference.is_none();
            let changed = slot.state != *s;
            let contacts_changed = slot.state.contacts != s.contacts;
            if changed {
                slot.state = *s;
                m.touch();
            }
            if contacts_changed {
                super::prompts::refresh_book(m, i);
            }
            if let Some(o) = outcome {
                let text = of_room(m, i, format!("Call: {}", short(&o)));
                m.notify(NoticeLevel::Info, text);
            } else if let Some(t) = joined {
                let text = of_room(m, i, format!("In a call: {}", short(&t)));
                m.notify(NoticeLevel::Info, text);
            }
            // The call ended under the participants list or an invitation into it: closed,
            // rather than act on a call that is gone.
            if call_ended && m.room.active == Some(i) && call_view_open(&m.mode) {
                m.mode = Mode::Normal;
                m.notify(
                    NoticeLevel::Info,
                    "The call ended: the participants list is closed",
                );
            }
            let mut cmds: Vec<Cmd> = unanswered
                .then_some(Cmd::CallHistory(i))
                .into_iter()
                .collect();
            cmds.extend(sync_ticks(m));
            cmds.extend(super::live::sync_peers(m, i));
            return cmds;
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
            // The dialog may show another room's call, which the keys answer first.
            let behind = m
                .room
                .dialog_room()
                .filter(|d| *d != i && m.room.active != Some(i));
            let text = match behind {
                Some(d) => of_room(
                    m,
                    i,
                    format!(
                        "{what} (waiting: the dialog shows {}'s call)",
                        short(m.room.name(d))
                    ),
                ),
                None => of_room(m, i, format!("{what}: {keys}")),
            };
            m.notify(NoticeLevel::Info, text);
            // The desktop hears of it too, with the room it is on.
            let body = if m.room.list.len() > 1 {
                format!("{}: {what}", short(m.room.name(i)))
            } else {
                what
            };
            let mut cmds: Vec<Cmd> = m.ui.bell.then_some(Cmd::Bell).into_iter().collect();
            cmds.extend(super::notify::notify(m, "TrueConf: incoming call", &body));
            return cmds;
        }
        RoomLinkEvent::Event(RoomEvent::SettingChanged { name, value })
            if name == "audioPlayLevel" =>
        {
            volume_reported(m, i, value.as_f64());
        }
        RoomLinkEvent::Event(RoomEvent::Other { name, .. })
            if name == "lastCallsViewed" || name == "callHistoryCleared" =>
        {
            // Someone viewed or cleared the history (here or at the Room): count again.
            return vec![Cmd::CallHistory(i)];
        }
        RoomLinkEvent::Event(RoomEvent::RejectReceived { .. } | RoomEvent::StopCalling { .. }) => {
            // The outcome is in the state snapshot that follows; say it once it is there.
        }
        RoomLinkEvent::Frame {
            outgoing,
            text,
            at_ms,
        } => {
            // The inspector shows the frames of the room on screen, each named by its room
            // when several are linked.
            if m.room.active == Some(i) {
                record(m, super::model::Traffic::new("room", outgoing, text, at_ms));
            }
        }
        RoomLinkEvent::Event(_) | RoomLinkEvent::Session(_) => {}
    }
    vec![]
}

/// An action on a Room: the call dialog's (accept, reject, hanging up a ringing call) act
/// on the room whose dialog is shown, every other on the active room. The room's link must
/// be up.
pub(super) fn room_action(m: &mut Model, action: Action) -> Vec<Cmd> {
    let dialog = matches!(action, Action::Accept | Action::Reject | Action::HangUp)
        .then(|| m.room.dialog_room())
        .flatten();
    let Some(i) = dialog.or(m.room.active) else {
        m.notify(
            NoticeLevel::Warn,
            "No room is configured: add a [[room]] to the config, or run with --demo",
        );
        return vec![];
    };
    // A dialog that just took another's place: its answer keys wait a moment.
    if dialog.is_some()
        && matches!(action, Action::Accept | Action::Reject | Action::HangUp)
        && m.ui.now_ms < m.room.dialog_seen.hold_until_ms
    {
        let text = format!(
            "The call dialog just changed to {}: press {} again to answer it",
            short(m.room.name(i)),
            m.ui.keys.describe(action)
        );
        m.notify(NoticeLevel::Warn, text);
        return vec![];
    }
    let r = &m.room.slots[i];
    if !r.link.is_up() {
        let what = format!("No room connected ({})", r.link.label());
        let text = of_room(m, i, what);
        m.notify(NoticeLevel::Warn, text);
        return vec![];
    }
    match action {
        // A press toggles from the value last asked for while the Room has not answered,
        // so `v v` in quick succession is off and on again, not off twice.
        Action::Mic => {
            let muted = r.mute_asked[0].or(r.state.mic_muted);
            let cmds = toggle(m, i, "setMicMute", "microphone", muted);
            m.room.slots[i].mute_asked[0] = asked_mute(&cmds);
            cmds
        }
        Action::Camera => {
            let muted = r.mute_asked[1].or(r.state.camera_muted);
            let cmds = toggle(m, i, "setVideoMute", "camera", muted);
            m.room.slots[i].mute_asked[1] = asked_mute(&cmds);
            cmds
        }
        Action::Accept if r.rings_in() => vec![Cmd::room(i, "accept", json!({}))],
        Action::Reject if r.rings_in() => vec![Cmd::room(i, "reject", json!({}))],
        Action::Accept | Action::Reject => vec![],
        // Hanging up a ringing incoming call rejects it (docs/room-protocol.md, Choices R26).
        Action::HangUp if r.rings_in() => vec![Cmd::room(i, "reject", json!({}))],
        Action::HangUp if r.state.call().can_hang_up() => {
            vec![Cmd::room(i, "hangUp", json!({ "forAll": false }))]
        }
        Action::HangUp => {
            let text = no_call_here(m, i, "No call to hang up");
            m.notify(NoticeLevel::Info, text);
            vec![]
        }
        Action::HangUpAll => hang_up_all(m, i),
        Action::VolumeUp => volume(m, i, true),
        Action::VolumeDown => volume(m, i, false),
        Action::Call | Action::AddressBook => {
            super::prompts::open_call(m, action == Action::AddressBook);
            vec![]
        }
        Action::CallLog => super::calls::open(m, i),
        Action::Devices => super::devices::open(m, i),
        Action::Aim => super::aim::open(m, i),
        Action::Watch => super::live::open(m, i),
        Action::Account => {
            super::account::open(m);
            vec![]
        }
        Action::Podium => super::conference::own_podium(m, i),
        Action::Moderator => {
            let text = format!(
                "Moderator rights are given in the participants list ({}, then {} on someone)",
                m.ui.keys.describe(Action::Participants),
                m.ui.keys.describe(Action::Moderator)
            );
            m.notify(NoticeLevel::Info, text);
            vec![]
        }
        Action::Participants => {
            m.mode = Mode::Participants { selected: 0 };
            m.touch();
            vec![]
        }
        _ => vec![],
    }
}

/// "No call …" about room `i`, and, in a fleet, which other rooms have one (the room keys act
/// on the room shown).
fn no_call_here(m: &Model, i: usize, what: &str) -> String {
    if m.room.list.len() < 2 {
        return what.to_string();
    }
    let busy: Vec<String> = (0..m.room.list.len())
        .filter(|&k| k != i)
        .filter(|&k| {
            m.room
                .slot(k)
                .is_some_and(|s| s.link.is_up() && s.state.call().can_hang_up())
        })
        .map(|k| short(m.room.name(k)))
        .collect();
    let here = short(m.room.name(i));
    match busy.as_slice() {
        [] => format!("{what} on {here}"),
        [one] => format!(
            "{what} on {here}; {one} has one ({} shows it)",
            m.ui.keys.describe(Action::SwitchRoom)
        ),
        more => format!("{what} on {here}; calls on {}", more.join(", ")),
    }
}

/// Mutes or unmutes a device. When its state is unknown there is nothing to flip: the
/// request mutes it, the side that cannot expose anyone, and says so (docs/room-protocol.md,
/// "What the console knows"); the event that follows makes the state known.
fn toggle(m: &mut Model, i: usize, method: &str, what: &str, muted: Option<bool>) -> Vec<Cmd> {
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
    vec![Cmd::room(i, method, json!({ "mute": mute }))]
}

fn retrying(s: &LinkStatus) -> bool {
    matches!(s, LinkStatus::Retrying { in_secs, .. } if *in_secs > 0)
}

/// Runs the one-second ticks only while something on screen counts: a call dialog's
/// seconds, a call's duration, a link's retry countdown (in any room). Idle, nothing ticks.
pub(super) fn sync_ticks(m: &mut Model) -> Option<Cmd> {
    let mut want = retrying(&m.chat.link);
    for slot in &mut m.room.slots {
        let dialog = slot.ringing();
        if dialog != slot.dialog_open {
            slot.dialog_open = dialog;
            if dialog {
                slot.ring_secs = 0;
            }
        }
        want |= dialog || slot.conf_secs.is_some() || retrying(&slot.link);
    }
    // The live view's frame age counts.
    want |= matches!(m.mode, Mode::Live(_));
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
    let mut counted = false;
    for slot in &mut m.room.slots {
        if slot.dialog_open {
            slot.ring_secs += 1;
            counted = true;
        }
        if let Some(s) = slot.conf_secs.as_mut() {
            *s += 1;
            counted = true;
        }
        if let LinkStatus::Retrying { in_secs, .. } = &mut slot.link
            && *in_secs > 0
        {
            *in_secs -= 1;
            counted = true;
        }
    }
    if let LinkStatus::Retrying { in_secs, .. } = &mut m.chat.link
        && *in_secs > 0
    {
        *in_secs -= 1;
        counted = true;
    }
    if counted || matches!(m.mode, Mode::Live(_)) {
        m.touch();
    }
    sync_ticks(m).into_iter().collect()
}

/// The next configured room becomes the active one (its pane shown). Every room stays
/// linked: nothing reconnects.
pub(super) fn switch_room(m: &mut Model) -> Vec<Cmd> {
    match (m.room.list.len(), m.room.active) {
        (0, _) => m.notify(
            NoticeLevel::Warn,
            "No room is configured: add a [[room]] to the config",
        ),
        (1, _) => m.notify(NoticeLevel::Info, "Only one room is configured"),
        (n, cur) => return select_room(m, cur.map(|i| (i + 1) % n).unwrap_or(0)),
    }
    vec![]
}

/// Room `i` becomes the active one (a click on the rooms strip, the switch key).
pub(super) fn select_room(m: &mut Model, i: usize) -> Vec<Cmd> {
    if i >= m.room.list.len() || m.room.active == Some(i) {
        return vec![];
    }
    m.room.active = Some(i);
    // The participants list shown was the other room's.
    if matches!(m.mode, Mode::Participants { .. }) {
        m.mode = Mode::Normal;
    }
    let name = m.room.name(i).to_string();
    m.notify(NoticeLevel::Info, format!("Room: {name}"));
    track_dialog(m);
    vec![Cmd::SelectRoom(i)]
}

/// `H`: end the conference for everyone, after a confirmation. What it cannot do is said
/// before anything is asked: a one-to-one call has nobody else to end it for, so `H` hangs it
/// up as `h` would; a conference someone else is known to own cannot be ended by us.
pub(super) fn hang_up_all(m: &mut Model, i: usize) -> Vec<Cmd> {
    let state = &m.room.slots[i].state;
    let me = state.me();
    match state.call() {
        Call::InConference(c) if c.conf_type == 0 => {
            m.notify(
                NoticeLevel::Info,
                "A one-to-one call: hanging up (ending for everyone is for group conferences)",
            );
            return vec![Cmd::room(i, "hangUp", json!({ "forAll": false }))];
        }
        Call::InConference(c) if c.owned_by_another(me) => {
            m.notify(
                NoticeLevel::Info,
                format!(
                    "Only the conference's owner can end it for everyone; {} leaves it",
                    m.ui.keys.describe(Action::HangUp)
                ),
            );
            return vec![];
        }
        c if !c.in_conference() => {
            m.notify(NoticeLevel::Info, "No conference to end");
            return vec![];
        }
        // A conference of ours, or one whose type or owner is unknown: the Room decides.
        _ => {}
    }
    let answers = vec![Answer {
        key: 'y',
        label: "yes, end it for all".into(),
        msg: Msg::Confirmed(Confirmed::Room {
            room: i,
            method: "hangUp".into(),
            params: json!({ "forAll": true }),
        }),
    }];
    super::prompts::confirm(m, "End the conference for everyone?".into(), answers);
    vec![]
}

/// `q`: quits at once, except while the Room (its link up) is in a call or one rings, or
/// unsent messages are kept in memory only: then it
/// asks first, and says the call goes on without the console.
pub(super) fn quit_key(m: &mut Model) -> Vec<Cmd> {
    // The first linked room with a call ringing or under way, if any, named in a fleet.
    let call = m
        .room
        .slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.link.is_up())
        .map(|(k, s)| (k, s.state.call()))
        .find(|(_, c)| !matches!(c, Call::Unknown | Call::None | Call::Ending));
    let on = |k: usize| {
        if m.room.list.len() > 1 {
            format!(" on {}", short(m.room.name(k)))
        } else {
            String::new()
        }
    };
    // The demo's Rooms are simulated inside the console: they end with it.
    let demo = m.session == super::Session::Demo;
    let question;
    let ask = match call {
        Some((k, Call::Incoming(_) | Call::Calling(_) | Call::Ringing)) => {
            question = format!("A call is ringing{}: quit anyway?", on(k));
            Some((
                question.as_str(),
                if demo {
                    "quit, the demo Rooms end too"
                } else {
                    "quit, let it ring"
                },
            ))
        }
        Some((k, Call::InConference(_) | Call::InConferenceUnknown)) => {
            question = format!("A call is in progress{}: quit anyway?", on(k));
            Some((
                question.as_str(),
                if demo {
                    "quit, the demo Rooms end too"
                } else {
                    "quit, the call goes on"
                },
            ))
        }
        _ => None,
    };
    // Unsent messages that no file keeps (another console owns the data directory): lost
    // on quitting, so asked first.
    let unsent = m.composer.outbox.len();
    let lost;
    let unsaved = !m.composer.persist || m.composer.save_error.is_some();
    let ask = match ask {
        None if unsent > 0 && unsaved && m.session != super::Session::Demo => {
            let why = if m.composer.persist {
                "the outbox file cannot be written"
            } else {
                "another console owns the data directory"
            };
            lost = format!(
                "{unsent} unsent message{} kept only in memory ({why}): quit and lose {}?",
                if unsent == 1 { " is" } else { "s are" },
                if unsent == 1 { "it" } else { "them" }
            );
            Some((lost.as_str(), "quit, lose them"))
        }
        a => a,
    };
    let Some((question, label)) = ask else {
        return super::update::quit(m);
    };
    let answers = vec![Answer {
        key: 'y',
        label: label.into(),
        msg: Msg::Confirmed(Confirmed::Quit),
    }];
    super::prompts::confirm(m, question.into(), answers);
    vec![]
}

/// The participants view's cursor moved `delta` rows (the keys and the wheel), clamped to
/// the list.
pub(super) fn scroll_participants(m: &mut Model, delta: isize) {
    let Mode::Participants { selected } = m.mode else {
        return;
    };
    let n = m
        .room
        .state
        .conference
        .as_ref()
        .map(|c| c.others(m.room.state.me()).len())
        .unwrap_or(0);
    let last = n.saturating_sub(1) as isize;
    let to = (selected as isize + delta).clamp(0, last.max(0));
    m.mode = Mode::Participants {
        selected: u16::try_from(to).unwrap_or(u16::MAX),
    };
    m.touch();
}

/// Whether this Room may control the others in its conference, and if not, why: the owner
/// may; a conference someone else is known to own may not; an unknown owner or an unknown
/// account of our own leaves it to the Room.
pub fn control_refusal(state: &crate::room::RoomState) -> Option<String> {
    let c = state.conference.as_ref()?;
    if c.owned_by_another(state.me()) {
        let owner = c
            .participants
            .iter()
            .find(|p| crate::room::state::same_user(&p.peer.id, &c.owner))
            .map(|p| p.peer.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| c.owner.clone());
        return Some(format!(
            "only the conference's owner ({}) controls the others",
            short(&crate::sanitize::line(&owner))
        ));
    }
    None
}

/// A volume as the pane and the status bar say it.
pub fn percent(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// `+`/`-`: the speaker volume in steps of a tenth (`audioPlayLevel`, 0.0–1.0). A press counts
/// from the last value asked for while the Room has not answered every request (presses
/// faster than its answers add up), else from the value it reported. The status bar says what
/// was requested; the pane shows it beside the reported value until the Room confirms.
pub(super) fn volume(m: &mut Model, i: usize, up: bool) -> Vec<Cmd> {
    let asked = m.room.slots[i].volume_asked;
    let reported = m.room.slots[i].state.volume;
    let next = match asked.or(reported) {
        Some(now) => {
            let step = if up { 0.1 } else { -0.1 };
            let next = ((now + step).clamp(0.0, 1.0) * 10.0).round() / 10.0;
            if (next - now).abs() < f64::EPSILON {
                let text = match (asked, reported) {
                    (Some(a), Some(r)) if (a - r).abs() >= 0.005 => format!(
                        "Volume {} already requested (the Room says {})",
                        percent(a),
                        percent(r)
                    ),
                    (Some(a), None) => format!("Volume {} already requested", percent(a)),
                    _ => format!("Volume is at {}", percent(now)),
                };
                m.notify(NoticeLevel::Info, text);
                return vec![];
            }
            m.notify(
                NoticeLevel::Info,
                format!("Volume {} requested", percent(next)),
            );
            next
        }
        None => {
            // Nothing to step from: the middle, said as such.
            m.notify(NoticeLevel::Info, "The volume is unknown: 50% requested");
            0.5
        }
    };
    let slot = &mut m.room.slots[i];
    slot.volume_asked = Some(next);
    slot.volume_pending += 1;
    m.touch();
    vec![Cmd::room(
        i,
        "setSettings",
        json!({ "settings": { "audioPlayLevel": next } }),
    )]
}

/// The Room reported the volume (`settingsChanged`): one of our requests answered. Once the
/// Room has reached the value last asked for, or answered every request, what it reports is
/// the volume again, and a "requested" notice becomes what the Room says.
fn volume_reported(m: &mut Model, i: usize, value: Option<f64>) {
    let slot = &mut m.room.slots[i];
    let Some(asked) = slot.volume_asked else {
        return;
    };
    slot.volume_pending = slot.volume_pending.saturating_sub(1);
    let reached = value.is_some_and(|v| (v - asked).abs() < 0.005);
    if !reached && slot.volume_pending > 0 {
        return;
    }
    forget_volume_requests(slot);
    m.touch();
    let ours =
        m.ui.notice
            .as_ref()
            .is_some_and(|n| n.text.starts_with("Volume") || n.text.starts_with("The volume"));
    if ours {
        let text = match value {
            Some(v) if !reached => format!(
                "The Room set the volume to {} ({} was requested)",
                percent(v),
                percent(asked)
            ),
            None => format!(
                "The Room did not say the volume ({} was requested)",
                percent(asked)
            ),
            Some(_) => format!("Volume {}", percent(asked)),
        };
        m.notify(NoticeLevel::Info, text);
    }
}

/// Volume requests are no longer followed (a failure, a lost link): the next press counts
/// from what the Room reports.
pub(super) fn forget_volume_requests(slot: &mut super::RoomSlot) {
    slot.volume_asked = None;
    slot.volume_pending = 0;
    slot.mute_asked = [None, None];
    slot.asked_of_others.clear();
}

/// The `mute` a toggle's request asks for.
fn asked_mute(cmds: &[Cmd]) -> Option<bool> {
    cmds.iter().find_map(|c| match c {
        Cmd::RoomRequest { params, .. } => params.get("mute").and_then(serde_json::Value::as_bool),
        _ => None,
    })
}

#[cfg(test)]
#[path = "room_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "room_controls_tests.rs"]
mod controls_tests;

#[cfg(test)]
#[path = "room_fleet_tests.rs"]
mod fleet_tests;

/// A view of the running call is on screen: the participants list, the address book opened
/// from it to invite, or a question asked from either.
fn call_view_open(mode: &Mode) -> bool {
    match mode {
        Mode::Participants { .. } => true,
        Mode::Prompt(super::Prompt::Call(p)) => p.invite,
        Mode::Confirm(c) => call_view_open(&c.back),
        _ => false,
    }
}
