//! The chat link: one task owns the WebSocket to TrueConf Server's chat bot API. A cloneable
//! [`ChatHandle`] offers one async fn per method (from the table in `methods.rs`) plus file
//! upload and download; events, link status and raw frames arrive on a channel.
//!
//! The actor gets a token (given, cached or by OAuth), opens the socket offering `json.v1`,
//! sends `auth` first, numbers its requests 1, 2, 3 … per connection, matches responses by id
//! in any order with a timeout each, and acknowledges every server request the moment it is
//! read, before anything else happens to it. It reconnects with backoff and jitter; a request
//! made while the link is down waits for it (bounded by its timeout); a request in flight when
//! the link drops fails with [`ChatError::Dropped`], never silently re-sent.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value};
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::auth::{self, AuthError, Token, TokenCache};
use super::events::ChatEvent;
use super::methods::{self, ChatMethod, FromPayload, ParamError};
use super::protocol::{Frame, ServerError};
use super::types::{FileInfo, ReadyState, UploadLimits};
use crate::config::Secret;
use crate::link::{Backoff, LinkStatus};

/// Where and as whom to reach TrueConf Server's chat API.
#[derive(Debug, Clone)]
pub struct ChatTarget {
    pub host: String,
    pub port: u16,
    /// wss/https through the Web Manager; plain ws/http to Bridge otherwise.
    pub tls: bool,
    pub ca_file: Option<PathBuf>,
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

    /// An HTTP client for OAuth and files, with the same TLS rules as the socket.
    pub fn http_client(&self, timeout: Duration) -> Result<reqwest::Client, String> {
        crate::tls::init();
        let mut b = reqwest::Client::builder()
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .no_proxy()
            .user_agent(concat!("trueconf-console/", env!("CARGO_PKG_VERSION")));
        if self.tls {
            let cfg = crate::tls::client_config(self.ca_file.as_deref(), self.insecure)?;
            b = b.tls_backend_preconfigured((*cfg).clone());
        }
        b.build().map_err(|e| format!("HTTP client: {e}"))
    }
}

#[derive(Debug, Clone)]
pub struct ChatLinkOptions {
    pub backoff: Backoff,
    /// How long a request may wait for its response (including waiting for the link).
    pub request_timeout: Duration,
    /// Token, connect and auth, each.
    pub connect_timeout: Duration,
    /// WebSocket pings to keep middleboxes from cutting an idle link.
    pub ping_interval: Duration,
    /// Emit every frame in and out as [`ChatLinkEvent::Frame`] (tokens masked).
    pub frames: bool,
    /// Where tokens are cached; None: never cached.
    pub token_cache: Option<TokenCache>,
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
            ping_interval: Duration::from_secs(20),
            frames: false,
            token_cache: None,
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
    BadReply { method: String, problem: String },
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

enum Command {
    Request {
        method: String,
        payload: Option<Value>,
        reply: oneshot::Sender<Result<Value, ChatError>>,
        deadline: Instant,
    },
    /// Sends progress events of a file to `tx` until it is dropped.
    Watch {
        file_id: String,
        tx: mpsc::UnboundedSender<u64>,
    },
}

struct Queued {
    method: String,
    payload: Option<Value>,
    reply: Option<oneshot::Sender<Result<Value, ChatError>>>,
    deadline: Instant,
}

struct Pending {
    method: String,
    reply: Option<oneshot::Sender<Result<Value, ChatError>>>,
    deadline: Instant,
}

/// What the UI, the CLI and the tests hold.
#[derive(Clone)]
pub struct ChatHandle {
    tx: mpsc::Sender<Command>,
    status: watch::Receiver<LinkStatus>,
    session: watch::Receiver<Option<ChatSession>>,
    limits: watch::Receiver<Option<UploadLimits>>,
    events: mpsc::UnboundedSender<ChatLinkEvent>,
    target: Arc<ChatTarget>,
    http: reqwest::Client,
    request_timeout: Duration,
}

impl std::fmt::Debug for ChatHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatHandle")
            .field("status", &*self.status.borrow())
            .finish()
    }
}

