//! Conference control and the account through a real pseudo-terminal, against a simulated
//! Room over loopback: contacts added and removed, a role-based conference created with
//! contacts marked in the address book, its podium and moderators managed, and the Room
//! logged out and in again with the password never on the screen.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::{Home, PtyApp};

/// One simulated Room of a fleet (the Board room) in this process; stopped when dropped.
struct OneRoom {
    sim: trueconf_console::sim::RoomSim,
    _rt: tokio::runtime::Runtime,
}

impl OneRoom {
    fn start() -> OneRoom {
        use std::sync::Arc;
        use trueconf_console::sim::{RoomSim, RoomSimConfig, World, fleet};
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
        let sim = rt.block_on(async {
            let mut base = RoomSimConfig::new(Arc::new(fleet::fleet_world(World::demo(), 1)));
            base.logged_in = true;
            // Alice answers in a tenth of her usual time, and asks for the podium soon after.
            base.time_scale = 0.1;
            RoomSim::start(fleet::room_config(&base, 1), any, any)
                .await
                .unwrap()
        });
        OneRoom { sim, _rt: rt }
    }

    fn console(&self, home: &Home) -> PtyApp {
        // Everything logged, frames too: what must stay out of the log has every chance to
        // get in.
        let cfg = format!(
            "[[room]]\nname = \"Board room\"\nhost = \"127.0.0.1\"\nhttp_port = {}\n\n[log]\nlevel = \"trace\"\n",
            self.sim.http_port()
        );
        let cfg = home.write("config.toml", &cfg);
        PtyApp::spawn(&["--config", cfg.to_str().unwrap()], &home.env(), 80, 24)
    }
}

impl Drop for OneRoom {
    fn drop(&mut self) {
        self.sim.shutdown();
    }
}

