//! The command line, as scripts and shells use it.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::process::Command;

use common::Home;

fn run(home: &Home, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
        .args(args)
        .env_clear()
        .envs(home.env())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn version_and_help() {
    let home = Home::new();
    let out = run(&home, &["--version"]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout).trim(),
        format!("trueconf-console {}", env!("CARGO_PKG_VERSION"))
    );
    let out = run(&home, &["--help"]);
    let help = text(&out.stdout);
    for s in [
        "--demo",
        "--config",
        "--log-level",
        "simulate",
        "room",
        "chat",
        "completions",
    ] {
        assert!(help.contains(s), "--help lacks {s}");
    }
    assert!(!help.contains("debug-panic"), "the test aid stays hidden");
}

#[test]
fn completions_for_each_shell() {
    let home = Home::new();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef trueconf-console"),
        ("fish", "complete -c trueconf-console"),
    ] {
        let out = run(&home, &["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let s = text(&out.stdout);
        assert!(
            s.contains(marker) && s.contains("demo") && s.contains("config"),
            "{shell} completions:\n{s}"
        );
        // No hidden flag is offered (the crash test aid is an environment variable).
        assert!(
            !s.contains("debug-panic") && !s.contains("Testing aid"),
            "{shell} completions offer a hidden flag:\n{s}"
        );
    }
}

#[test]
fn simulate_help_says_it_runs_both_simulators() {
    let home = Home::new();
    let out = run(&home, &["simulate", "--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains("TrueConf Room") && help.contains("chat bot API"),
        "{help}"
    );
    assert!(!help.contains("later"), "{help}");
    let out = run(&home, &["--help"]);
    assert!(!text(&out.stdout).contains("later"));
}

#[test]
fn config_check_lists_every_error_each_at_its_line() {
    let home = Home::new();
    let p = home.write(
        "c.toml",
        "# keys\n[ui]\nbel = false\n\n[ui.keys]\nquit = \"Z\"\nhelp = \"Z\"\n\n\
         [[room]]\nname = \"Hall\"\nhost = \"h\"\nhttp_port = \"eighty\"\n",
    );
    let out = run(&home, &["config", "check", "--config", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    let want = [(3, "ui.bel"), (7, "ui.keys.help"), (12, "room.http_port")];
    assert_eq!(lines.len(), want.len() + 1, "{err}");
    for (l, (n, key)) in lines.iter().zip(want) {
        let head = format!(
            "trueconf-console: config error in {}, line {n}, column ",
            p.display()
        );
        assert!(
            l.starts_with(&head) && l.contains(&format!("key `{key}`")),
            "{l}\n{err}"
        );
    }
    // The key conflict is at the binding's line (7), not at line 1.
    assert!(
        lines[1].contains("key Z is bound to both `quit` and `help`"),
        "{err}"
    );
    assert_eq!(
        lines[3],
        format!("trueconf-console: 3 errors in {}", p.display())
    );
    // A start names the first and says how many more there are, and where to see them.
    let out = run(&home, &["--config", p.to_str().unwrap(), "room", "state"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.lines().next().unwrap().contains("line 3"), "{err}");
    assert!(
        err.contains("2 more errors in the file: `trueconf-console config check --config"),
        "{err}"
    );
    // Control characters in a key reach the terminal cleaned.
    let p = home.write("d.toml", "[ui]\n\"b\u{1b}[31mel\" = 1\n");
    let out = run(&home, &["config", "check", "--config", p.to_str().unwrap()]);
    let err = text(&out.stderr);
    assert!(
        err.contains("key `ui.bel`") && !err.contains('\u{1b}'),
        "{err}"
    );
}

#[test]
fn config_check_names_line_and_key_and_exits_2() {
    let home = Home::new();
    let p = home.write("c.toml", "[ui]\ntheme = \"dark\"\nbel = false\n");
    let out = run(&home, &["config", "check", "--config", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "config error in {}, line 3, column 1, key `ui.bel`",
            p.display()
        )),
        "{err}"
    );
    assert!(err.contains("unknown field `bel`"), "{err}");
}

#[test]
fn config_check_reports_what_is_configured_without_secrets() {
    let home = Home::new();
    let p = home.write(
        "c.toml",
        "[chat]\nserver = \"tc\"\nusername = \"op\"\npassword = \"pw-123456\"\n[[room]]\nname = \"Hall\"\nhost = \"10.0.0.9\"\npin = \"4321\"\n",
    );
    let out = run(&home, &["config", "check", "--config", p.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("chat: op@tc port 4309, credentials set"), "{s}");
    assert!(
        s.contains("room \"Hall\": 10.0.0.9 http port 80, PIN set"),
        "{s}"
    );
    assert!(!s.contains("pw-123456") && !s.contains("4321"), "{s}");
}

#[test]
fn a_missing_explicit_config_is_an_error_but_a_missing_default_is_not() {
    let home = Home::new();
    let out = run(
        &home,
        &["config", "check", "--config", "/nonexistent/c.toml"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read the config file /nonexistent/c.toml"));

    let out = run(&home, &["config", "check"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("no config file"));
    let out = run(&home, &["config", "path"]);
    let expected = home.dir.path().join("config/trueconf-console/config.toml");
    assert_eq!(
        text(&out.stdout).trim(),
        format!("{} (does not exist yet)", expected.display())
    );
}

#[test]
fn config_example_round_trips_through_check() {
    let home = Home::new();
    let out = run(&home, &["config", "example"]);
    assert!(out.status.success());
    let p = home.write("example.toml", &text(&out.stdout));
    let out = run(&home, &["config", "check", "--config", p.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn an_unknown_room_is_refused() {
    let home = Home::new();
    let p = home.write("c.toml", "[[room]]\nname = \"Hall\"\nhost = \"h\"\n");
    let out = run(&home, &["--config", p.to_str().unwrap(), "--room", "Lab"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no room named `Lab`; configured rooms: Hall"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_console_refuses_to_start_without_a_terminal() {
    let home = Home::new();
    let out = run(&home, &["--demo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("needs a terminal"),
        "{}",
        text(&out.stderr)
    );
}

/// A reader that has gone away (`| head -1`): output that no one reads ends the program
/// quietly, as it does for Unix tools, never with a panic.
#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::ExitStatusExt;
    let home = Home::new();
    for args in [
        &["completions", "bash"][..],
        &["config", "example"][..],
        &["--help"][..],
    ] {
        // A pipe whose read end is closed before the program writes: every write fails.
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors pipe(2) writes.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: both descriptors were just created and are owned here alone.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        drop(read);
        let out = Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
            .args(args)
            .env_clear()
            .envs(home.env())
            .stdout(write)
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {err}");
        if args[0] == "--help" {
            // clap answers before the program sets anything up: it wrote nothing (exit 0)
            // or the write ended it by SIGPIPE.
            assert!(
                out.status.success() || out.status.signal() == Some(libc::SIGPIPE),
                "{args:?}: {:?} {err}",
                out.status
            );
        } else {
            // A subcommand whose reader has gone ends with 0, as `| head` expects.
            assert_eq!(
                out.status.code(),
                Some(0),
                "{args:?}: {:?} {err}",
                out.status
            );
            assert!(err.is_empty(), "{args:?}: {err}");
        }
    }
}

/// Output that cannot be written (a full disk) is an error said in one line, exit 1, not a
/// panic (exit 101).
#[test]
fn output_that_cannot_be_written_is_an_error_not_a_panic() {
    for args in [&["completions", "bash"][..], &["config", "example"][..]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
            .args(args)
            .stdout(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("cannot write the output"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
