//! Whole-screen snapshots of the views on ratatui's `TestBackend`. Review changes with
//! `cargo insta review` (or set `INSTA_UPDATE=always` and read the diff in git).
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use trueconf_console::app::{Model, Msg, Session, update};
use trueconf_console::config::Config;
use trueconf_console::ui;

fn render(m: &Model) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(m.ui.size.0, m.ui.size.1)).unwrap();
    t.draw(|f| ui::view(m, f)).unwrap();
    t
}

fn demo(w: u16, h: u16) -> Model {
    Model::demo(&Config::default(), (w, h), false)
}

fn configured(text: &str, w: u16, h: u16) -> Model {
    let c = Config::parse(text, Path::new("t.toml"), |_| None).unwrap();
    Model::from_config(
        &c,
        Session::Configured {
            path: None,
            found: true,
        },
        None,
        (w, h),
        false,
    )
}

fn key(m: &mut Model, code: KeyCode, mods: KeyModifiers) {
    update(m, Msg::Key(KeyEvent::new(code, mods)));
}

const FULL: &str = r#"
[chat]
server = "tc.example.org"
username = "reception"
[[room]]
name = "Board room"
host = "10.1.2.3"
[[room]]
name = "Lab"
host = "10.1.2.4"
http_port = 8080
"#;

#[test]
fn demo_main_screen_80x24() {
    insta::assert_snapshot!(render(&demo(80, 24)).backend());
}

#[test]
fn demo_main_screen_160x48() {
    insta::assert_snapshot!(render(&demo(160, 48)).backend());
}

#[test]
fn configured_main_screen_80x24() {
    insta::assert_snapshot!(render(&configured(FULL, 80, 24)).backend());
}

#[test]
fn unconfigured_main_screen_80x24() {
    insta::assert_snapshot!(render(&configured("", 80, 24)).backend());
}

#[test]
fn help_overlay_80x24() {
    let mut m = demo(80, 24);
    key(&mut m, KeyCode::Char('?'), KeyModifiers::NONE);
    insta::assert_snapshot!(render(&m).backend());
}

#[test]
fn help_overlay_160x48_with_custom_keys() {
    let mut m = configured(
        "[ui.keys]\nquit = [\"ctrl-q\", \"f10\"]\nhangup = \"H\"\nhangup_all = \"alt-h\"\n",
        160,
        48,
    );
    key(&mut m, KeyCode::Char('?'), KeyModifiers::NONE);
    let t = render(&m);
    let screen = t.backend().to_string();
    assert!(
        screen.contains("Ctrl-Q/F10") && screen.contains("H   "),
        "custom keys must show in the help"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn notice_and_inspector_80x24() {
    let mut m = demo(80, 24);
    key(&mut m, KeyCode::Char('t'), KeyModifiers::CONTROL);
    key(&mut m, KeyCode::Char('c'), KeyModifiers::NONE);
    insta::assert_snapshot!(render(&m).backend());
}

#[test]
fn too_small() {
    insta::assert_snapshot!(render(&demo(60, 20)).backend());
}

#[test]
fn no_color_uses_no_colour() {
    let m = Model::demo(&Config::default(), (80, 24), true);
    let t = render(&m);
    for cell in t.backend().buffer().content() {
        assert_eq!(
            (cell.fg, cell.bg),
            (Color::Reset, Color::Reset),
            "a coloured cell under NO_COLOR: {cell:?}"
        );
    }
    // And the dark theme does use colour, so the check above can fail.
    let t = render(&demo(80, 24));
    assert!(
        t.backend()
            .buffer()
            .content()
            .iter()
            .any(|c| c.fg != Color::Reset)
    );
}

#[test]
fn names_from_the_config_are_drawn_inert() {
    let text = "[[room]]\nname = \"Hall\\u001b[2J\\u001b]0;pwned\\u0007 A\"\nhost = \"h\"\n";
    let t = render(&configured(text, 80, 24));
    let screen = t.backend().to_string();
    assert!(screen.contains("Hall A"), "{screen}");
    assert!(
        !screen.contains('\u{1b}') && !screen.contains("pwned"),
        "{screen}"
    );
}

#[test]
fn a_long_notice_takes_the_whole_status_line() {
    let mut m = configured(FULL, 80, 24);
    let text = "config file readable by others holds secrets: chmod 600 /home/op/tc.toml";
    assert!(text.len() < 80);
    m.notify(trueconf_console::app::NoticeLevel::Warn, text);
    let t = render(&m);
    let last = t.backend().to_string().lines().last().unwrap().to_string();
    assert!(last.contains(text), "{last}");
    assert!(!last.contains("Room"), "{last}");
    // Longer than the line: cut, and it says where to read it whole.
    let long = format!(
        "Cannot download report.pdf: {}",
        "the server said no; ".repeat(6)
    );
    m.notify(trueconf_console::app::NoticeLevel::Error, long);
    let t = render(&m);
    let last = t.backend().to_string().lines().last().unwrap().to_string();
    assert!(last.contains("… (L log)"), "{last}");
}

fn in_a_call(w: u16, h: u16) -> Model {
    use trueconf_console::link::LinkStatus;
    use trueconf_console::room::RoomEvent;
    let mut m = demo(w, h);
    m.room.link = LinkStatus::Authorized;
    for e in [
        RoomEvent::Login {
            result: 0,
            peer_id: "operator@video.example.com".into(),
            peer_dn: "Operator".into(),
        },
        RoomEvent::ConferenceCreated {
            conf_id: "c1".into(),
            conf_title: "Weekly sync".into(),
            conf_type: 3,
            owner: "operator@video.example.com".into(),
            peer_id: None,
        },
        RoomEvent::ParticipantJoined {
            peer_id: "alice@video.example.com/1".into(),
            peer_dn: "Alice Johnson".into(),
            mic: trueconf_console::room::protocol::DeviceState::On,
            video: trueconf_console::room::protocol::DeviceState::Muted,
            role: Some(1),
            broadcast: None,
            leader: None,
        },
        RoomEvent::ParticipantJoined {
            peer_id: "dave@video.example.com/2".into(),
            peer_dn: "Dave Brown".into(),
            mic: trueconf_console::room::protocol::DeviceState::On,
            video: trueconf_console::room::protocol::DeviceState::On,
            role: Some(1),
            broadcast: None,
            leader: None,
        },
        RoomEvent::RoleEvent {
            peer_id: "dave@video.example.com/2".into(),
            role: 2,
            broadcast: Some(true),
            leader: None,
        },
        RoomEvent::MicMuted(true),
    ] {
        m.room.state.apply_event(&e);
    }
    m.room.state.app_state = Some(trueconf_console::room::AppState::Conference);
    m.room.state.volume = Some(0.8);
    m.room.state.server = trueconf_console::room::state::Server::Connected(Some(
        trueconf_console::room::state::ServerInfo {
            server: "video.example.com".into(),
            port: Some(4307),
            domain: None,
        },
    ));
    m.room.state.camera_muted = Some(false);
    m.room.state.speaker_muted = Some(false);
    // Joined while this console watched: 12 min 34 s ago.
    m.room.conf_secs = Some(754);
    m
}

/// What a Room that answers every query says when idle: state 3, logged in as Operator, the
/// microphone, camera and speaker on.
fn known_idle() -> trueconf_console::room::RoomState {
    use trueconf_console::room::state::{Login, Peer, RoomState};
    RoomState {
        app_state: Some(trueconf_console::room::AppState::Normal),
        login: Login::LoggedIn(Some(Peer {
            id: "operator@video.example.com".into(),
            name: "Operator".into(),
        })),
        mic_muted: Some(false),
        camera_muted: Some(false),
        speaker_muted: Some(false),
        ..RoomState::default()
    }
}

/// A Room whose getLogin, getVideoMute and getConferences failed: what the console knows is
/// shown, what it does not is "?", and nothing is a default.
#[test]
fn room_state_unknown_80x24() {
    use trueconf_console::link::LinkStatus;
    use trueconf_console::room::RoomLinkEvent;
    use trueconf_console::room::state::RoomState;
    let mut m = demo(80, 24);
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    let mut s = RoomState::default();
    let screen = |m: &Model| render(m).backend().to_string();
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::State(Box::new(s.clone()))),
    );
    let nothing = screen(&m);
    for want in [
        "State: unknown",
        "Account: ?",
        "Call: ?",
        "Mic ? · Camera ?",
        "Speaker ?",
    ] {
        assert!(nothing.contains(want), "{want:?} missing:\n{nothing}");
    }
    let body = |v: serde_json::Value| v.as_object().unwrap().clone();
    s.apply_reply("getAppState", &body(serde_json::json!({"appState": 5})));
    s.apply_reply("getMicMute", &body(serde_json::json!({"mute": true})));
    s.apply_reply("getAudioMute", &body(serde_json::json!({"mute": false})));
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::State(Box::new(s.clone()))),
    );
    let t = render(&m);
    let at5 = t.backend().to_string();
    for want in [
        "State: in a call",
        "Account: ? (logged in)",
        "Call: in a conference",
        "(details unknown)",
        "Mic off · Camera ?",
        "Speaker on",
    ] {
        assert!(at5.contains(want), "{want:?} missing:\n{at5}");
    }
    assert!(!at5.contains("Camera on"), "{at5}");
    insta::assert_snapshot!(t.backend());
    s.apply_reply("getAppState", &body(serde_json::json!({"appState": 3})));
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(s))));
    let at3 = screen(&m);
    assert!(
        at3.contains("State: ready") && at3.contains("Account: ? (logged in)"),
        "{at3}"
    );
    assert!(!at3.contains("Call:"), "no call at state 3:\n{at3}");
    assert!(!at3.contains("not logged in"), "{at3}");
}

