//! The panes driven as a person would, through a real pseudo-terminal: the mouse (SGR
//! reports, as xterm, kitty, foot, tmux send them) and a draft that outlives the program.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::{Home, PtyApp, Simulate, click, locate};

fn wheel(app: &mut PtyApp, (x, y): (u16, u16), up: bool) {
    let b = if up { 64 } else { 65 };
    app.send(format!("\x1b[<{b};{};{}M", x + 1, y + 1).as_bytes());
}

/// The text of the history line the cursor (▶) is on.
fn cursor_line(app: &PtyApp) -> Option<String> {
    app.contents()
        .lines()
        .find(|l| l.contains('▶'))
        .map(|l| l.split('▶').nth(1).unwrap_or_default().to_string())
}

#[test]
fn clicks_select_a_chat_and_a_message_and_the_wheel_scrolls_the_history() {
    let home = Home::new();
    let mut app = PtyApp::spawn(&["--demo"], &home.env(), 80, 24);
    app.wait_for_text("Announcements");
    // Mouse reporting is on (SGR).
    app.wait_for("mouse reporting", |s| {
        s.mouse_protocol_mode() != vt100::MouseProtocolMode::None
    });
    // One click selects the chat (the list takes the keyboard), a second opens it.
    let at = locate(&app, "Announcements");
    click(&mut app, at);
    app.wait_for_text("Enter open");
    assert!(!app.contents().contains("History: Announcements"));
    click(&mut app, at);
    app.wait_for_text("History: Announcements");
    // A click on a message's text selects it.
    let (x, y) = locate(&app, "History: Announcements");
    app.wait_for("the history's messages", |s| {
        s.contents()
            .lines()
            .nth(usize::from(y) + 6)
            .is_some_and(|l| {
                l.chars()
                    .skip(usize::from(x) + 1)
                    .any(char::is_alphanumeric)
            })
    });
    // The third row of the history pane is inside some message.
    click(&mut app, (x + 2, y + 6));
    app.wait_for("a selected message", |s| s.contents().contains('▶'));
    let before = cursor_line(&app).unwrap();
    // Wheel up over the history: the cursor moves to older messages.
    wheel(&mut app, (x + 2, y + 6), true);
    app.wait_for("the cursor to move", |s| {
        s.contents()
            .lines()
            .find(|l| l.contains('▶'))
            .is_some_and(|l| !l.contains(&before))
    });
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
    app.assert_terminal_restored();
}

/// The state letter (`R` running, `S` sleeping) of the program's thread named `name`.
fn thread_state(app: &PtyApp, name: &str) -> Option<char> {
    let tasks = std::fs::read_dir(format!("/proc/{}/task", app.pid())).ok()?;
    for t in tasks.flatten() {
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        if comm.trim() == name {
            let stat = std::fs::read_to_string(t.path().join("stat")).ok()?;
            let after = &stat[stat.rfind(')')? + 1..];
            return after.trim_start().chars().next();
        }
    }
    None
}

