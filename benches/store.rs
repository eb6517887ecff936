//! The local message store at 1,000,000 messages: how fast it takes messages in, and how long
//! a search over all of them takes.
//!
//! - **Insert**: 900,000 messages written as the console's writer thread writes them
//!   (`Store::apply`, 5,000 rows a transaction, FTS5 kept in step by triggers), on disk under
//!   the target dir (not a RAM disk): the rate of the first and of the last 100,000, so that a
//!   store that slows as it grows shows. Then the last 100,000 through the writer itself
//!   (`StoreWriter::write`, one message per write, as the chat link's events arrive) until a
//!   flush returns: the rate the console's ingest can rely on.
//! - **Search**: over the 1,000,000, queries in six classes, 60 different queries each,
//!   each run 3 times after one untimed run: a rare word (about 10 messages), a middling one
//!   (about 1 %), a common one (10–30 %), two words (common and middling), a three-letter
//!   prefix, and a middling word in one chat of 20. The p50 and p99 of every class and of all
//!   of them; the worst class is the one that counts.
//!
//! The text is made of pseudo-words drawn from a 20,000-word vocabulary with Zipf's law
//! (seeded: the same corpus every run), 4 to 24 words a message.
//!
//!     cargo bench --bench store
//!
//! Targets: search p50 < 20 ms and p99 < 100 ms over 1M stored; the writer's rate above the
//! console's ingest rate (chat_flood's app loop with 1M open: about 200,000–260,000 msg/s).
//!
//! `STORE_BENCH_KEEP=DIR` builds the store in DIR and keeps it; a later run with the same DIR
//! skips the inserts and only searches (a store of an older version is migrated first).
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "support/mod.rs"]
mod support;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use serde_json::json;
use support::{Rng, percentile};
use trueconf_console::chat::types::Envelope;
use trueconf_console::store::writer::StoreWriter;
use trueconf_console::store::{Limits, Store, Write};

const TOTAL: u64 = 1_000_000;
const VOCAB: usize = 20_000;
const CHATS: u64 = 20;

/// A pronounceable pseudo-word for vocabulary rank `i` (distinct for distinct `i`).
fn word(i: usize) -> String {
    const C: &[u8] = b"bdfgklmnprstvz";
    const V: &[u8] = b"aeiou";
    let mut n = i + 1;
    let mut w = String::new();
    while n > 0 {
        w.push(C[n % C.len()] as char);
        n /= C.len();
        w.push(V[n % V.len()] as char);
        n /= V.len();
    }
    w
}

/// Zipf's law over the vocabulary: a rank drawn with probability ∝ 1/(rank+1).
struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Zipf {
        let mut cdf = Vec::with_capacity(n);
        let mut acc = 0.0;
        for r in 0..n {
            acc += 1.0 / (r as f64 + 1.0);
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Zipf { cdf }
    }
    fn draw(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1)
    }
}

