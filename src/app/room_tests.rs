use super::*;
use crate::app::testkit::*;
use crate::app::{Mode, Msg, Notice, Session, update};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

const TWO_ROOMS: &str = "[[room]]\nname = \"Hall\"\nhost = \"10.0.0.1\"\n[[room]]\nname = \"Lab\"\nhost = \"10.0.0.2\"\n";

#[test]
fn switch_room_cycles_configured_rooms() {
    let mut m = model(TWO_ROOMS);
    assert_eq!(m.active_room().unwrap().name, "Hall");
    update(&mut m, key(KeyCode::Char('r'), KeyModifiers::CONTROL));
    assert_eq!(m.active_room().unwrap().name, "Lab");
    assert_eq!(
        m.ui.notice,
        Some(Notice {
            level: NoticeLevel::Info,
            text: "Room: Lab".into()
        })
    );
    update(&mut m, key(KeyCode::Char('r'), KeyModifiers::CONTROL));
    assert_eq!(m.active_room().unwrap().name, "Hall");

    let mut m = model("");
    update(&mut m, key(KeyCode::Char('r'), KeyModifiers::CONTROL));
    assert_eq!(m.room.active, None);
    assert_eq!(
        m.ui.notice.as_ref().map(|n| n.level),
        Some(NoticeLevel::Warn)
    );
}

#[test]
fn start_room_comes_from_the_command_line() {
    let c = config(TWO_ROOMS);
    let m = Model::from_config(&c, Session::Demo, Some(1), (80, 24), false);
    assert_eq!(m.active_room().unwrap().name, "Lab");
}

#[test]
fn room_actions_without_a_room_link_explain_why() {
    for c in ['c', 'h', 'm', 'v', 'p'] {
        let mut m = demo();
        assert!(update(&mut m, press(c)).is_empty());
        let n = m.ui.notice.clone().expect("a notice");
        assert_eq!(n.level, NoticeLevel::Warn);
        assert!(n.text.starts_with("No room connected"), "{c}: {}", n.text);
    }
    let mut m = model("");
    update(&mut m, press('c'));
    assert!(m.ui.notice.unwrap().text.contains("add a [[room]]"));
}

#[test]
fn retry_countdowns_and_call_durations_tick_and_idle_does_not() {
    use crate::chat::ChatLinkEvent;
    let mut m = online_demo();
    assert!(!m.ui.ticking);
    // A link waiting to reconnect counts down, then the ticks stop.
    let cmds = update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Retrying {
            in_secs: 2,
            reason: "connection refused".into(),
        })),
    );
    assert_eq!(cmds, vec![Cmd::Ticks(true)]);
    update(&mut m, Msg::Tick);
    assert!(
        m.chat.link.label().ends_with("retrying in 1 s"),
        "{}",
        m.chat.link.label()
    );
    let cmds = update(&mut m, Msg::Tick);
    assert!(m.chat.link.label().ends_with("retrying in 0 s"));
    assert_eq!(cmds, vec![Cmd::Ticks(false)], "nothing left to count");
    let rev = m.revision();
    assert!(update(&mut m, Msg::Tick).is_empty());
    assert_eq!(m.revision(), rev, "a stray tick changes nothing");
    // A conference this console saw start counts its duration until it ends.
    let mut st = m.room.state.clone();
    st.app_state = Some(crate::room::AppState::Normal);
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::State(Box::new(st.clone()))),
    );
    st.conference = Some(crate::room::state::Conference {
        id: "c".into(),
        title: "Sync".into(),
        conf_type: 1,
        owner: "op@srv".into(),
        participants: vec![],
    });
    let cmds = update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::State(Box::new(st.clone()))),
    );
    assert_eq!(cmds, vec![Cmd::Ticks(true)]);
    assert_eq!(m.ui.notice.as_ref().unwrap().text, "In a call: Sync");
    update(&mut m, Msg::Tick);
    update(&mut m, Msg::Tick);
    assert_eq!(m.room.conf_secs, Some(2));
    st.conference = None;
    st.last_outcome = Some("call ended".into());
    let cmds = update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    assert_eq!(cmds, vec![Cmd::Ticks(false)]);
    assert_eq!(m.room.conf_secs, None);
    assert_eq!(
        m.ui.notice.as_ref().unwrap().text,
        "Call: call ended",
        "the result shows in the status bar"
    );
    // Already in a conference at the first snapshot: no duration to invent.
    let mut m = online_demo();
    let mut st = m.room.state.clone();
    st.conference = Some(crate::room::state::Conference {
        id: "c".into(),
        title: "Sync".into(),
        conf_type: 1,
        owner: "x".into(),
        participants: vec![],
    });
    assert!(update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st)))).is_empty());
    assert_eq!(m.room.conf_secs, None);
}

