//! The demo scripts in assets/ (a tour of both APIs) replayed against `trueconf-console
//! simulate` by `room run` and `chat run`, twice in a row with the same results; and how a run
//! reports a script that goes wrong or cannot be read.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::process::Command;

use common::{Home, Simulate};
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
}

/// A step's result as compared between runs: (what, ok, code, expected).
type Outcome = (String, bool, Option<u64>, bool);

/// Runs a script with `--json`: the exit code, each step's outcome, and stderr.
fn run(home: &Home, args: &[&str]) -> (Option<i32>, Vec<Outcome>, String) {
    let mut env = home.env();
    env.insert("TRUECONF_PASSWORD".into(), "operator".into());
    let o = bin().args(args).env_clear().envs(env).output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let steps = stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}"));
            (
                v["what"].as_str().unwrap().to_string(),
                v["ok"].as_bool().unwrap(),
                v["code"].as_u64(),
                v["expected"].as_bool().unwrap(),
            )
        })
        .collect();
    (
        o.status.code(),
        steps,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn the_tour_of_both_apis_replays_the_same_twice() {
    let home = Home::new();
    let sim = Simulate::start(&home, &["--logged-in"]);
    let room_port = sim.port("room_http_port");
    let chat_port = sim.port("chat_port");
    let room = |home: &Home| {
        run(
            home,
            &[
                "room",
                "--host",
                "127.0.0.1",
                "--port",
                &room_port,
                "--json",
                "run",
                "assets/tour-room.tcs",
            ],
        )
    };
    let chat = |home: &Home| {
        run(
            home,
            &[
                "chat",
                "--server",
                "127.0.0.1",
                "--port",
                &chat_port,
                "--no-tls",
                "--user",
                "operator",
                "--json",
                "run",
                "assets/tour-chat.tcs",
            ],
        )
    };
    let (c1, r1, e1) = room(&home);
    assert_eq!(c1, Some(0), "{e1}\n{r1:#?}");
    let (c2, r2, e2) = room(&home);
    assert_eq!(c2, Some(0), "{e2}");
    assert_eq!(r1, r2, "the Room tour gave other results the second time");
    // It covers state, a call, a refusal and a conference, each as the script expects.
    let what: Vec<&str> = r1.iter().map(|s| s.0.as_str()).collect();
    for m in [
        "getAppState",
        "call",
        "wait conferenceCreated",
        "wait rejectReceived",
        "createConference",
        "wait newParticipantInConference",
        "hangUp",
    ] {
        assert!(what.contains(&m), "{m} missing from {what:?}");
    }
    assert!(r1.iter().all(|s| s.3));
    assert!(
        r1.iter().any(|s| !s.1),
        "an expected failure is in the tour"
    );

    let (c1, s1, e1) = chat(&home);
    assert_eq!(c1, Some(0), "{e1}\n{s1:#?}");
    let (c2, s2, e2) = chat(&home);
    assert_eq!(c2, Some(0), "{e2}");
    assert_eq!(s1, s2, "the chat tour gave other results the second time");
    let what: Vec<&str> = s1.iter().map(|s| s.0.as_str()).collect();
    for m in [
        "getChats",
        "sendMessage",
        "wait sendMessage",
        "@sendFile",
        "getFileInfo",
        "removeChat",
    ] {
        assert!(what.contains(&m), "{m} missing from {what:?}");
    }
    assert!(s1.contains(&("getChatByID".into(), false, Some(304), true)));
}

#[test]
fn a_run_stops_at_the_first_surprise_and_names_the_line() {
    let home = Home::new();
    let sim = Simulate::start(&home, &["--logged-in"]);
    let port = sim.port("room_http_port");
    let script = home.write(
        "s.tcs",
        "getAppState\n# the Room is idle: hangUp is refused\nhangUp {\"forAll\": false}\ngetAppState\n",
    );
    let o = bin()
        .args(["room", "--host", "127.0.0.1", "--port", &port, "run"])
        .arg(&script)
        .env_clear()
        .envs(home.env())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("✗ [2] line 3: hangUp failed: "), "{stdout}");
    assert_eq!(
        stdout.lines().count(),
        2,
        "nothing after the failure runs:\n{stdout}"
    );
    assert!(stderr.contains("stopped at line 3 (hangUp)"), "{stderr}");
    // A script that cannot be read is a usage error, found before anything is sent.
    let bad = home.write("bad.tcs", "getAppState\ncall {\"peerId\": \n");
    let o = bin()
        .args(["room", "--host", "127.0.0.1", "--port", &port, "run"])
        .arg(&bad)
        .env_clear()
        .envs(home.env())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("line 2: the parameters are not JSON"),
        "{stderr}"
    );
}
