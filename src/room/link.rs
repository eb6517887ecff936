//! The Room link: the link supervisor ([`crate::link::supervisor`]) running the Room protocol
//! (docs/room-protocol.md). A cloneable [`RoomHandle`] sends requests and awaits their replies
//! (matched by `requestId`, with a timeout); events, link status and raw frames arrive on a
//! channel. It reconnects with backoff and jitter. A request made while the link is down waits
//! for it, up to its timeout, and then fails with a clear error; a request in flight when the
//! link drops fails with [`RoomError::Dropped`] (it may or may not have been carried out, so it
//! is not sent again behind the user's back).

use std::time::Duration;

use futures_util::SinkExt;
use serde_json::{Map, Value};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

use super::discovery;
use super::protocol::{self, AppState, Incoming, Reply, RoomEvent};
use super::spec::{self, ParamError, RoomMethod};
use super::state::RoomState;
use crate::config::{ApiVersion, Secret};
use crate::link::supervisor::{self, Ctx, Inbound, Link, LinkOptions, Opened, Protocol};
use crate::link::{Backoff, Down, LinkError, LinkStatus, RequestFailure};

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
    /// A Room silent this long (not even answering a ping) is gone: the link reconnects.
    pub liveness: Duration,
}

impl Default for RoomLinkOptions {
    fn default() -> Self {
        RoomLinkOptions {
            backoff: Backoff::default(),
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            frames: false,
            liveness: Duration::from_secs(crate::config::DEFAULT_LIVENESS),
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

impl From<RequestFailure> for RoomError {
    fn from(f: RequestFailure) -> RoomError {
        match f {
            RequestFailure::Timeout { method, secs } => RoomError::Timeout { method, secs },
            RequestFailure::Dropped(method) => RoomError::Dropped(method),
            RequestFailure::LinkDown { method, reason } => RoomError::LinkDown { method, reason },
            RequestFailure::Stopped => RoomError::Stopped,
        }
    }
}

/// The handle the UI, the CLI and the tests hold.
#[derive(Clone)]
pub struct RoomHandle {
    link: Link<RoomLink>,
    state: watch::Receiver<RoomState>,
    session: watch::Receiver<Option<Session>>,
}

impl std::fmt::Debug for RoomHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomHandle")
            .field("status", &self.link.status())
            .finish()
    }
}

/// Starts the link. Events arrive on the returned receiver; dropping every handle stops it.
pub fn spawn(
    target: RoomTarget,
    opts: RoomLinkOptions,
) -> (RoomHandle, mpsc::UnboundedReceiver<RoomLinkEvent>) {
    let (ev_tx, ev_rx) = mpsc::unbounded_channel();
    let (state_tx, state) = watch::channel(RoomState::default());
    let (session_tx, session) = watch::channel(None);
    if let Some(pin) = &target.pin {
        crate::logging::register_secret(pin.expose());
    }
    let link_opts = LinkOptions {
        backoff: opts.backoff,
        request_timeout: opts.request_timeout,
        connect_timeout: opts.connect_timeout,
        frames: opts.frames,
        liveness: Some(opts.liveness),
        backlog: None,
    };
    let proto = RoomLink {
        target,
        opts,
        state: state_tx,
        session: session_tx,
        ws_port: 0,
    };
    let link = supervisor::spawn(proto, link_opts, ev_tx);
    (
        RoomHandle {
            link,
            state,
            session,
        },
        ev_rx,
    )
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
        self.submit(method, params).await?.await
    }

