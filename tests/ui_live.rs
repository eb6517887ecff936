//! The live camera view on screen (ratatui's `TestBackend`): the simulator's test card in
//! half blocks at 160×48 with the frame's age and the camera's position, an old frame said
//! to be old, and the "no picture" states with their reasons.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use trueconf_console::app::{Cmd, LiveTrouble, Mode, Model, Msg, update};
use trueconf_console::config::Config;
use trueconf_console::graphics::Whole;
use trueconf_console::link::LinkStatus;
use trueconf_console::room::RoomLinkEvent;
use trueconf_console::room::camera::NoFrame;
use trueconf_console::room::state::RoomState;
use trueconf_console::sim::room::frames::{camera_frame, read_strip};
use trueconf_console::{preview, ui};

/// When the frames in these tests were fetched (Unix ms).
const AT: u64 = 1_795_000_000_000;

fn render(m: &Model) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(m.ui.size.0, m.ui.size.1)).unwrap();
    t.draw(|f| ui::view(m, f)).unwrap();
    t
}

/// A console of `w`×`h` whose room is online, its camera at pan 40, its broadcast `on`,
/// with the live view open (W).
fn watching(w: u16, h: u16, on: bool) -> Model {
    let mut m = Model::demo(&Config::default(), (w, h), false);
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    let ptz = serde_json::json!({"pan": {"value": 40, "min": -100, "max": 100},
        "tilt": {"value": 0, "min": -100, "max": 100}, "zoom": {"value": 0, "min": 0, "max": 100}});
    let mut s = RoomState::default();
    s.apply_reply("getPtzControls", ptz.as_object().unwrap());
    s.selfie_broadcast = Some(on);
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(s))));
    m.ui.now_ms = AT;
    let cmds = update(&mut m, Msg::Key(key('W')));
    assert!(matches!(m.mode, Mode::Live(_)), "{:?}", m.mode);
    // Half blocks unless [ui] camera_graphics asks for the protocol.
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::LiveFeed(Some(f)) if !f.graphics))
    );
    m
}

fn key(c: char) -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char(c),
        crossterm::event::KeyModifiers::NONE,
    )
}

/// The simulator's test card for the room "Board room" at pan 40, made to fit the view.
fn frame(m: &Model) -> Whole {
    let Mode::Live(v) = &m.mode else {
        panic!("not watching")
    };
    let jpeg = camera_frame("Board room", [40, 0, 0], (AT / 1000) as u32, None).unwrap();
    let img = image::load_from_memory(&jpeg).unwrap();
    Whole::Cells(Arc::new(preview::fill(&img, v.cells.0, v.cells.1)))
}

fn shown(m: &mut Model, fetched: u64) {
    let w = frame(m);
    update(
        m,
        Msg::LiveFrame {
            room: 0,
            peer: None,
            result: Ok((w, fetched)),
        },
    );
}

#[test]
fn live_view_160x48() {
    let mut m = watching(160, 48, true);
    shown(&mut m, AT - 400);
    let t = render(&m);
    insta::assert_snapshot!(t.backend());
    // What the cells show is the camera's picture: its strip reads back.
    let buf = t.backend().buffer();
    let (mut x0, mut y0, mut x1, mut y1) = (u16::MAX, u16::MAX, 0, 0);
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            if buf[(x, y)].symbol() == "▀" {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
    }
    let mut img = image::RgbImage::new(u32::from(x1 - x0 + 1), u32::from(y1 - y0 + 1) * 2);
    let rgb = |c: ratatui::style::Color| match c {
        ratatui::style::Color::Rgb(r, g, b) => [r, g, b],
        _ => [0; 3],
    };
    for y in y0..=y1 {
        for x in x0..=x1 {
            let cell = &buf[(x, y)];
            let (px, py) = (u32::from(x - x0), u32::from(y - y0) * 2);
            img.put_pixel(px, py, image::Rgb(rgb(cell.fg)));
            img.put_pixel(px, py + 1, image::Rgb(rgb(cell.bg)));
        }
    }
    let (name, secs) = read_strip(&image::DynamicImage::ImageRgb8(img)).unwrap();
    assert_eq!((name.as_str(), u64::from(secs)), ("Board room", AT / 1000));
}

