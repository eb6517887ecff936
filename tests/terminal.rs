//! The real binary in a pseudo-terminal: whatever ends it, the terminal is left as it was.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::{Home, PtyApp};
use nix::sys::signal::Signal;
use std::os::unix::process::ExitStatusExt;
use std::sync::Arc;
use std::time::Duration;
use trueconf_console::sim::{ChatSim, ChatSimConfig, RoomSim, RoomSimConfig, World};

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
    let mut env = home.env();
    env.insert("TRUECONF_DEBUG_PANIC".into(), "ui".into());
    let mut app = PtyApp::spawn(&["--demo"], &env, 80, 24);
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
    let mut env = home.env();
    env.insert("TRUECONF_DEBUG_PANIC".into(), "task".into());
    let mut app = PtyApp::spawn(&["--demo"], &env, 80, 24);
    let st = app.wait_exit();
    assert_eq!(st.code(), Some(101), "{st:?}");
    app.wait_for_text("deliberate panic in a background task");
    app.wait_for_text("the terminal was restored");
    app.assert_terminal_restored();
}

/// Each signal that ends the console restores the terminal and ends it as a shell reports a
/// program that signal ended: 128 + its number.
#[test]
fn hup_term_int_and_quit_restore_the_terminal_and_exit_128_plus_the_signal() {
    for sig in [
        Signal::SIGHUP,
        Signal::SIGTERM,
        Signal::SIGINT,
        Signal::SIGQUIT,
    ] {
        let home = Home::new();
        let mut app = start(&home, &["--demo"], 80, 24);
        app.signal(sig);
        let st = app.wait_exit();
        assert_eq!(
            (st.code(), st.signal()),
            (Some(128 + sig as i32), None),
            "{sig}"
        );
        app.assert_terminal_restored();
        let logs = home.logs();
        assert!(logs.contains("trueconf-console stopped"), "{sig}: {logs}");
        assert!(!logs.contains("panicked"), "{sig}: {logs}");
    }
}

/// SIGUSR1 and SIGUSR2 (whose default would end the program with the terminal raw) are
/// ignored: the console goes on, and `q` still ends it as usual.
#[test]
fn usr1_and_usr2_are_ignored() {
    let home = Home::new();
    let mut app = start(&home, &["--demo"], 80, 24);
    app.signal(Signal::SIGUSR1);
    app.signal(Signal::SIGUSR2);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!app.is_cooked(), "still the console's terminal");
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
    app.assert_terminal_restored();
}

/// Ctrl-Z (a key in raw mode) suspends: the terminal restored, the process stopped; SIGCONT
/// (what `fg` sends) takes the terminal back and draws the whole screen again.
#[test]
fn ctrl_z_suspends_and_continue_redraws() {
    let home = Home::new();
    let mut app = start(&home, &["--demo"], 80, 24);
    app.wait_for_text("DEMO");
    app.send(b"\x1a");
    app.wait_proc_state('T');
    app.wait_for("the main screen while stopped", |s| {
        !s.alternate_screen() && !s.hide_cursor()
    });
    assert!(app.is_cooked(), "the terminal is cooked while stopped");
    app.signal(Signal::SIGCONT);
    app.wait_for("the console drawn again", |s| {
        s.alternate_screen() && s.hide_cursor() && s.contents().contains("? help")
    });
    assert!(!app.is_cooked(), "raw again");
    assert_ne!(app.proc_state(), 'T');
    // SIGTSTP from outside does the same.
    app.signal(Signal::SIGTSTP);
    app.wait_proc_state('T');
    app.signal(Signal::SIGCONT);
    app.wait_for("the console drawn again", |s| {
        s.alternate_screen() && s.contents().contains("DEMO")
    });
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
    app.assert_terminal_restored();
}

