//! Room API frames: flat JSON objects. A request is `{"method", "requestId", ...params}`; a
//! reply echoes `method` and `requestId` and carries `result`; an event is
//! `{"event": name, "method": "event", ...fields}` (docs/room-protocol.md, Framing; how frames
//! are told apart: Choices R3).
//!
//! Reading is lenient: numbers may come as strings, `requestId` as a number, `previleges` as
//! `privileges`, a reply's `result` may be missing. Anything unknown is kept as raw JSON.

use std::fmt;

use serde_json::{Map, Value};

/// The application state 0–6 (docs/room-protocol.md, App states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AppState {
    #[default]
    None,
    Connect,
    Login,
    Normal,
    Wait,
    Conference,
    Close,
}

impl AppState {
    pub fn from_i64(n: i64) -> Option<AppState> {
        Some(match n {
            0 => AppState::None,
            1 => AppState::Connect,
            2 => AppState::Login,
            3 => AppState::Normal,
            4 => AppState::Wait,
            5 => AppState::Conference,
            6 => AppState::Close,
            _ => return None,
        })
    }

    pub fn code(self) -> i64 {
        self as i64
    }

    /// What an operator reads.
    pub fn describe(self) -> &'static str {
        match self {
            AppState::None => "not connected to a server",
            AppState::Connect => "connecting to the server",
            AppState::Login => "connected, not logged in",
            AppState::Normal => "ready",
            AppState::Wait => "ringing",
            AppState::Conference => "in a call",
            AppState::Close => "ending the call",
        }
    }
}

impl fmt::Display for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.describe())
    }
}

/// A frame from the Room, classified.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A reply to a request: `method` echoed, `requestId` as a string ("" when none was sent).
    Reply(Reply),
    /// An event notification.
    Event(RoomEvent),
    /// Valid JSON that is neither (kept raw).
    Other(Value),
}

/// A reply. `ok` is `result` read as a boolean (a missing `result` counts as success, as
/// legacy replies carry none).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub method: String,
    pub request_id: String,
    pub ok: bool,
    pub error: Option<String>,
    /// The whole frame, payload fields at the top level.
    pub body: Map<String, Value>,
}

impl Reply {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.body.get(key)
    }
}

/// Why a frame could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("not a JSON object")]
    NotObject,
}

/// Classifies one text frame.
pub fn parse_frame(text: &str) -> Result<Incoming, FrameError> {
    let v: Value = serde_json::from_str(text).map_err(|e| FrameError::NotJson(e.to_string()))?;
    let Value::Object(obj) = v else {
        return Err(FrameError::NotObject);
    };
    Ok(classify(obj))
}