#[test]
fn an_old_frame_is_said_to_be_old_not_live() {
    let mut m = watching(160, 48, true);
    shown(&mut m, AT - 400);
    let screen = render(&m).backend().to_string();
    assert!(screen.contains("Camera · Board room · live"), "{screen}");
    assert!(screen.contains("pan 40 · tilt 0 · zoom 0"), "{screen}");
    // Nothing new for 12 s (a frozen Room): the title and the footer say how old.
    m.ui.now_ms = AT + 11_600;
    update(&mut m, Msg::Tick);
    let screen = render(&m).backend().to_string();
    assert!(
        screen.contains("Camera · Board room · 12 s old"),
        "{screen}"
    );
    assert!(
        screen.contains("the Room has sent no new frame for 12 s"),
        "{screen}"
    );
    // The link drops: the last frame stays, with why nothing new comes.
    update(
        &mut m,
        Msg::Room(
            0,
            RoomLinkEvent::Status(LinkStatus::Disconnected {
                reason: "connection reset".into(),
            }),
        ),
    );
    let screen = render(&m).backend().to_string();
    assert!(
        screen.contains("no new frame for 12 s: the Room link: disconnected: connection reset"),
        "{screen}"
    );
    assert!(screen.contains('▀'));
    // What the feed says meanwhile does not take turns with the link's state.
    update(
        &mut m,
        Msg::LiveFrame {
            room: 0,
            peer: None,
            result: Err(LiveTrouble::Fetch(NoFrame::Unreachable {
                addr: "127.0.0.1:8766".into(),
                why: "error sending request".into(),
            })),
        },
    );
    let screen = render(&m).backend().to_string();
    assert!(
        screen.contains("the Room link: disconnected") && !screen.contains("the Room's HTTP"),
        "{screen}"
    );
    // Back up: a refused token after frames were shown says what helps in the footer.
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    update(
        &mut m,
        Msg::LiveFrame {
            room: 0,
            peer: None,
            result: Err(LiveTrouble::Fetch(NoFrame::Refused { status: 401 })),
        },
    );
    let screen = render(&m).backend().to_string();
    assert!(
        screen.contains("no new frame for 12 s (r tries again): the Room's HTTP server refused"),
        "{screen}"
    );
    // The same frame made again (for a new size) is not a new one: the reason stays.
    shown(&mut m, AT - 400);
    let screen = render(&m).backend().to_string();
    assert!(screen.contains("(r tries again)"), "{screen}");
    // ? shows the view's keys, and hides them.
    update(&mut m, Msg::Key(key('?')));
    assert!(render(&m).backend().to_string().contains("Camera keys"));
    update(&mut m, Msg::Key(key('?')));
    assert!(!render(&m).backend().to_string().contains("Camera keys"));
}

#[test]
fn at_a_low_rate_an_awaited_frame_is_old_but_the_room_is_not_blamed() {
    let mut m = watching(100, 30, true);
    // One frame every 5 s.
    m.ui.term.camera_every_ms = 5_000;
    shown(&mut m, AT);
    m.ui.now_ms = AT + 5_000;
    let screen = render(&m).backend().to_string();
    assert!(screen.contains("Camera · Board room · 5 s old"), "{screen}");
    assert!(!screen.contains("no new frame"), "{screen}");
    // Two intervals and more: the Room is late.
    m.ui.now_ms = AT + 11_500;
    let screen = render(&m).backend().to_string();
    assert!(
        screen.contains("the Room has sent no new frame for 11 s"),
        "{screen}"
    );
}

#[test]
fn live_view_no_picture_160x48() {
    let mut m = watching(160, 48, false);
    update(
        &mut m,
        Msg::LiveFrame {
            room: 0,
            peer: None,
            result: Err(LiveTrouble::Fetch(NoFrame::Status {
                status: 404,
                why: "the self-view broadcast is off (setBroadcastSelfie)".into(),
            })),
        },
    );
    insta::assert_snapshot!(render(&m).backend());
    // The status bar says first what helps: y.
    let last = render(&m).backend().to_string();
    let bar = last.lines().last().unwrap().to_string();
    assert!(bar.contains("y broadcast on  Esc close"), "{bar}");
    // y turns it on, with the frame rate asked; leaving turns it off again.
    let cmds = update(&mut m, Msg::Key(key('y')));
    assert_eq!(
        cmds,
        vec![Cmd::Broadcast {
            room: 0,
            fps: Some(2)
        }]
    );
    let cmds = update(
        &mut m,
        Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Esc,
            crossterm::event::KeyModifiers::NONE,
        )),
    );
    assert!(cmds.contains(&Cmd::LiveFeed(None)), "{cmds:?}");
    assert!(
        cmds.contains(&Cmd::Broadcast { room: 0, fps: None }),
        "{cmds:?}"
    );
    assert_eq!(m.mode, Mode::Normal);
}

#[test]
fn each_reason_for_no_picture_is_said_with_what_helps() {
    let cases: Vec<(LiveTrouble, &str, &str)> = vec![
        (
            LiveTrouble::Fetch(NoFrame::Refused { status: 401 }),
            "refused a fresh token too (401)",
            "r asks for a new token and tries again",
        ),
        (
            LiveTrouble::Fetch(NoFrame::Unreachable {
                addr: "127.0.0.1:8766".into(),
                why: "connection refused".into(),
            }),
            "the Room's HTTP server at 127.0.0.1:8766: connection refused",
            "trying again every 2 s",
        ),
        (
            LiveTrouble::Decode("not a picture \u{1b}[31mred".into()),
            "a frame came but cannot be shown (not a picture red)",
            "trying again every 2 s",
        ),
        (
            LiveTrouble::Fetch(NoFrame::NoPort),
            "has not said its HTTP port (no embeddedHttpPort yet",
            "trying again every 2 s",
        ),
    ];
    for (trouble, why, help) in cases {
        let mut m = watching(100, 30, true);
        update(
            &mut m,
            Msg::LiveFrame {
                room: 0,
                peer: None,
                result: Err(trouble.clone()),
            },
        );
        let screen = render(&m).backend().to_string();
        assert!(
            screen.contains("Camera · Board room · no picture"),
            "{screen}"
        );
        assert!(screen.contains(why), "{trouble:?}: {why}\n{screen}");
        assert!(screen.contains(help), "{trouble:?}: {help}\n{screen}");
        assert!(!screen.contains('\u{1b}'));
        // y does nothing here: the broadcast is on.
        assert!(update(&mut m, Msg::Key(key('y'))).is_empty());
    }
}

