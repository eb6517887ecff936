//! The console's own escape sequences, as the bytes it writes to a real pseudo-terminal: the
//! window title (saved first and put back at the end), a desktop notification of an incoming
//! call, and a copy to the clipboard. (crate::osc's tests show that hostile text cannot end
//! or extend them.)
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::{Home, PtyApp};

fn raw(app: &PtyApp) -> String {
    String::from_utf8_lossy(&app.raw_output()).into_owned()
}

/// The payloads of every OSC `code` sequence written, in order.
fn oscs(out: &str, code: &str) -> Vec<String> {
    let intro = format!("\x1b]{code};");
    let mut found = Vec::new();
    let mut rest = out;
    while let Some(at) = rest.find(&intro) {
        let body = &rest[at + intro.len()..];
        let end = body.find("\x1b\\").expect("every sequence ends with ST");
        found.push(body[..end].to_string());
        rest = &body[end..];
    }
    found
}

/// Waits (up to 10 s) until what the program wrote satisfies `cond`; polled, as the bytes
/// arrive on the reader's thread.
fn until(app: &PtyApp, what: &str, cond: impl Fn(&str) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !cond(&raw(app)) {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}: {:?}",
            oscs(&raw(app), "2")
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_call_sets_the_title_and_raises_a_notification_and_quitting_puts_the_title_back() {
    let home = Home::new();
    let mut app = PtyApp::spawn(&["--demo", "--demo-call-after", "1"], &home.env(), 80, 24);
    app.wait_for_text("Incoming call · Huddle");
    // The notification may be written just after the frame that shows the dialog.
    until(&app, "the notification", |out| !oscs(out, "777").is_empty());
    let out = raw(&app);
    // The terminal's own title saved before the first one is set.
    let saved = out.find("\x1b[22;0t").expect("the title saved");
    let first = out.find("\x1b]2;").expect("a title set");
    assert!(saved < first);
    let notes = oscs(&out, "777");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].starts_with("notify;TrueConf: incoming call;Huddle: Incoming call from "),
        "{notes:?}"
    );
    until(&app, "the ringing in the title", |out| {
        oscs(out, "2")
            .iter()
            .any(|t| t.starts_with("☎ Huddle · ") && t.ends_with("trueconf-console"))
    });
    // Rejected: the title drops the call.
    app.send(b"r");
    app.wait_for("the dialog gone", |s| {
        !s.contents().contains("Incoming call ·")
    });
    until(&app, "a title without the call", |out| {
        oscs(out, "2").last().is_some_and(|t| !t.contains('☎'))
    });
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
    let out = raw(&app);
    let restored = out.rfind("\x1b[23;0t").expect("the title put back");
    assert!(restored > out.rfind("\x1b]2;").unwrap());
    app.assert_terminal_restored();
}

#[test]
fn links_are_hyperlinks_and_y_copies_the_selected_message_through_the_terminal() {
    let home = Home::new();
    let mut app = PtyApp::spawn(&["--demo"], &home.env(), 100, 30);
    app.wait_for_text("# Project");
    // To the chat list, open the first chat, select its newest message.
    app.send(b"\t");
    app.send(b"\r");
    app.wait_for_text("Thanks, that fixed it.");
    // The wiki link in the chat is a hyperlink: its own text, inside OSC 8.
    until(&app, "the wiki link as a hyperlink", |out| {
        out.contains(
            "\x1b]8;;https://video.example.com/wiki\x1b\\https://video.example.com/wiki\x1b]8;;\x1b\\",
        )
    });
    app.send(b"\x1b[A");
    app.wait_for("a message selected", |s| s.contents().contains("▶ "));
    app.send(b"y");
    app.wait_for_text("to the clipboard, through the terminal");
    let copies = oscs(&raw(&app), "52");
    assert_eq!(copies.len(), 1, "{copies:?}");
    // base64 of the message's text.
    assert_eq!(copies[0], "c;VGhhbmtzLCB0aGF0IGZpeGVkIGl0Lg==");
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
}
