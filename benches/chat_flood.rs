//! Ingest throughput: the chat simulator floods a client with server requests (new messages);
//! side by side in one run, against the same simulator:
//!
//! 1. our chat link alone (each push parsed and acknowledged, the Message events counted);
//! 2. `TrueConf`'s python-trueconf-bot (its dispatcher's deliveries counted);
//! 3. our console as it runs: the link with frames on (as the app connects it), its events
//!    forwarded in bursts (`app::forward_chat`, as the app does) through a 1024-deep channel
//!    into `app::update` in batches of up to 1024, a
//!    frame drawn (160x48, ratatui's `TestBackend`) at most every 8 ms when the model changed,
//!    as `app::run` does; the flooded chat is open with 1,000,000 messages loaded (one answer,
//!    untimed; the open chat keeps the window of its newest, `app::WINDOW`;
//!    `CHAT_FLOOD_OPEN` to change the count). The commands `update` returns are not carried
//!    out (for a flood: one name lookup);
//! 4. the same with the message store on, as the console runs by default: each chat event
//!    also handed to the store's writer thread by `app::forward_chat` (a fresh store under
//!    the target directory), and the time until the writer has written the whole flood.
//!
//! Each gets the same warm-up (1,000 messages, not timed) and the same measured flood (100,000
//! messages; `CHAT_FLOOD_N` to change it: 30,000 lasted a tenth of a second for our clients,
//! and one scheduling hiccup on a shared machine moved a round by a third), in each of 3
//! rounds (`CHAT_FLOOD_ROUNDS`) that run
//! the clients in turn; each ratio is taken within a round, and the median and the range over
//! the rounds are printed. The simulator prepares each flood while holding it
//! back and the clock starts at its release, so every client is timed on delivery and ingest
//! alone.
//!
//!     cargo bench --bench chat_flood
//!
//! `CHAT_FLOOD_ONLY=link` or `=app` runs only that client (for a profiler); ratios need both.
//!
//! The Python side needs the virtual environment that `tests/python/bot_interop.sh` makes
//! (see `support::py_venv`); without it, only our figures are printed.
//! Targets: the link at least 30 times the Python library's rate; the console with a
//! 1,000,000-message chat open (store on) at least 0.5 times the link's and 30 times the
//! Python library's.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "support/mod.rs"]
mod support;

// The allocator the binary uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::BufRead;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use trueconf_console::app::{Model, Msg, update};
use trueconf_console::chat::events::ChatEvent;
use trueconf_console::chat::{self, ChatLinkEvent, ChatLinkOptions, ChatTarget};
use trueconf_console::config::Config;
use trueconf_console::sim::{ChatSim, ChatSimConfig, World};
use trueconf_console::store::Limits;
use trueconf_console::store::writer::StoreWriter;

/// Warm-up messages, the same for every client.
const WARM: usize = 1_000;
/// As in `app::run`.
const BATCH: usize = 1024;
const MIN_FRAME_INTERVAL: Duration = Duration::from_millis(8);

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

