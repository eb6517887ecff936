//! The configuration file (`config.toml` in the XDG config dir, or `--config PATH`), the
//! secrets the environment may override, and errors that name the file, the line and the key.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[path = "config_read.rs"]
mod read;
pub use read::MAX_ERRORS;
#[path = "config_ui.rs"]
mod ui;
pub use ui::{Images, ThemeName, UiConfig};

/// Environment variables that override the secrets of the file.
pub const ENV_ROOM_PIN: &str = "TRUECONF_ROOM_PIN";
pub const ENV_PASSWORD: &str = "TRUECONF_PASSWORD";
pub const ENV_TOKEN: &str = "TRUECONF_TOKEN";

/// The chat bot API's plain port on TrueConf Bridge, and the Web Manager's TLS port.
pub const DEFAULT_CHAT_PORT: u16 = 4309;
pub const DEFAULT_CHAT_TLS_PORT: u16 = 443;
/// The Room's web-manager port, which serves `/public/default/config.json` (python-trueconf-room's default).
pub const DEFAULT_ROOM_HTTP_PORT: u16 = 80;

/// A PIN, password or token. It prints as `***` in `Debug` and `Display`, so a config or a
/// request that holds one can be logged without leaking it; `expose` is the only way out.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A host name or address, without scheme, path or port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host(String);

impl Host {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a host cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    #[error("the host is empty")]
    Empty,
    #[error("write the host name alone, without a scheme: `{0}`")]
    WithScheme(String),
    #[error(
        "write the host alone (`{host}`) and the port {port} in its own key: `http_port` for a room, `port` for the chat server"
    )]
    WithPort { host: String, port: String },
    #[error("`{0}` is not a host name or address")]
    NotAHost(String),
}

/// `host:port` (or `[v6]:port`) split in two; a bare IPv6 address (several colons, no
/// brackets) has no port.
fn split_port(s: &str) -> Option<(&str, &str)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        return after.strip_prefix(':').map(|p| (h, p));
    }
    match s.matches(':').count() {
        1 => s.split_once(':'),
        _ => None,
    }
}

impl std::str::FromStr for Host {
    type Err = HostError;
    fn from_str(s: &str) -> Result<Host, HostError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(HostError::Empty);
        }
        if let Some((_, rest)) = s.split_once("://") {
            let rest = rest.split('/').next().unwrap_or_default();
            let host = split_port(rest).map_or(rest, |(h, _)| h);
            return Err(HostError::WithScheme(
                crate::sanitize::line(host).into_owned(),
            ));
        }
        if let Some((host, port)) = split_port(s) {
            return Err(HostError::WithPort {
                host: crate::sanitize::line(host).into_owned(),
                port: crate::sanitize::line(port).into_owned(),
            });
        }
        if s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/')
        {
            return Err(HostError::NotAHost(crate::sanitize::line(s).into_owned()));
        }
        Ok(Host(s.to_string()))
    }
}

