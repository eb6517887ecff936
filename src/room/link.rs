//! The Room link: one task owns the WebSocket; a cloneable [`RoomHandle`] sends requests and
//! awaits their replies (matched by `requestId`, with a timeout); events, link status and raw
//! frames arrive on a channel. It reconnects with backoff and jitter. A request made while the
//! link is down waits for it, up to its timeout, and then fails with a clear error; a request
//! in flight when the link drops fails with [`RoomError::Dropped`] (it may or may not have been
//! carried out, so it is not sent again behind the user's back).

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use super::discovery::{self, DiscoveryError};
use super::protocol::{self, AppState, Incoming, Reply, RoomEvent};
use super::spec::{self, ParamError, RoomMethod};
use super::state::RoomState;
use crate::config::{ApiVersion, Secret};
use crate::link::{Backoff, LinkStatus};

/// Where and how to reach a Room.
#[derive(Debug, Clone)]
pub struct RoomTarget {
    pub host: String,
    /// The web-manager port that serves config.json.
    pub http_port: u16,
    /// Skips discovery when set.
    pub ws_port: Option<u16>,
    /// `default`, or the name of a `-t NAME` instance.
    pub instance: String,
    pub api_version: ApiVersion,
    /// The PIN (secured auth); unsecured auth without one.
    pub pin: Option<Secret>,
}

impl RoomTarget {
    /// A Room on this machine, found through its config.json on `http_port`, unsecured.
    pub fn loopback(http_port: u16) -> RoomTarget {
        RoomTarget {
            host: "127.0.0.1".into(),
            http_port,
            ws_port: None,
            instance: "default".into(),
            api_version: ApiVersion::V1,
            pin: None,
        }
    }

    /// The target of a configured room, with the PIN the config resolved (environment first).
    pub fn from_config(r: &crate::config::RoomConfig, pin: Option<Secret>) -> RoomTarget {
        RoomTarget {
            host: r.host.to_string(),
            http_port: r.http_port.0,
            ws_port: r.ws_port.map(|p| p.0),
            instance: r.instance.clone(),
            api_version: r.api_version,
            pin,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RoomLinkOptions {
    pub backoff: Backoff,
    /// How long a request may wait for its reply (including waiting for the link).
    pub request_timeout: Duration,
    /// Discovery, connect and auth, each.
    pub connect_timeout: Duration,
    /// Emit every frame in and out as [`RoomLinkEvent::Frame`] (secrets masked).
    pub frames: bool,
}

impl Default for RoomLinkOptions {
    fn default() -> Self {
        RoomLinkOptions {
            backoff: Backoff::default(),
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            frames: false,
        }
    }
}

/// What the link reports.
#[derive(Debug, Clone, PartialEq)]
pub enum RoomLinkEvent {
    Status(LinkStatus),
    /// Auth succeeded; what it granted.
    Session(Session),
    Event(RoomEvent),
    /// The room state after a change (a reply or an event), for a UI that keeps a copy.
    State(Box<RoomState>),
    /// A raw frame: `outgoing` true for what we sent. Secrets are masked.
    Frame {
        outgoing: bool,
        text: String,
        /// When it crossed the socket (Unix milliseconds).
        at_ms: u64,
    },
}

/// What auth granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// `previleges` as sent (sic; `privileges` accepted too).
    pub privileges: Option<i64>,
    /// Whether this session may call admin-only methods, when it can be told (2 = admin;
    /// docs/room-protocol.md, Choices R7).
    pub admin: Option<bool>,
    pub ws_port: u16,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoomError {
    #[error("the Room refused `{method}`: {error}")]
    Refused {
        method: String,
        error: String,
        reply: Box<Reply>,
    },
    #[error(
        "`{0}` needs administrator rights, and this session has user rights (authenticate with the administrator PIN)"
    )]
    AdminOnly(String),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Params(Vec<ParamError>),
    #[error("no reply to `{method}` within {secs} s")]
    Timeout { method: String, secs: u64 },
    #[error(
        "the link to the Room dropped before `{0}` was answered; it may or may not have been carried out"
    )]
    Dropped(String),
    #[error("the Room is not reachable ({reason}); `{method}` was not sent")]
    LinkDown { method: String, reason: String },
    #[error("the Room link has stopped")]
    Stopped,
}