#[test]
fn room_in_a_call_80x24() {
    insta::assert_snapshot!(render(&in_a_call(80, 24)).backend());
}

#[test]
fn room_in_a_call_160x48() {
    let t = render(&in_a_call(160, 48));
    let screen = t.backend().to_string();
    for want in [
        "Call: Weekly sync (2 + you) · 12:34",
        "Dave Brown ★ ▲podium mic on cam on",
        "Alice Johnson mic on cam off",
        "Server: video.example.com:4307",
    ] {
        assert!(screen.contains(want), "{want:?} missing:\n{screen}");
    }
    insta::assert_snapshot!(t.backend());
}

/// The call of `in_a_call` with five others (one whose devices and role the Room did not
/// give) and the Room itself listed among them, as a Room's participant list has it.
fn in_a_five_party_call(w: u16, h: u16) -> Model {
    use trueconf_console::room::RoomEvent;
    use trueconf_console::room::protocol::DeviceState;
    let mut m = in_a_call(w, h);
    for (id, name, mic, video, role) in [
        (
            "operator@video.example.com/room",
            "Operator",
            DeviceState::Muted,
            DeviceState::On,
            Some(2),
        ),
        (
            "bob@video.example.com/3",
            "Bob Smith",
            DeviceState::Muted,
            DeviceState::Absent,
            Some(1),
        ),
        (
            "carol@video.example.com/4",
            "Carol White",
            DeviceState::Unknown,
            DeviceState::Unknown,
            None,
        ),
        (
            "erin@video.example.com/5",
            "Erin Black",
            DeviceState::On,
            DeviceState::On,
            Some(1),
        ),
    ] {
        m.room.state.apply_event(&RoomEvent::ParticipantJoined {
            peer_id: id.into(),
            peer_dn: name.into(),
            mic,
            video,
            role,
            broadcast: None,
            leader: None,
        });
    }
    // A role-based call: Bob asks for the podium, Erin moderates from it.
    for (id, role, broadcast, leader) in [
        ("bob@video.example.com/3", 3, Some(false), Some(0)),
        ("erin@video.example.com/5", 1, Some(true), Some(2)),
    ] {
        m.room.state.apply_event(&RoomEvent::RoleEvent {
            peer_id: id.into(),
            role,
            broadcast,
            leader,
        });
    }
    m
}

