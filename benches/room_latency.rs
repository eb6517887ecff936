//! Command round-trip latency against the Room simulator: our client and `TrueConf`'s
//! python-trueconf-room, side by side in one run, against the same simulator.
//!
//!     cargo bench --bench room_latency
//!
//! The Python side needs the virtual environment that `tests/python/room_interop.sh` makes
//! (target/py-venv, or `TRUECONF_PY_VENV`); without it, only our figures are printed.
//! Target (issue 4): our p50 at least 20 times lower.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::{Duration, Instant};

use trueconf_console::room::catalog::GetMicMute;
use trueconf_console::room::link::{self, RoomLinkOptions, RoomTarget};
use trueconf_console::sim::{RoomSim, RoomSimConfig, World};

const OURS: usize = 2000;
const PYTHON: usize = 200;

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((q * sorted.len() as f64) as usize).min(sorted.len() - 1)]
}

fn main() {
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
        for _ in 0..100 {
            h.send(&GetMicMute {}).await.unwrap();
        }
        let mut v = Vec::with_capacity(OURS);
        for _ in 0..OURS {
            let t = Instant::now();
            h.send(&GetMicMute {}).await.unwrap();
            v.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        v
    });
    ours.sort_by(f64::total_cmp);
    let (o50, o99) = (percentile(&ours, 0.5), percentile(&ours, 0.99));

    let root = env!("CARGO_MANIFEST_DIR");
    let venv =
        std::env::var("TRUECONF_PY_VENV").unwrap_or_else(|_| format!("{root}/target/py-venv"));
    let python = format!("{venv}/bin/python");
    let work = tempfile_dir();
    let py = std::process::Command::new(&python)
        .current_dir(&work)
        .arg(format!("{root}/benches/room_latency.py"))
        .arg(sim.http_port().to_string())
        .arg(PYTHON.to_string())
        .output();
    println!("Room command round trip (getMicMute) against the simulator on loopback");
    println!(
        "{:<28} {:>6} {:>10} {:>10}",
        "client", "n", "p50 ms", "p99 ms"
    );
    println!(
        "{:<28} {:>6} {:>10.3} {:>10.3}",
        "trueconf-console", OURS, o50, o99
    );
    match py {
        Ok(out) if out.status.success() => {
            let v: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("python output is JSON");
            let (p50, p99) = (v["p50_ms"].as_f64().unwrap(), v["p99_ms"].as_f64().unwrap());
            println!(
                "{:<28} {:>6} {:>10.3} {:>10.3}",
                "python-trueconf-room 1.0.0",
                v["n"].as_u64().unwrap_or(0),
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
