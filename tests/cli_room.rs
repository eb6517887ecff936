//! `trueconf-console room …` and `simulate`, as scripts use them, against the simulator.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use common::Home;
use trueconf_console::sim::{RoomSim, RoomSimConfig, World};

async fn sim() -> RoomSim {
    sim_with_instance(None).await
}

async fn sim_with_instance(instance: Option<&str>) -> RoomSim {
    let mut cfg = RoomSimConfig::new(Arc::new(World::demo()));
    cfg.instance = instance.map(String::from);
    cfg.time_scale = 0.02;
    cfg.call_timeout = Duration::from_millis(300);
    cfg.logged_in = true;
    RoomSim::start(
        cfg,
        "127.0.0.1:0".parse().unwrap(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

async fn room(home: &Home, sim: &RoomSim, args: &[&str]) -> Output {
    let port = sim.http_port().to_string();
    let mut argv = vec![
        "room",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--timeout",
        "5",
    ];
    argv.extend_from_slice(args);
    let argv: Vec<String> = argv.iter().map(std::string::ToString::to_string).collect();
    let env = home.env();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
            .args(&argv)
            .env_clear()
            .envs(env)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn out(o: &Output) -> (Option<i32>, String, String) {
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_script_drives_a_call_and_reads_the_state() {
    let home = Home::new();
    let sim = sim().await;
    let (code, stdout, _) = out(&room(&home, &sim, &["state", "--json"]).await);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["app_state"], "normal");
    assert_eq!(v["login"]["id"], "operator@video.example.com");

    let (code, stdout, stderr) = out(&room(&home, &sim, &["call", "alice"]).await);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stdout.trim(),
        "in a call with Alice Johnson (alice@video.example.com)"
    );
    let (_, stdout, _) = out(&room(&home, &sim, &["participants"]).await);
    assert!(
        stdout.contains("Alice Johnson") && stdout.contains("(owner)"),
        "{stdout}"
    );
    let (code, stdout, _) = out(&room(&home, &sim, &["hangup"]).await);
    assert_eq!((code, stdout.trim()), (Some(0), "hung up"));

    let (code, _, stderr) = out(&room(&home, &sim, &["call", "bob"]).await);
    assert_eq!(
        (code, stderr.trim()),
        (Some(1), "trueconf-console room: Bob Smith: rejected")
    );
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_requests_and_failures_exit_non_zero_with_one_line() {
    let home = Home::new();
    let sim = sim().await;
    let (code, stdout, _) = out(&room(&home, &sim, &["raw", r#"{"method":"getMicMute"}"#]).await);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (
            v["method"].as_str(),
            v["mute"].as_bool(),
            v["result"].as_bool()
        ),
        (Some("getMicMute"), Some(false), Some(true))
    );

    let (code, _, stderr) = out(&room(&home, &sim, &["raw", r#"{"method":"call"}"#]).await);
    assert_eq!(
        (code, stderr.trim()),
        (
            Some(2),
            "trueconf-console room: `call` needs `peerId` (string)"
        )
    );
    let (code, _, stderr) = out(&room(&home, &sim, &["raw", "not json"]).await);
    assert_eq!(code, Some(2), "{stderr}");
    let (code, _, stderr) = out(&room(&home, &sim, &["reject"]).await);
    assert_eq!((code, stderr.lines().count()), (Some(1), 1), "{stderr}");
    assert!(stderr.contains("no incoming call to reject"), "{stderr}");

    // Nothing at that port: one line, exit 1.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let env = home.env();
    let o = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
            .args(["room", "--host", "127.0.0.1", "--port", &free, "state"])
            .env_clear()
            .envs(env)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let (code, _, stderr) = out(&o);
    assert_eq!(code, Some(1));
    assert!(
        stderr.starts_with(
            "trueconf-console room: TrueConf Room is not running at http://127.0.0.1:"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
    sim.shutdown();
}

#[test]
fn no_room_configured_is_a_usage_error() {
    let home = Home::new();
    let o = Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
        .args(["room", "state"])
        .env_clear()
        .envs(home.env())
        .output()
        .unwrap();
    let (code, _, stderr) = out(&o);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("pass --host HOST"), "{stderr}");
}

/// `simulate --rooms 3`: three Rooms on ports of their own, each logged in as its own
/// account, and what one of them does leaves the others as they were.
#[test]
fn simulate_runs_a_fleet_of_independent_rooms() {
    let home = Home::new();
    let sim = common::Simulate::start(&home, &["--logged-in", "--rooms", "3"]);
    let rooms = sim.ports["rooms"]
        .as_array()
        .expect("a rooms array")
        .clone();
    let names: Vec<&str> = rooms.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["Board room", "Huddle", "Lobby"]);
    let port = |r: &serde_json::Value, k: &str| r[k].as_u64().expect(k).to_string();
    let mut ports: Vec<String> = rooms
        .iter()
        .flat_map(|r| [port(r, "http_port"), port(r, "ws_port")])
        .collect();
    ports.sort();
    ports.dedup();
    assert_eq!(ports.len(), 6, "every port its own: {rooms:?}");
    // The first is the one the top-level fields name, as before.
    assert_eq!(port(&rooms[0], "http_port"), sim.port("room_http_port"));
    let room = |r: &serde_json::Value, args: &[&str]| {
        let p = port(r, "http_port");
        let mut argv = vec![
            "room",
            "--host",
            "127.0.0.1",
            "--port",
            &p,
            "--timeout",
            "5",
        ];
        argv.extend_from_slice(args);
        out(&Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
            .args(&argv)
            .env_clear()
            .envs(home.env())
            .output()
            .unwrap())
    };
    let state = |r: &serde_json::Value| {
        let (code, stdout, stderr) = room(r, &["state", "--json"]);
        assert_eq!(code, Some(0), "{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()
    };
    let logins: Vec<String> = rooms
        .iter()
        .map(|r| state(r)["login"]["id"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        logins,
        [
            "operator@video.example.com",
            "room2@video.example.com",
            "room3@video.example.com"
        ]
    );
    // A call and a muted microphone in the second room only.
    let (code, _, stderr) = room(&rooms[1], &["call", "alice"]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, _, stderr) = room(&rooms[1], &["mic", "off"]);
    assert_eq!(code, Some(0), "{stderr}");
    let calls: Vec<bool> = rooms
        .iter()
        .map(|r| {
            let (_, stdout, _) = room(r, &["participants"]);
            stdout.contains("Alice Johnson")
        })
        .collect();
    assert_eq!(
        calls,
        [false, true, false],
        "only the second room is in a call"
    );
    let mics: Vec<serde_json::Value> = rooms
        .iter()
        .map(|r| {
            let (_, stdout, _) = room(r, &["raw", r#"{"method":"getMicMute"}"#]);
            serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["mute"].clone()
        })
        .collect();
    assert_eq!(
        mics,
        [false, true, false],
        "only the second room's mic is off"
    );
    assert!(sim.stop().success());
}

/// With actors, the demo world's caller rings a fleet's second Room first.
#[test]
fn the_fleets_first_call_rings_the_second_room() {
    let home = Home::new();
    let sim = common::Simulate::start(
        &home,
        &[
            "--logged-in",
            "--rooms",
            "3",
            "--actors",
            "--actors-after",
            "0",
            "--actors-every",
            "600",
        ],
    );
    let rooms = sim.ports["rooms"]
        .as_array()
        .expect("a rooms array")
        .clone();
    let call = |r: &serde_json::Value| {
        let p = r["http_port"].as_u64().unwrap().to_string();
        let o = Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
            .args([
                "room",
                "--host",
                "127.0.0.1",
                "--port",
                &p,
                "state",
                "--json",
            ])
            .env_clear()
            .envs(home.env())
            .output()
            .unwrap();
        let (code, stdout, stderr) = out(&o);
        assert_eq!(code, Some(0), "{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["call"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while call(&rooms[1]) != "ringing" {
        assert!(
            std::time::Instant::now() < deadline,
            "the second room never rang"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // The next call is ten minutes away: the others are as they were.
    assert_eq!([call(&rooms[0]), call(&rooms[2])], ["none", "none"]);
    assert!(sim.stop().success());
}

#[test]
fn simulate_prints_its_ports_and_serves_them() {
    let home = Home::new();
    let sim = common::Simulate::start(&home, &["--logged-in"]);
    let port = sim.port("room_http_port");
    let o = Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
        .args(["room", "--host", "127.0.0.1", "--port", &port, "state"])
        .env_clear()
        .envs(home.env())
        .output()
        .unwrap();
    let (code, stdout, stderr) = out(&o);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("Room:        ready (3)"), "{stdout}");
    // SIGTERM ends it cleanly.
    assert!(sim.stop().success());
    // A busy port is named.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let p = busy.local_addr().unwrap().port().to_string();
    let o = Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
        .args(["simulate", "--room-http-port", &p, "--room-ws-port", "0"])
        .env_clear()
        .envs(home.env())
        .output()
        .unwrap();
    let (code, _, stderr) = out(&o);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains(&format!(
            "cannot listen on 127.0.0.1:{p} for the Room HTTP port: the port is in use"
        )),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_instance_name_selects_the_config_json_path() {
    let home = Home::new();
    let sim = sim_with_instance(Some("lobby")).await;
    let (code, stdout, stderr) = out(&room(&home, &sim, &["--instance", "lobby", "state"]).await);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("Room:        ready (3)"), "{stdout}");
    let (code, _, stderr) = out(&room(&home, &sim, &["--instance", "hall", "state"]).await);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("/public/hall/config.json answered 404"),
        "{stderr}"
    );
    // The same from the config file.
    let cfg = home.write("c.toml", &format!("[[room]]\nname = \"Lobby\"\nhost = \"127.0.0.1\"\nhttp_port = {}\ninstance = \"lobby\"\n", sim.http_port()));
    let env = home.env();
    let o = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
            .args(["room", "--config", cfg.to_str().unwrap(), "state", "--json"])
            .env_clear()
            .envs(env)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let (code, _, stderr) = out(&o);
    assert_eq!(code, Some(0), "{stderr}");
    sim.shutdown();
}

/// The script the explorer saves (Ctrl-O) after: getAppState, a kickPeer the Room refuses, and
/// an auth with the Room PIN.
fn explorer_saves_a_script(pin: &str) -> Vec<String> {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use trueconf_console::app::{Cmd, Editor, Model, Msg, update};
    use trueconf_console::link::LinkStatus;
    use trueconf_console::room::RoomLinkEvent;
    use trueconf_console::script::Refusal;
    let mut m = Model::demo(
        &trueconf_console::config::Config::default(),
        (80, 24),
        false,
    );
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    let key = |m: &mut Model, code: KeyCode, mods: KeyModifiers| {
        update(m, Msg::Key(KeyEvent::new(code, mods)))
    };
    let typed = |m: &mut Model, s: &str| {
        for c in s.chars() {
            key(m, KeyCode::Char(c), KeyModifiers::NONE);
        }
    };
    let replied = |m: &mut Model, id: u64, outcome: Result<serde_json::Value, Refusal>| {
        update(
            m,
            Msg::ExplorerReply {
                id,
                sent_at_ms: 1,
                rtt_ms: 1,
                outcome,
            },
        );
    };
    // Open a method from the list (the filter cleared first), the cursor in its first blank.
    let open = |m: &mut Model, name: &str| {
        key(m, KeyCode::Char('u'), KeyModifiers::CONTROL);
        typed(m, name);
        key(m, KeyCode::Enter, KeyModifiers::NONE);
    };
    key(&mut m, KeyCode::Char('x'), KeyModifiers::NONE);
    open(&mut m, "getappstate");
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    replied(&mut m, 1, Ok(serde_json::json!({"appState": 3})));
    key(&mut m, KeyCode::Esc, KeyModifiers::NONE);
    open(&mut m, "kickpeer");
    typed(&mut m, "nobody@video.example.com");
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    replied(
        &mut m,
        2,
        Err(Refusal {
            code: None,
            text: "no user `nobody@video.example.com`".into(),
            reply: serde_json::Value::Null,
        }),
    );
    key(&mut m, KeyCode::Esc, KeyModifiers::NONE);
    open(&mut m, "auth");
    let x = m.mode.explorer_mut().unwrap();
    assert_eq!(x.method.map(|s| s.name), Some("auth"));
    x.editor = Editor::new(&format!(
        r#"{{"type": "secured", "credentials": "{pin}", "role": "admin"}}"#
    ));
    // auth asks first.
    key(&mut m, KeyCode::Enter, KeyModifiers::NONE);
    key(&mut m, KeyCode::Char('y'), KeyModifiers::NONE);
    replied(&mut m, 3, Ok(serde_json::json!({"result": true})));
    let cmds = key(&mut m, KeyCode::Char('o'), KeyModifiers::CONTROL);
    match cmds.as_slice() {
        [Cmd::SaveScript { lines, .. }] => lines.clone(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_script_saved_by_the_explorer_replays_with_the_pin_from_the_environment() {
    let home = Home::new();
    let mut cfg = RoomSimConfig::new(Arc::new(World::demo()));
    cfg.logged_in = true;
    cfg.pin = Some("4321".into());
    let any = "127.0.0.1:0".parse().unwrap();
    let sim = RoomSim::start(cfg, any, any).await.unwrap();
    let lines = explorer_saves_a_script("4321");
    let text = lines.join("\n");
    // The failure is expected, and the PIN is a reference, never the PIN itself.
    assert!(
        text.contains("! kickPeer {\"peerId\":\"nobody@video.example.com\"}"),
        "{text}"
    );
    assert!(
        text.contains("\"credentials\":\"${TRUECONF_ROOM_PIN}\""),
        "{text}"
    );
    assert!(!text.contains("4321") && !text.contains("***"), "{text}");
    let script = home.write("saved.tcs", &(text + "\n"));
    let run = |pin: Option<&str>| {
        let mut env = home.env();
        if let Some(p) = pin {
            env.insert("TRUECONF_ROOM_PIN".into(), p.into());
        }
        let argv: Vec<String> = [
            "room",
            "--host",
            "127.0.0.1",
            "--port",
            &sim.http_port().to_string(),
            "--timeout",
            "5",
            "run",
            script.to_str().unwrap(),
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
                .args(&argv)
                .env_clear()
                .envs(env)
                .output()
                .unwrap()
        })
    };
    let (code, stdout, stderr) = out(&run(Some("4321")).await.unwrap());
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("kickPeer failed, as expected"), "{stdout}");
    assert!(stdout.contains("auth ok in"), "{stdout}");
    assert!(stdout.ends_with("3 steps, each as expected\n"), "{stdout}");
    assert!(!stdout.contains("4321") && !stderr.contains("4321"));
    // Without the variable: a clear error naming it, before anything is sent.
    let (code, stdout, stderr) = out(&run(None).await.unwrap());
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(
        stderr.trim(),
        format!(
            "trueconf-console room: {}, line 4 reads ${{TRUECONF_ROOM_PIN}}, but the \
             environment variable TRUECONF_ROOM_PIN is not set",
            script.display()
        )
    );
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn accept_names_the_caller() {
    let home = Home::new();
    let sim = sim().await;
    sim.incoming_call("dave").unwrap();
    let (code, stdout, stderr) = out(&room(&home, &sim, &["accept"]).await);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stdout.trim(),
        "accepted the call from Dave Brown (dave@video.example.com)"
    );
    let (code, _, _) = out(&room(&home, &sim, &["hangup"]).await);
    assert_eq!(code, Some(0));
    // An invitation into a group conference: its title too.
    sim.incoming_invitation("alice", "Weekly sync").unwrap();
    let (code, stdout, stderr) = out(&room(&home, &sim, &["accept"]).await);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.starts_with("accepted the call from Alice Johnson (alice@video.example.com)")
            && stdout.contains("“Weekly sync”"),
        "{stdout}"
    );
    sim.shutdown();
}
