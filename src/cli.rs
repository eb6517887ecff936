//! The command line (clap derive). Kept in the library so tests and completions see the
//! same definition the binary parses.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::LogLevel;

#[derive(Debug, Parser)]
#[command(
    name = "trueconf-console",
    version,
    about = "A terminal console for TrueConf Room meeting rooms and TrueConf Server chats",
    long_about = "A terminal console for TrueConf Room meeting rooms and TrueConf Server chats.\n\n\
        Without a subcommand it starts the full-screen console on the rooms and chat server of the \
        config file. --demo starts it on the embedded simulators instead, with nothing to configure.",
    after_help = "Config file: $XDG_CONFIG_HOME/trueconf-console/config.toml (see `trueconf-console config path`).\n\
        Secrets may come from the environment: TRUECONF_ROOM_PIN, TRUECONF_PASSWORD, TRUECONF_TOKEN."
)]
pub struct Cli {
    /// Start on the embedded TrueConf Room and TrueConf Server simulators (no config needed).
    #[arg(long)]
    pub demo: bool,

    /// With --demo: seconds until the demo world's caller first rings a room (then every
    /// 180 s, the rooms in turn from the second).
    #[arg(long, value_name = "SECS", default_value_t = 20, requires = "demo")]
    pub demo_call_after: u64,

    /// Use this config file instead of the one in the XDG config dir.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Log detail (the log goes to a file, never to the terminal).
    #[arg(long, global = true, value_enum, value_name = "LEVEL")]
    pub log_level: Option<LogLevel>,

    /// Start with this configured room active (by its `name`).
    #[arg(long, value_name = "NAME")]
    pub room: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Testing aid, not a flag (no hidden flag shows in shell completions): with
/// `TRUECONF_DEBUG_PANIC=ui` or `=task` the console crashes on purpose once the terminal is set
/// up (on the UI thread, or in a background task), so a test can check the terminal is restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanicSite {
    Ui,
    Task,
}

impl PanicSite {
    /// The variable that asks for the crash.
    pub const ENV: &'static str = "TRUECONF_DEBUG_PANIC";

    /// Where to crash, from the variable's value.
    pub fn from_env(value: Option<&str>) -> Option<PanicSite> {
        match value? {
            "ui" => Some(PanicSite::Ui),
            "task" => Some(PanicSite::Task),
            _ => None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run both simulators on this machine: a TrueConf Room (WebSocket API) and a TrueConf
    /// Server's chat bot API, sharing one demo world.
    Simulate(SimulateArgs),
    /// Drive a TrueConf Room from scripts (state, call, hang up, mute, raw commands).
    Room(RoomArgs),
    /// Use TrueConf Server chats from scripts (list, history, send, files).
    Chat(ChatArgs),
    /// Find, check or create the config file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Address to listen on (loopback unless you mean to share the simulator).
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub listen: std::net::IpAddr,
    /// The Room's HTTP port, serving /public/default/config.json (0: any free port).
    #[arg(long, default_value_t = 8766, value_name = "PORT")]
    pub room_http_port: u16,
    /// The Room's WebSocket control port (0: any free port).
    #[arg(long, default_value_t = 8765, value_name = "PORT")]
    pub room_ws_port: u16,
    /// Administrator PIN; without it the Room accepts unsecured auth.
    #[arg(
        long,
        value_name = "PIN",
        env = "TRUECONF_SIM_PIN",
        hide_env_values = true
    )]
    pub pin: Option<String>,
    /// A PIN that grants user rights only.
    #[arg(long, value_name = "PIN", hide_env_values = true)]
    pub user_pin: Option<String>,
    /// Also serve config.json for a `-t NAME` instance.
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// Seconds an unanswered call rings.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub call_timeout: u64,
    /// Start the Room connected to the server and logged in as operator.
    #[arg(long)]
    pub logged_in: bool,
    /// Answer this Room method with an error, whatever is asked (repeatable; e.g. getLogin),
    /// to see what a client makes of a Room that lacks it.
    #[arg(long, value_name = "METHOD")]
    pub room_refuse: Vec<String>,
    /// Run this many independent Rooms, each with its own account and state: the first on
    /// the given ports, room k on each port + 2(k-1) (all on free ports when the ports are 0).
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=500))]
    pub rooms: u16,
    /// Run the demo world's spontaneous actors (dave calls the Rooms now and then, in turn
    /// from the second, and posts in Project).
    #[arg(long)]
    pub actors: bool,
    /// Seconds after start of the actors' first call.
    #[arg(long, default_value_t = 20, value_name = "SECONDS")]
    pub actors_after: u64,
    /// Seconds between the actors' calls (a call is placed only while the Room is idle).
    #[arg(long, default_value_t = 180, value_name = "SECONDS")]
    pub actors_every: u64,
    /// Load the demo world from this TOML file instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// The chat server's port: OAuth, WebSocket and files on one plain-http port (0: any free port).
    #[arg(long, default_value_t = 4309, value_name = "PORT")]
    pub chat_port: u16,
    /// Add a chat user (repeatable); demo users log in with their name as password.
    #[arg(long = "user", value_name = "NAME:PASSWORD", value_parser = parse_user)]
    pub users: Vec<(String, String)>,
    /// Seconds a server request may go unacknowledged before the chat server closes the connection.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub ack_timeout: u64,
    /// The Rooms' cameras film a busy scene: every pixel changes from frame to frame, as a
    /// real camera's noise does (the test card is otherwise still but for the time).
    #[arg(long)]
    pub camera_noise: bool,
    /// Print one JSON line with the actual ports when ready.
    #[arg(long)]
    pub json: bool,
}

