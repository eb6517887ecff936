//! Time from start to the first frame with `--demo`, and to both links online (the embedded
//! simulators started, the Room logged in, the chat token fetched and the list drawn), for
//! the release binary in a pseudo-terminal. Side by side in the same run: the time the same
//! binary takes to start and exit (`--version`), the floor any start pays.
//!
//!     cargo bench --bench startup
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Home, PtyApp};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    const RUNS: usize = 15;
    let bin = env!("CARGO_BIN_EXE_trueconf-console");
    let (mut version, mut first, mut live) = (vec![], vec![], vec![]);
    for _ in 0..RUNS {
        let t = Instant::now();
        let out = std::process::Command::new(bin)
            .arg("--version")
            .output()
            .unwrap();
        assert!(out.status.success());
        version.push(t.elapsed());

        let home = Home::new();
        let t = Instant::now();
        let mut app = PtyApp::spawn(&["--demo"], &home.env(), 160, 48);
        // The first frame: the panes' borders are drawn.
        app.wait_for_text("┌ Chats");
        first.push(t.elapsed());
        app.wait_for("both links online", |s| {
            let c = s.contents();
            c.contains("Room Board room: online") && c.contains("@ Alice Johnson")
        });
        live.push(t.elapsed());
        app.send(b"\x03");
        assert_eq!(app.wait_exit().code(), Some(0));
    }
    let (v, f, l) = (median(version), median(first), median(live));
    println!(
        "startup (median of {RUNS}): --version {:.1} ms; --demo first frame {:.1} ms ({:.1}x --version); \
         both links online with the chat list drawn {:.1} ms ({:.1}x)",
        ms(v),
        ms(f),
        ms(f) / ms(v),
        ms(l),
        ms(l) / ms(v)
    );
}