/// Waits (up to 5 s) until `cond` holds for the simulator's state; the console's requests
/// reach it over a socket, so this is a wait on that, not a pause.
fn until(what: &str, cond: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// A row of the screen holds both `a` and `b`.
fn row_with(s: &vt100::Screen, a: &str, b: &str) -> bool {
    s.contents().lines().any(|l| l.contains(a) && l.contains(b))
}

#[test]
fn contacts_are_added_and_removed_from_the_address_book() {
    let room = OneRoom::start();
    let home = Home::new();
    let mut app = room.console(&home);
    app.wait_for_text("Link: online");
    app.send(b"b");
    app.wait_for_text("Alice Johnson (alice@video.example.com)");
    // Ctrl-N with an id typed: the form has it.
    app.send(b"frank@other.example");
    app.send(b"\x0e");
    app.wait_for_text("Add to the address book");
    app.send(b"\t");
    app.send(b"Frank Other\r");
    app.wait_for("Frank listed", |s| {
        s.contents()
            .lines()
            .any(|l| l.contains("Frank Other (frank@other.example)"))
    });
    until("the Room's address book has Frank", || {
        room.sim
            .abook_ids()
            .contains(&"frank@other.example".to_string())
    });
    // Ctrl-X on the highlighted (Frank, the only match): asked, then gone.
    app.send(b"\x18");
    app.wait_for_text("Remove Frank Other from Board room's address book?");
    app.send(b"y");
    until("the Room's address book without Frank", || {
        !room
            .sim
            .abook_ids()
            .contains(&"frank@other.example".to_string())
    });
    app.wait_for("Frank gone from the list", |s| {
        !s.contents().contains("Frank Other (")
    });
    app.send(b"\x1b");
    app.wait_for("the book closed", |s| {
        !s.contents().contains("Address book")
    });
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
}

#[test]
fn a_role_based_conference_is_made_with_marked_contacts_and_its_podium_managed() {
    let room = OneRoom::start();
    let home = Home::new();
    let mut app = room.console(&home);
    app.wait_for_text("Link: online");
    app.send(b"b");
    app.wait_for_text("Alice Johnson (alice@video.example.com)");
    app.send(b"alice");
    app.wait_for_text("Call: alice");
    app.send(b"\t");
    app.wait_for_text("1 marked");
    app.send(b"\x15dave");
    app.wait_for_text("Call: dave");
    app.send(b"\t");
    app.wait_for_text("2 marked");
    app.send(b"\r");
    app.wait_for_text("Invites Alice Johnson, Dave Brown");
    // The type: role-based.
    app.send(b"\t");
    app.send(b"\x1b[C");
    app.send(b"\r");
    until("a role-based conference with Alice in it", || {
        room.sim.conference().is_some_and(|c| {
            c.conf_type == 3
                && c.title == "Board room meeting"
                && c.participants.iter().any(|p| p.0.starts_with("alice@"))
        })
    });
    app.wait_for_text("Call: Board room m");
    // Alice asks for the podium; the owner is told.
    app.wait_for_text("Alice Johnson asks for the podium");
    app.send(b"p");
    app.wait_for("Alice listed as asking", |s| {
        s.contents()
            .lines()
            .any(|l| l.contains("Alice Johnson") && l.contains("asks for the podium"))
    });
    // The cursor to Alice's row, then P: let her up.
    let alice_row = |app: &PtyApp| {
        app.contents()
            .lines()
            .any(|l| l.contains("▶ Alice Johnson"))
    };
    if !alice_row(&app) {
        app.send(b"j");
        app.wait_for("the cursor on Alice", |s| {
            s.contents().lines().any(|l| l.contains("▶ Alice Johnson"))
        });
    }
    app.send(b"P");
    app.wait_for_text("Alice Johnson asks for the podium.");
    app.send(b"y");
    until("Alice on the podium", || {
        room.sim.conference().is_some_and(|c| {
            c.participants
                .iter()
                .any(|p| p.0.starts_with("alice@") && p.1)
        })
    });
    app.wait_for("Alice's row says the podium", |s| {
        row_with(s, "▶ Alice Johnson", "▲podium")
    });
    // Moderator rights, shown when the Room says them.
    app.send(b"M");
    until("Alice a moderator", || {
        room.sim.conference().is_some_and(|c| {
            c.participants
                .iter()
                .any(|p| p.0.starts_with("alice@") && p.2)
        })
    });
    app.wait_for("Alice's row says moderator", |s| {
        row_with(s, "▶ Alice Johnson", "◆moderator")
    });
    // Sent down from the podium.
    app.send(b"P");
    until("Alice off the podium", || {
        room.sim.conference().is_some_and(|c| {
            c.participants
                .iter()
                .any(|p| p.0.starts_with("alice@") && !p.1)
        })
    });
    app.wait_for("Alice's row without the podium", |s| {
        row_with(s, "▶ Alice Johnson", "◆moderator") && !row_with(s, "▶ Alice", "▲podium")
    });
    app.send(b"\x1b");
    app.wait_for("the list closed", |s| {
        !s.contents().contains("Participants ")
    });
    app.send(b"q");
    app.wait_for_text("quit anyway?");
    app.send(b"y");
    assert_eq!(app.wait_exit().code(), Some(0));
}

#[test]
fn the_account_view_logs_the_room_out_and_in_without_showing_the_password() {
    let room = OneRoom::start();
    let home = Home::new();
    let mut app = room.console(&home);
    app.wait_for_text("Link: online");
    app.send(b"A");
    app.wait_for_text("Server and account · Board room");
    app.wait_for_text("State: ready (3)");
    app.send(b"o");
    app.wait_for_text("Log Board room out?");
    app.send(b"y");
    app.wait_for_text("Account: not logged in");
    app.wait_for_text("state 2: connected, not logged in");
    assert_eq!(room.sim.app_state(), 2);
    // A wrong password: said, and the Room stays logged out.
    app.send(b"l");
    app.wait_for_text("Log in");
    app.send(b"\x15operator\tnot-the-password\r");
    app.wait_for_text("login failed: wrong login or password");
    assert!(!app.contents().contains("not-the-password"));

    // The right one: the Board room's account (the simulator's password is the id).
    app.send(b"l");
    app.wait_for_text("Password:");
    app.send(b"\x15operator\t");
    app.send(b"operator\r");
    app.wait_for_text("logged in as Operator");
    app.wait_for_text("State: ready (3)");
    assert_eq!(room.sim.app_state(), 3);
    app.send(b"\x1b");
    app.wait_for("the view closed", |s| {
        !s.contents().contains("Server and account")
    });
    app.send(b"q");
    assert_eq!(app.wait_exit().code(), Some(0));
    // Neither password reached a file the console wrote.
    for entry in walk(home.dir.path()) {
        let text = std::fs::read(&entry).unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        assert!(
            !text.contains("not-the-password"),
            "{} holds the password",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
