//! The chat link: the link supervisor ([`crate::link::supervisor`]) running the chat bot
//! protocol of TrueConf Server (`chat/link.rs`, docs/chat-protocol.md). A cloneable
//! [`ChatHandle`] offers one async fn per method (from the table in `methods.rs`) plus file
//! upload and download ([`super::files`]); events, link status and raw frames arrive on a
//! channel.
//!
//! The link gets a token (given, cached or by OAuth), opens the socket offering `json.v1`,
//! sends `auth` first, numbers its requests per connection, matches responses by id in any
//! order with a timeout each, and acknowledges every server request the moment it is read,
//! before anything else happens to it. It reconnects with backoff and jitter; a request made
//! while the link is down waits for it (bounded by its timeout); a request in flight when the
//! link drops fails with [`ChatError::Dropped`], never silently re-sent.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, watch};

use super::auth::TokenCache;
use super::events::ChatEvent;
use super::link::{ChatLink, Watch};
use super::methods::{self, ChatMethod, FromPayload, ParamError};
use super::protocol::ServerError;
use super::types::UploadLimits;
use crate::config::Secret;
use crate::link::supervisor::{self, Link, LinkOptions};
use crate::link::{Backoff, LinkStatus, RequestFailure};

/// Where and as whom to reach TrueConf Server's chat API.
#[derive(Debug, Clone)]
pub struct ChatTarget {
    pub host: String,
    pub port: u16,
    /// wss/https through the Web Manager; plain ws/http to Bridge otherwise.
    pub tls: bool,
    pub ca_file: Option<PathBuf>,
    /// A certificate trusted by its SHA-256 fingerprint (src/tls.rs).
    pub pin_sha256: Option<crate::tls::Fingerprint>,
    /// Skip certificate checks (only when the configuration says so).
    pub insecure: bool,
    pub username: String,
    pub password: Option<Secret>,
    /// A token given by the user: no password needed.
    pub token: Option<Secret>,
    /// `tokenType` in auth: "JWT" as the vendor clients send (the vendor guide says "JWE";
    /// docs/chat-protocol.md, Choices C9).
    pub token_type: String,
    pub receive_unread: bool,
    pub receive_system: bool,
}

impl ChatTarget {
    /// A plain-http server on this machine (the simulator), as `user` with password `password`.
    pub fn loopback(port: u16, user: &str, password: &str) -> ChatTarget {
        ChatTarget {
            host: "127.0.0.1".into(),
            port,
            tls: false,
            ca_file: None,
            pin_sha256: None,
            insecure: false,
            username: user.into(),
            password: Some(Secret::new(password)),
            token: None,
            token_type: "JWT".into(),
            receive_unread: false,
            receive_system: false,
        }
    }

    /// The target of the `[chat]` section, with the secrets the config resolved.
    pub fn from_config(
        c: &crate::config::ChatConfig,
        password: Option<Secret>,
        token: Option<Secret>,
    ) -> ChatTarget {
        ChatTarget {
            host: c.server.to_string(),
            port: c.port(),
            tls: c.tls,
            ca_file: c.ca_file.clone(),
            pin_sha256: c.pin_sha256,
            insecure: c.insecure,
            username: c.username.clone(),
            password,
            token,
            token_type: c.token_type.clone(),
            receive_unread: false,
            receive_system: false,
        }
    }

    fn host_for_url(&self) -> String {
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }

    /// `http(s)://host:port`.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}:{}", self.host_for_url(), self.port)
    }

    pub fn ws_url(&self) -> String {
        let scheme = if self.tls { "wss" } else { "ws" };
        format!(
            "{scheme}://{}:{}/websocket/chat_bot/",
            self.host_for_url(),
            self.port
        )
    }

    /// The token cache key.
    pub fn cache_key(&self) -> String {
        format!("{}@{}:{}", self.username, self.host, self.port)
    }

    /// What the TLS client trusts for this target.
    pub fn trust(&self) -> crate::tls::Trust<'_> {
        crate::tls::Trust {
            ca_file: self.ca_file.as_deref(),
            pin: self.pin_sha256,
            insecure: self.insecure,
        }
    }

    /// An HTTP client for OAuth and files, with the socket's TLS configuration (`tls`, from
    /// [`crate::tls::client_config`]; None for plain http), so both trust the same
    /// certificates.
    pub fn http_client(
        &self,
        timeout: Duration,
        tls: Option<&rustls::ClientConfig>,
    ) -> Result<reqwest::Client, crate::tls::TlsError> {
        crate::tls::init();
        let mut b = reqwest::Client::builder()
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .no_proxy()
            .user_agent(concat!("trueconf-console/", env!("CARGO_PKG_VERSION")));
        if let Some(cfg) = tls {
            b = b.tls_backend_preconfigured(cfg.clone());
        }
        b.build()
            .map_err(|e| crate::tls::TlsError::HttpClient(e.to_string()))
    }
}