enum Command {
    Request {
        method: String,
        params: Map<String, Value>,
        reply: oneshot::Sender<Result<Reply, RoomError>>,
        deadline: Instant,
    },
}

/// A request not yet sent: waiting for the link, or about to go out. Internal queries have
/// no reply channel.
struct Queued {
    method: String,
    params: Map<String, Value>,
    reply: Option<oneshot::Sender<Result<Reply, RoomError>>>,
    deadline: Instant,
}

struct Pending {
    method: String,
    reply: Option<oneshot::Sender<Result<Reply, RoomError>>>,
    deadline: Instant,
}

/// The handle the UI, the CLI and the tests hold.
#[derive(Clone)]
pub struct RoomHandle {
    tx: mpsc::Sender<Command>,
    state: watch::Receiver<RoomState>,
    status: watch::Receiver<LinkStatus>,
    session: watch::Receiver<Option<Session>>,
    request_timeout: Duration,
}

impl std::fmt::Debug for RoomHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomHandle")
            .field("status", &*self.status.borrow())
            .finish()
    }
}

/// Starts the link. Events arrive on the returned receiver; dropping every handle stops it.
pub fn spawn(
    target: RoomTarget,
    opts: RoomLinkOptions,
) -> (RoomHandle, mpsc::UnboundedReceiver<RoomLinkEvent>) {
    let (tx, rx) = mpsc::channel(256);
    let (ev_tx, ev_rx) = mpsc::unbounded_channel();
    let (state_tx, state) = watch::channel(RoomState::default());
    let (status_tx, status) = watch::channel(LinkStatus::Offline);
    let (session_tx, session) = watch::channel(None);
    let handle = RoomHandle {
        tx,
        state,
        status,
        session,
        request_timeout: opts.request_timeout,
    };
    if let Some(pin) = &target.pin {
        crate::logging::register_secret(pin.expose());
    }
    let actor = Actor {
        target,
        opts,
        rx,
        events: ev_tx,
        state: state_tx,
        status: status_tx,
        session: session_tx,
        waiting: VecDeque::new(),
    };
    tokio::spawn(actor.run());
    (handle, ev_rx)
}

impl RoomHandle {
    /// Sends a typed request and awaits its reply.
    pub async fn send<M: RoomMethod>(&self, m: &M) -> Result<Reply, RoomError> {
        self.request(M::NAME, m.params()).await
    }

    /// Sends any method with any parameters (the parameters of a known method are checked
    /// against the catalog first; unknown methods go out as they are).
    pub async fn request(
        &self,
        method: &str,
        params: Map<String, Value>,
    ) -> Result<Reply, RoomError> {
        if let Some(spec) = spec::method(method) {
            let problems = spec.validate(&params);
            if !problems.is_empty() {
                return Err(RoomError::Params(problems));
            }
            if spec.admin_only
                && self.session.borrow().as_ref().and_then(|s| s.admin) == Some(false)
            {
                return Err(RoomError::AdminOnly(method.to_string()));
            }
        }
        let (reply, rx) = oneshot::channel();
        let deadline = Instant::now() + self.request_timeout;
        self.tx
            .send(Command::Request {
                method: method.to_string(),
                params,
                reply,
                deadline,
            })
            .await
            .map_err(|_| RoomError::Stopped)?;
        rx.await.unwrap_or(Err(RoomError::Stopped))
    }

    /// The room as the link sees it now.
    pub fn state(&self) -> RoomState {
        self.state.borrow().clone()
    }

    pub fn status(&self) -> LinkStatus {
        self.status.borrow().clone()
    }

