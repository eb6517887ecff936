//! The Room's state: the application state, the server and account, the current call or
//! conference, devices, settings and history; events and the helpers that change the state
//! (docs/room-protocol.md, App states and Events).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};
use tokio::sync::{broadcast, watch};

use super::RoomSimConfig;
use super::peers::Timer;
use super::rights::Role;
use crate::sim::net;

/// The current call, as the state machine sees it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Call {
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
pub(super) struct Conf {
    pub id: String,
    pub title: String,
    pub conf_type: i64,
    pub owner: String,
    /// Users in the conference other than the Room.
    pub participants: Vec<SimPeer>,
    /// Invited users who have not answered yet.
    pub invited: Vec<String>,
    /// The Room itself is on the podium (everyone is, outside a role-based conference).
    pub my_podium: bool,
}

impl Conf {
    /// A role-based (moderated) conference: the one with a podium to manage.
    pub fn role_based(&self) -> bool {
        self.conf_type == 3
    }

    /// Where participant `who` is listed: named by the id with its instance, as the Room
    /// lists it, or by the plain id.
    pub fn position_of(&self, who: &str) -> Option<usize> {
        self.participants
            .iter()
            .position(|x| x.instance == who || x.id == who)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct SimPeer {
    pub id: String,
    pub name: String,
    pub instance: String,
    pub mic: i64,
    pub video: i64,
    /// `role` as the Room lists it: 1 ordinary, 3 asked for the podium, 4 invited to it
    /// (the owner's 2 is given by the conference, not kept here).
    pub role: i64,
    /// On the podium.
    pub broadcast: bool,
    /// Given moderator rights (`setModeratorRole`), listed as `leaderType` 2.
    pub moderator: bool,
}

impl SimPeer {
    /// `leaderType` as the participant lists show it: 1 the owner, 2 a moderator, else 0
    /// (docs/room-protocol.md, Podium and roles).
    pub fn leader_type(&self, owner: &str) -> i64 {
        if self.id == owner {
            1
        } else if self.moderator {
            2
        } else {
            0
        }
    }

    /// `role` as the participant lists show it.
    pub fn role_in(&self, owner: &str) -> i64 {
        if self.id == owner { 2 } else { self.role }
    }
}

/// Wrong PINs from one address in a row, and the end of its lockout if it is locked out.
#[derive(Debug, Default)]
pub(super) struct PinFailures {
    pub wrong: u32,
    pub until: Option<std::time::Instant>,
}

pub(super) struct SimState {
    pub app_state: i64,
    pub server: Option<(String, i64)>,
    pub login: Option<String>,
    pub call: Call,
    /// Bumped whenever the call changes, so a stale timer does nothing.
    pub generation: u64,
    pub next_conf: u64,
    pub mic_muted: bool,
    pub camera_muted: bool,
    pub speaker_muted: bool,
    pub settings: Map<String, Value>,
    pub devices: [usize; 3],
    /// The PTZ camera's pan, tilt and zoom (see ptz.rs).
    pub ptz: [i64; 3],
    /// The PTZ motion under way (`ptzLeft` …) until `ptzStop`.
    pub ptz_moving: Option<String>,
    /// Presence of the world's users by full id, where it differs from available
    /// (`status`, `extStatus`, `lastOnlineTime`, `additionalStatus`; see contacts.rs).
    pub presence: std::collections::HashMap<String, Value>,
    pub history: Vec<Value>,
    /// The address book: full ids and display names, in the order added (the world's users
    /// to begin with; see contacts.rs).
    pub abook: Vec<(String, String)>,
    /// When the call history was last marked viewed (Unix seconds; 0: never).
    pub last_view: i64,
    pub tokens: HashMap<String, Role>,
    /// The HTTP server's tokens and until when each is valid (frames.rs).
    pub http_tokens: HashMap<String, std::time::Instant>,
    /// Wrong PINs by client address (`Inner::auth_from`).
    pub pin_lockouts: HashMap<std::net::IpAddr, PinFailures>,
    pub receiving_levels: HashMap<String, i64>,
    /// What the methods without a model of their own stored, by subject (see `generic`).
    pub generic: HashMap<String, Map<String, Value>>,
}

impl SimState {
    /// The state a Room starts in: logged in to the world's server if the config says so.
    pub(super) fn new(cfg: &RoomSimConfig) -> SimState {
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
        let operator = cfg.world.user(&cfg.account).map(|u| cfg.world.full_id(u));
        SimState {
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
            ptz: [0, 0, 0],
            ptz_moving: None,
            presence: Default::default(),
            history: Vec::new(),
            abook: cfg
                .world
                .users
                .iter()
                .map(|u| (cfg.world.full_id(u), u.name.clone()))
                .collect(),
            last_view: 0,
            tokens: HashMap::new(),
            http_tokens: HashMap::new(),
            pin_lockouts: HashMap::new(),
            receiving_levels: HashMap::new(),
            generic: HashMap::new(),
        }
    }
}

pub(super) struct Inner {
    pub cfg: RoomSimConfig,
    pub http_port: u16,
    pub ws_port: u16,
    pub state: Mutex<SimState>,
    pub events: broadcast::Sender<String>,
    /// Bumped to make every connection close.
    pub kick: watch::Sender<u64>,
    pub connections: watch::Sender<usize>,
    /// The freeze switch under every socket (`RoomSim::set_frozen`).
    pub freeze: std::sync::Arc<crate::sim::net::Freeze>,
    /// The longest any connection's outgoing queue has been.
    pub queue_peak: std::sync::atomic::AtomicUsize,
}

pub(super) fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub(super) fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

pub(super) fn event(name: &str, fields: Value) -> Map<String, Value> {
    let mut m = obj(fields);
    m.insert("event".into(), Value::String(name.into()));
    m.insert("method".into(), Value::String("event".into()));
    m
}

pub(super) fn app_state_event(state: i64, http_port: u16) -> Map<String, Value> {
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
pub(super) struct Outcome {
    pub reply: Map<String, Value>,
    pub error: Option<String>,
    pub events: Vec<Map<String, Value>>,
    pub timers: Vec<(Duration, Timer)>,
}

impl Outcome {
    pub(super) fn ok(reply: Value) -> Outcome {
        Outcome {
            reply: obj(reply),
            ..Default::default()
        }
    }
    pub(super) fn err(msg: impl Into<String>) -> Outcome {
        Outcome {
            error: Some(msg.into()),
            ..Default::default()
        }
    }
}

impl Inner {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, SimState> {
        net::lock(&self.state)
    }

    /// Sends events to every authorised connection, in order. Called with the state locked, so
    /// the order of events matches the order of state changes.
    pub(super) fn publish(&self, _locked: &SimState, events: Vec<Map<String, Value>>) {
        for e in events {
            let _ = self.events.send(Value::Object(e).to_string());
        }
    }

    pub(super) fn room_id(&self, s: &SimState) -> String {
        s.login
            .clone()
            .unwrap_or_else(|| format!("room@{}", self.cfg.world.server))
    }

    pub(super) fn room_name(&self, s: &SimState) -> String {
        s.login
            .as_deref()
            .and_then(|id| self.cfg.world.user(id))
            .map(|u| u.name.clone())
            .unwrap_or_else(|| "TrueConf Room".into())
    }

    pub(super) fn set_state(
        &self,
        s: &mut SimState,
        state: i64,
        events: &mut Vec<Map<String, Value>>,
    ) {
        s.app_state = state;
        events.push(app_state_event(state, self.http_port));
    }

    pub(super) fn new_conf_id(&self, s: &mut SimState) -> String {
        let n = s.next_conf;
        s.next_conf += 1;
        format!("{:016x}@{}#vcs", 0x8000_0000u64 + n, self.cfg.world.server)
    }

    pub(super) fn peer_of(&self, id: &str) -> Option<SimPeer> {
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
            role: 1,
            broadcast: false,
            moderator: false,
        })
    }

    /// `p` joins conference `c`: on the podium unless it is a role-based one (where the
    /// owner is); announced as `newParticipantInConference`.
    pub(super) fn joined_event(&self, p: &mut SimPeer, c: &Conf) -> Map<String, Value> {
        p.broadcast = !c.role_based() || p.id == c.owner;
        event(
            "newParticipantInConference",
            json!({"peerId": p.instance, "peerDn": p.name, "confId": c.id, "mic": p.mic, "video": p.video,
                   "role": p.role_in(&c.owner), "slideShow": false, "broadcast": p.broadcast, "recordingMe": false,
                   "recordingByMe": false, "leaderType": p.leader_type(&c.owner), "pinned": false,
                   "isInWaitingRoom": false}),
        )
    }

    pub(super) fn conference_created(
        &self,
        s: &SimState,
        c: &Conf,
        peer: Option<&str>,
    ) -> Map<String, Value> {
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

    pub(super) fn end_conference(&self, s: &mut SimState, events: &mut Vec<Map<String, Value>>) {
        if let Call::Conference(c) = std::mem::replace(&mut s.call, Call::Idle) {
            // The call's entry in the history gets its duration.
            let now = now_secs();
            if let Some(h) = s
                .history
                .iter_mut()
                .rev()
                .find(|h| h["confId"] == Value::String(c.id.clone()))
            {
                let start = h["startTime"].as_i64().unwrap_or(now);
                h["duration"] = json!((now - start).max(0));
            }
            s.generation += 1;
            self.set_state(s, 6, events);
            events.push(event("conferenceDeleted", json!({"confId": c.id})));
            self.set_state(s, 3, events);
        }
    }

    pub(super) fn record_call(
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
}