#[test]
fn room_in_a_five_party_call_80x24() {
    let m = in_a_five_party_call(80, 24);
    let t = render(&m);
    let screen = t.backend().to_string();
    let pane: Vec<&str> = screen.lines().take(12).collect();
    let has = |s: &str| pane.iter().any(|l| l.contains(s));
    // The count is of the people listed (the Room itself is not one of them); those the pane
    // has no room for are counted; the devices and the volume stay in view.
    for want in [
        "Call: Weekly sync · 12:34",
        "+2 more · p lists all",
        "Mic off · Camera on",
        "Speaker on · Volume 80%",
        "Link: online",
    ] {
        assert!(has(want), "{want:?} missing:\n{}", pane.join("\n"));
    }
    assert!(!has("Operator"), "the Room is not its own participant");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn room_in_a_five_party_call_160x48() {
    let screen = render(&in_a_five_party_call(160, 48)).backend().to_string();
    let pane: Vec<&str> = screen.lines().take(16).collect();
    let has = |s: &str| pane.iter().any(|l| l.contains(s));
    for want in [
        "Call: Weekly sync (5 + you) · 12:34",
        "Carol White mic ? cam ?",
        "Bob Smith ✋ mic off cam —",
        "Erin Black ◆ ▲podium mic on cam on",
        "Speaker on · Volume 80%",
    ] {
        assert!(has(want), "{want:?} missing:\n{}", pane.join("\n"));
    }
    assert!(!has("no device"), "{}", pane.join("\n"));
}

#[test]
fn participants_view_80x24() {
    let mut m = in_a_five_party_call(80, 24);
    key(&mut m, KeyCode::Char('p'), KeyModifiers::NONE);
    let t = render(&m);
    let screen = t.backend().to_string();
    for want in [
        "5 participants + you",
        "Alice Johnson",
        "Erin Black",
        "role ?",
        "owner ▲podium",
    ] {
        assert!(screen.contains(want), "{want:?} missing:\n{screen}");
    }
    insta::assert_snapshot!(t.backend());
}

/// Conference control at 160x48: the owner's actions on the selected participant, and the
/// same list in a conference another owns, with the reason.
#[test]
fn conference_control_160x48_owner_and_not() {
    let mut m = in_a_five_party_call(160, 48);
    key(&mut m, KeyCode::Char('p'), KeyModifiers::NONE);
    key(&mut m, KeyCode::Char('j'), KeyModifiers::NONE);
    let t = render(&m);
    let screen = t.backend().to_string();
    assert!(
        screen.contains("m mic · v camera · P podium · M moderator · d remove · c invite"),
        "{screen}"
    );
    insta::assert_snapshot!("conference_control_owner_160x48", t.backend());
    // The same call, owned by Dave.
    if let Some(c) = m.room.state.conference.as_mut() {
        c.owner = "dave@video.example.com".into();
    }
    let t = render(&m);
    let screen = t.backend().to_string();
    assert!(
        screen.contains(
            "Not available: only the conference's owner (Dave Brown) controls the others"
        ),
        "{screen}"
    );
    insta::assert_snapshot!("conference_control_not_owner_160x48", t.backend());
}

#[test]
fn a_requested_volume_shows_beside_the_reported_one_until_confirmed() {
    let mut m = in_a_call(80, 24);
    m.room.state.volume = Some(0.5);
    for _ in 0..3 {
        key(&mut m, KeyCode::Char('+'), KeyModifiers::NONE);
    }
    let screen = render(&m).backend().to_string();
    let last = screen.lines().last().unwrap().to_string();
    assert!(
        screen.contains("Speaker on · Vol 50% → 80%"),
        "the pane says both:\n{screen}"
    );
    assert!(last.contains("Volume 80% requested"), "{last}");
}

#[test]
fn call_dialogs_at_the_other_size() {
    insta::assert_snapshot!(
        "incoming_call_dialog_160x48",
        render(&ringing(160, 48, None, 12)).backend()
    );
    insta::assert_snapshot!(
        "invitation_dialog_80x24",
        render(&ringing(80, 24, Some("Weekly sync"), 1)).backend()
    );
}

#[test]
fn room_ringing_160x48() {
    use trueconf_console::link::LinkStatus;
    use trueconf_console::room::RoomEvent;
    let mut m = demo(160, 48);
    m.room.link = LinkStatus::Authorized;
    m.room.state = known_idle();
    m.room.state.app_state = Some(trueconf_console::room::AppState::Wait);
    m.room.state.apply_event(&RoomEvent::InviteReceived {
        peer_id: "dave@video.example.com".into(),
        peer_dn: "Dave \u{1b}]0;pwned\u{7}Brown".into(),
        conf_type: 0,
        conf_id: "c9".into(),
        conf_title: None,
    });
    let t = render(&m);
    assert!(!t.backend().to_string().contains("pwned"));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn a_megabyte_caller_name_is_cut_to_the_pane() {
    use trueconf_console::link::LinkStatus;
    use trueconf_console::room::RoomEvent;
    let mut m = demo(80, 24);
    m.room.link = LinkStatus::Authorized;
    m.room.state.apply_event(&RoomEvent::InviteReceived {
        peer_id: "dave@video.example.com".into(),
        peer_dn: "Dave".repeat(1 << 18),
        conf_type: 0,
        conf_id: "c9".into(),
        conf_title: None,
    });
    let screen = render(&m).backend().to_string();
    let row = screen
        .lines()
        .find(|l| l.contains("Incoming call:"))
        .expect("the call is shown");
    assert!(row.contains('…'), "{row}");
    assert!(
        screen.contains("a accept"),
        "the keys still show under a huge name:\n{screen}"
    );
}

/// The demo model with the chat link up, the list loaded and one chat open whose title,
/// author and text carry escape sequences.
fn with_chats(w: u16, h: u16) -> Model {
    use serde_json::json;
    use trueconf_console::chat::ChatLinkEvent;
    use trueconf_console::chat::client::ChatSession;
    use trueconf_console::chat::types::{Chat, Envelope};
    use trueconf_console::link::LinkStatus;
    let mut m = demo(w, h);
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Session(ChatSession {
            user_id: "operator@video.example.com/1".into(),
            me: "operator@video.example.com".into(),
            connection_id: None,
        })),
    );
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    let chat = |id: &str, title: &str, ty: i64, unread: u64, at: u64| {
        Chat::from_value(&json!({"chatId": id, "title": title, "chatType": ty, "unreadMessages": unread,
            "lastMessage": {"messageId": "x", "timestamp": at, "type": 200, "author": {"id": "a", "type": 1},
            "content": {"text": "x", "parseMode": "text"}}}))
        .unwrap()
    };
    update(
        &mut m,
        Msg::ChatsLoaded(Ok(vec![
            chat("c1", "Project", 2, 3, 1_795_000_000_000),
            chat(
                "c2",
                "\u{1b}]0;pwned\u{7}Evil \u{1b}[31mtitle",
                2,
                0,
                1_795_000_100_000,
            ),
            chat("c3", "alice@video.example.com", 1, 0, 1_795_000_200_000),
            chat("c4", "Favorites", 5, 0, 0),
        ])),
    );
    key(&mut m, KeyCode::Tab, KeyModifiers::NONE);
    // Project (unread) first, then by last activity: alice, then the evil title.
    key(&mut m, KeyCode::Char('j'), KeyModifiers::NONE);
    key(&mut m, KeyCode::Char('j'), KeyModifiers::NONE);
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    let env = |id: &str, bx: u64, author: &str, text: &str, edited: bool, reply: Option<&str>| {
        let mut v = json!({"chatId": "c2", "messageId": id, "timestamp": 1_795_000_000_000u64 + bx * 60_000,
            "type": 200, "author": {"id": author, "type": 1}, "box": {"id": bx, "position": ""},
            "isEdited": edited, "content": {"text": text, "parseMode": "text"}});
        if let Some(r) = reply {
            v["replyMessage"] = json!({"chatId": "c2", "messageId": r, "timestamp": 1, "type": 200,
                "author": {"id": "alice@video.example.com", "type": 1}, "content": {"text": "the original question", "parseMode": "text"}});
        }
        Envelope::from_value(&v).unwrap()
    };
    let page = vec![
        env(
            "m3",
            3,
            "operator@video.example.com",
            "answering\u{1b}[2J with a clear-screen",
            false,
            Some("m1"),
        ),
        env(
            "m2",
            2,
            "\u{1b}[31mmallory@video.example.com",
            "\u{202e}reversed?\u{202c} and a bell\u{7}",
            true,
            None,
        ),
        env(
            "m1",
            1,
            "alice@video.example.com",
            "the original question, long enough to wrap at eighty columns of terminal width for sure",
            false,
            None,
        ),
    ];
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "c2".into(),
            before: None,
            result: Ok(page),
        },
    );
    m
}

#[test]
fn chats_and_history_80x24() {
    insta::assert_snapshot!(render(&with_chats(80, 24)).backend());
}

#[test]
fn chats_and_history_160x48() {
    insta::assert_snapshot!(render(&with_chats(160, 48)).backend());
}

#[test]
fn escape_sequences_from_the_server_reach_the_screen_inert() {
    let mut m = with_chats(160, 48);
    // A display name (getUserDisplayName) with an OSC title change and a colour.
    update(
        &mut m,
        Msg::Name {
            id: "alice@video.example.com".into(),
            name: "\u{1b}]0;owned\u{7}Alice \u{1b}[1;31mJohnson\u{202e}".into(),
        },
    );
    let t = render(&m);
    let buf = t.backend().buffer();
    for cell in buf.content() {
        let s = cell.symbol();
        assert!(
            !s.chars()
                .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "a control character reached the screen: {s:?}"
        );
    }
    let screen: String = buf
        .content()
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .collect();
    assert!(
        screen.contains("Evil"),
        "the title is shown, minus its escapes"
    );
    assert!(screen.contains("mallory"));
    assert!(!screen.contains("pwned\u{7}"));
    assert!(screen.contains("Alice Johnson") && !screen.contains("owned"));
}

fn ringing(w: u16, h: u16, title: Option<&str>, secs: u64) -> Model {
    use trueconf_console::room::RoomLinkEvent;
    use trueconf_console::room::state::{Invite, Peer, RoomState};
    let mut m = demo(w, h);
    let s = RoomState {
        invite: Some(Invite {
            peer: Peer {
                id: "dave@video.example.com".into(),
                name: "Dave \u{1b}[5mBrown".into(),
            },
            conf_id: "c1".into(),
            conf_type: i64::from(title.is_some()),
            conf_title: title.map(String::from),
        }),
        ..RoomState::default()
    };
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(s))));
    for _ in 0..secs {
        update(&mut m, Msg::Tick);
    }
    m
}

