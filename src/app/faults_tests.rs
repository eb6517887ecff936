//! Fault injection: the console's model and effects, as the runtime drives them, against the
//! chat simulator through a proxy that cuts connections at random byte offsets (seeded), and
//! across simulated crashes at every step of the outbox. What is asserted is the server's own
//! record: each message exactly once, in the order written, per chat.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::composer::send;
use super::{Cmd, Effects, Model, Msg, OutboxFile, Outgoing, update};
use crate::chat::{ChatLinkOptions, ChatTarget};
use crate::config::Config;
use crate::link::Backoff;
use crate::sim::{ChatSim, ChatSimConfig, FaultProxy, World};

/// A small deterministic generator (xorshift64*), so a failing run can be repeated.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

async fn simulator() -> ChatSim {
    let mut cfg = ChatSimConfig::new(Arc::new(World::demo()));
    // Alice answers in her chat, but not during these tests.
    cfg.reply_after = Duration::from_secs(3600);
    ChatSim::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn chats(sim: &ChatSim) -> Vec<String> {
    ["alice+operator", "Project", "Announcements"]
        .iter()
        .map(|t| sim.chat_id(t).unwrap())
        .collect()
}

/// The runtime's part, headless: a model, its effects, and the channel the links feed.
/// Each rig has its own proxy: dropping the rig cuts its connections as a kill -9 would.
struct Rig {
    m: Model,
    fx: Effects,
    rx: mpsc::Receiver<Msg>,
    proxy: FaultProxy,
    /// Steps (a command carried out, a message applied) left before a simulated crash.
    budget: Option<usize>,
    steps: usize,
    /// What was written and reached the disk (the rest died with the crash, as a draft does).
    kept: Vec<String>,
}

impl Rig {
    async fn start(sim: &ChatSim, outbox: &Path) -> Rig {
        let proxy = FaultProxy::start(([127, 0, 0, 1], sim.port()).into())
            .await
            .unwrap();
        let (tx, rx) = mpsc::channel(1024);
        let mut fx = Effects::new(vec![], tx);
        fx.set_outbox_path(Some(outbox.to_path_buf()));
        let mut m = Model::demo(&Config::default(), (120, 40), true);
        let f = OutboxFile::load(outbox).unwrap();
        m.composer.outbox = f.items;
        m.composer.claimed = f.claimed;
        m.composer.persist = true;
        fx.connect_chat(
            ChatTarget::loopback(proxy.port(), "operator", "operator"),
            ChatLinkOptions {
                backoff: Backoff {
                    initial: Duration::from_millis(5),
                    max: Duration::from_millis(20),
                    max_retries: None,
                },
                request_timeout: Duration::from_secs(5),
                connect_timeout: Duration::from_secs(5),
                ..ChatLinkOptions::default()
            },
        );
        Rig {
            m,
            fx,
            rx,
            proxy,
            budget: None,
            steps: 0,
            kept: Vec::new(),
        }
    }

    /// False once the crash budget is spent (the rest is dropped, as a kill drops it).
    fn tick(&mut self) -> bool {
        self.steps += 1;
        match &mut self.budget {
            Some(0) => false,
            Some(n) => {
                *n -= 1;
                true
            }
            None => true,
        }
    }

    fn run(&mut self, cmds: Vec<Cmd>) -> bool {
        for c in cmds {
            if !self.tick() {
                return false;
            }
            match c {
                Cmd::Quit | Cmd::Bell | Cmd::Terminal(_) => {}
                c => self.fx.run(c),
            }
        }
        true
    }

    fn write(&mut self, chat: &str, text: String) -> bool {
        if !self.tick() {
            return false;
        }
        for c in send(
            &mut self.m,
            Outgoing::new(chat.into(), text.clone(), "text"),
        ) {
            if !self.tick() {
                return false;
            }
            let saves = matches!(&c, Cmd::SaveOutbox(f) if f.items.iter().any(|o| o.text == text));
            self.fx.run(c);
            if saves {
                self.kept.push(text.clone());
            }
        }
        true
    }

    /// A kill: the links stop at once (the proxy cuts them and takes no more), and nothing of
    /// this rig runs again.
    async fn kill(self) {
        self.proxy.shutdown().await;
    }

    /// Applies the next message from the links; false on a crash.
    async fn step(&mut self, deadline: Instant) -> bool {
        let Ok(msg) = tokio::time::timeout_at(deadline, self.rx.recv()).await else {
            panic!(
                "the rig stalled: link {:?}, {} cuts, outbox {:?}",
                self.m.chat.link,
                self.proxy.cuts(),
                self.m
                    .composer
                    .outbox
                    .iter()
                    .map(|o| (o.text.as_str(), &o.state, o.checking, &o.stuck))
                    .collect::<Vec<_>>()
            );
        };
        let msg = msg.expect("the links went away");
        if !self.tick() {
            return false;
        }
        let cmds = update(&mut self.m, msg);
        self.run(cmds)
    }

    /// Runs until the outbox is empty (or the crash).
    async fn drain(&mut self, deadline: Instant) -> bool {
        while !self.m.composer.outbox.is_empty() {
            if !self.step(deadline).await {
                return false;
            }
        }
        true
    }
}

fn outbox_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("outbox.json")
}

