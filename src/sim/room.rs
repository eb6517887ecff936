//! A TrueConf Room simulator: the HTTP server with `/public/<name>/config.json`, the WebSocket
//! control API at `/`, `/v1` and `/v2`, PIN auth, and the application state machine with the
//! demo world's peers behind it (room-api.md §1–3, python-peers.md Part B).
//!
//! It enforces the protocol as the reference describes: nothing but `auth` and
//! `setUsedApiVersion` before auth (answered with an error, never a dropped socket); admin-only
//! methods refused to a user-level session; a method it does not model answered with
//! `result:false` and an error saying so. Every reply echoes `method` and `requestId` ("" when
//! none was sent) and never carries an `event` key; every event carries `"method":"event"`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};

use super::world::{OnCall, World};
use crate::room::protocol::Fields;

/// How the simulated Room behaves.
#[derive(Debug, Clone)]
pub struct RoomSimConfig {
    pub world: Arc<World>,
    /// The administrator PIN. Without one, unsecured auth is accepted (as administrator).
    pub pin: Option<String>,
    /// A user-level PIN (user privileges only).
    pub user_pin: Option<String>,
    /// The `-t NAME` instance name served besides `default`.
    pub instance: Option<String>,
    /// How long an unanswered call rings before it times out (outgoing and incoming).
    pub call_timeout: Duration,
    /// Scales every peer delay from the world (answer, reject); tests use small factors.
    pub time_scale: f64,
    /// Start connected to the world's server and logged in (what `--demo` wants).
    pub logged_in: bool,
}

impl RoomSimConfig {
    pub fn new(world: Arc<World>) -> RoomSimConfig {
        RoomSimConfig {
            world,
            pin: None,
            user_pin: None,
            instance: None,
            call_timeout: Duration::from_secs(30),
            time_scale: 1.0,
            logged_in: false,
        }
    }

    fn scaled(&self, d: Duration) -> Duration {
        d.mul_f64(self.time_scale.max(0.0))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Admin,
    User,
}

/// The current call, as the state machine sees it.
#[derive(Debug, Clone, PartialEq)]
enum Call {
    Idle,
    Outgoing {
        peer: String,
        conf_id: String,
    },
    Incoming {
        peer: String,
        conf_id: String,
        conf_type: i64,
        title: String,
    },
    Conference(Conf),
}

#[derive(Debug, Clone, PartialEq)]
struct Conf {
    id: String,
    title: String,
    conf_type: i64,
    owner: String,
    /// Users in the conference other than the Room.
    participants: Vec<SimPeer>,
    /// Invited users who have not answered yet.
    invited: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct SimPeer {
    id: String,
    name: String,
    instance: String,
    mic: i64,
    video: i64,
}

struct SimState {
    app_state: i64,
    server: Option<(String, i64)>,
    login: Option<String>,
    call: Call,
    /// Bumped whenever the call changes, so a stale timer does nothing.
    generation: u64,
    next_conf: u64,
    mic_muted: bool,
    camera_muted: bool,
    speaker_muted: bool,
    settings: Map<String, Value>,
    devices: [usize; 3],
    history: Vec<Value>,
    tokens: HashMap<String, Role>,
    receiving_levels: HashMap<String, i64>,
    /// What the methods without a model of their own stored, by subject (see `generic`).
    generic: HashMap<String, Map<String, Value>>,
}

const MICS: &[(&str, &str)] = &[
    ("Simulated microphone", "sim-mic-0"),
    ("USB conference speakerphone", "sim-mic-1"),
];
const SPEAKERS: &[(&str, &str)] = &[
    ("Simulated speakers", "sim-spk-0"),
    ("HDMI display audio", "sim-spk-1"),
];
const CAMERAS: &[(&str, &str)] = &[
    ("Simulated PTZ camera", "sim-cam-0"),
    ("USB webcam", "sim-cam-1"),
];

struct Inner {
    cfg: RoomSimConfig,
    http_port: u16,
    ws_port: u16,
    state: Mutex<SimState>,
    events: broadcast::Sender<String>,
    /// Bumped to make every connection close.
    kick: watch::Sender<u64>,
    connections: watch::Sender<usize>,
}

/// A running Room simulator. Dropping it does not stop it; call [`RoomSim::shutdown`].
#[derive(Clone)]
pub struct RoomSim {
    inner: Arc<Inner>,
    shutdown: watch::Sender<bool>,
}

impl std::fmt::Debug for RoomSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomSim")
            .field("http_port", &self.inner.http_port)
            .field("ws_port", &self.inner.ws_port)
            .finish()
    }
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn event(name: &str, fields: Value) -> Map<String, Value> {
    let mut m = obj(fields);
    m.insert("event".into(), Value::String(name.into()));
    m.insert("method".into(), Value::String("event".into()));
    m
}

/// A method this simulator does not model one by one (most of the catalog's 260: PTZ, slides,
/// layouts, branding, …) answers from a generic store, so an administrator trying the API gets
/// what a Room would give in shape: a command's parameters are kept under its subject
/// (`setCrop` and `getCrop` share "Crop"), a `get…` reads them back with the catalog's reply
/// keys (neutral values where nothing was set yet), and a command announces the catalog's
/// follow-up event with its parameters.
fn generic(s: &mut SimState, method: &str, p: &Map<String, Value>) -> Outcome {
    let Some(spec) = crate::room::spec::method(method) else {
        return Outcome::err(format!("unknown method `{method}`"));
    };
    let getter = method.starts_with("get");
    let subject = method
        .strip_prefix("get")
        .or_else(|| method.strip_prefix("set"))
        .unwrap_or(method)
        .to_string();
    let params: Map<String, Value> = p
        .iter()
        .filter(|(k, _)| *k != "method" && *k != "requestId")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let stored = s.generic.entry(subject).or_default();
    if !getter {
        for (k, v) in &params {
            stored.insert(k.clone(), v.clone());
        }
    }
    let mut reply = Map::new();
    for &key in spec.response {
        let v = stored.get(key).cloned().unwrap_or_else(|| neutral(key));
        reply.insert(key.to_string(), v);
    }
    let mut events = Vec::new();
    if !getter {
        // The follow-up column may name several events, with prose around them.
        for word in spec
            .follow_up
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            if word != "appStateChanged" && crate::room::spec::event(word).is_some() {
                events.push(event(word, Value::Object(params.clone())));
            }
        }
    }
    Outcome {
        reply,
        events,
        ..Default::default()
    }
}