#[test]
fn incoming_call_dialog_80x24() {
    insta::assert_snapshot!(render(&ringing(80, 24, None, 7)).backend());
}

#[test]
fn invitation_dialog_160x48() {
    insta::assert_snapshot!(render(&ringing(160, 48, Some("Weekly sync"), 3)).backend());
}

#[test]
fn outgoing_call_dialog_and_call_prompt_80x24() {
    use trueconf_console::room::RoomLinkEvent;
    use trueconf_console::room::state::{Contact, Peer};
    let mut m = demo(80, 24);
    // A Room that has said everything: logged in, idle, devices on.
    let mut s = known_idle();
    s.contacts = ["alice", "bob", "carol"]
        .iter()
        .map(|n| Contact {
            peer: Peer {
                id: format!("{n}@video.example.com"),
                name: format!("{}{}", n[..1].to_uppercase(), &n[1..]),
            },
            status: 1,
            presence: Default::default(),
        })
        .collect();
    update(
        &mut m,
        Msg::Room(
            0,
            RoomLinkEvent::Status(trueconf_console::link::LinkStatus::Authorized),
        ),
    );
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::State(Box::new(s.clone()))),
    );
    key(&mut m, KeyCode::Char('c'), KeyModifiers::NONE);
    key(&mut m, KeyCode::Char('o'), KeyModifiers::NONE);
    let prompt = render(&m);
    insta::assert_snapshot!("call_prompt_80x24", prompt.backend());
    key(&mut m, KeyCode::Esc, KeyModifiers::NONE);
    s.calling = Some("carol@video.example.com".into());
    s.app_state = Some(trueconf_console::room::AppState::Wait);
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(s))));
    update(&mut m, Msg::Tick);
    insta::assert_snapshot!("outgoing_call_80x24", render(&m).backend());
}

#[test]
fn inspector_with_traffic_80x24_and_160x48() {
    use trueconf_console::chat::ChatLinkEvent;
    use trueconf_console::room::RoomLinkEvent;
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut m = demo(w, h);
        key(&mut m, KeyCode::Char('t'), KeyModifiers::CONTROL);
        let t0 = 1_795_000_000_123u64;
        update(
            &mut m,
            Msg::Room(0, RoomLinkEvent::Frame {
                outgoing: true,
                text:
                    r#"{"method":"auth","requestId":"auth","type":"secured","credentials":"***"}"#
                        .into(),
                at_ms: t0,
            }),
        );
        update(&mut m, Msg::Chat(ChatLinkEvent::Frame {
            outgoing: false,
            text: "{\"type\":1,\"id\":7,\"method\":\"sendMessage\",\"payload\":{\"content\":{\"text\":\"\u{1b}[2Jhi\"}}}".into(),
            at_ms: t0 + 1500,
        }));
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Frame {
                outgoing: true,
                text: r#"{"type":2,"id":7}"#.into(),
                at_ms: t0 + 1501,
            }),
        );
        insta::assert_snapshot!(format!("inspector_{w}x{h}"), render(&m).backend());
    }
}

#[test]
fn chat_list_filtered_80x24() {
    let mut m = with_chats(80, 24);
    key(&mut m, KeyCode::Esc, KeyModifiers::NONE);
    m.ui.focus = trueconf_console::app::Pane::Chats;
    key(&mut m, KeyCode::Char('/'), KeyModifiers::NONE);
    for c in "pj".chars() {
        key(&mut m, KeyCode::Char(c), KeyModifiers::NONE);
    }
    insta::assert_snapshot!(render(&m).backend());
}

/// The open chat with every kind of message: markdown, html, an attachment being downloaded,
/// a reply, an edited and a deleted message, a forward, a survey, inline buttons, a system
/// record, and a file on its way up.
fn rich_chat(w: u16, h: u16) -> Model {
    use serde_json::json;
    use trueconf_console::chat::ChatLinkEvent;
    use trueconf_console::chat::events::ChatEvent;
    use trueconf_console::chat::types::Envelope;
    let mut m = with_chats(w, h);
    m.transfers.download_dir = "/home/op/Downloads".into();
    update(
        &mut m,
        Msg::Name {
            id: "alice@video.example.com".into(),
            name: "Alice Johnson".into(),
        },
    );
    let at = |bx: u64| 1_795_000_000_000u64 + bx * 60_000;
    let e = |id: &str, bx: u64, author: &str, kind: i64, content: serde_json::Value| {
        Envelope::from_value(
            &json!({"chatId": "c2", "messageId": id, "timestamp": at(bx),
            "type": kind, "author": {"id": author, "type": 1}, "box": {"id": bx, "position": ""},
            "content": content}),
        )
        .unwrap()
    };
    let mut reply = e(
        "r1",
        8,
        "dave@video.example.com",
        200,
        json!({"text": "Thanks, **perfect**.", "parseMode": "markdown"}),
    );
    reply.reply_message_id = Some("f1".into());
    let mut edited = e(
        "h1",
        5,
        "operator@video.example.com",
        200,
        json!({"text": "<b>Done</b>, <u>all</u> <s>three</s> items; ask <a href=\"trueconf:alice@video.example.com\">Alice</a> or see <a href=\"https://example.com/doc\">the doc</a>", "parseMode": "html"}),
    );
    edited.is_edited = true;
    let page = vec![
        e(
            "b1",
            12,
            "bot@video.example.com",
            200,
            json!({"text": "Rate the meeting:", "parseMode": "text",
                "buttons": [[{"label": "Good", "command": "/good"}, {"label": "Bad", "command": "/bad"}],
                            [{"label": "Minutes", "url": "https://example.com/m"}]]}),
        ),
        e(
            "s1",
            11,
            "dave@video.example.com",
            204,
            json!({"title": "Q4 feedback", "url": "https://video.example.com/webtools/survey", "path": "q4"}),
        ),
        e(
            "w1",
            10,
            "bob@video.example.com",
            201,
            json!({"messageId": "old", "chatId": "c9", "timestamp": at(1), "type": 200,
                "author": {"id": "alice@video.example.com", "type": 1},
                "content": {"text": "Lunch at _noon_?", "parseMode": "markdown"}}),
        ),
        e(
            "d1",
            9,
            "bob@video.example.com",
            200,
            json!({"text": "wrong chat, sorry", "parseMode": "text"}),
        ),
        reply,
        e(
            "f1",
            7,
            "alice@video.example.com",
            202,
            json!({"name": "minutes.pdf", "mimeType": "application/pdf", "size": 2_621_440, "fileId": "F1"}),
        ),
        e("j1", 6, "", 1, json!({"userId": "dave@video.example.com"})),
        edited,
        e(
            "k1",
            4,
            "alice@video.example.com",
            200,
            json!({"text": "**Agenda** for _today_: see [the plan](https://example.com/plan), ~~old notes~~ dropped", "parseMode": "markdown"}),
        ),
    ];
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "c2".into(),
            before: None,
            result: Ok(page),
        },
    );
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Event(ChatEvent::Removed {
            chat_id: "c2".into(),
            message_id: "d1".into(),
            by: None,
        })),
    );
    // Download the attachment: select it (six up from the newest) and press o.
    m.ui.focus = trueconf_console::app::Pane::History;
    for _ in 0..6 {
        key(&mut m, KeyCode::Up, KeyModifiers::NONE);
    }
    key(&mut m, KeyCode::Char('o'), KeyModifiers::NONE);
    let path = std::path::PathBuf::from("/home/op/Downloads/minutes.pdf");
    update(
        &mut m,
        Msg::TransferPath {
            id: 1,
            path: path.clone(),
            total: 2_621_440,
        },
    );
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Transfer(trueconf_console::chat::Transfer {
            path,
            upload: false,
            done: 1_048_576,
            total: 2_621_440,
        })),
    );
    // And a file on its way up.
    key(&mut m, KeyCode::Char('u'), KeyModifiers::NONE);
    update(&mut m, Msg::Paste("/home/op/slides.odp".into()));
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    update(
        &mut m,
        Msg::TransferPath {
            id: 2,
            path: "/home/op/slides.odp".into(),
            total: 4_000_000,
        },
    );
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Transfer(trueconf_console::chat::Transfer {
            path: "/home/op/slides.odp".into(),
            upload: true,
            done: 3_000_000,
            total: 4_000_000,
        })),
    );
    m.ui.notice = None;
    m
}