/// A dropped SSH session: the terminal is closed under the console. It ends quietly (no
/// panic, nowhere to print one), as for SIGHUP, with the outbox and the drafts saved.
#[test]
fn the_terminal_closed_under_the_console_ends_it_quietly_with_its_files_saved() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let _rt = rt.enter();
    let chat = rt.block_on(async {
        let mut cc = ChatSimConfig::new(Arc::new(World::demo()));
        cc.reply_after = Duration::from_millis(50);
        ChatSim::start(cc, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap()
    });
    let home = Home::new();
    let cfg = home.write(
        "config.toml",
        &format!(
            "[chat]\nserver = \"127.0.0.1\"\nport = {}\nusername = \"operator\"\nreconnect_max_delay = 1\n",
            chat.port()
        ),
    );
    let mut env = home.env();
    env.insert("TRUECONF_PASSWORD".into(), "operator".into());
    let mut app = PtyApp::spawn(&["--config", cfg.to_str().unwrap()], &env, 120, 36);
    app.wait_for_text("Chat operator@video.example.com: online");
    app.send(b"\t");
    app.wait_for_text("@ Alice Johnson");
    let rows = app.contents();
    let list: Vec<&str> = rows
        .lines()
        .filter(|l| {
            l.contains("│ # ") || l.contains("│ @ ") || l.contains("│ » ") || l.contains("│ ★ ")
        })
        .collect();
    let alice_row = list
        .iter()
        .position(|l| l.contains("@ Alice Johnson"))
        .expect("alice in the list");
    for _ in 0..alice_row {
        app.send(b"j");
    }
    app.send(b"\r");
    app.wait_for_text("History: Alice Johnson");
    app.send(b"i");
    app.wait_for_text("Enter sends");
    // One message waits in the outbox (the server is away), another is still being written.
    chat.set_offline(true);
    app.wait_for_text("retrying in");
    app.send(b"waits in the outbox");
    app.send(b"\r");
    app.wait_for_text("waiting for the link");
    app.send(b"i"); // sending left the composer
    app.send(b"half a thought");
    app.wait_for_text("half a thought");

    let st = app.hang_up();
    assert_eq!(st.code(), Some(129), "{st:?}");
    let logs = home.logs();
    assert!(!logs.contains("panicked"), "{logs}");
    assert!(logs.contains("trueconf-console stopped"), "{logs}");
    let data = home.data_dir().join("trueconf-console");
    let outbox = std::fs::read_to_string(data.join("outbox.json")).unwrap();
    assert!(outbox.contains("waits in the outbox"), "{outbox}");
    let drafts = std::fs::read_to_string(data.join("drafts.json")).unwrap();
    assert!(drafts.contains("half a thought"), "{drafts}");
    chat.shutdown();
}

/// The same with the cursor hidden (no composer open), where ratatui's own clean-up would
/// write to the dead terminal and panic on the error.
#[test]
fn the_terminal_closed_under_the_demo_ends_it_quietly() {
    let home = Home::new();
    let mut app = start(&home, &["--demo"], 80, 24);
    app.wait_for_text("DEMO");
    let st = app.hang_up();
    let logs = home.logs();
    assert_eq!(st.code(), Some(129), "{st:?} {logs}");
    assert!(!logs.contains("panicked"), "{logs}");
    assert!(logs.contains("trueconf-console stopped"), "{logs}");
}

/// What was being written comes back on the next start.
#[test]
fn drafts_come_back_after_a_restart() {
    let home = Home::new();
    let data = home.data_dir().join("trueconf-console");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::set_permissions(&data, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    std::fs::write(
        data.join("drafts.json"),
        r#"{"drafts": {"c1": {"text": "kept across runs", "parse_mode": "text"}}}"#,
    )
    .unwrap();
    let cfg = home.write("config.toml", "");
    let mut app = PtyApp::spawn(&["--config", cfg.to_str().unwrap()], &home.env(), 80, 24);
    app.wait_for_text("? help");
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
    // Read at the start, written back at the end: still there.
    let drafts = std::fs::read_to_string(data.join("drafts.json")).unwrap();
    assert!(drafts.contains("kept across runs"), "{drafts}");
}

/// Logs are the user's alone, and a data or log directory others could read is made private
/// (and the user is told).
#[test]
fn log_files_are_0600_and_loose_directories_are_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    let data = home.data_dir().join("trueconf-console");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(home.log_dir()).unwrap();
    std::fs::set_permissions(home.log_dir(), std::fs::Permissions::from_mode(0o750)).unwrap();
    let mut app = PtyApp::spawn(&["--demo"], &home.env(), 200, 24);
    app.wait_for_text("now 0700");
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&home.log_dir()), 0o700);
    let logs: Vec<_> = std::fs::read_dir(home.log_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!logs.is_empty());
    for l in &logs {
        assert_eq!(mode(l), 0o600, "{}", l.display());
    }
    assert!(home.logs().contains("is now 0700"), "{}", home.logs());
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

