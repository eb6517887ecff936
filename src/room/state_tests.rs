//! The room state from events and replies: a call from ringing to its end, devices, contacts
//! and mutes; and a state that never guesses: each missing, refused or differently shaped
//! reply leaves its value unknown, or infers only what the protocol allows.

use serde_json::{Value, json};

use super::*;
use crate::room::protocol::{Incoming, parse_frame};

fn ev(v: Value) -> RoomEvent {
    match parse_frame(&v.to_string()).unwrap() {
        Incoming::Event(e) => e,
        other => panic!("{other:?}"),
    }
}

fn reply(s: &mut RoomState, method: &str, body: Value) {
    s.apply_reply(method, body.as_object().unwrap());
}

fn at(state: i64) -> RoomState {
    let mut s = RoomState::default();
    reply(&mut s, "getAppState", json!({"appState": state}));
    s
}

fn op() -> Peer {
    Peer {
        id: "operator@video.example.com".into(),
        name: "Operator".into(),
    }
}

#[test]
fn nothing_said_is_unknown_not_a_default() {
    let s = RoomState::default();
    assert_eq!(s.app_state, None);
    assert_eq!(s.login, Login::Unknown);
    assert_eq!(s.server, Server::Unknown);
    assert_eq!(s.call(), Call::Unknown);
    assert_eq!(
        (s.mic_muted, s.camera_muted, s.speaker_muted),
        (None, None, None)
    );
    let v = s.to_json();
    for key in [
        "app_state",
        "login",
        "server",
        "call",
        "mic_muted",
        "camera_muted",
        "speaker_muted",
        "volume",
    ] {
        assert_eq!(v[key], Value::Null, "{key} in {v}");
    }
}

#[test]
fn app_state_3_without_get_login_is_logged_in_and_idle() {
    // getLogin refused (its reply is never applied), getConferences refused too.
    let s = at(3);
    assert_eq!(s.login, Login::LoggedIn(None));
    assert_eq!(s.login.logged_in(), Some(true));
    assert_eq!(s.call(), Call::None);
    assert_eq!(s.server, Server::Connected(None));
    let v = s.to_json();
    assert_eq!(
        v["login"],
        json!({"logged_in": true, "id": null, "name": null})
    );
    assert_eq!(v["call"], "none");
    assert_eq!(v["server"]["connected"], true);
}

#[test]
fn app_states_0_to_2_are_not_logged_in_and_have_no_call() {
    for n in 0..=2 {
        let s = at(n);
        assert_eq!(s.login, Login::LoggedOut, "state {n}");
        assert_eq!(s.call(), Call::None, "state {n}");
        assert_eq!(s.to_json()["login"], json!({"logged_in": false}));
    }
    assert_eq!(at(0).server, Server::None);
    assert_eq!(at(2).server, Server::Connected(None));
}

#[test]
fn app_state_5_without_get_conferences_is_a_conference_of_unknown_details() {
    let mut s = at(5);
    assert_eq!(s.call(), Call::InConferenceUnknown);
    assert!(s.call().in_conference() && s.call().can_hang_up());
    assert_eq!(s.to_json()["call"], "conference");
    assert_eq!(s.to_json()["conference"], Value::Null);
    // A getConferences reply that says nothing usable changes nothing.
    reply(&mut s, "getConferences", json!({"unexpected": 1}));
    assert_eq!(s.call(), Call::InConferenceUnknown);
    // Participants cannot be kept for a conference nobody described.
    reply(
        &mut s,
        "getConferenceParticipants",
        json!({"participants": [{"peerId": "alice"}]}),
    );
    assert_eq!(s.conference, None);
    // The conference's own event fills it in.
    s.apply_event(&ev(json!({"event":"conferenceCreated","method":"event","confId":"c1","confTitle":"Sync","confType":1,"conferenceOwner":"x"})));
    assert!(matches!(s.call(), Call::InConference(c) if c.title == "Sync"));
    // Ending (6) keeps it until it is deleted; then, without details, it is "ending".
    s.apply_event(&ev(
        json!({"event":"appStateChanged","method":"event","appState":6}),
    ));
    assert!(matches!(s.call(), Call::InConference(_)));
    s.apply_event(&ev(
        json!({"event":"conferenceDeleted","method":"event","confId":"c1"}),
    ));
    assert_eq!(s.call(), Call::Ending);
    s.apply_event(&ev(
        json!({"event":"appStateChanged","method":"event","appState":3}),
    ));
    assert_eq!(s.call(), Call::None);
}