#[test]
fn rich_history_160x48_with_the_attachment_selected() {
    let m = rich_chat(160, 48);
    let t = render(&m);
    let screen = t.backend().to_string();
    for want in [
        "Agenda",
        "‹https://example.com/plan›",
        "(message deleted)",
        "(edited)",
        "📎 minutes.pdf",
        "40%",
        "↩ Alice Johnson: 📎 minutes.pdf",
        "↪ Forwarded from",
        "📊 Survey: Q4 feedback",
        "[ Good ] [ Bad ]",
        "[ Minutes ↗ ]",
        "⇡",
    ] {
        assert!(screen.contains(want), "{want:?} missing:\n{screen}");
    }
    // Markdown and html arrive as styles, not as markup.
    assert!(!screen.contains("**Agenda**") && !screen.contains("<b>"));
    let buf = t.backend().buffer();
    let styled = |needle: &str, m: ratatui::style::Modifier| {
        let area = buf.area;
        (0..area.height).any(|y| {
            let row: String = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
            row.find(needle).is_some_and(|b| {
                let x = row[..b].chars().count() as u16;
                buf[(x, y)].modifier.contains(m)
            })
        })
    };
    use ratatui::style::Modifier;
    assert!(styled("Agenda", Modifier::BOLD));
    assert!(styled("today", Modifier::ITALIC));
    assert!(styled("old notes", Modifier::CROSSED_OUT));
    assert!(styled("all", Modifier::UNDERLINED));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn rich_history_80x24_following_the_newest() {
    let mut m = rich_chat(80, 24);
    key(&mut m, KeyCode::Char('G'), KeyModifiers::NONE);
    insta::assert_snapshot!(render(&m).backend());
}

#[test]
fn message_dialogs_80x24() {
    let mut m = rich_chat(80, 24);
    key(&mut m, KeyCode::Char('d'), KeyModifiers::NONE);
    insta::assert_snapshot!("delete_confirm_80x24", render(&m).backend());
    key(&mut m, KeyCode::Esc, KeyModifiers::NONE);
    key(&mut m, KeyCode::Char('f'), KeyModifiers::NONE);
    key(&mut m, KeyCode::Char('p'), KeyModifiers::NONE);
    insta::assert_snapshot!("forward_picker_80x24", render(&m).backend());
    key(&mut m, KeyCode::Esc, KeyModifiers::NONE);
    key(&mut m, KeyCode::Char('u'), KeyModifiers::NONE);
    update(&mut m, Msg::Paste("~/slides/q4-review.odp".into()));
    insta::assert_snapshot!("upload_prompt_80x24", render(&m).backend());
    key(&mut m, KeyCode::Esc, KeyModifiers::NONE);
    m.ui.focus = trueconf_console::app::Pane::Chats;
    key(&mut m, KeyCode::Char('N'), KeyModifiers::NONE);
    key(&mut m, KeyCode::Tab, KeyModifiers::NONE);
    for c in "Ops".chars() {
        key(&mut m, KeyCode::Char(c), KeyModifiers::NONE);
    }
    insta::assert_snapshot!("new_chat_80x24", render(&m).backend());
}

#[test]
fn composer_replying_in_markdown_80x24() {
    let mut m = rich_chat(80, 24);
    key(&mut m, KeyCode::Char('R'), KeyModifiers::SHIFT);
    key(&mut m, KeyCode::Char('p'), KeyModifiers::CONTROL);
    for c in "see **you**".chars() {
        key(&mut m, KeyCode::Char(c), KeyModifiers::NONE);
    }
    insta::assert_snapshot!(render(&m).backend());
}

/// The demo model online, with the explorer open.
fn explorer(w: u16, h: u16) -> Model {
    use trueconf_console::chat::ChatLinkEvent;
    use trueconf_console::link::LinkStatus;
    use trueconf_console::room::RoomLinkEvent;
    let mut m = demo(w, h);
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    key(&mut m, KeyCode::Char('x'), KeyModifiers::NONE);
    m
}

#[test]
fn explorer_method_list_80x24_and_160x48() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut m = explorer(w, h);
        for c in "conf".chars() {
            key(&mut m, KeyCode::Char(c), KeyModifiers::NONE);
        }
        let t = render(&m);
        let screen = t.backend().to_string();
        // Typed letters go to the filter: the status bar offers no `? help`, `q quit`.
        assert!(!screen.contains("q quit"), "{screen}");
        assert!(screen.contains("Esc leave the explorer"), "{screen}");
        assert!(screen.contains("Ctrl-T traffic"), "{screen}");
        insta::assert_snapshot!(format!("explorer_list_{w}x{h}"), t.backend());
    }
}