#[derive(Debug, Clone)]
pub struct ChatLinkOptions {
    pub backoff: Backoff,
    /// How long a request may wait for its response (including waiting for the link).
    pub request_timeout: Duration,
    /// Token, connect and auth, each.
    pub connect_timeout: Duration,
    /// A server silent this long (not even answering a ping) is gone: the link reconnects.
    /// Pinged after a third of it, which also keeps middleboxes from cutting an idle link.
    pub liveness: Duration,
    /// Emit every frame in and out as [`ChatLinkEvent::Frame`] (tokens masked).
    pub frames: bool,
    /// Where tokens are cached; None: never cached.
    pub token_cache: Option<TokenCache>,
    /// The bound on events handed on and not yet taken (see `link::LinkOptions::backlog`):
    /// the reader of the events says what it takes. None: no bound.
    pub backlog: Option<Arc<crate::backlog::Backlog>>,
}

impl ChatLinkOptions {
    /// The reconnect and timeout settings of the `[chat]` section.
    pub fn from_config(c: &crate::config::ChatConfig) -> ChatLinkOptions {
        let d = ChatLinkOptions::default();
        ChatLinkOptions {
            backoff: Backoff {
                initial: d.backoff.initial,
                max: Duration::from_secs(c.reconnect_max_delay.max(1)),
                max_retries: (c.reconnect_max_retries > 0).then_some(c.reconnect_max_retries),
            },
            request_timeout: Duration::from_secs(c.request_timeout.max(1)),
            liveness: Duration::from_secs(c.liveness),
            ..d
        }
    }
}

impl Default for ChatLinkOptions {
    fn default() -> Self {
        ChatLinkOptions {
            backoff: Backoff {
                initial: Duration::from_secs(1),
                max: Duration::from_secs(60),
                max_retries: None,
            },
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            liveness: Duration::from_secs(crate::config::DEFAULT_LIVENESS),
            frames: false,
            token_cache: None,
            backlog: None,
        }
    }
}

/// Who the session is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatSession {
    /// `userId` as sent (`login@server/instance`).
    pub user_id: String,
    /// `userId` up to the first `/`: compare with `author.id`.
    pub me: String,
    pub connection_id: Option<String>,
}

/// A file moving: `done` of `total` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The local path.
    pub path: PathBuf,
    pub upload: bool,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChatLinkEvent {
    Status(LinkStatus),
    Session(ChatSession),
    Event(ChatEvent),
    Transfer(Transfer),
    /// A raw frame; `outgoing` for what we sent. Tokens are masked.
    Frame {
        outgoing: bool,
        text: String,
        /// When it crossed the socket (Unix milliseconds).
        at_ms: u64,
    },
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChatError {
    /// The server answered with an `errorCode`.
    #[error("{error}")]
    Server { method: String, error: ServerError },
    #[error("`{method}`: the server's answer cannot be read: {problem}")]
    BadReply {
        method: String,
        problem: methods::ReplyError,
    },
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Params(Vec<ParamError>),
    #[error("no answer to `{method}` within {secs} s")]
    Timeout { method: String, secs: u64 },
    #[error(
        "the link to the server dropped before `{0}` was answered; it may or may not have been carried out"
    )]
    Dropped(String),
    #[error("the server is not reachable ({reason}); `{method}` was not sent")]
    LinkDown { method: String, reason: String },
    /// Refused here, before anything was sent (upload limits, a missing file, …).
    #[error("{0}")]
    Local(String),
    #[error("{0}")]
    Http(String),
    #[error("the chat link has stopped")]
    Stopped,
}

