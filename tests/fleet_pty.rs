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
