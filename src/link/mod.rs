//! What the Room link and the chat link share: the link status the UI shows, reconnect
//! backoff with jitter ([`backoff`]), and the one supervisor that runs either link
//! ([`supervisor`]): connect and reconnect, status, request/response correlation with timeouts
//! ([`pending`]), requests queued while the link is down, and the frame tap for the traffic
//! inspector. A link is that supervisor plus a [`Protocol`] (`room::link`, `chat::link`).

pub mod backoff;
pub mod error;
pub mod pending;
mod session;
pub mod supervisor;
#[cfg(test)]
mod supervisor_tests;

pub use backoff::Backoff;
pub use error::{Down, LinkError, RequestFailure};
pub use supervisor::{Ctx, Inbound, Link, LinkOptions, Opened, Protocol, Ws};

/// Wall-clock Unix milliseconds, for stamping frames.
/// Frames the console keeps for its traffic inspector (the newest): in a session a link
/// reports no more than this many of those it held back (`supervisor::Supervisor::tap_later`).
pub const FRAMES_KEPT: usize = 300;

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A link's state as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkStatus {
    /// Nothing configured for this link.
    NotConfigured,
    /// Configured, but no connection has been made.
    Offline,
    Connecting,
    /// The socket is open; authentication is under way.
    Connected,
    /// Authenticated: requests flow.
    Authorized,
    /// Authenticated, but nothing has come from the peer for `secs` seconds, not even an
    /// answer to a ping: not online. The link reconnects if the silence goes on.
    Unresponsive {
        secs: u64,
    },
    Disconnected {
        reason: String,
    },
    /// Waiting to reconnect; `reason` is why the last attempt failed, so it stays visible.
    Retrying {
        in_secs: u64,
        reason: String,
    },
}

impl LinkStatus {
    pub fn label(&self) -> String {
        match self {
            LinkStatus::NotConfigured => "not configured".into(),
            LinkStatus::Offline => "not connected".into(),
            LinkStatus::Connecting => "connecting…".into(),
            LinkStatus::Connected => "authenticating…".into(),
            LinkStatus::Authorized => "online".into(),
            LinkStatus::Unresponsive { secs } => format!("not answering (silent for {secs} s)"),
            LinkStatus::Disconnected { reason } => {
                format!("disconnected: {}", crate::sanitize::line(reason))
            }
            LinkStatus::Retrying { in_secs, reason } => {
                format!("{}; retrying in {in_secs} s", crate::sanitize::line(reason))
            }
        }
    }

    /// A few characters, for the status bar when space is short.
    pub fn short_label(&self) -> String {
        match self {
            LinkStatus::NotConfigured => "none".into(),
            LinkStatus::Offline => "off".into(),
            LinkStatus::Connecting => "…".into(),
            LinkStatus::Connected => "auth…".into(),
            LinkStatus::Authorized => "on".into(),
            LinkStatus::Unresponsive { .. } => "silent".into(),
            LinkStatus::Disconnected { .. } => "down".into(),
            LinkStatus::Retrying { in_secs, .. } => format!("retry {in_secs}s"),
        }
    }

    pub fn is_up(&self) -> bool {
        matches!(self, LinkStatus::Authorized)
    }
}

/// The names of the fields [`mask_fields`] masks, each with its searcher for `"name"` made
/// once (every frame is searched: one SIMD pass per name beats a look at every quote).
pub struct SecretKeys {
    keys: &'static [&'static str],
    finders: Vec<memchr::memmem::Finder<'static>>,
}

impl SecretKeys {
    pub fn new(keys: &'static [&'static str]) -> SecretKeys {
        let finders = keys
            .iter()
            .map(|k| memchr::memmem::Finder::new(format!("\"{k}\"").as_bytes()).into_owned())
            .collect();
        SecretKeys { keys, finders }
    }

    /// Whether `text` holds any of the names as `"name"`.
    fn named_in(&self, text: &str) -> bool {
        self.finders
            .iter()
            .any(|f| f.find(text.as_bytes()).is_some())
    }
}

/// Whether `text` holds `"key"`.
#[cfg(test)]
fn names_key(text: &str, key: &'static str) -> bool {
    SecretKeys::new(Box::leak(Box::new([key]))).named_in(text)
}

/// A JSON frame with the values of `keys` replaced by `***`, for the inspector and the log:
/// at any depth (in objects within objects or arrays), strings and numbers alike; then, as
/// every frame, the log's redaction of the registered secrets. A frame that is not JSON gets
/// that redaction only.
pub fn mask_fields(text: &str, keys: &SecretKeys) -> String {
    // Most frames (every pushed message) name none of the keys: no need to read them as JSON.
    // A key written with escapes (`"pass\u0077ord"`) is not found by that look, so a frame
    // with any `\u` escape is read as JSON too.
    if !keys.named_in(text) && memchr::memmem::find(text.as_bytes(), b"\\u").is_none() {
        return crate::logging::redact(text).into_owned();
    }
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(text) else {
        return crate::logging::redact(text).into_owned();
    };
    if mask_value(&mut v, keys.keys) {
        crate::logging::redact(&v.to_string()).into_owned()
    } else {
        crate::logging::redact(text).into_owned()
    }
}

/// Masks the values of `keys` in `v`, at any depth; whether anything was masked.
fn mask_value(v: &mut serde_json::Value, keys: &[&str]) -> bool {
    use serde_json::Value;
    let mut changed = false;
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if keys.contains(&k.as_str()) && (x.is_string() || x.is_number()) {
                    *x = Value::String("***".into());
                    changed = true;
                } else {
                    changed |= mask_value(x, keys);
                }
            }
        }
        Value::Array(a) => {
            for x in a {
                changed |= mask_value(x, keys);
            }
        }
        _ => {}
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_found_only_as_a_whole_quoted_name() {
        assert!(names_key(r#"{"a":1,"token":"x"}"#, "token"));
        assert!(names_key(r#"{"tokens":1,"token":"x"}"#, "token"));
        assert!(!names_key(r#"{"tokens":1}"#, "token"));
        assert!(!names_key(r#"{"accesstoken":1}"#, "token"));
        assert!(!names_key("token", "token"));
        assert!(!names_key(r#""token"#, "token"));
    }

    #[test]
    fn a_retry_keeps_the_reason_visible() {
        let s = LinkStatus::Retrying {
            in_secs: 4,
            reason: "authentication failed: wrong PIN".into(),
        };
        assert_eq!(
            s.label(),
            "authentication failed: wrong PIN; retrying in 4 s"
        );
        assert_eq!(s.short_label(), "retry 4s");
    }
}
