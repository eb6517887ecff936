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
use trueconf_console::config::{Config, ConfigError};
use trueconf_console::room::RoomTarget;
use trueconf_console::sim::{ChatSim, ChatSimConfig, World};
use trueconf_console::{commands, logging, tui};

const EXAMPLE_CONFIG: &str = include_str!("../config.example.toml");

/// `println!` and `eprintln!` that ignore a failed write: after a dropped SSH session the
/// terminal answers EIO, and `println!` would panic on it.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}
/// Errors quote what they are about (a config key, a file name, a server's words): cleaned
/// of control sequences before they reach the terminal.
macro_rules! warn_user {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($t)*);
        let _ = writeln!(std::io::stderr(), "{}", trueconf_console::sanitize::text(&text));
    }};
}

/// Exit codes: 0 fine, 1 runtime failure, 2 bad usage or configuration.
/// mimalloc: the chat link's ingest is allocation-bound (a JSON tree per push); with the
/// system allocator a flood of pushes ran at about 60 % of the rate (`benches/chat_flood.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // mimalloc's purge delay, SQLite through mimalloc (crate::alloc).
    trueconf_console::alloc::tune();
    // A panic anywhere: the terminal restored (if the TUI had it), a crash note in the log.
    tui::install_panic_hook();
    // One crypto provider for every TLS and HTTP client in the program.
    trueconf_console::tls::init();
    let cli = Cli::parse();
    if cli.command.is_some() {
        // A subcommand writes to a pipe as often as to a terminal: when the reader goes away
        // (`| head -1`), end quietly, instead of panicking in `println!`.
        // SAFETY: called before any thread starts; the handler makes only async-signal-safe
        // calls.
        unsafe {
            libc::signal(libc::SIGPIPE, on_sigpipe as *const () as libc::sighandler_t);
        }
    }
    match real_main(cli) {
        Ok(code) => code,
        Err(e) => {
            tui::restore();
            warn_user!("trueconf-console: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// SIGPIPE in a subcommand: a write to a pipe nobody reads. When that is stdout (`| head -1`
/// has what it wanted), the command's output is done: exit 0, as quietly as the reader
/// expects. Any other pipe (stderr, a FIFO given as a file): the signal's default, the
/// process ends by it. Sockets never raise it (Rust sends with MSG_NOSIGNAL).
extern "C" fn on_sigpipe(_: libc::c_int) {
    let mut out = libc::pollfd {
        fd: libc::STDOUT_FILENO,
        events: 0,
        revents: 0,
    };
    // SAFETY: poll, _exit, signal and raise are async-signal-safe; `out` is a valid pollfd.
    unsafe {
        if libc::poll(&raw mut out, 1, 0) == 1 && out.revents & (libc::POLLERR | libc::POLLHUP) != 0
        {
            libc::_exit(0);
        }
        // Blocked while this handler runs: delivered, with the default action, on return.
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        libc::raise(libc::SIGPIPE);
    }
}

fn real_main(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Some(Command::Completions { shell }) = &cli.command {
        // Generated into memory (clap_complete panics on a failed write), then written.
        let mut script = Vec::new();
        clap_complete::generate(*shell, &mut Cli::command(), "trueconf-console", &mut script);
        use std::io::Write as _;
        if let Err(e) = std::io::stdout().write_all(&script) {
            trueconf_console::output_failed(&e);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Command::Config(ConfigCommand::Example)) = &cli.command {
        {
            use std::io::Write as _;
            if let Err(e) = std::io::stdout().write_all(EXAMPLE_CONFIG.as_bytes()) {
                trueconf_console::output_failed(&e);
            }
        }
        return Ok(ExitCode::SUCCESS);
    }

    let (path, required) = match &cli.config {
        Some(p) => (Some(p.clone()), true),
        None => (Config::default_path(), false),
    };
    let env = |k: &str| std::env::var(k).ok();
    // `config check`: every error of the file, each at its line (a start stops at the first).
    if let (Some(Command::Config(ConfigCommand::Check)), Some(p)) = (&cli.command, &path)
        && let Ok(text) = std::fs::read_to_string(p)
    {
        let errors = Config::check_text(&text, p);
        if !errors.is_empty() {
            for e in &errors {
                warn_user!("trueconf-console: {e}");
            }
            if errors.len() >= trueconf_console::config::MAX_ERRORS {
                warn_user!(
                    "trueconf-console: the first {} errors in {} (the check stops there; there may be more)",
                    errors.len(),
                    p.display()
                );
            } else if errors.len() > 1 {
                warn_user!(
                    "trueconf-console: {} errors in {}",
                    errors.len(),
                    p.display()
                );
            }
            return Ok(ExitCode::from(2));
        }
    }
    let config = match &path {
        Some(p) => Config::load(p, required, env),
        None => Ok(Config::default()),
    };
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            warn_user!("trueconf-console: {e}");
            // A start stops at the first error; the check lists them all.
            let more = match (&path, &e) {
                (Some(p), ConfigError::Invalid { .. }) => std::fs::read_to_string(p)
                    .map(|t| Config::check_text(&t, p).len().saturating_sub(1))
                    .unwrap_or(0),
                _ => 0,
            };
            if more > 0 {
                warn_user!(
                    "trueconf-console: {more} more error{} in the file: `trueconf-console config check{}` lists them all",
                    if more == 1 { "" } else { "s" },
                    path.as_ref()
                        .map(|p| format!(" --config {}", p.display()))
                        .unwrap_or_default()
                );
            }
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
        Err(e) if cli.command.is_some() => warn_user!("trueconf-console: warning: {e}"),
        Err(_) => {}
    }
    // The data and log dirs hold tokens, messages and logs: others must not read them.
    let tightened = trueconf_console::dirs::tighten_ours();
    if cli.command.is_some() {
        for n in &tightened {
            warn_user!("trueconf-console: note: {n}");
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
                    warn_user!("trueconf-console simulate: {e:#}");
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
                warn_user!("trueconf-console: {e}");
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
    let debug_panic = PanicSite::from_env(std::env::var(PanicSite::ENV).ok().as_deref());
    let ended_by = run_tui(model, &config, cli.demo, cli.demo_call_after, debug_panic)?;
    match ended_by {
        // As a shell reports a program a signal ended; a lost terminal counts as SIGHUP.
        Some(s) => {
            tracing::info!("trueconf-console stopped ({s:?})");
            Ok(ExitCode::from(128 + s.number()))
        }
        None => {
            tracing::info!("trueconf-console stopped");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_tui(
    model: Model,
    config: &Config,
    demo: bool,
    demo_call_after: u64,
    debug_panic: Option<PanicSite>,
) -> anyhow::Result<Option<app::SignalKind>> {
    if !std::io::stdout().is_terminal() {
        anyhow::bail!(
            "the console needs a terminal; for scripts use the `room` and `chat` subcommands"
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        // Before anything takes time, and before the terminal is raw: from here on a signal
        // is the loop's to handle (see `app::Signals`).
        let signals = app::Signals::install().context("cannot handle signals")?;
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
        // --demo: three Rooms (Board room, Huddle, Lobby), each its own simulator; the demo
        // world's caller rings them in turn from the second, so the first call comes to a
        // room that is not the one shown.
        let (sims, targets) = if demo {
            let n = trueconf_console::sim::fleet::DEMO_ROOMS;
            let world = Arc::new(trueconf_console::sim::fleet::fleet_world(World::demo(), n));
            let sims = trueconf_console::sim::fleet::start_loopback(world, n)
                .await
                .context("cannot start the Room simulators")?;
            trueconf_console::sim::fleet::start_actors(
                sims.clone(),
                Duration::from_secs(demo_call_after),
                Duration::from_secs(180),
            );
            trueconf_console::sim::fleet::start_presence(sims.clone(), Duration::from_secs(30));
            let targets = sims
                .iter()
                .map(|s| RoomTarget::loopback(s.http_port()))
                .collect();
            (sims, targets)
        } else {
            let targets = config
                .rooms
                .iter()
                .map(|r| RoomTarget::from_config(r, config.room_pin(r).cloned()))
                .collect();
            (Vec::new(), targets)
        };
        let mut tui = tui::Tui::enter(config.ui.mouse)?;
        // Asked now, in raw mode, before anything reads the terminal's input.
        let graphics = match config.ui.images {
            trueconf_console::config::Images::Off => Default::default(),
            images => trueconf_console::graphics::detect(images),
        };
        tracing::info!("pictures: {}", graphics.why);
        let (links_tx, links_rx) = mpsc::channel(1024);
        let links_tx_store = links_tx.clone();
        let mut effects = app::Effects::new(targets, links_tx);
        effects.set_graphics(graphics.clone());
        if !demo {
            effects.set_room_liveness(
                config
                    .rooms
                    .iter()
                    .map(|r| Duration::from_secs(r.liveness))
                    .collect(),
            );
        }
        // The outbox survives a restart (not in --demo, whose chats are new each run).
        let mut model = model;
        model.ui.term.pictures = graphics.kind;
        model.ui.utc_offset_secs = i64::from(chrono::Local::now().offset().local_minus_utc());
        let mut load_errors: Vec<String> = Vec::new();
        // The outbox and the drafts are rewritten whole: one console at a time owns them. A
        // second one on the same data directory keeps its own in memory (it neither sends
        // the first one's queue again nor overwrites it), and says so.
        let mut _data_lock = None;
        let owner = match trueconf_console::dirs::data_dir() {
            Some(d) if !demo => match trueconf_console::dirs::lock_data_dir(&d) {
                Ok(trueconf_console::dirs::Holder::Us(lock)) => {
                    _data_lock = Some(lock);
                    true
                }
                Ok(trueconf_console::dirs::Holder::Other(pid)) => {
                    model.notify(
                        NoticeLevel::Warn,
                        format!(
                            "Another trueconf-console{} uses {}: this one keeps its outbox and \
                             drafts in memory only (unsent messages are lost when it ends)",
                            pid.map(|p| format!(" (pid {p})")).unwrap_or_default(),
                            d.display()
                        ),
                    );
                    false
                }
                Err(e) => {
                    load_errors.push(format!(
                        "cannot lock {}: {e}; the outbox and drafts are kept in memory only",
                        d.join("console.lock").display()
                    ));
                    false
                }
            },
            _ => false,
        };
        if owner {
            let path = trueconf_console::dirs::data_dir().map(|d| d.join("outbox.json"));
            if let Some(p) = &path {
                match app::OutboxFile::load(p) {
                    Ok(f) => {
                        model.composer.outbox = f.items;
                        model.composer.claimed = f.claimed;
                    }
                    // Unsent messages may be in it: keep the file, never overwrite it.
                    Err(e) => load_errors.push(kept_aside(p, e)),
                }
            }
            model.composer.persist = path.is_some();
            effects.set_outbox_path(path);
            // What was being written when the program last ended.
            let drafts = trueconf_console::dirs::data_dir().map(|d| d.join("drafts.json"));
            if let Some(p) = &drafts {
                match app::DraftsFile::load(p) {
                    Ok(d) => model.composer.drafts = d,
                    Err(e) => load_errors.push(kept_aside(p, e)),
                }
            }
            effects.set_drafts_path(drafts);
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
        // The message store: the chats and messages of this server and account, kept between
        // runs (in --demo, a new one in a temporary directory, removed at the end).
        let demo_dir = if demo { demo_store_dir() } else { None };
        let store_path = match &chat_target {
            Some(_) if demo => demo_dir.as_ref().map(|d| d.join("store.sqlite3")),
            Some((t, _)) if config.store.enabled => trueconf_console::dirs::data_dir()
                .map(|d| trueconf_console::store::path_for_target(&d, t)),
            _ => None,
        };
        let store = store_path.map(|p| {
            let tx = links_tx_store.clone();
            trueconf_console::store::writer::StoreWriter::start(
                &p,
                config.store.limits(),
                move |r| {
                    let _ = tx.blocking_send(app::Msg::StoreOpened(r.map(Box::new)));
                },
            )
        });
        effects.set_store(store.clone());
        effects.connect_rooms(model.room.active);
        if let Some((t, opts)) = chat_target {
            effects.connect_chat(t, opts);
        }
        match debug_panic {
            Some(PanicSite::Ui) => {
                panic!("deliberate panic on the UI thread (TRUECONF_DEBUG_PANIC=ui)")
            }
            Some(PanicSite::Task) => {
                tokio::spawn(async {
                    panic!("deliberate panic in a background task (TRUECONF_DEBUG_PANIC=task)")
                });
            }
            None => {}
        }
        let model = app::run(model, &mut tui, signals, links_rx, &mut effects).await?;
        drop(tui);
        // A broadcast the live view turned on is turned off before the links go; one the Room
        // did not answer in time is said (the terminal is restored by now).
        for room in effects.settle(Duration::from_secs(2)).await {
            let name = model.room.name(room);
            eprintln!(
                "trueconf-console: room {}: the self-view broadcast the camera view turned on may still be on (the Room did not answer in time to turn it off)",
                trueconf_console::sanitize::line(name)
            );
        }
        drop(effects);
        if let Some(s) = &store {
            // Read to where the reader was, if at the newest: what came while the chat was
            // open and followed was read (the divider is not drawn above it next time).
            if let Some(o) = &model.chat.open
                && let Some(read) = o.read_to()
            {
                s.write(trueconf_console::store::Write::Opened {
                    chat_id: o.chat_id.clone(),
                    read: Some(read),
                });
            }
            // What the link brought last is committed before the end (bounded: a store on a
            // dead disk does not hold the exit up).
            if tokio::time::timeout(Duration::from_secs(5), s.close())
                .await
                .is_err()
            {
                tracing::warn!("the message store did not finish writing within 5 s");
            }
        }
        drop(store);
        if let Some(d) = demo_dir {
            let _ = std::fs::remove_dir_all(d);
        }
        for sim in sims {
            sim.shutdown();
        }
        if let Some(sim) = chat_sim {
            sim.shutdown();
        }
        Ok(model.ended_by)
    })
}

/// A new private directory for --demo's store, under the system's temporary directory.
fn demo_store_dir() -> Option<std::path::PathBuf> {
    let base = std::env::temp_dir();
    // What an earlier --demo killed with -9 left behind.
    let stale = trueconf_console::dirs::remove_stale_demo_dirs(&base);
    if stale > 0 {
        tracing::info!("removed {stale} temporary store(s) left by ended --demo runs");
    }
    for n in 0..100u32 {
        let d = base.join(format!(
            "{}{}-{n}",
            trueconf_console::dirs::DEMO_DIR_PREFIX,
            std::process::id()
        ));
        let mut b = std::fs::DirBuilder::new();
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        match b.create(&d) {
            Ok(()) => return Some(d),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                tracing::warn!("no temporary store for --demo: {e}");
                return None;
            }
        }
    }
    None
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
                say!("{}{state}", p.display());
                ExitCode::SUCCESS
            }
            None => {
                warn_user!(
                    "trueconf-console: no config directory on this system; pass --config PATH"
                );
                ExitCode::from(2)
            }
        },
        ConfigCommand::Check => {
            let shown = path.map_or_else(|| "(none)".into(), |p| p.display().to_string());
            if !path.is_some_and(std::path::Path::exists) {
                say!("{shown}: no config file; the console starts unconfigured (try --demo)");
                return ExitCode::SUCCESS;
            }
            say!("{shown}: OK");
            if let Some(w) = path.and_then(|p| config.permission_warning(p)) {
                say!("  warning: {w}");
            }
            match &config.chat {
                Some(c) => say!(
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
                None => say!("  chat: not configured"),
            }
            for r in &config.rooms {
                say!(
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
                say!("  rooms: none");
            }
            ExitCode::SUCCESS
        }
        ConfigCommand::Example => {
            {
                use std::io::Write as _;
                if let Err(e) = std::io::stdout().write_all(EXAMPLE_CONFIG.as_bytes()) {
                    trueconf_console::output_failed(&e);
                }
            }
            ExitCode::SUCCESS
        }
    }
}
