//! The local message store as a person meets it: a console started with the server frozen or
//! gone draws the chats and the chat open last from the store, marked as the store's copy,
//! and once the server answers, what was edited or deleted meanwhile is shown as the server
//! has it.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::process::Command;

use common::{Home, PtyApp, Simulate, click, locate};
use nix::sys::signal::Signal;

/// `chat ARGS` against the simulator; returns stdout, asserting success.
fn chat(home: &Home, sim: &Simulate, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
        .arg("chat")
        .args(args)
        .args([
            "--server",
            "127.0.0.1",
            "--port",
            &sim.port("chat_port"),
            "--no-tls",
            "--user",
            "operator",
            "--timeout",
            "10",
        ])
        .env_clear()
        .envs(home.env())
        .env("TRUECONF_PASSWORD", "operator")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "chat {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn sent_id(stdout: &str) -> String {
    stdout.trim().strip_prefix("sent ").unwrap().to_string()
}

/// The console's config against `sim` as operator (`extra` lines added to `[chat]`), and its
/// environment with the password.
fn console_config(
    home: &Home,
    sim: &Simulate,
    extra: &str,
) -> (
    std::path::PathBuf,
    std::collections::HashMap<String, String>,
) {
    let cfg = home.write(
        "config.toml",
        &format!(
            "[chat]\nserver = \"127.0.0.1\"\nport = {}\nusername = \"operator\"\n{extra}",
            sim.port("chat_port")
        ),
    );
    let mut env = home.env();
    env.insert("TRUECONF_PASSWORD".into(), "operator".into());
    (cfg, env)
}

#[test]
fn the_store_is_read_while_the_server_is_frozen_or_gone_and_reconciled_when_it_answers() {
    let home = Home::new();
    let sim = Simulate::start(&home, &[]);
    let (cfg, env) = console_config(&home, &sim, "reconnect_max_delay = 1\n");
    let args = ["--config", cfg.to_str().unwrap()];
    chat(&home, &sim, &["send", "Project", "kiwi stays as it was"]);
    let plum = sent_id(&chat(&home, &sim, &["send", "Project", "plum goes away"]));
    let fig = sent_id(&chat(
        &home,
        &sim,
        &["send", "Project", "fig before the edit"],
    ));

    // First run: the chat is read (and so stored), and left open.
    let mut app = PtyApp::spawn(&args, &env, 160, 48);
    app.wait_for_text("# Project");
    let at = locate(&app, "# Project");
    click(&mut app, at);
    click(&mut app, at);
    app.wait_for_text("History: Project");
    app.wait_for_text("fig before the edit");
    assert!(
        !app.contents().contains("stored copy"),
        "{}",
        app.contents()
    );
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));

    // Meanwhile, on the server: one message edited, one deleted. Then the server freezes.
    chat(&home, &sim, &["edit", &fig, "fig after the edit"]);
    chat(&home, &sim, &["delete", &plum, "--for-all"]);
    sim.signal(Signal::SIGSTOP);

    // Second run, the server not answering: the store's copy, said to be one.
    let mut app = PtyApp::spawn(&args, &env, 160, 48);
    app.wait_for_text("stored copy · connecting");
    app.wait_for_text("History: Project (stored copy)");
    app.wait_for_text("kiwi stays as it was");
    assert!(
        app.contents().contains("plum goes away"),
        "{}",
        app.contents()
    );
    // The server answers: its newest page replaces the copy (the edit shown, the deleted
    // message gone), and nothing is shown twice.
    sim.signal(Signal::SIGCONT);
    app.wait_for("the server's page", |s| {
        let c = s.contents();
        c.contains("fig after the edit") && !c.contains("stored copy") && !c.contains("plum goes")
    });
    let screen = app.contents();
    assert_eq!(
        screen.matches("kiwi stays as it was").count(),
        1,
        "{screen}"
    );
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));

    // Third run, the server gone: the store holds what the server said last.
    sim.stop();
    let mut app = PtyApp::spawn(&args, &env, 160, 48);
    app.wait_for_text("stored copy · server unreachable");
    app.wait_for_text("History: Project (stored copy)");
    app.wait_for_text("fig after the edit");
    let screen = app.contents();
    assert!(!screen.contains("plum goes away"), "{screen}");
    assert!(!screen.contains("fig before"), "{screen}");
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
}

