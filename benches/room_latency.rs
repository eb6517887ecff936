//! Command round-trip latency against the Room simulator: our client and `TrueConf`'s
//! python-trueconf-room, side by side in one run, against the same simulator.
//!
//! Both issue `getMicMute` on the same seeded schedule: 20 warm-up commands, then 300 timed
//! ones, each issued at its planned time whatever became of the others (an open loop), the
//! gaps between them uniform in [60, 160) ms. Random times matter: python-trueconf-room sends
//! from a queue it polls every 50 ms, so a command issued right after the previous reply (a
//! lockstep loop) always waits nearly the whole 50 ms, where one issued at a random time waits
//! 25 ms on average. Gaps of at least 60 ms keep its queue from backing up (it sends one
//! command per poll), and a spread of 100 ms (twice its period) lands the commands evenly
//! over its poll. Each command is timed from its issue to its reply.
//!
//!     cargo bench --bench room_latency
//!
//! The Python side needs the virtual environment that `tests/python/room_interop.sh` makes
//! (see `support::py_venv`); without it, only our figures are printed.
//! Target: our p50 at least 20 times lower.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "support/mod.rs"]
mod support;

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::percentile;
use trueconf_console::room::catalog::GetMicMute;
use trueconf_console::room::link::{self, RoomLinkOptions, RoomTarget};
use trueconf_console::sim::{RoomSim, RoomSimConfig, World};

const WARM: usize = 20;
const N: usize = 300;

/// The gaps before each command, in ms: the same for both sides.
fn schedule() -> Vec<f64> {
    let mut rng = support::Rng::new(0x7275_6e5f_726f_6f6d);
    (0..WARM + N).map(|_| 60.0 + 100.0 * rng.unit()).collect()
}

fn main() {
    let gaps = schedule();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut cfg = RoomSimConfig::new(Arc::new(World::demo()));
    cfg.logged_in = true;
    let sim = rt
        .block_on(RoomSim::start(
            cfg,
            "127.0.0.1:0".parse().unwrap(),
            "127.0.0.1:0".parse().unwrap(),
        ))
        .unwrap();

    let mut ours: Vec<f64> = rt.block_on(async {
        let target = RoomTarget::loopback(sim.http_port());
        let (h, _events) = link::spawn(target, RoomLinkOptions::default());
        h.wait_status(
            Duration::from_secs(10),
            trueconf_console::app::LinkStatus::is_up,
        )
        .await
        .expect("link up");
        let start = tokio::time::Instant::now();
        let mut at = Duration::ZERO;
        let mut pending = Vec::with_capacity(gaps.len());
        for gap in &gaps {
            at += Duration::from_secs_f64(gap / 1000.0);
            tokio::time::sleep_until(start + at).await;
            let h = h.clone();
            pending.push(tokio::spawn(async move {
                let t = Instant::now();
                h.send(&GetMicMute {}).await.unwrap();
                t.elapsed().as_secs_f64() * 1000.0
            }));
        }
        let mut v = Vec::with_capacity(N);
        for (k, p) in pending.into_iter().enumerate() {
            let ms = p.await.unwrap();
            if k >= WARM {
                v.push(ms);
            }
        }
        v
    });
    ours.sort_by(f64::total_cmp);
    let (o50, o99) = (percentile(&ours, 0.5), percentile(&ours, 0.99));

    let root = env!("CARGO_MANIFEST_DIR");
    let python = format!("{}/bin/python", support::py_venv());
    let work = tempfile_dir();
    let plan = serde_json::json!({"warm": WARM, "gaps_ms": gaps}).to_string();
    let py = std::process::Command::new(&python)
        .current_dir(&work)
        .arg(format!("{root}/benches/room_latency.py"))
        .arg(sim.http_port().to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(plan.as_bytes())?;
            child.wait_with_output()
        });
    println!(
        "Room command round trip (getMicMute) against the simulator on loopback: {WARM} warm-up \
         commands, then {N} timed, at the same seeded random times for both"
    );
    println!(
        "{:<28} {:>6} {:>10} {:>10}",
        "client", "n", "p50 ms", "p99 ms"
    );
    println!(
        "{:<28} {:>6} {:>10.3} {:>10.3}",
        "trueconf-console", N, o50, o99
    );
    match py {
        Ok(out) if out.status.success() => {
            let v: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("python output is JSON");
            let mut s: Vec<f64> = v["samples_ms"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(serde_json::Value::as_f64)
                .collect();
            s.sort_by(f64::total_cmp);
            let (p50, p99) = (percentile(&s, 0.5), percentile(&s, 0.99));
            println!(
                "{:<28} {:>6} {:>10.3} {:>10.3}",
                "python-trueconf-room 1.0.0",
                s.len(),
                p50,
                p99
            );
            println!(
                "ratio (python / ours): p50 {:.0}x, p99 {:.0}x (target: p50 at least 20x)",
                p50 / o50,
                p99 / o99
            );
        }
        Ok(out) => println!(
            "python-trueconf-room: failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => println!(
            "python-trueconf-room: not run ({python}: {e}); run tests/python/room_interop.sh first"
        ),
    }
    let _ = std::fs::remove_dir_all(&work);
    sim.shutdown();
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("tc-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