    pub fn session(&self) -> Option<Session> {
        self.session.borrow().clone()
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

    /// Waits until the room state satisfies `f`, up to `timeout`.
    pub async fn wait_state(
        &self,
        timeout: Duration,
        f: impl Fn(&RoomState) -> bool,
    ) -> Result<RoomState, RoomState> {
        let mut rx = self.state.clone();
        match tokio::time::timeout(timeout, rx.wait_for(|s| f(s))).await {
            Ok(Ok(s)) => Ok(s.clone()),
            _ => Err(self.state()),
        }
    }
}

struct Actor {
    target: RoomTarget,
    opts: RoomLinkOptions,
    rx: mpsc::Receiver<Command>,
    events: mpsc::UnboundedSender<RoomLinkEvent>,
    state: watch::Sender<RoomState>,
    status: watch::Sender<LinkStatus>,
    session: watch::Sender<Option<Session>>,
    /// Requests waiting for the link.
    waiting: VecDeque<Queued>,
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The queries whose replies build the room state after auth (python-trueconf-room sends the
/// first four; the rest fill devices, contacts, mutes and the call in progress).
const INITIAL_QUERIES: &[&str] = &[
    "getAppState",
    "getSettings",
    "getSystemInfo",
    "getMonitorsInfo",
    "getConnected",
    "getLogin",
    "getHardware",
    "getAbook",
    "getMicMute",
    "getVideoMute",
    "getAudioMute",
    "getConferences",
    "getConferenceParticipants",
];

impl Actor {
    fn emit(&self, e: RoomLinkEvent) {
        let _ = self.events.send(e);
    }

    fn emit_state(&self) {
        self.emit(RoomLinkEvent::State(Box::new(self.state.borrow().clone())));
    }

    fn set_status(&self, s: LinkStatus) {
        if *self.status.borrow() != s {
            self.status.send_replace(s.clone());
            self.emit(RoomLinkEvent::Status(s));
        }
    }

    fn frame(&self, outgoing: bool, text: &str) {
        if self.opts.frames {
            self.emit(RoomLinkEvent::Frame {
                outgoing,
                text: mask_secrets(text),
                at_ms: crate::link::now_ms(),
            });
        }
    }

    /// Takes a command while the link is not up: queue it (or expire what is overdue).
    fn queue(&mut self, cmd: Command) {
        let Command::Request {
            method,
            params,
            reply,
            deadline,
        } = cmd;
        self.waiting.push_back(Queued {
            method,
            params,
            reply: Some(reply),
            deadline,
        });
    }

    fn expire_waiting(&mut self, reason: &str) {
        let now = Instant::now();
        let mut keep = VecDeque::new();
        for q in self.waiting.drain(..) {
            if q.deadline <= now {
                if let Some(r) = q.reply {
                    let _ = r.send(Err(RoomError::LinkDown {
                        method: q.method,
                        reason: reason.to_string(),
                    }));
                }
            } else {
                keep.push_back(q);
            }
        }
        self.waiting = keep;
    }

    fn next_waiting_deadline(&self) -> Option<Instant> {
        self.waiting.iter().map(|w| w.deadline).min()
    }

    async fn run(mut self) {
        let mut attempt = 0u32;
        loop {
            self.set_status(LinkStatus::Connecting);
            let (target, opts) = (self.target.clone(), self.opts.clone());
            let connecting = async move { connect(&target, &opts).await };
            tokio::pin!(connecting);
            let result = loop {
                let deadline = self.next_waiting_deadline();
                tokio::select! {
                    r = &mut connecting => break r,
                    cmd = self.rx.recv() => match cmd {
                        Some(c) => self.queue(c),
                        None => return,
                    },
                    _ = sleep_until(deadline) => self.expire_waiting("still connecting"),
                }
            };
            let reason = match result {
                Ok((ws, ws_port, hello)) => {
                    for (out, text) in hello {
                        self.frame(out, &text);
                    }
                    match self.authenticate(ws, ws_port).await {
                        Ok(ws) => {
                            attempt = 0;
                            match self.session(ws).await {
                                Some(reason) => reason,
                                None => return,
                            }
                        }
                        Err(e) => e,
                    }
                }
                Err(e) => e,
            };
            self.session.send_replace(None);
            tracing::info!(target: "trueconf_console::room", "room link down: {reason}");
            self.set_status(LinkStatus::Disconnected {
                reason: reason.clone(),
            });
            let Some(delay) = self.opts.backoff.delay(attempt) else {
                for q in self.waiting.drain(..) {
                    if let Some(r) = q.reply {
                        let _ = r.send(Err(RoomError::LinkDown {
                            method: q.method,
                            reason: reason.clone(),
                        }));
                    }
                }
                // Keep answering requests with the reason until every handle is gone.
                while let Some(Command::Request { method, reply, .. }) = self.rx.recv().await {
                    let _ = reply.send(Err(RoomError::LinkDown {
                        method,
                        reason: reason.clone(),
                    }));
                }
                return;
            };
            attempt = attempt.saturating_add(1);
            self.set_status(LinkStatus::Retrying {
                in_secs: delay.as_secs_f64().ceil() as u64,
                reason: reason.clone(),
            });
            let wake = Instant::now() + delay;
            loop {
                let deadline = self.next_waiting_deadline();
                tokio::select! {
                    _ = tokio::time::sleep_until(wake) => break,
                    cmd = self.rx.recv() => match cmd {
                        Some(c) => self.queue(c),
                        None => return,
                    },
                    _ = sleep_until(deadline) => self.expire_waiting(&reason),
                }
            }
        }
    }

    /// Sends auth and waits for its reply (frames before it are answers to nothing; kept raw).
    async fn authenticate(&mut self, mut ws: Ws, ws_port: u16) -> Result<Ws, String> {
        self.set_status(LinkStatus::Connected);
        let mut params = Map::new();
        match &self.target.pin {
            Some(pin) => {
                params.insert("type".into(), "secured".into());
                params.insert("credentials".into(), pin.expose().into());
            }
            None => {
                params.insert("type".into(), "unsecured".into());
            }
        }
        let text = protocol::request_frame("auth", "auth", &params);
        self.frame(true, &text);
        ws.send(Message::text(text))
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
                    return Err("the Room closed the connection during auth".into());
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(format!("connection error during auth: {e}")),
            };
            self.frame(false, &text);
            if let Ok(Incoming::Reply(r)) = protocol::parse_frame(&text)
                && r.method.eq_ignore_ascii_case("auth")
            {
                if !r.ok {
                    let why = r.error.clone().unwrap_or_else(|| "no reason given".into());
                    return Err(format!("authentication failed: {why}"));
                }
                use protocol::Fields;
                for key in ["token", "tokenForHttpServer"] {
                    if let Some(t) = r.body.str_of(key) {
                        crate::logging::register_secret(&t);
                    }
                }
                let privileges = r
                    .body
                    .i64_of("previleges")
                    .or_else(|| r.body.i64_of("privileges"));
                let admin = match privileges {
                    Some(2) => Some(true),
                    Some(1) => Some(false),
                    _ => None,
                };
                let s = Session {
                    privileges,
                    admin,
                    ws_port,
                };
                self.session.send_replace(Some(s.clone()));
                self.emit(RoomLinkEvent::Session(s));
                self.set_status(LinkStatus::Authorized);
                return Ok(ws);
            }
        }
    }