#[test]
fn the_call_prompt_completes_from_the_address_book_and_the_dialog_counts_seconds() {
    use crate::room::state::{Contact, Invite, Peer, RoomState};
    let mut m = demo();
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    let mut s = RoomState {
        contacts: vec![],
        ..RoomState::default()
    };
    s.contacts = vec![
        Contact {
            peer: Peer {
                id: "alice@srv".into(),
                name: "Alice".into(),
            },
            status: 1,
            presence: Default::default(),
        },
        Contact {
            peer: Peer {
                id: "bob@srv".into(),
                name: "Bob".into(),
            },
            status: 1,
            presence: Default::default(),
        },
    ];
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::State(Box::new(s.clone()))),
    );
    update(&mut m, press('c'));
    assert!(matches!(m.mode, Mode::Prompt(crate::app::Prompt::Call(_))));
    for c in "BO".chars() {
        update(&mut m, press(c));
    }
    let Mode::Prompt(crate::app::Prompt::Call(p)) = &m.mode else {
        panic!("no call prompt")
    };
    assert_eq!(
        crate::app::call_matches(p).len(),
        1,
        "case-insensitive, by name or id"
    );
    let cmds = update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert_eq!(
        cmds,
        vec![Cmd::room(0, "call", json!({"peerId": "bob@srv"}))]
    );
    assert_eq!(m.mode, Mode::Normal);
    // A typed id that is not in the book is called as typed.
    update(&mut m, press('c'));
    for c in "zed@srv".chars() {
        update(&mut m, press(c));
    }
    let cmds = update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert_eq!(
        cmds,
        vec![Cmd::room(0, "call", json!({"peerId": "zed@srv"}))]
    );
    // Esc closes without calling.
    update(&mut m, press('c'));
    let cmds = update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    assert!(cmds.is_empty() && m.mode == Mode::Normal);
    // The dialog: ticks start when a call rings and stop when it ends; Esc cancels ours.
    s.calling = Some("bob@srv".into());
    let cmds = update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::State(Box::new(s.clone()))),
    );
    assert_eq!(cmds, vec![Cmd::Ticks(true)]);
    update(&mut m, Msg::Tick);
    update(&mut m, Msg::Tick);
    assert_eq!(m.room.ring_secs, 2);
    let cmds = update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    assert_eq!(cmds, vec![Cmd::room(0, "hangUp", json!({"forAll": false}))]);
    s.calling = None;
    s.invite = Some(Invite {
        peer: Peer {
            id: "dave@srv".into(),
            name: "Dave".into(),
        },
        conf_id: "x".into(),
        conf_type: 0,
        conf_title: None,
    });
    let cmds = update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::State(Box::new(s.clone()))),
    );
    assert!(cmds.is_empty(), "still ringing: the ticks go on");
    s.invite = None;
    let cmds = update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(s))));
    // The call stopped ringing unanswered: the history is read for the missed count.
    assert_eq!(cmds, vec![Cmd::CallHistory(0), Cmd::Ticks(false)]);
    update(&mut m, Msg::Tick);
    assert_eq!(m.room.ring_secs, 2, "no counting without a dialog");
}