impl<'de> Deserialize<'de> for Host {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// A TCP port other than 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Port(pub u16);

impl<'de> Deserialize<'de> for Port {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = i64::deserialize(d)?;
        match u16::try_from(n) {
            Ok(p) if p != 0 => Ok(Port(p)),
            _ => Err(serde::de::Error::custom(format!(
                "{n} is not a port: use 1 to 65535"
            ))),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub chat: Option<ChatConfig>,
    #[serde(default, rename = "room")]
    pub rooms: Vec<RoomConfig>,
    #[serde(default)]
    pub ui: UiConfig,
    #[serde(default)]
    pub log: LogConfig,
    #[serde(default)]
    pub store: StoreConfig,
    /// Secrets taken from the environment; they win over the file.
    #[serde(skip)]
    pub env: EnvSecrets,
}

impl Config {
    /// Where downloads go: `[ui] download_dir`, else the user's download directory
    /// (`XDG_DOWNLOAD_DIR`, else `~/Downloads`, as file managers and browsers use), else
    /// `downloads` in the data dir, else the current directory.
    pub fn download_dir(&self) -> PathBuf {
        if let Some(d) = &self.ui.download_dir {
            return expand_home(d);
        }
        directories::UserDirs::new()
            .and_then(|u| {
                u.download_dir()
                    .map(PathBuf::from)
                    .or_else(|| Some(u.home_dir().join("Downloads")))
            })
            .or_else(|| crate::dirs::data_dir().map(|d| d.join("downloads")))
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

/// `~/x` as the home directory's `x`; any other path as it is (`~user/x` included).
pub fn expand_home(p: &Path) -> PathBuf {
    match (p.strip_prefix("~"), directories::BaseDirs::new()) {
        (Ok(rest), Some(b)) => b.home_dir().join(rest),
        _ => p.to_path_buf(),
    }
}

#[derive(Clone, Default, PartialEq, Eq)]
pub struct EnvSecrets {
    pub room_pin: Option<Secret>,
    pub password: Option<Secret>,
    pub token: Option<Secret>,
}

impl fmt::Debug for EnvSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |s: &Option<Secret>| if s.is_some() { "set" } else { "unset" };
        f.debug_struct("EnvSecrets")
            .field(ENV_ROOM_PIN, &set(&self.room_pin))
            .field(ENV_PASSWORD, &set(&self.password))
            .field(ENV_TOKEN, &set(&self.token))
            .finish()
    }
}

/// `[chat]`: the TrueConf Server whose chats the console shows (chat bot API).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatConfig {
    pub server: Host,
    #[serde(default)]
    pub port: Option<Port>,
    #[serde(default)]
    pub tls: bool,
    pub username: String,
    #[serde(default)]
    pub password: Option<Secret>,
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// A server certificate trusted by its SHA-256 fingerprint (`SHA256:AB:CD:…`).
    #[serde(default)]
    pub pin_sha256: Option<crate::tls::Fingerprint>,
    #[serde(default)]
    pub insecure: bool,
    /// `tokenType` sent in auth: "JWT" (what TrueConf's own clients send) or "JWE" (the spec).
    #[serde(default = "default_token_type", deserialize_with = "de_token_type")]
    pub token_type: String,
    /// The longest wait between reconnect attempts, in seconds.
    #[serde(
        default = "default_reconnect_max_delay",
        deserialize_with = "de_seconds"
    )]
    pub reconnect_max_delay: u64,
    /// Give up after this many failed attempts in a row; 0: never give up.
    #[serde(default)]
    pub reconnect_max_retries: u32,
    /// Seconds a request may wait for its answer (including waiting for the link).
    #[serde(default = "default_request_timeout", deserialize_with = "de_seconds")]
    pub request_timeout: u64,
    /// Seconds of silence (not even an answer to a ping) after which the server counts as
    /// gone and the link reconnects.
    #[serde(default = "default_liveness", deserialize_with = "de_liveness")]
    pub liveness: u64,
}

/// The default of `liveness`: a peer silent this many seconds is gone.
pub const DEFAULT_LIVENESS: u64 = 15;

fn default_liveness() -> u64 {
    DEFAULT_LIVENESS
}

/// At least 3 s (a ping goes out after a third of it), at most a day; one message for every
/// number out of range, negative ones included.
fn de_liveness<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = i128::deserialize(d)?;
    match u64::try_from(n) {
        Ok(n) if (3..=MAX_WAIT_SECS).contains(&n) => Ok(n),
        _ => Err(serde::de::Error::custom(format!(
            "liveness must be between 3 and {MAX_WAIT_SECS} seconds, not {n}"
        ))),
    }
}

/// The most seconds a wait may be configured to (a day): beyond it a deadline is no longer a
/// deadline, and the clock's arithmetic would overflow.
pub const MAX_WAIT_SECS: u64 = 86_400;

fn de_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = u64::deserialize(d)?;
    if (1..=MAX_WAIT_SECS).contains(&n) {
        Ok(n)
    } else {
        Err(serde::de::Error::custom(format!(
            "must be between 1 and {MAX_WAIT_SECS} seconds, not {n}"
        )))
    }
}

fn default_token_type() -> String {
    "JWT".into()
}

fn de_token_type<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    match s.as_str() {
        "JWT" | "JWE" => Ok(s),
        _ => Err(serde::de::Error::custom(format!(
            "token_type must be \"JWT\" or \"JWE\", not {s:?}"
        ))),
    }
}

fn default_reconnect_max_delay() -> u64 {
    60
}

fn default_request_timeout() -> u64 {
    30
}

impl ChatConfig {
    pub fn port(&self) -> u16 {
        self.port.map(|p| p.0).unwrap_or(if self.tls {
            DEFAULT_CHAT_TLS_PORT
        } else {
            DEFAULT_CHAT_PORT
        })
    }
}

/// `[[room]]`: one TrueConf Room the console can control.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomConfig {
    pub name: String,
    pub host: Host,
    #[serde(default = "default_room_http_port")]
    pub http_port: Port,
    #[serde(default)]
    pub ws_port: Option<Port>,
    #[serde(default)]
    pub api_version: ApiVersion,
    #[serde(default)]
    pub pin: Option<Secret>,
    /// The instance name of a Room started with `-t NAME` (its config.json is under /public/NAME/).
    #[serde(default = "default_instance", deserialize_with = "de_instance")]
    pub instance: String,
    /// Seconds of silence after which the Room counts as gone (see `[chat] liveness`).
    #[serde(default = "default_liveness", deserialize_with = "de_liveness")]
    pub liveness: u64,
}

