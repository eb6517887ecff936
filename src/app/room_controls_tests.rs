//! The operator's controls on a Room in a call: the volume's steps, quitting and ending a
//! call, how the last call ended, the participants list.

use super::*;
use crate::app::testkit::*;
use crate::app::{Mode, Msg, update};
use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::json;

#[test]
fn hang_up_for_all_asks_and_volume_steps() {
    use crate::room::RoomLinkEvent;
    let mut m = open(1);
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    assert!(ch(&mut m, 'H').is_empty());
    assert!(m.ui.notice.as_ref().unwrap().text.contains("No conference"));
    let mut st = m.room.state.clone();
    st.conference = Some(crate::room::state::Conference {
        id: "c1".into(),
        title: "Sync".into(),
        conf_type: 1,
        owner: ME.into(),
        participants: vec![],
    });
    st.volume = Some(0.8);
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::State(Box::new(st.clone()))),
    );
    ch(&mut m, 'H');
    assert!(matches!(m.mode, Mode::Confirm(_)));
    assert_eq!(
        ch(&mut m, 'y'),
        vec![Cmd::room(0, "hangUp", json!({"forAll": true}))]
    );
    assert_eq!(
        ch(&mut m, '+'),
        vec![Cmd::room(
            0,
            "setSettings",
            json!({"settings": {"audioPlayLevel": 0.9}})
        )]
    );
    // A second press before the Room answers counts from the first.
    assert_eq!(
        ch(&mut m, '+'),
        vec![Cmd::room(
            0,
            "setSettings",
            json!({"settings": {"audioPlayLevel": 1.0}})
        )]
    );
    assert_eq!(
        ch(&mut m, '-'),
        vec![Cmd::room(
            0,
            "setSettings",
            json!({"settings": {"audioPlayLevel": 0.9}})
        )]
    );
    // The Room answers the three requests in turn; then `+` at 100% says so.
    for v in [0.9, 1.0, 0.9] {
        report_volume(&mut m, &mut st, v);
    }
    report_volume(&mut m, &mut st, 1.0);
    assert!(ch(&mut m, '+').is_empty());
    assert_eq!(m.ui.notice.as_ref().unwrap().text, "Volume is at 100%");
}

/// The Room reports a volume as the link delivers it: the state snapshot, then the event.
fn report_volume(m: &mut Model, st: &mut crate::room::RoomState, v: f64) {
    st.volume = Some(v);
    update(m, Msg::Room(0, RoomLinkEvent::State(Box::new(st.clone()))));
    update(
        m,
        Msg::Room(
            0,
            RoomLinkEvent::Event(RoomEvent::SettingChanged {
                name: "audioPlayLevel".into(),
                value: json!(v),
            }),
        ),
    );
}

fn volume_request(v: f64) -> Vec<Cmd> {
    vec![Cmd::room(
        0,
        "setSettings",
        json!({"settings": {"audioPlayLevel": v}}),
    )]
}

#[test]
fn volume_presses_step_from_the_last_requested_value_not_the_last_reported() {
    let mut m = online_demo();
    let mut st = m.room.state.clone();
    report_volume(&mut m, &mut st, 0.5);
    assert_eq!(ch(&mut m, '+'), volume_request(0.6));
    assert_eq!(m.ui.notice.as_ref().unwrap().text, "Volume 60% requested");
    assert_eq!(ch(&mut m, '+'), volume_request(0.7));
    // The Room's answer to the first press arrives before the third press: the third still
    // counts from 70%, not from the 60% just reported.
    report_volume(&mut m, &mut st, 0.6);
    assert_eq!(m.room.volume_asked, Some(0.7));
    assert_eq!(ch(&mut m, '+'), volume_request(0.8));
    assert_eq!(m.ui.notice.as_ref().unwrap().text, "Volume 80% requested");
    report_volume(&mut m, &mut st, 0.7);
    assert_eq!(
        m.room.volume_asked,
        Some(0.8),
        "one request still unanswered"
    );
    report_volume(&mut m, &mut st, 0.8);
    assert_eq!(m.room.volume_asked, None, "every request answered");
    assert_eq!(m.room.volume_pending, 0);
    // The notice now says what the pane shows: the Room's value.
    assert_eq!(m.ui.notice.as_ref().unwrap().text, "Volume 80%");
}

