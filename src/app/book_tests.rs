//! The address book's own keys (marks, add, remove), the forms they open, the conference
//! owner's podium and moderator keys, and the server and account view.

use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::json;

use crate::app::testkit::*;
use crate::app::{Cmd, Confirmed, Mode, Model, Msg, Prompt, update};
use crate::room::RoomLinkEvent;
use crate::room::protocol::RoomEvent;

/// The demo, online, with an address book of Alice, Bob and Dave on the Board room.
fn with_book() -> Model {
    let mut m = online_demo();
    let mut st = m.room.state.clone();
    st.apply_abook(
        json!({"abook": [
            {"peerId": "alice@video.example.com", "peerDn": "Alice Johnson", "status": 1},
            {"peerId": "bob@video.example.com", "peerDn": "Bob Smith", "status": 1},
            {"peerId": "dave@video.example.com", "peerDn": "Dave Brown", "status": 1}
        ]})
        .as_object()
        .unwrap(),
    );
    st.app_state = Some(crate::room::AppState::Normal);
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    m
}

fn ctrl(m: &mut Model, c: char) -> Vec<Cmd> {
    update(m, key(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn marked(m: &Model) -> Vec<String> {
    match &m.mode {
        Mode::Prompt(Prompt::Call(p)) => p.marked.clone(),
        other => panic!("not the address book: {other:?}"),
    }
}

#[test]
fn tab_marks_contacts_and_enter_opens_a_conference_with_them() {
    let mut m = with_book();
    ch(&mut m, 'b');
    // Nobody highlighted yet: Tab marks the first match, and moves on.
    kc(&mut m, KeyCode::Tab);
    assert_eq!(marked(&m), ["alice@video.example.com"]);
    kc(&mut m, KeyCode::Down);
    kc(&mut m, KeyCode::Tab);
    assert_eq!(
        marked(&m),
        ["alice@video.example.com", "dave@video.example.com"],
        "Tab marks and moves on, as fzf does"
    );
    // Dave is the last: the highlight stays on him, and Tab again unmarks him; on again.
    kc(&mut m, KeyCode::Tab);
    assert_eq!(marked(&m), ["alice@video.example.com"]);
    kc(&mut m, KeyCode::Tab);
    assert_eq!(
        marked(&m),
        ["alice@video.example.com", "dave@video.example.com"]
    );
    assert!(
        kc(&mut m, KeyCode::Enter).is_empty(),
        "a form first, no call"
    );
    let Mode::Prompt(Prompt::Form(f)) = &m.mode else {
        panic!("{:?}", m.mode)
    };
    assert_eq!(f.fields[0].input.text(), "Board room meeting");
    assert!(
        f.notes[0].contains("Alice Johnson, Dave Brown"),
        "{:?}",
        f.notes
    );
    // The type: Tab to it, → to role-based.
    kc(&mut m, KeyCode::Tab);
    kc(&mut m, KeyCode::Right);
    let cmds = kc(&mut m, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![Cmd::room(
            0,
            "createConference",
            json!({"title": "Board room meeting", "confType": "role", "autoAccept": false,
                   "inviteList": ["alice@video.example.com", "dave@video.example.com"]})
        )]
    );
    assert_eq!(m.mode, Mode::Normal, "the address book is left");
}

#[test]
fn a_conference_form_without_a_title_stays_and_says_why() {
    let mut m = with_book();
    ch(&mut m, 'b');
    kc(&mut m, KeyCode::Down);
    kc(&mut m, KeyCode::Tab);
    kc(&mut m, KeyCode::Enter);
    ctrl(&mut m, 'u');
    assert!(kc(&mut m, KeyCode::Enter).is_empty());
    assert!(matches!(m.mode, Mode::Prompt(Prompt::Form(_))));
    assert!(m.ui.notice.as_ref().unwrap().text.contains("title"));
    // Esc returns to the address book, marks kept.
    kc(&mut m, KeyCode::Esc);
    assert_eq!(marked(&m), ["alice@video.example.com"]);
}

#[test]
fn marked_contacts_are_invited_into_a_running_call_from_the_participants_list() {
    let mut m = with_book();
    let mut st = m.room.state.clone();
    st.apply_event(&RoomEvent::ConferenceCreated {
        conf_id: "c1".into(),
        conf_title: "Sync".into(),
        conf_type: 1,
        owner: "operator@video.example.com".into(),
        peer_id: None,
    });
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    ch(&mut m, 'p');
    ch(&mut m, 'c');
    kc(&mut m, KeyCode::Down);
    kc(&mut m, KeyCode::Tab);
    kc(&mut m, KeyCode::Tab);
    let cmds = kc(&mut m, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![
            Cmd::room(
                0,
                "inviteToConference",
                json!({"peerId": "alice@video.example.com"})
            ),
            Cmd::room(
                0,
                "inviteToConference",
                json!({"peerId": "bob@video.example.com"})
            ),
        ]
    );
}

#[test]
fn ctrl_n_adds_a_contact_and_the_open_book_follows_the_room() {
    let mut m = with_book();
    ch(&mut m, 'b');
    typed(&mut m, "frank@other.example");
    ctrl(&mut m, 'n');
    let Mode::Prompt(Prompt::Form(f)) = &m.mode else {
        panic!("{:?}", m.mode)
    };
    assert_eq!(
        f.fields[0].input.text(),
        "frank@other.example",
        "the id typed"
    );
    kc(&mut m, KeyCode::Tab);
    typed(&mut m, "Frank");
    let cmds = kc(&mut m, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![Cmd::room(
            0,
            "addToAbook",
            json!({"peerId": "frank@other.example", "peerDn": "Frank"})
        )]
    );
    // Back in the address book; the Room's event adds him to it, what was typed kept.
    let mut st = m.room.state.clone();
    st.apply_event(&RoomEvent::Other {
        name: "contactsAdded".into(),
        raw:
            json!({"contacts": [{"peerId": "frank@other.example", "peerDn": "Frank", "status": 0}]})
                .as_object()
                .unwrap()
                .clone(),
    });
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    let Mode::Prompt(Prompt::Call(p)) = &m.mode else {
        panic!("{:?}", m.mode)
    };
    assert_eq!(p.contacts.len(), 4);
    assert_eq!(p.picker.query.text(), "frank@other.example");
    assert_eq!(p.selected.as_deref(), Some("frank@other.example"));
}

#[test]
fn ctrl_x_removes_the_highlighted_contact_after_asking() {
    let mut m = with_book();
    ch(&mut m, 'b');
    assert!(ctrl(&mut m, 'x').is_empty(), "nobody highlighted: nothing");
    kc(&mut m, KeyCode::Down);
    kc(&mut m, KeyCode::Down);
    ctrl(&mut m, 'x');
    let Mode::Confirm(c) = &m.mode else {
        panic!("{:?}", m.mode)
    };
    assert!(c.question.contains("Remove Bob Smith"), "{}", c.question);
    assert_eq!(
        c.answers[0].msg,
        Msg::Confirmed(Confirmed::Room {
            room: 0,
            method: "removeFromAbook".into(),
            params: json!({"peerId": "bob@video.example.com"}),
        })
    );
    let cmds = ch(&mut m, 'y');
    assert_eq!(
        cmds,
        vec![Cmd::room(
            0,
            "removeFromAbook",
            json!({"peerId": "bob@video.example.com"})
        )]
    );
    assert!(
        matches!(m.mode, Mode::Prompt(Prompt::Call(_))),
        "back in the book"
    );
}

/// A role-based conference the Board room owns, with Alice (on the podium or not, as the
/// Room said) and Bob, who asks for it.
fn role_conference(alice_on_podium: Option<bool>) -> Model {
    let mut m = with_book();
    let mut st = m.room.state.clone();
    st.login = crate::room::state::Login::LoggedIn(Some(crate::room::state::Peer {
        id: "operator@video.example.com".into(),
        name: "Operator".into(),
    }));
    st.apply_event(&RoomEvent::ConferenceCreated {
        conf_id: "c1".into(),
        conf_title: "Town hall".into(),
        conf_type: 3,
        owner: "operator@video.example.com".into(),
        peer_id: None,
    });
    for (id, name, role, on) in [
        (
            "alice@video.example.com/1",
            "Alice Johnson",
            1,
            alice_on_podium,
        ),
        ("bob@video.example.com/2", "Bob Smith", 3, Some(false)),
    ] {
        st.apply_event(&RoomEvent::ParticipantJoined {
            peer_id: id.into(),
            peer_dn: name.into(),
            mic: crate::room::protocol::DeviceState::On,
            video: crate::room::protocol::DeviceState::On,
            role: Some(role),
            broadcast: on,
            leader: Some(0),
        });
    }
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    ch(&mut m, 'p');
    m
}

#[test]
fn the_owner_invites_to_the_podium_sends_down_and_answers_a_request() {
    let mut m = role_conference(Some(false));
    assert_eq!(
        ch(&mut m, 'P'),
        vec![Cmd::room(
            0,
            "inviteToPodium",
            json!({"peerId": "alice@video.example.com/1"})
        )]
    );
    let mut m = role_conference(Some(true));
    assert_eq!(
        ch(&mut m, 'P'),
        vec![Cmd::room(
            0,
            "kickFromPodium",
            json!({"peerId": "alice@video.example.com/1"})
        )]
    );
    // Bob asked: P asks which answer, y lets him up, n refuses.
    ch(&mut m, 'j');
    assert!(ch(&mut m, 'P').is_empty());
    let Mode::Confirm(c) = &m.mode else {
        panic!("{:?}", m.mode)
    };
    assert!(c.question.contains("Bob Smith asks for the podium"));
    assert_eq!(
        ch(&mut m, 'n'),
        vec![Cmd::room(
            0,
            "rejectRequestToPodium",
            json!({"peerId": "bob@video.example.com/2"})
        )]
    );
    assert!(matches!(m.mode, Mode::Participants { selected: 1 }));
    ch(&mut m, 'P');
    assert_eq!(
        ch(&mut m, 'y'),
        vec![Cmd::room(
            0,
            "acceptRequestToPodium",
            json!({"peerId": "bob@video.example.com/2"})
        )]
    );
}

#[test]
fn moderator_rights_are_given_and_taken_as_the_room_says_them() {
    let mut m = role_conference(Some(true));
    assert_eq!(
        ch(&mut m, 'M'),
        vec![Cmd::room(
            0,
            "setModeratorRole",
            json!({"peerId": "alice@video.example.com/1", "moderator": true})
        )]
    );
    // The Room says she moderates now: M takes it back.
    let mut st = m.room.state.clone();
    st.apply_event(&RoomEvent::RoleEvent {
        peer_id: "alice@video.example.com".into(),
        role: 1,
        broadcast: None,
        leader: Some(2),
    });
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    assert_eq!(
        ch(&mut m, 'M'),
        vec![Cmd::room(
            0,
            "setModeratorRole",
            json!({"peerId": "alice@video.example.com/1", "moderator": false})
        )]
    );
}

#[test]
fn podium_and_moderator_keys_say_why_not_where_they_do_not_apply() {
    // An all-on-screen conference has no podium.
    let mut m = role_conference(Some(true));
    if let Some(c) = m.room.state.conference.as_mut() {
        c.conf_type = 1;
    }
    assert!(ch(&mut m, 'P').is_empty());
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("only a role-based conference")
    );
    // Another's conference: neither.
    let mut m = role_conference(Some(true));
    if let Some(c) = m.room.state.conference.as_mut() {
        c.owner = "dave@video.example.com".into();
    }
    for k in ['P', 'M'] {
        assert!(ch(&mut m, k).is_empty());
        assert!(
            m.ui.notice
                .as_ref()
                .unwrap()
                .text
                .contains("only the conference's owner"),
            "{k}"
        );
    }
}

#[test]
fn a_request_for_the_podium_is_said_to_the_owner() {
    let mut m = role_conference(Some(false));
    let mut st = m.room.state.clone();
    let e = RoomEvent::RoleEvent {
        peer_id: "alice@video.example.com".into(),
        role: 3,
        broadcast: Some(false),
        leader: None,
    };
    st.apply_event(&e);
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    update(&mut m, Msg::Room(0, RoomLinkEvent::Event(e)));
    let n = &m.ui.notice.as_ref().unwrap().text;
    assert!(n.contains("Alice Johnson asks for the podium"), "{n}");
}

#[test]
fn the_account_view_connects_logs_in_masked_and_logs_out() {
    let mut m = with_book();
    ch(&mut m, 'A');
    assert_eq!(m.mode, Mode::Account { room: 0 });
    // Connect: a bad port is refused in the form, which stays.
    ch(&mut m, 's');
    ctrl(&mut m, 'u');
    typed(&mut m, "tc.example.com");
    kc(&mut m, KeyCode::Tab);
    typed(&mut m, "99999");
    assert!(kc(&mut m, KeyCode::Enter).is_empty());
    assert!(m.ui.notice.as_ref().unwrap().text.contains("not a port"));
    ctrl(&mut m, 'u');
    typed(&mut m, "4307");
    assert_eq!(
        kc(&mut m, KeyCode::Enter),
        vec![Cmd::room(
            0,
            "connectToServer",
            json!({"server": "tc.example.com", "port": 4307})
        )]
    );
    assert_eq!(m.mode, Mode::Account { room: 0 }, "back to the view");
    // Log in: the password is sent as typed, spaces and all.
    ch(&mut m, 'l');
    ctrl(&mut m, 'u');
    typed(&mut m, "board");
    kc(&mut m, KeyCode::Tab);
    typed(&mut m, "s3cret pw");
    assert_eq!(
        kc(&mut m, KeyCode::Enter),
        vec![Cmd::room(
            0,
            "login",
            json!({"login": "board", "password": "s3cret pw", "encryptPassword": true})
        )]
    );
    // Log out asks first.
    ch(&mut m, 'o');
    assert_eq!(ch(&mut m, 'y'), vec![Cmd::room(0, "logout", json!({}))]);
    assert_eq!(m.mode, Mode::Account { room: 0 });
}

#[test]
fn the_account_view_records_transitions_and_says_a_failed_login() {
    let mut m = with_book();
    for e in [
        RoomEvent::AppStateChanged {
            state: crate::room::AppState::Login,
            raw: Default::default(),
        },
        RoomEvent::Login {
            result: 3,
            peer_id: "board".into(),
            peer_dn: String::new(),
        },
    ] {
        update(&mut m, Msg::Room(1, RoomLinkEvent::Event(e)));
    }
    let log: Vec<&str> = m
        .room
        .slot(1)
        .unwrap()
        .account_log
        .iter()
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(
        log,
        [
            "state 2: connected, not logged in",
            "login failed: wrong login or password"
        ]
    );
    let n = &m.ui.notice.as_ref().unwrap().text;
    assert!(
        n.contains("Huddle") && n.contains("wrong login or password"),
        "{n}"
    );
    assert!(
        m.room.slot(0).unwrap().account_log.is_empty(),
        "the other room's own"
    );
}

#[test]
fn a_removal_confirmed_after_the_link_went_down_is_not_sent() {
    let mut m = with_book();
    ch(&mut m, 'b');
    kc(&mut m, KeyCode::Down);
    ctrl(&mut m, 'x');
    update(
        &mut m,
        Msg::Room(
            0,
            RoomLinkEvent::Status(crate::app::LinkStatus::Retrying {
                in_secs: 2,
                reason: "gone".into(),
            }),
        ),
    );
    if matches!(m.mode, Mode::Confirm(_)) {
        assert!(ch(&mut m, 'y').is_empty(), "not queued for a later session");
    }
    assert!(
        m.ui.notice.as_ref().unwrap().text.contains("not"),
        "{:?}",
        m.ui.notice
    );
}

#[test]
fn quick_presses_toggle_from_what_was_asked_not_from_the_old_state() {
    let mut m = with_book();
    let mut st = m.room.state.clone();
    st.camera_muted = Some(false);
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    let asked: Vec<bool> = (0..4)
        .map(|_| {
            let cmds = ch(&mut m, 'v');
            match cmds.as_slice() {
                [Cmd::RoomRequest { params, .. }] => params["mute"].as_bool().unwrap(),
                other => panic!("{other:?}"),
            }
        })
        .collect();
    assert_eq!(asked, [true, false, true, false]);
}

#[test]
fn the_book_under_a_form_follows_the_room_and_the_invite_list_closes_with_the_call() {
    let mut m = with_book();
    ch(&mut m, 'b');
    kc(&mut m, KeyCode::Tab);
    kc(&mut m, KeyCode::Enter);
    assert!(matches!(m.mode, Mode::Prompt(Prompt::Form(_))));
    // Alice is removed from outside while the form is open: the book under it follows.
    let mut st = m.room.state.clone();
    st.apply_event(&RoomEvent::Other {
        name: "contactsDeleted".into(),
        raw: json!({"contacts": [{"peerId": "alice@video.example.com"}]})
            .as_object()
            .unwrap()
            .clone(),
    });
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    kc(&mut m, KeyCode::Esc);
    let Mode::Prompt(Prompt::Call(p)) = &m.mode else {
        panic!("{:?}", m.mode)
    };
    assert_eq!(p.contacts.len(), 2);
    assert!(p.marked.is_empty(), "her mark went with her");
}

#[test]
fn the_invite_list_closes_when_the_call_ends() {
    let mut m = role_conference(Some(true));
    ch(&mut m, 'c');
    assert!(matches!(&m.mode, Mode::Prompt(Prompt::Call(p)) if p.invite));
    let mut st = m.room.state.clone();
    st.apply_event(&RoomEvent::ConferenceDeleted {
        conf_id: "c1".into(),
    });
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    assert_eq!(m.mode, Mode::Normal);
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("The call ended")
    );
}