#[test]
fn a_burst_larger_than_one_read_is_handled_whole_and_the_input_thread_goes_idle() {
    let home = Home::new();
    let mut app = PtyApp::spawn(&["--demo"], &home.env(), 80, 24);
    app.wait_for_text("Announcements");
    app.wait_for("mouse reporting", |s| {
        s.mouse_protocol_mode() != vt100::MouseProtocolMode::None
    });
    // A wheel spun hard: 300 notches (about 3.5 KiB, more than the terminal reader takes in
    // one read), then `?`, all in one write, as a terminal sends a fast spin or a paste.
    let mut burst = Vec::new();
    for _ in 0..300 {
        burst.extend_from_slice(b"\x1b[<65;10;12M");
    }
    assert!(burst.len() > 3 * 1024);
    burst.push(b'?');
    app.send(&burst);
    // The key after the burst is read without another key to wake the reader.
    app.wait_for_text(" Help ");
    // And the input thread sleeps on the terminal rather than spinning on it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut seen = Vec::new();
    loop {
        let state = thread_state(&app, "terminal-input");
        if state == Some('S') {
            break;
        }
        seen.push(state);
        assert!(
            std::time::Instant::now() < deadline,
            "the input thread never slept after the burst: {:?}",
            &seen[seen.len().saturating_sub(10)..]
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    app.send(b"\x1b");
    app.wait_for("the help closed", |s| !s.contents().contains(" Help "));
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
    app.assert_terminal_restored();
}

#[test]
fn mouse_false_leaves_the_mouse_to_the_terminal() {
    let home = Home::new();
    let cfg = home.write("config.toml", "[ui]\nmouse = false\n");
    let mut app = PtyApp::spawn(&["--config", cfg.to_str().unwrap()], &home.env(), 80, 24);
    app.wait_for_text("? help");
    // The modes are set before the first frame: with it on screen, they are what they stay.
    assert_eq!(
        app.with_screen(vt100::Screen::mouse_protocol_mode),
        vt100::MouseProtocolMode::None
    );
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
}

#[test]
fn a_draft_written_in_a_chat_is_there_after_a_restart() {
    let home = Home::new();
    let sim = Simulate::start(&home, &[]);
    let cfg = home.write(
        "config.toml",
        &format!(
            "[chat]\nserver = \"127.0.0.1\"\nport = {}\nusername = \"operator\"\n",
            sim.port("chat_port")
        ),
    );
    let mut env = home.env();
    env.insert("TRUECONF_PASSWORD".into(), "operator".into());
    let open_project = |app: &mut PtyApp| {
        app.wait_for_text("# Project");
        let at = locate(app, "# Project");
        click(app, at);
        click(app, at);
        app.wait_for_text("History: Project");
    };
    let mut app = PtyApp::spawn(&["--config", cfg.to_str().unwrap()], &env, 80, 24);
    open_project(&mut app);
    app.send(b"i");
    app.send(b"half-written thought");
    app.wait_for_text("half-written thought");
    app.send(b"\x1b"); // leave the composer; the draft stays
    app.wait_for_text("i write");
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));

    let mut app = PtyApp::spawn(&["--config", cfg.to_str().unwrap()], &env, 80, 24);
    open_project(&mut app);
    app.wait_for_text("half-written thought");
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
}

#[test]
fn a_second_console_on_the_same_data_dir_neither_resends_nor_overwrites_the_first_ones_outbox() {
    use trueconf_console::app::{OutboxFile, Outgoing};
    let home = Home::new();
    let data = home.data_dir().join("trueconf-console");
    // A message queued in an earlier run.
    let outbox = data.join("outbox.json");
    let queued = OutboxFile {
        items: vec![Outgoing::new("p".into(), "queued earlier".into(), "text")],
        claimed: vec![],
    };
    OutboxFile::save(&outbox, &queued).unwrap();
    // The first console owns the data directory, and the queue.
    let mut first = PtyApp::spawn(&[], &home.env(), 160, 48);
    first.wait_for_text("? help");
    assert!(data.join("console.lock").exists());
    first.send(b"O");
    first.wait_for_text("Outbox · 1 item");
    let before = std::fs::read(&outbox).unwrap();
    // The second says it does not, and has nothing of the first one's queue to send.
    let mut second = PtyApp::spawn(&[], &home.env(), 160, 48);
    second.wait_for_text("Another trueconf-console");
    assert!(
        second
            .contents()
            .contains(&format!("(pid {})", first.pid())),
        "{}",
        second.contents()
    );
    second.send(b"O");
    second.wait_for_text("Nothing waiting to be sent or retried");
    second.send(b"\x1b");
    second.wait_for("the outbox closed", |s| {
        !s.contents().contains("Nothing waiting")
    });
    second.send(b"q");
    assert_eq!(second.wait_exit().code(), Some(0));
    assert_eq!(
        std::fs::read(&outbox).unwrap(),
        before,
        "the outbox file is untouched"
    );
    first.send(b"\x1b");
    first.wait_for("the outbox closed", |s| !s.contents().contains("Outbox ·"));
    first.send(b"q");
    assert_eq!(first.wait_exit().code(), Some(0));
    // With the first gone, the next console owns it again.
    let mut third = PtyApp::spawn(&[], &home.env(), 160, 48);
    third.wait_for_text("? help");
    assert!(!third.contents().contains("Another trueconf-console"));
    third.send(b"q");
    assert_eq!(third.wait_exit().code(), Some(0));
}
