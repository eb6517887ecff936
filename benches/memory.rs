//! Resident memory of the console with a chat open: 100 messages against 100,000 and
//! 1,000,000, each case in a fresh process (this bench runs itself again with `--case N`),
//! with the allocator the binary uses (mimalloc). A case opens the chat, reads its resident
//! set (`VmRSS` in /proc/self/status), loads the history (parsed from the JSON pages the
//! server would send, newest first, then given to the model in one answer; page by page the
//! load is quadratic today, see the `open_chat` bench), draws a frame, waits half a second,
//! draws again and reads:
//!
//! - `VmRSS` as left: what the kernel holds for the process, freed-but-kept memory included
//!   (how much mimalloc has handed back by then varies from run to run);
//! - `VmRSS` once mimalloc is made to hand back all it holds free (`mi_collect(true)`): the
//!   floor, the console's data and the allocator's fragmentation;
//! - the peak (`VmHWM`), which includes the bench's own staging of the pages.
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

unsafe extern "C" {
    /// mimalloc's: returns the memory it holds free to the system (`force`: all it can).
    safe fn mi_collect(force: bool);
}

const CHAT: &str = "0c5d7b2e-6f1a-4e7b-9d3c-2a1b0c9d8e7f";
const MB: f64 = 1_000_000.0;

/// One case, in this process: prints `n json_bytes rss_open rss rss_collected hwm`.
fn case(n: u64) {
    let mut m = support::model_with_open_chat(CHAT);
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    term.draw(|f| trueconf_console::ui::view(&m, f)).unwrap();
    let (open, _) = support::rss();
    let bytes = support::load_history(&mut m, CHAT, n, true);
    term.draw(|f| trueconf_console::ui::view(&m, f)).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    term.draw(|f| trueconf_console::ui::view(&m, f)).unwrap();
    let (rss, _) = support::rss();
    mi_collect(true);
    let (collected, hwm) = support::rss();
    assert_eq!(m.chat.open.as_ref().unwrap().messages.len() as u64, n);
    println!("{n} {bytes} {open} {rss} {collected} {hwm}");
    std::hint::black_box(&m);
}

struct Case {
    n: u64,
    json: f64,
    open: f64,
    rss: f64,
    collected: f64,
    hwm: f64,
}

fn run(n: u64) -> Case {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--case", &n.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "case {n}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8(out.stdout).unwrap();
    let f: Vec<f64> = s.split_whitespace().map(|w| w.parse().unwrap()).collect();
    Case {
        n,
        json: f[1],
        open: f[2],
        rss: f[3],
        collected: f[4],
        hwm: f[5],
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--case") {
        case(args[i + 1].parse().unwrap());
        return;
    }
    let mut sizes = vec![100, 100_000];
    let million = !std::env::var("MEMORY_1M").is_ok_and(|v| v == "0");
    if million {
        sizes.push(1_000_000);
    }
    let cases: Vec<Case> = sizes.into_iter().map(run).collect();
    let base = &cases[0];
    println!(
        "Resident memory with a chat open, each case in a fresh process (mimalloc; MB = 10^6 \
         bytes; +: more than with 100 open)"
    );
    println!(
        "{:>10} {:>9} {:>10} {:>18} {:>18} {:>9}",
        "messages", "JSON MB", "before MB", "RSS as left MB", "RSS collected MB", "peak MB"
    );
    for c in &cases {
        let plus = |v: f64, b: f64| {
            if c.n == base.n {
                format!("{:.1}", v / MB)
            } else {
                format!("{:.1} (+{:.1})", v / MB, (v - b) / MB)
            }
        };
        println!(
            "{:>10} {:>9.2} {:>10.1} {:>18} {:>18} {:>9.1}",
            c.n,
            c.json / MB,
            c.open / MB,
            plus(c.rss, base.rss),
            plus(c.collected, base.collected),
            c.hwm / MB
        );
    }
    for c in cases.iter().skip(1) {
        println!(
            "{}: per message {:.0} B as left, {:.0} B collected; {:.2}x and {:.2}x the JSON",
            c.n,
            (c.rss - base.rss) / (c.n - base.n) as f64,
            (c.collected - base.collected) / (c.n - base.n) as f64,
            (c.rss - base.rss) / c.json,
            (c.collected - base.collected) / c.json
        );
    }
    match cases.iter().find(|c| c.n == 1_000_000) {
        Some(c) => {
            let (left, collected) = ((c.rss - base.rss) / MB, (c.collected - base.collected) / MB);
            println!(
                "1,000,000 open holds {left:.1} MB more than 100 open as left, {collected:.1} MB \
                 collected (target: under 50 MB){}",
                if left < 50.0 && collected < 50.0 {
                    ""
                } else {
                    "  ** OVER TARGET **"
                }
            );
        }
        None => println!("1,000,000: left out (MEMORY_1M=0); the target is for it"),
    }
}
