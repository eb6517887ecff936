//! What the console knows about a Room, built from the replies to the first queries after auth
//! and from events. Pure data and pure functions: no I/O.

use serde::Serialize;
use serde_json::Value;

use super::protocol::{AppState, DeviceState, RoomEvent};

/// What the console knows about the Room. Every value it has not been told is unknown, never
/// a default: `None` for the app state and the mutes, `Login::Unknown`, `Server::Unknown`, and
/// a call that [`RoomState::call`] reports as [`Call::Unknown`]. What may be inferred from what
/// is in docs/room-protocol.md, "What the console knows".
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RoomState {
    /// The application state; `None` until the Room has said (`getAppState`, `appStateChanged`).
    pub app_state: Option<AppState>,
    pub server: Server,
    /// The account the Room is logged in as.
    pub login: Login,
    /// A pending incoming call or invitation.
    pub invite: Option<Invite>,
    /// An outgoing call that is ringing.
    pub calling: Option<String>,
    /// The call or conference in progress, when its details are known.
    pub conference: Option<Conference>,
    /// `None`: unknown (the query failed or has not been answered, and no event said).
    pub mic_muted: Option<bool>,
    pub camera_muted: Option<bool>,
    pub speaker_muted: Option<bool>,
    /// Master volume, 0.0–1.0 (`audioPlayLevel`).
    pub volume: Option<f64>,
    pub devices: Devices,
    /// The camera's PTZ controls (None: not known; see room/ptz.rs).
    pub ptz: Option<super::ptz::Ptz>,
    /// The port of the Room's built-in HTTP server (`embeddedHttpPort` of `getAppState` and
    /// `appStateChanged`), where the camera's frames are served; None until the Room says.
    pub http_port: Option<u16>,
    /// Whether the Room pushes its self-view frames to that server (`getBroadcastSelfie`,
    /// `broadcastSelfieChanged`); None until it says.
    pub selfie_broadcast: Option<bool>,
    pub contacts: Vec<Contact>,
    /// How the last call ended (or was refused), until the next one starts.
    pub last_outcome: Option<String>,
    /// The account an earlier session named, kept when a new session forgets the login: only
    /// to tell the Room itself apart in a participants list ([`RoomState::me`]).
    #[serde(skip)]
    pub last_account: Option<Peer>,
}

/// Whether the Room is logged in, and as whom.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Login {
    /// Nothing has said (the `getLogin` reply failed or was unreadable, and the app state is
    /// not known).
    #[default]
    Unknown,
    LoggedOut,
    /// Logged in; the account is `None` when only the app state said so (3–6).
    LoggedIn(Option<Peer>),
}

impl Login {
    /// The account, when known.
    pub fn peer(&self) -> Option<&Peer> {
        match self {
            Login::LoggedIn(p) => p.as_ref(),
            _ => None,
        }
    }

    /// `Some(true)` logged in, `Some(false)` not, `None` unknown.
    pub fn logged_in(&self) -> Option<bool> {
        match self {
            Login::Unknown => None,
            Login::LoggedOut => Some(false),
            Login::LoggedIn(_) => Some(true),
        }
    }
}

/// JSON: `null` when unknown, else `{"logged_in": bool, "id", "name"}` (`id` and `name`
/// null when logged in as an unknown account).
impl Serialize for Login {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Login::Unknown => s.serialize_none(),
            Login::LoggedOut => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("logged_in", &false)?;
                m.end()
            }
            Login::LoggedIn(p) => {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("logged_in", &true)?;
                m.serialize_entry("id", &p.as_ref().map(|p| &p.id))?;
                m.serialize_entry("name", &p.as_ref().map(|p| &p.name))?;
                m.end()
            }
        }
    }
}

/// Whether the Room is on a TrueConf Server, and which.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Server {
    #[default]
    Unknown,
    /// Not connected to a server.
    None,
    /// Connected (or connecting, app state 1); the details are `None` when only the app state
    /// or a bare flag said so.
    Connected(Option<ServerInfo>),
}

