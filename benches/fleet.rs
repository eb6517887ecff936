//! The operator's fleet: the release console with N configured rooms (50 by default) against
//! `simulate --rooms N`, every room linked at once. Side by side in one run, the same
//! console with one room against the same simulator:
//! - the time from start until every room shows online and idle on the rooms strip (read off
//!   the screen of a pseudo-terminal wide enough for all of them);
//! - idle CPU with every room linked (utime + stime of the whole process over a window, after
//!   a settling pause; target < 1 % of one core);
//! - resident memory (VmRSS) once idle, and what each room beyond the first adds.
//!
//! Each side runs `FLEET_RUNS` times (3) alternately; the figures are medians.
//!
//!     cargo bench --bench fleet            (FLEET_ROOMS=50, FLEET_IDLE_SECS=30, FLEET_RUNS=3)
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "../tests/common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use common::{Home, PtyApp, Simulate};

fn env_or(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// utime + stime of the process, in clock ticks.
fn cpu_ticks(pid: i32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of stat; `after` starts at field 3.
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

fn rss_kib(pid: i32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

fn ticks_per_sec() -> f64 {
    // SAFETY: sysconf reads a constant.
    (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }) as f64
}

/// A config with the first `n` rooms of the simulator's fleet.
fn config(sim: &Simulate, n: usize) -> String {
    let mut text = String::new();
    for r in sim.ports["rooms"].as_array().unwrap().iter().take(n) {
        let _ = write!(
            text,
            "[[room]]\nname = {}\nhost = \"127.0.0.1\"\nhttp_port = {}\n",
            r["name"],
            r["http_port"].as_u64().unwrap()
        );
    }
    text
}

struct Figures {
    online: Duration,
    idle_pct: f64,
    rss_kib: u64,
}

/// Starts the console with the first `n` rooms, waits until all are online and idle, then
/// measures idle CPU over `idle` and the resident memory.
fn run(sim: &Simulate, n: usize, idle: Duration) -> Figures {
    let home = Home::new();
    let path = home.write("fleet.toml", &config(sim, n));
    let path = path.to_string_lossy().into_owned();
    // One chip per room must fit: " 50 Room 50 idle " and a gap.
    let cols = u16::try_from((n * 20).max(160)).unwrap_or(u16::MAX);
    let t = Instant::now();
    let app = PtyApp::spawn(&["--config", &path], &home.env(), cols, 40);
    if n == 1 {
        app.wait_for_text("State: ready");
    } else {
        app.wait_for("every room online and idle", |s| {
            let c = s.contents();
            let strip = c.lines().next().unwrap_or_default();
            strip.matches(" idle ").count() == n
        });
    }
    let online = t.elapsed();
    // Settle (the first pings, the first frames), then the idle window.
    std::thread::sleep(Duration::from_secs(3));
    let pid = app.pid();
    let (a, s) = (cpu_ticks(pid), Instant::now());
    std::thread::sleep(idle);
    let (b, w) = (cpu_ticks(pid), s.elapsed());
    let idle_pct = 100.0 * (b - a) as f64 / ticks_per_sec() / w.as_secs_f64();
    let rss = rss_kib(pid);
    let mut app = app;
    app.send(b"\x03");
    app.wait_exit();
    Figures {
        online,
        idle_pct,
        rss_kib: rss,
    }
}

fn median<T: PartialOrd + Copy>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let n = env_or("FLEET_ROOMS", 50).clamp(2, 500) as usize;
    let idle = Duration::from_secs(env_or("FLEET_IDLE_SECS", 30).max(5));
    let runs = env_or("FLEET_RUNS", 3).max(1) as usize;
    let home = Home::new();
    let rooms = n.to_string();
    let sim = Simulate::start(&home, &["--rooms", &rooms, "--logged-in"]);
    let (mut one, mut all) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        one.push(run(&sim, 1, idle));
        all.push(run(&sim, n, idle));
    }
    let online = |v: &[Figures]| median(v.iter().map(|f| f.online).collect());
    let pct = |v: &[Figures]| median(v.iter().map(|f| f.idle_pct).collect());
    let rss = |v: &[Figures]| median(v.iter().map(|f| f.rss_kib).collect());
    let (rss1, rssn) = (rss(&one), rss(&all));
    let per_room = (rssn.saturating_sub(rss1)) as f64 / (n - 1) as f64;
    println!(
        "fleet (median of {runs}, idle window {} s): \
         1 room online in {:.0} ms, {n} rooms all online in {:.0} ms; \
         idle CPU {:.3} % of a core with 1 room, {:.3} % with {n} (target < 1 %); \
         resident {:.1} MiB with 1 room, {:.1} MiB with {n}: {:.0} KiB per room",
        idle.as_secs(),
        online(&one).as_secs_f64() * 1000.0,
        online(&all).as_secs_f64() * 1000.0,
        pct(&one),
        pct(&all),
        rss1 as f64 / 1024.0,
        rssn as f64 / 1024.0,
        per_room,
    );
    for (label, v) in [("1 room", &one), ("all rooms", &all)] {
        let each: Vec<String> = v
            .iter()
            .map(|f| {
                format!(
                    "{:.0} ms / {:.3} % / {} KiB",
                    f.online.as_secs_f64() * 1000.0,
                    f.idle_pct,
                    f.rss_kib
                )
            })
            .collect();
        println!("  {label}: {}", each.join(" · "));
    }
    drop(sim);
}