/// A reply key's value when nothing was stored: a list for plural names, false for flags,
/// 0 for counts and measures, else an empty string.
fn neutral(key: &str) -> Value {
    let k = key.to_ascii_lowercase();
    let ends = |suffixes: &[&str]| suffixes.iter().any(|x| k.ends_with(x));
    if ends(&[
        "list",
        "slots",
        "participants",
        "groups",
        "files",
        "requests",
        "cameras",
        "devices",
        "presets",
        "names",
        "calls",
        "chats",
        "messages",
        "contacts",
        "monitors",
        "modes",
        "controls",
    ]) {
        Value::Array(vec![])
    } else if k.starts_with("is")
        || k.starts_with("has")
        || k.starts_with("can")
        || ends(&["enabled", "state", "available", "muted", "active"])
    {
        Value::Bool(false)
    } else if ends(&[
        "count", "width", "height", "time", "level", "angle", "pos", "bitrate", "type", "port",
        "number", "size", "index", "id",
    ]) && !k.ends_with("peerid")
    {
        Value::from(0)
    } else if k == "properties" || k == "settings" {
        Value::Object(Map::new())
    } else {
        Value::String(String::new())
    }
}

fn app_state_event(state: i64, http_port: u16) -> Map<String, Value> {
    event(
        "appStateChanged",
        json!({"appState": state, "embeddedHttpPort": http_port, "extStatus": if state >= 3 { 2 } else { 0 },
               "additionalStatus": "", "desktopSharing": {"running": false}, "broadcastPicture": {"running": false},
               "audioCaptureTest": false, "recording": false}),
    )
}

/// What a command produced: the reply's extra fields (or an error), the events to announce,
/// and the peer actions to schedule.
#[derive(Default)]
struct Outcome {
    reply: Map<String, Value>,
    error: Option<String>,
    events: Vec<Map<String, Value>>,
    timers: Vec<(Duration, Timer)>,
}

