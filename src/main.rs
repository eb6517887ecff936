use std::io::IsTerminal;
use std::process::ExitCode;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{CommandFactory, Parser};
use tokio::sync::mpsc;

use trueconf_console::app::{self, Model, NoticeLevel, Session};
use trueconf_console::chat::auth::TokenCache;
use trueconf_console::chat::{ChatLinkOptions, ChatTarget};
use trueconf_console::cli::{Cli, Command, ConfigCommand, PanicSite};
use trueconf_console::config::Config;
use trueconf_console::room::RoomTarget;
use trueconf_console::sim::{ChatSim, ChatSimConfig, RoomSim, RoomSimConfig, World};
use trueconf_console::{commands, logging, tui};

const EXAMPLE_CONFIG: &str = include_str!("../config.example.toml");

/// Exit codes: 0 fine, 1 runtime failure, 2 bad usage or configuration.
/// mimalloc: the chat link's ingest is allocation-bound (a JSON tree per push); with the
/// system allocator a flood of pushes ran at about 60 % of the rate (`benches/chat_flood.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // One crypto provider for every TLS and HTTP client in the program.
    trueconf_console::tls::init();
    let cli = Cli::parse();
    if cli.command.is_some() {
        // A subcommand writes to a pipe as often as to a terminal: when the reader goes away
        // (`| head -1`), end quietly as Unix tools do, instead of panicking in `println!`.
        // Sockets are unaffected (the standard library sends with MSG_NOSIGNAL); the TUI keeps
        // Rust's default.
        // SAFETY: called before any thread starts; SIG_DFL is a valid disposition.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    match real_main(cli) {
        Ok(code) => code,
        Err(e) => {
            tui::restore();
            eprintln!("trueconf-console: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn real_main(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Some(Command::Completions { shell }) = &cli.command {
        clap_complete::generate(
            *shell,
            &mut Cli::command(),
            "trueconf-console",
            &mut std::io::stdout(),
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Command::Config(ConfigCommand::Example)) = &cli.command {
        print!("{EXAMPLE_CONFIG}");
        return Ok(ExitCode::SUCCESS);
    }

    let (path, required) = match &cli.config {
        Some(p) => (Some(p.clone()), true),
        None => (Config::default_path(), false),
    };
    let env = |k: &str| std::env::var(k).ok();
    let config = match &path {
        Some(p) => Config::load(p, required, env),
        None => Ok(Config::default()),
    };
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            eprintln!("trueconf-console: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    for s in config.secrets() {
        logging::register_secret(s.expose());
    }

    if let Some(Command::Config(c)) = &cli.command {
        return Ok(config_command(c, path.as_deref(), &config));
    }

    let level = cli.log_level.unwrap_or(config.log.level);
    let log = logging::init(level, config.log.dir.as_deref(), config.log.max_files);
    match &log {
        Ok(info) => {
            tracing::info!(version = env!("CARGO_PKG_VERSION"), log_dir = %info.dir.display(), "trueconf-console starting");
        }
        Err(e) if cli.command.is_some() => eprintln!("trueconf-console: warning: {e}"),
        Err(_) => {}
    }
    // The data and log dirs hold tokens, messages and logs: others must not read them.
    let tightened = trueconf_console::dirs::tighten_ours();
    if cli.command.is_some() {
        for n in &tightened {
            eprintln!("trueconf-console: note: {n}");
        }
    }
    tracing::debug!(?config, "configuration loaded");

    match &cli.command {
        Some(Command::Simulate(args)) => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            return match rt.block_on(commands::simulate::run(args)) {
                Ok(()) => Ok(ExitCode::SUCCESS),
                Err(e) => {
                    eprintln!("trueconf-console simulate: {e:#}");
                    Ok(ExitCode::from(1))
                }
            };
        }
        Some(Command::Room(args)) => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            return Ok(rt.block_on(commands::room::run(args, &config)));
        }
        Some(Command::Chat(args)) => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            return Ok(rt.block_on(commands::chat::run(args, &config)));
        }
        Some(Command::Config(_) | Command::Completions { .. }) | None => {}
    }

    let active_room = match &cli.room {
        Some(name) if !cli.demo => match config.room_index(name) {
            Ok(i) => Some(i),
            Err(e) => {
                eprintln!("trueconf-console: {e}");
                return Ok(ExitCode::from(2));
            }
        },
        _ => None,
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let mut model = if cli.demo {
        Model::demo(&config, (0, 0), no_color)
    } else {
        let found = path.as_ref().is_some_and(|p| p.exists());
        Model::from_config(
            &config,
            Session::Configured {
                path: path.clone(),
                found,
            },
            active_room,
            (0, 0),
            no_color,
        )
    };
    if let Err(e) = &log {
        model.notify(NoticeLevel::Warn, format!("No log file: {e}"));
    } else if let Some(w) = path.as_deref().and_then(|p| config.permission_warning(p)) {
        tracing::warn!("{w}");
        model.notify(NoticeLevel::Warn, w);
    } else if !tightened.is_empty() {
        model.notify(NoticeLevel::Warn, tightened.join(" · "));
    }
    run_tui(model, &config, cli.demo, cli.debug_panic)?;
    tracing::info!("trueconf-console stopped");
    Ok(ExitCode::SUCCESS)
}

