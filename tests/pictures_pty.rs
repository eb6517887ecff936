//! Pictures as the bytes the console writes to a real pseudo-terminal: the terminal's answer
//! at start picks kitty graphics (a picture transmitted once, drawn with Unicode
//! placeholders), a configured sixel writes a sixel sequence, and a terminal that answers
//! nothing still gets a console, with half blocks.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::time::{Duration, Instant};

use common::{Answers, Home, PtyApp};

fn raw(app: &PtyApp) -> String {
    String::from_utf8_lossy(&app.raw_output()).into_owned()
}

/// How many times `needle` occurs in what the program wrote.
fn count(app: &PtyApp, needle: &str) -> usize {
    raw(app).matches(needle).count()
}

/// Waits (up to 20 s) until what the program wrote satisfies `cond`, polled as the bytes
/// arrive on the reader's thread.
fn until(app: &PtyApp, what: &str, cond: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !cond(&raw(app)) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The selected message on screen: its header (with the cursor mark) and its first line.
fn selected_in(screen: &str) -> Option<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines.iter().position(|l| l.contains('▶'))?;
    Some(lines[at..lines.len().min(at + 2)].join("\n"))
}

/// Opens the first chat (Project: in the demo world its picture is the eleventh message
/// from the newest) and moves the cursor to the picture: the first Up selects the newest,
/// ten more go to the picture.
fn to_the_picture(app: &mut PtyApp) {
    app.wait_for_text("# Project");
    app.send(b"\t");
    app.send(b"\r");
    app.wait_for_text("Thanks, that fixed it.");
    app.send(&b"\x1b[A".repeat(11));
    app.wait_for("the picture selected", |s| {
        selected_in(&s.contents()).is_some_and(|l| l.contains("📎 photo-"))
    });
}

/// The demo at 100×30 (no call ringing in the way), the terminal answering as `answers`.
fn demo(home: &Home, answers: Answers) -> PtyApp {
    PtyApp::spawn_answering(
        &["--demo", "--demo-call-after", "600"],
        &home.env(),
        100,
        30,
        answers,
    )
}

/// `q`: the console ends well and gives the terminal back as it was.
fn quit(app: &mut PtyApp) {
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
    app.assert_terminal_restored();
}

#[test]
fn a_kitty_terminal_gets_the_picture_once_and_placeholders_and_enter_shows_it_whole() {
    let home = Home::new();
    let mut app = demo(&home, Answers::Kitty);
    to_the_picture(&mut app);
    // The preview: transmitted with a=T and U=1 (a virtual placement for placeholders), then
    // drawn as placeholder cells.
    until(&app, "the preview transmitted", |out| {
        out.contains("\x1b_G") && out.contains("a=T,U=1") && out.contains('\u{10EEEE}')
    });
    let sent = count(&app, "a=T,U=1");
    // No half blocks for it: the picture's rows hold placeholders.
    assert!(!app.contents().contains('▀'), "{}", app.contents());
    // Moving the cursor redraws the history, not the picture: it is not sent again.
    app.send(b"\x1b[B");
    app.send(b"\x1b[A");
    app.wait_for("back on the picture", |s| {
        selected_in(&s.contents()).is_some_and(|l| l.contains("📎 photo-"))
    });
    assert_eq!(count(&app, "a=T,U=1"), sent, "the preview sent once");
    // Enter: the picture over the whole screen, sent at that size.
    app.send(b"\r");
    app.wait_for_text("Esc close");
    until(&app, "the whole picture sent", |out| {
        out.matches("a=T,U=1").count() > sent
    });
    app.send(b"\x1b");
    app.wait_for_text("Thanks, that fixed it.");
    quit(&mut app);
    assert!(
        home.logs()
            .contains("pictures: kitty graphics (the terminal's answer)"),
        "{}",
        home.logs()
    );
}

#[test]
fn images_sixel_writes_a_sixel_sequence() {
    let home = Home::new();
    let cfg = home.write("config.toml", "[ui]\nimages = \"sixel\"\n");
    let mut app = PtyApp::spawn(
        &[
            "--demo",
            "--demo-call-after",
            "600",
            "--config",
            cfg.to_str().unwrap(),
        ],
        &home.env(),
        100,
        30,
    );
    to_the_picture(&mut app);
    // DCS, the sixel introducer `q`, raster attributes.
    until(&app, "a sixel picture", |out| {
        out.split("\x1bP").skip(1).any(|s| {
            s.find('q')
                .is_some_and(|q| s[..q].bytes().all(|b| b.is_ascii_digit() || b == b';'))
                && s.contains("\"1;1;")
        })
    });
    quit(&mut app);
}

#[test]
fn a_terminal_that_answers_nothing_gets_the_console_and_half_blocks() {
    let home = Home::new();
    let mut app = demo(&home, Answers::Silent);
    to_the_picture(&mut app);
    app.wait_for("the preview in half blocks", |s| {
        s.contents().contains('▀') || s.contents().contains('▄')
    });
    assert!(!raw(&app).contains("a=T"), "no kitty picture sent");
    // The answers come after all, late (a slow link): not read as keys. Read as keys, `O`
    // would open the outbox, `i` the composer with "=31;OK" typed in it.
    app.send(b"\x1b_Gi=31;OK\x1b\\\x1b[?62;4;22c\x1b[6;20;10t\x1b[0n");
    app.send(b"i");
    app.send(b"zz");
    app.wait_for("the composer with what was typed", |s| {
        s.contents().contains("zz")
    });
    let screen = app.contents();
    assert!(
        !screen.contains("31;OK") && !screen.contains("Outbox") && !screen.contains("izz"),
        "{screen}"
    );
    app.send(b"\x1b");
    app.wait_for("the composer left", |s| {
        !s.contents().contains("Enter sends")
    });
    quit(&mut app);
    assert!(
        home.logs()
            .contains("pictures: half blocks (the terminal did not answer the query)"),
        "{}",
        home.logs()
    );
}