/// The room's state with a call of Alice and Bob besides the room.
fn in_a_call(m: &mut Model) -> Vec<Cmd> {
    let mut s = m.room.slot(0).unwrap().state.clone();
    let body = |v: serde_json::Value| v.as_object().unwrap().clone();
    s.apply_reply(
        "getConferences",
        &body(serde_json::json!({"confId": "c1", "confTitle": "Weekly", "confType": 1})),
    );
    s.apply_reply(
        "getConferenceParticipants",
        &body(serde_json::json!({"participants": [
            {"peerId": "alice@video.example.com", "peerDn": "Alice Johnson", "video": 2},
            {"peerId": "bob@video.example.com", "peerDn": "Bob \u{1b}[2JSmith", "video": 1}]})),
    );
    update(m, Msg::Room(0, RoomLinkEvent::State(Box::new(s))))
}

fn feed_peers(cmds: &[Cmd]) -> Option<Vec<String>> {
    cmds.iter().find_map(|c| match c {
        Cmd::LiveFeed(Some(f)) => Some(f.peers.clone()),
        _ => None,
    })
}

#[test]
fn live_view_with_participants_160x48() {
    let mut m = watching(160, 48, true);
    // The call's participants: the feed asks for their pictures too.
    let peers = feed_peers(&in_a_call(&mut m)).unwrap();
    assert_eq!(peers, ["alice@video.example.com", "bob@video.example.com"]);
    shown(&mut m, AT - 400);
    let jpeg = camera_frame("Alice Johnson", [0, 0, 0], (AT / 1000) as u32, None).unwrap();
    let img = image::load_from_memory(&jpeg).unwrap();
    let tile = trueconf_console::app::live::TILE;
    update(
        &mut m,
        Msg::LiveFrame {
            room: 0,
            peer: Some("alice@video.example.com".into()),
            result: Ok((
                Whole::Cells(Arc::new(preview::fill(&img, tile.0, tile.1))),
                AT - 200,
            )),
        },
    );
    update(
        &mut m,
        Msg::LiveFrame {
            room: 0,
            peer: Some("bob@video.example.com".into()),
            result: Err(LiveTrouble::Fetch(NoFrame::Status {
                status: 404,
                why: "no frames for this peer".into(),
            })),
        },
    );
    let t = render(&m);
    insta::assert_snapshot!(t.backend());
    let screen = t.backend().to_string();
    assert!(screen.contains("Alice Johnson"), "{screen}");
    assert!(screen.contains("Bob Smith"), "{screen}");
    assert!(screen.contains("the Room serves no picture"), "{screen}");
    // A participant leaves: the tiles follow, and the feed asks for the one left.
    let mut s = m.room.slot(0).unwrap().state.clone();
    s.conference.as_mut().unwrap().participants.remove(1);
    let cmds = update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(s))));
    assert_eq!(feed_peers(&cmds).unwrap(), ["alice@video.example.com"]);
    let screen = render(&m).backend().to_string();
    assert!(!screen.contains("Bob Smith"), "{screen}");
}

#[test]
fn a_narrow_screen_names_the_participants_and_asks_for_no_tiles() {
    let mut m = watching(80, 24, true);
    let peers = feed_peers(&in_a_call(&mut m)).unwrap();
    assert!(peers.is_empty(), "{peers:?}");
    shown(&mut m, AT - 400);
    let screen = render(&m).backend().to_string();
    assert!(
        screen.contains("In the call: Alice Johnson, Bob Smith"),
        "{screen}"
    );
    assert!(screen.contains("Camera · Board room · live"), "{screen}");
    // Wider: the tiles come, and the feed asks for them.
    let cmds = update(&mut m, Msg::Resize(160, 48));
    assert_eq!(feed_peers(&cmds).unwrap().len(), 2);
    // Too small to show anything: no frames are fetched until it is larger again.
    let cmds = update(&mut m, Msg::Resize(40, 10));
    assert!(cmds.contains(&Cmd::LiveFeed(None)), "{cmds:?}");
    let mut s = m.room.slot(0).unwrap().state.clone();
    s.conference.as_mut().unwrap().participants.remove(1);
    let cmds = update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(s))));
    assert!(
        cmds.iter().all(|c| !matches!(c, Cmd::LiveFeed(_))),
        "{cmds:?}"
    );
    let cmds = update(&mut m, Msg::Resize(160, 48));
    assert_eq!(
        feed_peers(&cmds).unwrap(),
        ["alice@video.example.com"],
        "{cmds:?}"
    );
}