fn default_instance() -> String {
    "default".into()
}

fn de_instance<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        || s.starts_with('.')
    {
        return Err(serde::de::Error::custom(format!(
            "instance `{}` is not a Room instance name (letters, digits, - _ .)",
            crate::sanitize::line(&s)
        )));
    }
    Ok(s)
}

fn default_room_http_port() -> Port {
    Port(DEFAULT_ROOM_HTTP_PORT)
}

/// The Room API version: `/v1` (every Room) or `/v2` (TrueConf Room 5.0 and later).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ApiVersion {
    #[default]
    V1,
    V2,
}

impl<'de> Deserialize<'de> for ApiVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match i64::deserialize(d)? {
            1 => Ok(ApiVersion::V1),
            2 => Ok(ApiVersion::V2),
            n => Err(serde::de::Error::custom(format!(
                "api_version {n} does not exist: use 1 or 2"
            ))),
        }
    }
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Error,
    Warn,
    #[default]
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

/// `[log]`
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    #[serde(default)]
    pub level: LogLevel,
    /// Where the log files go; the XDG state dir when unset.
    #[serde(default)]
    pub dir: Option<PathBuf>,
    /// How many daily files to keep.
    #[serde(default = "default_max_files")]
    pub max_files: usize,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: LogLevel::default(),
            dir: None,
            max_files: default_max_files(),
        }
    }
}

fn default_max_files() -> usize {
    7
}

/// `[store]`: the local message store (one SQLite file per server and account in the data
/// dir).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// Keep chats and messages between runs (and read them offline, search them).
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Messages older than this many days are dropped; 0 keeps them all.
    #[serde(default)]
    pub max_age_days: u64,
    /// The store is kept under about this many MiB, the oldest messages dropped first; 0: no
    /// bound.
    #[serde(default = "default_store_mb")]
    pub max_mb: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            enabled: true,
            max_age_days: 0,
            max_mb: default_store_mb(),
        }
    }
}

impl StoreConfig {
    pub fn limits(&self) -> crate::store::Limits {
        crate::store::Limits {
            max_age_days: self.max_age_days,
            max_mb: self.max_mb,
        }
    }
}

fn default_true() -> bool {
    true
}

fn default_store_mb() -> u64 {
    2048
}

/// A config file that could not be used. Names the file and, where it can, the line, the
/// column and the dotted key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("{}", format_invalid(path, *line, *column, key.as_deref(), message))]
    Invalid {
        path: PathBuf,
        line: Option<usize>,
        column: Option<usize>,
        key: Option<String>,
        message: String,
    },
}

fn format_invalid(
    path: &Path,
    line: Option<usize>,
    column: Option<usize>,
    key: Option<&str>,
    message: &str,
) -> String {
    let mut s = format!("config error in {}", path.display());
    if let Some(l) = line {
        s.push_str(&format!(", line {l}"));
        if let Some(c) = column {
            s.push_str(&format!(", column {c}"));
        }
    }
    if let Some(k) = key {
        s.push_str(&format!(", key `{k}`"));
    }
    s.push_str(": ");
    s.push_str(message);
    s
}

impl Config {
    /// The default location: `$XDG_CONFIG_HOME/trueconf-console/config.toml`.
    pub fn default_path() -> Option<PathBuf> {
        crate::dirs::project().map(|d| d.config_dir().join("config.toml"))
    }