/// Classifies one decoded object.
pub fn classify(obj: Map<String, Value>) -> Incoming {
    if let Some(name) = obj.get("event").and_then(Value::as_str) {
        return Incoming::Event(RoomEvent::parse(name, obj.clone()));
    }
    match obj.get("method").and_then(Value::as_str) {
        Some("event") | None => Incoming::Other(Value::Object(obj)),
        Some(method) => {
            let method = method.to_string();
            let request_id = match obj.get("requestId") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            let ok = obj.get("result").map(truthy).unwrap_or(true);
            let error = obj.get("error").map(|e| match e {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            Incoming::Reply(Reply {
                method,
                request_id,
                ok,
                error,
                body: obj,
            })
        }
    }
}

/// A request frame.
pub fn request_frame(method: &str, request_id: &str, params: &Map<String, Value>) -> String {
    let mut obj = Map::with_capacity(params.len() + 2);
    obj.insert("method".into(), Value::String(method.into()));
    obj.insert("requestId".into(), Value::String(request_id.into()));
    for (k, v) in params {
        if k != "method" && k != "requestId" {
            obj.insert(k.clone(), v.clone());
        }
    }
    Value::Object(obj).to_string()
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => matches!(s.to_ascii_lowercase().as_str(), "true" | "ok" | "1"),
        _ => false,
    }
}

/// Lenient readers over a JSON object.
pub trait Fields {
    fn str_of(&self, key: &str) -> Option<String>;
    fn i64_of(&self, key: &str) -> Option<i64>;
    fn bool_of(&self, key: &str) -> Option<bool>;
}

impl Fields for Map<String, Value> {
    fn str_of(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    fn i64_of(&self, key: &str) -> Option<i64> {
        match self.get(key)? {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            Value::String(s) => s.trim().parse().ok(),
            Value::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }
    fn bool_of(&self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            v @ (Value::Number(_) | Value::String(_)) => Some(truthy(v)),
            _ => None,
        }
    }
}

/// A participant's device state: 0 no device, 1 selected but muted, 2 on (docs/room-protocol.md,
/// Enumerations); `Unknown` when the Room did not say (the key missing, or a value outside
/// these), never taken for "no device".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceState {
    #[default]
    Unknown,
    Absent,
    Muted,
    On,
}

impl DeviceState {
    pub fn from_i64(n: i64) -> DeviceState {
        match n {
            0 => DeviceState::Absent,
            1 => DeviceState::Muted,
            2 => DeviceState::On,
            _ => DeviceState::Unknown,
        }
    }

    /// The state under `key` of a participant object: unknown when missing or unreadable.
    pub fn read(o: &Map<String, Value>, key: &str) -> DeviceState {
        o.i64_of(key)
            .map(DeviceState::from_i64)
            .unwrap_or(DeviceState::Unknown)
    }

    /// The protocol's number; `None` for a state the Room did not say.
    pub fn code(self) -> Option<i64> {
        match self {
            DeviceState::Unknown => None,
            DeviceState::Absent => Some(0),
            DeviceState::Muted => Some(1),
            DeviceState::On => Some(2),
        }
    }
}

/// Events the console reacts to, typed; every other event is kept whole in `Other`.
#[derive(Debug, Clone, PartialEq)]
pub enum RoomEvent {
    AppStateChanged {
        state: AppState,
        raw: Map<String, Value>,
    },
    ServerConnected {
        server: String,
        port: Option<i64>,
        domain: Option<String>,
    },
    ServerDisconnected {
        server: Option<String>,
    },
    Login {
        result: i64,
        peer_id: String,
        peer_dn: String,
    },
    Logout {
        result: Option<i64>,
        cause: Option<i64>,
    },
    InviteReceived {
        peer_id: String,
        peer_dn: String,
        conf_type: i64,
        conf_id: String,
        conf_title: Option<String>,
    },
    InviteSent {
        peer_id: String,
        peer_dn: String,
        conf_id: String,
    },
    RejectReceived {
        peer_id: String,
        peer_dn: String,
        cause: i64,
    },
    RejectSent {
        peer_id: String,
        cause: i64,
    },
    StopCalling {
        peer_id: String,
        side: i64,
    },
    ConferenceCreated {
        conf_id: String,
        conf_title: String,
        conf_type: i64,
        owner: String,
        peer_id: Option<String>,
    },
    ConferenceDeleted {
        conf_id: String,
    },
    ParticipantJoined {
        peer_id: String,
        peer_dn: String,
        mic: DeviceState,
        video: DeviceState,
        /// `None` when the event did not say.
        role: Option<i64>,
        broadcast: Option<bool>,
        leader: Option<i64>,
    },
    ParticipantLeft {
        peer_id: String,
    },
    DeviceStatus {
        peer_id: String,
        mic: DeviceState,
        video: DeviceState,
    },
    RoleEvent {
        peer_id: String,
        role: i64,
        broadcast: Option<bool>,
        leader: Option<i64>,
    },
    MicMuted(bool),
    CameraMuted(bool),
    SpeakerMuted(bool),
    SettingChanged {
        name: String,
        value: Value,
    },
    HardwareChanged(Map<String, Value>),
    ChatMessage {
        peer_id: String,
        peer_dn: Option<String>,
        message: String,
        time: Option<i64>,
        conf_id: Option<String>,
    },
    /// Any other event, or a known one whose required fields were missing.
    Other {
        name: String,
        raw: Map<String, Value>,
    },
}

impl RoomEvent {
    /// The event's JSON name.
    pub fn name(&self) -> &str {
        match self {
            RoomEvent::AppStateChanged { .. } => "appStateChanged",
            RoomEvent::ServerConnected { .. } => "serverConnected",
            RoomEvent::ServerDisconnected { .. } => "serverDisconnected",
            RoomEvent::Login { .. } => "login",
            RoomEvent::Logout { .. } => "logout",
            RoomEvent::InviteReceived { .. } => "inviteReceived",
            RoomEvent::InviteSent { .. } => "inviteSent",
            RoomEvent::RejectReceived { .. } => "rejectReceived",
            RoomEvent::RejectSent { .. } => "rejectSent",
            RoomEvent::StopCalling { .. } => "stopCalling",
            RoomEvent::ConferenceCreated { .. } => "conferenceCreated",
            RoomEvent::ConferenceDeleted { .. } => "conferenceDeleted",
            RoomEvent::ParticipantJoined { .. } => "newParticipantInConference",
            RoomEvent::ParticipantLeft { .. } => "participantLeftConference",
            RoomEvent::DeviceStatus { .. } => "deviceStatusReceived",
            RoomEvent::RoleEvent { .. } => "roleEventOccured",
            RoomEvent::MicMuted(_) => "audioCapturerMute",
            RoomEvent::CameraMuted(_) => "videoCapturerMute",
            RoomEvent::SpeakerMuted(_) => "audioRendererMute",
            RoomEvent::SettingChanged { .. } => "settingsChanged",
            RoomEvent::HardwareChanged(_) => "hardwareChanged",
            RoomEvent::ChatMessage { .. } => "incomingChatMessage",
            RoomEvent::Other { name, .. } => name,
        }
    }

    pub fn parse(name: &str, o: Map<String, Value>) -> RoomEvent {
        Self::typed(name, &o).unwrap_or_else(|| RoomEvent::Other {
            name: name.to_string(),
            raw: o,
        })
    }

    fn typed(name: &str, o: &Map<String, Value>) -> Option<RoomEvent> {
        let s = |k: &str| o.str_of(k);
        let dn = |k: &str| o.str_of(k).unwrap_or_default();
        Some(match name {
            "appStateChanged" => RoomEvent::AppStateChanged {
                state: AppState::from_i64(o.i64_of("appState")?)?,
                raw: o.clone(),
            },
            "serverConnected" => RoomEvent::ServerConnected {
                server: s("server")?,
                port: o.i64_of("port"),
                domain: s("domain"),
            },
            "serverDisconnected" => RoomEvent::ServerDisconnected {
                server: s("server"),
            },
            "login" => RoomEvent::Login {
                result: o.i64_of("result")?,
                peer_id: dn("peerId"),
                peer_dn: dn("peerDn"),
            },
            "logout" => RoomEvent::Logout {
                result: o.i64_of("result"),
                cause: o.i64_of("cause"),
            },
            "inviteReceived" => RoomEvent::InviteReceived {
                peer_id: s("peerId")?,
                peer_dn: dn("peerDn"),
                conf_type: o.i64_of("type").unwrap_or(0),
                conf_id: dn("confId"),
                conf_title: s("confTitle").filter(|t| !t.is_empty()),
            },
            "inviteSent" => RoomEvent::InviteSent {
                peer_id: s("peerId")?,
                peer_dn: dn("peerDn"),
                conf_id: dn("confId"),
            },
            "rejectReceived" => RoomEvent::RejectReceived {
                peer_id: dn("peerId"),
                peer_dn: dn("peerDn"),
                cause: o.i64_of("cause").unwrap_or(0),
            },
            "rejectSent" => RoomEvent::RejectSent {
                peer_id: dn("peerId"),
                cause: o.i64_of("cause").unwrap_or(0),
            },
            "stopCalling" => RoomEvent::StopCalling {
                peer_id: dn("peerId"),
                side: o.i64_of("side").unwrap_or(1),
            },
            "conferenceCreated" => RoomEvent::ConferenceCreated {
                conf_id: s("confId")?,
                conf_title: dn("confTitle"),
                conf_type: o.i64_of("confType").unwrap_or(0),
                owner: dn("conferenceOwner"),
                peer_id: s("peerId").filter(|p| !p.is_empty()),
            },
            "conferenceDeleted" => RoomEvent::ConferenceDeleted {
                conf_id: dn("confId"),
            },
            "newParticipantInConference" => RoomEvent::ParticipantJoined {
                peer_id: s("peerId")?,
                peer_dn: dn("peerDn"),
                mic: DeviceState::read(o, "mic"),
                video: DeviceState::read(o, "video"),
                role: o.i64_of("role"),
                broadcast: o.bool_of("broadcast"),
                leader: o.i64_of("leaderType"),
            },
            "participantLeftConference" => RoomEvent::ParticipantLeft {
                peer_id: s("peerId")?,
            },
            "deviceStatusReceived" => RoomEvent::DeviceStatus {
                peer_id: s("peerId")?,
                mic: DeviceState::read(o, "mic"),
                video: DeviceState::read(o, "video"),
            },
            "roleEventOccured" => RoomEvent::RoleEvent {
                peer_id: s("peerId")?,
                role: o.i64_of("role").unwrap_or(0),
                broadcast: o.bool_of("broadcast"),
                leader: o.i64_of("leaderType"),
            },
            "audioCapturerMute" => RoomEvent::MicMuted(o.bool_of("mute")?),
            "videoCapturerMute" => RoomEvent::CameraMuted(o.bool_of("mute")?),
            "audioRendererMute" => RoomEvent::SpeakerMuted(o.bool_of("mute")?),
            "settingsChanged" => RoomEvent::SettingChanged {
                name: s("name")?,
                value: o.get("value").cloned().unwrap_or(Value::Null),
            },
            "hardwareChanged" => RoomEvent::HardwareChanged(o.clone()),
            "incomingChatMessage" | "incomingGroupChatMessage" => RoomEvent::ChatMessage {
                peer_id: s("peerId")?,
                peer_dn: s("peerDn"),
                message: s("message")?,
                time: o.i64_of("time"),
                conf_id: s("confId").filter(|c| !c.is_empty()),
            },
            _ => return None,
        })
    }
}

/// A reject cause as words: the docs' table (docs/room-protocol.md, Enumerations; Choices R16).
pub fn reject_cause(cause: i64) -> &'static str {
    match cause {
        0 => "rejected",
        1 => "participant limit reached",
        2 => "busy",
        3 => "unavailable",
        4 => "conference does not exist",
        5 => "user does not exist",
        6 => "call was not declined",
        7 => "insufficient funds",
        8 => "access denied",
        9 => "logged out",
        10 => "action impossible",
        11 => "insufficient resources",
        12 => "password required",
        13 => "wrong password",
        14 => "not in the friend list",
        15 => "low performance rating",
        16 => "no answer",
        17 => "conference not started",
        18 => "conference ended",
        19 => "conference not found",
        20 => "cannot reach the remote server",
        21 => "federation not allowed",
        22 => "federation rejected",
        _ => "unknown cause",
    }
}

