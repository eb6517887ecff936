//! A fleet of simulated Rooms: N independent Rooms sharing one world, each logged in as an
//! account of its own, and the demo world's caller ringing them in turn. `simulate --rooms N`
//! and `--demo` (three rooms) both start theirs here.

use std::sync::Arc;
use std::time::Duration;

use super::world::{User, World};
use super::{RoomSim, RoomSimConfig};

/// How many rooms `--demo` runs.
pub const DEMO_ROOMS: usize = 3;

/// What room `k` (from 1) of a fleet is called: the demo's three, then by number.
pub fn room_name(k: usize) -> String {
    match k {
        1 => "Board room".into(),
        2 => "Huddle".into(),
        3 => "Lobby".into(),
        _ => format!("Room {k}"),
    }
}

/// The account room `k` (from 1) logs in as: the world's operator for the first, then
/// `room2`, `room3`…
pub fn room_account(k: usize) -> String {
    if k == 1 {
        "operator".to_string()
    } else {
        format!("room{k}")
    }
}

/// `world` with an account for each of `n` rooms (the ones it lacks added as quiet users,
/// named as the rooms are).
pub fn fleet_world(mut world: World, n: usize) -> World {
    for k in 2..=n {
        let id = room_account(k);
        if world.user(&id).is_none() {
            world.users.push(User::quiet(&id, &room_name(k)));
        }
    }
    world
}

/// Room `k`'s simulator config: `base` with room `k`'s account.
pub fn room_config(base: &RoomSimConfig, k: usize) -> RoomSimConfig {
    let mut cfg = base.clone();
    cfg.account = room_account(k);
    cfg
}

/// Starts `n` Rooms on loopback (any free ports), each logged in as its own account of
/// `world` (see [`fleet_world`]).
pub async fn start_loopback(world: Arc<World>, n: usize) -> std::io::Result<Vec<RoomSim>> {
    let mut base = RoomSimConfig::new(world);
    base.logged_in = true;
    let any = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let mut rooms = Vec::with_capacity(n);
    for k in 1..=n {
        rooms.push(RoomSim::start(room_config(&base, k), any, any).await?);
    }
    Ok(rooms)
}

/// The demo world's caller (dave) rings the Rooms in turn, from the second (the first alone
/// when there is one): first after `first`, then every `every`, each time a Room that is
/// logged in and idle (a busy one is skipped for that turn). Stops when the first Room's
/// simulator is shut down.
pub fn start_actors(rooms: Vec<RoomSim>, first: Duration, every: Duration) {
    let Some(head) = rooms.first() else {
        return;
    };
    let mut stop = head.stopped();
    tokio::spawn(async move {
        let mut wait = first;
        let mut turn = 1usize;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            let room = &rooms[turn % rooms.len()];
            if room.app_state() == 3 && room.world().user("dave").is_some() {
                let _ = room.incoming_call("dave");
            }
            turn += 1;
            wait = every;
        }
    });
}

/// The demo world's presence over time: every `every`, the next of a few changes (Bob busy
/// in a meeting and back, Carol offline and then away, Alice in a conference and back),
/// announced by every Room of the fleet. Stops when the first Room's simulator is shut down.
pub fn start_presence(rooms: Vec<RoomSim>, every: Duration) {
    const STEPS: &[(&str, i64, i64, &str)] = &[
        ("bob", 2, 7, "in a meeting"),
        ("carol", 0, 0, ""),
        ("alice", 5, 10, ""),
        ("bob", 1, 2, ""),
        ("carol", 1, 6, "back soon"),
        ("alice", 1, 2, ""),
    ];
    let Some(head) = rooms.first() else {
        return;
    };
    let mut stop = head.stopped();
    tokio::spawn(async move {
        for step in STEPS.iter().cycle() {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            let (who, status, ext, note) = *step;
            for r in &rooms {
                if r.world().user(who).is_some() {
                    let _ = r.set_presence(who, status, ext, note);
                }
            }
        }
    });
}