    /// Reads a file. `required` is false for the default location, where a missing file
    /// simply means "no config yet".
    pub fn load(
        path: &Path,
        required: bool,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                let mut c = Config::default();
                c.apply_env(env);
                return Ok(c);
            }
            Err(e) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        };
        Config::parse(&text, path, env)
    }

    /// Parses config text; `path` is only used in error messages. The first error, if any
    /// ([`Config::check_text`] finds them all).
    pub fn parse(
        text: &str,
        path: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut config = read::read(text, path).map_err(|mut errors| errors.remove(0))?;
        config.apply_env(env);
        Ok(config)
    }

    /// Every error of config text, each located at its own line (empty: the text is fine).
    pub fn check_text(text: &str, path: &Path) -> Vec<ConfigError> {
        read::read(text, path).err().unwrap_or_default()
    }

    /// Checks that span several keys (a single value's checks run as it is read): every room
    /// name given and unique, no key bound twice.
    fn validate(&self, text: &str, path: &Path) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        let mut names = std::collections::HashSet::new();
        for (i, r) in self.rooms.iter().enumerate() {
            if r.name.trim().is_empty() || !names.insert(r.name.as_str()) {
                let what = if r.name.trim().is_empty() {
                    "a room needs a name"
                } else {
                    "two rooms have this name; give each its own"
                };
                let at = read::find_nth_table_key(text, "room", i, "name");
                errors.push(read::invalid(
                    path,
                    text,
                    at,
                    Some("room.name".into()),
                    format!("{what}: `{}`", crate::sanitize::line(&r.name)),
                ));
            }
        }
        for e in self.ui.keys.conflicts() {
            let crate::keys::KeyError::Conflict { first, second, .. } = &e else {
                continue;
            };
            // At the binding the file makes (the later one when it makes both).
            let found = [second, first]
                .iter()
                .find_map(|a| read::find_binding(text, a.name()).map(|at| (at, a.name())));
            errors.push(read::invalid(
                path,
                text,
                found.map(|(at, _)| at),
                Some(found.map_or("ui.keys".into(), |(_, n)| format!("ui.keys.{n}"))),
                e.to_string(),
            ));
        }
        errors
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) {
        let get = |k: &str| env(k).filter(|v| !v.is_empty()).map(Secret::new);
        self.env = EnvSecrets {
            room_pin: get(ENV_ROOM_PIN),
            password: get(ENV_PASSWORD),
            token: get(ENV_TOKEN),
        };
    }

    /// The PIN for a room: `TRUECONF_ROOM_PIN` wins over the file.
    pub fn room_pin<'a>(&'a self, room: &'a RoomConfig) -> Option<&'a Secret> {
        self.env.room_pin.as_ref().or(room.pin.as_ref())
    }

    /// The chat password: `TRUECONF_PASSWORD` wins over the file.
    pub fn chat_password(&self) -> Option<&Secret> {
        self.env
            .password
            .as_ref()
            .or(self.chat.as_ref().and_then(|c| c.password.as_ref()))
    }

    /// A chat token given by `TRUECONF_TOKEN` (it skips the password).
    pub fn chat_token(&self) -> Option<&Secret> {
        self.env.token.as_ref()
    }

    /// Whether the file itself holds a PIN or a password.
    pub fn file_has_secrets(&self) -> bool {
        self.rooms.iter().any(|r| r.pin.is_some())
            || self.chat.as_ref().is_some_and(|c| c.password.is_some())
    }

    /// A warning when the file holds secrets and others may read it.
    pub fn permission_warning(&self, path: &Path) -> Option<String> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).ok()?.permissions().mode();
            if self.file_has_secrets() && mode & 0o077 != 0 {
                return Some(format!(
                    "config file readable by others holds secrets: chmod 600 {}",
                    path.display()
                ));
            }
        }
        #[cfg(not(unix))]
        let _ = path;
        None
    }

    /// Every secret this config knows, for the log's redaction.
    pub fn secrets(&self) -> Vec<&Secret> {
        let mut v: Vec<&Secret> = self.rooms.iter().filter_map(|r| r.pin.as_ref()).collect();
        v.extend(self.chat.as_ref().and_then(|c| c.password.as_ref()));
        v.extend(self.env.room_pin.as_ref());
        v.extend(self.env.password.as_ref());
        v.extend(self.env.token.as_ref());
        // A chat password that is the account's own name hides nothing and is left out.
        let user = self.chat.as_ref().map(|c| c.username.as_str());
        v.retain(|s| !user.is_some_and(|u| crate::logging::is_own_name(s.expose(), u)));
        v
    }

    /// The room with this name (case-insensitive), or an error listing the names there are.
    pub fn room_index(&self, name: &str) -> Result<usize, NoSuchRoom> {
        self.rooms
            .iter()
            .position(|r| r.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| NoSuchRoom {
                // Said on a terminal: cleaned, whoever typed or configured them.
                name: crate::sanitize::line(name).into_owned(),
                rooms: self
                    .rooms
                    .iter()
                    .map(|r| crate::sanitize::line(&r.name).into_owned())
                    .collect(),
            })
    }
}

/// `--room NAME` names no configured room.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no room named `{name}`{}", if rooms.is_empty() { ": the config has no [[room]]".to_string() } else { format!("; configured rooms: {}", rooms.join(", ")) })]
pub struct NoSuchRoom {
    pub name: String,
    pub rooms: Vec<String>,
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
