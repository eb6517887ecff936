//! Logging to a daily-rotated file in the XDG state dir, never to the terminal while the TUI
//! runs. Every line passes a redactor that masks every secret the program knows (the config's
//! PIN and password, tokens learned at run time), in plain and JSON-escaped form, so even a
//! raw frame logged by mistake cannot leak one.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{OnceLock, RwLock};

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::config::LogLevel;

/// Secrets shorter than this are not searched for in log lines (a 1-digit "PIN" would mask
/// every digit of every timestamp); such secrets still never reach the log through `Secret`'s
/// Debug and Display, which print `***`.
pub const MIN_REDACTED_LEN: usize = 3;
const MASK: &str = "***";

/// The secrets, each with a searcher made once (a frame is searched for each of them).
static SECRETS: RwLock<Vec<(String, memchr::memmem::Finder<'static>)>> = RwLock::new(Vec::new());
/// The log directory, once logging has started.
static DIR: OnceLock<PathBuf> = OnceLock::new();

/// The log file being written, once logging has started (for the crash note's pointer).
pub fn current_file() -> Option<PathBuf> {
    DIR.get().map(|d| LogInfo { dir: d.clone() }.current_file())
}

/// Whether a password is the account's own name (`operator` for `operator`, or for
/// `operator@server`): shown in clear wherever the account is named, it hides nothing, and
/// masking it would blank the account's id in every frame (the demo's users have such
/// passwords).
pub fn is_own_name(password: &str, username: &str) -> bool {
    let user = username.split('@').next().unwrap_or(username);
    !password.is_empty()
        && (password.eq_ignore_ascii_case(username) || password.eq_ignore_ascii_case(user))
}

/// Adds a secret to the set masked in every log line from now on.
pub fn register_secret(secret: &str) {
    if secret.chars().count() < MIN_REDACTED_LEN {
        return;
    }
    let escaped = serde_json::to_string(secret).unwrap_or_default();
    let escaped = escaped.trim_matches('"').to_string();
    let mut set = SECRETS
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for s in [secret.to_string(), escaped] {
        if !set.iter().any(|(k, _)| *k == s) {
            let f = memchr::memmem::Finder::new(s.as_bytes()).into_owned();
            set.push((s, f));
        }
    }
    // Longest first, so a secret that contains another is masked whole.
    set.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
}

/// Masks every registered secret in `line`.
pub fn redact(line: &str) -> Cow<'_, str> {
    let set = SECRETS
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut out = Cow::Borrowed(line);
    for (s, find) in set.iter() {
        if find.find(out.as_bytes()).is_some() {
            out = Cow::Owned(out.replace(s.as_str(), MASK));
        }
    }
    out
}

/// A `MakeWriter` that collects each event's bytes and writes them redacted.
pub struct Redacting<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter {
            inner: self.0.make_writer(),
            buf: Vec::with_capacity(256),
        }
    }
}

pub struct RedactingWriter<W: Write> {
    inner: W,
    buf: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    fn flush_buf(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.buf);
        let clean = redact(&text);
        let r = self.inner.write_all(clean.as_bytes());
        self.buf.clear();
        r
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.flush_buf()?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush_buf();
    }
}

/// The rolling appender, with each day's file created 0600 before the appender opens it
/// (the appender would create it with the process's umask, usually 0644). The appender names
/// a daily file `trueconf-console.YYYY-MM-DD.log` by the UTC date and opens it when the first
/// line of that day is written; this creates that file first, for the day a line is written
/// in and for the day two seconds later, so a rotation between the check and the write finds
/// it too. The appender opens an existing file as it is.
pub struct PrivateFiles {
    dir: PathBuf,
    inner: RollingFileAppender,
    /// The last UTC day (days since the epoch) whose file was made.
    made: AtomicI64,
}

impl PrivateFiles {
    fn prepare(dir: &Path, made: &AtomicI64) {
        let now = chrono::Utc::now().timestamp();
        for t in [now, now + 2] {
            let day = t.div_euclid(86_400);
            if made.fetch_max(day, Ordering::SeqCst) < day {
                let _ = create_private_file(&dir.join(daily_file_name(t)));
            }
        }
    }
}

impl<'a> MakeWriter<'a> for PrivateFiles {
    type Writer = <RollingFileAppender as MakeWriter<'a>>::Writer;
    fn make_writer(&'a self) -> Self::Writer {
        PrivateFiles::prepare(&self.dir, &self.made);
        self.inner.make_writer()
    }
}

/// The appender's name for the daily file holding Unix time `t` (UTC).
fn daily_file_name(t: i64) -> String {
    let date = chrono::DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d");
    format!("trueconf-console.{date}.log")
}

/// Creates `path` (or opens it) for appending with mode 0600, and sets 0600 on it either way.
fn create_private_file(path: &Path) -> io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)?;
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(())
}

/// Sets 0600 on every log file of ours in `dir` (files written before logs were private).
fn tighten_logs(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        if e.file_name()
            .to_string_lossy()
            .starts_with("trueconf-console")
            && e.file_type().is_ok_and(|t| t.is_file())
        {
            #[cfg(unix)]
            let _ = std::fs::set_permissions(
                e.path(),
                std::os::unix::fs::PermissionsExt::from_mode(0o600),
            );
        }
    }
}

/// Where the log went.
#[derive(Debug, Clone)]
pub struct LogInfo {
    pub dir: PathBuf,
}