fn run_tui(
    model: Model,
    config: &Config,
    demo: bool,
    debug_panic: Option<PanicSite>,
) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() {
        anyhow::bail!(
            "the console needs a terminal; for scripts use the `room` and `chat` subcommands"
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        // --demo: both simulators in-process, on free loopback ports, reached over real sockets.
        let (chat_sim, chat_target) = if demo {
            let any = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
            let sim = ChatSim::start(ChatSimConfig::new(Arc::new(World::demo())), any)
                .await
                .context("cannot start the chat simulator")?;
            sim.start_actors(Duration::from_secs(8), Duration::from_secs(45));
            let t = ChatTarget::loopback(sim.port(), "operator", "operator");
            (Some(sim), Some((t, ChatLinkOptions::default())))
        } else {
            let t = config.chat.as_ref().map(|c| {
                let mut opts = ChatLinkOptions::from_config(c);
                opts.token_cache = TokenCache::default_location();
                (
                    ChatTarget::from_config(
                        c,
                        config.chat_password().cloned(),
                        config.chat_token().cloned(),
                    ),
                    opts,
                )
            });
            (None, t)
        };
        let (sim, targets) = if demo {
            let mut cfg = RoomSimConfig::new(Arc::new(World::demo()));
            cfg.logged_in = true;
            let any = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
            let sim = RoomSim::start(cfg, any, any)
                .await
                .context("cannot start the Room simulator")?;
            sim.start_actors(Duration::from_secs(20), Duration::from_secs(180));
            let target = RoomTarget::loopback(sim.http_port());
            (Some(sim), vec![target])
        } else {
            let targets = config
                .rooms
                .iter()
                .map(|r| RoomTarget::from_config(r, config.room_pin(r).cloned()))
                .collect();
            (None, targets)
        };
        let mut tui = tui::Tui::enter(false)?;
        let (links_tx, links_rx) = mpsc::channel(1024);
        let mut effects = app::Effects::new(targets, links_tx);
        // The outbox survives a restart (not in --demo, whose chats are new each run).
        let mut model = model;
        model.ui.utc_offset_secs = i64::from(chrono::Local::now().offset().local_minus_utc());
        let mut load_errors: Vec<String> = Vec::new();
        if !demo {
            let path = trueconf_console::dirs::data_dir().map(|d| d.join("outbox.json"));
            if let Some(p) = &path {
                match app::OutboxFile::load(p) {
                    Ok(items) => model.composer.outbox = items,
                    // Unsent messages may be in it: keep the file, never overwrite it.
                    Err(e) => load_errors.push(kept_aside(p, e)),
                }
            }
            model.composer.persist = path.is_some();
            effects.set_outbox_path(path);
        }
        // The explorer's history (what was sent, secrets masked) survives a restart.
        let data = trueconf_console::dirs::data_dir();
        if let Some(d) = &data {
            let p = d.join("explorer-history.json");
            match app::explorer::HistoryFile::load(&p) {
                Ok(h) => model.explorer.history = h,
                Err(e) => load_errors.push(kept_aside(&p, e)),
            }
        }
        if !load_errors.is_empty() {
            model.notify(NoticeLevel::Error, load_errors.join(" · "));
        }
        effects.set_data_dir(data);
        if let Some(i) = model.room.active {
            effects.connect_room(i);
        }
        if let Some((t, opts)) = chat_target {
            effects.connect_chat(t, opts);
        }
        match debug_panic {
            Some(PanicSite::Ui) => panic!("deliberate panic on the UI thread (--debug-panic ui)"),
            Some(PanicSite::Task) => {
                tokio::spawn(async {
                    panic!("deliberate panic in a background task (--debug-panic task)")
                });
            }
            None => {}
        }
        app::run(model, &mut tui, links_rx, &mut effects).await?;
        drop(tui);
        drop(effects);
        if let Some(sim) = sim {
            sim.shutdown();
        }
        if let Some(sim) = chat_sim {
            sim.shutdown();
        }
        Ok(())
    })
}

