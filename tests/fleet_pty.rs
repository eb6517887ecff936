//! The operator's rooms through a real pseudo-terminal: `--demo` runs three simulated Rooms,
//! every one linked at once, and a call to a room that is not the one shown rings there.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::{Home, PtyApp, click, locate};

/// The screen's first row: the rooms strip.
fn strip(app: &PtyApp) -> String {
    app.contents()
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The Room pane's first row inside its border: the shown room's name.
fn shown_room(app: &PtyApp) -> String {
    let screen = app.contents();
    let row = screen.lines().nth(2).unwrap_or_default();
    row.split('│').nth(1).unwrap_or_default().trim().to_string()
}

#[test]
fn a_call_to_a_room_not_shown_rings_with_its_name_and_is_accepted_there() {
    let home = Home::new();
    let mut app = PtyApp::spawn(&["--demo", "--demo-call-after", "1"], &home.env(), 80, 24);
    app.wait_for("all three rooms online", |s| {
        let top = s.contents().lines().next().unwrap_or_default().to_string();
        top.contains("1 Board room idle")
            && top.contains("2 Huddle idle")
            && top.contains("3 Lobby idle")
    });
    assert_eq!(shown_room(&app), "Board room");
    // The demo world's caller rings the second room.
    app.wait_for_text("Incoming call · Huddle");
    assert!(app.contents().contains("On Huddle (shown: Board room)"));
    assert!(
        strip(&app).contains("2 Huddle ☎ ringing"),
        "{}",
        strip(&app)
    );
    assert_eq!(
        shown_room(&app),
        "Board room",
        "the room shown is unchanged"
    );
    // `a` accepts it on the Huddle.
    app.send(b"a");
    app.wait_for("the Huddle in a call", |s| {
        let c = s.contents();
        c.lines()
            .next()
            .unwrap_or_default()
            .contains("2 Huddle ● call")
            && !c.contains("Incoming call")
    });
    assert_eq!(shown_room(&app), "Board room", "still the Board room shown");
    assert!(
        app.contents().contains("State: ready"),
        "the Board room is idle"
    );
    assert!(strip(&app).contains("1 Board room idle"), "{}", strip(&app));
    // A click on the Huddle's chip shows it, in its call; nothing reconnects.
    let at = locate(&app, "2 Huddle");
    click(&mut app, at);
    app.wait_for("the Huddle shown", |s| {
        s.contents()
            .lines()
            .nth(2)
            .unwrap_or_default()
            .contains("Huddle")
            && s.contents().contains("State: in a call")
    });
    assert!(app.contents().contains("Link: online"));
    // Quitting during the call asks first.
    app.send(b"q");
    app.wait_for_text("A call is in progress");
    app.send(b"y");
    assert_eq!(app.wait_exit().code(), Some(0));
    app.assert_terminal_restored();
}

/// Two simulated Rooms of a fleet (Board room, Huddle) in this process, calls ringing 1 s
/// before they count as missed; stopped when dropped.
struct TwoRooms {
    sims: Vec<trueconf_console::sim::RoomSim>,
    rt: tokio::runtime::Runtime,
}

impl TwoRooms {
    fn start() -> TwoRooms {
        TwoRooms::ringing_for(std::time::Duration::from_secs(1))
    }

    /// As [`TwoRooms::start`], calls ringing `ring` before they count as missed.
    fn ringing_for(ring: std::time::Duration) -> TwoRooms {
        use std::sync::Arc;
        use trueconf_console::sim::{RoomSim, RoomSimConfig, World, fleet};
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
        let sims = rt.block_on(async {
            let mut base = RoomSimConfig::new(Arc::new(fleet::fleet_world(World::demo(), 2)));
            base.logged_in = true;
            base.call_timeout = ring;
            let mut v = Vec::new();
            for k in 1..=2 {
                v.push(
                    RoomSim::start(fleet::room_config(&base, k), any, any)
                        .await
                        .unwrap(),
                );
            }
            v
        });
        TwoRooms { sims, rt }
    }

    fn console(&self, home: &Home) -> PtyApp {
        let mut cfg = String::new();
        for (s, name) in self.sims.iter().zip(["Board room", "Huddle"]) {
            cfg.push_str(&format!(
                "[[room]]\nname = \"{name}\"\nhost = \"127.0.0.1\"\nhttp_port = {}\n",
                s.http_port()
            ));
        }
        let cfg = home.write("config.toml", &cfg);
        PtyApp::spawn(&["--config", cfg.to_str().unwrap()], &home.env(), 80, 24)
    }
}

impl Drop for TwoRooms {
    fn drop(&mut self) {
        for s in &self.sims {
            s.shutdown();
        }
    }
}

#[test]
fn an_unanswered_call_shows_as_missed_on_the_strip_and_in_the_call_history() {
    let rooms = TwoRooms::start();
    let home = Home::new();
    let mut app = rooms.console(&home);
    app.wait_for("both rooms idle", |s| {
        let top = s.contents().lines().next().unwrap_or_default().to_string();
        top.contains("1 Board room idle") && top.contains("2 Huddle idle")
    });
    // Carol calls the Huddle; nobody answers.
    {
        let _in_rt = rooms.rt.enter();
        rooms.sims[1].incoming_call("carol").unwrap();
    }
    app.wait_for_text("Incoming call · Huddle");
    app.wait_for("the missed call counted on the strip", |s| {
        let c = s.contents();
        !c.contains("Incoming call")
            && c.lines()
                .next()
                .unwrap_or_default()
                .contains("2 Huddle idle ✗1 missed")
    });
    // The Huddle shown: its pane says so too; `l` lists the calls, Carol's missed.
    app.send(b"\x12");
    app.wait_for_text("Missed: 1");
    app.send(b"l");
    app.wait_for("the call history", |s| {
        let c = s.contents();
        c.contains("Calls · Huddle · 1")
            && c.lines()
                .any(|l| l.contains("✗ missed") && l.contains("Carol"))
    });
    // Viewed now: the Room marks it so, and the count goes.
    app.wait_for("the count gone", |s| {
        !s.contents()
            .lines()
            .next()
            .unwrap_or_default()
            .contains("missed")
    });
    app.send(b"\x1b");
    app.wait_for("the view closed", |s| {
        !s.contents().contains("Calls · Huddle")
    });
    assert!(!app.contents().contains("Missed: "));
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
}

#[test]
fn choosing_a_speaker_switches_the_rooms_speaker() {
    let rooms = TwoRooms::start();
    let home = Home::new();
    let mut app = rooms.console(&home);
    app.wait_for_text("1 Board room idle");
    let speaker = |rooms: &TwoRooms| {
        rooms.sims[0].hardware()["currentAudioRendererName"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(speaker(&rooms), "Simulated speakers");
    app.send(b"D");
    app.wait_for_text("Devices · Board room");
    app.wait_for_text(" ● Simulated speakers");
    // Two microphones, then the speakers: the second speaker is the fourth row.
    app.send(b"jjj");
    app.wait_for_text("▶  HDMI display audio");
    app.send(b"\r");
    // The mark moves when the Room says it switched; the Room itself says so too.
    app.wait_for_text("▶● HDMI display audio");
    assert_eq!(speaker(&rooms), "HDMI display audio");
    assert_eq!(
        rooms.sims[1].hardware()["currentAudioRendererName"],
        "Simulated speakers",
        "the other room is untouched"
    );
    app.send(b"\x1b");
    app.wait_for("the view closed", |s| !s.contents().contains("Devices ·"));
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
}

/// Waits (up to 5 s) until `cond` holds for the simulator's state; the console's requests
/// reach it over a socket, so this is a wait on that, not a pause.
fn until(what: &str, cond: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::yield_now();
    }
}

#[test]
fn a_pan_key_moves_the_camera_a_step_and_it_stops_by_itself() {
    let rooms = TwoRooms::start();
    let home = Home::new();
    let mut app = rooms.console(&home);
    app.wait_for_text("1 Board room idle");
    assert_eq!(rooms.sims[0].ptz(), ([0, 0, 0], false));
    app.send(b"z");
    app.wait_for_text("Camera · Board room");
    app.wait_for_text("Pan: 0 (-100…100) · Tilt: 0 (-100…100)");
    app.send(b"\x1b[C");
    app.wait_for_text("Pan: 10 (-100…100)");
    until("the camera to stop", || {
        rooms.sims[0].ptz() == ([10, 0, 0], false)
    });
    // Zoom in twice; the other room's camera never moves.
    app.send(b"++");
    app.wait_for_text("Zoom: 20 (0…100)");
    until("the camera to stop", || {
        rooms.sims[0].ptz() == ([10, 0, 20], false)
    });
    assert_eq!(rooms.sims[1].ptz(), ([0, 0, 0], false));
    app.send(b"\x1b");
    app.wait_for("the aim box closed", |s| {
        !s.contents().contains("Camera · ")
    });
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
}

#[test]
fn presence_changes_in_the_simulator_appear_in_the_address_book_without_a_refresh() {
    let rooms = TwoRooms::start();
    let home = Home::new();
    let mut app = rooms.console(&home);
    app.wait_for_text("1 Board room idle");
    app.send(b"b");
    app.wait_for_text("Address book · Board room");
    let row = |app: &PtyApp, who: &str| {
        app.contents()
            .lines()
            .find(|l| l.contains(who))
            .unwrap_or_default()
            .to_string()
    };
    app.wait_for("Bob available", |s| {
        s.contents()
            .lines()
            .any(|l| l.contains("● Bob Smith") && l.contains("available"))
    });
    {
        let _in_rt = rooms.rt.enter();
        rooms.sims[0]
            .set_presence("bob", 2, 7, "in a meeting")
            .unwrap();
        rooms.sims[0].set_presence("carol", 0, 0, "").unwrap();
    }
    app.wait_for("Bob busy and Carol offline", |s| {
        let c = s.contents();
        c.lines()
            .any(|l| l.contains("◐ Bob Smith") && l.contains("busy · in a meeting"))
            && c.lines()
                .any(|l| l.contains("○ Carol") && l.contains("offline, seen just now"))
    });
    assert!(
        row(&app, "Alice").contains("available"),
        "{}",
        row(&app, "Alice")
    );
    // Typing filters it, as in the call prompt.
    app.send(b"car");
    app.wait_for("only Carol", |s| !s.contents().contains("Bob Smith"));
    app.send(b"\x1b");
    app.wait_for("closed", |s| !s.contents().contains("Address book"));
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
}

#[test]
fn the_owner_turns_a_participants_microphone_off_and_can_remove_them() {
    let rooms = TwoRooms::ringing_for(std::time::Duration::from_secs(60));
    let home = Home::new();
    let mut app = rooms.console(&home);
    app.wait_for_text("1 Board room idle");
    // Dave calls the Board room: a call of its own, which it owns.
    {
        let _in_rt = rooms.rt.enter();
        rooms.sims[0].incoming_call("dave").unwrap();
    }
    app.wait_for_text("Incoming call · Board room");
    app.send(b"a");
    app.wait_for_text("State: in a call");
    app.send(b"p");
    app.wait_for("Dave listed, his microphone on", |s| {
        s.contents()
            .lines()
            .any(|l| l.contains("▶ Dave Brown") && l.contains("mic on"))
    });
    assert!(app.contents().contains("m mic · v camera"));
    app.send(b"m");
    app.wait_for("Dave's microphone off", |s| {
        s.contents()
            .lines()
            .any(|l| l.contains("▶ Dave Brown") && l.contains("mic off"))
    });
    // Removing asks first; Esc keeps him.
    app.send(b"d");
    app.wait_for_text("Remove Dave Brown from the conference?");
    app.send(b"\x1b");
    app.wait_for("the question gone", |s| {
        !s.contents().contains("Remove Dave")
    });
    app.send(b"\x1b");
    app.wait_for("the list closed", |s| {
        !s.contents().contains("Participants ")
    });
    app.send(b"q");
    app.wait_for_text("quit anyway?");
    app.send(b"y");
    assert_eq!(app.wait_exit().code(), Some(0));
}

#[test]
fn in_a_conference_another_owns_the_controls_are_unavailable_with_the_reason() {
    let rooms = TwoRooms::ringing_for(std::time::Duration::from_secs(60));
    let home = Home::new();
    let mut app = rooms.console(&home);
    // Both rooms linked: an invitation to one not linked yet would be missed (the console
    // would find it ringing, of unknown origin).
    app.wait_for("both rooms idle", |s| {
        let c = s.contents();
        c.contains("1 Board room idle") && c.contains("2 Huddle idle")
    });
    // The Huddle is invited into Dave's conference: his, not the Huddle's.
    {
        let _in_rt = rooms.rt.enter();
        rooms.sims[1].incoming_invitation("dave", "Weekly").unwrap();
    }
    app.wait_for_text("Invitation · Huddle");
    app.send(b"a");
    app.wait_for("the Huddle in the call", |s| {
        s.contents()
            .lines()
            .next()
            .unwrap_or_default()
            .contains("2 Huddle ● call")
    });
    app.send(b"\x12");
    app.wait_for_text("Call: Weekly");
    app.send(b"p");
    app.wait_for_text("Not available: only the conference's owner (Dave Brown)");
    app.send(b"m");
    app.wait_for("the refusal said", |s| {
        s.contents()
            .lines()
            .last()
            .is_some_and(|l| l.contains("Not available"))
    });
    app.send(b"\x1b");
    app.wait_for("the list closed", |s| {
        !s.contents().contains("Participants ")
    });
    app.send(b"q");
    app.wait_for_text("quit anyway?");
    app.send(b"y");
    assert_eq!(app.wait_exit().code(), Some(0));
}