/// `chat search QUERY` over the store only (no server asked); stdout.
fn search(home: &Home, cfg: &std::path::Path, query: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
        .args(["--config", cfg.to_str().unwrap(), "chat", "search", query])
        .env_clear()
        .envs(home.env())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What this account edits or deletes in the console (which the server does not push back to
/// it) is what the store holds after: a search no longer finds the old text or the deleted
/// message.
#[test]
fn our_own_edit_and_deletion_reach_the_store() {
    let home = Home::new();
    let sim = Simulate::start(&home, &[]);
    let (cfg, env) = console_config(&home, &sim, "");
    chat(&home, &sim, &["send", "Project", "quokka to be deleted"]);
    chat(&home, &sim, &["send", "Project", "wombat before the edit"]);

    let args = ["--config", cfg.to_str().unwrap()];
    let mut app = PtyApp::spawn(&args, &env, 160, 48);
    app.wait_for_text("# Project");
    let at = locate(&app, "# Project");
    click(&mut app, at);
    click(&mut app, at);
    // The simulator's Alice answers each, quoting it: from the newest, our two messages are
    // the third and the fourth. The older one deleted for everyone.
    app.wait_for_text("Got it: “wombat before the edit”");
    for _ in 0..4 {
        app.send(b"k");
    }
    app.send(b"d");
    app.wait_for_text("for everyone");
    app.send(b"e");
    app.wait_for_text("Deleted for everyone");
    // The one after it edited: the draft cleared and written again.
    app.send(b"j");
    app.send(b"e");
    app.wait_for_text("Editing your message");
    app.send(b"\x15platypus after the edit\r");
    app.wait_for_text("platypus after the edit");
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));

    // (Alice's answers quote both as they were: they stay.)
    let found = search(&home, &cfg, "platypus");
    assert!(
        found.contains("Operator: platypus after the edit"),
        "{found}"
    );
    let found = search(&home, &cfg, "wombat");
    assert!(found.contains("Alice Johnson: Got it"), "{found}");
    assert!(!found.contains("Operator: wombat"), "{found}");
    let found = search(&home, &cfg, "quokka");
    assert!(found.contains("Alice Johnson: Got it"), "{found}");
    assert!(!found.contains("Operator: quokka"), "{found}");
}

/// What arrives while the chat is open and followed was read: after a restart no "new
/// messages" line is drawn above it.
#[test]
fn what_came_while_the_chat_was_followed_is_read_after_a_restart() {
    let home = Home::new();
    let sim = Simulate::start(&home, &[]);
    let (cfg, env) = console_config(&home, &sim, "");
    let args = ["--config", cfg.to_str().unwrap()];
    let mut app = PtyApp::spawn(&args, &env, 160, 48);
    app.wait_for_text("# Project");
    let at = locate(&app, "# Project");
    click(&mut app, at);
    click(&mut app, at);
    app.wait_for_text("History: Project");
    // Sent from elsewhere while the console follows the chat; Alice answers it.
    chat(&home, &sim, &["send", "Project", "marmot while open"]);
    app.wait_for_text("Got it: “marmot while open”");
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));

    let mut app = PtyApp::spawn(&args, &env, 160, 48);
    app.wait_for_text("Got it: “marmot while open”");
    // The server's newest page too (the store's copy is replaced by it).
    app.wait_for("the server's page", |s| {
        !s.contents().contains("stored copy")
    });
    assert!(
        !app.contents().contains("new messages"),
        "{}",
        app.contents()
    );
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
}