/// A data file that cannot be read is moved aside before anything is saved over it; the
/// message says where it went.
fn kept_aside(path: &std::path::Path, problem: trueconf_console::dirs::FileError) -> String {
    let problem = problem.to_string();
    if !path.exists() {
        return problem;
    }
    match trueconf_console::dirs::set_aside(path) {
        Ok(to) => format!("{problem}; kept as {}", to.display()),
        Err(e) => format!("{problem}; could not set it aside: {e}"),
    }
}

fn config_command(c: &ConfigCommand, path: Option<&std::path::Path>, config: &Config) -> ExitCode {
    match c {
        ConfigCommand::Path => match path {
            Some(p) => {
                let state = if p.exists() {
                    ""
                } else {
                    " (does not exist yet)"
                };
                println!("{}{state}", p.display());
                ExitCode::SUCCESS
            }
            None => {
                eprintln!(
                    "trueconf-console: no config directory on this system; pass --config PATH"
                );
                ExitCode::from(2)
            }
        },
        ConfigCommand::Check => {
            let shown = path.map_or_else(|| "(none)".into(), |p| p.display().to_string());
            if !path.is_some_and(std::path::Path::exists) {
                println!("{shown}: no config file; the console starts unconfigured (try --demo)");
                return ExitCode::SUCCESS;
            }
            println!("{shown}: OK");
            if let Some(w) = path.and_then(|p| config.permission_warning(p)) {
                println!("  warning: {w}");
            }
            match &config.chat {
                Some(c) => println!(
                    "  chat: {}@{} port {}{}{}",
                    c.username,
                    c.server,
                    c.port(),
                    if c.tls { " tls" } else { "" },
                    if config.chat_password().is_some() || config.chat_token().is_some() {
                        ", credentials set"
                    } else {
                        ", no password (set TRUECONF_PASSWORD)"
                    }
                ),
                None => println!("  chat: not configured"),
            }
            for r in &config.rooms {
                println!(
                    "  room {:?}: {} http port {}{}{}",
                    r.name,
                    r.host,
                    r.http_port.0,
                    r.ws_port
                        .map(|p| format!(", ws port {}", p.0))
                        .unwrap_or_default(),
                    if config.room_pin(r).is_some() {
                        ", PIN set"
                    } else {
                        ""
                    }
                );
            }
            if config.rooms.is_empty() {
                println!("  rooms: none");
            }
            ExitCode::SUCCESS
        }
        ConfigCommand::Example => {
            print!("{EXAMPLE_CONFIG}");
            ExitCode::SUCCESS
        }
    }
}