/// A `login` event result as words (docs/room-protocol.md, Enumerations).
pub fn login_result(result: i64) -> &'static str {
    match result {
        0 => "logged in",
        1 => "already logged in",
        2 => "login not found",
        3 => "wrong login or password",
        4 => "rejected",
        5 => "online user limit reached",
        6 => "account not activated",
        7 => "server busy",
        8 => "application type not allowed",
        9 => "awaiting e-mail confirmation",
        10 => "account locked",
        11 => "e-mail blacklisted",
        65213 => "password expired",
        _ => "unknown result",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> String {
        v.to_string()
    }

    #[test]
    fn replies_events_and_others_are_told_apart() {
        match parse_frame(&obj(
            json!({"method":"auth","requestId":"","previleges":2,"result":true}),
        ))
        .unwrap()
        {
            Incoming::Reply(r) => {
                assert_eq!(
                    (r.method.as_str(), r.request_id.as_str(), r.ok),
                    ("auth", "", true)
                );
                assert_eq!(r.get("previleges"), Some(&json!(2)));
            }
            other => panic!("{other:?}"),
        }
        match parse_frame(&obj(
            json!({"event":"appStateChanged","method":"event","appState":3}),
        ))
        .unwrap()
        {
            Incoming::Event(RoomEvent::AppStateChanged { state, .. }) => {
                assert_eq!(state, AppState::Normal);
            }
            other => panic!("{other:?}"),
        }
        // py-lib's own filter for appStateChanged omits "method": accept it without
        // (docs/room-protocol.md, Choices R3).
        assert!(matches!(
            parse_frame(r#"{"event":"appStateChanged","appState":"5"}"#).unwrap(),
            Incoming::Event(RoomEvent::AppStateChanged {
                state: AppState::Conference,
                ..
            })
        ));
        // The legacy commandExecution form is an event, kept raw.
        match parse_frame(r#"{"event":"commandExecution","accept":"ok"}"#).unwrap() {
            Incoming::Event(RoomEvent::Other { name, raw }) => {
                assert_eq!(name, "commandExecution");
                assert_eq!(raw["accept"], "ok");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_frame(r#"{"hello":1}"#).unwrap(),
            Incoming::Other(_)
        ));
        assert_eq!(parse_frame("[1]"), Err(FrameError::NotObject));
        assert!(matches!(parse_frame("{"), Err(FrameError::NotJson(_))));
    }

    #[test]
    fn replies_are_read_leniently() {
        let Incoming::Reply(r) =
            parse_frame(r#"{"method":"call","requestId":7,"result":false,"error":"busy"}"#)
                .unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (r.request_id.as_str(), r.ok, r.error.as_deref()),
            ("7", false, Some("busy"))
        );
        let Incoming::Reply(r) = parse_frame(r#"{"method":"accept"}"#).unwrap() else {
            panic!()
        };
        assert!(r.ok, "a reply without result is accepted");
    }

    #[test]
    fn known_events_missing_fields_are_kept_raw() {
        let e = RoomEvent::parse(
            "inviteReceived",
            json!({"peerDn":"x"}).as_object().unwrap().clone(),
        );
        assert!(matches!(e, RoomEvent::Other { ref name, .. } if name == "inviteReceived"));
        let e = RoomEvent::parse(
            "appStateChanged",
            json!({"appState": 9}).as_object().unwrap().clone(),
        );
        assert!(
            matches!(e, RoomEvent::Other { .. }),
            "an appState outside 0–6 is not a state"
        );
    }

    #[test]
    fn request_frames_are_flat() {
        let params = json!({"peerId":"alice","requestId":"evil"})
            .as_object()
            .unwrap()
            .clone();
        let v: Value = serde_json::from_str(&request_frame("call", "12", &params)).unwrap();
        assert_eq!(
            v,
            json!({"method":"call","requestId":"12","peerId":"alice"})
        );
    }
}
