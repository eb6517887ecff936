//! The rooms of a fleet: each linked at once, events and requests kept to their room, the
//! call dialog of a room not shown, and the views of a room whose link drops.

use super::*;
use crate::app::testkit::*;
use crate::app::{Mode, Msg, update};
use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::json;

const TWO_ROOMS: &str = "[[room]]\nname = \"Hall\"\nhost = \"10.0.0.1\"\n[[room]]\nname = \"Lab\"\nhost = \"10.0.0.2\"\n";

/// Both rooms of TWO_ROOMS with their links up.
fn two_rooms_online() -> Model {
    let mut m = model(TWO_ROOMS);
    for i in 0..2 {
        update(
            &mut m,
            Msg::Room(i, RoomLinkEvent::Status(LinkStatus::Authorized)),
        );
    }
    m
}

#[test]
fn switching_rooms_keeps_every_link_and_its_state() {
    let mut m = two_rooms_online();
    m.room.state.mic_muted = Some(true);
    let cmds = update(&mut m, key(KeyCode::Char('r'), KeyModifiers::CONTROL));
    assert_eq!(cmds, vec![Cmd::SelectRoom(1)], "nothing reconnects");
    assert_eq!(m.room.active, Some(1));
    assert!(
        m.room.link.is_up(),
        "the shown room is the second, still linked"
    );
    assert_eq!(m.room.state.mic_muted, None, "the second room's own state");
    assert_eq!(
        m.room.slot(0).unwrap().state.mic_muted,
        Some(true),
        "the first room's state is kept"
    );
    // The microphone key acts on the room shown.
    let cmds = update(&mut m, press('m'));
    assert_eq!(
        cmds,
        vec![Cmd::room(1, "setMicMute", json!({ "mute": true }))]
    );
}

#[test]
fn a_call_on_a_room_not_shown_rings_with_its_name_and_is_answered_there() {
    let mut m = two_rooms_online();
    update(
        &mut m,
        Msg::Room(
            1,
            RoomLinkEvent::Event(RoomEvent::InviteReceived {
                peer_id: "dave@video.example.com".into(),
                peer_dn: "Dave Brown".into(),
                conf_type: 0,
                conf_id: "c1".into(),
                conf_title: None,
            }),
        ),
    );
    ringing_at(&mut m, 1);
    assert_eq!(m.room.active, Some(0), "the room shown does not change");
    assert_eq!(m.room.dialog_room(), Some(1));
    assert!(
        m.room.state.invite.is_none(),
        "the shown room is not ringing"
    );
    let n = m.ui.notice.clone().expect("a notice");
    assert!(
        n.text.starts_with("Lab: Incoming call from Dave Brown"),
        "{n:?}"
    );
    // `a` accepts on the ringing room, not on the one shown.
    let cmds = update(&mut m, press('a'));
    assert_eq!(cmds, vec![Cmd::room(1, "accept", json!({}))]);
    // And `r` (or hanging up) rejects there too.
    assert_eq!(
        update(&mut m, press('r')),
        vec![Cmd::room(1, "reject", json!({}))]
    );
    // A call ringing on the shown room comes first: the dialog changes under the keys, so
    // they wait a moment before they answer the new one.
    m.ui.now_ms = 10_000;
    ringing_at(&mut m, 0);
    assert_eq!(m.room.dialog_room(), Some(0));
    assert!(update(&mut m, press('a')).is_empty(), "held back");
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("The call dialog just changed to Hall")
    );
    m.ui.now_ms = 10_000 + DIALOG_HOLD_MS;
    assert_eq!(
        update(&mut m, press('a')),
        vec![Cmd::room(0, "accept", json!({}))]
    );
}

#[test]
fn a_dialog_coming_right_after_another_closed_holds_its_keys_and_a_call_behind_says_so() {
    let mut m = two_rooms_online();
    m.ui.now_ms = 5_000;
    ringing_at(&mut m, 0);
    // The first call stops; another room's call rings 50 ms later.
    let mut st = m.room.slot(0).unwrap().state.clone();
    st.invite = None;
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    m.ui.now_ms = 5_050;
    ringing_at(&mut m, 1);
    assert!(
        update(&mut m, press('a')).is_empty(),
        "an `a` meant for the first"
    );
    m.ui.now_ms = 5_050 + DIALOG_HOLD_MS;
    assert_eq!(
        update(&mut m, press('a')),
        vec![Cmd::room(1, "accept", json!({}))]
    );
    // Two calls: the notice of the second says it waits behind the dialog's.
    m.ui.now_ms = 60_000;
    update(
        &mut m,
        Msg::Room(
            1,
            RoomLinkEvent::Event(RoomEvent::InviteReceived {
                peer_id: "eve@s".into(),
                peer_dn: "Eve".into(),
                conf_type: 0,
                conf_id: "c2".into(),
                conf_title: None,
            }),
        ),
    );
    ringing_at(&mut m, 0);
    update(
        &mut m,
        Msg::Room(
            1,
            RoomLinkEvent::Event(RoomEvent::InviteReceived {
                peer_id: "eve@s".into(),
                peer_dn: "Eve".into(),
                conf_type: 0,
                conf_id: "c3".into(),
                conf_title: None,
            }),
        ),
    );
    assert_eq!(
        m.ui.notice.as_ref().unwrap().text,
        "Lab: Incoming call from Eve (waiting: the dialog shows Hall's call)"
    );
}