#[test]
fn volume_at_the_edge_says_what_was_requested_and_what_the_room_says() {
    let mut m = online_demo();
    let mut st = m.room.state.clone();
    report_volume(&mut m, &mut st, 0.9);
    assert_eq!(ch(&mut m, '+'), volume_request(1.0));
    // 100% asked, the Room still says 90%: another `+` sends nothing and says both, never
    // "at full" beside a pane that shows 90%.
    assert!(ch(&mut m, '+').is_empty());
    assert_eq!(
        m.ui.notice.as_ref().unwrap().text,
        "Volume 100% already requested (the Room says 90%)"
    );
    // A Room that settles elsewhere: once it has answered, its value is the one that counts.
    report_volume(&mut m, &mut st, 0.95);
    assert_eq!(m.room.volume_asked, None);
    assert_eq!(ch(&mut m, '-'), volume_request(0.9));
    // A failed request, or a lost link, stops following requests.
    update(&mut m, Msg::RoomFailed(0, crate::app::AppError::NoRoom));
    assert_eq!((m.room.volume_asked, m.room.volume_pending), (None, 0));
    ch(&mut m, '+');
    update(
        &mut m,
        Msg::Room(
            0,
            RoomLinkEvent::Status(LinkStatus::Unresponsive { secs: 5 }),
        ),
    );
    assert_eq!((m.room.volume_asked, m.room.volume_pending), (None, 0));
}

#[test]
fn an_unknown_volume_is_not_stepped_from_a_guess() {
    let mut m = online_demo();
    assert_eq!(m.room.state.volume, None);
    assert_eq!(ch(&mut m, '-'), volume_request(0.5));
    assert_eq!(
        m.ui.notice.as_ref().unwrap().text,
        "The volume is unknown: 50% requested"
    );
}

/// A Room in a call with `conf` (the operator logged in).
fn in_call(conf_type: i64, owner: &str) -> Model {
    use crate::room::state::{Conference, Login, Peer};
    let mut m = online_demo();
    let mut st = m.room.state.clone();
    st.app_state = Some(crate::room::AppState::Conference);
    st.login = Login::LoggedIn(Some(Peer {
        id: "operator@video.example.com".into(),
        name: "Operator".into(),
    }));
    st.conference = Some(Conference {
        id: "c1".into(),
        title: "Alice Johnson".into(),
        conf_type,
        owner: owner.into(),
        participants: vec![],
    });
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    m.ui.notice = None;
    m
}

