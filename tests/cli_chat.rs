//! `trueconf-console chat …` as scripts use it, against the chat simulator.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use common::Home;
use serde_json::Value;
use trueconf_console::sim::{ChatSim, ChatSimConfig, World};

async fn sim() -> ChatSim {
    trueconf_console::tls::init();
    let mut cfg = ChatSimConfig::new(Arc::new(World::demo()));
    cfg.reply_after = Duration::from_millis(20);
    ChatSim::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// Runs `chat --server … ARGS` with `extra_env`; the connection flags go after the
/// subcommand, as `global = true` allows.
async fn chat(home: &Home, sim: &ChatSim, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
    chat_port(home, sim.port(), args, extra_env).await
}

/// [`chat`] to a port (where a simulator may no longer be).
async fn chat_port(home: &Home, port: u16, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
    let port = port.to_string();
    let mut argv: Vec<String> = vec!["chat".into()];
    argv.extend(args.iter().map(std::string::ToString::to_string));
    argv.extend(
        [
            "--server",
            "127.0.0.1",
            "--port",
            &port,
            "--no-tls",
            "--user",
            "operator",
            "--timeout",
            "5",
        ]
        .iter()
        .map(std::string::ToString::to_string),
    );
    let mut env = home.env();
    env.extend(
        extra_env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
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

const PW: &[(&str, &str)] = &[("TRUECONF_PASSWORD", "operator")];

#[tokio::test(flavor = "multi_thread")]
async fn a_script_lists_sends_and_reads_back() {
    let home = Home::new();
    let sim = sim().await;
    let (code, stdout, stderr) = out(&chat(&home, &sim, &["login"], PW).await);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("logged in as operator@video.example.com"),
        "{stdout}"
    );
    // The token is cached (0600); later commands need no password.
    let cache = home.data_dir().join("trueconf-console/tokens.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let (code, stdout, stderr) = out(&chat(&home, &sim, &["chats", "--json"], &[]).await);
    assert_eq!(code, Some(0), "{stderr}");
    let chats: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    assert!(chats.iter().any(|c| c["title"] == "Project"));
    assert_eq!(
        chats[0]["unread"].as_u64().map(|n| n > 0),
        Some(true),
        "unread first"
    );

    // Send by title, reply, and read it back.
    let (code, stdout, stderr) = out(&chat(
        &home,
        &sim,
        &["send", "Project", "**ship it**", "--markdown", "--json"],
        &[],
    )
    .await);
    assert_eq!(code, Some(0), "{stderr}");
    let sent: Value = serde_json::from_str(&stdout).unwrap();
    let mid = sent["message_id"].as_str().unwrap().to_string();
    let (code, _, stderr) = out(&chat(
        &home,
        &sim,
        &["send", "Project", "agreed", "--reply", &mid],
        &[],
    )
    .await);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stdout, _) =
        out(&chat(&home, &sim, &["history", "Project", "--count", "5"], &[]).await);
    assert_eq!(code, Some(0));
    // As text: the Markdown read, not shown.
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&mid) && l.ends_with(" ship it")),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .filter(|l| l.contains(&mid))
            .all(|l| !l.contains("**")),
        "{stdout}"
    );
    assert!(
        lines.iter().any(|l| l.contains("↳ ship it: agreed")),
        "{stdout}"
    );

    // Edit and delete.
    let (code, _, stderr) = out(&chat(&home, &sim, &["edit", &mid, "ship it today"], &[]).await);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, _, stderr) = out(&chat(&home, &sim, &["delete", &mid, "--for-all"], &[]).await);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, _, stderr) = out(&chat(&home, &sim, &["delete", &mid], &[]).await);
    assert_eq!(
        (code, stderr.trim()),
        (Some(1), "error: message not found (306)")
    );

    // The p2p chat by the user's name; files both ways.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("report.txt");
    std::fs::write(&f, "quarterly numbers\n").unwrap();
    let (code, stdout, stderr) = out(&chat(
        &home,
        &sim,
        &["upload", "alice", f.to_str().unwrap(), "--json"],
        &[],
    )
    .await);
    assert_eq!(code, Some(0), "{stderr}");
    let fid = serde_json::from_str::<Value>(&stdout).unwrap()["file_id"]
        .as_str()
        .unwrap()
        .to_string();
    let back = dir.path().join("back.txt");
    let (code, stdout, stderr) = out(&chat(
        &home,
        &sim,
        &["download", &fid, back.to_str().unwrap()],
        &[],
    )
    .await);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("saved report.txt"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&back).unwrap(),
        "quarterly numbers\n"
    );

    // Chats and members.
    let (code, stdout, _) = out(&chat(&home, &sim, &["create-group", "Ops"], &[]).await);
    assert_eq!(code, Some(0));
    let gid = stdout.trim().to_string();
    let (code, _, stderr) = out(&chat(&home, &sim, &["add-member", &gid, "bob"], &[]).await);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stdout, _) = out(&chat(&home, &sim, &["members", "Ops"], &[]).await);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("owner") && stdout.contains("bob@video.example.com"),
        "{stdout}"
    );
    let (code, _, stderr) = out(&chat(&home, &sim, &["remove-member", "Ops", "bob"], &[]).await);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stdout, _) = out(&chat(&home, &sim, &["create-p2p", "carol"], &[]).await);
    assert_eq!(code, Some(0));
    let (code, _, stderr) = out(&chat(&home, &sim, &["forward", &fid, stdout.trim()], &[]).await);
    assert_eq!(code, Some(1), "a file id is not a message id: {stderr}");
    let (code, stdout, _) =
        out(&chat(&home, &sim, &["create-channel", "Radio", "--json"], &[]).await);
    assert_eq!(code, Some(0));
    assert!(serde_json::from_str::<Value>(&stdout).unwrap()["chat_id"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn chats_and_history_read_as_text_and_edits_say_edited() {
    let home = Home::new();
    let sim = sim().await;
    // The list: a header, and the personal chat with alice under her name.
    let (code, stdout, stderr) = out(&chat(&home, &sim, &["chats"], PW).await);
    assert_eq!(code, Some(0), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("UNREAD  TYPE")
            && lines[0].contains("TITLE")
            && lines[0].ends_with("ID"),
        "{stdout}"
    );
    let p2p = lines
        .iter()
        .find(|l| l.contains(" p2p "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(p2p.contains("Alice Johnson"), "{stdout}");
    assert!(!stdout.contains("alice@video.example.com"), "{stdout}");
    assert_eq!(
        lines[0].find("TITLE"),
        p2p.find("Alice Johnson"),
        "the columns line up: {stdout}"
    );
    // --json: the chats as the server sent them, ids and all.
    let (code, stdout, _) = out(&chat(&home, &sim, &["chats", "--json"], PW).await);
    assert_eq!(code, Some(0));
    let chats: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    assert!(
        chats
            .iter()
            .any(|c| c["title"] == "alice@video.example.com")
    );

    // HTML as plain text; --raw as the server has it.
    let html =
        "<b>Build</b> is <i>green</i>: <a href=\"https://ci.example.com/7\">the run</a> &amp; more";
    let (code, stdout, stderr) =
        out(&chat(&home, &sim, &["send", "Project", html, "--html"], PW).await);
    assert_eq!(code, Some(0), "{stderr}");
    let mid = stdout.trim().strip_prefix("sent ").unwrap().to_string();
    // (Alice may have answered by then: the message is found by its id.)
    let (code, stdout, _) =
        out(&chat(&home, &sim, &["history", "Project", "--count", "3"], PW).await);
    assert_eq!(code, Some(0));
    let ours = stdout.lines().find(|l| l.contains(&mid));
    assert!(
        ours.is_some_and(|l| l.ends_with(&format!(
            "{mid}  operator   Build is green: the run ‹https://ci.example.com/7› & more"
        ))),
        "{stdout}"
    );
    let (code, stdout, _) = out(&chat(
        &home,
        &sim,
        &["history", "Project", "--count", "3", "--raw"],
        PW,
    )
    .await);
    assert_eq!(code, Some(0));
    let ours = stdout.lines().find(|l| l.contains(&mid));
    assert!(ours.is_some_and(|l| l.contains("<b>Build</b>")), "{stdout}");

    // An edit says so.
    let (code, stdout, stderr) = out(&chat(&home, &sim, &["edit", &mid, "fixed"], PW).await);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), format!("edited {mid}"));

    // Nothing to send: refused before connecting, exit 2.
    for empty in ["", "   "] {
        let (code, stdout, stderr) = out(&chat(&home, &sim, &["send", "Project", empty], PW).await);
        assert_eq!(code, Some(2), "{empty:?}: {stdout}{stderr}");
        assert_eq!(
            stderr.trim(),
            "error: the message is empty: give the text to send (quote it if it has spaces)"
        );
        assert!(stdout.is_empty());
    }
    let (code, _, stderr) = out(&chat(&home, &sim, &["edit", &mid, ""], PW).await);
    assert_eq!(code, Some(2), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_are_one_line_and_non_zero() {
    let home = Home::new();
    let sim = sim().await;
    let (code, _, stderr) = out(&chat(
        &home,
        &sim,
        &["history", "0123456789abcdef0123456789abcdef01234567"],
        PW,
    )
    .await);
    assert_eq!(
        (code, stderr.trim()),
        (Some(1), "error: chat not found (304)")
    );
    let (code, _, stderr) = out(&chat(&home, &sim, &["send", "Nowhere", "x"], PW).await);
    assert_eq!(code, Some(1));
    assert!(
        stderr.starts_with("error: no chat called “Nowhere”"),
        "{stderr}"
    );
    // A fresh home: no cached token to fall back on.
    let home = Home::new();
    let (code, _, stderr) =
        out(&chat(&home, &sim, &["chats"], &[("TRUECONF_PASSWORD", "nope")]).await);
    assert_eq!(code, Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("wrong user name or password"), "{stderr}");
    assert!(!stderr.contains("nope"));
    // No password, no cached token, no terminal: a clear refusal rather than a hang.
    let (code, _, stderr) = out(&chat(&home, &sim, &["chats"], &[]).await);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("TRUECONF_PASSWORD"), "{stderr}");
    // Nothing listening.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let o = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
            .args([
                "chat",
                "chats",
                "--server",
                "127.0.0.1",
                "--port",
                &dead.to_string(),
                "--no-tls",
                "--user",
                "x",
                "--timeout",
                "3",
            ])
            .env_clear()
            .env("TRUECONF_PASSWORD", "x")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let (code, _, stderr) = out(&o);
    assert_eq!(code, Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot get a token"), "{stderr}");
}

#[test]
fn simulate_serves_the_chat_api_too() {
    let home = Home::new();
    let sim = common::Simulate::start(&home, &["--user", "eve:secret"]);
    let port = sim.port("chat_port");
    let o = Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
        .args([
            "chat",
            "login",
            "--server",
            "127.0.0.1",
            "--port",
            &port,
            "--no-tls",
            "--user",
            "eve",
        ])
        .env_clear()
        .envs(home.env())
        .env("TRUECONF_PASSWORD", "secret")
        .output()
        .unwrap();
    drop(sim);
    let (code, stdout, stderr) = out(&o);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("eve@video.example.com"), "{stdout}");
}

/// Lines of a child's stream, as they come.
fn lines_of(r: impl std::io::Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for l in std::io::BufReader::new(r).lines() {
            let Ok(l) = l else { break };
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for a line containing `what`; returns the lines read on the way (and it).
fn wait_line(rx: &std::sync::mpsc::Receiver<String>, what: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(l) => {
                let hit = l.contains(what);
                seen.push(l);
                if hit {
                    return seen;
                }
            }
            Err(_) => panic!("no line with {what:?}; got {seen:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_catches_up_on_what_was_posted_while_it_was_disconnected() {
    let home = Home::new();
    let sim = sim().await;
    let project = sim.chat_id("Project").unwrap();
    let port = sim.port().to_string();
    let mut env = home.env();
    env.insert("TRUECONF_PASSWORD".into(), "operator".into());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
        .args([
            "chat",
            "watch",
            "--server",
            "127.0.0.1",
            "--port",
            &port,
            "--no-tls",
            "--user",
            "operator",
        ])
        .env_clear()
        .envs(env)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = lines_of(child.stdout.take().unwrap());
    let err = lines_of(child.stderr.take().unwrap());
    wait_line(&err, "[link] online");
    sim.post_text("alice", &project, "before the cut").unwrap();
    wait_line(&out, "before the cut");
    // The server goes away; two messages are posted meanwhile; it comes back.
    sim.set_offline(true);
    wait_line(&err, "disconnected");
    sim.post_text("alice", &project, "missed one").unwrap();
    sim.post_text("bob", &project, "missed two").unwrap();
    sim.set_offline(false);
    wait_line(&err, "[link] online");
    let mut got = wait_line(&out, "missed two");
    sim.post_text("dave", &project, "after the cut").unwrap();
    got.extend(wait_line(&out, "after the cut"));
    let _ = child.kill();
    let _ = child.wait();
    // (Alice's automatic answers quote them: "↳ missed two: …".)
    let texts: Vec<&str> = got
        .iter()
        .filter(|l| !l.contains('↳'))
        .filter_map(|l| {
            [
                "missed one",
                "missed two",
                "after the cut",
                "before the cut",
            ]
            .into_iter()
            .find(|t| l.contains(t))
        })
        .collect();
    assert_eq!(
        texts,
        ["missed one", "missed two", "after the cut"],
        "{got:?}"
    );
}

/// `chat chats | head -0`: the reader is gone before anything is written; the command ends
/// quietly with 0 (no panic, no SIGPIPE status), having done its work.
#[tokio::test]
async fn chats_into_a_closed_pipe_end_quietly_with_0() {
    use std::os::fd::{FromRawFd, OwnedFd};
    let sim = sim().await;
    let home = Home::new();
    let port = sim.port().to_string();
    let env = home.env();
    let out = tokio::task::spawn_blocking(move || {
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors pipe(2) writes.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: both descriptors were just created and are owned here alone.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        drop(read);
        Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
            .args([
                "chat",
                "chats",
                "--server",
                "127.0.0.1",
                "--port",
                &port,
                "--no-tls",
                "--user",
                "operator",
                "--timeout",
                "5",
            ])
            .env_clear()
            .envs(env)
            .env("TRUECONF_PASSWORD", "operator")
            .stdout(write)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{:?} {err}", out.status);
    assert!(!err.contains("panicked"), "{err}");
}

/// A token cache that cannot be written (here a directory stands where tokens.json goes):
/// `chat login` does not claim the token is cached, says why, exits 1, and leaves no
/// tokens.json.tmp with the token in it.
#[tokio::test(flavor = "multi_thread")]
async fn login_says_when_the_token_cannot_be_cached() {
    let home = Home::new();
    let sim = sim().await;
    let dir = home.data_dir().join("trueconf-console");
    std::fs::create_dir_all(dir.join("tokens.json")).unwrap();
    let (code, stdout, stderr) = out(&chat(&home, &sim, &["login"], PW).await);
    assert_eq!(code, Some(1), "{stdout} {stderr}");
    assert!(stdout.contains("logged in as"), "{stdout}");
    assert!(!stdout.contains("token cached"), "{stdout}");
    assert!(stderr.contains("could not be cached"), "{stderr}");
    assert!(!dir.join("tokens.json.tmp").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_fills_the_store_and_search_finds_by_word_offline_with_edits_and_deletions() {
    let home = Home::new();
    let sim = sim().await;
    // Nothing stored yet: search says so (no server is asked).
    let (code, _, stderr) = out(&chat(&home, &sim, &["search", "quokka"], &[]).await);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("no message store yet"), "{stderr}");

    let (code, stdout, stderr) = out(&chat(
        &home,
        &sim,
        &["send", "Project", "the quokka migration plan"],
        PW,
    )
    .await);
    assert_eq!(code, Some(0), "{stderr}");
    let kept = stdout.trim().strip_prefix("sent ").unwrap().to_string();
    let (code, stdout, stderr) =
        out(&chat(&home, &sim, &["send", "Project", "a wombat to delete"], PW).await);
    assert_eq!(code, Some(0), "{stderr}");
    let gone = stdout.trim().strip_prefix("sent ").unwrap().to_string();

    let (code, stdout, stderr) = out(&chat(&home, &sim, &["sync", "--json"], PW).await);
    assert_eq!(code, Some(0), "{stderr}");
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        summary["stored"]["messages"].as_u64().unwrap() >= 2,
        "{stdout}"
    );

    // By a word, as JSON: chat, message id, author and time.
    let (code, stdout, stderr) =
        out(&chat(&home, &sim, &["search", "quokka", "--json"], &[]).await);
    assert_eq!(code, Some(0), "{stderr}");
    let hits: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    // Ours, and Alice's echo of it.
    assert_eq!(hits.len(), 2, "{stdout}");
    let h = hits
        .iter()
        .find(|h| h["messageId"] == kept.as_str())
        .unwrap();
    assert_eq!(h["chatTitle"], "Project");
    assert!(h["chatId"].as_str().is_some_and(|c| !c.is_empty()));
    assert_eq!(h["author"], "operator@video.example.com");
    assert!(h["timestamp"].as_u64().unwrap() > 1_600_000_000_000);
    assert!(h["text"].as_str().unwrap().contains("quokka migration"));
    // The text whole; the snippet, the words around the match, without marks.
    assert!(!h["text"].as_str().unwrap().contains('…'), "{stdout}");
    assert!(
        h["snippet"].as_str().unwrap().contains("quokka"),
        "{stdout}"
    );
    assert!(
        !h["snippet"].as_str().unwrap().contains('\u{2}'),
        "{stdout}"
    );
    // As text: the time, the chat, the author and the words.
    let (code, stdout, _) =
        out(&chat(&home, &sim, &["search", "quok", "--chat", "Project"], &[]).await);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("  Project  ") && stdout.contains("the quokka migration plan"),
        "{stdout}"
    );
    let (code, _, stderr) =
        out(&chat(&home, &sim, &["search", "wombat", "--chat", "Nope"], &[]).await);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("no stored chat called"), "{stderr}");
    // One result: one; none asked for is a mistake, said as one.
    let (code, stdout, _) = out(&chat(
        &home,
        &sim,
        &["search", "quokka", "--json", "--limit", "1"],
        &[],
    )
    .await);
    assert_eq!(code, Some(0));
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&stdout).unwrap().len(),
        1
    );
    // A pasted escape sequence is not searched as a word; more than can be ranked is said.
    let (code, stdout, stderr) = out(&chat(
        &home,
        &sim,
        &["search", "quokka\u{1b}[31m", "--limit", "5000"],
        &[],
    )
    .await);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("quokka"), "{stdout}");
    assert!(stderr.contains("at most that many results"), "{stderr}");
    let (code, _, stderr) =
        out(&chat(&home, &sim, &["search", "quokka", "--limit", "0"], &[]).await);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--limit must be at least 1"), "{stderr}");

    // Edited and deleted on the server, then synced again: the store follows.
    let (code, _, stderr) =
        out(&chat(&home, &sim, &["edit", &kept, "the platypus plan"], PW).await);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, _, stderr) = out(&chat(&home, &sim, &["delete", &gone, "--for-all"], PW).await);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, _, stderr) = out(&chat(&home, &sim, &["sync", "Project"], PW).await);
    assert_eq!(code, Some(0), "{stderr}");
    // With the server gone: search reads the store alone.
    let port = sim.port();
    drop(sim);
    for (word, found) in [("quokka", false), ("platypus", true), ("wombat", false)] {
        let (code, stdout, stderr) =
            out(&chat_port(&home, port, &["search", word, "--json"], &[]).await);
        let hits: Vec<Value> = serde_json::from_str(&stdout).unwrap_or_default();
        let ours = hits
            .iter()
            .filter(|h| h["author"] == "operator@video.example.com");
        assert_eq!(
            ours.count(),
            usize::from(found),
            "{word}: {stdout}{stderr} ({code:?})"
        );
    }
}