/// What the server holds of ours in `chat` that starts with `prefix`.
fn arrived(sim: &ChatSim, chat: &str, prefix: &str) -> Vec<String> {
    sim.texts_by(chat, "operator")
        .into_iter()
        .filter(|t| t.starts_with(prefix))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_messages_across_a_hundred_cuts_arrive_once_each_in_order() {
    let sim = simulator().await;
    let chats = chats(&sim);
    let dir = tempfile::tempdir().unwrap();
    let mut rig = Rig::start(&sim, &outbox_path(&dir)).await;
    let mut rng = Rng(0x5EED_0012);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut written: Vec<Vec<String>> = vec![Vec::new(); chats.len()];
    // 100 rounds: three messages written (one per chat, in a seeded order), one cut armed at
    // a random byte offset; the round ends when the cut has happened (at once, if the outbox
    // empties first and the link would only idle).
    let mut n = 0;
    for round in 0..100 {
        for _ in 0..3 {
            let c = rng.below(3) as usize;
            let text = format!("F{c}-{n:03}");
            n += 1;
            written[c].push(text.clone());
            assert!(rig.write(&chats[c], text));
        }
        let cuts = rig.proxy.cuts();
        rig.proxy.cut_after(rng.below(1500));
        while rig.proxy.cuts() == cuts {
            if rig.m.composer.outbox.is_empty() {
                rig.proxy.cut_now();
                break;
            }
            // A message from the links, or the cut (which comes as one soon after).
            assert!(rig.step(deadline).await, "round {round}");
        }
    }
    assert!(rig.drain(deadline).await);
    assert!(rig.proxy.cuts() >= 100, "{} cuts", rig.proxy.cuts());
    for (c, chat) in chats.iter().enumerate() {
        assert_eq!(
            arrived(&sim, chat, &format!("F{c}-")),
            written[c],
            "chat {c}: exactly once, in order"
        );
    }
    assert_eq!(written.iter().map(Vec::len).sum::<usize>(), 300);
}

/// One run of the scenario: three messages to one chat, crashing after `crash_at` steps
/// (None: never); then a restart from the outbox file runs to the end. Returns the steps of
/// the first run and what of it reached the disk.
async fn crash_then_restart(
    sim: &ChatSim,
    chat: &str,
    prefix: &str,
    crash_at: Option<usize>,
) -> (usize, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = outbox_path(&dir);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut rig = Rig::start(sim, &path).await;
    rig.budget = crash_at;
    let mut alive = true;
    // Written once the link is up, so every step of sending is a crash point.
    while alive && !rig.m.chat.link.is_up() {
        alive = rig.step(deadline).await;
    }
    for i in 0..3 {
        alive = alive && rig.write(chat, format!("{prefix}{i}"));
    }
    alive = alive && rig.drain(deadline).await;
    let (steps, kept) = (rig.steps, rig.kept.clone());
    rig.kill().await;
    if !alive {
        let mut again = Rig::start(sim, &path).await;
        assert!(again.drain(deadline).await);
        again.kill().await;
    }
    (steps, kept)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_at_any_step_of_the_outbox_loses_nothing_and_doubles_nothing() {
    let sim = simulator().await;
    let chat = sim.chat_id("Project").unwrap();
    // A clean run counts the steps; then a crash after each one of them.
    let (total, kept) = crash_then_restart(&sim, &chat, "K-clean-", None).await;
    assert_eq!(kept.len(), 3);
    assert_eq!(arrived(&sim, &chat, "K-clean-"), kept);
    assert!(total > 10, "{total} steps");
    for k in 0..total {
        let prefix = format!("K{k}-");
        let (_, kept) = crash_then_restart(&sim, &chat, &prefix, Some(k)).await;
        // Everything that reached the disk arrived, once, in order; nothing else did.
        assert_eq!(
            arrived(&sim, &chat, &prefix),
            kept,
            "crash after step {k} of {total}"
        );
    }
    // The crashes fell on every part of sending, not just before it.
    assert!(total >= 3 * 4, "{total} steps");
}
