//! Loading a long chat page by page, as scrolling up loads it: 100,000 messages against
//! 200,000, in one run. The newest page first (`Msg::HistoryLoaded { before: None }`), then
//! each older one as the console asks for it (`before: Some(the oldest message held)`), 100
//! messages a page, newest first within it, through `app::update` on a console with the chat
//! open, the cursor on the oldest message held (as holding PageUp keeps it, so the window
//! lets go of the newer end as older pages come). Only `update` is timed: each page is made
//! and parsed from its JSON just before, untimed, as the link parses a page when it arrives;
//! no frame is drawn (the `render` bench has those).
//!
//! Both sizes get the same warm-up (a 10,000-message load, not timed), then are loaded in
//! seven rounds, interleaved; the figures are each size's median round. The time of the first
//! and of the last 100 pages shows how a page's cost grows.
//!
//!     cargo bench --bench open_chat
//!
//! Target: 200,000 in no more than 2.2 times the time of 100,000 (linear).
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "support/mod.rs"]
mod support;

// The allocator the binary uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use trueconf_console::app::{Msg, update};
use trueconf_console::chat::types::Envelope;

const CHAT: &str = "0c5d7b2e-6f1a-4e7b-9d3c-2a1b0c9d8e7f";
const PAGE: u64 = 100;
/// Rounds of both loads, interleaved (a load takes a fraction of a second: one round is at
/// the mercy of the machine).
const ROUNDS: usize = 7;

/// Page `k` (0: the newest) of an `n`-message chat, newest first, parsed from its JSON as
/// the link parses a page when it arrives.
fn page(n: u64, k: u64) -> Vec<Envelope> {
    let hi = n - k * PAGE;
    let lo = hi.saturating_sub(PAGE);
    support::parse_page(&support::page_json(2, CHAT, lo, hi - lo, true))
}

/// The time `update` takes over all the pages of an `n`-message chat: in all, for the first
/// 100 pages, for the last 100.
fn load(n: u64) -> (Duration, Duration, Duration) {
    let count = n.div_ceil(PAGE) as usize;
    let mut m = support::model_with_open_chat(CHAT);
    let (mut spent, mut first, mut last) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for k in 0..count {
        // Made and parsed as it would arrive, untimed.
        let page = page(n, k as u64);
        // The cursor on the oldest held, as holding PageUp keeps it (the window lets go of
        // the newer end as the older pages come).
        let o = m.chat.open.as_mut().unwrap();
        let before = o.messages.first().map(|e| e.message_id.clone());
        if before.is_some() {
            o.selected = before.clone();
        }
        let t = Instant::now();
        update(
            &mut m,
            Msg::HistoryLoaded {
                chat_id: CHAT.into(),
                before,
                result: Ok(page),
            },
        );
        let d = t.elapsed();
        spent += d;
        if k < 100 {
            first += d;
        }
        if k + 100 >= count {
            last += d;
        }
    }
    let o = m.chat.open.as_ref().unwrap();
    assert_eq!(
        o.messages.first().map(|e| e.message_id.clone()),
        Some(support::message_id(0)),
        "read back to the first message"
    );
    assert!(o.messages.len() <= trueconf_console::app::WINDOW + 100);
    (spent, first, last)
}

fn main() {
    // As the console starts: mimalloc's purge delay, SQLite through mimalloc.
    trueconf_console::alloc::tune();
    load(10_000);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        b.push(load(200_000));
        a.push(load(100_000));
    }
    let mid = |v: &mut Vec<(Duration, Duration, Duration)>| {
        v.sort_by_key(|r| r.0);
        v[ROUNDS / 2]
    };
    let (a, b) = (mid(&mut a), mid(&mut b));
    println!(
        "Loading a chat page by page through app::update (pages of {PAGE}, newest first, \
         each older page asked for before the oldest held)"
    );
    println!(
        "{:>10} {:>10} {:>14} {:>22} {:>22}",
        "messages", "total s", "ms per page", "ms/page, first 100", "ms/page, last 100"
    );
    for (n, (all, first, last)) in [(100_000u64, a), (200_000, b)] {
        println!(
            "{:>10} {:>10.2} {:>14.2} {:>22.2} {:>22.2}",
            n,
            all.as_secs_f64(),
            all.as_secs_f64() * 1e3 / (n / PAGE) as f64,
            first.as_secs_f64() * 1e3 / 100.0,
            last.as_secs_f64() * 1e3 / 100.0
        );
    }
    println!(
        "ratio 200,000 / 100,000: {:.2} (target: at most 2.2, linear)",
        b.0.as_secs_f64() / a.0.as_secs_f64()
    );
}
