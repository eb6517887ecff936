//! The Room's replies to the link's queries, read into the state: every shape
//! docs/room-protocol.md lists ("What the console knows").

use serde_json::{Map, Value};

use super::{
    Conference, Contact, Device, Devices, Login, Participant, Peer, RoomState, Server, ServerInfo,
};
use crate::room::protocol::{AppState, DeviceState, Fields};

fn devices(list: Option<&Value>) -> Vec<Device> {
    list.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_object)
                .map(|d| Device {
                    name: d.str_of("name").unwrap_or_default(),
                    description: d.str_of("description").unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A peer from `peerId` (not empty) and `peerDn`.
fn peer_of(o: &Map<String, Value>) -> Option<Peer> {
    Some(Peer {
        id: o.str_of("peerId").filter(|s| !s.is_empty())?,
        name: o.str_of("peerDn").unwrap_or_default(),
    })
}

/// A server from `server` (not empty), `port` and `domain`.
fn server_info(o: &Map<String, Value>) -> Option<ServerInfo> {
    Some(ServerInfo {
        server: o.str_of("server").filter(|s| !s.is_empty())?,
        port: o.i64_of("port"),
        domain: o.str_of("domain").filter(|s| !s.is_empty()),
    })
}

fn participant(o: &Map<String, Value>) -> Option<Participant> {
    Some(Participant {
        peer: Peer {
            id: o.str_of("peerId")?,
            name: o.str_of("peerDn").unwrap_or_default(),
        },
        mic: DeviceState::read(o, "mic"),
        video: DeviceState::read(o, "video"),
        role: o.i64_of("role"),
        broadcast: o.bool_of("broadcast"),
        leader: o.i64_of("leaderType"),
    })
}

impl RoomState {
    /// The address book in a `getAbook` reply or an `abReceivedAfterLogin` event (`abook`).
    pub(crate) fn apply_abook(&mut self, body: &Map<String, Value>) {
        self.contacts = body
            .get("abook")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_object)
                    .filter_map(|c| {
                        let mut contact = Contact {
                            peer: Peer {
                                id: c.str_of("peerId")?,
                                name: c.str_of("peerDn").unwrap_or_default(),
                            },
                            status: -1,
                            presence: Default::default(),
                        };
                        contact.apply_presence(c);
                        Some(contact)
                    })
                    .collect()
            })
            .unwrap_or_default();
    }

    /// `contactsAdded` (`added`) or `contactsDeleted`: `contacts`, a list of entries as in the
    /// address book (or of bare ids). An added one already listed is updated in place; the
    /// link reads the whole address book again after either, so whatever shape a Room uses,
    /// the list ends as the Room has it.
    pub(crate) fn apply_contacts(&mut self, body: &Map<String, Value>, added: bool) {
        let Some(list) = body.get("contacts").and_then(Value::as_array) else {
            return;
        };
        for v in list {
            let (id, entry) = match v {
                Value::String(id) => (id.clone(), None),
                Value::Object(o) => match o.str_of("peerId").filter(|s| !s.is_empty()) {
                    Some(id) => (id, Some(o)),
                    None => continue,
                },
                _ => continue,
            };
            if !added {
                self.contacts.retain(|c| !super::same_user(&c.peer.id, &id));
                continue;
            }
            let at = match self
                .contacts
                .iter()
                .position(|c| super::same_user(&c.peer.id, &id))
            {
                Some(at) => at,
                None => {
                    self.contacts.push(Contact {
                        peer: Peer {
                            id: id.clone(),
                            name: String::new(),
                        },
                        status: -1,
                        presence: Default::default(),
                    });
                    self.contacts.len() - 1
                }
            };
            if let Some(o) = entry {
                let c = &mut self.contacts[at];
                if let Some(name) = o.str_of("peerDn") {
                    c.peer.name = name;
                }
                c.apply_presence(o);
            }
        }
    }

    /// `usersStatusesChanged`: the presence of the contacts it names (a list of entries as in
    /// the address book, or an object of them by id); others are not in the address book.
    pub(crate) fn apply_statuses(&mut self, body: &Map<String, Value>) {
        let entries: Vec<(Option<String>, &Map<String, Value>)> = match body.get("usersStatuses") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_object)
                .map(|o| (None, o))
                .collect(),
            Some(Value::Object(o)) => o
                .iter()
                .filter_map(|(k, v)| v.as_object().map(|v| (Some(k.clone()), v)))
                .collect(),
            _ => Vec::new(),
        };
        for (key, e) in entries {
            let Some(id) = e.str_of("peerId").or(key) else {
                continue;
            };
            for c in self
                .contacts
                .iter_mut()
                .filter(|c| super::same_user(&c.peer.id, &id))
            {
                c.apply_presence(e);
            }
        }
    }

    /// Applies the reply to a query the link makes after auth (or any later one). A reply
    /// without the keys a value needs leaves that value as it was (unknown, if nothing else
    /// said); every shape docs/room-protocol.md lists is read.
    pub fn apply_reply(&mut self, method: &str, body: &Map<String, Value>) {
        match method {
            "getAppState" => {
                if let Some(s) = body.i64_of("appState").and_then(AppState::from_i64) {
                    self.set_app_state(s);
                }
                self.apply_http_port(body);
            }
            "getBroadcastSelfie" => {
                if let Some(on) = body.bool_of("enabled") {
                    self.selfie_broadcast = Some(on);
                }
            }
            "getLogin" => self.apply_login(body),
            "getSystemInfo" => {
                // `authInfo` is there once logged in (py-lib relies on it); its absence says
                // nothing, and it does not overrule a Room that said nobody is logged in.
                if let Some(peer) = body
                    .get("authInfo")
                    .and_then(Value::as_object)
                    .and_then(peer_of)
                    && self.login != Login::LoggedOut
                {
                    self.login = Login::LoggedIn(Some(peer));
                }
            }
            "getConnected" => self.apply_connected(body),
            "getSettings" => {
                for s in body
                    .get("settings")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if s.get("name").and_then(Value::as_str) == Some("audioPlayLevel") {
                        self.volume = s.get("value").and_then(Value::as_f64);
                    }
                }
            }
            "getMicMute" => self.mic_muted = body.bool_of("mute").or(self.mic_muted),
            "getVideoMute" => self.camera_muted = body.bool_of("mute").or(self.camera_muted),
            "getAudioMute" => self.speaker_muted = body.bool_of("mute").or(self.speaker_muted),
            "getHardware" => self.apply_hardware(body),
            "getPtzControls" => self.ptz = Some(crate::room::ptz::parse(body)),
            "getAbook" => self.apply_abook(body),
            "getConferences" => self.apply_conferences(body),
            "getConferenceParticipants" => {
                if let (Some(c), Some(list)) = (
                    &mut self.conference,
                    body.get("participants").and_then(Value::as_array),
                ) {
                    c.participants = list
                        .iter()
                        .filter_map(Value::as_object)
                        .filter_map(participant)
                        .collect();
                }
            }
            _ => {}
        }
    }

    /// `embeddedHttpPort`, when it is a port (a number, or a number in a string); anything
    /// else leaves what was known.
    pub(crate) fn apply_http_port(&mut self, body: &Map<String, Value>) {
        let port = match body.get("embeddedHttpPort") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        if let Some(p) = port.and_then(|p| u16::try_from(p).ok()).filter(|&p| p > 0) {
            self.http_port = Some(p);
        }
    }

    /// `getLogin`: `isLoggedIn` or `isLoggedin` (R12), `peerId` and `peerDn` when logged in.
    /// Logged in without a `peerId` keeps an account other replies named; a `peerId` without
    /// the flag is taken as logged in; neither leaves the login as it was.
    fn apply_login(&mut self, body: &Map<String, Value>) {
        let flag = body.bool_of("isLoggedIn").or(body.bool_of("isLoggedin"));
        let peer = peer_of(body);
        match (flag, peer) {
            (Some(false), _) => self.login = Login::LoggedOut,
            (_, Some(p)) => self.login = Login::LoggedIn(Some(p)),
            (Some(true), None) => {
                if !matches!(self.login, Login::LoggedIn(Some(_))) {
                    self.login = Login::LoggedIn(None);
                }
            }
            (None, None) => {}
        }
    }

    /// `getConnected`: `state` 0–2 (`serverInfo` only in 1 and 2), an `isConnected` flag, or
    /// neither; the server in `serverInfo` or in flat `server`, `port`, `domain` keys.
    fn apply_connected(&mut self, body: &Map<String, Value>) {
        let info = body
            .get("serverInfo")
            .and_then(Value::as_object)
            .and_then(server_info)
            .or_else(|| server_info(body));
        let connected = match body.i64_of("state") {
            Some(0) => Some(false),
            Some(1 | 2) => Some(true),
            _ => body.bool_of("isConnected"),
        }
        .or(info.as_ref().map(|_| true));
        match connected {
            Some(false) => self.server = Server::None,
            Some(true) => {
                // A bare flag keeps details known from before.
                let keep = self.server.info().cloned();
                self.server = Server::Connected(info.or(keep));
            }
            None => {}
        }
    }

    /// `getConferences`: a flat object (`confId`, or v2's `id`; empty means none, R20), a
    /// `conferences` list (empty means none; the first with an id is the one), or a
    /// `conference` object. A reply with none of these leaves the call as it was.
    fn apply_conferences(&mut self, body: &Map<String, Value>) {
        let conf_id = |o: &Map<String, Value>| {
            o.str_of("confId")
                .or_else(|| o.str_of("id"))
                .filter(|s| !s.is_empty())
        };
        let found: Option<&Map<String, Value>> =
            if let Some(list) = body.get("conferences").and_then(Value::as_array) {
                list.iter()
                    .filter_map(Value::as_object)
                    .find(|o| conf_id(o).is_some())
            } else if let Some(o) = body.get("conference").and_then(Value::as_object) {
                Some(o)
            } else if body.contains_key("confId") || body.contains_key("id") {
                Some(body)
            } else {
                return;
            };
        let Some((o, id)) = found.and_then(|o| Some((o, conf_id(o)?))) else {
            self.conference = None;
            return;
        };
        let participants = self
            .conference
            .take()
            .filter(|c| c.id == id)
            .map(|c| c.participants)
            .unwrap_or_default();
        let title = match o.str_of("confTitle").filter(|t| !t.is_empty()) {
            Some(t) => t,
            None => {
                let dn = o.str_of("peerDn").filter(|t| !t.is_empty());
                self.name_of(&o.str_of("peerId").unwrap_or_default(), dn.as_deref())
            }
        };
        self.conference = Some(Conference {
            title,
            conf_type: o.i64_of("confType").unwrap_or(0),
            owner: o.str_of("conferenceOwner").unwrap_or_default(),
            id,
            participants,
        });
    }

    pub(super) fn apply_hardware(&mut self, b: &Map<String, Value>) {
        self.devices = Devices {
            microphones: devices(b.get("audioCapturers")),
            speakers: devices(b.get("audioRenderers")),
            cameras: devices(b.get("videoCapturers")),
            microphone: b
                .str_of("currentAudioCapturerName")
                .filter(|s| !s.is_empty()),
            speaker: b
                .str_of("currentAudioRendererName")
                .filter(|s| !s.is_empty()),
            camera: b
                .str_of("currentVideoCapturerName")
                .filter(|s| !s.is_empty()),
        };
    }
}