/// Starts the link. Events arrive on the returned receiver; dropping every handle stops it.
/// Fails only when the TLS settings cannot be used (a bad `ca_file`).
pub fn spawn(
    target: ChatTarget,
    opts: ChatLinkOptions,
) -> Result<(ChatHandle, mpsc::UnboundedReceiver<ChatLinkEvent>), String> {
    for s in [&target.password, &target.token].into_iter().flatten() {
        crate::logging::register_secret(s.expose());
    }
    let http = target.http_client(opts.connect_timeout)?;
    let tls = if target.tls {
        Some(crate::tls::client_config(
            target.ca_file.as_deref(),
            target.insecure,
        )?)
    } else {
        None
    };
    let (tx, rx) = mpsc::channel(256);
    let (ev_tx, ev_rx) = mpsc::unbounded_channel();
    let (status_tx, status) = watch::channel(LinkStatus::Offline);
    let (session_tx, session) = watch::channel(None);
    let (limits_tx, limits) = watch::channel(None);
    let target = Arc::new(target);
    let handle = ChatHandle {
        tx,
        status,
        session,
        limits,
        events: ev_tx.clone(),
        target: target.clone(),
        http: http.clone(),
        request_timeout: opts.request_timeout,
    };
    let actor = Actor {
        target,
        opts,
        tls,
        http,
        rx,
        events: ev_tx,
        status: status_tx,
        session: session_tx,
        limits: limits_tx,
        waiting: VecDeque::new(),
        watchers: HashMap::new(),
        stale_token: false,
    };
    tokio::spawn(actor.run());
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
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Request {
                method: method.to_string(),
                payload,
                reply,
                deadline: Instant::now() + self.request_timeout,
            })
            .await
            .map_err(|_| ChatError::Stopped)?;
        rx.await.unwrap_or(Err(ChatError::Stopped))
    }

    pub fn status(&self) -> LinkStatus {
        self.status.borrow().clone()
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
        let mut rx = self.status.clone();
        match tokio::time::timeout(timeout, rx.wait_for(|s| f(s))).await {
            Ok(Ok(s)) => Ok(s.clone()),
            _ => Err(self.status()),
        }
    }

    /// Progress events of a file (bytes so far), from now until the receiver is dropped.
    pub async fn watch_progress(&self, file_id: &str) -> mpsc::UnboundedReceiver<u64> {
        let (tx, rx) = mpsc::unbounded_channel();
        let _ = self
            .tx
            .send(Command::Watch {
                file_id: file_id.to_string(),
                tx,
            })
            .await;
        rx
    }

    fn progress(&self, path: &Path, upload: bool, done: u64, total: u64) {
        let _ = self.events.send(ChatLinkEvent::Transfer(Transfer {
            path: path.to_path_buf(),
            upload,
            done,
            total,
        }));
    }

    /// Sends a file: checks the upload limits, `uploadFile`, the HTTP upload (with progress
    /// events), then `sendFile`. A failed upload fails the whole send; nothing is posted.
    pub async fn send_file_from_path(
        &self,
        chat_id: &str,
        path: &Path,
        caption: Option<(String, String)>,
        reply_to: Option<String>,
    ) -> Result<methods::Posted, ChatError> {
        let meta = tokio::fs::metadata(path)
            .await
            .map_err(|e| ChatError::Local(format!("cannot read {}: {e}", path.display())))?;
        if !meta.is_file() {
            return Err(ChatError::Local(format!(
                "{} is not a file",
                path.display()
            )));
        }
        let size = meta.len();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        let limits = match self.limits() {
            Some(l) => Some(l),
            None => self
                .get_file_upload_limits(methods::GetFileUploadLimits {})
                .await
                .ok(),
        };
        if let Some(why) = limits.and_then(|l| l.refuse(&name, size)) {
            return Err(ChatError::Local(why));
        }
        let mime = mime_guess::from_path(path)
            .first_or_octet_stream()
            .essence_str()
            .to_string();
        let task = self
            .upload_file(methods::UploadFile {
                file_size: size,
                file_name: Some(name.clone()),
                mime_type: Some(mime.clone()),
            })
            .await?;
        let temporal = self
            .http_upload(&task.upload_task_id, path, &name, &mime, size)
            .await?;
        let mut content = Map::new();
        content.insert("temporalFileId".into(), Value::String(temporal));
        if let Some((text, mode)) = caption {
            content.insert("caption".into(), methods::text_content(&text, &mode));
        }
        self.send_file(methods::SendFile {
            chat_id: chat_id.to_string(),
            reply_message_id: reply_to,
            content: Value::Object(content),
        })
        .await
    }

    /// POST /bridge/api/client/v1/files with `Upload-Task-Id`; returns the temporalFileId.
    async fn http_upload(
        &self,
        task: &str,
        path: &Path,
        name: &str,
        mime: &str,
        size: u64,
    ) -> Result<String, ChatError> {
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| ChatError::Local(format!("cannot open {}: {e}", path.display())))?;
        let me = self.clone();
        let owned = path.to_path_buf();
        let mut sent = 0u64;
        let mut last_report = 0u64;
        let step = (size / 100).max(64 * 1024);
        let stream = tokio_util_reader(file).map(move |chunk| {
            if let Ok(b) = &chunk {
                sent += b.len() as u64;
                if sent - last_report >= step || sent == size {
                    last_report = sent;
                    me.progress(&owned, true, sent, size);
                }
            }
            chunk
        });
        let part =
            reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), size)
                .file_name(name.to_string())
                .mime_str(mime)
                .map_err(|e| ChatError::Local(format!("MIME type {mime}: {e}")))?;
        let form = reqwest::multipart::Form::new().part("file", part);
        let url = format!("{}/bridge/api/client/v1/files", self.target.base_url());
        self.progress(path, true, 0, size);
        let resp = self
            .http
            .post(&url)
            .header("Upload-Task-Id", task)
            .multipart(form)
            .send()
            .await
            .map_err(|e| ChatError::Http(format!("upload to {url}: {}", auth::error_chain(&e))))?;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let code = body.get("error").map(|e| e.to_string()).unwrap_or_default();
            let desc = body
                .get("error_description")
                .and_then(Value::as_str)
                .map(crate::sanitize::line)
                .unwrap_or_default();
            return Err(ChatError::Http(format!(
                "upload refused: HTTP {status}{}{}",
                if code.is_empty() {
                    String::new()
                } else {
                    format!(", error {code}")
                },
                if desc.is_empty() {
                    String::new()
                } else {
                    format!(": {desc}")
                }
            )));
        }
        body.get("temporalFileId")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .ok_or_else(|| ChatError::Http("the upload answer has no temporalFileId".into()))
    }

    /// Downloads a file to `dest` (streamed through `dest.part`, renamed when complete). Waits
    /// for a file that is still uploading: progress events, then READY.
    pub async fn download_to(&self, file_id: &str, dest: &Path) -> Result<FileInfo, ChatError> {
        let get = || {
            self.get_file_info(methods::GetFileInfo {
                file_id: file_id.to_string(),
            })
        };
        let mut info = get().await?;
        if info.ready_state == ReadyState::NotAvailable {
            return Err(ChatError::Local(format!(
                "{} is no longer available on the server",
                crate::sanitize::line(&info.name)
            )));
        }
        if info.ready_state == ReadyState::Uploading {
            // Register before subscribing: the final event may precede the answer.
            let mut rx = self.watch_progress(file_id).await;
            self.subscribe_file_progress(methods::SubscribeFileProgress {
                file_id: file_id.to_string(),
            })
            .await?;
            loop {
                match tokio::time::timeout(self.request_timeout, rx.recv()).await {
                    Ok(Some(p)) => {
                        self.progress(dest, false, 0, info.size);
                        if p >= info.size {
                            break;
                        }
                    }
                    Ok(None) => return Err(ChatError::Stopped),
                    Err(_) => {
                        return Err(ChatError::Local(format!(
                            "{} stopped uploading to the server",
                            crate::sanitize::line(&info.name)
                        )));
                    }
                }
            }
            let _ = self
                .unsubscribe_file_progress(methods::UnsubscribeFileProgress {
                    file_id: file_id.to_string(),
                })
                .await;
            // READY can lag the last progress event by a few hundred ms.
            for _ in 0..20 {
                info = get().await?;
                if info.ready_state == ReadyState::Ready {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        let url = info.download_url.clone().ok_or_else(|| {
            ChatError::Local(format!(
                "{} has no download address yet",
                crate::sanitize::line(&info.name)
            ))
        })?;
        let url = rewrite_host(&url, &self.target.base_url());
        let resp =
            self.http.get(&url).send().await.map_err(|e| {
                ChatError::Http(format!("download {url}: {}", auth::error_chain(&e)))
            })?;
        if !resp.status().is_success() {
            return Err(ChatError::Http(format!(
                "download {url}: HTTP {}",
                resp.status()
            )));
        }
        let part = dest.with_extension(match dest.extension() {
            Some(e) => format!("{}.part", e.to_string_lossy()),
            None => "part".into(),
        });
        let mut file = tokio::fs::File::create(&part)
            .await
            .map_err(|e| ChatError::Local(format!("cannot write {}: {e}", part.display())))?;
        let total = info.size;
        let mut done = 0u64;
        let mut last = 0u64;
        let step = (total / 100).max(64 * 1024);
        self.progress(dest, false, 0, total);
        let mut body = resp.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    let _ = tokio::fs::remove_file(&part).await;
                    return Err(ChatError::Http(format!("download {url}: {e}")));
                }
            };
            if let Err(e) = file.write_all(&chunk).await {
                let _ = tokio::fs::remove_file(&part).await;
                return Err(ChatError::Local(format!(
                    "cannot write {}: {e}",
                    part.display()
                )));
            }
            done += chunk.len() as u64;
            if done - last >= step {
                last = done;
                self.progress(dest, false, done, total);
            }
        }
        file.flush()
            .await
            .map_err(|e| ChatError::Local(format!("cannot write {}: {e}", part.display())))?;
        drop(file);
        if done != total {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(ChatError::Http(format!(
                "download {url}: got {done} bytes of {total}"
            )));
        }
        tokio::fs::rename(&part, dest)
            .await
            .map_err(|e| ChatError::Local(format!("cannot write {}: {e}", dest.display())))?;
        self.progress(dest, false, done, total);
        Ok(info)
    }
}

