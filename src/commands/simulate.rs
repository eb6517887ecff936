//! `trueconf-console simulate`: the simulators in the foreground.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::cli::SimulateArgs;
use crate::sim::{ChatSim, ChatSimConfig, RoomSim, RoomSimConfig, World};

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

pub async fn run(args: &SimulateArgs) -> anyhow::Result<()> {
    let world = Arc::new(load_world(args.data.as_deref())?);
    let mut cfg = RoomSimConfig::new(world.clone());
    cfg.pin = args.pin.clone().filter(|p| !p.is_empty());
    cfg.user_pin = args.user_pin.clone().filter(|p| !p.is_empty());
    cfg.instance = args.instance.clone();
    cfg.call_timeout = Duration::from_secs(args.call_timeout.max(1));
    cfg.logged_in = args.logged_in;
    cfg.refuse = args.room_refuse.clone();
    let http = SocketAddr::new(args.listen, args.room_http_port);
    let ws = SocketAddr::new(args.listen, args.room_ws_port);
    // Bind one at a time so the error names the port that failed.
    let probe =
        std::net::TcpListener::bind(http).map_err(|e| bind_error(e, "Room HTTP port", http))?;
    drop(probe);
    let sim = RoomSim::start(cfg, http, ws)
        .await
        .map_err(|e| bind_error(e, "Room WebSocket port", ws))?;
    let chat_addr = SocketAddr::new(args.listen, args.chat_port);
    let mut ccfg = ChatSimConfig::new(world);
    ccfg.extra_users = args.users.clone();
    ccfg.ack_timeout = Duration::from_secs(args.ack_timeout.max(1));
    let chat = ChatSim::start(ccfg, chat_addr)
        .await
        .map_err(|e| bind_error(e, "chat port", chat_addr))?;
    if args.actors {
        sim.start_actors(
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
    if args.json {
        outln!(
            "{}",
            serde_json::json!({
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
        outln!("TrueConf Room simulator (server {})", sim.world().server);
        outln!(
            "  config.json   http://{host}:{}/public/default/config.json",
            sim.http_port()
        );
        outln!("  control API   ws://{host}:{}/  (/v1, /v2)", sim.ws_port());
        outln!(
            "  auth          {}",
            match (&args.pin, &args.user_pin) {
                (Some(_), Some(_)) => "PIN (administrator) and user PIN",
                (Some(_), None) => "PIN",
                _ => "unsecured (no PIN)",
            }
        );
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
    sim.shutdown();
    chat.shutdown();
    Ok(())
}