/// A terminal that goes away when no SIGHUP reaches the console (it is not in the terminal's
/// session, or its parent keeps the signal from it): the console sees the hang-up on the
/// terminal itself and ends as for SIGHUP, instead of spinning on a dead terminal forever.
#[test]
fn a_terminal_that_goes_away_without_a_sighup_still_ends_the_console() {
    use std::io::Read;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let home = Home::new();
    let ws = nix::pty::Winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // Close-on-exec: no other child holds this master open.
    let pty = common::open_pty(&ws);
    let slave = pty.slave;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trueconf-console"));
    cmd.arg("--demo")
        .env_clear()
        .envs(home.env())
        .env("TERM", "xterm-256color")
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave.try_clone().unwrap()));
    // SAFETY: setsid is async-signal-safe; the child gets a session without a controlling
    // terminal, so the hang-up sends it no signal.
    unsafe {
        cmd.pre_exec(|| {
            nix::unistd::setsid()?;
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    drop(slave);
    // One descriptor of the master, read here (a reading thread would keep a second open).
    let mut master = std::fs::File::from(pty.master);
    let mut seen = Vec::new();
    let drawn_by = std::time::Instant::now() + Duration::from_secs(20);
    while !String::from_utf8_lossy(&seen).contains("DEMO") {
        assert!(
            std::time::Instant::now() < drawn_by,
            "the demo did not draw"
        );
        let mut fds = [nix::poll::PollFd::new(
            std::os::fd::AsFd::as_fd(&master),
            nix::poll::PollFlags::POLLIN,
        )];
        if nix::poll::poll(&mut fds, 200u16).unwrap() > 0 {
            let mut buf = [0u8; 65536];
            let n = master.read(&mut buf).unwrap();
            seen.extend_from_slice(&buf[..n]);
        }
    }
    // The terminal goes away: the master's only descriptor is closed.
    drop(master);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running after the terminal went away"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let logs = home.logs();
    assert_eq!(status.code(), Some(129), "{status:?} {logs}");
    assert!(!logs.contains("panicked"), "{logs}");
}

/// A Room simulator (logged in, as `--demo`'s is) and, when asked, a chat simulator, on
/// loopback, on a runtime kept as long as they are; stopped when dropped.
struct Sims {
    room: RoomSim,
    chat: Option<ChatSim>,
    rt: tokio::runtime::Runtime,
}

impl Sims {
    fn start(with_chat: bool) -> Sims {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
        let (room, chat) = rt.block_on(async {
            let mut rc = RoomSimConfig::new(Arc::new(World::demo()));
            rc.logged_in = true;
            let room = RoomSim::start(rc, any, any).await.unwrap();
            let chat = if with_chat {
                let mut cc = ChatSimConfig::new(Arc::new(World::demo()));
                cc.reply_after = Duration::from_millis(100);
                Some(ChatSim::start(cc, any).await.unwrap())
            } else {
                None
            };
            (room, chat)
        });
        Sims { room, chat, rt }
    }

    /// The console in an 80x24 terminal, configured for these simulators.
    fn console(&self, home: &Home) -> PtyApp {
        let mut cfg = format!(
            "[[room]]\nname = \"Lab\"\nhost = \"127.0.0.1\"\nhttp_port = {}\n",
            self.room.http_port()
        );
        if let Some(chat) = &self.chat {
            cfg.push_str(&format!(
                "\n[chat]\nserver = \"127.0.0.1\"\nport = {}\nusername = \"operator\"\n",
                chat.port()
            ));
        }
        let cfg = home.write("config.toml", &cfg);
        let mut env = home.env();
        env.insert("TRUECONF_PASSWORD".into(), "operator".into());
        let app = PtyApp::spawn(&["--config", cfg.to_str().unwrap()], &env, 80, 24);
        // The Room's first queries answered, the address book and the speaker among them.
        app.wait_for_text("Speaker on · Volume 80%");
        app
    }

    /// Dave calls the Room.
    fn ring(&self) {
        let _in_rt = self.rt.enter();
        self.room.incoming_call("dave").unwrap();
    }
}

impl Drop for Sims {
    fn drop(&mut self) {
        self.room.shutdown();
        if let Some(c) = &self.chat {
            c.shutdown();
        }
    }
}

/// `c` then a stray Enter places no call: the prompt says how to choose, the simulated Room
/// never leaves idle, and no outgoing-call dialog opens.
#[test]
fn c_then_enter_calls_nobody() {
    let sims = Sims::start(false);
    let home = Home::new();
    let mut app = sims.console(&home);
    app.send(b"c");
    app.wait_for_text("Alice Johnson");
    app.send(b"\r");
    app.wait_for_text("Type a name or id, or pick one");
    app.send(b"\x1b");
    app.wait_for("the prompt to close", |s| {
        !s.contents().contains("Call · Enter calls")
    });
    // A request after the Enter, on the same socket, answered: anything the Enter had sent
    // would have reached the Room before it.
    app.send(b"-");
    app.wait_for_text("Speaker on · Volume 70%");
    assert_eq!(sims.room.app_state(), 3, "the Room is idle: no call placed");
    let screen = app.contents();
    assert!(
        !screen.contains("Outgoing call") && !screen.contains("Calling"),
        "{screen}"
    );
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
}

/// Three `+` in one write from 50% end at 80%, and the pane and the status bar say the same.
#[test]
fn three_fast_volume_presses_from_50_end_at_80_and_the_pane_and_status_agree() {
    let sims = Sims::start(false);
    let home = Home::new();
    let mut app = sims.console(&home);
    app.send(b"---");
    app.wait_for_text("Speaker on · Volume 50%");
    // Three rounds: requests that reached the Room out of order would end a round elsewhere.
    for round in 0..3 {
        app.send(b"+++");
        app.wait_for("80% in the pane and the status bar", |s| {
            let (pane, status) = app_rows(&s.contents());
            pane.contains("Speaker on · Volume 80%") && status.contains("Volume 80%")
        });
        if round < 2 {
            app.send(b"---");
            app.wait_for("50% in the pane and the status bar", |s| {
                let (pane, status) = app_rows(&s.contents());
                pane.contains("Speaker on · Volume 50%") && status.contains("Volume 50%")
            });
        }
    }
    let screen = app.contents();
    let (pane, status) = app_rows(&screen);
    assert!(pane.contains("Speaker on · Volume 80%"), "{screen}");
    assert!(!pane.contains('→'), "nothing left unconfirmed: {screen}");
    assert!(
        status.trim_end().ends_with("Volume 80%"),
        "the status bar says the Room's value, as the pane does: {status}"
    );
    for wrong in ["90%", "full", "60%", "70%"] {
        assert!(!screen.contains(wrong), "{wrong:?} on screen:\n{screen}");
    }
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
}

/// The Room pane's rows (its left 30 columns) and the status bar.
fn app_rows(screen: &str) -> (String, String) {
    let rows: Vec<&str> = screen.lines().collect();
    let pane = rows
        .iter()
        .take(12)
        .map(|r| r.chars().take(30).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n");
    let status = rows.last().copied().unwrap_or_default().to_string();
    (pane, status)
}

/// A call rings while a draft is being written: `a` accepts it (the dialog's key, not a
/// letter of the draft) and the draft is still there, still being written.
#[test]
fn a_call_accepted_while_composing_leaves_the_draft_intact() {
    let sims = Sims::start(true);
    let home = Home::new();
    let mut app = sims.console(&home);
    app.wait_for_text("@ Alice Johnson");
    app.send(b"\t");
    app.send(b"\r");
    app.wait_for_text("History: ");
    app.send(b"i");
    app.wait_for_text("Enter sends");
    app.send(b"draft kept");
    app.wait_for_text("draft kept");
    sims.ring();
    app.wait_for_text("Incoming call");
    app.send(b"a");
    app.wait_for_text("Call: Dave Brown");
    // The call's state and the end of the invitation may come in separate frames.
    app.wait_for("the incoming-call dialog to close", |s| {
        !s.contents().contains("Incoming call")
    });
    let screen = app.contents();
    assert!(screen.contains("draft kept"), "{screen}");
    assert!(
        !screen.contains("draft kepta"),
        "`a` went into the draft:\n{screen}"
    );
    // Still writing: the next letters go to the same draft.
    app.send(b"!");
    app.wait_for_text("draft kept!");
    app.send(b"\x03");
    assert_eq!(app.wait_exit().code(), Some(0));
}