impl ChatError {
    /// The server's code, when the server refused.
    pub fn code(&self) -> Option<u32> {
        match self {
            ChatError::Server { error, .. } => Some(error.code),
            _ => None,
        }
    }
}

impl From<RequestFailure> for ChatError {
    fn from(f: RequestFailure) -> ChatError {
        match f {
            RequestFailure::Timeout { method, secs } => ChatError::Timeout { method, secs },
            RequestFailure::Dropped(method) => ChatError::Dropped(method),
            RequestFailure::LinkDown { method, reason } => ChatError::LinkDown { method, reason },
            RequestFailure::Stopped => ChatError::Stopped,
        }
    }
}

/// What the UI, the CLI and the tests hold.
#[derive(Clone)]
pub struct ChatHandle {
    link: Link<ChatLink>,
    session: watch::Receiver<Option<ChatSession>>,
    limits: watch::Receiver<Option<UploadLimits>>,
    events: mpsc::UnboundedSender<ChatLinkEvent>,
    pub(super) target: Arc<ChatTarget>,
    pub(super) http: reqwest::Client,
}

impl std::fmt::Debug for ChatHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatHandle")
            .field("status", &self.link.status())
            .finish()
    }
}

/// Starts the link. Events arrive on the returned receiver; dropping every handle stops it.
/// Fails only when the TLS settings cannot be used (a bad `ca_file`).
pub fn spawn(
    target: ChatTarget,
    opts: ChatLinkOptions,
) -> Result<(ChatHandle, mpsc::UnboundedReceiver<ChatLinkEvent>), crate::tls::TlsError> {
    for s in [&target.password, &target.token].into_iter().flatten() {
        // A password that is the account's own name hides nothing (see `is_own_name`).
        if !crate::logging::is_own_name(s.expose(), &target.username) {
            crate::logging::register_secret(s.expose());
        }
    }
    let (tls, refused) = if target.tls {
        let (cfg, refused) = crate::tls::client_config(&target.trust())?;
        (Some(cfg), Some(refused))
    } else {
        (None, None)
    };
    let http = target.http_client(opts.connect_timeout, tls.as_deref())?;
    let (ev_tx, ev_rx) = mpsc::unbounded_channel();
    let (session_tx, session) = watch::channel(None);
    let (limits_tx, limits) = watch::channel(None);
    let target = Arc::new(target);
    let link_opts = LinkOptions {
        backoff: opts.backoff,
        request_timeout: opts.request_timeout,
        connect_timeout: opts.connect_timeout,
        frames: opts.frames,
        liveness: Some(opts.liveness),
        backlog: opts.backlog.clone(),
    };
    let proto = ChatLink {
        target: target.clone(),
        opts,
        tls,
        refused,
        http: http.clone(),
        session: session_tx,
        limits: limits_tx,
        watchers: HashMap::new(),
        stale_token: false,
        from_cache: false,
    };
    let link = supervisor::spawn(proto, link_opts, ev_tx.clone());
    let handle = ChatHandle {
        link,
        session,
        limits,
        events: ev_tx,
        target,
        http,
    };
    Ok((handle, ev_rx))
}

impl ChatHandle {
    /// Sends a typed request and reads its typed reply.
    pub async fn call<M: ChatMethod>(&self, m: &M) -> Result<M::Reply, ChatError> {
        let payload = m.payload();
        if let Some(spec) = methods::method(M::NAME) {
            let problems = spec.validate(&payload);
            if !problems.is_empty() {
                return Err(ChatError::Params(problems));
            }
        }
        let v = self.raw(M::NAME, Some(Value::Object(payload))).await?;
        M::Reply::from_payload(&v).map_err(|problem| ChatError::BadReply {
            method: M::NAME.into(),
            problem,
        })
    }

    /// Sends any method with any payload; a known method's payload is checked first. The
    /// success payload comes back as sent (`{}` when the server sent none).
    pub async fn request(&self, method: &str, payload: Value) -> Result<Value, ChatError> {
        if let (Some(spec), Some(o)) = (methods::method(method), payload.as_object()) {
            let problems = spec.validate(o);
            if !problems.is_empty() {
                return Err(ChatError::Params(problems));
            }
        }
        self.raw(method, Some(payload)).await
    }