impl Outcome {
    fn ok(reply: Value) -> Outcome {
        Outcome {
            reply: obj(reply),
            ..Default::default()
        }
    }
    fn err(msg: impl Into<String>) -> Outcome {
        Outcome {
            error: Some(msg.into()),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone)]
enum Timer {
    /// An outgoing call's peer answers, rejects or lets it time out.
    OutgoingResult {
        generation: u64,
        peer: String,
        action: OnCall,
    },
    /// An incoming call rang too long.
    IncomingTimeout { generation: u64 },
    /// An invitee answers the conference invitation.
    Invitee {
        conf_id: String,
        peer: String,
        action: OnCall,
    },
    /// A server that does not exist fails to connect.
    ConnectFails { server: String, port: i64 },
    /// A peer answers a chat message.
    ChatReply { peer: String, text: String },
}

impl RoomSim {
    /// Starts both servers. Port 0 picks a free port; the real ports are in `http_port()` and
    /// `ws_port()`.
    pub async fn start(
        cfg: RoomSimConfig,
        http: SocketAddr,
        ws: SocketAddr,
    ) -> std::io::Result<RoomSim> {
        let http_listener = TcpListener::bind(http).await?;
        let ws_listener = TcpListener::bind(ws).await?;
        let http_port = http_listener.local_addr()?.port();
        let ws_port = ws_listener.local_addr()?.port();
        let mut settings = Map::new();
        for (k, v) in [
            ("audioPlayLevel", json!(0.8)),
            ("audioCapturerLevel", json!(0.6)),
            ("autoAccept", json!(false)),
            ("enableAutologin", json!(true)),
            ("defaultMultiConfMatrix", json!(1)),
            ("language", json!("en")),
        ] {
            settings.insert(k.into(), v);
        }
        let logged_in = cfg.logged_in;
        let world_server = cfg.world.server.clone();
        let operator = cfg.world.user("operator").map(|u| cfg.world.full_id(u));
        let state = SimState {
            app_state: if logged_in { 3 } else { 0 },
            server: logged_in.then_some((world_server, 4307)),
            login: if logged_in { operator } else { None },
            call: Call::Idle,
            generation: 0,
            next_conf: 1,
            mic_muted: false,
            camera_muted: false,
            speaker_muted: false,
            settings,
            devices: [0, 0, 0],
            history: Vec::new(),
            tokens: HashMap::new(),
            receiving_levels: HashMap::new(),
            generic: HashMap::new(),
        };
        let (events, _) = broadcast::channel(4096);
        let inner = Arc::new(Inner {
            cfg,
            http_port,
            ws_port,
            state: Mutex::new(state),
            events,
            kick: watch::channel(0).0,
            connections: watch::channel(0).0,
        });
        let (shutdown, _) = watch::channel(false);

        let http_app = Router::new()
            .route("/public/{name}/config.json", get(config_json))
            .with_state(inner.clone());
        let ws_app = Router::new().fallback(ws_upgrade).with_state(inner.clone());
        for (listener, app) in [(http_listener, http_app), (ws_listener, ws_app)] {
            let mut stop = shutdown.subscribe();
            tokio::spawn(async move {
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|s| *s).await;
                    })
                    .await;
            });
        }
        Ok(RoomSim { inner, shutdown })
    }

    pub fn http_port(&self) -> u16 {
        self.inner.http_port
    }

    pub fn world(&self) -> &World {
        &self.inner.cfg.world
    }

    /// The demo world's spontaneous actors: dave calls the Room `first` after start, then
    /// every `every`, whenever the Room is idle. They stop with the simulator.
    pub fn start_actors(&self, first: Duration, every: Duration) {
        let me = self.clone();
        let mut stop = self.shutdown.subscribe();
        tokio::spawn(async move {
            let mut wait = first;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                if me.app_state() == 3 && me.world().user("dave").is_some() {
                    let _ = me.incoming_call("dave");
                }
                wait = every;
            }
        });
    }

    pub fn ws_port(&self) -> u16 {
        self.inner.ws_port
    }

    /// Stops accepting connections and closes the open ones.
    pub fn shutdown(&self) {
        let _ = self.shutdown.send(true);
        self.drop_connections();
    }

    /// Closes every open WebSocket (the link must reconnect).
    pub fn drop_connections(&self) {
        self.inner.kick.send_modify(|n| *n += 1);
    }

    /// Waits until `n` WebSocket connections are open.
    pub async fn wait_connections(&self, n: usize) {
        let mut rx = self.inner.connections.subscribe();
        let _ = rx.wait_for(|c| *c == n).await;
    }

    /// The application state now.
    pub fn app_state(&self) -> i64 {
        self.inner.lock().app_state
    }

    /// A user calls the Room (room-api.md §3.2: inviteReceived, appStateChanged 4).
    pub fn incoming_call(&self, from: &str) -> Result<(), String> {
        self.inner.incoming(from, 0, None)
    }

    /// A user invites the Room into a group conference.
    pub fn incoming_invitation(&self, from: &str, title: &str) -> Result<(), String> {
        self.inner.incoming(from, 1, Some(title.to_string()))
    }

    /// The other side of a call hangs up, or a participant leaves a conference.
    pub fn peer_hangs_up(&self, who: &str) -> Result<(), String> {
        self.inner.peer_leaves(who)
    }

    /// A participant switches its microphone or camera (0 none, 1 muted, 2 on).
    pub fn peer_devices(&self, who: &str, mic: i64, video: i64) -> Result<(), String> {
        self.inner.peer_devices(who, mic, video)
    }

    /// A chat message from a user to the Room.
    pub fn chat_from(&self, who: &str, text: &str) -> Result<(), String> {
        let inner = &self.inner;
        let s = inner.lock();
        let u = inner
            .cfg
            .world
            .user(who)
            .ok_or_else(|| format!("no user {who}"))?;
        let id = inner.cfg.world.full_id(u);
        let e = event(
            "incomingChatMessage",
            json!({"peerId": id, "peerDn": u.name, "message": text, "time": now_secs(), "chatId": id}),
        );
        inner.publish(&s, vec![e]);
        Ok(())
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, SimState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends events to every authorised connection, in order. Called with the state locked, so
    /// the order of events matches the order of state changes.
    fn publish(&self, _locked: &SimState, events: Vec<Map<String, Value>>) {
        for e in events {
            let _ = self.events.send(Value::Object(e).to_string());
        }
    }

    fn room_id(&self, s: &SimState) -> String {
        s.login
            .clone()
            .unwrap_or_else(|| format!("room@{}", self.cfg.world.server))
    }

    fn room_name(&self, s: &SimState) -> String {
        s.login
            .as_deref()
            .and_then(|id| self.cfg.world.user(id))
            .map(|u| u.name.clone())
            .unwrap_or_else(|| "TrueConf Room".into())
    }

    fn set_state(&self, s: &mut SimState, state: i64, events: &mut Vec<Map<String, Value>>) {
        s.app_state = state;
        events.push(app_state_event(state, self.http_port));
    }

    fn new_conf_id(&self, s: &mut SimState) -> String {
        let n = s.next_conf;
        s.next_conf += 1;
        format!("{:016x}@{}#vcs", 0x8000_0000u64 + n, self.cfg.world.server)
    }

    fn peer_of(&self, id: &str) -> Option<SimPeer> {
        let u = self.cfg.world.user(id)?;
        Some(SimPeer {
            id: self.cfg.world.full_id(u),
            name: u.name.clone(),
            instance: format!(
                "{}/{:08x}",
                self.cfg.world.full_id(u),
                u.id.bytes()
                    .fold(0x811c9dc5u32, |h, b| (h ^ b as u32).wrapping_mul(16777619))
            ),
            mic: 2,
            video: 2,
        })
    }

    fn joined_event(&self, p: &SimPeer, conf_id: &str) -> Map<String, Value> {
        event(
            "newParticipantInConference",
            json!({"peerId": p.instance, "peerDn": p.name, "confId": conf_id, "mic": p.mic, "video": p.video, "role": 1,
                   "slideShow": false, "broadcast": false, "recordingMe": false, "recordingByMe": false, "leaderType": 0,
                   "pinned": false, "isInWaitingRoom": false}),
        )
    }

    fn conference_created(&self, s: &SimState, c: &Conf, peer: Option<&str>) -> Map<String, Value> {
        let mut e = event(
            "conferenceCreated",
            json!({"confId": c.id, "confTitle": c.title, "confType": c.conf_type, "conferenceOwner": c.owner,
                   "joinUrl": format!("https://{}/c/{}", self.cfg.world.server, c.id.split('@').next().unwrap_or("")),
                   "realTimeConferenceManagmentUrl": "", "isSmartMeeting": false, "isWaitingRoomSwitchingSupported": true,
                   "isWaitingRoomEnabled": false, "isInWaitingRoom": false, "maxParticipants": 450,
                   "maxParticipantsOnPodium": 4}),
        );
        if let Some(p) = peer {
            e.insert("peerId".into(), Value::String(p.into()));
        }
        let _ = s;
        e
    }

    fn end_conference(&self, s: &mut SimState, events: &mut Vec<Map<String, Value>>) {
        if let Call::Conference(c) = std::mem::replace(&mut s.call, Call::Idle) {
            s.generation += 1;
            self.set_state(s, 6, events);
            events.push(event("conferenceDeleted", json!({"confId": c.id})));
            self.set_state(s, 3, events);
        }
    }

    fn record_call(
        &self,
        s: &mut SimState,
        kind: i64,
        conf_type: i64,
        peer: &SimPeer,
        conf_id: &str,
    ) {
        s.history.push(json!({"type": kind, "confType": conf_type, "peerId": peer.id, "peerDn": peer.name,
            "startTime": now_secs(), "duration": 0, "viewed": false, "streamId": conf_id, "confId": conf_id}));
    }

    fn schedule(self: &Arc<Self>, timers: Vec<(Duration, Timer)>) {
        for (delay, t) in timers {
            let me = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                me.fire(t);
            });
        }
    }

    fn fire(self: &Arc<Self>, t: Timer) {
        let mut s = self.lock();
        let mut ev = Vec::new();
        match t {
            Timer::OutgoingResult {
                generation,
                peer,
                action,
            } => {
                if s.generation != generation || !matches!(s.call, Call::Outgoing { .. }) {
                    return;
                }
                let Call::Outgoing { conf_id, .. } = s.call.clone() else {
                    return;
                };
                let Some(p) = self.peer_of(&peer) else { return };
                s.generation += 1;
                match action {
                    OnCall::Answer => {
                        let c = Conf {
                            id: conf_id.clone(),
                            title: String::new(),
                            conf_type: 0,
                            owner: self.room_id(&s),
                            participants: vec![p.clone()],
                            invited: vec![],
                        };
                        ev.push(self.conference_created(&s, &c, Some(&p.id)));
                        s.call = Call::Conference(c);
                        self.set_state(&mut s, 5, &mut ev);
                        ev.push(self.joined_event(&p, &conf_id));
                    }
                    OnCall::Reject | OnCall::Ignore => {
                        let cause = if action == OnCall::Reject { 0 } else { 16 };
                        ev.push(event("rejectReceived", json!({"cause": cause, "peerId": p.id, "peerDn": p.name, "confId": conf_id})));
                        s.call = Call::Idle;
                        self.set_state(&mut s, 3, &mut ev);
                    }
                }
            }
            Timer::IncomingTimeout { generation } => {
                if s.generation != generation {
                    return;
                }
                if let Call::Incoming { peer, .. } = s.call.clone() {
                    s.generation += 1;
                    s.call = Call::Idle;
                    ev.push(event("stopCalling", json!({"peerId": peer, "side": 1})));
                    self.set_state(&mut s, 3, &mut ev);
                }
            }
            Timer::Invitee {
                conf_id,
                peer,
                action,
            } => {
                let Some(p) = self.peer_of(&peer) else { return };
                let Call::Conference(c) = &mut s.call else {
                    return;
                };
                if c.id != conf_id || !c.invited.contains(&p.id) {
                    return;
                }
                c.invited.retain(|i| i != &p.id);
                match action {
                    OnCall::Answer => {
                        c.participants.push(p.clone());
                        ev.push(self.joined_event(&p, &conf_id));
                    }
                    OnCall::Reject | OnCall::Ignore => {
                        let cause = if action == OnCall::Reject { 0 } else { 16 };
                        ev.push(event("rejectReceived", json!({"cause": cause, "peerId": p.id, "peerDn": p.name, "confId": conf_id})));
                    }
                }
            }
            Timer::ConnectFails { server, port } => {
                if s.app_state == 1 && s.server.is_none() {
                    ev.push(event(
                        "serverDisconnected",
                        json!({"service": false, "server": server, "port": port}),
                    ));
                    self.set_state(&mut s, 0, &mut ev);
                }
            }
            Timer::ChatReply { peer, text } => {
                if let Some(p) = self.peer_of(&peer) {
                    ev.push(event("incomingChatMessage", json!({"peerId": p.id, "peerDn": p.name, "message": text, "time": now_secs(), "chatId": p.id})));
                }
            }
        }
        self.publish(&s, ev);
    }

    fn incoming(
        self: &Arc<Self>,
        from: &str,
        conf_type: i64,
        title: Option<String>,
    ) -> Result<(), String> {
        let p = self
            .peer_of(from)
            .ok_or_else(|| format!("no user `{from}` in the demo world"))?;
        let mut s = self.lock();
        if s.app_state != 3 {
            return Err(format!(
                "the Room cannot be called in state {}",
                s.app_state
            ));
        }
        let conf_id = self.new_conf_id(&mut s);
        s.generation += 1;
        let generation = s.generation;
        let mut ev = vec![event(
            "inviteReceived",
            json!({"peerId": p.id, "peerDn": p.name, "type": conf_type, "confId": conf_id, "confTitle": title.clone().unwrap_or_default()}),
        )];
        s.call = Call::Incoming {
            peer: p.id.clone(),
            conf_id,
            conf_type,
            title: title.unwrap_or_default(),
        };
        self.set_state(&mut s, 4, &mut ev);
        self.publish(&s, ev);
        drop(s);
        self.schedule(vec![(
            self.cfg.call_timeout,
            Timer::IncomingTimeout { generation },
        )]);
        Ok(())
    }

    fn peer_leaves(&self, who: &str) -> Result<(), String> {
        let p = self
            .peer_of(who)
            .ok_or_else(|| format!("no user `{who}`"))?;
        let mut s = self.lock();
        let mut ev = Vec::new();
        match &mut s.call {
            Call::Conference(c)
                if c.conf_type == 0 && c.participants.iter().any(|x| x.id == p.id) =>
            {
                ev.push(event(
                    "participantLeftConference",
                    json!({"peerId": p.instance, "confId": c.id}),
                ));
                self.end_conference(&mut s, &mut ev);
            }
            Call::Conference(c) if c.participants.iter().any(|x| x.id == p.id) => {
                c.participants.retain(|x| x.id != p.id);
                ev.push(event(
                    "participantLeftConference",
                    json!({"peerId": p.instance, "confId": c.id}),
                ));
            }
            Call::Incoming { peer, .. } if *peer == p.id => {
                let peer = peer.clone();
                s.call = Call::Idle;
                s.generation += 1;
                ev.push(event("stopCalling", json!({"peerId": peer, "side": 1})));
                self.set_state(&mut s, 3, &mut ev);
            }
            _ => return Err(format!("{} is not in a call with the Room", p.id)),
        }
        self.publish(&s, ev);
        Ok(())
    }

    fn peer_devices(&self, who: &str, mic: i64, video: i64) -> Result<(), String> {
        let p = self
            .peer_of(who)
            .ok_or_else(|| format!("no user `{who}`"))?;
        let mut s = self.lock();
        let Call::Conference(c) = &mut s.call else {
            return Err("no conference".into());
        };
        let conf_id = c.id.clone();
        let Some(x) = c.participants.iter_mut().find(|x| x.id == p.id) else {
            return Err(format!("{} is not in the conference", p.id));
        };
        x.mic = mic;
        x.video = video;
        let e = event(
            "deviceStatusReceived",
            json!({"peerId": x.instance, "mic": mic, "video": video, "confId": conf_id}),
        );
        self.publish(&s, vec![e]);
        Ok(())
    }

    fn hardware(&self, s: &SimState) -> Map<String, Value> {
        let list = |l: &[(&str, &str)]| -> Value {
            l.iter()
                .map(|(n, d)| json!({"name": n, "description": d, "type": 1, "connected": true}))
                .collect()
        };
        fn cur(
            l: &'static [(&'static str, &'static str)],
            i: usize,
        ) -> (&'static str, &'static str) {
            l.get(i).copied().unwrap_or(("none", "none"))
        }
        let (m, sp, c) = (
            cur(MICS, s.devices[0]),
            cur(SPEAKERS, s.devices[1]),
            cur(CAMERAS, s.devices[2]),
        );
        obj(json!({
            "audioCapturers": list(MICS), "currentAudioCapturerName": m.0, "currentAudioCapturerDescription": m.1, "currentAudioCapturerType": 1,
            "audioRenderers": list(SPEAKERS), "currentAudioRendererName": sp.0, "currentAudioRendererDescription": sp.1, "currentAudioRendererType": 1,
            "videoCapturers": list(CAMERAS), "currentVideoCapturerName": c.0, "currentVideoCapturerDescription": c.1, "currentVideoCapturerType": 1,
            "DSCaptureList": []
        }))
    }

    fn system_info(&self, s: &SimState) -> Value {
        let mut v = json!({
            "fileInfo": {"major": 5, "minor": 0, "revision": 0, "build": 0},
            "productInfo": {"major": 5, "minor": 0, "revision": 0, "build": 0},
            "bitrateLimits": {"max": 20480, "min": 32},
            "systemRating": {"videoQuality": {"send": "FHD", "receiveP2P": "FHD", "receiveGroup": "FHD"}},
            "cameraInfo": {"name": CAMERAS[s.devices[2].min(CAMERAS.len() - 1)].0},
        });
        if let (Some(id), Value::Object(m)) = (&s.login, &mut v) {
            m.insert(
                "authInfo".into(),
                json!({"peerId": id, "peerDn": self.room_name(s)}),
            );
            m.insert(
                "permissionsInfo".into(),
                json!({"tariffName": "", "p2p": true, "createMulti": true, "symMaxNumber": 10, "asymMaxNumber": 10,
                       "roleMaxNumber": 10, "rlMaxNumber": 4, "canUseSlideShow": true, "canUseDesktopSharing": true,
                       "canChangeAddressBook": true, "canEditGroups": true, "canUseDialer": false}),
            );
        }
        v
    }

    /// Handles one command from an authorised connection.
    fn command(self: &Arc<Self>, role: Role, method: &str, p: &Map<String, Value>) -> Outcome {
        let Some(spec) = crate::room::spec::method(method) else {
            return Outcome::err(format!("unknown method `{method}`"));
        };
        if spec.admin_only && role != Role::Admin {
            return Outcome::err(format!(
                "`{method}` needs administrator rights; this session has user rights"
            ));
        }
        let problems = spec.validate(p);
        if let Some(first) = problems.first() {
            return Outcome::err(format!("bad parameters: {first}"));
        }
        let mut s = self.lock();
        let mut o = self.dispatch(&mut s, method, p);
        let events = std::mem::take(&mut o.events);
        // Events are announced after the reply (the connection sends the reply first).
        self.publish(&s, events);
        o
    }

    fn dispatch(
        self: &Arc<Self>,
        s: &mut SimState,
        method: &str,
        p: &Map<String, Value>,
    ) -> Outcome {
        let world = self.cfg.world.clone();
        let mut ev = Vec::new();
        let mut o = match method {
            "setUsedApiVersion" => return set_api_version(p),
            "getAppState" => {
                let mut m = app_state_event(s.app_state, self.http_port);
                m.remove("event");
                m.remove("method");
                Outcome {
                    reply: m,
                    ..Default::default()
                }
            }
            "getSettings" => {
                let list: Vec<Value> = s
                    .settings
                    .iter()
                    .map(|(k, v)| json!({"name": k, "value": v}))
                    .collect();
                Outcome::ok(json!({ "settings": list }))
            }
            "setSettings" => {
                let Some(Value::Object(new)) = p.get("settings") else {
                    return Outcome::err("`settings` must be an object");
                };
                for (k, v) in new {
                    if k == "audioPlayLevel"
                        && !v.as_f64().is_some_and(|f| (0.0..=1.0).contains(&f))
                    {
                        return Outcome::err("audioPlayLevel must be a number from 0.0 to 1.0");
                    }
                }
                for (k, v) in new {
                    s.settings.insert(k.clone(), v.clone());
                    ev.push(event("settingsChanged", json!({"name": k, "value": v})));
                }
                Outcome::default()
            }
            "getSystemInfo" => Outcome::ok(self.system_info(s)),
            "getMonitorsInfo" => Outcome::ok(
                json!({"monitors": [{"index": 0, "name": "Simulated display", "width": 1920, "height": 1080}], "currentMonitor": 0}),
            ),
            "getAuthInfo" => Outcome::ok(json!({
                "adminAuth": {"security": if self.cfg.pin.is_some() { "pin" } else { "unsecured" }},
                "userAuth": {"security": if self.cfg.user_pin.is_some() || self.cfg.pin.is_some() { "pin" } else { "unsecured" }}
            })),
            "getTokenForHttpServer" => {
                Outcome::ok(json!({"token": format!("4*sim*{}", now_secs())}))
            }
            "getLogin" => match &s.login {
                Some(id) => Outcome::ok(
                    json!({"isLoggedIn": true, "peerId": id, "peerDn": self.room_name(s)}),
                ),
                None => Outcome::ok(json!({"isLoggedIn": false, "peerId": "", "peerDn": ""})),
            },
            "getConnected" => match &s.server {
                Some((srv, port)) => Outcome::ok(
                    json!({"state": 2, "serverInfo": {"server": srv, "service": false, "port": port, "domain": world.server}}),
                ),
                None => Outcome::ok(json!({"state": if s.app_state == 1 { 1 } else { 0 }})),
            },
            "getServerDomain" => match &s.server {
                Some(_) => Outcome::ok(json!({"domain": world.server})),
                None => Outcome::err("not connected to a server"),
            },
            "connectToServer" => {
                if s.app_state != 0 {
                    return Outcome::err(format!(
                        "already connected (application state {})",
                        s.app_state
                    ));
                }
                let server = p.str_of("server").unwrap_or_default();
                let port = p.i64_of("port").unwrap_or(4307);
                self.set_state(s, 1, &mut ev);
                let known = server.eq_ignore_ascii_case(&world.server)
                    || server == "127.0.0.1"
                    || server.eq_ignore_ascii_case("localhost");
                let mut o = Outcome::default();
                if known {
                    s.server = Some((server.clone(), port));
                    ev.push(event("serverConnected", json!({"service": false, "server": server, "port": port, "domain": world.server})));
                    self.set_state(s, 2, &mut ev);
                } else {
                    o.timers.push((
                        self.cfg.scaled(Duration::from_secs(2)),
                        Timer::ConnectFails { server, port },
                    ));
                }
                o
            }
            "login" => {
                if s.app_state != 2 {
                    return Outcome::err(format!(
                        "login needs a server connection and no account (application state {})",
                        s.app_state
                    ));
                }
                let login = p.str_of("login").unwrap_or_default();
                let password = p.str_of("password").unwrap_or_default();
                match world.user(&login).filter(|u| u.password() == password) {
                    Some(u) => {
                        let id = world.full_id(u);
                        s.login = Some(id.clone());
                        ev.push(event(
                            "login",
                            json!({"result": 0, "peerId": id, "peerDn": u.name}),
                        ));
                        self.set_state(s, 3, &mut ev);
                        ev.push(event(
                            "abReceivedAfterLogin",
                            json!({"abook": self.abook(s)}),
                        ));
                    }
                    None => ev.push(event(
                        "login",
                        json!({"result": 3, "peerId": login, "peerDn": ""}),
                    )),
                }
                // The superset py-lib's filter wants; the outcome is the login event.
                Outcome::ok(json!({"isLoggedIn": false, "peerId": "", "peerDn": ""}))
            }
            "logout" => {
                if s.login.is_none() {
                    return Outcome::err("no account is logged in");
                }
                s.generation += 1;
                s.call = Call::Idle;
                s.login = None;
                ev.push(event("logout", json!({"result": 0, "cause": 0})));
                self.set_state(s, 2, &mut ev);
                Outcome::default()
            }
            "call" => self.call(s, p.str_of("peerId").unwrap_or_default(), &mut ev),
            "accept" => {
                let Call::Incoming {
                    peer,
                    conf_id,
                    conf_type,
                    title,
                } = s.call.clone()
                else {
                    return Outcome::err("there is no incoming call to accept");
                };
                let Some(pp) = self.peer_of(&peer) else {
                    return Outcome::err("the caller vanished");
                };
                s.generation += 1;
                let c = Conf {
                    id: conf_id.clone(),
                    title: title.clone(),
                    conf_type,
                    owner: if conf_type == 0 {
                        self.room_id(s)
                    } else {
                        pp.id.clone()
                    },
                    participants: vec![pp.clone()],
                    invited: vec![],
                };
                ev.push(self.conference_created(s, &c, (conf_type == 0).then_some(pp.id.as_str())));
                s.call = Call::Conference(c);
                self.set_state(s, 5, &mut ev);
                ev.push(self.joined_event(&pp, &conf_id));
                self.record_call(s, 0, conf_type.min(1), &pp, &conf_id);
                Outcome::default()
            }
            "reject" => {
                let Call::Incoming { peer, conf_id, .. } = s.call.clone() else {
                    return Outcome::err("there is no incoming call to reject");
                };
                self.reject_incoming(s, &peer, &conf_id, &mut ev);
                Outcome::default()
            }
            "hangUp" => {
                let for_all = p.bool_of("forAll").unwrap_or(false);
                match s.call.clone() {
                    Call::Idle => return Outcome::err("there is no call to hang up"),
                    Call::Outgoing { peer, .. } => {
                        s.generation += 1;
                        s.call = Call::Idle;
                        ev.push(event("stopCalling", json!({"peerId": peer, "side": 0})));
                        self.set_state(s, 3, &mut ev);
                    }
                    Call::Incoming { peer, conf_id, .. } => {
                        self.reject_incoming(s, &peer, &conf_id, &mut ev)
                    }
                    Call::Conference(c) => {
                        if for_all && (c.conf_type == 0 || c.owner != self.room_id(s)) {
                            return Outcome::err(
                                "only the owner of a group conference can end it for all",
                            );
                        }
                        self.end_conference(s, &mut ev);
                    }
                }
                Outcome::default()
            }
            "createConference" => {
                if s.app_state != 3 {
                    return Outcome::err(format!(
                        "a conference needs a logged-in, idle Room (application state {})",
                        s.app_state
                    ));
                }
                let conf_type = match p.str_of("confType").as_deref().unwrap_or("symmetric") {
                    "symmetric" => 1,
                    "asymmetric" | "assymetric" => 2,
                    "role" => 3,
                    other => {
                        return Outcome::err(format!(
                            "confType `{other}` is not symmetric, asymmetric or role"
                        ));
                    }
                };
                let id = self.new_conf_id(s);
                s.generation += 1;
                let c = Conf {
                    id: id.clone(),
                    title: p.str_of("title").unwrap_or_default(),
                    conf_type,
                    owner: self.room_id(s),
                    participants: vec![],
                    invited: vec![],
                };
                ev.push(self.conference_created(s, &c, None));
                s.call = Call::Conference(c);
                self.set_state(s, 5, &mut ev);
                let mut o = Outcome::default();
                let invites: Vec<String> = p
                    .get("inviteList")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                for who in invites {
                    o.timers.extend(self.invite(s, &who, &mut ev));
                }
                o
            }
            "inviteToConference" => {
                if !matches!(s.call, Call::Conference(ref c) if c.conf_type != 0) {
                    return Outcome::err("there is no group conference to invite into");
                }
                let who = p.str_of("peerId").unwrap_or_default();
                if self.peer_of(&who).is_none() {
                    return Outcome::err(format!("no user `{who}` on this server"));
                }
                Outcome {
                    timers: self.invite(s, &who, &mut ev),
                    ..Default::default()
                }
            }
            "kickPeer" => {
                let who = p.str_of("peerId").unwrap_or_default();
                let Some(pp) = self.peer_of(&who) else {
                    return Outcome::err(format!("no user `{who}`"));
                };
                let Call::Conference(c) = &mut s.call else {
                    return Outcome::err("there is no conference");
                };
                if !c.participants.iter().any(|x| x.id == pp.id) {
                    return Outcome::err(format!("{} is not in the conference", pp.id));
                }
                c.participants.retain(|x| x.id != pp.id);
                ev.push(event(
                    "participantLeftConference",
                    json!({"peerId": pp.instance, "confId": c.id}),
                ));
                Outcome::default()
            }
            "getConferences" => match &s.call {
                Call::Conference(c) if c.conf_type == 0 => {
                    let peer = c.participants.first();
                    Outcome::ok(
                        json!({"confId": c.id, "type": "p2p", "direction": "outgoing", "confType": 0,
                        "peerId": peer.map(|p| p.id.clone()).unwrap_or_default(), "peerDn": peer.map(|p| p.name.clone()).unwrap_or_default(), "confState": 0}),
                    )
                }
                Call::Conference(c) => Outcome::ok(
                    json!({"confId": c.id, "confType": c.conf_type, "confTitle": c.title,
                    "conferenceOwner": c.owner, "duration": 0, "joinUrl": "", "realTimeConferenceManagmentUrl": "", "confState": 1,
                    "isSmartMeeting": false, "slideShowPresent": false, "autoJoin": false, "maxParticipants": 450}),
                ),
                _ => Outcome::ok(json!({"confId": ""})),
            },
            "getConferenceParticipants" => match &s.call {
                Call::Conference(c) => {
                    let mut list = vec![
                        json!({"peerId": format!("{}/room", self.room_id(s)), "peerDn": self.room_name(s),
                        "mic": if s.mic_muted { 1 } else { 2 }, "video": if s.camera_muted { 1 } else { 2 }, "role": if c.owner == self.room_id(s) { 2 } else { 1 },
                        "slideShow": false, "leaderType": 0, "broadcast": false, "pinned": false}),
                    ];
                    for x in &c.participants {
                        list.push(json!({"peerId": x.instance, "peerDn": x.name, "mic": x.mic, "video": x.video, "role": 1,
                            "slideShow": false, "leaderType": 0, "broadcast": false, "pinned": false, "isInWaitingRoom": false}));
                    }
                    Outcome::ok(json!({"confId": c.id, "participants": list}))
                }
                _ => Outcome::ok(json!({"confId": "", "participants": []})),
            },
            "getMicMute" => Outcome::ok(json!({"mute": s.mic_muted})),
            "getVideoMute" => Outcome::ok(json!({"mute": s.camera_muted})),
            "getAudioMute" => Outcome::ok(json!({"mute": s.speaker_muted})),
            "setMicMute" | "setVideoMute" | "setAudioMute" => {
                let mute = p.bool_of("mute").unwrap_or(false);
                let (flag, name) = match method {
                    "setMicMute" => (&mut s.mic_muted, "audioCapturerMute"),
                    "setVideoMute" => (&mut s.camera_muted, "videoCapturerMute"),
                    _ => (&mut s.speaker_muted, "audioRendererMute"),
                };
                *flag = mute;
                ev.push(event(name, json!({ "mute": mute })));
                Outcome::default()
            }
            "getAudioReceivingLevel" => {
                let who = p.str_of("peerId").unwrap_or_default();
                Outcome::ok(json!({"level": s.receiving_levels.get(&who).copied().unwrap_or(100)}))
            }
            "setAudioReceivingLevel" => {
                s.receiving_levels.insert(
                    p.str_of("peerId").unwrap_or_default(),
                    p.i64_of("level").unwrap_or(100),
                );
                Outcome::default()
            }
            "getHardware" => Outcome {
                reply: self.hardware(s),
                ..Default::default()
            },
            "setAudioCapturer" | "setAudioRenderer" | "setVideoCapturer" => {
                let (list, slot) = match method {
                    "setAudioCapturer" => (MICS, 0),
                    "setAudioRenderer" => (SPEAKERS, 1),
                    _ => (CAMERAS, 2),
                };
                let name = p.str_of("name").unwrap_or_default();
                let idx = if name == "none" {
                    list.len()
                } else {
                    match list.iter().position(|(n, _)| *n == name) {
                        Some(i) => i,
                        None => return Outcome::err(format!("no device named `{name}`")),
                    }
                };
                s.devices[slot] = idx;
                let mut e = self.hardware(s);
                e.insert("event".into(), Value::String("hardwareChanged".into()));
                e.insert("method".into(), Value::String("event".into()));
                ev.push(e);
                Outcome::default()
            }
            "getAbook" => Outcome::ok(json!({"abook": self.abook(s)})),
            "getCallHistory" => {
                let n = p.i64_of("count").unwrap_or(20).max(0) as usize;
                let calls: Vec<Value> = s.history.iter().rev().take(n).cloned().collect();
                Outcome::ok(json!({"calls": calls, "lastView": 0}))
            }
            "clearCallHistory" => {
                s.history.clear();
                ev.push(event("callHistoryCleared", json!({})));
                Outcome::default()
            }
            "fireMyEvent" => {
                ev.push(event(
                    "myEvent",
                    json!({"data": p.str_of("data").unwrap_or_default()}),
                ));
                Outcome::default()
            }
            "sendMessage" => {
                let who = p.str_of("peerId").unwrap_or_default();
                let Some(u) = world.user(&who) else {
                    return Outcome::err(format!("no user `{who}`"));
                };
                let mut o = Outcome::default();
                if u.call == OnCall::Answer && u.id != "operator" {
                    let text = format!("Got it: {}", p.str_of("message").unwrap_or_default());
                    o.timers.push((
                        self.cfg.scaled(Duration::from_millis(500)),
                        Timer::ChatReply {
                            peer: u.id.clone(),
                            text,
                        },
                    ));
                }
                ev.push(event("chatMessageSent", json!({"peerId": world.full_id(u), "message": p.str_of("message").unwrap_or_default(), "time": now_secs()})));
                o
            }
            other => generic(s, other, p),
        };
        o.events.extend(ev);
        let timers = std::mem::take(&mut o.timers);
        if !timers.is_empty() {
            let me = self.clone();
            // Scheduled after the reply and the events of this command are out.
            tokio::spawn(async move { me.schedule(timers) });
        }
        o
    }

    fn abook(&self, s: &SimState) -> Vec<Value> {
        let me = s.login.clone().unwrap_or_default();
        self.cfg
            .world
            .users
            .iter()
            .filter(|u| self.cfg.world.full_id(u) != me)
            .map(|u| json!({"peerId": self.cfg.world.full_id(u), "peerDn": u.name, "status": 1, "extStatus": 2, "isEditable": true, "lastOnlineTime": 0, "additionalStatus": ""}))
            .collect()
    }

    fn call(&self, s: &mut SimState, peer: String, ev: &mut Vec<Map<String, Value>>) -> Outcome {
        if s.app_state != 3 {
            return Outcome::err(format!(
                "calls need a logged-in, idle Room (application state {})",
                s.app_state
            ));
        }
        let conf_id = self.new_conf_id(s);
        s.generation += 1;
        let generation = s.generation;
        let Some(u) = self
            .cfg
            .world
            .user(&peer)
            .filter(|u| Some(self.cfg.world.full_id(u)) != s.login)
        else {
            // Accepted for execution; the outcome comes as events (room-api.md §2.2).
            self.set_state(s, 4, ev);
            ev.push(event(
                "rejectReceived",
                json!({"cause": 5, "peerId": peer, "peerDn": "", "confId": conf_id}),
            ));
            self.set_state(s, 3, ev);
            return Outcome::default();
        };
        let p = self.peer_of(&u.id).expect("user exists");
        s.call = Call::Outgoing {
            peer: p.id.clone(),
            conf_id: conf_id.clone(),
        };
        self.set_state(s, 4, ev);
        ev.push(event(
            "inviteSent",
            json!({"peerId": p.id, "peerDn": p.name, "confType": 0, "confId": conf_id}),
        ));
        self.record_call(s, 1, 0, &p, &conf_id);
        let delay = match u.call {
            OnCall::Answer => self.cfg.scaled(u.answer_after()),
            OnCall::Reject => self.cfg.scaled(u.reject_after()),
            OnCall::Ignore => self.cfg.call_timeout,
        };
        Outcome {
            timers: vec![(
                delay,
                Timer::OutgoingResult {
                    generation,
                    peer: p.id,
                    action: u.call,
                },
            )],
            ..Default::default()
        }
    }

    fn invite(
        &self,
        s: &mut SimState,
        who: &str,
        ev: &mut Vec<Map<String, Value>>,
    ) -> Vec<(Duration, Timer)> {
        let Some(u) = self.cfg.world.user(who) else {
            ev.push(event(
                "rejectReceived",
                json!({"cause": 5, "peerId": who, "peerDn": ""}),
            ));
            return vec![];
        };
        let p = self.peer_of(&u.id).expect("user exists");
        let Call::Conference(c) = &mut s.call else {
            return vec![];
        };
        if c.participants.iter().any(|x| x.id == p.id) || c.invited.contains(&p.id) {
            return vec![];
        }
        c.invited.push(p.id.clone());
        ev.push(event(
            "inviteSent",
            json!({"peerId": p.id, "peerDn": p.name, "confType": c.conf_type, "confId": c.id}),
        ));
        let delay = match u.call {
            OnCall::Answer => self.cfg.scaled(u.answer_after()),
            OnCall::Reject => self.cfg.scaled(u.reject_after()),
            OnCall::Ignore => self.cfg.call_timeout,
        };
        vec![(
            delay,
            Timer::Invitee {
                conf_id: c.id.clone(),
                peer: p.id,
                action: u.call,
            },
        )]
    }

    fn reject_incoming(
        &self,
        s: &mut SimState,
        peer: &str,
        conf_id: &str,
        ev: &mut Vec<Map<String, Value>>,
    ) {
        let name = self
            .cfg
            .world
            .user(peer)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        s.generation += 1;
        s.call = Call::Idle;
        ev.push(event("rejectSent", json!({"peerId": peer, "peerDn": name, "cause": 0, "confId": conf_id, "recordAllowed": false})));
        self.set_state(s, 3, ev);
        if let Some(p) = self.peer_of(peer) {
            self.record_call(s, 2, 0, &p, conf_id);
        }
    }

    /// Authenticates: returns the role, or the error text.
    fn auth(&self, p: &Map<String, Value>) -> Result<Role, String> {
        let kind = p.str_of("type");
        let creds = p.str_of("credentials");
        let want = p.str_of("role");
        let granted = match (kind.as_deref(), creds) {
            (Some("secured"), Some(c)) => {
                if self.cfg.pin.as_deref() == Some(c.as_str()) {
                    Role::Admin
                } else if self.cfg.user_pin.as_deref() == Some(c.as_str()) {
                    Role::User
                } else if let Some(r) = self.lock().tokens.get(&c) {
                    *r
                } else if self.cfg.pin.is_none() && self.cfg.user_pin.is_none() {
                    Role::Admin
                } else {
                    return Err("wrong PIN".into());
                }
            }
            (Some("secured"), None) => return Err("secured auth needs credentials".into()),
            (Some("unsecured"), _) | (None, _) => {
                if self.cfg.pin.is_some() || self.cfg.user_pin.is_some() {
                    return Err("this Room is protected by a PIN: use secured auth".into());
                }
                Role::Admin
            }
            (Some(other), _) => return Err(format!("unknown auth type `{other}`")),
        };
        match want.as_deref() {
            Some("admin") if granted != Role::Admin => {
                Err("these credentials do not give administrator rights".into())
            }
            Some("user") => Ok(Role::User),
            _ => Ok(granted),
        }
    }
}