#[test]
fn link_status_and_state_snapshots_update_the_model() {
    let mut m = demo();
    let rev = m.revision();
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Connecting)),
    );
    assert_eq!(m.room.link, LinkStatus::Connecting);
    assert_ne!(m.revision(), rev);
    let mut st = crate::room::RoomState::default();
    st.apply_event(&RoomEvent::MicMuted(true));
    let rev = m.revision();
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::State(Box::new(st.clone()))),
    );
    assert_eq!(m.room.state.mic_muted, Some(true));
    assert_ne!(m.revision(), rev);
    // The same state again draws nothing.
    let rev = m.revision();
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    assert_eq!(m.revision(), rev);
}

#[test]
fn an_incoming_call_rings_the_bell_and_says_who() {
    let mut m = online_demo();
    let cmds = update(
        &mut m,
        Msg::Room(
            0,
            RoomLinkEvent::Event(RoomEvent::InviteReceived {
                peer_id: "dave@video.example.com".into(),
                peer_dn: "Dave \x1b[31mBrown".into(),
                conf_type: 0,
                conf_id: "c1".into(),
                conf_title: None,
            }),
        ),
    );
    // The bell, and the desktop notification (on by default).
    assert_eq!(cmds.first(), Some(&Cmd::Bell));
    assert!(
        matches!(&cmds[1..], [Cmd::Terminal(s)] if s.contains("Incoming call from Dave Brown")),
        "{cmds:?}"
    );
    assert_eq!(
        m.ui.notice.unwrap().text,
        "Incoming call from Dave Brown: a accepts, r rejects"
    );
    // No bell when it is off (nor a notification, when those are off too).
    let mut m = online_demo();
    m.ui.bell = false;
    m.ui.term.notify = None;
    let cmds = update(
        &mut m,
        Msg::Room(
            0,
            RoomLinkEvent::Event(RoomEvent::InviteReceived {
                peer_id: "x".into(),
                peer_dn: String::new(),
                conf_type: 1,
                conf_id: "c".into(),
                conf_title: Some("Board".into()),
            }),
        ),
    );
    assert!(cmds.is_empty());
    assert!(
        m.ui.notice
            .unwrap()
            .text
            .starts_with("Invitation to Board from x")
    );
}

#[test]
fn a_huge_caller_name_is_cut_in_the_notice() {
    let mut m = online_demo();
    update(
        &mut m,
        Msg::Room(
            0,
            RoomLinkEvent::Event(RoomEvent::InviteReceived {
                peer_id: "x".into(),
                peer_dn: "D".repeat(1 << 20),
                conf_type: 0,
                conf_id: "c".into(),
                conf_title: None,
            }),
        ),
    );
    let text = m.ui.notice.unwrap().text;
    assert!(
        text.chars().count() < 200 && text.contains("DDD…"),
        "{} chars",
        text.len()
    );
}

#[test]
fn call_dialog_keys_answer_a_ringing_call() {
    let mut m = online_demo();
    // Without a ringing call, `a` and `r` do nothing.
    assert!(update(&mut m, press('a')).is_empty());
    ringing(&mut m);
    assert_eq!(
        update(&mut m, press('a')),
        vec![Cmd::room(0, "accept", json!({}))]
    );
    assert_eq!(
        update(&mut m, press('r')),
        vec![Cmd::room(0, "reject", json!({}))]
    );
    // Hanging up a ringing call rejects it.
    assert_eq!(
        update(&mut m, press('h')),
        vec![Cmd::room(0, "reject", json!({}))]
    );
    // Over the help (a pop-up that is read), `a` answers…
    update(&mut m, press('?'));
    assert!(matches!(m.mode, Mode::Pager(_)));
    assert_eq!(
        update(&mut m, press('a')),
        vec![Cmd::room(0, "accept", json!({}))]
    );
    // … but while the help's search is typed, it is a letter of the query.
    update(&mut m, press('/'));
    assert!(update(&mut m, press('a')).is_empty());
    assert!(m.mode.is_typed_popup());
}