    /// Runs an authorised session. Returns why it ended, or None when every handle is gone.
    async fn session(&mut self, ws: Ws) -> Option<String> {
        let (mut sink, mut stream) = ws.split();
        let mut pending: HashMap<String, Pending> = HashMap::new();
        let mut next_id: u64 = 1;
        let mut out: Vec<Queued> = Vec::new();
        let internal_deadline = || Instant::now() + Duration::from_secs(30);
        for q in INITIAL_QUERIES {
            out.push(Queued {
                method: q.to_string(),
                params: Map::new(),
                reply: None,
                deadline: internal_deadline(),
            });
        }
        out.extend(self.waiting.drain(..));
        loop {
            for Queued {
                method,
                params,
                reply,
                deadline,
            } in out.drain(..)
            {
                let id = next_id.to_string();
                next_id += 1;
                let text = protocol::request_frame(&method, &id, &params);
                self.frame(true, &text);
                if let Err(e) = sink.send(Message::text(text)).await {
                    if let Some(r) = reply {
                        let _ = r.send(Err(RoomError::Dropped(method)));
                    }
                    fail_all(&mut pending);
                    return Some(format!("send failed: {e}"));
                }
                pending.insert(
                    id,
                    Pending {
                        method,
                        reply,
                        deadline,
                    },
                );
            }
            let deadline = pending.values().map(|p| p.deadline).min();
            tokio::select! {
                cmd = self.rx.recv() => match cmd {
                    Some(Command::Request { method, params, reply, deadline }) => out.push(Queued { method, params, reply: Some(reply), deadline }),None => {
                        let _ = sink.send(Message::Close(None)).await;
                        return None;
                    }
                },
                msg = stream.next() => {
                    let text = match msg {
                        Some(Ok(Message::Text(t))) => t.to_string(),
                        Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                        Some(Ok(Message::Close(frame))) => {
                            fail_all(&mut pending);
                            return Some(match frame {
                                Some(f) if !f.reason.is_empty() => format!("the Room closed the connection: {}", f.reason),
                                _ => "the Room closed the connection".into(),
                            });
                        }
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => {
                            fail_all(&mut pending);
                            return Some(format!("connection lost: {e}"));
                        }
                        None => {
                            fail_all(&mut pending);
                            return Some("connection lost".into());
                        }
                    };
                    self.frame(false, &text);
                    match protocol::parse_frame(&text) {
                        Ok(Incoming::Reply(r)) => self.on_reply(r, &mut pending),
                        Ok(Incoming::Event(e)) => {
                            let entered_conference = matches!(e, RoomEvent::AppStateChanged { state: AppState::Conference, .. })
                                && self.state.borrow().app_state != AppState::Conference;
                            let joined = matches!(e, RoomEvent::ConferenceCreated { .. });
                            self.state.send_modify(|s| s.apply_event(&e));
                            self.emit_state();
                            self.emit(RoomLinkEvent::Event(e));
                            if entered_conference || joined {
                                out.push(Queued { method: "getConferenceParticipants".into(), params: Map::new(), reply: None, deadline: internal_deadline() });
                            }
                        }
                        Ok(Incoming::Other(v)) => tracing::debug!(target: "trueconf_console::room", "unclassified frame: {v}"),
                        Err(e) => tracing::warn!(target: "trueconf_console::room", "unreadable frame from the Room: {e}"),
                    }
                }
                _ = sleep_until(deadline) => {
                    let now = Instant::now();
                    let expired: Vec<String> = pending.iter().filter(|(_, p)| p.deadline <= now).map(|(k, _)| k.clone()).collect();
                    for id in expired {
                        if let Some(p) = pending.remove(&id)
                            && let Some(r) = p.reply
                        {
                            let _ = r.send(Err(RoomError::Timeout { method: p.method, secs: self.opts.request_timeout.as_secs() }));
                        }
                    }
                }
            }
        }
    }