#[test]
fn app_state_4_is_a_call_being_set_up_until_an_event_says_whose() {
    let mut s = at(4);
    assert_eq!(s.call(), Call::Ringing);
    assert!(s.call().can_hang_up());
    assert_eq!(s.to_json()["call"], "ringing");
    s.apply_event(&ev(
        json!({"event":"inviteSent","method":"event","peerId":"alice@video.example.com"}),
    ));
    assert_eq!(s.call(), Call::Calling("alice@video.example.com"));
}

#[test]
fn a_call_peer_comes_from_the_call_events_when_the_conference_event_lacks_it() {
    let mut s = at(3);
    reply(
        &mut s,
        "getAbook",
        json!({"abook": [{"peerId": "alice@video.example.com", "peerDn": "Alice", "status": 1}]}),
    );
    s.apply_event(&ev(
        json!({"event":"inviteSent","method":"event","peerId":"alice@video.example.com"}),
    ));
    // conferenceCreated without peerId or title: the ringing call says who it is.
    s.apply_event(&ev(
        json!({"event":"conferenceCreated","method":"event","confId":"c2","confType":0}),
    ));
    let Call::InConference(c) = s.call() else {
        panic!("{:?}", s.call())
    };
    assert_eq!(c.title, "Alice");
    assert_eq!(s.calling, None);
}

#[test]
fn get_system_info_names_the_account_when_get_login_fails() {
    let mut s = at(3);
    reply(
        &mut s,
        "getSystemInfo",
        json!({"productInfo": {}, "authInfo": {"peerId": "operator@video.example.com", "peerDn": "Operator"}}),
    );
    assert_eq!(s.login, Login::LoggedIn(Some(op())));
    // Without authInfo it says nothing (not "logged out").
    let mut s = RoomState::default();
    reply(&mut s, "getSystemInfo", json!({"productInfo": {}}));
    assert_eq!(s.login, Login::Unknown);
    reply(
        &mut s,
        "getSystemInfo",
        json!({"authInfo": {"peerId": "", "peerDn": ""}}),
    );
    assert_eq!(s.login, Login::Unknown);
    // It does not overrule a Room that said nobody is logged in.
    let mut s = at(2);
    reply(
        &mut s,
        "getSystemInfo",
        json!({"authInfo": {"peerId": "operator@video.example.com"}}),
    );
    assert_eq!(s.login, Login::LoggedOut);
}

#[test]
fn every_shape_of_get_login() {
    let cases = [
        (
            json!({"isLoggedIn": true, "peerId": "operator@video.example.com", "peerDn": "Operator"}),
            Login::LoggedIn(Some(op())),
        ),
        (
            json!({"isLoggedin": true, "peerId": "operator@video.example.com", "peerDn": "Operator"}),
            Login::LoggedIn(Some(op())),
        ),
        (
            json!({"isLoggedIn": "true", "peerId": "operator@video.example.com", "peerDn": "Operator"}),
            Login::LoggedIn(Some(op())),
        ),
        (json!({"isLoggedIn": true}), Login::LoggedIn(None)),
        (
            json!({"isLoggedIn": true, "peerId": "", "peerDn": ""}),
            Login::LoggedIn(None),
        ),
        (
            json!({"isLoggedIn": false, "peerId": "", "peerDn": ""}),
            Login::LoggedOut,
        ),
        (json!({"isLoggedin": 0}), Login::LoggedOut),
        (
            json!({"peerId": "operator@video.example.com", "peerDn": "Operator"}),
            Login::LoggedIn(Some(op())),
        ),
        (json!({}), Login::Unknown),
        (json!({"isLoggedIn": null}), Login::Unknown),
    ];
    for (body, want) in cases {
        let mut s = RoomState::default();
        reply(&mut s, "getLogin", body.clone());
        assert_eq!(s.login, want, "{body}");
    }
    // Logged in without a peerId keeps the account getSystemInfo named.
    let mut s = RoomState::default();
    reply(
        &mut s,
        "getSystemInfo",
        json!({"authInfo": {"peerId": "operator@video.example.com", "peerDn": "Operator"}}),
    );
    reply(&mut s, "getLogin", json!({"isLoggedIn": true}));
    assert_eq!(s.login, Login::LoggedIn(Some(op())));
}

