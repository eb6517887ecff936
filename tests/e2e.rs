//! End to end: the real binary in a pseudo-terminal, configured for a Room simulator and a chat
//! simulator that this test runs (so it can ring the Room and take the chat server down).
//! An incoming call is accepted and hung up; a chat is opened, a message sent and Alice's
//! answer appears; a file Alice posts is downloaded; a message written while the chat server
//! is down is delivered once it is back.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Home, PtyApp};
use trueconf_console::sim::{ChatSim, ChatSimConfig, RoomSim, RoomSimConfig, World};

#[test]
fn a_call_a_chat_and_a_message_across_an_outage() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // The simulators' own tasks (peers answering, files readying) run on this runtime.
    let _rt = rt.enter();
    let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    let (room, chat) = rt.block_on(async {
        let mut rc = RoomSimConfig::new(Arc::new(World::demo()));
        rc.logged_in = true;
        rc.time_scale = 0.1;
        let room = RoomSim::start(rc, any, any).await.unwrap();
        let mut cc = ChatSimConfig::new(Arc::new(World::demo()));
        cc.reply_after = Duration::from_millis(100);
        let chat = ChatSim::start(cc, any).await.unwrap();
        (room, chat)
    });
    let home = Home::new();
    let downloads = home.data_dir().join("dl");
    let cfg = home.write(
        "config.toml",
        &format!(
            "[chat]\nserver = \"127.0.0.1\"\nport = {}\nusername = \"operator\"\nreconnect_max_delay = 1\n\n\
             [[room]]\nname = \"Lab\"\nhost = \"127.0.0.1\"\nhttp_port = {}\n\n\
             [ui]\ndownload_dir = {:?}\n",
            chat.port(),
            room.http_port(),
            downloads.to_str().unwrap()
        ),
    );
    let mut env = home.env();
    env.insert("TRUECONF_PASSWORD".into(), "operator".into());
    let mut app = PtyApp::spawn(&["--config", cfg.to_str().unwrap()], &env, 120, 36);
    app.wait_for_text("Room Lab: online");
    app.wait_for_text("Chat operator@video.example.com: online");

    // Dave calls: the dialog opens; `a` answers; `h` hangs up.
    room.incoming_call("dave").unwrap();
    app.wait_for_text("Incoming call");
    app.wait_for_text("Dave Brown (dave@video.example.com)");
    app.send(b"a");
    app.wait_for_text("Call: Dave Brown");
    assert!(!app.contents().contains("Incoming call"));
    app.send(b"h");
    app.wait_for_text("State: ready");

    // Open the chat with Alice (the list is sorted: unread first, then by activity) and talk.
    app.send(b"\t");
    // p2p chats show the other side's display name once the server told it.
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
    app.send("hello from the pty ✓".as_bytes());
    app.send(b"\r");
    app.wait_for_text("Got it: “hello from the pty ✓”");

    // Alice posts a file (still uploading for a moment); select it in the history and
    // download it: the bytes arrive whole, under its name, in the download directory.
    let alice_chat = chat.chat_id("alice+operator").unwrap();
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    chat.post_file(
        "alice",
        &alice_chat,
        "q4 report.bin",
        bytes.clone(),
        Duration::from_millis(300),
    )
    .unwrap();
    app.wait_for_text("📎 q4 report.bin");
    // Posted while uploading: the console follows it until the server says it is ready.
    app.wait_for("the file to be ready", |s| {
        s.contents()
            .lines()
            .any(|l| l.contains("📎 q4 report.bin") && !l.contains("uploading"))
    });
    // Sending left the composer with the history focused: up selects the file.
    app.wait_for_text("i writes a message");
    app.send(b"k");
    app.wait_for_text("o downloads");
    app.send(b"o");
    app.wait_for_text("downloaded to");
    let saved = downloads.join("q4 report.bin");
    assert_eq!(std::fs::read(&saved).unwrap(), bytes);
    // Back to writing (Esc in the history pane returns the cursor to the newest).
    app.send(b"\x1b");
    app.wait_for("the cursor to leave the file", |s| {
        !s.contents().contains('▶')
    });
    app.send(b"i");
    app.wait_for_text("Enter sends");

    // The chat server goes away: the link says so, and what is written now waits.
    let before = chat.message_count(&alice_chat);
    chat.set_offline(true);
    app.wait_for_text("retrying in");
    app.send("written offline".as_bytes());
    app.send(b"\r");
    app.wait_for_text("waiting for the link");
    assert_eq!(chat.message_count(&alice_chat), before);
    chat.set_offline(false);
    app.wait_for_text("Got it: “written offline”");
    assert!(!app.contents().contains("waiting for the link"));

    app.send(b"\x1b");
    app.send(b"\x03");
    assert_eq!(app.wait_exit().code(), Some(0));
    app.assert_terminal_restored();
    room.shutdown();
    chat.shutdown();
}

/// A frozen Room and chat server (as SIGSTOP leaves them) are shown as not answering — in the
/// Room pane and the status bar alike, never "online" — within the configured liveness, and
/// both links come back after the thaw.
#[test]
fn frozen_servers_are_shown_not_answering_within_the_liveness_interval() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let _rt = rt.enter();
    let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    let (room, chat) = rt.block_on(async {
        let mut rc = RoomSimConfig::new(Arc::new(World::demo()));
        rc.logged_in = true;
        let room = RoomSim::start(rc, any, any).await.unwrap();
        let chat = ChatSim::start(ChatSimConfig::new(Arc::new(World::demo())), any)
            .await
            .unwrap();
        (room, chat)
    });
    let home = Home::new();
    let cfg = home.write(
        "config.toml",
        &format!(
            "[chat]\nserver = \"127.0.0.1\"\nport = {}\nusername = \"operator\"\nliveness = 4\n\
             reconnect_max_delay = 1\n\n\
             [[room]]\nname = \"Lab\"\nhost = \"127.0.0.1\"\nhttp_port = {}\nliveness = 4\n",
            chat.port(),
            room.http_port(),
        ),
    );
    let mut env = home.env();
    env.insert("TRUECONF_PASSWORD".into(), "operator".into());
    let mut app = PtyApp::spawn(&["--config", cfg.to_str().unwrap()], &env, 120, 36);
    app.wait_for_text("Room Lab: online");
    app.wait_for_text("Chat operator@video.example.com: online");
    app.wait_for_text("Link: online");
    room.set_frozen(true);
    chat.set_frozen(true);
    let frozen = std::time::Instant::now();
    // Both links leave "online" everywhere: the pane's link line and the status bar.
    app.wait_for("no link shown online", |s| !s.contents().contains("online"));
    let took = frozen.elapsed();
    assert!(
        took <= Duration::from_secs(4),
        "shown online {took:?} after the freeze (liveness 4 s)"
    );
    let screen = app.contents();
    assert!(
        screen.contains("not answering") || screen.contains("stopped answering"),
        "{screen}"
    );
    room.set_frozen(false);
    chat.set_frozen(false);
    app.wait_for_text("Room Lab: online");
    app.wait_for_text("Chat operator@video.example.com: online");
    app.send(b"q");
    app.wait_exit();
}