    async fn raw(&self, method: &str, payload: Option<Value>) -> Result<Value, ChatError> {
        self.link.call(method, payload).await
    }

    pub fn status(&self) -> LinkStatus {
        self.link.status()
    }

    /// The session, waiting for one (after a drop, the next login) up to `timeout`.
    pub async fn wait_session(&self, timeout: Duration) -> Option<ChatSession> {
        let mut rx = self.session.clone();
        match tokio::time::timeout(timeout, rx.wait_for(Option::is_some)).await {
            Ok(Ok(s)) => s.clone(),
            _ => None,
        }
    }

    pub fn session(&self) -> Option<ChatSession> {
        self.session.borrow().clone()
    }

    /// The upload limits the server pushed or answered, once known.
    pub fn limits(&self) -> Option<UploadLimits> {
        self.limits.borrow().clone()
    }

    pub fn target(&self) -> &ChatTarget {
        &self.target
    }

    /// Waits until the link status satisfies `f`, up to `timeout`.
    pub async fn wait_status(
        &self,
        timeout: Duration,
        f: impl Fn(&LinkStatus) -> bool,
    ) -> Result<LinkStatus, LinkStatus> {
        self.link.wait_status(timeout, f).await
    }

    /// Progress events of a file (bytes so far), from now until the receiver is dropped.
    pub async fn watch_progress(&self, file_id: &str) -> mpsc::UnboundedReceiver<u64> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.link
            .command(Watch {
                file_id: file_id.to_string(),
                tx,
            })
            .await;
        rx
    }

    /// How long a request may wait for its answer.
    pub fn request_timeout(&self) -> Duration {
        self.link.request_timeout()
    }

    pub(super) fn progress(&self, path: &Path, upload: bool, done: u64, total: u64) {
        let _ = self.events.send(ChatLinkEvent::Transfer(Transfer {
            path: path.to_path_buf(),
            upload,
            done,
            total,
        }));
    }
}

pub use super::files::rewrite_host;

/// A frame with tokens and passwords replaced by `***`, for the inspector.
pub fn mask_frame(text: &str) -> String {
    static KEYS: std::sync::LazyLock<crate::link::SecretKeys> = std::sync::LazyLock::new(|| {
        crate::link::SecretKeys::new(&["token", "access_token", "password"])
    });
    crate::link::mask_fields(text, &KEYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_for_the_inspector_hide_tokens() {
        let m = mask_frame(
            r#"{"type":1,"id":1,"method":"auth","payload":{"token":"eyJ.secret.sig","tokenType":"JWT"}}"#,
        );
        assert!(!m.contains("eyJ.secret.sig") && m.contains("***"), "{m}");
    }

    /// Wherever a secret's field is (deeper than the payload, at the top, in an array), as a
    /// string or a number, and with its name written with escapes: masked.
    #[test]
    fn secrets_are_masked_at_any_depth_and_however_the_name_is_written() {
        for frame in [
            r#"{"type":1,"id":2,"method":"x","payload":{"data":{"token":"LEAK-A"}}}"#,
            r#"{"type":1,"id":2,"password":"LEAK-B","payload":{}}"#,
            r#"{"type":1,"id":2,"payload":{"list":[{"access_token":"LEAK-C"}]}}"#,
            r#"{"type":1,"id":2,"payload":{"password":987654321}}"#,
            r#"{"type":1,"id":2,"payload":{"password":"LEAK-F"}}"#,
        ] {
            let m = mask_frame(frame);
            assert!(!m.contains("LEAK") && !m.contains("987654321"), "{m}");
            assert!(m.contains("***"), "{m}");
        }
        // A flag that names no secret is left as it is; so is a frame without secrets.
        let m = mask_frame(r#"{"payload":{"encryptPassword":false,"text":"hi"}}"#);
        assert!(m.contains("false") && !m.contains("***"), "{m}");
        let plain = r#"{"method":"sendMessage","payload":{"text":"café"}}"#;
        assert_eq!(mask_frame(plain), plain);
    }
}