#[test]
fn explorer_template_80x24() {
    let mut m = explorer(80, 24);
    for c in "call".chars() {
        key(&mut m, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    // A typo: the problem shows in the editor.
    key(&mut m, KeyCode::Char('"'), KeyModifiers::NONE);
    let t = render(&m);
    assert!(t.backend().to_string().contains("✗ not JSON"));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn explorer_response_with_events_160x48() {
    use trueconf_console::room::RoomLinkEvent;
    let mut m = explorer(160, 48);
    for c in "call".chars() {
        key(&mut m, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    for c in "alice@video.example.com".chars() {
        key(&mut m, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    let t0 = 1_795_000_000_000u64;
    let frame = |text: &str, at_ms: u64| {
        Msg::Room(
            0,
            RoomLinkEvent::Frame {
                outgoing: false,
                text: text.into(),
                at_ms,
            },
        )
    };
    update(
        &mut m,
        frame(
            r#"{"method":"call","requestId":"14","result":true}"#,
            t0 + 3,
        ),
    );
    update(
        &mut m,
        Msg::ExplorerReply {
            id: 1,
            sent_at_ms: t0,
            rtt_ms: 3,
            outcome: Ok(serde_json::json!({"method":"call","requestId":"14","result":true})),
        },
    );
    update(
        &mut m,
        frame(
            r#"{"method":"event","event":"appStateChanged","appState":4}"#,
            t0 + 5,
        ),
    );
    update(
        &mut m,
        frame(
            r#"{"method":"event","event":"inviteSent","peerId":"alice@video.example.com","confId":"c1"}"#,
            t0 + 6,
        ),
    );
    // Long after the window: not the call's doing.
    update(
        &mut m,
        frame(
            r#"{"method":"event","event":"hardwareChanged"}"#,
            t0 + 60_000,
        ),
    );
    let t = render(&m);
    let screen = t.backend().to_string();
    assert!(screen.contains("call: ok in 3 ms"), "{screen}");
    assert!(screen.contains("Events within 2 s: 2"), "{screen}");
    assert!(!screen.contains("hardwareChanged"));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn explorer_chat_error_80x24() {
    let mut m = explorer(80, 24);
    key(&mut m, KeyCode::Tab, KeyModifiers::NONE);
    for c in "getchatbyid".chars() {
        key(&mut m, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    // The cursor waits in the empty chatId.
    for c in "none".chars() {
        key(&mut m, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    update(
        &mut m,
        Msg::ExplorerReply {
            id: 1,
            sent_at_ms: 1,
            rtt_ms: 2,
            outcome: Err(trueconf_console::script::Refusal {
                code: Some(304),
                text: "chat not found (304)".into(),
                reply: serde_json::Value::Null,
            }),
        },
    );
    let t = render(&m);
    assert!(t.backend().to_string().contains("✗ 304 CHAT_NOT_FOUND"));
    insta::assert_snapshot!(t.backend());
}

/// getAppState's reply, as the Room sends it.
fn app_state_reply() -> serde_json::Value {
    serde_json::json!({"requestId": "3", "method": "getAppState", "result": true, "appState": 3,
        "embeddedHttpPort": 8766, "extStatus": 2, "additionalStatus": "",
        "desktopSharing": {"running": false}, "broadcastPicture": {"running": false},
        "audioCaptureTest": false, "recording": false})
}

/// The explorer at 80×24 with getAppState sent and answered, the request in the editor.
fn app_state_answered() -> Model {
    let mut m = explorer(80, 24);
    for c in "getappstate".chars() {
        key(&mut m, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    update(
        &mut m,
        Msg::ExplorerReply {
            id: 1,
            sent_at_ms: 1,
            rtt_ms: 4,
            outcome: Ok(app_state_reply()),
        },
    );
    m
}

#[test]
fn explorer_reply_scrolled_80x24() {
    let mut m = app_state_answered();
    let top = render(&m).backend().to_string();
    assert!(top.contains("\"additionalStatus\": \"\""), "{top}");
    assert!(
        !top.contains("recording"),
        "the reply is longer than its pane: {top}"
    );
    // PgDn from the request scrolls the reply: its end comes into view, and says where it is.
    key(&mut m, KeyCode::PageDown, KeyModifiers::NONE);
    key(&mut m, KeyCode::PageDown, KeyModifiers::NONE);
    let t = render(&m);
    let screen = t.backend().to_string();
    assert!(screen.contains("\"recording\": false"), "{screen}");
    assert!(screen.contains("Events within 2 s: none"), "{screen}");
    assert!(screen.contains("of 18 "), "the position: {screen}");
    assert!(!screen.contains("additionalStatus"), "scrolled: {screen}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn explorer_reply_scrolled_160x48() {
    // A reply long enough to scroll at 160×48 too: sixty entries in it.
    let mut m = explorer(160, 48);
    for c in "getappstate".chars() {
        key(&mut m, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    let abook: Vec<serde_json::Value> = (1..=60)
        .map(|i| serde_json::json!({"peerId": format!("user{i}@video.example.com"), "peerDn": format!("User {i}"), "status": i % 4}))
        .collect();
    update(
        &mut m,
        Msg::ExplorerReply {
            id: 1,
            sent_at_ms: 1,
            rtt_ms: 4,
            outcome: Ok(
                serde_json::json!({"requestId": "3", "method": "getAppState", "result": true, "appState": 3, "contacts": abook}),
            ),
        },
    );
    let top = render(&m).backend().to_string();
    assert!(
        !top.contains("user60@"),
        "the reply is longer than its pane"
    );
    for _ in 0..20 {
        key(&mut m, KeyCode::PageDown, KeyModifiers::NONE);
    }
    let t = render(&m);
    let screen = t.backend().to_string();
    assert!(screen.contains("user60@video.example.com"), "{screen}");
    assert!(screen.contains("of 309 "), "clamped at the end: {screen}");
    assert!(
        !screen.contains("user1@video.example.com"),
        "scrolled: {screen}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn explorer_reply_full_screen_with_a_search_80x24() {
    let mut m = app_state_answered();
    key(&mut m, KeyCode::Char('r'), KeyModifiers::CONTROL);
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    for c in "/running".chars() {
        key(&mut m, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    let t = render(&m);
    let screen = t.backend().to_string();
    // The whole reply at once, the search's place in the footer, the way back in the hints.
    for s in [
        "\"requestId\": \"3\"",
        "\"recording\": false",
        "1–18 of 18 · match 1 of 2",
        "Esc back to the panes",
    ] {
        assert!(screen.contains(s), "{s}: {screen}");
    }
    assert!(
        !screen.contains("Calls & conferences"),
        "the list gives way: {screen}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn an_uncertain_message_says_checking_and_a_silent_link_is_not_online() {
    use trueconf_console::app::{OutState, Outgoing};
    use trueconf_console::chat::ChatLinkEvent;
    use trueconf_console::link::LinkStatus;
    for (w, h) in [(80, 24), (160, 48)] {
        let mut m = with_chats(w, h);
        let item = |id, text: &str, state| Outgoing {
            local_id: id,
            state,
            ..Outgoing::new("c2".into(), text.into(), "text")
        };
        m.composer.outbox = vec![
            item(1, "cut off", OutState::Uncertain),
            item(2, "refused", OutState::Failed("too long (400)".into())),
        ];
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Status(LinkStatus::Unresponsive { secs: 8 })),
        );
        let t = render(&m);
        let screen: String = t
            .backend()
            .buffer()
            .content()
            .chunks(w as usize)
            .map(|row| {
                row.iter()
                    .map(ratatui::buffer::Cell::symbol)
                    .collect::<String>()
                    + "\n"
            })
            .collect();
        assert!(
            screen.contains("to be checked when the link is back"),
            "{screen}"
        );
        assert_eq!(
            screen.matches("not sent").count(),
            1,
            "only the refused one: {screen}"
        );
        assert!(
            screen.contains("silent") || screen.contains("not answering"),
            "{screen}"
        );
        assert!(!screen.contains("online"), "{screen}");
    }
}

/// The demo's three rooms: the Board room shown and idle, the Huddle ringing (its call
/// dialog up, named), the Lobby in a call with its microphone off.
fn fleet_ringing(w: u16, h: u16) -> Model {
    use trueconf_console::link::LinkStatus;
    use trueconf_console::room::RoomEvent;
    let mut m = demo(w, h);
    let lobby = in_a_call(w, h).room.slot(0).unwrap().clone();
    for (i, slot) in m.room.slots.iter_mut().enumerate() {
        slot.link = LinkStatus::Authorized;
        slot.state = known_idle();
        if i == 2 {
            *slot = lobby.clone();
        }
    }
    let huddle = m.room.slot_mut(1).unwrap();
    huddle.state.app_state = Some(trueconf_console::room::AppState::Wait);
    huddle.state.apply_event(&RoomEvent::InviteReceived {
        peer_id: "dave@video.example.com".into(),
        peer_dn: "Dave Brown".into(),
        conf_type: 0,
        conf_id: "c9".into(),
        conf_title: None,
    });
    huddle.ring_secs = 4;
    m
}

#[test]
fn rooms_strip_with_a_ringing_room_not_shown_80x24_and_160x48() {
    for (w, h) in [(80, 24), (160, 48)] {
        let m = fleet_ringing(w, h);
        let t = render(&m);
        let text = t.backend().to_string();
        assert!(text.contains("Incoming call · Huddle"), "{text}");
        assert!(text.contains("On Huddle (shown: Board room)"), "{text}");
        assert!(text.contains("2 Huddle ☎ ringing"), "{text}");
        assert!(text.contains("3 Lobby ● call 12:34 m✗"), "{text}");
        insta::assert_snapshot!(format!("rooms_strip_ringing_{w}x{h}"), t.backend());
    }
}

/// Fifty rooms on an 80-column strip: the shown one and the ringing one stay on it, the rest
/// are counted.
#[test]
fn a_long_rooms_strip_keeps_the_shown_and_the_ringing_rooms() {
    use std::fmt::Write;
    use trueconf_console::link::LinkStatus;
    use trueconf_console::room::RoomEvent;
    let mut text = String::new();
    for k in 1..=50 {
        let _ = write!(
            text,
            "[[room]]\nname = \"Room {k}\"\nhost = \"10.0.0.{k}\"\n"
        );
    }
    let mut m = configured(&text, 80, 24);
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)),
    );
    assert_eq!(m.room.active, Some(1));
    let s = m.room.slot_mut(40).unwrap();
    s.link = LinkStatus::Authorized;
    s.state = known_idle();
    s.state.apply_event(&RoomEvent::InviteReceived {
        peer_id: "dave@video.example.com".into(),
        peer_dn: "Dave Brown".into(),
        conf_type: 0,
        conf_id: "c9".into(),
        conf_title: None,
    });
    let t = render(&m);
    let screen = t.backend().to_string();
    let strip = screen.lines().next().unwrap();
    assert!(strip.contains("2 Room 2"), "{strip}");
    assert!(strip.contains("41 Room 41 ☎ ringing"), "{strip}");
    assert!(
        strip.contains(" +4"),
        "the hidden rooms are counted: {strip}"
    );
    assert!(
        !strip.contains("1 Room 1 "),
        "room 1 is before the shown one: {strip}"
    );
}

/// The Huddle's call history over the panes: a missed call, one in, one out, and one the
/// Room said little about; the Lobby's unviewed missed call counted on the strip.
#[test]
fn call_history_80x24_and_160x48() {
    use trueconf_console::app::{CallsState, CallsView, Mode};
    use trueconf_console::link::LinkStatus;
    let body = serde_json::json!({"lastView": 1_764_770_000, "calls": [
        {"type": 2, "peerId": "carol@video.example.com", "peerDn": "Carol White", "startTime": 1_764_781_500, "duration": 0, "viewed": false},
        {"type": 0, "peerId": "dave@video.example.com", "peerDn": "Dave \u{1b}[2JBrown", "startTime": 1_764_777_000, "duration": 754, "viewed": true},
        {"type": 1, "peerId": "alice@video.example.com", "peerDn": "Alice Johnson", "startTime": 1_764_700_000, "duration": 65},
        {"type": 9, "peerId": "x@video.example.com"}
    ]});
    let h = trueconf_console::room::history::parse(body.as_object().unwrap());
    for (w, hgt) in [(80, 24), (160, 48)] {
        let mut m = demo(w, hgt);
        for s in &mut m.room.slots {
            s.link = LinkStatus::Authorized;
            s.state = known_idle();
        }
        m.room.slot_mut(2).unwrap().missed = Some(1);
        m.room.active = Some(1);
        m.mode = Mode::Calls(CallsView {
            room: 1,
            state: CallsState::Ready(h.calls.clone()),
            selected: 1,
        });
        let t = render(&m);
        let text = t.backend().to_string();
        assert!(!text.contains('\u{1b}'), "a name cannot drive the terminal");
        assert!(text.contains("3 Lobby idle ✗1 missed"), "{text}");
        assert!(text.contains("Calls · Huddle · 4"), "{text}");
        insta::assert_snapshot!(format!("call_history_{w}x{hgt}"), t.backend());
    }
}

/// The devices view: the lists the Room gave, the current one of each marked, a camera
/// whose current one the Room did not say.
#[test]
fn devices_view_80x24() {
    use trueconf_console::app::Mode;
    use trueconf_console::link::LinkStatus;
    use trueconf_console::room::state::{Device, Devices};
    let dev = |n: &str, d: &str| Device {
        name: n.into(),
        description: d.into(),
    };
    let mut m = demo(80, 24);
    m.room.link = LinkStatus::Authorized;
    m.room.state = known_idle();
    m.room.state.devices = Devices {
        microphones: vec![
            dev("Simulated microphone", "m0"),
            dev("USB \u{1b}]0;x\u{7}speakerphone", "m1"),
        ],
        speakers: vec![
            dev("Simulated speakers", "s0"),
            dev("HDMI display audio", "s1"),
        ],
        cameras: vec![dev("Simulated PTZ camera", "c0")],
        microphone: Some("Simulated microphone".into()),
        speaker: Some("HDMI display audio".into()),
        camera: None,
    };
    m.mode = Mode::Devices {
        room: 0,
        selected: 3,
    };
    let t = render(&m);
    let text = t.backend().to_string();
    assert!(text.contains("▶● HDMI display audio"), "{text}");
    assert!(text.contains("Camera (the one in use: unknown)"), "{text}");
    assert!(!text.contains('\u{1b}'));
    insta::assert_snapshot!(t.backend());
}

/// Ten rooms ringing on an 80-column strip of fifty: the shown room stays on it whatever
/// rings, the rings that do not fit are counted, and the dialog says how many more wait.
#[test]
fn the_shown_room_stays_on_a_crowded_strip_and_hidden_rings_are_counted() {
    use std::fmt::Write;
    use trueconf_console::link::LinkStatus;
    use trueconf_console::room::RoomEvent;
    let mut text = String::new();
    for k in 1..=50 {
        let _ = write!(
            text,
            "[[room]]\nname = \"Room {k}\"\nhost = \"10.0.0.{k}\"\n"
        );
    }
    let mut m = configured(&text, 80, 24);
    m.room.active = Some(29);
    for i in (0..50).step_by(5) {
        let s = m.room.slot_mut(i).unwrap();
        s.link = LinkStatus::Authorized;
        s.state = known_idle();
        s.state.apply_event(&RoomEvent::InviteReceived {
            peer_id: "dave@video.example.com".into(),
            peer_dn: "Dave Brown".into(),
            conf_type: 0,
            conf_id: format!("c{i}"),
            conf_title: None,
        });
    }
    let t = render(&m);
    let screen = t.backend().to_string();
    let strip = screen.lines().next().unwrap();
    assert!(strip.contains("30 Room 30"), "the shown room: {strip}");
    let shown_ringing = strip.matches("☎ ringing").count();
    assert!(shown_ringing >= 1, "{strip}");
    assert!(
        strip.contains(&format!("☎{}", 10 - shown_ringing)),
        "the hidden rings counted: {strip}"
    );
    assert!(
        screen.contains("9 more ringing: Room 6, Room 11"),
        "{screen}"
    );
}

/// The address book (`b`): every presence the Room can say, a note, when last seen, and a
/// hostile note drawn inert.
/// The demo at `w`×`h`, its Board room online with seven contacts of every presence.
fn with_address_book(w: u16, h: u16) -> Model {
    use trueconf_console::room::RoomLinkEvent;
    use trueconf_console::room::state::{Contact, Peer, Presence};
    // id, name, status, extStatus, last online, note.
    type Person<'a> = (&'a str, &'a str, i64, Option<i64>, Option<i64>, &'a str);
    let people: [Person; 7] = [
        ("alice", "Alice Johnson", 1, Some(2), None, ""),
        ("bob", "Bob Smith", 2, Some(7), None, "in a meeting"),
        ("carol", "Carol White", 0, Some(0), Some(1_764_770_000), ""),
        ("dave", "Dave Brown", 5, Some(10), None, ""),
        ("eve", "Eve", 1, Some(6), None, "back \u{1b}[2Jsoon"),
        ("frank", "Frank", 1, Some(5), None, ""),
        ("grace", "Grace", -1, None, None, ""),
    ];
    let mut m = demo(w, h);
    m.ui.now_ms = 1_764_780_800_000;
    let mut s = known_idle();
    s.contacts = people
        .iter()
        .map(|(id, name, status, ext, seen, note)| Contact {
            peer: Peer {
                id: format!("{id}@video.example.com"),
                name: (*name).into(),
            },
            status: *status,
            presence: Presence {
                ext_status: *ext,
                last_online: *seen,
                note: (*note).into(),
            },
        })
        .collect();
    update(
        &mut m,
        Msg::Room(
            0,
            RoomLinkEvent::Status(trueconf_console::link::LinkStatus::Authorized),
        ),
    );
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(s))));
    m
}

#[test]
fn address_book_80x24_and_160x48() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut m = with_address_book(w, h);
        key(&mut m, KeyCode::Char('b'), KeyModifiers::NONE);
        let t = render(&m);
        let text = t.backend().to_string();
        assert!(text.contains("Address book · Board room"), "{text}");
        assert!(text.contains("offline, seen 3 h ago"), "{text}");
        assert!(!text.contains('\u{1b}'));
        insta::assert_snapshot!(format!("address_book_{w}x{h}"), t.backend());
    }
}

/// The form for a conference with two contacts marked, the server and account view with the
/// transitions seen, and the login form with a password typed: drawn as dots.
#[test]
fn conference_form_account_view_and_login_form_80x24() {
    use trueconf_console::room::{RoomEvent, RoomLinkEvent};
    let mut m = with_address_book(80, 24);
    key(&mut m, KeyCode::Char('b'), KeyModifiers::NONE);
    for k in [
        KeyCode::Down,
        KeyCode::Tab,
        KeyCode::Down,
        KeyCode::Down,
        KeyCode::Tab,
    ] {
        key(&mut m, k, KeyModifiers::NONE);
    }
    let text = render(&m).backend().to_string();
    assert!(text.contains("2 marked"), "{text}");
    insta::assert_snapshot!("address_book_marked_80x24", render(&m).backend());
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    key(&mut m, KeyCode::Tab, KeyModifiers::NONE);
    key(&mut m, KeyCode::Right, KeyModifiers::NONE);
    let text = render(&m).backend().to_string();
    assert!(text.contains("Invites Alice Johnson, Dave Brown"), "{text}");
    insta::assert_snapshot!("new_conference_form_80x24", render(&m).backend());
    key(&mut m, KeyCode::Esc, KeyModifiers::NONE);
    key(&mut m, KeyCode::Esc, KeyModifiers::NONE);
    for (at, e) in [
        (
            1_764_780_000_000,
            RoomEvent::Logout {
                result: Some(0),
                cause: Some(0),
            },
        ),
        (
            1_764_780_000_000,
            RoomEvent::AppStateChanged {
                state: trueconf_console::room::AppState::Login,
                raw: Default::default(),
            },
        ),
        (
            1_764_780_030_000,
            RoomEvent::Login {
                result: 3,
                peer_id: "operator".into(),
                peer_dn: String::new(),
            },
        ),
    ] {
        m.ui.now_ms = at;
        update(&mut m, Msg::Room(0, RoomLinkEvent::Event(e)));
    }
    // The state the events left (the link's snapshot follows its events).
    let mut st = m.room.state.clone();
    st.app_state = Some(trueconf_console::room::AppState::Login);
    st.login = trueconf_console::room::state::Login::LoggedOut;
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    key(&mut m, KeyCode::Char('A'), KeyModifiers::NONE);
    let text = render(&m).backend().to_string();
    assert!(
        text.contains("login failed: wrong login or password"),
        "{text}"
    );
    insta::assert_snapshot!("account_view_80x24", render(&m).backend());
    key(&mut m, KeyCode::Char('l'), KeyModifiers::NONE);
    key(&mut m, KeyCode::Char('u'), KeyModifiers::CONTROL);
    for c in "operator".chars() {
        key(&mut m, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(&mut m, KeyCode::Tab, KeyModifiers::NONE);
    for c in "hunter2!".chars() {
        key(&mut m, KeyCode::Char(c), KeyModifiers::NONE);
    }
    let text = render(&m).backend().to_string();
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("Password: ••••••••"), "{text}");
    insta::assert_snapshot!("login_form_masked_80x24", render(&m).backend());
}

/// A picture in the history at 160x48: its preview in half blocks under its line (asked for
/// when the page came, made from a test card); with `images = "off"`, the line alone.
#[test]
fn image_preview_160x48_halfblocks_and_off() {
    use serde_json::json;
    use trueconf_console::app::Cmd;
    use trueconf_console::chat::types::Envelope;
    for on in [true, false] {
        let mut m = with_chats(160, 48);
        m.ui.term.images = on;
        let e = |id: &str, bx: u64, content: serde_json::Value, kind: i64| {
            Envelope::from_value(&json!({"chatId": "c2", "messageId": id,
                "timestamp": 1_795_000_000_000u64 + bx * 60_000, "type": kind,
                "author": {"id": "alice@video.example.com", "type": 1},
                "box": {"id": bx, "position": ""}, "content": content}))
            .unwrap()
        };
        let page = vec![
            e(
                "t2",
                3,
                json!({"text": "Here is the room from the door.", "parseMode": "text"}),
                200,
            ),
            e(
                "p1",
                2,
                json!({"name": "room.png", "mimeType": "image/png", "size": 2_900, "fileId": "P1"}),
                202,
            ),
            e(
                "t1",
                1,
                json!({"text": "A picture:", "parseMode": "text"}),
                200,
            ),
        ];
        let cmds = update(
            &mut m,
            Msg::HistoryLoaded {
                chat_id: "c2".into(),
                before: None,
                result: Ok(page),
            },
        );
        let asked = cmds
            .iter()
            .any(|c| matches!(c, Cmd::Preview { file_id } if file_id == "P1"));
        assert_eq!(asked, on, "{cmds:?}");
        if on {
            let screen = render(&m).backend().to_string();
            assert!(screen.contains("… preview loading"), "{screen}");
            let thumb = trueconf_console::preview::decode(
                &trueconf_console::preview::test_card(160, 96, 40),
                48,
                12,
            )
            .unwrap();
            update(
                &mut m,
                Msg::Preview {
                    file_id: "P1".into(),
                    result: Ok(thumb),
                    graphic: None,
                },
            );
        }
        let t = render(&m);
        let screen = t.backend().to_string();
        assert!(screen.contains("📎 room.png"), "{screen}");
        assert_eq!(screen.contains('▀'), on, "{screen}");
        if on {
            // The disc's colour in the middle of the preview, as the cells' colours.
            let buf = t.backend().buffer();
            let disc = ratatui::style::Color::Rgb(255, 215, 40);
            assert!(
                buf.content()
                    .iter()
                    .any(|c| c.symbol() == "▀" && c.fg == disc),
                "the picture's colours"
            );
            insta::assert_snapshot!("image_preview_160x48", t.backend());
        } else {
            insta::assert_snapshot!("image_preview_off_160x48", t.backend());
        }
    }
}