impl LogInfo {
    /// The file being written today.
    pub fn current_file(&self) -> PathBuf {
        newest_log(&self.dir).unwrap_or_else(|| self.dir.join("trueconf-console.log"))
    }
}

/// The most recently modified log file in `dir`.
pub fn newest_log(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("trueconf-console")
        })
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())
        .map(|e| e.path())
}

/// Why the log cannot be written (the console runs on without it).
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("cannot find a directory for the log (no home directory?)")]
    NoDir,
    #[error("cannot create the log directory {}: {source}", dir.display())]
    CreateDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open a log file in {}: {reason}", dir.display())]
    Open { dir: PathBuf, reason: String },
    #[error("cannot start logging: {0}")]
    Start(String),
}

/// The libraries that trace raw frames and URLs (a token before the console knows it is one):
/// never above info, whatever `TRUECONF_LOG` asks.
const CAPPED: &[&str] = &[
    "tungstenite",
    "tokio_tungstenite",
    "reqwest",
    "hyper",
    "hyper_util",
];

/// `TRUECONF_LOG`'s directives with those libraries' own removed and capped at info.
fn capped(directives: &str) -> String {
    let mut kept: Vec<&str> = directives
        .split(',')
        .map(str::trim)
        .filter(|d| {
            // A directive's target matches every target it is a prefix of (`tungst` names
            // `tungstenite::protocol`): one that is a capped name's prefix, or begins with one,
            // goes. (A bare level has no target and stays.)
            let target = d.split(['=', '[']).next().unwrap_or("").trim();
            target.is_empty()
                || d.starts_with('[')
                || !CAPPED
                    .iter()
                    .any(|c| target.starts_with(c) || c.starts_with(target))
        })
        .filter(|d| !d.is_empty())
        .collect();
    let caps: Vec<String> = CAPPED.iter().map(|c| format!("{c}=info")).collect();
    kept.extend(caps.iter().map(String::as_str));
    kept.join(",")
}

/// Installs the global subscriber. `TRUECONF_LOG` (an `EnvFilter` directive) overrides the level
/// for those who need per-module detail.
pub fn init(level: LogLevel, dir: Option<&Path>, max_files: usize) -> Result<LogInfo, LogError> {
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => crate::dirs::log_dir().ok_or(LogError::NoDir)?,
    };
    crate::dirs::create_private(&dir).map_err(|source| LogError::CreateDir {
        dir: dir.clone(),
        source,
    })?;
    tighten_logs(&dir);
    let made = AtomicI64::new(i64::MIN);
    PrivateFiles::prepare(&dir, &made);
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("trueconf-console")
        .filename_suffix("log")
        .max_log_files(max_files.max(1))
        .build(&dir)
        .map_err(|e| LogError::Open {
            dir: dir.clone(),
            reason: e.to_string(),
        })?;
    let filter = std::env::var("TRUECONF_LOG")
        .ok()
        .and_then(|d| EnvFilter::try_new(capped(&d)).ok())
        .unwrap_or_else(|| {
            // Our own crate at the chosen level; dependencies only warn (their debug output can
            // hold raw frames).
            EnvFilter::new(format!("warn,trueconf_console={}", level.as_str()))
        });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Redacting(PrivateFiles {
            dir: dir.clone(),
            inner: appender,
            made,
        }))
        .with_ansi(false)
        .with_target(true)
        .try_init()
        .map_err(|e| LogError::Start(e.to_string()))?;
    let _ = DIR.set(dir.clone());
    Ok(LogInfo { dir })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_from_the_log_variable_never_reaches_the_frame_libraries() {
        assert_eq!(
            capped("trace"),
            "trace,tungstenite=info,tokio_tungstenite=info,reqwest=info,hyper=info,hyper_util=info"
        );
        let c =
            capped("debug, tungstenite::protocol=trace,trueconf_console=trace,hyper_util=trace");
        assert!(!c.contains("tungstenite::protocol"), "{c}");
        // A target written short of the name still matches it: removed too.
        for sly in [
            "tungstenite:",
            "tungst",
            "hyper_",
            "reqwest:",
            "tokio_tung",
            "h",
        ] {
            let c = capped(&format!("trace,{sly}=trace"));
            assert_eq!(
                c,
                "trace,tungstenite=info,tokio_tungstenite=info,reqwest=info,hyper=info,hyper_util=info",
                "{sly}"
            );
        }
        assert!(
            c.starts_with("debug,trueconf_console=trace,tungstenite=info"),
            "{c}"
        );
        assert!(EnvFilter::try_new(&c).is_ok(), "{c}");
    }

    #[test]
    fn registered_secrets_are_masked_in_both_forms() {
        register_secret("s3cr\"et-pin");
        register_secret("12"); // too short to search for
        assert_eq!(
            redact("auth credentials=s3cr\"et-pin ok"),
            "auth credentials=*** ok"
        );
        assert_eq!(
            redact(r#"{"credentials":"s3cr\"et-pin"}"#),
            r#"{"credentials":"***"}"#
        );
        assert_eq!(redact("12:00:12"), "12:00:12");
    }

    #[test]
    fn writer_redacts_what_it_is_given() {
        register_secret("hunter2-password");
        let mut out = Vec::new();
        {
            let mut w = RedactingWriter {
                inner: &mut out,
                buf: Vec::new(),
            };
            w.write_all(b"login with hunter2-").unwrap();
            w.write_all(b"password\n").unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "login with ***\n");
    }
}
