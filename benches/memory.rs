//! Resident memory of the console with a chat open: 100 messages against 100,000 and
//! 1,000,000, each case in a fresh process (this bench runs itself again with `--case N`),
//! with the allocator the binary uses (mimalloc). A case opens the chat, reads its resident
//! set (`VmRSS` in /proc/self/status), loads the history (parsed from the JSON pages the
//! server would send, newest first, then given to the model in one answer; page by page the
//! load is quadratic today, see the `open_chat` bench), draws a frame, waits a moment for the
//! allocator to hand back what it freed, draws again and reads `VmRSS` and its peak (`VmHWM`).
//! What is reported is what the kernel holds for the process, freed-but-kept memory included.
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

const CHAT: &str = "0c5d7b2e-6f1a-4e7b-9d3c-2a1b0c9d8e7f";
const MB: f64 = 1_000_000.0;

/// One case, in this process: prints `n json_bytes rss_open rss hwm`.
fn case(n: u64) {
    let mut m = support::model_with_open_chat(CHAT);
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    term.draw(|f| trueconf_console::ui::view(&m, f)).unwrap();
    let (open, _) = support::rss();
    let bytes = support::load_history(&mut m, CHAT, n, true);
    term.draw(|f| trueconf_console::ui::view(&m, f)).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    term.draw(|f| trueconf_console::ui::view(&m, f)).unwrap();
    let (rss, hwm) = support::rss();
    assert_eq!(m.chat.open.as_ref().unwrap().messages.len() as u64, n);
    println!("{n} {bytes} {open} {rss} {hwm}");
    std::hint::black_box(&m);
}

struct Case {
    n: u64,
    json: f64,
    open: f64,
    rss: f64,
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
        hwm: f[4],
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
        "Resident memory with a chat open, each case in a fresh process (mimalloc; MB = 10^6 bytes)"
    );
    println!(
        "{:>10} {:>9} {:>10} {:>9} {:>9} {:>12} {:>10}",
        "messages", "JSON MB", "before MB", "RSS MB", "peak MB", "RSS - 100", "/ JSON"
    );
    for c in &cases {
        let delta = c.rss - base.rss;
        println!(
            "{:>10} {:>9.2} {:>10.1} {:>9.1} {:>9.1} {:>9.1} MB {:>9.2}x",
            c.n,
            c.json / MB,
            c.open / MB,
            c.rss / MB,
            c.hwm / MB,
            delta / MB,
            delta / c.json
        );
    }
    match cases.iter().find(|c| c.n == 1_000_000) {
        Some(c) => {
            let delta = (c.rss - base.rss) / MB;
            println!(
                "1,000,000 open holds {delta:.1} MB more than 100 open (target: under 50 MB){}",
                if delta < 50.0 {
                    ""
                } else {
                    "  ** OVER TARGET **"
                }
            );
        }
        None => println!("1,000,000: left out (MEMORY_1M=0); the target is for it"),
    }
}