#[test]
fn every_shape_of_get_connected() {
    let info = |port| ServerInfo {
        server: "video.example.com".into(),
        port,
        domain: Some("video.example.com".into()),
    };
    let cases = [
        (
            json!({"state": 2, "serverInfo": {"server": "video.example.com", "service": false, "port": 4307, "domain": "video.example.com"}}),
            Server::Connected(Some(info(Some(4307)))),
        ),
        (
            json!({"state": "1", "serverInfo": {"server": "video.example.com", "port": "4307", "domain": "video.example.com"}}),
            Server::Connected(Some(info(Some(4307)))),
        ),
        (json!({"state": 0}), Server::None),
        (json!({"state": 2}), Server::Connected(None)),
        (
            json!({"server": "video.example.com", "port": 4307, "domain": "video.example.com"}),
            Server::Connected(Some(info(Some(4307)))),
        ),
        (
            json!({"isConnected": true, "server": "video.example.com", "domain": "video.example.com"}),
            Server::Connected(Some(info(None))),
        ),
        (json!({"isConnected": false}), Server::None),
        (json!({"isConnected": true}), Server::Connected(None)),
        (json!({}), Server::Unknown),
        (json!({"serverInfo": {"server": ""}}), Server::Unknown),
    ];
    for (body, want) in cases {
        let mut s = RoomState::default();
        reply(&mut s, "getConnected", body.clone());
        assert_eq!(s.server, want, "{body}");
    }
    // A bare flag keeps the details an event gave.
    let mut s = RoomState::default();
    s.apply_event(&ev(json!({"event":"serverConnected","method":"event","server":"video.example.com","port":4307,"domain":"video.example.com"})));
    reply(&mut s, "getConnected", json!({"state": 2}));
    assert_eq!(s.server, Server::Connected(Some(info(Some(4307)))));
    assert_eq!(
        s.to_json()["server"],
        json!({"connected": true, "server": "video.example.com", "port": 4307, "domain": "video.example.com"})
    );
}

#[test]
fn every_shape_of_get_conferences() {
    let titled = |c: Option<&Conference>| c.map(|c| (c.id.clone(), c.title.clone()));
    let cases = [
        (
            json!({"confId": "c1", "confTitle": "Sync", "confType": 1}),
            Some(("c1".to_string(), "Sync".to_string())),
        ),
        // v2 adds `id` next to `confId`; `id` alone is read too.
        (
            json!({"id": "c1", "confTitle": "Sync"}),
            Some(("c1".into(), "Sync".into())),
        ),
        // A one-to-one call: no title, the peer names it.
        (
            json!({"confId": "c2", "type": "p2p", "confType": 0, "peerId": "alice@video.example.com", "peerDn": "Alice"}),
            Some(("c2".into(), "Alice".into())),
        ),
        (
            json!({"confId": "c2", "confType": 0, "peerId": "alice@video.example.com"}),
            Some(("c2".into(), "alice@video.example.com".into())),
        ),
        (
            json!({"conferences": [{"confId": ""}, {"confId": "c3", "confTitle": "Board"}]}),
            Some(("c3".into(), "Board".into())),
        ),
        (
            json!({"conference": {"confId": "c4", "confTitle": "Lab"}}),
            Some(("c4".into(), "Lab".into())),
        ),
        (json!({"conferences": []}), None),
        (json!({"confId": ""}), None),
    ];
    for (body, want) in cases {
        let mut s = RoomState::default();
        reply(&mut s, "getConferences", body.clone());
        assert_eq!(titled(s.conference.as_ref()), want, "{body}");
    }
    // "None" from the Room ends a conference the console thought was on…
    let mut s = RoomState::default();
    reply(&mut s, "getConferences", json!({"confId": "c1"}));
    reply(&mut s, "getConferences", json!({"conferences": []}));
    assert_eq!(s.conference, None);
    // …but a reply without any of the keys leaves it as it was.
    reply(&mut s, "getConferences", json!({"confId": "c1"}));
    reply(&mut s, "getConferences", json!({"result": true}));
    assert!(s.conference.is_some());
}