fn main() {
    // As the console starts: mimalloc's purge delay, SQLite through mimalloc.
    trueconf_console::alloc::tune();
    let n = env_usize("CHAT_FLOOD_N", 100_000);
    let open = env_usize("CHAT_FLOOD_OPEN", 1_000_000) as u64;
    trueconf_console::tls::init();
    // The simulator runs on a thread of its own, as a server would; each client on another.
    let (sim_tx, sim_rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("simulator".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                // The whole flood waits in the client's queue while held.
                let mut cfg = ChatSimConfig::new(Arc::new(World::demo()));
                cfg.max_queued = 2 * (n + WARM);
                let sim = ChatSim::start(cfg, "127.0.0.1:0".parse().unwrap())
                    .await
                    .unwrap();
                sim_tx.send(sim).unwrap();
                std::future::pending::<()>().await;
            });
        })
        .unwrap();
    let sim = sim_rx.recv().unwrap();
    let chat_id = sim.chat_id("alice+operator").expect("the demo p2p chat");

    let rounds = env_usize("CHAT_FLOOD_ROUNDS", 3).max(1);
    // `CHAT_FLOOD_ONLY=link` (or `app`) runs one side alone, for a profiler.
    let only = std::env::var("CHAT_FLOOD_ONLY").unwrap_or_default();
    println!(
        "Ingest of pushed messages (sendMessage server requests, each acked) on loopback: \
         {WARM} warm-up messages, then {n} timed from their release, for each client; \
         {rounds} rounds, the clients in turn in each"
    );
    println!("{:<52} {:>7} {:>12}", "client", "n", "events/s");
    let (mut links, mut pys, mut offs, mut ons) = (vec![], vec![], vec![], vec![]);
    for round in 1..=rounds {
        println!("round {round} of {rounds}");
        if only != "app" {
            let link = bare_link(&sim, &chat_id, n);
            println!(
                "{:<52} {:>7} {:>12.0}",
                "trueconf-console chat link", n, link
            );
            links.push(link);
            // The link's connection is gone before the next client logs in as the same user.
            std::thread::sleep(Duration::from_millis(300));
        }
        if only.is_empty() {
            match python(&sim, &chat_id, n) {
                Ok(py) => {
                    println!("{:<52} {:>7} {:>12.0}", "python-trueconf-bot 1.5.4", n, py);
                    pys.push(py);
                }
                Err(e) => {
                    println!("python-trueconf-bot: {e}");
                    // Keeps the rounds aligned; left out of every figure.
                    pys.push(f64::NAN);
                }
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        if only == "link" {
            continue;
        }
        for store in [false, true] {
            std::thread::sleep(Duration::from_millis(300));
            let app = through_app(&sim, &chat_id, n, open, store);
            println!(
                "{:<52} {:>7} {:>12.0}",
                format!(
                    "trueconf-console app loop, {} open{}",
                    thousands(open),
                    if store { ", store on" } else { "" }
                ),
                n,
                app.rate
            );
            println!(
                "  of its time: update {:.0} %, {} frames {:.0} %, waiting for the link {:.0} %",
                100.0 * app.update / app.total,
                app.frames,
                100.0 * app.draw / app.total,
                100.0 * (app.total - app.update - app.draw) / app.total
            );
            println!(
                "  CPU µs per message by thread until the flood was in: {}",
                app.cpu
            );
            if let Some(d) = app.drained {
                println!(
                    "  the store's writer had written all {n} {:.2} s after the release \
                     ({:.0} msg/s)",
                    d,
                    n as f64 / d
                );
            }
            if store { &mut ons } else { &mut offs }.push(app.rate);
        }
    }
    println!(
        "Medians over {rounds} rounds (events/s): link {:.0}, python {:.0}, app loop {:.0}, \
         app loop store on {:.0}",
        median(&links),
        median(&pys),
        median(&offs),
        median(&ons)
    );
    // Each ratio is taken within a round (the two sides side by side), then summarised.
    let per_round =
        |a: &[f64], b: &[f64]| -> Vec<f64> { a.iter().zip(b).map(|(x, y)| x / y).collect() };
    let open_s = thousands(open);
    for (what, rates) in [("store off", &offs), ("store on", &ons)] {
        println!(
            "ratio app loop ({what}) / python: {} (target: at least 30x)",
            summary(&per_round(rates, &pys))
        );
        println!(
            "ratio app loop ({what}) / link: {} (target: at least 0.5x with 1,000,000 open; \
             {open_s} open here)",
            summary(&per_round(rates, &links))
        );
    }
    println!(
        "ratio link / python: {} (target: at least 30x)",
        summary(&per_round(&links, &pys))
    );
    sim.shutdown();
}

/// The middle value (NaN for none).
fn median(v: &[f64]) -> f64 {
    let mut v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// "median x (min–max x over N rounds)", or "not measured".
fn summary(v: &[f64]) -> String {
    let v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return "not measured".into();
    }
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!(
        "{}x ({}–{}x over {} rounds)",
        ratio(median(&v)),
        ratio(lo),
        ratio(hi),
        v.len()
    )
}

/// Three significant digits.
fn ratio(r: f64) -> String {
    if r.is_nan() || r.is_infinite() || r <= 0.0 {
        return format!("{r:.2}");
    }
    let digits = (2 - r.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format!("{r:.digits$}")
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Our link alone, on a current-thread runtime: Message events counted on its channel (each
/// acked before it is emitted). Events per second.
fn bare_link(sim: &ChatSim, chat_id: &str, n: usize) -> f64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let target = ChatTarget::loopback(sim.port(), "operator", "operator");
        let (h, mut rx) = chat::spawn(target, ChatLinkOptions::default()).unwrap();
        h.wait_status(
            Duration::from_secs(10),
            trueconf_console::app::LinkStatus::is_up,
        )
        .await
        .expect("link up");
        let mut count = async |want: usize| {
            let mut got = 0;
            while got < want {
                match rx.recv().await {
                    Some(ChatLinkEvent::Event(ChatEvent::Message(_))) => got += 1,
                    Some(_) => {}
                    None => panic!("the link stopped"),
                }
            }
        };
        sim.flood("alice", chat_id, WARM).unwrap();
        count(WARM).await;
        // The flood is prepared while held, then timed from its release: what is measured is
        // delivery and ingest, not the simulator making up messages.
        sim.hold();
        sim.flood("alice", chat_id, n).unwrap();
        let t = Instant::now();
        sim.release();
        count(n).await;
        let secs = t.elapsed().as_secs_f64();
        drop(h);
        n as f64 / secs
    })
}

/// python-trueconf-bot, the same warm-up and flood. Events per second.
fn python(sim: &ChatSim, chat_id: &str, n: usize) -> Result<f64, String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let python = format!("{}/bin/python", support::py_venv());
    let mut child = std::process::Command::new(&python)
        .arg(format!("{root}/benches/chat_flood.py"))
        .arg(sim.port().to_string())
        .arg(WARM.to_string())
        .arg(n.to_string())
        .env("NO_PROXY", "127.0.0.1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("not run ({python}: {e}); run tests/python/bot_interop.sh first"))?;
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let mut expect = |line: &mut String, what: &str| -> Result<(), String> {
        line.clear();
        out.read_line(line).unwrap();
        if line.trim() == what {
            Ok(())
        } else {
            let _ = child.kill();
            let err = std::mem::take(&mut child.stderr)
                .map(|mut e| {
                    let mut s = String::new();
                    let _ = std::io::Read::read_to_string(&mut e, &mut s);
                    s
                })
                .unwrap_or_default();
            Err(format!("failed: {}", err.trim()))
        }
    };
    expect(&mut line, "ready")?;
    sim.flood("alice", chat_id, WARM).unwrap();
    expect(&mut line, "warm")?;
    sim.hold();
    sim.flood("alice", chat_id, n).unwrap();
    let t0 = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    sim.release();
    line.clear();
    out.read_line(&mut line).unwrap();
    let _ = child.wait();
    let v: serde_json::Value = serde_json::from_str(&line).expect("python output is JSON");
    let secs = v["last"].as_f64().unwrap() - t0;
    Ok(v["n"].as_f64().unwrap() / secs)
}

/// CPU seconds (user and system) each thread has used so far, summed by what it is: "loop"
/// for the main thread (the app loop runs on it), else the thread's name ("simulator",
/// "tokio-rt-worker" for the link and the forwarder, "store-writer"). Linux only; empty
/// elsewhere.
fn cpu_by_thread() -> std::collections::BTreeMap<String, f64> {
    let mut out = std::collections::BTreeMap::new();
    let pid = std::process::id().to_string();
    let tick = 100.0; // USER_HZ
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for t in dir.flatten() {
        let tid = t.file_name().to_string_lossy().into_owned();
        let Ok(stat) = std::fs::read_to_string(t.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ... utime stime: fields 14 and 15, counted after the comm.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = &stat[open + 1..close];
        let rest: Vec<&str> = stat[close + 2..].split(' ').collect();
        let ticks: f64 = rest[11].parse::<f64>().unwrap() + rest[12].parse::<f64>().unwrap();
        let name = if tid == pid {
            "loop".to_string()
        } else {
            comm.trim().to_string()
        };
        *out.entry(name).or_insert(0.0) += ticks / tick;
    }
    out
}

/// CPU microseconds per message for each kind of thread between two readings.
fn cpu_per_message(
    before: &std::collections::BTreeMap<String, f64>,
    after: &std::collections::BTreeMap<String, f64>,
    n: usize,
) -> String {
    after
        .iter()
        .map(|(k, v)| {
            let d = v - before.get(k).copied().unwrap_or(0.0);
            format!("{k} {:.1}", d * 1e6 / n as f64)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

struct AppRun {
    /// CPU microseconds per message by thread, from the release until the flood was in.
    cpu: String,
    /// Message events per second.
    rate: f64,
    /// Seconds in all, in `update`, drawing.
    total: f64,
    /// With a store: seconds from the release until its writer had written everything.
    drained: Option<f64>,
    update: f64,
    draw: f64,
    frames: usize,
}

/// The console's loop, as `app::run` has it, over the real link.
/// The console's app loop; with `store`, the chat events also go to a message store's writer
/// (a fresh file under the target directory) as `Effects::connect_chat` sends them.
fn through_app(sim: &ChatSim, chat_id: &str, n: usize, open: u64, store: bool) -> AppRun {
    // The console's runtime: multi-threaded, the loop on the thread that blocks on it.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut m = Model::demo(&Config::default(), (160, 48), false);
        // As `Effects::connect_chat` (`app::start_chat`): frames on, events bounded and forwarded
        // into the loop's channel.
        let (tx, mut links) = tokio::sync::mpsc::channel::<Msg>(1024);
        let target = ChatTarget::loopback(sim.port(), "operator", "operator");
        let writer = store.then(|| {
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("chat_flood");
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            StoreWriter::start(
                &dir.join("store.sqlite3"),
                Limits {
                    max_age_days: 0,
                    max_mb: 0,
                },
                |_| {},
            )
        });
        let (h, forward) = trueconf_console::app::start_chat(
            target,
            ChatLinkOptions::default(),
            writer.clone(),
            tx,
        )
        .unwrap();
        // Up, as the loop sees it.
        while !m.chat.link.is_up() {
            let msg = links.recv().await.expect("the link stopped");
            update(&mut m, msg);
        }
        // The chat list read and the chat opened, its history loaded (the answers to what
        // the loop asked for when the link came up).
        support::open_chat(&mut m, chat_id);
        support::load_history(&mut m, chat_id, open, false);

        let mut lp = AppLoop {
            links,
            term: Terminal::new(TestBackend::new(160, 48)).unwrap(),
            last_draw: None,
            drawn: None,
            update: 0.0,
            draw: 0.0,
            frames: 0,
        };
        sim.flood("alice", chat_id, WARM).unwrap();
        lp.run(&mut m, WARM).await;
        (lp.update, lp.draw, lp.frames) = (0.0, 0.0, 0);
        sim.hold();
        sim.flood("alice", chat_id, n).unwrap();
        let cpu0 = cpu_by_thread();
        let t = Instant::now();
        sim.release();
        lp.run(&mut m, n).await;
        let total = t.elapsed().as_secs_f64();
        let cpu = cpu_per_message(&cpu0, &cpu_by_thread(), n);
        let held = m.chat.open.as_ref().unwrap().messages.len() as u64;
        assert!(
            held >= (open + (WARM + n) as u64).min(trueconf_console::app::WINDOW as u64),
            "the flood went into the open chat ({held} held)"
        );
        // The writer's queue, drained after the flood.
        let drained = match &writer {
            Some(w) => {
                w.flush().await;
                let d = t.elapsed().as_secs_f64();
                w.close().await;
                Some(d)
            }
            None => None,
        };
        drop(h);
        forward.abort();
        AppRun {
            cpu,
            rate: n as f64 / total,
            total,
            drained,
            update: lp.update,
            draw: lp.draw,
            frames: lp.frames,
        }
    })
}

/// `app::run`'s loop without the terminal's input: the link's messages in batches, a frame
/// when the model changed and the last one is at least `MIN_FRAME_INTERVAL` old.
struct AppLoop {
    links: tokio::sync::mpsc::Receiver<Msg>,
    term: Terminal<TestBackend>,
    last_draw: Option<Instant>,
    drawn: Option<u64>,
    /// Seconds in `update` and in drawing, frames drawn.
    update: f64,
    draw: f64,
    frames: usize,
}

impl AppLoop {
    /// Runs until `want` Message events have gone through `update`.
    async fn run(&mut self, m: &mut Model, want: usize) {
        let mut got = 0;
        while got < want {
            let first = self.links.recv().await.expect("the link stopped");
            // As `app::run`: a batch is counted in events.
            let weight = |m: &Msg| match m {
                Msg::Chats(es) => es.len(),
                _ => 1,
            };
            let mut events = weight(&first);
            let mut batch = vec![first];
            while events < BATCH {
                match self.links.try_recv() {
                    Ok(msg) => {
                        events += weight(&msg);
                        batch.push(msg);
                    }
                    Err(_) => break,
                }
            }
            let t = Instant::now();
            let is_message =
                |e: &ChatLinkEvent| matches!(e, ChatLinkEvent::Event(ChatEvent::Message(_)));
            for msg in batch {
                got += match &msg {
                    Msg::Chat(e) => usize::from(is_message(e)),
                    Msg::Chats(es) => es.iter().filter(|e| is_message(e)).count(),
                    _ => 0,
                };
                update(m, msg);
            }
            self.update += t.elapsed().as_secs_f64();
            if self.drawn != Some(m.revision())
                && self
                    .last_draw
                    .is_none_or(|t| t.elapsed() >= MIN_FRAME_INTERVAL)
            {
                let t = Instant::now();
                self.term
                    .draw(|f| {
                        trueconf_console::ui::draw(m, f);
                    })
                    .unwrap();
                self.draw += t.elapsed().as_secs_f64();
                self.frames += 1;
                self.drawn = Some(m.revision());
                self.last_draw = Some(Instant::now());
            }
        }
    }
}
