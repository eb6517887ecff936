//! Resident memory of the console with a chat open: 100 messages against 100,000 and
//! 1,000,000, each case in a fresh process (this bench runs itself again with `--case N WAY`),
//! with the allocator the binary uses (mimalloc). A case opens the chat, reads its resident
//! set (`VmRSS` in /proc/self/status), then fills it one of two ways, the worst the console
//! meets:
//!
//! - `read`: read up to the chat's first message the way holding PageUp does, a page of 100
//!   at a time from the newest, each parsed from the JSON the server would send (the window
//!   lets go of the newer end as it goes);
//! - `pushed`: all the messages pushed one by one into the open chat, following the newest;
//!
//! then draws a frame, waits half a second, draws again and reads:
//!
//! - `VmRSS` as left: what the kernel holds for the process, freed-but-kept memory included
//!   (how much mimalloc has handed back by then varies from run to run);
//! - `VmRSS` once mimalloc is made to hand back all it holds free (`mi_collect(true)`): the
//!   floor, the console's data and the allocator's fragmentation;
//! - the peak (`VmHWM`).
//!
//!     cargo bench --bench memory             (MEMORY_1M=0 leaves the million out)
//!
//! Target: with 1,000,000 messages open the process holds less than 50 MB more than with 100.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "support/mod.rs"]
mod support;

// The allocator the binary uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use trueconf_console::app::{Msg, update};
use trueconf_console::chat::ChatLinkEvent;
use trueconf_console::chat::events::ChatEvent;
use trueconf_console::chat::types::Envelope;

unsafe extern "C" {
    /// mimalloc's: returns the memory it holds free to the system (`force`: all it can).
    safe fn mi_collect(force: bool);
}

const CHAT: &str = "0c5d7b2e-6f1a-4e7b-9d3c-2a1b0c9d8e7f";
const MB: f64 = 1_000_000.0;

/// One case, in this process: prints `n json_bytes rss_open rss rss_collected hwm`.
fn case(n: u64, way: &str) {
    let mut m = support::model_with_open_chat(CHAT);
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    term.draw(|f| trueconf_console::ui::view(&m, f)).unwrap();
    let (open, _) = support::rss();
    let mut bytes = 0;
    match way {
        "read" => {
            // As `support::model_at`, counting the JSON.
            let mut hi = n;
            let mut before: Option<String> = None;
            while hi > 0 {
                let lo = hi.saturating_sub(100);
                let text = support::page_json(2, CHAT, lo, hi - lo, true);
                bytes += text.len();
                if let Some(b) = &before {
                    m.chat.open.as_mut().unwrap().selected = Some(b.clone());
                }
                update(
                    &mut m,
                    Msg::HistoryLoaded {
                        chat_id: CHAT.into(),
                        before: before.take(),
                        result: Ok(support::parse_page(&text)),
                    },
                );
                before = Some(support::message_id(lo));
                hi = lo;
            }
            let o = m.chat.open.as_ref().unwrap();
            assert_eq!(
                o.messages.first().unwrap().message_id,
                support::message_id(0)
            );
        }
        _ => {
            update(
                &mut m,
                Msg::HistoryLoaded {
                    chat_id: CHAT.into(),
                    before: None,
                    result: Ok(vec![]),
                },
            );
            for i in 0..n {
                let v = support::message_json(CHAT, i, true);
                bytes += v.to_string().len();
                let e = Envelope::from_value(&v).unwrap();
                update(
                    &mut m,
                    Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(
                        std::sync::Arc::new(e),
                    ))),
                );
            }
            let o = m.chat.open.as_ref().unwrap();
            assert_eq!(
                o.messages.last().unwrap().message_id,
                support::message_id(n - 1)
            );
        }
    }
    let held = m.chat.open.as_ref().unwrap().messages.len() as u64;
    assert!(
        held <= (trueconf_console::app::WINDOW + 100) as u64,
        "{held} held"
    );
    term.draw(|f| trueconf_console::ui::view(&m, f)).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    term.draw(|f| trueconf_console::ui::view(&m, f)).unwrap();
    let (rss, _) = support::rss();
    mi_collect(true);
    let (collected, hwm) = support::rss();
    println!("{n} {bytes} {open} {rss} {collected} {hwm} {held}");
    std::hint::black_box(&m);
}

struct Case {
    n: u64,
    way: &'static str,
    json: f64,
    open: f64,
    rss: f64,
    collected: f64,
    hwm: f64,
    held: f64,
}

fn run(n: u64, way: &'static str) -> Case {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--case", &n.to_string(), way])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "case {n} {way}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8(out.stdout).unwrap();
    let f: Vec<f64> = s.split_whitespace().map(|w| w.parse().unwrap()).collect();
    Case {
        n,
        way,
        json: f[1],
        open: f[2],
        rss: f[3],
        collected: f[4],
        hwm: f[5],
        held: f[6],
    }
}

fn main() {
    // As the console starts: mimalloc's purge delay, SQLite through mimalloc.
    trueconf_console::alloc::tune();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--case") {
        case(args[i + 1].parse().unwrap(), &args[i + 2]);
        return;
    }
    let million = !std::env::var("MEMORY_1M").is_ok_and(|v| v == "0");
    let mut cases = Vec::new();
    for way in ["read", "pushed"] {
        let mut sizes = vec![100, 100_000];
        if million {
            sizes.push(1_000_000);
        }
        cases.extend(sizes.into_iter().map(|n| run(n, way)));
    }
    println!(
        "Resident memory with a chat open, each case in a fresh process (mimalloc; MB = 10^6 \
         bytes; +: more than with 100 open the same way). read: read back to its first message \
         a page at a time; pushed: every message pushed while following the newest"
    );
    println!(
        "{:>10} {:>7} {:>7} {:>9} {:>10} {:>18} {:>18} {:>9}",
        "messages",
        "way",
        "held",
        "JSON MB",
        "before MB",
        "RSS as left MB",
        "RSS collected MB",
        "peak MB"
    );
    let base = |way: &str| cases.iter().find(|c| c.n == 100 && c.way == way).unwrap();
    for c in &cases {
        let b = base(c.way);
        let plus = |v: f64, b: f64| {
            if c.n == 100 {
                format!("{:.1}", v / MB)
            } else {
                format!("{:.1} (+{:.1})", v / MB, (v - b) / MB)
            }
        };
        println!(
            "{:>10} {:>7} {:>7} {:>9.2} {:>10.1} {:>18} {:>18} {:>9.1}",
            c.n,
            c.way,
            c.held,
            c.json / MB,
            c.open / MB,
            plus(c.rss, b.rss),
            plus(c.collected, b.collected),
            c.hwm / MB
        );
    }
    if !million {
        println!("1,000,000: left out (MEMORY_1M=0); the target is for it");
        return;
    }
    for c in cases.iter().filter(|c| c.n == 1_000_000) {
        let b = base(c.way);
        let (left, collected) = ((c.rss - b.rss) / MB, (c.collected - b.collected) / MB);
        println!(
            "1,000,000 open ({}) holds {left:.1} MB more than 100 open as left, {collected:.1} MB \
             collected (target: under 50 MB){}",
            c.way,
            if left < 50.0 && collected < 50.0 {
                ""
            } else {
                "  ** OVER TARGET **"
            }
        );
    }
}