#[test]
fn mutes_are_unknown_until_a_reply_or_an_event_says() {
    let mut s = at(3);
    // getVideoMute refused (never applied); getMicMute answered without `mute`.
    reply(&mut s, "getMicMute", json!({}));
    reply(&mut s, "getAudioMute", json!({"mute": false}));
    assert_eq!(
        (s.mic_muted, s.camera_muted, s.speaker_muted),
        (None, None, Some(false))
    );
    s.apply_event(&ev(
        json!({"event":"videoCapturerMute","method":"event","mute":true}),
    ));
    assert_eq!(s.camera_muted, Some(true));
    reply(&mut s, "getMicMute", json!({"mute": 1}));
    assert_eq!(s.mic_muted, Some(true));
    // A later reply without the key keeps what is known.
    reply(&mut s, "getMicMute", json!({}));
    assert_eq!(s.mic_muted, Some(true));
}

#[test]
fn events_turn_unknowns_into_knowns() {
    let mut s = RoomState::default();
    s.apply_event(&ev(
        json!({"event":"appStateChanged","method":"event","appState":2}),
    ));
    assert_eq!(s.login, Login::LoggedOut);
    s.apply_event(&ev(json!({"event":"login","method":"event","result":0,"peerId":"operator@video.example.com","peerDn":"Operator"})));
    assert_eq!(s.login, Login::LoggedIn(Some(op())));
    s.apply_event(&ev(
        json!({"event":"appStateChanged","method":"event","appState":3}),
    ));
    assert_eq!(s.login, Login::LoggedIn(Some(op())), "3 keeps the account");
    s.apply_event(&ev(json!({"event":"logout","method":"event"})));
    assert_eq!(s.login, Login::LoggedOut);
    s.apply_event(&ev(json!({"event":"serverDisconnected","method":"event"})));
    assert_eq!(s.server, Server::None);
}

#[test]
fn a_new_session_forgets_what_may_have_changed() {
    let mut s = at(5);
    reply(
        &mut s,
        "getConferences",
        json!({"confId": "c1", "confTitle": "Sync"}),
    );
    reply(&mut s, "getMicMute", json!({"mute": true}));
    s.last_outcome = Some("call ended".into());
    s.forget_session();
    assert_eq!(s.app_state, None);
    assert_eq!(s.login, Login::Unknown);
    assert_eq!(s.mic_muted, None);
    assert!(s.conference.is_some(), "the call stays until a reply says");
    assert_eq!(s.last_outcome.as_deref(), Some("call ended"));
}

