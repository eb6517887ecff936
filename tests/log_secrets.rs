//! A PIN and a password from the config file (and from the environment) never reach the log.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::{Home, PtyApp};

const PIN: &str = "8642-pin-from-file";
const PASSWORD: &str = "hunter2-pass-from-file";
const ENV_PIN: &str = "9753-pin-from-env";
const ENV_PASSWORD: &str = "env-pass-\"quoted\"";
const ENV_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.sig-token";

fn config(home: &Home, mode: u32) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = home.write(
        "secret.toml",
        &format!(
            "[chat]\nserver = \"127.0.0.1\"\nusername = \"operator\"\npassword = \"{PASSWORD}\"\n\n\
             [[room]]\nname = \"Hall\"\nhost = \"127.0.0.1\"\npin = \"{PIN}\"\n\n[log]\nlevel = \"trace\"\n"
        ),
    );
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    p
}

fn run_and_quit(home: &Home, args: &[&str], extra_env: &[(&str, &str)], first_screen: &str) {
    let mut env = home.env();
    for (k, v) in extra_env {
        env.insert(k.to_string(), v.to_string());
    }
    let mut app = PtyApp::spawn(args, &env, 80, 24);
    app.wait_for_text(first_screen);
    // Touch what would use the secrets: room and chat actions, room switching. (Not `c`: its
    // call prompt would take the keys that follow as text.)
    for k in [b"m".as_slice(), b"\t", b"i", b"\x12", b"?"] {
        app.send(k);
    }
    app.wait_for_text("show or hide this help");
    app.send(b"\x03");
    assert_eq!(app.wait_exit().code(), Some(0));
}

#[test]
fn secrets_from_the_file_never_reach_the_log() {
    let home = Home::new();
    // Left readable by others: the console says so at start.
    let cfg = config(&home, 0o644);
    run_and_quit(
        &home,
        &["--config", cfg.to_str().unwrap()],
        &[],
        "readable by others holds secrets",
    );
    let log = home.logs();
    // The log was written, at trace level, and it shows the configuration (masked).
    assert!(
        log.contains("configuration loaded"),
        "the log is missing the config line:\n{log}"
    );
    assert!(
        log.contains("Secret(***)"),
        "the config is logged with its secrets masked:\n{log}"
    );
    for s in [PIN, PASSWORD] {
        assert!(!log.contains(s), "secret {s:?} found in the log:\n{log}");
    }
}

#[test]
fn secrets_from_the_environment_never_reach_the_log() {
    let home = Home::new();
    let cfg = config(&home, 0o600);
    run_and_quit(
        &home,
        &["--config", cfg.to_str().unwrap(), "--log-level", "trace"],
        &[
            ("TRUECONF_ROOM_PIN", ENV_PIN),
            ("TRUECONF_PASSWORD", ENV_PASSWORD),
            ("TRUECONF_TOKEN", ENV_TOKEN),
        ],
        "? help",
    );
    let log = home.logs();
    assert!(log.contains("configuration loaded"), "{log}");
    for s in [
        PIN,
        PASSWORD,
        ENV_PIN,
        ENV_PASSWORD,
        "env-pass-\\\"quoted\\\"",
        ENV_TOKEN,
    ] {
        assert!(!log.contains(s), "secret {s:?} found in the log:\n{log}");
    }
}

#[test]
fn the_log_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    run_and_quit(&home, &["--demo"], &[], "? help");
    let mode = std::fs::metadata(home.log_dir())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o700, "log dir mode {mode:o}");
    assert!(home.logs().contains("trueconf-console starting"));
}
