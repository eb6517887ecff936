//! The real binary in a pseudo-terminal: whatever ends it, the terminal is left as it was.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::{Home, PtyApp};
use nix::sys::signal::Signal;
use std::os::unix::process::ExitStatusExt;

fn start(home: &Home, args: &[&str], cols: u16, rows: u16) -> PtyApp {
    let app = PtyApp::spawn(args, &home.env(), cols, rows);
    app.wait_for_text("? help");
    assert!(
        !app.is_cooked(),
        "the console should put the terminal in raw mode"
    );
    app.wait_for("the alternate screen", |s| {
        s.alternate_screen() && s.hide_cursor()
    });
    app
}

#[test]
fn help_then_q_leaves_the_terminal_as_it_was() {
    let home = Home::new();
    let mut app = start(&home, &["--demo"], 80, 24);
    app.wait_for_text("DEMO");
    app.send(b"?");
    app.wait_for_text("show or hide this help");
    app.send(b"q"); // closes the help
    app.wait_for("the help to close", |s| {
        !s.contents().contains("show or hide this help")
    });
    app.send(b"q");
    let st = app.wait_exit();
    assert_eq!(st.code(), Some(0));
    app.assert_terminal_restored();
}

#[test]
fn ctrl_c_quits_at_160x48() {
    let home = Home::new();
    let mut app = start(&home, &["--demo"], 160, 48);
    app.wait_for_text("operator@video.example.com");
    app.send(b"\x03");
    assert_eq!(app.wait_exit().code(), Some(0));
    app.assert_terminal_restored();
}

#[test]
fn a_panic_on_the_ui_thread_restores_the_terminal() {
    let home = Home::new();
    let mut app = PtyApp::spawn(&["--demo", "--debug-panic", "ui"], &home.env(), 80, 24);
    let st = app.wait_exit();
    assert_eq!(st.code(), Some(101), "{st:?}");
    app.wait_for_text("deliberate panic on the UI thread");
    app.assert_terminal_restored();
    // It had taken over the terminal before it crashed, so the restore was real.
    let raw = String::from_utf8_lossy(&app.raw_output()).into_owned();
    let enter = raw
        .find("\x1b[?1049h")
        .expect("entered the alternate screen");
    let leave = raw.rfind("\x1b[?1049l").expect("left the alternate screen");
    let msg = raw.find("deliberate panic").unwrap();
    assert!(
        enter < leave && leave < msg,
        "the message must come after the main screen is back"
    );
    assert!(
        home.logs().contains("deliberate panic on the UI thread"),
        "the panic is logged"
    );
}

#[test]
fn a_panic_in_a_background_task_restores_the_terminal_and_ends_the_program() {
    let home = Home::new();
    let mut app = PtyApp::spawn(&["--demo", "--debug-panic", "task"], &home.env(), 80, 24);
    let st = app.wait_exit();
    assert_eq!(st.code(), Some(101), "{st:?}");
    app.wait_for_text("deliberate panic in a background task");
    app.wait_for_text("the terminal was restored");
    app.assert_terminal_restored();
}

#[test]
fn sigterm_ends_cleanly() {
    let home = Home::new();
    let mut app = start(&home, &["--demo"], 80, 24);
    app.signal(Signal::SIGTERM);
    let st = app.wait_exit();
    assert_eq!((st.code(), st.signal()), (Some(0), None));
    app.assert_terminal_restored();
}

#[test]
fn sighup_ends_cleanly() {
    let home = Home::new();
    let mut app = start(&home, &["--demo"], 80, 24);
    app.signal(Signal::SIGHUP);
    let st = app.wait_exit();
    assert_eq!((st.code(), st.signal()), (Some(0), None));
    app.assert_terminal_restored();
    assert!(
        home.logs().contains("trueconf-console stopped"),
        "{}",
        home.logs()
    );
}

#[test]
fn resize_redraws_and_too_small_says_so() {
    let home = Home::new();
    let mut app = start(&home, &["--demo"], 80, 24);
    let ws = nix::pty::Winsize {
        ws_row: 20,
        ws_col: 70,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    set_winsize(&app, ws);
    app.wait_for_text("Terminal too small");
    app.wait_for_text("70×20");
    let ws = nix::pty::Winsize {
        ws_row: 30,
        ws_col: 100,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    set_winsize(&app, ws);
    app.wait_for("the panes again", |s| {
        s.contents().contains("? help") && !s.contents().contains("too small")
    });
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
    app.assert_terminal_restored();
}

fn set_winsize(app: &PtyApp, ws: nix::pty::Winsize) {
    app.set_size(&ws);
    // The kernel sends SIGWINCH to the terminal's foreground process group on TIOCSWINSZ.
}

#[test]
fn a_bad_config_is_refused_before_the_terminal_is_touched() {
    let home = Home::new();
    let cfg = home.write(
        "bad.toml",
        "[[room]]\nname = \"A\"\nhost = \"h\"\nhttp_prot = 80\n",
    );
    let mut app = PtyApp::spawn(&["--config", cfg.to_str().unwrap()], &home.env(), 80, 24);
    let st = app.wait_exit();
    assert_eq!(st.code(), Some(2));
    app.wait_for_text("line 4");
    let screen = app.contents();
    assert!(screen.contains("key `room.http_prot`"), "{screen}");
    assert!(
        !String::from_utf8_lossy(&app.raw_output()).contains("\x1b[?1049h"),
        "must not enter the alternate screen"
    );
    app.assert_terminal_restored();
}

#[test]
fn unreadable_data_files_are_kept_aside_not_overwritten() {
    let home = Home::new();
    let data = home.data_dir().join("trueconf-console");
    std::fs::create_dir_all(&data).unwrap();
    let outbox = "{\"items\": [ {\"text\": \"an unsent message, half-writ";
    std::fs::write(data.join("outbox.json"), outbox).unwrap();
    std::fs::write(data.join("explorer-history.json"), "not json").unwrap();
    let cfg = home.write("config.toml", "");
    let mut app = PtyApp::spawn(&["--config", cfg.to_str().unwrap()], &home.env(), 400, 24);
    // One notice names both (the second does not hide the first).
    app.wait_for_text("outbox.json.bad");
    app.wait_for_text("explorer-history.json.bad");
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
    // Both files are where the message said, byte for byte.
    assert_eq!(
        std::fs::read_to_string(data.join("outbox.json.bad")).unwrap(),
        outbox
    );
    assert_eq!(
        std::fs::read_to_string(data.join("explorer-history.json.bad")).unwrap(),
        "not json"
    );
}