#[test]
fn a_call_from_ringing_to_the_end() {
    let mut s = RoomState::default();
    s.apply_event(&ev(
        json!({"event":"appStateChanged","method":"event","appState":3}),
    ));
    s.apply_event(&ev(json!({"event":"inviteReceived","method":"event","peerId":"dave@video.example.com","peerDn":"Dave","type":0,"confId":"c1"})));
    s.apply_event(&ev(
        json!({"event":"appStateChanged","method":"event","appState":4}),
    ));
    let inv = s.invite.clone().unwrap();
    assert!(inv.is_call());
    assert_eq!(inv.peer.name, "Dave");
    s.apply_event(&ev(json!({"event":"conferenceCreated","method":"event","confId":"c1","confTitle":"","confType":0,"conferenceOwner":"dave@video.example.com","joinUrl":"","realTimeConferenceManagmentUrl":"","peerId":"dave@video.example.com"})));
    s.apply_event(&ev(
        json!({"event":"appStateChanged","method":"event","appState":5}),
    ));
    assert_eq!(s.invite, None);
    // A 1:1 call is titled by the caller's name, not the raw id.
    assert_eq!(s.conference.as_ref().unwrap().title, "Dave");
    s.apply_event(&ev(json!({"event":"newParticipantInConference","method":"event","peerId":"dave@video.example.com/ab12","peerDn":"Dave","confId":"c1","mic":2,"video":1})));
    s.apply_event(&ev(json!({"event":"deviceStatusReceived","method":"event","peerId":"dave@video.example.com","mic":1,"video":2,"confId":"c1"})));
    let p = &s.conference.as_ref().unwrap().participants[0];
    assert_eq!((p.mic, p.video), (DeviceState::Muted, DeviceState::On));
    s.apply_event(&ev(
        json!({"event":"participantLeftConference","method":"event","peerId":"dave"}),
    ));
    assert!(s.conference.as_ref().unwrap().participants.is_empty());
    s.apply_event(&ev(
        json!({"event":"appStateChanged","method":"event","appState":6}),
    ));
    s.apply_event(&ev(
        json!({"event":"conferenceDeleted","method":"event","confId":"c1"}),
    ));
    s.apply_event(&ev(
        json!({"event":"appStateChanged","method":"event","appState":3}),
    ));
    assert_eq!(s.conference, None);
    assert_eq!(s.last_outcome.as_deref(), Some("call ended"));
}

#[test]
fn a_rejected_call_says_why() {
    let mut s = RoomState {
        app_state: Some(AppState::Wait),
        calling: Some("bob".into()),
        ..Default::default()
    };
    s.apply_event(&ev(json!({"event":"rejectReceived","method":"event","peerId":"bob@video.example.com","peerDn":"Bob","cause":0})));
    assert_eq!(s.calling, None);
    assert_eq!(s.last_outcome.as_deref(), Some("Bob: rejected"));
}

#[test]
fn replies_fill_devices_contacts_and_mutes() {
    let mut s = RoomState::default();
    s.apply_reply(
        "getHardware",
        json!({"audioCapturers":[{"name":"Mic A","description":"a"}],"currentAudioCapturerName":"Mic A","videoCapturers":[],"audioRenderers":[]}).as_object().unwrap(),
    );
    assert_eq!(s.devices.microphone.as_deref(), Some("Mic A"));
    s.apply_reply(
        "getAbook",
        json!({"abook":[{"peerId":"alice@x","peerDn":"Alice","status":1},{"bad":1}]})
            .as_object()
            .unwrap(),
    );
    assert_eq!(s.contacts.len(), 1);
    s.apply_reply(
        "getSettings",
        json!({"settings":[{"name":"audioPlayLevel","value":0.5}]})
            .as_object()
            .unwrap(),
    );
    assert_eq!(s.volume, Some(0.5));
    s.apply_event(&RoomEvent::MicMuted(true));
    assert_eq!(s.mic_muted, Some(true));
    s.apply_reply(
        "getLogin",
        json!({"isLoggedin":true,"peerId":"operator@x","peerDn":"Operator"})
            .as_object()
            .unwrap(),
    );
    assert_eq!(s.login.peer().unwrap().name, "Operator");
}

#[test]
fn ids_compare_as_users() {
    assert!(same_user("alice", "alice@video.example.com/ab12"));
    assert!(same_user(
        "Alice@video.example.com",
        "alice@video.example.com"
    ));
    assert!(!same_user("alice@a.com", "alice@b.com"));
    assert!(!same_user("alice", "alicia"));
}