    fn on_reply(&mut self, r: Reply, pending: &mut HashMap<String, Pending>) {
        // Matched by requestId; a reply without one (some builds) goes to the oldest request of
        // the same method (docs/room-protocol.md, Choices R5).
        let key = if pending.contains_key(&r.request_id) {
            Some(r.request_id.clone())
        } else {
            pending
                .iter()
                .filter(|(_, p)| p.method.eq_ignore_ascii_case(&r.method))
                .min_by_key(|(k, _)| k.parse::<u64>().unwrap_or(u64::MAX))
                .map(|(k, _)| k.clone())
        };
        if r.ok {
            self.state
                .send_modify(|s| s.apply_reply(&r.method, &r.body));
            self.emit_state();
        }
        let Some(p) = key.and_then(|k| pending.remove(&k)) else {
            return;
        };
        if let Some(tx) = p.reply {
            let res = if r.ok {
                Ok(r)
            } else {
                let error = r.error.clone().unwrap_or_else(|| "no reason given".into());
                Err(RoomError::Refused {
                    method: p.method,
                    error,
                    reply: Box::new(r),
                })
            };
            let _ = tx.send(res);
        }
    }
}

/// Every request in flight when the link drops fails: it may or may not have been carried out.
fn fail_all(pending: &mut HashMap<String, Pending>) {
    for (_, p) in pending.drain() {
        if let Some(r) = p.reply {
            let _ = r.send(Err(RoomError::Dropped(p.method)));
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// Discovers the port (unless configured) and opens the WebSocket. Returns the frames it
/// exchanged (setUsedApiVersion) for the inspector.
async fn connect(
    target: &RoomTarget,
    opts: &RoomLinkOptions,
) -> Result<(Ws, u16, Vec<(bool, String)>), String> {
    let ws_port = match target.ws_port {
        Some(p) => p,
        None => {
            discovery::discover(
                &target.host,
                target.http_port,
                &target.instance,
                opts.connect_timeout,
            )
            .await
            .map_err(|e: DiscoveryError| e.to_string())?
            .websocket
        }
    };
    let host = if target.host.contains(':') && !target.host.starts_with('[') {
        format!("[{}]", target.host)
    } else {
        target.host.clone()
    };
    let path = match target.api_version {
        ApiVersion::V1 => "v1",
        ApiVersion::V2 => "v2",
    };
    let url = format!("ws://{host}:{ws_port}/{path}");
    let (mut ws, _) =
        tokio::time::timeout(opts.connect_timeout, tokio_tungstenite::connect_async(&url))
            .await
            .map_err(|_| {
                format!(
                    "{url} did not open within {} s",
                    opts.connect_timeout.as_secs()
                )
            })?
            .map_err(|e| format!("cannot open {url}: {e}"))?;
    let mut frames = Vec::new();
    if target.api_version == ApiVersion::V2 {
        // The URL suffix selects v2; TrueConf's own example also says so before auth.
        let text = protocol::request_frame(
            "setUsedApiVersion",
            "version",
            &serde_json::json!({"version": "2"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        frames.push((true, text.clone()));
        ws.send(Message::text(text))
            .await
            .map_err(|e| format!("cannot send to {url}: {e}"))?;
    }
    Ok((ws, ws_port, frames))
}

/// A copy of a frame with PIN and tokens replaced by `***`, for the inspector.
pub fn mask_secrets(text: &str) -> String {
    let Ok(Value::Object(mut o)) = serde_json::from_str::<Value>(text) else {
        return crate::logging::redact(text).into_owned();
    };
    let mut changed = false;
    for key in [
        "credentials",
        "token",
        "tokenForHttpServer",
        "password",
        "pin",
        "newPin",
    ] {
        if let Some(v) = o.get_mut(key)
            && v.is_string()
        {
            *v = Value::String("***".into());
            changed = true;
        }
    }
    if changed {
        Value::Object(o).to_string()
    } else {
        crate::logging::redact(text).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_for_the_inspector_hide_secrets() {
        let m = mask_secrets(
            r#"{"method":"auth","requestId":"auth","type":"secured","credentials":"8642"}"#,
        );
        assert!(
            m.contains(r#""credentials":"***""#) && !m.contains("8642"),
            "{m}"
        );
        let m = mask_secrets(
            r#"{"method":"auth","result":true,"token":"1*abc","tokenForHttpServer":"4*def"}"#,
        );
        assert!(!m.contains("1*abc") && !m.contains("4*def"), "{m}");
        let m = mask_secrets(r#"{"method":"login","login":"op","password":"pw"}"#);
        assert!(!m.contains("\"pw\""), "{m}");
    }
}
