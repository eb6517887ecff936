//! Loading a long chat page by page, as scrolling up loads it: 100,000 messages against
//! 200,000, in one run. The newest page first (`Msg::HistoryLoaded { before: None }`), then
//! each older one as the console asks for it (`before: Some(the oldest message held)`), 100
//! messages a page, newest first within it, through `app::update` on a console with the chat
//! open. Only `update` is timed: the pages are parsed from their JSON beforehand, and no
//! frame is drawn (the `render` bench has those).
//!
//! Both sizes get the same warm-up (a 10,000-message load, not timed); each is loaded once (a
//! second round would take the run past two minutes: the load is quadratic today). The
//! time of the first and of the last 100 pages shows how a page's cost grows.
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

/// The pages of an `n`-message chat, newest first, each newest first.
fn pages(n: u64) -> Vec<Vec<Envelope>> {
    let mut out = Vec::with_capacity((n / PAGE) as usize);
    let mut hi = n;
    while hi > 0 {
        let lo = hi.saturating_sub(PAGE);
        out.push(support::parse_page(&support::page_json(
            2,
            CHAT,
            lo,
            hi - lo,
            true,
        )));
        hi = lo;
    }
    out
}

/// The time `update` takes over all the pages of an `n`-message chat: in all, for the first
/// 100 pages, for the last 100.
fn load(n: u64) -> (Duration, Duration, Duration) {
    let pages = pages(n);
    let count = pages.len();
    let mut m = support::model_with_open_chat(CHAT);
    let (mut spent, mut first, mut last) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for (k, page) in pages.into_iter().enumerate() {
        let before = m
            .chat
            .open
            .as_ref()
            .unwrap()
            .messages
            .first()
            .map(|e| e.message_id.clone());
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
    assert_eq!(m.chat.open.as_ref().unwrap().messages.len() as u64, n);
    (spent, first, last)
}

fn main() {
    load(10_000);
    let a = load(100_000);
    let b = load(200_000);
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