#[test]
fn a_new_session_drops_a_ringing_call_and_the_room_says_what_is_left() {
    // A ringing call (either way) is not carried into a new session: whether it still rings
    // is unknown until the Room says.
    let mut s = at(4);
    s.apply_event(&ev(json!({"event":"inviteReceived","method":"event","peerId":"dave@video.example.com","peerDn":"Dave","type":0,"confId":"c1"})));
    s.calling = Some("carol".into());
    s.forget_session();
    assert_eq!((s.invite.clone(), s.calling.clone()), (None, None));
    reply(&mut s, "getAppState", json!({"appState": 4}));
    assert_eq!(s.call(), Call::Ringing, "ringing, whose unknown");
    // A conference kept from before, while the new session says a call is being set up
    // (state 4): it is over.
    let mut s = at(5);
    reply(
        &mut s,
        "getConferences",
        json!({"confId": "c1", "confTitle": "Sync"}),
    );
    s.forget_session();
    assert!(s.conference.is_some(), "kept until the Room says");
    reply(&mut s, "getAppState", json!({"appState": 4}));
    assert_eq!(s.conference, None);
    assert_eq!(s.call(), Call::Ringing);
}

#[test]
fn the_rooms_own_account_is_told_apart_across_a_new_session() {
    let mut s = at(5);
    reply(
        &mut s,
        "getLogin",
        json!({"isLoggedIn": true, "peerId": "operator@video.example.com", "peerDn": "Operator"}),
    );
    reply(
        &mut s,
        "getConferences",
        json!({"confId": "c1", "confTitle": "Sync"}),
    );
    reply(
        &mut s,
        "getConferenceParticipants",
        json!({"participants": [
            {"peerId": "operator@video.example.com/room", "peerDn": "Operator", "mic": 2, "video": 2, "role": 2},
            {"peerId": "alice@video.example.com/1", "peerDn": "Alice"}
        ]}),
    );
    let names = |s: &RoomState| -> Vec<String> {
        let c = s.conference.as_ref().unwrap();
        c.others(s.me())
            .iter()
            .map(|p| p.peer.name.clone())
            .collect()
    };
    assert_eq!(names(&s), ["Alice"]);
    // A new session has not said who is logged in yet: the account the last one named
    // still tells the Room apart from the others.
    s.forget_session();
    assert_eq!(s.login, Login::Unknown);
    assert_eq!(names(&s), ["Alice"]);
    // Never named at all: everyone is listed, the Room included (nothing is guessed).
    let mut fresh = s.clone();
    fresh.last_account = None;
    assert_eq!(fresh.me(), None);
    assert_eq!(names(&fresh), ["Operator", "Alice"]);
    // Logged out: no account to tell apart, and none kept for the next session.
    s.apply_event(&ev(json!({"event":"logout","method":"event","result":0})));
    assert_eq!(s.me(), None);
    s.forget_session();
    assert_eq!(s.last_account, None);
}

#[test]
fn a_participants_missing_devices_and_role_are_unknown_not_absent() {
    let mut s = at(5);
    reply(&mut s, "getConferences", json!({"confId": "c1"}));
    reply(
        &mut s,
        "getConferenceParticipants",
        json!({"participants": [
            {"peerId": "alice@video.example.com/1", "peerDn": "Alice"},
            {"peerId": "bob@video.example.com/2", "peerDn": "Bob", "mic": 0, "video": 7, "role": 1}
        ]}),
    );
    let ps = &s.conference.as_ref().unwrap().participants;
    assert_eq!(
        (ps[0].mic, ps[0].video, ps[0].role),
        (DeviceState::Unknown, DeviceState::Unknown, None)
    );
    // 0 is "no device"; a value outside the enumeration is not a state.
    assert_eq!(
        (ps[1].mic, ps[1].video, ps[1].role),
        (DeviceState::Absent, DeviceState::Unknown, Some(1))
    );
    // An event that says only the camera leaves the microphone as known.
    s.apply_event(&ev(json!({"event":"deviceStatusReceived","method":"event","peerId":"bob@video.example.com","video":2})));
    let bob = &s.conference.as_ref().unwrap().participants[1];
    assert_eq!((bob.mic, bob.video), (DeviceState::Absent, DeviceState::On));
    // Joining without devices: unknown too.
    s.apply_event(&ev(json!({"event":"newParticipantInConference","method":"event","peerId":"carol@video.example.com/3","peerDn":"Carol"})));
    let carol = &s.conference.as_ref().unwrap().participants[2];
    assert_eq!(
        (carol.mic, carol.video, carol.role),
        (DeviceState::Unknown, DeviceState::Unknown, None)
    );
}