#[test]
fn one_rooms_events_never_touch_another() {
    let mut m = two_rooms_online();
    ringing_at(&mut m, 1);
    let before = m.room.slot(0).unwrap().clone();
    // The second room's link drops: its dialog closes, the first room is as it was.
    update(
        &mut m,
        Msg::Room(
            1,
            RoomLinkEvent::Status(LinkStatus::Disconnected {
                reason: "gone".into(),
            }),
        ),
    );
    assert_eq!(m.room.slot(0), Some(&before));
    assert_eq!(m.room.dialog_room(), None);
    assert!(!m.room.slot(1).unwrap().link.is_up());
    let n = m.ui.notice.clone().expect("a notice");
    assert!(n.text.starts_with("Lab: The Room link is down"), "{n:?}");
    // A failed request names its room.
    update(&mut m, Msg::RoomFailed(1, crate::app::AppError::NoRoom));
    assert!(m.ui.notice.clone().unwrap().text.starts_with("Lab: "));
    // An event for a room that is not configured is dropped.
    let st = crate::room::RoomState {
        mic_muted: Some(true),
        ..Default::default()
    };
    update(&mut m, Msg::Room(7, RoomLinkEvent::State(Box::new(st))));
    assert_eq!(m.room.slots.len(), 2);
}

#[test]
fn each_rooms_call_is_timed_while_another_is_shown() {
    let mut m = two_rooms_online();
    ringing_at(&mut m, 1);
    assert!(m.ui.ticking, "a ringing room not shown still ticks");
    update(&mut m, Msg::Tick);
    update(&mut m, Msg::Tick);
    assert_eq!(m.room.slot(1).unwrap().ring_secs, 2);
    assert_eq!(m.room.slot(0).unwrap().ring_secs, 0);
}

#[test]
fn hanging_up_on_a_quiet_room_says_which_room_has_the_call() {
    let mut m = two_rooms_online();
    let mut st = m.room.slot(1).unwrap().state.clone();
    st.apply_event(&RoomEvent::ConferenceCreated {
        conf_id: "c1".into(),
        conf_title: "Sync".into(),
        conf_type: 1,
        owner: "x@s".into(),
        peer_id: None,
    });
    st.app_state = Some(crate::room::AppState::Conference);
    update(&mut m, Msg::Room(1, RoomLinkEvent::State(Box::new(st))));
    assert!(update(&mut m, press('h')).is_empty(), "nothing hung up");
    assert_eq!(
        m.ui.notice.as_ref().unwrap().text,
        "No call to hang up on Hall; Lab has one (Ctrl-R shows it)"
    );
    update(&mut m, press('q'));
    let Mode::Confirm(c) = &m.mode else {
        panic!("quit did not ask")
    };
    assert_eq!(c.question, "A call is in progress on Lab: quit anyway?");
}

#[test]
fn a_ringing_call_covers_the_room_views_and_a_lost_link_closes_them() {
    let mut m = two_rooms_online();
    update(&mut m, press('z'));
    assert_eq!(m.mode, Mode::Aim { room: 0 });
    ringing_at(&mut m, 1);
    // The call box is over the aim box: an arrow moves no camera.
    assert!(kc(&mut m, KeyCode::Right).is_empty());
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("A call is ringing")
    );
    assert_eq!(m.mode, Mode::Aim { room: 0 });
    // The shown room's link drops: its views close rather than show old state as current.
    update(&mut m, press('r'));
    update(
        &mut m,
        Msg::Room(
            0,
            RoomLinkEvent::Status(LinkStatus::Disconnected {
                reason: "gone".into(),
            }),
        ),
    );
    assert_eq!(m.mode, Mode::Normal);
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("the view of it is closed")
    );
}

#[test]
fn a_call_chosen_while_the_link_is_down_is_not_queued() {
    let mut m = two_rooms_online();
    update(&mut m, press('c'));
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Connecting)),
    );
    // The prompt closed with the link (its list is the Room's); open again offline: the
    // prompt is the Room's key, refused with the link down.
    assert_eq!(m.mode, Mode::Normal);
    assert!(update(&mut m, press('c')).is_empty());
    assert_eq!(m.mode, Mode::Normal);
}

#[test]
fn a_call_ringing_before_the_console_linked_can_be_answered() {
    let mut m = two_rooms_online();
    let mut st = m.room.slot(1).unwrap().state.clone();
    st.app_state = Some(crate::room::AppState::Wait);
    update(&mut m, Msg::Room(1, RoomLinkEvent::State(Box::new(st))));
    assert!(m.room.slot(1).unwrap().unknown_ring());
    assert_eq!(m.room.dialog_room(), Some(1), "the dialog opens for it");
    assert_eq!(
        update(&mut m, press('a')),
        vec![Cmd::room(1, "accept", json!({}))],
        "the Room decides whether there is something to accept"
    );
}