impl Server {
    pub fn info(&self) -> Option<&ServerInfo> {
        match self {
            Server::Connected(i) => i.as_ref(),
            _ => None,
        }
    }
}

/// JSON: `null` when unknown, else `{"connected": bool, "server", "port", "domain"}` (null
/// where unknown).
impl Serialize for Server {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Server::Unknown => s.serialize_none(),
            Server::None => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("connected", &false)?;
                m.end()
            }
            Server::Connected(i) => {
                let mut m = s.serialize_map(Some(4))?;
                m.serialize_entry("connected", &true)?;
                m.serialize_entry("server", &i.as_ref().map(|i| &i.server))?;
                m.serialize_entry("port", &i.as_ref().and_then(|i| i.port))?;
                m.serialize_entry("domain", &i.as_ref().and_then(|i| i.domain.as_ref()))?;
                m.end()
            }
        }
    }
}

/// The call as the console knows it: what the events and replies said, else what the app
/// state allows (docs/room-protocol.md, "What the console knows").
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Call<'a> {
    /// Nothing has said: the app state is unknown.
    Unknown,
    /// No call (app states 0–3).
    None,
    Incoming(&'a Invite),
    Calling(&'a str),
    /// App state 4 without the event that says who rings.
    Ringing,
    InConference(&'a Conference),
    /// App state 5 while `getConferences` failed or said nothing usable.
    InConferenceUnknown,
    /// App state 6, the conference's details unknown.
    Ending,
}

impl Call<'_> {
    /// A call that hang-up can end (a ringing outgoing call, a call, a conference).
    pub fn can_hang_up(&self) -> bool {
        matches!(
            self,
            Call::Calling(_) | Call::Ringing | Call::InConference(_) | Call::InConferenceUnknown
        )
    }

    /// In a call or conference, known in detail or not.
    pub fn in_conference(&self) -> bool {
        matches!(self, Call::InConference(_) | Call::InConferenceUnknown)
    }

    /// The `call` key of the CLI's JSON: `null` when unknown.
    pub fn key(&self) -> Option<&'static str> {
        Some(match self {
            Call::Unknown => return None,
            Call::None => "none",
            Call::Incoming(_) => "incoming",
            Call::Calling(_) => "calling",
            Call::Ringing => "ringing",
            Call::InConference(_) | Call::InConferenceUnknown => "conference",
            Call::Ending => "ending",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerInfo {
    pub server: String,
    pub port: Option<i64>,
    pub domain: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Peer {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invite {
    pub peer: Peer,
    pub conf_id: String,
    /// 0 a call, 1–3 a group conference.
    pub conf_type: i64,
    pub conf_title: Option<String>,
}

impl Invite {
    pub fn is_call(&self) -> bool {
        self.conf_type == 0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conference {
    pub id: String,
    pub title: String,
    pub conf_type: i64,
    pub owner: String,
    pub participants: Vec<Participant>,
}

impl Conference {
    /// The participants other than the Room itself (`me`); everyone the Room listed when its
    /// own account is unknown.
    pub fn others(&self, me: Option<&Peer>) -> Vec<&Participant> {
        self.participants
            .iter()
            .filter(|p| me.is_none_or(|me| !same_user(&p.peer.id, &me.id)))
            .collect()
    }

    /// A role-based (moderated) conference: the one with a podium (`confType` 3).
    pub fn role_based(&self) -> bool {
        self.conf_type == 3
    }

    /// Whether the owner is known to be someone other than `me` (a conference of unknown owner
    /// or an unknown `me` is not).
    pub fn owned_by_another(&self, me: Option<&Peer>) -> bool {
        !self.owner.is_empty() && me.is_some_and(|me| !same_user(&self.owner, &me.id))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participant {
    pub peer: Peer,
    /// `DeviceState::Unknown` while the Room has not said.
    pub mic: DeviceState,
    pub video: DeviceState,
    /// 2 owner, 1 ordinary, … (docs/room-protocol.md, Enumerations); `None` while the Room
    /// has not said.
    pub role: Option<i64>,
    /// On the podium (in a role-based conference; everyone is, elsewhere); `None` while the
    /// Room has not said.
    pub broadcast: Option<bool>,
    /// `leaderType`: 1 the owner, 2 a moderator, 0 neither (docs/room-protocol.md, Podium and
    /// roles); `None` while the Room has not said.
    pub leader: Option<i64>,
}

impl Participant {
    /// Has moderator rights, as far as the Room said.
    pub fn moderator(&self) -> Option<bool> {
        self.leader.map(|l| l == 2)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Devices {
    pub microphones: Vec<Device>,
    pub speakers: Vec<Device>,
    pub cameras: Vec<Device>,
    pub microphone: Option<String>,
    pub speaker: Option<String>,
    pub camera: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Device {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    pub peer: Peer,
    /// -1 invalid, 0 offline, 1 available, 2 busy, 5 in a conference (docs/room-protocol.md,
    /// Enumerations).
    pub status: i64,
    /// The finer presence, where the Room gave it.
    pub presence: Presence,
}

/// What `extStatus`, `lastOnlineTime` and `additionalStatus` say of a contact (each absent
/// when the Room did not say it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Presence {
    /// -1 invalid · 0 offline · 1 offline, recently active · 2 available · 3 available (phone) ·
    /// 4 available (terminal) · 5 do not disturb · 6 away · 7 busy · 8 busy (phone) · 9 busy
    /// (terminal) · 10 in a conference of their own.
    pub ext_status: Option<i64>,
    /// When last online (Unix seconds).
    pub last_online: Option<i64>,
    /// The contact's own words ("at lunch"), if any.
    pub note: String,
}

/// A contact's presence, coarsely, for a mark and a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresenceKind {
    Available,
    Busy,
    InConference,
    Away,
    Offline,
    Unknown,
}

impl Contact {
    /// The presence, read from `extStatus` where given, else from `status`, and its words.
    pub fn presence(&self) -> (PresenceKind, &'static str) {
        use PresenceKind as K;
        match self.presence.ext_status {
            Some(0) => (K::Offline, "offline"),
            Some(1) => (K::Offline, "offline, recently active"),
            Some(2) => (K::Available, "available"),
            Some(3) => (K::Available, "available (phone)"),
            Some(4) => (K::Available, "available (terminal)"),
            Some(5) => (K::Busy, "do not disturb"),
            Some(6) => (K::Away, "away"),
            Some(7) => (K::Busy, "busy"),
            Some(8) => (K::Busy, "busy (phone)"),
            Some(9) => (K::Busy, "busy (terminal)"),
            Some(10) => (K::InConference, "in a conference"),
            _ => match self.status {
                0 => (K::Offline, "offline"),
                1 => (K::Available, "available"),
                2 => (K::Busy, "busy"),
                5 => (K::InConference, "in a conference"),
                _ => (K::Unknown, "presence unknown"),
            },
        }
    }

    /// Applies one entry of `getAbook`, `abReceivedAfterLogin` or `usersStatusesChanged`:
    /// what it says replaces what was known, what it leaves out stays.
    pub fn apply_presence(&mut self, c: &serde_json::Map<String, serde_json::Value>) {
        use crate::room::protocol::Fields;
        if let Some(s) = c.i64_of("status") {
            self.status = s;
        }
        if let Some(e) = c.i64_of("extStatus") {
            self.presence.ext_status = Some(e);
        }
        if let Some(t) = c.i64_of("lastOnlineTime") {
            self.presence.last_online = (t > 0).then_some(t);
        }
        if let Some(n) = c.str_of("additionalStatus") {
            self.presence.note = n;
        }
    }
}

/// The id without its `/instance` suffix, for comparing peers.
pub fn call_id(id: &str) -> &str {
    id.split('/').next().unwrap_or(id)
}

/// Whether two ids name the same user: `alice`, `alice@server` and `alice@server/abcd` do.
pub fn same_user(a: &str, b: &str) -> bool {
    let (a, b) = (call_id(a), call_id(b));
    let short = |s: &str| s.split('@').next().unwrap_or(s).to_string();
    a.eq_ignore_ascii_case(b)
        || ((!a.contains('@') || !b.contains('@')) && short(a).eq_ignore_ascii_case(&short(b)))
}

impl RoomState {
    /// Applies an event.
    pub fn apply_event(&mut self, e: &RoomEvent) {
        match e {
            RoomEvent::AppStateChanged { state, raw } => {
                self.set_app_state(*state);
                self.apply_http_port(raw);
            }
            RoomEvent::ServerConnected {
                server,
                port,
                domain,
            } => {
                self.server = Server::Connected(Some(ServerInfo {
                    server: server.clone(),
                    port: *port,
                    domain: domain.clone(),
                }));
            }
            RoomEvent::ServerDisconnected { .. } => {
                self.server = Server::None;
                self.login = Login::LoggedOut;
            }
            RoomEvent::Login {
                result: 0,
                peer_id,
                peer_dn,
            } => {
                let peer = (!peer_id.is_empty()).then(|| Peer {
                    id: peer_id.clone(),
                    name: peer_dn.clone(),
                });
                self.login = Login::LoggedIn(peer.or_else(|| self.login.peer().cloned()));
            }
            // A refused login changes nothing: "already logged in" is a refusal too.
            RoomEvent::Login { .. } => {}
            RoomEvent::Logout { .. } => self.login = Login::LoggedOut,
            RoomEvent::InviteReceived {
                peer_id,
                peer_dn,
                conf_type,
                conf_id,
                conf_title,
            } => {
                self.last_outcome = None;
                self.invite = Some(Invite {
                    peer: Peer {
                        id: peer_id.clone(),
                        name: peer_dn.clone(),
                    },
                    conf_id: conf_id.clone(),
                    conf_type: *conf_type,
                    conf_title: conf_title.clone(),
                });
            }
            RoomEvent::InviteSent { peer_id, .. } if self.conference.is_none() => {
                self.last_outcome = None;
                self.calling = Some(peer_id.clone());
            }
            RoomEvent::InviteSent { .. } => {}
            RoomEvent::RejectReceived {
                peer_id,
                peer_dn,
                cause,
            } => {
                let who = if peer_dn.is_empty() { peer_id } else { peer_dn };
                self.last_outcome =
                    Some(format!("{who}: {}", super::protocol::reject_cause(*cause)));
                if self.conference.is_none() {
                    self.calling = None;
                }
            }
            RoomEvent::RejectSent { .. } => self.invite = None,
            RoomEvent::StopCalling { peer_id, side } => {
                self.last_outcome = Some(if *side == 0 {
                    format!("call to {peer_id} cancelled")
                } else {
                    format!("{peer_id} stopped calling")
                });
                self.invite = None;
                self.calling = None;
            }
            RoomEvent::ConferenceCreated {
                conf_id,
                conf_title,
                conf_type,
                owner,
                peer_id,
            } => {
                let invite = self.invite.take();
                let invite_name = invite
                    .as_ref()
                    .map(|i| i.peer.name.clone())
                    .filter(|n| !n.is_empty());
                // A one-to-one call's peer: the event's, else the invitation's or the call's.
                let peer = peer_id
                    .clone()
                    .filter(|p| !p.is_empty())
                    .or(invite.map(|i| i.peer.id))
                    .or(self.calling.take())
                    .unwrap_or_default();
                self.calling = None;
                let participants = self
                    .conference
                    .take()
                    .filter(|c| &c.id == conf_id)
                    .map(|c| c.participants)
                    .unwrap_or_default();
                let title = if conf_title.is_empty() {
                    self.name_of(&peer, invite_name.as_deref())
                } else {
                    conf_title.clone()
                };
                // A new call: how the last one ended is no longer news.
                self.last_outcome = None;
                self.conference = Some(Conference {
                    id: conf_id.clone(),
                    title,
                    conf_type: *conf_type,
                    owner: owner.clone(),
                    participants,
                });
            }
            RoomEvent::ConferenceDeleted { .. } => {
                self.conference = None;
                self.last_outcome = Some("call ended".into());
            }
            RoomEvent::ParticipantJoined {
                peer_id,
                peer_dn,
                mic,
                video,
                role,
                broadcast,
                leader,
            } => {
                if let Some(c) = &mut self.conference {
                    c.participants.retain(|p| !same_user(&p.peer.id, peer_id));
                    c.participants.push(Participant {
                        peer: Peer {
                            id: peer_id.clone(),
                            name: peer_dn.clone(),
                        },
                        mic: *mic,
                        video: *video,
                        role: *role,
                        broadcast: *broadcast,
                        leader: *leader,
                    });
                }
            }
            RoomEvent::ParticipantLeft { peer_id } => {
                if let Some(c) = &mut self.conference {
                    c.participants.retain(|p| !same_user(&p.peer.id, peer_id));
                }
            }
            RoomEvent::DeviceStatus {
                peer_id,
                mic,
                video,
            } => {
                // A device the event does not mention keeps what was known of it.
                if let Some(p) = self.participant_mut(peer_id) {
                    if *mic != DeviceState::Unknown {
                        p.mic = *mic;
                    }
                    if *video != DeviceState::Unknown {
                        p.video = *video;
                    }
                }
            }
            RoomEvent::RoleEvent {
                peer_id,
                role,
                broadcast,
                leader,
            } => {
                if let Some(p) = self.participant_mut(peer_id) {
                    if *role != 0 {
                        p.role = Some(*role);
                    }
                    if broadcast.is_some() {
                        p.broadcast = *broadcast;
                    }
                    if leader.is_some() {
                        p.leader = *leader;
                    }
                }
            }
            RoomEvent::MicMuted(m) => self.mic_muted = Some(*m),
            RoomEvent::CameraMuted(m) => self.camera_muted = Some(*m),
            RoomEvent::SpeakerMuted(m) => self.speaker_muted = Some(*m),
            RoomEvent::SettingChanged { name, value } if name == "audioPlayLevel" => {
                self.volume = value.as_f64();
            }
            RoomEvent::SettingChanged { .. } => {}
            RoomEvent::HardwareChanged(body) => {
                let camera = self.devices.camera.clone();
                self.apply_hardware(body);
                // Another camera: its controls are not known until the Room says them.
                if self.devices.camera != camera {
                    self.ptz = None;
                }
            }
            RoomEvent::Other { name, raw } if name == "ptzControlsChanged" => {
                self.ptz = Some(super::ptz::parse(raw));
            }
            RoomEvent::Other { name, raw } if name == "usersStatusesChanged" => {
                self.apply_statuses(raw);
            }
            RoomEvent::Other { name, raw } if name == "abReceivedAfterLogin" => {
                self.apply_abook(raw);
            }
            RoomEvent::Other { name, raw } if name == "contactsAdded" => {
                self.apply_contacts(raw, true);
            }
            RoomEvent::Other { name, raw } if name == "contactsDeleted" => {
                self.apply_contacts(raw, false);
            }
            RoomEvent::Other { name, raw } if name == "broadcastSelfieChanged" => {
                if let Some(on) = raw.get("enabled").and_then(Value::as_bool) {
                    self.selfie_broadcast = Some(on);
                }
            }
            RoomEvent::ChatMessage { .. } | RoomEvent::Other { .. } => {}
        }
    }

    /// A display name for a peer: the invite's, the address book's, else the id itself.
    fn name_of(&self, peer_id: &str, invite_name: Option<&str>) -> String {
        if let Some(n) = invite_name {
            return n.to_string();
        }
        self.contact_name(peer_id)
            .map(str::to_string)
            .unwrap_or_else(|| peer_id.to_string())
    }

    /// The address book's name for a user, when it has one.
    pub fn contact_name(&self, peer_id: &str) -> Option<&str> {
        self.contacts
            .iter()
            .find(|c| same_user(&c.peer.id, peer_id) && !c.peer.name.is_empty())
            .map(|c| c.peer.name.as_str())
    }

    /// The Room's own account, to tell it apart among a call's participants: the one logged
    /// in, else (while a new session has not said yet) the one an earlier session named.
    /// `None` when nobody is logged in or no session ever named it.
    pub fn me(&self) -> Option<&Peer> {
        match &self.login {
            Login::LoggedOut => None,
            Login::LoggedIn(Some(p)) => Some(p),
            Login::LoggedIn(None) | Login::Unknown => self.last_account.as_ref(),
        }
    }

    fn participant_mut(&mut self, peer_id: &str) -> Option<&mut Participant> {
        self.conference
            .as_mut()?
            .participants
            .iter_mut()
            .find(|p| same_user(&p.peer.id, peer_id))
    }

    /// The call as far as it is known (see [`Call`]).
    pub fn call(&self) -> Call<'_> {
        if let Some(i) = &self.invite {
            return Call::Incoming(i);
        }
        if let Some(c) = &self.calling {
            return Call::Calling(c);
        }
        if let Some(c) = &self.conference {
            return Call::InConference(c);
        }
        match self.app_state {
            None => Call::Unknown,
            Some(AppState::None | AppState::Connect | AppState::Login | AppState::Normal) => {
                Call::None
            }
            Some(AppState::Wait) => Call::Ringing,
            Some(AppState::Conference) => Call::InConferenceUnknown,
            Some(AppState::Close) => Call::Ending,
        }
    }

    /// The state as the CLI's `--json` prints it: the fields, plus `call` (`null` unknown,
    /// `"none"`, `"incoming"`, `"calling"`, `"ringing"`, `"conference"`, `"ending"`).
    pub fn to_json(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.insert("call".into(), self.call().key().into());
        }
        v
    }

    /// A new session on the socket: what the Room said on the last one may have changed while
    /// the link was down, so it is unknown until the queries (or events) say again. A call
    /// that was ringing (either way) is dropped: whether it still rings is unknown, and app
    /// state 4 will say "ringing" without details if it does. The call in progress and its
    /// people stay until the app state or `getConferences` says otherwise; the address book,
    /// devices and the last outcome stay as they were.
    pub fn forget_session(&mut self) {
        match &self.login {
            Login::LoggedIn(Some(p)) => self.last_account = Some(p.clone()),
            Login::LoggedOut => self.last_account = None,
            Login::LoggedIn(None) | Login::Unknown => {}
        }
        self.invite = None;
        self.calling = None;
        self.app_state = None;
        self.server = Server::Unknown;
        self.login = Login::Unknown;
        self.mic_muted = None;
        self.camera_muted = None;
        self.speaker_muted = None;
        self.volume = None;
        self.http_port = None;
        self.selfie_broadcast = None;
    }

    /// A new app state, and what it implies (docs/room-protocol.md, App states): 0–2 nobody
    /// is logged in and there is no call (0: no server either); 1–6 a server; 3–6 someone is
    /// logged in (who, only other replies and events say); 3 there is no call.
    fn set_app_state(&mut self, s: AppState) {
        self.app_state = Some(s);
        match s {
            AppState::None => {
                self.server = Server::None;
                self.login = Login::LoggedOut;
                self.clear_calls();
            }
            AppState::Connect | AppState::Login => {
                // 1 keeps the server it is connecting to.
                if !matches!(self.server, Server::Connected(_)) {
                    self.server = Server::Connected(None);
                }
                self.login = Login::LoggedOut;
                self.clear_calls();
            }
            AppState::Normal | AppState::Wait | AppState::Conference | AppState::Close => {
                if !matches!(self.server, Server::Connected(_)) {
                    self.server = Server::Connected(None);
                }
                if !matches!(self.login, Login::LoggedIn(_)) {
                    self.login = Login::LoggedIn(None);
                }
                match s {
                    AppState::Normal => self.clear_calls(),
                    // A call being set up is not one in progress: a conference kept from
                    // before (a new session, a missed `conferenceDeleted`) is over.
                    AppState::Wait => self.conference = None,
                    _ => {}
                }
            }
        }
    }

    fn clear_calls(&mut self) {
        self.invite = None;
        self.calling = None;
        self.conference = None;
    }
}

mod replies;

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