fn set_api_version(p: &Map<String, Value>) -> Outcome {
    match p.str_of("version").as_deref() {
        Some("1" | "2") => Outcome::default(),
        other => Outcome::err(format!(
            "API version {} is not supported: use \"1\" or \"2\"",
            other.unwrap_or("(none)")
        )),
    }
}

async fn config_json(State(inner): State<Arc<Inner>>, Path(name): Path<String>) -> Response {
    if name != "default" && inner.cfg.instance.as_deref() != Some(name.as_str()) {
        return (StatusCode::NOT_FOUND, "no such TrueConf Room instance").into_response();
    }
    axum::Json(json!({"config": {"websocket": {"hostname": null, "port": inner.ws_port}, "http": {"hostname": null, "port": inner.http_port}}}))
        .into_response()
}

async fn ws_upgrade(
    State(inner): State<Arc<Inner>>,
    uri: Uri,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let path = uri.path().trim_end_matches('/');
    let version = match path {
        "" | "/v1" => 1,
        "/v2" => 2,
        _ => {
            return (
                StatusCode::NOT_FOUND,
                "the Room API lives at /, /v1 and /v2",
            )
                .into_response();
        }
    };
    let Ok(ws) = ws else {
        return (StatusCode::UPGRADE_REQUIRED, "this port speaks WebSocket").into_response();
    };
    ws.on_upgrade(move |socket| connection(inner, socket, version))
}