/// A file as a stream of byte chunks.
fn tokio_util_reader(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static {
    futures_util::stream::unfold(file, |mut f| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(bytes::Bytes::from(buf)), f))
            }
            Err(e) => Some((Err(e), f)),
        }
    })
}

/// Puts our scheme, host and port on a URL the server built (it may name an internal address).
pub fn rewrite_host(url: &str, base: &str) -> String {
    match url.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(i) => format!("{base}{}", &rest[i..]),
            None => base.to_string(),
        },
        None if url.starts_with('/') => format!("{base}{url}"),
        None => url.to_string(),
    }
}

/// A frame with tokens and passwords replaced by `***`, for the inspector.
pub fn mask_frame(text: &str) -> String {
    let Ok(Value::Object(mut o)) = serde_json::from_str::<Value>(text) else {
        return crate::logging::redact(text).into_owned();
    };
    let mut changed = false;
    if let Some(Value::Object(p)) = o.get_mut("payload") {
        for key in ["token", "access_token", "password"] {
            if let Some(v) = p.get_mut(key)
                && v.is_string()
            {
                *v = Value::String("***".into());
                changed = true;
            }
        }
    }
    if changed {
        Value::Object(o).to_string()
    } else {
        crate::logging::redact(text).into_owned()
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Why a connection attempt or a session ended.
struct Down {
    reason: String,
    /// Retrying will not help until the configuration changes.
    terminal: bool,
    /// The auth error code, when auth was refused.
    code: Option<u32>,
}

impl From<String> for Down {
    fn from(reason: String) -> Down {
        Down {
            reason,
            terminal: false,
            code: None,
        }
    }
}

struct Actor {
    target: Arc<ChatTarget>,
    opts: ChatLinkOptions,
    tls: Option<Arc<rustls::ClientConfig>>,
    http: reqwest::Client,
    rx: mpsc::Receiver<Command>,
    events: mpsc::UnboundedSender<ChatLinkEvent>,
    status: watch::Sender<LinkStatus>,
    session: watch::Sender<Option<ChatSession>>,
    limits: watch::Sender<Option<UploadLimits>>,
    waiting: VecDeque<Queued>,
    watchers: HashMap<String, Vec<mpsc::UnboundedSender<u64>>>,
    /// The server said the token expired: get a new one before the next auth.
    stale_token: bool,
}

impl Actor {
    fn emit(&self, e: ChatLinkEvent) {
        let _ = self.events.send(e);
    }

    fn set_status(&self, s: LinkStatus) {
        if *self.status.borrow() != s {
            self.status.send_replace(s.clone());
            self.emit(ChatLinkEvent::Status(s));
        }
    }

    fn frame(&self, outgoing: bool, text: &str) {
        if self.opts.frames {
            self.emit(ChatLinkEvent::Frame {
                outgoing,
                text: mask_frame(text),
                at_ms: crate::link::now_ms(),
            });
        }
    }

    /// Takes a command while no session runs.
    fn take(&mut self, cmd: Command) {
        match cmd {
            Command::Request {
                method,
                payload,
                reply,
                deadline,
            } => self.waiting.push_back(Queued {
                method,
                payload,
                reply: Some(reply),
                deadline,
            }),
            Command::Watch { file_id, tx } => self.watchers.entry(file_id).or_default().push(tx),
        }
    }

    fn expire_waiting(&mut self, reason: &str) {
        let now = Instant::now();
        let (overdue, keep): (VecDeque<_>, VecDeque<_>) =
            self.waiting.drain(..).partition(|q| q.deadline <= now);
        self.waiting = keep;
        for q in overdue {
            if let Some(r) = q.reply {
                let _ = r.send(Err(ChatError::LinkDown {
                    method: q.method,
                    reason: reason.to_string(),
                }));
            }
        }
    }

    /// Runs a future while still taking commands (queued for the session).
    async fn while_taking<T>(
        &mut self,
        fut: impl std::future::Future<Output = T>,
        reason: &str,
    ) -> Option<T> {
        tokio::pin!(fut);
        loop {
            let deadline = self.waiting.iter().map(|w| w.deadline).min();
            tokio::select! {
                r = &mut fut => return Some(r),
                cmd = self.rx.recv() => match cmd {
                    Some(c) => self.take(c),
                    None => return None,
                },
                _ = sleep_until(deadline) => self.expire_waiting(reason),
            }
        }
    }

    async fn run(mut self) {
        let mut attempt = 0u32;
        loop {
            self.set_status(LinkStatus::Connecting);
            let Some(result) = self.while_taking(self.clone_connect(), "connecting").await else {
                return;
            };
            let down = match result {
                Ok((ws, token, from_cache)) => match self.authenticate(ws, &token).await {
                    Ok(ws) => {
                        attempt = 0;
                        match self.session(ws).await {
                            Some(d) => d,
                            None => return,
                        }
                    }
                    Err(d) => {
                        if from_cache && matches!(d.code, Some(201 | 203)) {
                            // A cached token the server no longer takes: forget it and retry
                            // at once with a fresh one.
                            self.forget_token();
                            self.stale_token = true;
                            if self.target.password.is_some() {
                                continue;
                            }
                        }
                        d
                    }
                },
                Err(d) => d,
            };
            self.session.send_replace(None);
            tracing::info!(target: "trueconf_console::chat", "chat link down: {}", down.reason);
            self.set_status(LinkStatus::Disconnected {
                reason: down.reason.clone(),
            });
            let delay = if down.terminal {
                None
            } else {
                self.opts.backoff.delay(attempt)
            };
            let Some(delay) = delay else {
                self.give_up(&down.reason).await;
                return;
            };
            attempt = attempt.saturating_add(1);
            self.set_status(LinkStatus::Retrying {
                in_secs: delay.as_secs_f64().ceil() as u64,
                reason: down.reason.clone(),
            });
            let wake = tokio::time::sleep(delay);
            if self.while_taking(wake, &down.reason).await.is_none() {
                return;
            }
        }
    }

    /// No more attempts: everything waiting fails with the reason, and so does everything
    /// asked from now on, until every handle is gone.
    async fn give_up(&mut self, reason: &str) {
        for q in self.waiting.drain(..) {
            if let Some(r) = q.reply {
                let _ = r.send(Err(ChatError::LinkDown {
                    method: q.method,
                    reason: reason.to_string(),
                }));
            }
        }
        while let Some(cmd) = self.rx.recv().await {
            if let Command::Request { method, reply, .. } = cmd {
                let _ = reply.send(Err(ChatError::LinkDown {
                    method,
                    reason: reason.to_string(),
                }));
            }
        }
    }

    fn forget_token(&self) {
        if let Some(c) = &self.opts.token_cache
            && let Err(e) = c.forget(&self.target.cache_key())
        {
            tracing::warn!(target: "trueconf_console::chat", "token cache {}: {e}", c.path().display());
        }
    }

    /// The connect step as an owned future (token, then socket), so commands keep flowing.
    fn clone_connect(
        &self,
    ) -> impl std::future::Future<Output = Result<(Ws, Token, bool), Down>> + use<> {
        let target = self.target.clone();
        let opts = self.opts.clone();
        let http = self.http.clone();
        let tls = self.tls.clone();
        let stale = self.stale_token;
        async move {
            let (token, from_cache) = get_token(&target, &opts, &http, stale).await?;
            let ws = open_socket(&target, &opts, tls).await?;
            Ok((ws, token, from_cache))
        }
    }

    async fn authenticate(&mut self, mut ws: Ws, token: &Token) -> Result<Ws, Down> {
        self.stale_token = false;
        self.set_status(LinkStatus::Connected);
        let req = methods::Auth {
            token: token.access.expose().to_string(),
            token_type: Some(self.target.token_type.clone()),
            receive_unread: Some(self.target.receive_unread),
            receive_system: Some(self.target.receive_system),
        };
        let frame = Frame::Request {
            id: 1,
            method: "auth".into(),
            payload: Some(Value::Object(req.payload())),
        }
        .encode();
        self.frame(true, &frame);
        ws.send(Message::text(frame))
            .await
            .map_err(|e| format!("cannot send auth: {e}"))?;
        let deadline = Instant::now() + self.opts.connect_timeout;
        loop {
            let msg = tokio::time::timeout_at(deadline, ws.next())
                .await
                .map_err(|_| "no answer to auth".to_string())?;
            let text = match msg {
                Some(Ok(Message::Text(t))) => t.to_string(),
                Some(Ok(Message::Close(_))) | None => {
                    return Err("the server closed the connection during auth"
                        .to_string()
                        .into());
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(format!("connection error during auth: {e}").into()),
            };
            self.frame(false, &text);
            match Frame::decode(&text) {
                Ok(Frame::Response { id: 1, payload }) => {
                    if let Some(err) = ServerError::from_payload(payload.as_ref()) {
                        // 201/202: this token or user will not do; 203: expired, get another.
                        let terminal = matches!(err.code, 201 | 202 | 204)
                            && self.target.token.is_some()
                            && self.target.password.is_none();
                        if err.code == 203 {
                            self.stale_token = true;
                            self.forget_token();
                        }
                        return Err(Down {
                            reason: format!("authentication failed: {err}"),
                            terminal: terminal || (err.code == 202),
                            code: Some(err.code),
                        });
                    }
                    let p = payload.unwrap_or(Value::Null);
                    let reply = methods::AuthReply::from_payload(&p)
                        .map_err(|e| format!("the auth answer cannot be read: {e}"))?;
                    let me = reply
                        .user_id
                        .split('/')
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    let s = ChatSession {
                        user_id: reply.user_id,
                        me,
                        connection_id: reply.connection_id,
                    };
                    self.session.send_replace(Some(s.clone()));
                    self.emit(ChatLinkEvent::Session(s));
                    self.set_status(LinkStatus::Authorized);
                    return Ok(ws);
                }
                Ok(Frame::Request {
                    id,
                    method,
                    payload,
                }) => {
                    // A push before the auth answer: acknowledge it, keep it.
                    let ack = Frame::ack(id).encode();
                    self.frame(true, &ack);
                    let _ = ws.send(Message::text(ack)).await;
                    self.on_event(&method, payload);
                }
                _ => {}
            }
        }
    }

    fn on_event(&mut self, method: &str, payload: Option<Value>) {
        let ev = ChatEvent::parse_owned(method, payload);
        match &ev {
            ChatEvent::Progress { file_id, progress } => {
                if let Some(list) = self.watchers.get_mut(file_id) {
                    list.retain(|tx| tx.send(*progress).is_ok());
                    if list.is_empty() {
                        self.watchers.remove(file_id);
                    }
                }
            }
            ChatEvent::Limits(l) => {
                self.limits.send_replace(Some(l.clone()));
            }
            ChatEvent::Other { method, .. } if method == "sendMessage" => {
                tracing::warn!(target: "trueconf_console::chat", "a message push could not be read; kept raw");
            }
            _ => {}
        }
        self.emit(ChatLinkEvent::Event(ev));
    }

    /// Runs an authorised session. Returns why it ended, or None when every handle is gone.
    async fn session(&mut self, ws: Ws) -> Option<Down> {
        let (mut sink, mut stream) = ws.split();
        let mut pending: HashMap<u64, Pending> = HashMap::new();
        let mut next_id: u64 = 2;
        let mut out: Vec<Queued> = vec![Queued {
            method: "getFileUploadLimits".into(),
            payload: Some(Value::Object(Map::new())),
            reply: None,
            deadline: Instant::now() + self.opts.request_timeout,
        }];
        out.extend(self.waiting.drain(..));
        let mut unflushed = false;
        let mut ping = tokio::time::interval_at(
            Instant::now() + self.opts.ping_interval,
            self.opts.ping_interval,
        );
        loop {
            for q in out.drain(..) {
                let id = next_id;
                next_id += 1;
                let text = Frame::Request {
                    id,
                    method: q.method.clone(),
                    payload: q.payload,
                }
                .encode();
                self.frame(true, &text);
                if let Err(e) = sink.send(Message::text(text)).await {
                    if let Some(r) = q.reply {
                        let _ = r.send(Err(ChatError::Dropped(q.method)));
                    }
                    fail_all(&mut pending);
                    return Some(format!("send failed: {e}").into());
                }
                pending.insert(
                    id,
                    Pending {
                        method: q.method,
                        reply: q.reply,
                        deadline: q.deadline,
                    },
                );
            }
            let deadline = pending.values().map(|p| p.deadline).min();
            tokio::select! {
                biased;
                cmd = self.rx.recv() => match cmd {
                    Some(Command::Request { method, payload, reply, deadline }) => {
                        out.push(Queued { method, payload, reply: Some(reply), deadline });
                    }
                    Some(c @ Command::Watch { .. }) => self.take(c),
                    None => {
                        let _ = sink.send(Message::Close(None)).await;
                        return None;
                    }
                },
                msg = stream.next() => {
                    let Some(end) = self.on_frame(msg, &mut sink, &mut pending, &mut unflushed).await else {
                        continue;
                    };
                    return Some(end);
                }
                r = sink.flush(), if unflushed => {
                    unflushed = false;
                    if let Err(e) = r {
                        fail_all(&mut pending);
                        return Some(format!("send failed: {e}").into());
                    }
                }
                _ = ping.tick() => {
                    if let Err(e) = sink.send(Message::Ping(Vec::new().into())).await {
                        fail_all(&mut pending);
                        return Some(format!("send failed: {e}").into());
                    }
                }
                _ = sleep_until(deadline) => {
                    let now = Instant::now();
                    let expired: Vec<u64> = pending.iter().filter(|(_, p)| p.deadline <= now).map(|(k, _)| *k).collect();
                    for id in expired {
                        if let Some(p) = pending.remove(&id)
                            && let Some(r) = p.reply
                        {
                            let _ = r.send(Err(ChatError::Timeout { method: p.method, secs: self.opts.request_timeout.as_secs() }));
                        }
                    }
                }
            }
        }
    }

    /// Handles one read from the socket: a push is acked (queued) and emitted, a response goes
    /// to its request. Some(reason) when the session is over.
    async fn on_frame(
        &mut self,
        msg: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
        sink: &mut futures_util::stream::SplitSink<Ws, Message>,
        pending: &mut HashMap<u64, Pending>,
        unflushed: &mut bool,
    ) -> Option<Down> {
        let bin;
        let text: &str = match &msg {
            Some(Ok(Message::Text(t))) => t.as_str(),
            Some(Ok(Message::Binary(b))) => {
                bin = String::from_utf8_lossy(b).into_owned();
                &bin
            }
            Some(Ok(Message::Close(frame))) => {
                fail_all(pending);
                return Some(
                    match frame {
                        Some(f) if !f.reason.is_empty() => format!(
                            "the server closed the connection: {}",
                            crate::sanitize::line(&f.reason)
                        ),
                        _ => "the server closed the connection".into(),
                    }
                    .into(),
                );
            }
            Some(Ok(_)) => return None,
            Some(Err(e)) => {
                fail_all(pending);
                return Some(format!("connection lost: {e}").into());
            }
            None => {
                fail_all(pending);
                return Some("connection lost".to_string().into());
            }
        };
        self.frame(false, text);
        match Frame::decode(text) {
            Ok(Frame::Request {
                id,
                method,
                payload,
            }) => {
                // Acknowledge first, on this socket, before anything else. The ack is
                // queued now and flushed as soon as no further frame is waiting, so a
                // burst of pushes costs one write, not one per push.
                let ack = Frame::ack(id).encode();
                self.frame(true, &ack);
                if let Err(e) = sink.feed(Message::text(ack)).await {
                    fail_all(pending);
                    return Some(format!("send failed: {e}").into());
                }
                *unflushed = true;
                self.on_event(&method, payload);
            }
            Ok(Frame::Response { id, payload }) => {
                if let Some(p) = pending.remove(&id) {
                    let res = match ServerError::from_payload(payload.as_ref()) {
                        Some(error) => {
                            if error.code == 203 {
                                self.stale_token = true;
                            }
                            Err(ChatError::Server {
                                method: p.method.clone(),
                                error,
                            })
                        }
                        None => Ok(payload.unwrap_or_else(|| Value::Object(Map::new()))),
                    };
                    match (p.reply, &res) {
                        (Some(r), _) => {
                            let _ = r.send(res);
                        }
                        (None, Ok(v)) if p.method == "getFileUploadLimits" => {
                            self.limits.send_replace(Some(UploadLimits::from_value(v)));
                        }
                        _ => {}
                    }
                } else {
                    tracing::debug!(target: "trueconf_console::chat", "a response to no request: id {id}");
                }
            }
            Err(e) => {
                tracing::warn!(target: "trueconf_console::chat", "unreadable frame from the server: {e}")
            }
        }
        None
    }
}

/// The token to authenticate with: given, cached, or fetched (and cached).
async fn get_token(
    target: &ChatTarget,
    opts: &ChatLinkOptions,
    http: &reqwest::Client,
    stale: bool,
) -> Result<(Token, bool), Down> {
    if let Some(t) = &target.token
        && (target.password.is_none() || !stale)
    {
        return Ok((Token::given(t.clone()), false));
    }
    let key = target.cache_key();
    if !stale && let Some(t) = opts.token_cache.as_ref().and_then(|c| c.load(&key)) {
        return Ok((t, true));
    }
    let Some(password) = &target.password else {
        return Err(Down {
            reason: AuthError::NoPassword(target.username.clone()).to_string(),
            terminal: true,
            code: None,
        });
    };
    let token = tokio::time::timeout(
        opts.connect_timeout,
        auth::fetch_token(http, &target.base_url(), &target.username, password),
    )
    .await
    .map_err(|_| {
        Down::from(format!(
            "no answer from {} within {} s",
            target.base_url(),
            opts.connect_timeout.as_secs()
        ))
    })?
    .map_err(|e| Down {
        terminal: e.is_terminal(),
        reason: e.to_string(),
        code: None,
    })?;
    if let Some(c) = &opts.token_cache
        && let Err(e) = c.store(&key, &token)
    {
        tracing::warn!(target: "trueconf_console::chat", "cannot cache the token in {}: {e}", c.path().display());
    }
    Ok((token, false))
}

/// Opens the WebSocket, offering `json.v1`; a server (or proxy) that answers without it is
/// tried again without the offer.
async fn open_socket(
    target: &ChatTarget,
    opts: &ChatLinkOptions,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<Ws, Down> {
    let url = target.ws_url();
    let mut offer = true;
    loop {
        let mut req = url
            .as_str()
            .into_client_request()
            .map_err(|e| format!("bad address {url}: {e}"))?;
        if offer {
            req.headers_mut().insert(
                "Sec-WebSocket-Protocol",
                tokio_tungstenite::tungstenite::http::HeaderValue::from_static("json.v1"),
            );
        }
        let connector = tls
            .clone()
            .map(tokio_tungstenite::Connector::Rustls)
            .unwrap_or(tokio_tungstenite::Connector::Plain);
        let fut =
            tokio_tungstenite::connect_async_tls_with_config(req, None, false, Some(connector));
        match tokio::time::timeout(opts.connect_timeout, fut).await {
            Err(_) => {
                return Err(format!(
                    "{url} did not open within {} s",
                    opts.connect_timeout.as_secs()
                )
                .into());
            }
            Ok(Ok((ws, _))) => return Ok(ws),
            Ok(Err(tokio_tungstenite::tungstenite::Error::Protocol(p)))
                if offer && p.to_string().to_ascii_lowercase().contains("subprotocol") =>
            {
                offer = false;
            }
            Ok(Err(e)) => return Err(format!("cannot open {url}: {e}").into()),
        }
    }
}

fn fail_all(pending: &mut HashMap<u64, Pending>) {
    for (_, p) in pending.drain() {
        if let Some(r) = p.reply {
            let _ = r.send(Err(ChatError::Dropped(p.method)));
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_urls_get_our_host() {
        assert_eq!(
            rewrite_host(
                "https://10.111.15.116/bridge/api/client/v1/files?file_id=e0",
                "http://127.0.0.1:4309"
            ),
            "http://127.0.0.1:4309/bridge/api/client/v1/files?file_id=e0"
        );
        assert_eq!(
            rewrite_host("/bridge/x", "http://h:1"),
            "http://h:1/bridge/x"
        );
    }

    #[test]
    fn frames_for_the_inspector_hide_tokens() {
        let m = mask_frame(
            r#"{"type":1,"id":1,"method":"auth","payload":{"token":"eyJ.secret.sig","tokenType":"JWT"}}"#,
        );
        assert!(!m.contains("eyJ.secret.sig") && m.contains("***"), "{m}");
    }
}