fn message(i: u64, text: String) -> Envelope {
    let chat = format!("chat-{:02}", i % CHATS);
    let author = ["alice", "bob", "dave", "operator"][(i % 4) as usize];
    Envelope::from_value(
        &json!({"messageId": format!("{:032x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        "chatId": chat, "timestamp": 1_700_000_000_000u64 + i * 37_000, "type": 200,
        "author": {"id": format!("{author}@video.example.com"), "type": 1},
        "box": {"id": i, "position": ""}, "isEdited": false,
        "content": {"text": text, "parseMode": "text"}}),
    )
    .unwrap()
}

fn corpus(rng: &mut Rng, zipf: &Zipf, words: &[String], from: u64, to: u64) -> Vec<Envelope> {
    (from..to)
        .map(|i| {
            let n = 4 + (rng.next_u64() % 21) as usize;
            let text: Vec<&str> = (0..n).map(|_| words[zipf.draw(rng)].as_str()).collect();
            message(i, text.join(" "))
        })
        .collect()
}

/// A search and the chat it is limited to.
type Query = (String, Option<String>);

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn main() {
    // As the console starts: mimalloc's purge delay, SQLite through mimalloc.
    trueconf_console::alloc::tune();
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    // STORE_BENCH_KEEP=DIR: the store is built in DIR and kept; a later run with the same DIR
    // skips the inserts and only searches (for working on search).
    let keep = std::env::var_os("STORE_BENCH_KEEP").map(std::path::PathBuf::from);
    let dir = keep.clone().unwrap_or_else(|| {
        std::path::Path::new(&target).join(format!("bench-store-{}", std::process::id()))
    });
    let path = dir.join("store.sqlite3");
    let reuse = keep.is_some() && path.exists();
    if !reuse {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
    }
    let words: Vec<String> = (0..VOCAB).map(word).collect();
    let zipf = Zipf::new(VOCAB);
    let mut rng = Rng::new(0x5eed_5703);

    if reuse {
        // The same draws as the inserts made, so that the queries are the same.
        for from in (0..TOTAL).step_by(5_000) {
            corpus(&mut rng, &zipf, &words, from, (from + 5_000).min(TOTAL));
        }
    } else {
        insert(&path, &mut rng, &zipf, &words);
    }
    search(&path, &mut rng, &words);
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn insert(path: &std::path::Path, rng: &mut Rng, zipf: &Zipf, words: &[String]) {
    // Insert: 900,000 through Store::apply in the writer's batches.
    let (mut store, _) = Store::open(path).unwrap();
    let bulk = TOTAL - 100_000;
    let mut batch_times = Vec::new();
    let mut from = 0;
    while from < bulk {
        let to = (from + 5_000).min(bulk);
        let msgs = corpus(rng, zipf, words, from, to);
        let t = Instant::now();
        store.apply(&[Write::Messages(msgs)]).unwrap();
        batch_times.push(t.elapsed());
        from = to;
    }
    let first: Duration = batch_times.iter().take(20).sum();
    let last: Duration = batch_times.iter().rev().take(20).sum();
    println!(
        "insert (Store::apply, 5,000 a transaction): first 100k {:.0} msg/s, last 100k (800k-900k) {:.0} msg/s",
        rate(100_000, first),
        rate(100_000, last)
    );
    drop(store);

    // The last 100,000 through the writer thread, one write per message, until flushed.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let tail = corpus(rng, zipf, words, bulk, TOTAL);
    let writer_rate = rt.block_on(async {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let mut tx = Some(tx);
        let w = StoreWriter::start(
            path,
            Limits {
                max_age_days: 0,
                max_mb: 0,
            },
            move |r| {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(r.is_ok());
                }
            },
        );
        assert!(rx.await.unwrap(), "the store opens");
        // The writer checks the file (and applies the limits) after it hands over what the
        // store holds: not counted in its rate.
        w.flush().await;
        let t = Instant::now();
        for e in tail {
            w.write(Write::Messages(vec![e]));
        }
        w.flush().await;
        rate(100_000, t.elapsed())
    });
    println!(
        "writer thread (one write per message, 900k-1M, until flushed): {writer_rate:.0} msg/s"
    );
}

fn search(path: &std::path::Path, rng: &mut Rng, words: &[String]) {
    // Search over the 1,000,000.
    let (store, _) = Store::open(path).unwrap();
    let counts = store.counts().unwrap();
    assert_eq!(counts.messages, TOTAL);
    // Vocabulary ranks by how many messages hold them (Zipf: rank r in about
    // 14 words × 1M × p(r) messages; p(0) ≈ 1/10.5).
    let h = |r: usize| (1..=VOCAB).map(|k| 1.0 / k as f64).sum::<f64>() * (r as f64 + 1.0);
    let share = |r: usize| 1.0 - (1.0 - 1.0 / h(r)).powi(14);
    let rank_near = |want: f64| (0..VOCAB).find(|&r| share(r) <= want).unwrap_or(VOCAB - 1);
    let rare = rank_near(10.0 / TOTAL as f64);
    let middling = rank_near(0.01);
    let common = rank_near(0.30);
    let pick = |rng: &mut Rng, lo: usize, span: usize| {
        let lo = lo.min(VOCAB - span);
        words[lo + (rng.next_u64() as usize % span)].clone()
    };
    let mut classes: Vec<(&str, Vec<Query>)> = Vec::new();
    let n = 60;
    classes.push((
        "rare word (~10 messages)",
        (0..n).map(|_| (pick(rng, rare, 200), None)).collect(),
    ));
    classes.push((
        "middling word (~1 %)",
        (0..n).map(|_| (pick(rng, middling, 20), None)).collect(),
    ));
    classes.push((
        "common word (10-30 %)",
        (0..n)
            .map(|_| (pick(rng, common.saturating_sub(3), 4), None))
            .collect(),
    ));
    classes.push((
        "two words",
        (0..n)
            .map(|_| {
                (
                    format!(
                        "{} {}",
                        pick(rng, common.saturating_sub(3), 4),
                        pick(rng, middling, 20)
                    ),
                    None,
                )
            })
            .collect(),
    ));
    classes.push((
        "3-letter prefix",
        (0..n)
            .map(|_| (pick(rng, middling, 200).chars().take(3).collect(), None))
            .collect(),
    ));
    classes.push((
        "middling word in one chat",
        (0..n)
            .map(|i| {
                (
                    pick(rng, middling, 20),
                    Some(format!("chat-{:02}", i as u64 % CHATS)),
                )
            })
            .collect(),
    ));
    let mut all = Vec::new();
    let mut worst = (0.0f64, 0.0f64, "");
    for (name, queries) in &classes {
        let mut ms = Vec::new();
        let mut found = 0usize;
        for (q, chat) in queries {
            store.search(q, chat.as_deref(), 20).unwrap();
            for _ in 0..3 {
                let t = Instant::now();
                let hits = store.search(q, chat.as_deref(), 20).unwrap();
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
                found += hits.len();
            }
        }
        ms.sort_by(f64::total_cmp);
        let (p50, p99) = (percentile(&ms, 0.5), percentile(&ms, 0.99));
        println!(
            "search {name:<28} p50 {p50:7.2} ms  p99 {p99:7.2} ms  ({:.1} hits a query)",
            found as f64 / ms.len() as f64
        );
        if p99 > worst.1 {
            worst = (p50, p99, name);
        }
        all.extend(ms);
    }
    all.sort_by(f64::total_cmp);
    println!(
        "search, all classes: p50 {:.2} ms, p99 {:.2} ms; worst class ({}): p50 {:.2} ms, p99 {:.2} ms (target p50 < 20, p99 < 100)",
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        worst.2,
        worst.0,
        worst.1
    );
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!(
        "store file: {:.0} MiB for {} messages",
        size as f64 / (1 << 20) as f64,
        counts.messages
    );
    drop(store);
}