fn parse_user(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((n, p)) if !n.is_empty() && !n.contains(['@', '/', ' ']) => {
            Ok((n.to_string(), p.to_string()))
        }
        _ => Err("expected NAME:PASSWORD (a login without @ or spaces)".into()),
    }
}

#[derive(Debug, Args)]
pub struct RoomArgs {
    /// The Room's host (overrides the config; then --port is its web-manager port).
    #[arg(long, global = true, value_name = "HOST")]
    pub host: Option<String>,
    /// The Room's web-manager HTTP port that serves config.json [default: 80 with --host].
    #[arg(long, global = true, value_name = "PORT")]
    pub port: Option<u16>,
    /// The WebSocket port, skipping discovery.
    #[arg(long, global = true, value_name = "PORT")]
    pub ws_port: Option<u16>,
    /// The instance name of a Room started with `-t NAME`.
    #[arg(long, global = true, value_name = "NAME")]
    pub instance: Option<String>,
    /// The PIN. Prefer TRUECONF_ROOM_PIN: a command line is visible to other users.
    #[arg(long, global = true, value_name = "PIN")]
    pub pin: Option<String>,
    /// A configured room, by name (default: the first).
    #[arg(long = "room", global = true, value_name = "NAME")]
    pub room_name: Option<String>,
    /// API version, 1 or 2.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=2))]
    pub api_version: Option<u8>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Seconds to wait for the Room, a reply, or a call's outcome.
    #[arg(long, global = true, default_value_t = 10, value_name = "SECONDS")]
    pub timeout: u64,
    #[command(subcommand)]
    pub command: RoomCommand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConfType {
    Symmetric,
    Asymmetric,
    Role,
}

#[derive(Debug, Subcommand)]
pub enum RoomCommand {
    /// The Room's state: app state, server, account, call, conference, mutes, devices.
    State,
    /// Call a user (waits for the answer; exits 1 if rejected or unanswered).
    Call {
        peer: String,
        /// Return once the call is placed, without waiting for the answer.
        #[arg(long)]
        no_wait: bool,
    },
    /// Accept the ringing incoming call or invitation.
    Accept,
    /// Reject the ringing incoming call or invitation.
    Reject,
    /// Hang up (or cancel a ringing call).
    Hangup {
        /// End the conference for everyone (owner of a group conference only).
        #[arg(long)]
        for_all: bool,
    },
    /// Conferences.
    #[command(subcommand)]
    Conference(ConferenceCommand),
    /// Invite a user into the running conference.
    Invite { peer: String },
    /// Who is in the conference, with microphone and camera state.
    Participants,
    /// Microphone on or off.
    Mic { state: OnOff },
    /// Camera on or off.
    Camera { state: OnOff },
    /// Speaker volume, 0–100.
    Volume {
        #[arg(value_parser = clap::value_parser!(u8).range(0..=100))]
        level: u8,
    },
    /// Microphones, speakers and cameras; the current ones marked.
    Devices,
    /// The address book.
    Contacts,
    /// Recent calls.
    History {
        #[arg(long, default_value_t = 20)]
        count: u32,
    },
    /// Send any method: a JSON object with "method" and its parameters.
    Raw {
        #[arg(value_name = "JSON")]
        request: String,
    },
    /// Print events until Ctrl-C.
    Watch,
    /// Replay a script of requests (what the explorer saves; see assets/tour-room.tcs),
    /// printing each step; exits 1 at the first unexpected result.
    Run {
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConferenceCommand {
    /// Create a conference and invite users.
    Create {
        title: String,
        #[arg(long = "invite", value_name = "PEER")]
        invite: Vec<String>,
        #[arg(long = "type", value_enum, default_value = "symmetric")]
        conf_type: ConfType,
    },
}

/// `chat …`: connection flags are global to the group and win over the `[chat]` config.
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// TrueConf Server's host (overrides the config).
    #[arg(long, global = true, value_name = "HOST")]
    pub server: Option<String>,
    /// Port [default: 4309 plain, 443 with TLS].
    #[arg(long, global = true, value_name = "PORT")]
    pub port: Option<u16>,
    /// Plain ws:// and http:// straight to TrueConf Bridge (port 4309).
    #[arg(long, global = true, conflicts_with = "tls")]
    pub no_tls: bool,
    /// wss:// and https:// through the Web Manager (port 443).
    #[arg(long, global = true)]
    pub tls: bool,
    /// A PEM file to trust besides the system's CAs: CA certificates, or the server's own
    /// certificate (a self-signed one, as `openssl req -x509` makes, is trusted as it is).
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_file: Option<std::path::PathBuf>,
    /// Trust the server certificate with this SHA-256 fingerprint (SHA256:AB:CD:…, colons
    /// optional; a refused connection prints the one the server presented).
    #[arg(long, global = true, value_name = "SHA256:HEX")]
    pub pin_sha256: Option<crate::tls::Fingerprint>,
    /// Do not check the server's certificate (only for test servers).
    #[arg(long, global = true)]
    pub insecure: bool,
    /// The account (login, login@server or DOMAIN\login). The password comes from
    /// TRUECONF_PASSWORD, the config, the cached token, or a prompt.
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Seconds to wait for the server or an answer.
    #[arg(long, global = true, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
    #[command(subcommand)]
    pub command: ChatCommand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParseModeArg {
    Text,
    Markdown,
    Html,
}

/// How a message's text is to be read.
#[derive(Debug, Args, Clone, Copy)]
pub struct Format {
    /// The text is Markdown (**bold**, _italic_, ~~strike~~, [links](https://…)).
    #[arg(long, conflicts_with = "html")]
    pub markdown: bool,
    /// The text is HTML (<b>, <i>, <s>, <u>, <a href>).
    #[arg(long)]
    pub html: bool,
}

impl Format {
    pub fn mode(self) -> &'static str {
        if self.markdown {
            "markdown"
        } else if self.html {
            "html"
        } else {
            "text"
        }
    }
}

/// CHAT arguments take a chat id, a chat title, or a user (their p2p chat).
#[derive(Debug, Subcommand)]
pub enum ChatCommand {
    /// Log in, cache the token, and print who you are.
    Login,
    /// List your chats: unread count, type, title (a personal chat by the other side's name),
    /// id; with --json the chats as the server sent them.
    Chats,
    /// Print a chat's messages, oldest first, as plain text (--raw: as the server sent them).
    History {
        chat: String,
        /// How many of the latest messages.
        #[arg(long, default_value_t = 20)]
        count: u64,
        /// Only messages older than this message id.
        #[arg(long, value_name = "MESSAGE_ID")]
        before: Option<String>,
        /// Print each text as the server sent it (Markdown, HTML) instead of as plain text.
        #[arg(long)]
        raw: bool,
    },
    /// Send a message.
    Send {
        chat: String,
        text: String,
        /// Reply to this message.
        #[arg(long, value_name = "MESSAGE_ID")]
        reply: Option<String>,
        #[command(flatten)]
        format: Format,
    },
    /// Replace the text of one of your messages.
    Edit {
        message: String,
        text: String,
        #[command(flatten)]
        format: Format,
    },
    /// Delete a message (for you, or with --for-all for everyone).
    Delete {
        message: String,
        #[arg(long)]
        for_all: bool,
    },
    /// Forward a message to a chat.
    Forward { message: String, chat: String },
    /// Send a file (with an optional caption).
    Upload {
        chat: String,
        file: std::path::PathBuf,
        #[arg(long)]
        caption: Option<String>,
        #[arg(long, value_name = "MESSAGE_ID")]
        reply: Option<String>,
    },
    /// Download a file by its id to PATH.
    Download {
        file_id: String,
        path: std::path::PathBuf,
    },
    /// Open (or find) the personal chat with a user.
    CreateP2p {
        #[arg(value_name = "USER")]
        peer: String,
    },
    /// Create a group chat.
    CreateGroup { title: String },
    /// Create a channel.
    CreateChannel { title: String },
    /// List a chat's members with their roles.
    Members { chat: String },
    /// Add a member to a group chat or channel.
    AddMember {
        chat: String,
        #[arg(value_name = "USER")]
        peer: String,
        /// Let them see the earlier messages.
        #[arg(long)]
        history: bool,
    },
    /// Remove a member from a group chat or channel.
    RemoveMember {
        chat: String,
        #[arg(value_name = "USER")]
        peer: String,
    },
    /// Print events as they arrive, until Ctrl-C.
    Watch,
    /// Search the local message store (what the console and `chat sync` have kept; no
    /// server is asked): every word must match, the last one as a prefix; best matches first.
    Search {
        /// The words (quoting them is not needed).
        #[arg(value_name = "WORDS", required = true, num_args = 1..)]
        query: Vec<String>,
        /// Only in this chat (its id or title, as stored).
        #[arg(long, value_name = "CHAT")]
        chat: Option<String>,
        /// At most this many results (the 2,000 newest matches are ranked: no more than
        /// that).
        #[arg(long, default_value_t = 20, value_name = "N")]
        limit: usize,
    },
    /// Copy older history from the server into the local message store, so that search
    /// covers it: every chat, or one; a progress line on a terminal.
    Sync {
        #[arg(value_name = "CHAT")]
        chat: Option<String>,
        /// Read at most this many pages of 100 per chat (0: back to each chat's start).
        #[arg(long, default_value_t = 0, value_name = "N")]
        max_pages: usize,
    },
    /// Replay a script of requests (what the explorer saves; see assets/tour-chat.tcs),
    /// printing each step; exits 1 at the first unexpected result.
    Run {
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the path of the config file in use.
    Path,
    /// Read the config file and report what it configures, or every error, each at its line.
    Check,
    /// Print a commented example config with every key and its default.
    Example,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn room_connection_flags_are_global_to_the_group() {
        let cli = Cli::try_parse_from([
            "trueconf-console",
            "room",
            "call",
            "alice",
            "--host",
            "10.0.0.5",
            "--port",
            "8766",
            "--json",
        ])
        .unwrap();
        let Some(Command::Room(r)) = cli.command else {
            panic!()
        };
        assert_eq!(
            (r.host.as_deref(), r.port, r.json),
            (Some("10.0.0.5"), Some(8766), true)
        );
        assert!(
            matches!(r.command, RoomCommand::Call { ref peer, no_wait: false } if peer == "alice")
        );
        assert!(Cli::try_parse_from(["trueconf-console", "room", "volume", "101"]).is_err());
        // Every subcommand parses with the global flags around it (a name clash panics here).
        for args in [
            &["state"][..],
            &["call", "alice", "--no-wait"],
            &["accept"],
            &["reject"],
            &["hangup", "--for-all"],
            &[
                "conference",
                "create",
                "Sync",
                "--invite",
                "alice",
                "--invite",
                "bob",
                "--type",
                "role",
            ],
            &["invite", "bob"],
            &["participants"],
            &["mic", "off"],
            &["camera", "on"],
            &["volume", "40"],
            &["devices"],
            &["contacts"],
            &["history", "--count", "3"],
            &["raw", "{\"method\":\"getAppState\"}"],
            &["watch"],
        ] {
            let mut argv = vec!["trueconf-console", "room", "--json", "--host", "h"];
            argv.extend_from_slice(args);
            argv.push("--timeout");
            argv.push("3");
            let cli = Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
            let Some(Command::Room(r)) = cli.command else {
                panic!()
            };
            assert!(r.json && r.timeout == 3, "{argv:?}");
        }
        assert!(
            Cli::try_parse_from(["trueconf-console", "room", "--api-version", "3", "state"])
                .is_err()
        );
    }

    #[test]
    fn global_flags_work_after_subcommands() {
        let cli =
            Cli::try_parse_from(["trueconf-console", "config", "check", "--config", "/x.toml"])
                .unwrap();
        assert_eq!(cli.config.as_deref(), Some(std::path::Path::new("/x.toml")));
        let cli =
            Cli::try_parse_from(["trueconf-console", "--demo", "--log-level", "debug"]).unwrap();
        assert!(cli.demo);
        assert_eq!(cli.log_level, Some(LogLevel::Debug));
        assert!(Cli::try_parse_from(["trueconf-console", "--log-level", "loud"]).is_err());
    }
}
