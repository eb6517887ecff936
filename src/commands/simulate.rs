//! `trueconf-console simulate`: the simulators in the foreground.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::cli::SimulateArgs;
use crate::sim::{ChatSim, ChatSimConfig, RoomSim, RoomSimConfig, World, fleet};

/// Loads the world from `--data` or the embedded demo.
pub fn load_world(path: Option<&std::path::Path>) -> anyhow::Result<World> {
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            World::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
        }
        None => Ok(World::demo()),
    }
}

fn bind_error(e: std::io::Error, what: &str, addr: SocketAddr) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::AddrInUse {
        anyhow::anyhow!(
            "cannot listen on {addr} for the {what}: the port is in use (another simulator or a Room?); pass port 0 for any free port"
        )
    } else {
        anyhow::anyhow!("cannot listen on {addr} for the {what}: {e}")
    }
}

/// Room `k`'s port: the base for the first, then 2 apart (the HTTP and WebSocket ports
/// interleave); 0 stays 0 (any free port).
fn nth_port(base: u16, k: usize) -> anyhow::Result<u16> {
    if base == 0 {
        return Ok(0);
    }
    u16::try_from(usize::from(base) + 2 * (k - 1))
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| {
            anyhow::anyhow!("room {k}'s port would pass 65535: start lower, or use port 0")
        })
}

/// One simulated Room of the fleet, as the JSON line and the banner name it.
struct FleetRoom {
    name: String,
    account: String,
    sim: RoomSim,
}

pub async fn run(args: &SimulateArgs) -> anyhow::Result<()> {
    let n = usize::from(args.rooms.max(1));
    // Each Room but the first (the world's operator) logs in as an account of its own.
    let world = Arc::new(fleet::fleet_world(load_world(args.data.as_deref())?, n));
    let mut base = RoomSimConfig::new(world.clone());
    base.pin = args.pin.clone().filter(|p| !p.is_empty());
    base.user_pin = args.user_pin.clone().filter(|p| !p.is_empty());
    base.instance = args.instance.clone();
    base.call_timeout = Duration::from_secs(args.call_timeout.max(1));
    base.logged_in = args.logged_in;
    base.refuse = args.room_refuse.clone();
    base.camera_noise = args.camera_noise;
    let mut rooms = Vec::with_capacity(n);
    for k in 1..=n {
        let cfg = fleet::room_config(&base, k);
        let http = SocketAddr::new(args.listen, nth_port(args.room_http_port, k)?);
        let ws = SocketAddr::new(args.listen, nth_port(args.room_ws_port, k)?);
        let of = if n == 1 {
            String::new()
        } else {
            format!(" of room {k}")
        };
        // Bind one at a time so the error names the port that failed.
        let probe = std::net::TcpListener::bind(http)
            .map_err(|e| bind_error(e, &format!("Room HTTP port{of}"), http))?;
        drop(probe);
        let sim = RoomSim::start(cfg, http, ws)
            .await
            .map_err(|e| bind_error(e, &format!("Room WebSocket port{of}"), ws))?;
        rooms.push(FleetRoom {
            name: fleet::room_name(k),
            account: fleet::room_account(k),
            sim,
        });
    }
    let sim = rooms[0].sim.clone();
    let chat_addr = SocketAddr::new(args.listen, args.chat_port);
    let mut ccfg = ChatSimConfig::new(world);
    ccfg.extra_users = args.users.clone();
    ccfg.ack_timeout = Duration::from_secs(args.ack_timeout.max(1));
    let chat = ChatSim::start(ccfg, chat_addr)
        .await
        .map_err(|e| bind_error(e, "chat port", chat_addr))?;
    if args.actors {
        fleet::start_presence(
            rooms.iter().map(|r| r.sim.clone()).collect(),
            Duration::from_secs((args.actors_every / 6).max(10)),
        );
        fleet::start_actors(
            rooms.iter().map(|r| r.sim.clone()).collect(),
            Duration::from_secs(args.actors_after),
            Duration::from_secs(args.actors_every.max(1)),
        );
        chat.start_actors(
            Duration::from_secs(args.actors_after / 2 + 1),
            Duration::from_secs((args.actors_every / 4).max(15)),
        );
    }
    let host = match args.listen {
        std::net::IpAddr::V6(a) => format!("[{a}]"),
        std::net::IpAddr::V4(a) => a.to_string(),
    };
    let auth = match (&args.pin, &args.user_pin) {
        (Some(_), Some(_)) => "PIN (administrator) and user PIN",
        (Some(_), None) => "PIN",
        _ => "unsecured (no PIN)",
    };
    if args.json {
        let fleet: Vec<serde_json::Value> = rooms
            .iter()
            .map(|r| {
                serde_json::json!({
                    "name": r.name,
                    "account": r.account,
                    "http_port": r.sim.http_port(),
                    "ws_port": r.sim.ws_port(),
                    "config_url": format!("http://{host}:{}/public/default/config.json", r.sim.http_port()),
                    "ws_url": format!("ws://{host}:{}/v1", r.sim.ws_port()),
                    "pin": args.pin.is_some(),
                    "user_pin": args.user_pin.is_some(),
                })
            })
            .collect();
        outln!(
            "{}",
            serde_json::json!({
                "rooms": fleet,
                "room_http_port": sim.http_port(),
                "room_ws_port": sim.ws_port(),
                "room_config_url": format!("http://{host}:{}/public/default/config.json", sim.http_port()),
                "room_ws_url": format!("ws://{host}:{}/v1", sim.ws_port()),
                "chat_port": chat.port(),
                "chat_url": format!("http://{host}:{}", chat.port()),
                "chat_ws_url": format!("ws://{host}:{}/websocket/chat_bot/", chat.port()),
            })
        );
    } else {
        for r in &rooms {
            outln!(
                "TrueConf Room simulator: {} (account {}, server {})",
                r.name,
                r.account,
                r.sim.world().server
            );
            outln!(
                "  config.json   http://{host}:{}/public/default/config.json",
                r.sim.http_port()
            );
            outln!(
                "  control API   ws://{host}:{}/  (/v1, /v2)",
                r.sim.ws_port()
            );
        }
        outln!("  auth          {auth}");
        outln!(
            "  try           trueconf-console room --host {host} --port {} state",
            sim.http_port()
        );
        outln!(
            "TrueConf Server chat API simulator ({} users; passwords equal the names)",
            sim.world().users.len() + args.users.len()
        );
        outln!(
            "  OAuth         http://{host}:{}/bridge/api/client/v1/oauth/token",
            chat.port()
        );
        outln!(
            "  WebSocket     ws://{host}:{}/websocket/chat_bot/",
            chat.port()
        );
        outln!(
            "  try           TRUECONF_PASSWORD=operator trueconf-console chat --server {host} --port {} --no-tls --user operator chats",
            chat.port()
        );
        outln!("Ctrl-C stops.");
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    for r in &rooms {
        r.sim.shutdown();
    }
    chat.shutdown();
    Ok(())
}