    /// Checks and queues a request as [`RoomHandle::request`] does, and returns once it is
    /// queued with its reply to await: requests submitted one after another reach the Room
    /// in that order (a volume pressed three times ends where the last press asked).
    pub async fn submit(
        &self,
        method: &str,
        params: Map<String, Value>,
    ) -> Result<impl Future<Output = Result<Reply, RoomError>> + Send + 'static, RoomError> {
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
        self.link.submit(method, params).await
    }

    /// The room as the link sees it now.
    pub fn state(&self) -> RoomState {
        self.state.borrow().clone()
    }

    /// The port of the Room's built-in HTTP server, when the Room has said it.
    pub fn http_port(&self) -> Option<u16> {
        self.state.borrow().http_port
    }

    pub fn status(&self) -> LinkStatus {
        self.link.status()
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
        self.link.wait_status(timeout, f).await
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

/// The queries whose replies build the room state after auth: the first four are what
/// TrueConf's own clients ask; the rest fill devices, contacts, mutes and the call in progress
/// (docs/room-protocol.md, Authentication).
const INITIAL_QUERIES: &[&str] = &[
    "getAppState",
    "getSettings",
    "getSystemInfo",
    "getMonitorsInfo",
    "getConnected",
    "getLogin",
    "getHardware",
    "getPtzControls",
    "getAbook",
    "getMicMute",
    "getVideoMute",
    "getAudioMute",
    "getConferences",
    "getConferenceParticipants",
];

/// How long the link's own state queries may take.
const INTERNAL_TIMEOUT: Duration = Duration::from_secs(30);

/// The Room protocol for the link supervisor: discovery and the socket, auth by PIN (or
/// none), requests matched by `requestId`, and events that keep the room state.
struct RoomLink {
    target: RoomTarget,
    opts: RoomLinkOptions,
    state: watch::Sender<RoomState>,
    session: watch::Sender<Option<Session>>,
    /// The port of the socket being authenticated.
    ws_port: u16,
}

impl RoomLink {
    /// A successful reply updates the room state, whoever asked.
    fn apply_reply(&self, r: &Reply, ctx: &Ctx<Self>) {
        if r.ok {
            self.state
                .send_modify(|s| s.apply_reply(&r.method, &r.body));
            ctx.emit(RoomLinkEvent::State(Box::new(self.state.borrow().clone())));
        }
    }
}

impl Protocol for RoomLink {
    type Body = Map<String, Value>;
    type Reply = Reply;
    type Error = RoomError;
    type Event = RoomLinkEvent;
    type Command = std::convert::Infallible;
    type Conn = u16;
    type Answer = Reply;
    type Push = RoomEvent;

    const FIRST_ID: u64 = 1;
    const PEER: &'static str = "the Room";

    fn status_event(s: LinkStatus) -> RoomLinkEvent {
        RoomLinkEvent::Status(s)
    }

    fn frame_event(outgoing: bool, text: String, at_ms: u64) -> RoomLinkEvent {
        RoomLinkEvent::Frame {
            outgoing,
            text,
            at_ms,
        }
    }

    fn mask(text: &str) -> String {
        mask_secrets(text)
    }

    fn connect(
        &mut self,
    ) -> impl std::future::Future<Output = Result<Opened<u16>, Down>> + Send + 'static {
        let (target, opts) = (self.target.clone(), self.opts.clone());
        async move { connect(&target, &opts).await.map_err(Down::from) }
    }

    fn auth_frame(&mut self, ws_port: u16) -> String {
        self.ws_port = ws_port;
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
        protocol::request_frame("auth", "auth", &params)
    }

    /// The auth reply is known by its method (frames before it are answers to nothing).
    fn on_auth_answer(&mut self, r: Reply, ctx: &mut Ctx<Self>) -> Option<Result<(), Down>> {
        if !r.method.eq_ignore_ascii_case("auth") {
            return None;
        }
        if !r.ok {
            let why = r.error.clone().unwrap_or_else(|| "no reason given".into());
            return Some(Err(LinkError::AuthRefused(why).into()));
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
            ws_port: self.ws_port,
        };
        self.session.send_replace(Some(s.clone()));
        ctx.emit(RoomLinkEvent::Session(s));
        Some(Ok(()))
    }

    fn on_authorized(&mut self, ctx: &mut Ctx<Self>) {
        // What the last session said may be stale: unknown until the queries answer.
        self.state.send_modify(RoomState::forget_session);
        ctx.emit(RoomLinkEvent::State(Box::new(self.state.borrow().clone())));
        for q in INITIAL_QUERIES {
            ctx.call(q, Map::new(), INTERNAL_TIMEOUT);
        }
    }

    fn on_down(&mut self, reason: &str) {
        self.session.send_replace(None);
        tracing::info!(target: "trueconf_console::room", "room link down: {reason}");
    }

    fn encode(&self, id: u64, method: &str, params: Map<String, Value>) -> String {
        protocol::request_frame(method, &id.to_string(), &params)
    }

    /// A reply is matched by `requestId`; one without it (some builds) goes to the oldest
    /// request of the same method (docs/room-protocol.md, Framing; Choices R5).
    fn decode(&mut self, text: &str) -> Inbound<Self> {
        match protocol::parse_frame(text) {
            Ok(Incoming::Reply(r)) => Inbound::Answer {
                id: r
                    .request_id
                    .parse::<u64>()
                    .ok()
                    .filter(|n| n.to_string() == r.request_id),
                fallback: Some(r.method.clone()),
                answer: r,
            },
            Ok(Incoming::Event(e)) => Inbound::Push { ack: None, push: e },
            Ok(Incoming::Other(v)) => {
                tracing::debug!(target: "trueconf_console::room", "unclassified frame: {v}");
                Inbound::Other
            }
            Err(e) => {
                tracing::warn!(target: "trueconf_console::room", "unreadable frame from the Room: {e}");
                Inbound::Other
            }
        }
    }

    fn on_answer(
        &mut self,
        method: &str,
        _awaited: bool,
        r: Reply,
        ctx: &mut Ctx<Self>,
    ) -> Result<Reply, RoomError> {
        self.apply_reply(&r, ctx);
        if r.ok {
            Ok(r)
        } else {
            let error = r.error.clone().unwrap_or_else(|| "no reason given".into());
            Err(RoomError::Refused {
                method: method.to_string(),
                error,
                reply: Box::new(r),
            })
        }
    }

    fn on_stray_answer(&mut self, r: Reply, ctx: &mut Ctx<Self>) {
        self.apply_reply(&r, ctx);
    }

    fn on_push(&mut self, e: RoomEvent, ctx: &mut Ctx<Self>) {
        let entered_conference = matches!(
            e,
            RoomEvent::AppStateChanged {
                state: AppState::Conference,
                ..
            }
        ) && self.state.borrow().app_state != Some(AppState::Conference);
        let joined = matches!(e, RoomEvent::ConferenceCreated { .. });
        let e_name = e.name().to_string();
        self.state.send_modify(|s| s.apply_event(&e));
        let unknown_conference = self.state.borrow().conference.is_none();
        ctx.emit(RoomLinkEvent::State(Box::new(self.state.borrow().clone())));
        ctx.emit(RoomLinkEvent::Event(e));
        // In a conference no event described (its conferenceCreated was missed): ask, as
        // py-lib does on entering state 5.
        if entered_conference && unknown_conference {
            ctx.call("getConferences", Map::new(), INTERNAL_TIMEOUT);
        }
        // A role change (the podium, moderator rights) or an address-book change: read the
        // whole list again, so that it ends as the Room has it whatever the event carried.
        let role_changed = matches!(e_name.as_str(), "roleEventOccured");
        if entered_conference || joined || role_changed {
            ctx.call("getConferenceParticipants", Map::new(), INTERNAL_TIMEOUT);
        }
        if matches!(
            e_name.as_str(),
            "contactsAdded" | "contactsDeleted" | "contactsRenamed"
        ) {
            ctx.call("getAbook", Map::new(), INTERNAL_TIMEOUT);
        }
    }

    /// Events before the auth reply are not read: the initial queries build the state.
    fn on_push_before_auth(&mut self, _e: RoomEvent, _ctx: &mut Ctx<Self>) {}

    fn on_command(&mut self, c: std::convert::Infallible) {
        match c {}
    }
}