#[test]
fn room_keys_send_requests_when_the_link_is_up() {
    let mut m = online_demo();
    m.room.state.mic_muted = Some(false);
    assert_eq!(
        update(&mut m, press('m')),
        vec![Cmd::room(0, "setMicMute", json!({"mute": true}))]
    );
    m.room.state.mic_muted = Some(true);
    assert_eq!(
        update(&mut m, press('m')),
        vec![Cmd::room(0, "setMicMute", json!({"mute": false}))]
    );
    m.room.state.camera_muted = Some(false);
    assert_eq!(
        update(&mut m, press('v')),
        vec![Cmd::room(0, "setVideoMute", json!({"mute": true}))]
    );
    // No call: hang-up says so and sends nothing.
    assert!(update(&mut m, press('h')).is_empty());
    assert_eq!(
        m.ui.notice.as_ref().unwrap().text,
        "No call to hang up on Board room"
    );
    m.room.state.calling = Some("carol".into());
    assert_eq!(
        update(&mut m, press('h')),
        vec![Cmd::room(0, "hangUp", json!({"forAll": false}))]
    );
    // Placing a call opens the call prompt.
    assert!(update(&mut m, press('c')).is_empty());
    assert!(matches!(m.mode, Mode::Prompt(crate::app::Prompt::Call(_))));
}

#[test]
fn a_failed_request_is_shown_inert() {
    let mut m = online_demo();
    update(
        &mut m,
        Msg::RoomFailed(
            0,
            crate::room::RoomError::Refused {
                method: "x".into(),
                error: "\x1b]0;t\x07bad".into(),
                reply: Box::new(crate::room::protocol::Reply {
                    method: "x".into(),
                    request_id: "1".into(),
                    ok: false,
                    error: Some("\x1b]0;t\x07bad".into()),
                    body: Default::default(),
                }),
            }
            .into(),
        ),
    );
    let n = m.ui.notice.unwrap();
    assert_eq!(
        (n.level, n.text.as_str()),
        (NoticeLevel::Error, "the Room refused `x`: bad")
    );
}

#[test]
fn the_call_dialog_keys_win_over_every_mode_but_a_pop_up() {
    // A ringing call while writing: `a` accepts (the dialog says so) instead of being typed.
    let mut m = open(2);
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    ch(&mut m, 'i');
    typed(&mut m, "hello");
    ringing(&mut m);
    assert_eq!(ch(&mut m, 'a'), vec![Cmd::room(0, "accept", json!({}))]);
    // Other letters are still text.
    ch(&mut m, 'x');
    assert_eq!(m.composer.drafts["a"].editor.text(), "hellox");
    // Our outgoing call while in the explorer's editor: `h` and Esc cancel it, as the dialog
    // says, and are not typed.
    let mut m = online_demo();
    update(&mut m, press('x'));
    update(&mut m, key(KeyCode::Enter, KeyModifiers::NONE));
    let text = m.mode.explorer().unwrap().editor.text().to_string();
    let mut st = m.room.state.clone();
    st.calling = Some("carol@video.example.com".into());
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    let hang_up = vec![Cmd::room(0, "hangUp", json!({ "forAll": false }))];
    assert_eq!(update(&mut m, press('h')), hang_up);
    assert_eq!(
        update(&mut m, key(KeyCode::Esc, KeyModifiers::NONE)),
        hang_up
    );
    assert_eq!(m.mode.explorer().unwrap().editor.text(), text);
    // A question over the dialog keeps every key: `a` answers the question (here, by
    // cancelling it), never the call.
    let mut m = online_demo();
    ringing(&mut m);
    update(&mut m, press('q'));
    assert!(matches!(m.mode, Mode::Confirm(_)));
    assert!(
        update(&mut m, press('a')).is_empty(),
        "a confirmation is open: `a` does not accept the call"
    );
}

