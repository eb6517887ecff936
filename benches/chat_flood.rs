//! Ingest throughput: the chat simulator floods a client with server requests (new messages);
//! our client and `TrueConf`'s python-trueconf-bot, side by side in one run, against the same
//! simulator. Each push must be parsed and acknowledged; we count the events delivered. The
//! simulator prepares each flood while holding it back and the clock starts at its release,
//! so both clients are timed on delivery and ingest alone.
//!
//!     cargo bench --bench chat_flood
//!
//! The Python side needs the virtual environment that `tests/python/bot_interop.sh` makes
//! (target/py-venv, or `TRUECONF_PY_VENV`); without it, only our figures are printed.
//! Target (issue 3): at least 30 times the Python library's rate.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

// The allocator the binary uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::BufRead;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use trueconf_console::chat::events::ChatEvent;
use trueconf_console::chat::{self, ChatLinkEvent, ChatLinkOptions, ChatTarget};
use trueconf_console::sim::{ChatSim, ChatSimConfig, World};

const OURS: usize = 50_000;
const PYTHON: usize = 3_000;

fn main() {
    trueconf_console::tls::init();
    // The simulator runs on a thread of its own, as a server would; each client on another.
    let (sim_tx, sim_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            // The whole flood waits in the client's queue while held.
            let mut cfg = ChatSimConfig::new(Arc::new(World::demo()));
            cfg.max_queued = OURS + PYTHON;
            let sim = ChatSim::start(cfg, "127.0.0.1:0".parse().unwrap())
                .await
                .unwrap();
            sim_tx.send(sim).unwrap();
            std::future::pending::<()>().await;
        });
    });
    let sim = sim_rx.recv().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let chat_id = sim.chat_id("alice+operator").expect("the demo p2p chat");

    // Ours: count Message events on the link's channel (each acked before it is emitted).
    let ours = rt.block_on(async {
        let target = ChatTarget::loopback(sim.port(), "operator", "operator");
        let (h, mut rx) = chat::spawn(target, ChatLinkOptions::default()).unwrap();
        h.wait_status(
            Duration::from_secs(10),
            trueconf_console::app::LinkStatus::is_up,
        )
        .await
        .expect("link up");
        // Warm up.
        sim.flood("alice", &chat_id, 1000).unwrap();
        let mut n = 0;
        while n < 1000 {
            if let Some(ChatLinkEvent::Event(ChatEvent::Message(_))) = rx.recv().await {
                n += 1;
            }
        }
        // The flood is prepared while held, then timed from its release: what is measured is
        // delivery and ingest, not the simulator making up messages.
        sim.hold();
        sim.flood("alice", &chat_id, OURS).unwrap();
        let t = Instant::now();
        sim.release();
        let mut n = 0;
        while n < OURS {
            match rx.recv().await {
                Some(ChatLinkEvent::Event(ChatEvent::Message(_))) => n += 1,
                Some(_) => {}
                None => panic!("the link stopped"),
            }
        }
        let secs = t.elapsed().as_secs_f64();
        drop(h);
        OURS as f64 / secs
    });

    println!("Ingest of pushed messages (sendMessage server requests, each acked) on loopback");
    println!("{:<28} {:>7} {:>14}", "client", "n", "events/s");
    println!("{:<28} {:>7} {:>14.0}", "trueconf-console", OURS, ours);

    let root = env!("CARGO_MANIFEST_DIR");
    let venv =
        std::env::var("TRUECONF_PY_VENV").unwrap_or_else(|_| format!("{root}/target/py-venv"));
    let python = format!("{venv}/bin/python");
    let child = std::process::Command::new(&python)
        .arg(format!("{root}/benches/chat_flood.py"))
        .arg(sim.port().to_string())
        .arg(PYTHON.to_string())
        .env("NO_PROXY", "127.0.0.1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    match child {
        Err(e) => println!(
            "python-trueconf-bot: not run ({python}: {e}); run tests/python/bot_interop.sh first"
        ),
        Ok(mut child) => {
            let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
            let mut line = String::new();
            out.read_line(&mut line).unwrap();
            if line.trim() == "ready" {
                sim.hold();
                sim.flood("alice", &chat_id, PYTHON).unwrap();
                let t0 = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_secs_f64();
                sim.release();
                line.clear();
                out.read_line(&mut line).unwrap();
                let _ = child.wait();
                let v: serde_json::Value =
                    serde_json::from_str(&line).expect("python output is JSON");
                let secs = v["last"].as_f64().unwrap() - t0;
                let py = v["n"].as_f64().unwrap() / secs;
                println!(
                    "{:<28} {:>7} {:>14.0}",
                    "python-trueconf-bot 1.5.4", PYTHON, py
                );
                println!(
                    "ratio (ours / python): {:.0}x (target: at least 30x)",
                    ours / py
                );
            } else {
                let _ = child.kill();
                let err = child
                    .wait_with_output()
                    .map(|o| o.stderr)
                    .unwrap_or_default();
                println!(
                    "python-trueconf-bot: failed: {}",
                    String::from_utf8_lossy(&err).trim()
                );
            }
        }
    }
    sim.shutdown();
}