/// Discovers the port (unless configured) and opens the WebSocket; the frames it sends before
/// auth (setUsedApiVersion) go to the tap.
async fn connect(target: &RoomTarget, opts: &RoomLinkOptions) -> Result<Opened<u16>, LinkError> {
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
            .map_err(LinkError::other)?
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
            .map_err(|_| LinkError::OpenTimeout {
                url: url.clone(),
                secs: opts.connect_timeout.as_secs(),
            })?
            .map_err(|source| LinkError::Open {
                url: url.clone(),
                source,
            })?;
    let mut sent = Vec::new();
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
        sent.push(text.clone());
        ws.send(Message::text(text))
            .await
            .map_err(|source| LinkError::Hello { url, source })?;
    }
    Ok(Opened {
        ws,
        sent,
        conn: ws_port,
    })
}

/// A copy of a frame with PIN and tokens replaced by `***`, for the inspector.
pub fn mask_secrets(text: &str) -> String {
    static KEYS: std::sync::LazyLock<crate::link::SecretKeys> = std::sync::LazyLock::new(|| {
        crate::link::SecretKeys::new(&[
            "credentials",
            "token",
            "tokenForHttpServer",
            "password",
            "pin",
            "newPin",
        ])
    });
    crate::link::mask_fields(text, &KEYS)
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