#[test]
fn a_terminal_too_small_takes_only_q() {
    let mut m = online_demo();
    update(&mut m, press('x'));
    update(&mut m, Msg::Resize(70, 20));
    assert!(update(&mut m, press('g')).is_empty());
    assert_eq!(
        m.mode.explorer().unwrap().filter.query.text(),
        "",
        "a key on a hidden screen does nothing"
    );
    assert_eq!(update(&mut m, press('q')), vec![Cmd::Quit]);
}

#[test]
fn an_unknown_mute_is_muted_on_a_key_never_flipped_from_a_guess() {
    let mut m = online_demo();
    assert_eq!(m.room.state.mic_muted, None);
    for (k, method, what) in [
        ('m', "setMicMute", "microphone"),
        ('v', "setVideoMute", "camera"),
    ] {
        assert_eq!(
            update(&mut m, press(k)),
            vec![Cmd::room(0, method, json!({"mute": true}))],
            "{what}"
        );
        assert_eq!(
            m.ui.notice.as_ref().unwrap().text,
            format!("The {what}'s state is unknown: muting it")
        );
    }
    // Once an event says, the key flips what is known.
    let mut st = m.room.state.clone();
    st.apply_event(&RoomEvent::MicMuted(true));
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    assert_eq!(
        update(&mut m, press('m')),
        vec![Cmd::room(0, "setMicMute", json!({"mute": false}))]
    );
}

#[test]
fn hang_up_works_in_a_conference_whose_details_are_unknown() {
    let mut m = online_demo();
    m.room.state.app_state = Some(crate::room::AppState::Conference);
    assert_eq!(
        update(&mut m, press('h')),
        vec![Cmd::room(0, "hangUp", json!({"forAll": false}))]
    );
    update(&mut m, press('H'));
    assert!(
        matches!(m.mode, Mode::Confirm(_)),
        "ending it for all asks first: {:?}",
        m.mode
    );
}

#[test]
fn the_call_dialog_closes_when_the_room_link_is_lost() {
    let mut m = online_demo();
    ringing(&mut m);
    assert!(m.ui.ticking, "the dialog counts");
    for down in [
        LinkStatus::Unresponsive { secs: 8 },
        LinkStatus::Retrying {
            in_secs: 0,
            reason: "gone".into(),
        },
    ] {
        ringing(&mut m);
        // As the Room says it too: its app state is "ringing".
        let mut st = m.room.state.clone();
        st.app_state = Some(crate::room::AppState::Wait);
        update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
        update(&mut m, Msg::Room(0, RoomLinkEvent::Status(down.clone())));
        assert!(m.room.state.invite.is_none());
        assert!(!m.room.dialog_open);
        // Not a ring of unknown origin either: whether it rings at all is unknown.
        let slot = m.room.slot(0).unwrap();
        assert!(!slot.ringing() && !slot.unknown_ring(), "{:?}", slot.state);
        assert_eq!(slot.state.app_state, None);
        assert!(
            m.ui.notice
                .as_ref()
                .is_some_and(|n| n.text.contains("call dialog is closed")),
            "{:?}",
            m.ui.notice
        );
        // Said once, not again at each state of the link while it stays down.
        m.ui.notice = None;
        update(&mut m, Msg::Room(0, RoomLinkEvent::Status(down)));
        assert!(m.ui.notice.is_none(), "{:?}", m.ui.notice);
        // `a` no longer answers anything.
        let cmds = update(&mut m, press('a'));
        assert!(
            !cmds
                .iter()
                .any(|c| matches!(c, Cmd::RoomRequest { method, .. } if method == "accept")),
            "{cmds:?}"
        );
        update(
            &mut m,
            Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Authorized)),
        );
    }
}