#[test]
fn quit_during_a_call_or_a_ringing_call_asks_first() {
    // Idle: `q` quits at once.
    let mut m = online_demo();
    assert!(ch(&mut m, 'q').contains(&Cmd::Quit));
    // In a call: `q` asks; any other key stays.
    let mut m = in_call(0, "operator@video.example.com");
    m.session = crate::app::Session::Configured {
        path: None,
        found: true,
    };
    assert!(!ch(&mut m, 'q').contains(&Cmd::Quit));
    let Mode::Confirm(c) = &m.mode else {
        panic!("no question: {:?}", m.mode)
    };
    assert_eq!(
        c.question,
        "A call is in progress on Board room: quit anyway?"
    );
    assert!(c.answers[0].label.contains("the call goes on"));
    assert!(!ch(&mut m, 'n').contains(&Cmd::Quit));
    assert!(!m.quit);
    assert_eq!(m.mode, Mode::Normal);
    assert_eq!(m.ui.notice.as_ref().unwrap().text, "Cancelled");
    // `y` quits (the outbox and drafts saved first, as any quit).
    ch(&mut m, 'q');
    let cmds = ch(&mut m, 'y');
    assert_eq!(cmds.last(), Some(&Cmd::Quit));
    assert!(m.quit);
    // A ringing call asks too, even with the call dialog up.
    let mut m = online_demo();
    ringing(&mut m);
    assert!(!ch(&mut m, 'q').contains(&Cmd::Quit));
    let Mode::Confirm(c) = &m.mode else {
        panic!("no question: {:?}", m.mode)
    };
    assert_eq!(c.question, "A call is ringing on Board room: quit anyway?");
    assert_eq!(
        c.answers[0].label, "quit, the demo Rooms end too",
        "the demo's Room ends with the console"
    );
    // Ctrl-C still quits from anywhere, without asking.
    let mut m = in_call(1, "operator@video.example.com");
    let cmds = update(&mut m, key(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(cmds.contains(&Cmd::Quit));
}

#[test]
fn shift_h_in_a_one_to_one_call_hangs_up_as_h_does() {
    let mut m = in_call(0, "operator@video.example.com");
    assert_eq!(
        ch(&mut m, 'H'),
        vec![Cmd::room(0, "hangUp", json!({"forAll": false}))]
    );
    assert_eq!(m.mode, Mode::Normal, "nothing asked");
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("A one-to-one call: hanging up")
    );
    // A group conference someone else owns: said why, nothing asked, nothing sent.
    let mut m = in_call(1, "dave@video.example.com");
    assert!(ch(&mut m, 'H').is_empty());
    assert_eq!(m.mode, Mode::Normal);
    assert_eq!(
        m.ui.notice.as_ref().unwrap().text,
        "Only the conference's owner can end it for everyone; h leaves it"
    );
    // Our own group conference: asked, and `y` ends it for all.
    let mut m = in_call(1, "operator@video.example.com/room");
    assert!(ch(&mut m, 'H').is_empty());
    assert!(matches!(m.mode, Mode::Confirm(_)));
    assert_eq!(
        ch(&mut m, 'y'),
        vec![Cmd::room(0, "hangUp", json!({"forAll": true}))]
    );
}

#[test]
fn how_the_last_call_ended_does_not_outlive_the_next_call() {
    let mut m = online_demo();
    let mut st = m.room.state.clone();
    let mut apply = |m: &mut Model, e: RoomEvent| {
        st.apply_event(&e);
        update(m, Msg::Room(0, RoomLinkEvent::State(Box::new(st.clone()))));
    };
    let state = |n: i64| RoomEvent::AppStateChanged {
        state: crate::room::AppState::from_i64(n).unwrap(),
        raw: Default::default(),
    };
    let created = || RoomEvent::ConferenceCreated {
        conf_id: "c1".into(),
        conf_title: String::new(),
        conf_type: 0,
        owner: String::new(),
        peer_id: Some("dave@video.example.com".into()),
    };
    let deleted = || RoomEvent::ConferenceDeleted {
        conf_id: "c1".into(),
    };
    apply(&mut m, state(3));
    apply(&mut m, created());
    apply(&mut m, deleted());
    assert_eq!(m.room.state.last_outcome.as_deref(), Some("call ended"));
    assert_eq!(m.ui.notice.as_ref().unwrap().text, "Call: call ended");
    // The next call rings: the last one's ending is no longer shown.
    m.ui.notice = None;
    apply(
        &mut m,
        RoomEvent::InviteReceived {
            peer_id: "dave@video.example.com".into(),
            peer_dn: "Dave Brown".into(),
            conf_type: 0,
            conf_id: "c1".into(),
            conf_title: None,
        },
    );
    assert_eq!(m.room.state.last_outcome, None);
    apply(&mut m, created());
    assert_eq!(m.room.state.last_outcome, None);
    // And when it ends too, that is said again (the same words as the last time).
    apply(&mut m, deleted());
    assert_eq!(m.ui.notice.as_ref().unwrap().text, "Call: call ended");
    // An outgoing call clears it as well; its refusal is the new outcome.
    apply(
        &mut m,
        RoomEvent::InviteSent {
            peer_id: "bob@video.example.com".into(),
            peer_dn: "Bob Smith".into(),
            conf_id: "c2".into(),
        },
    );
    assert_eq!(m.room.state.last_outcome, None);
}

#[test]
fn p_lists_the_participants_and_the_list_scrolls_and_closes() {
    use crate::room::state::{Participant, Peer};
    let mut m = in_call(1, "operator@video.example.com");
    let mut st = m.room.state.clone();
    st.conference.as_mut().unwrap().participants = (0..3)
        .map(|i| Participant {
            peer: Peer {
                id: format!("u{i}@video.example.com"),
                name: format!("User {i}"),
            },
            mic: crate::room::protocol::DeviceState::On,
            video: crate::room::protocol::DeviceState::Unknown,
            role: None,
            broadcast: Some(false),
            leader: None,
        })
        .collect();
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    ch(&mut m, 'p');
    assert_eq!(m.mode, Mode::Participants { selected: 0 });
    ch(&mut m, 'j');
    ch(&mut m, 'j');
    ch(&mut m, 'j');
    assert_eq!(
        m.mode,
        Mode::Participants { selected: 2 },
        "kept within the list"
    );
    // A key of another pane does nothing while the list is up.
    assert!(ch(&mut m, 'i').is_empty());
    assert_eq!(m.mode, Mode::Participants { selected: 2 });
    // `m` is the selected participant's microphone (on: turned off), by the id the Room
    // listed; the owner is not known to be another, so the Room decides.
    assert_eq!(
        ch(&mut m, 'm'),
        vec![Cmd::room(
            0,
            "turnRemoteMic",
            json!({ "peerId": "u2@video.example.com", "on": false })
        )]
    );
    // Its unknown camera is turned off too, the side that exposes nobody.
    assert_eq!(
        ch(&mut m, 'v'),
        vec![Cmd::room(
            0,
            "turnRemoteCamera",
            json!({ "peerId": "u2@video.example.com", "on": false })
        )]
    );
    ch(&mut m, 'k');
    assert_eq!(m.mode, Mode::Participants { selected: 1 });
    kc(&mut m, KeyCode::Esc);
    assert_eq!(m.mode, Mode::Normal);
    ch(&mut m, 'p');
    ch(&mut m, 'p');
    assert_eq!(m.mode, Mode::Normal, "p closes it too");
}

#[test]
fn c_in_the_participants_list_invites_into_the_running_call() {
    let mut m = in_call(1, "operator@video.example.com");
    ch(&mut m, 'p');
    ch(&mut m, 'c');
    let Mode::Prompt(crate::app::Prompt::Call(p)) = &m.mode else {
        panic!("no picker: {:?}", m.mode)
    };
    assert!(p.invite);
    typed(&mut m, "carol@video.example.com");
    assert_eq!(
        kc(&mut m, KeyCode::Enter),
        vec![Cmd::room(
            0,
            "inviteToConference",
            json!({ "peerId": "carol@video.example.com" })
        )]
    );
    assert_eq!(m.mode, Mode::Normal);
}