/// One client connection: requests in, the reply first, then events.
async fn connection(inner: Arc<Inner>, socket: WebSocket, _version: u8) {
    inner.connections.send_modify(|n| *n += 1);
    let (mut tx, mut rx) = socket.split();
    let mut events = inner.events.subscribe();
    let mut kick = inner.kick.subscribe();
    kick.mark_unchanged();
    let mut role: Option<Role> = None;
    loop {
        tokio::select! {
            msg = rx.next() => {
                let text = match msg {
                    Some(Ok(Message::Text(t))) => t.to_string(),
                    Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                };
                let reply = handle_text(&inner, &mut role, &text);
                if tx.send(Message::Text(reply.into())).await.is_err() {
                    break;
                }
            }
            ev = events.recv() => match ev {
                Ok(text) => {
                    if role.is_some() && tx.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = kick.changed() => {
                let _ = tx.send(Message::Close(None)).await;
                break;
            }
        }
    }
    inner.connections.send_modify(|n| *n -= 1);
}

/// Handles one frame and returns the reply frame. Events it causes are already published.
fn handle_text(inner: &Arc<Inner>, role: &mut Option<Role>, text: &str) -> String {
    let parsed: Result<Value, _> = serde_json::from_str(text);
    let Ok(Value::Object(p)) = parsed else {
        return json!({"method": "", "requestId": "", "result": false, "error": "malformed request: a JSON object was expected"}).to_string();
    };
    let method = p.str_of("method").unwrap_or_default();
    let request_id = p
        .get("requestId")
        .cloned()
        .unwrap_or(Value::String(String::new()));
    let reply = |fields: Map<String, Value>, error: Option<String>| {
        let mut m = Map::new();
        m.insert("method".into(), Value::String(method.clone()));
        m.insert("requestId".into(), request_id.clone());
        for (k, v) in fields {
            if k != "event" && k != "method" && k != "requestId" {
                m.insert(k, v);
            }
        }
        m.insert("result".into(), Value::Bool(error.is_none()));
        if let Some(e) = error {
            m.insert("error".into(), Value::String(e));
        }
        Value::Object(m).to_string()
    };
    if method.is_empty() {
        return reply(Map::new(), Some("malformed request: no `method`".into()));
    }
    match (method.as_str(), *role) {
        ("auth", _) => match inner.auth(&p) {
            Ok(r) => {
                *role = Some(r);
                let token = format!("1*sim{:x}*{}", rand::random::<u64>(), now_secs());
                inner.lock().tokens.insert(token.clone(), r);
                let fields = obj(
                    json!({"previleges": if r == Role::Admin { 2 } else { 1 }, "token": token,
                    "tokenForHttpServer": format!("4*sim{:x}*{}", rand::random::<u64>(), now_secs()), "resultCode": 0}),
                );
                reply(fields, None)
            }
            Err(e) => {
                *role = None;
                reply(obj(json!({"resultCode": 3})), Some(e))
            }
        },
        ("setUsedApiVersion", _) => {
            let o = set_api_version(&p);
            reply(o.reply, o.error)
        }
        (_, None) => reply(
            Map::new(),
            Some("authorization required: send auth first".into()),
        ),
        (_, Some(r)) => {
            let o = inner.command(r, &method, &p);
            reply(o.reply, o.error)
        }
    }
}