#[test]
fn a_new_call_clears_how_the_last_one_ended() {
    let mut s = at(3);
    s.last_outcome = Some("call ended".into());
    s.apply_event(&ev(json!({"event":"inviteReceived","method":"event","peerId":"dave@video.example.com","peerDn":"Dave","type":0,"confId":"c2"})));
    assert_eq!(s.last_outcome, None);
    s.last_outcome = Some("call ended".into());
    s.invite = None;
    s.apply_event(&ev(json!({"event":"inviteSent","method":"event","peerId":"bob@video.example.com","peerDn":"Bob","confType":0,"confId":"c3"})));
    assert_eq!(s.last_outcome, None);
    s.last_outcome = Some("call ended".into());
    s.apply_event(&ev(json!({"event":"conferenceCreated","method":"event","confId":"c4","confTitle":"Sync","confType":1,"conferenceOwner":"x"})));
    assert_eq!(s.last_outcome, None);
}

#[test]
fn presence_changes_reach_the_address_book_in_every_shape() {
    let mut s = RoomState::default();
    s.apply_reply(
        "getAbook",
        json!({"abook": [
            {"peerId": "bob@s", "peerDn": "Bob", "status": 1, "extStatus": 2},
            {"peerId": "carol@s", "peerDn": "Carol", "status": 1}
        ]})
        .as_object()
        .unwrap(),
    );
    assert_eq!(s.contacts[0].presence().1, "available");
    let other = |raw: serde_json::Value| RoomEvent::Other {
        name: "usersStatusesChanged".into(),
        raw: raw.as_object().unwrap().clone(),
    };
    // A list of entries (an instance suffix on the id is the same user).
    s.apply_event(&other(json!({"usersStatuses": [
        {"peerId": "bob@s/3", "status": 2, "extStatus": 7, "additionalStatus": "in a meeting"},
        {"peerId": "stranger@s", "status": 0}
    ]})));
    assert_eq!(s.contacts[0].presence().1, "busy");
    assert_eq!(s.contacts[0].presence.note, "in a meeting");
    // An object by id; what an entry leaves out stays as it was.
    s.apply_event(&other(json!({"usersStatuses": {
        "carol@s": {"status": 0, "lastOnlineTime": 1700000000}
    }})));
    assert_eq!(s.contacts[1].presence().1, "offline");
    assert_eq!(s.contacts[1].presence.last_online, Some(1_700_000_000));
    assert_eq!(s.contacts[0].presence.note, "in a meeting");
    assert_eq!(s.contacts.len(), 2, "a stranger is not added");
}

#[test]
fn the_http_port_and_the_selfie_broadcast_are_what_the_room_said_or_unknown() {
    let mut s = at(3);
    assert_eq!((s.http_port, s.selfie_broadcast), (None, None));
    reply(
        &mut s,
        "getAppState",
        json!({"appState": 3, "embeddedHttpPort": 8766}),
    );
    assert_eq!(s.http_port, Some(8766));
    // Not a port: what was known stands.
    for bad in [json!(0), json!(70_000), json!(-1), json!("x"), json!(null)] {
        reply(
            &mut s,
            "getAppState",
            json!({"appState": 3, "embeddedHttpPort": bad}),
        );
        assert_eq!(s.http_port, Some(8766), "{bad}");
    }
    s.apply_event(&ev(json!({"method": "event", "event": "appStateChanged",
        "appState": 5, "embeddedHttpPort": "8800"})));
    assert_eq!(s.http_port, Some(8800));
    reply(&mut s, "getBroadcastSelfie", json!({"fps": 2}));
    assert_eq!(s.selfie_broadcast, None);
    reply(&mut s, "getBroadcastSelfie", json!({"enabled": false}));
    assert_eq!(s.selfie_broadcast, Some(false));
    s.apply_event(&ev(
        json!({"method": "event", "event": "broadcastSelfieChanged",
        "enabled": true, "fps": 2}),
    ));
    assert_eq!(s.selfie_broadcast, Some(true));
    // A new session knows neither until the Room says again.
    s.forget_session();
    assert_eq!((s.http_port, s.selfie_broadcast), (None, None));
}
