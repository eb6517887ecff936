//! What the console knows about a Room, built from the replies to the first queries after auth
//! and from events. Pure data and pure functions: no I/O.

use serde::Serialize;
use serde_json::{Map, Value};

use super::protocol::{AppState, DeviceState, Fields, RoomEvent};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RoomState {
    pub app_state: AppState,
    pub server: Option<ServerInfo>,
    /// The account the Room is logged in as.
    pub login: Option<Peer>,
    /// A pending incoming call or invitation.
    pub invite: Option<Invite>,
    /// An outgoing call that is ringing.
    pub calling: Option<String>,
    pub conference: Option<Conference>,
    pub mic_muted: bool,
    pub camera_muted: bool,
    pub speaker_muted: bool,
    /// Master volume, 0.0–1.0 (`audioPlayLevel`).
    pub volume: Option<f64>,
    pub devices: Devices,
    pub contacts: Vec<Contact>,
    /// The last call that ended, and how, for the status line.
    pub last_outcome: Option<String>,
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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participant {
    pub peer: Peer,
    pub mic: DeviceState,
    pub video: DeviceState,
    /// 2 owner, 1 ordinary, … (docs/room-protocol.md, Enumerations).
    pub role: i64,
    /// On the podium (role conferences).
    pub broadcast: bool,
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

fn participant(o: &Map<String, Value>) -> Option<Participant> {
    Some(Participant {
        peer: Peer {
            id: o.str_of("peerId")?,
            name: o.str_of("peerDn").unwrap_or_default(),
        },
        mic: DeviceState::from_i64(o.i64_of("mic").unwrap_or(0)),
        video: DeviceState::from_i64(o.i64_of("video").unwrap_or(0)),
        role: o.i64_of("role").unwrap_or(1),
        broadcast: o.bool_of("broadcast").unwrap_or(false),
    })
}

impl RoomState {
    /// Applies an event.
    pub fn apply_event(&mut self, e: &RoomEvent) {
        match e {
            RoomEvent::AppStateChanged { state, .. } => self.set_app_state(*state),
            RoomEvent::ServerConnected {
                server,
                port,
                domain,
            } => {
                self.server = Some(ServerInfo {
                    server: server.clone(),
                    port: *port,
                    domain: domain.clone(),
                });
            }
            RoomEvent::ServerDisconnected { .. } => {
                self.server = None;
                self.login = None;
            }
            RoomEvent::Login {
                result: 0,
                peer_id,
                peer_dn,
            } => {
                self.login = Some(Peer {
                    id: peer_id.clone(),
                    name: peer_dn.clone(),
                });
            }
            RoomEvent::Login { .. } => {}
            RoomEvent::Logout { .. } => self.login = None,
            RoomEvent::InviteReceived {
                peer_id,
                peer_dn,
                conf_type,
                conf_id,
                conf_title,
            } => {
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
                let invite_name = self
                    .invite
                    .take()
                    .map(|i| i.peer.name)
                    .filter(|n| !n.is_empty());
                self.calling = None;
                let participants = self
                    .conference
                    .take()
                    .filter(|c| &c.id == conf_id)
                    .map(|c| c.participants)
                    .unwrap_or_default();
                let title = if conf_title.is_empty() {
                    self.name_of(
                        peer_id.as_deref().unwrap_or_default(),
                        invite_name.as_deref(),
                    )
                } else {
                    conf_title.clone()
                };
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
                        broadcast: false,
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
                if let Some(p) = self.participant_mut(peer_id) {
                    p.mic = *mic;
                    p.video = *video;
                }
            }
            RoomEvent::RoleEvent {
                peer_id,
                role,
                broadcast,
            } => {
                if let Some(p) = self.participant_mut(peer_id) {
                    if *role != 0 {
                        p.role = *role;
                    }
                    if let Some(b) = broadcast {
                        p.broadcast = *b;
                    }
                }
            }
            RoomEvent::MicMuted(m) => self.mic_muted = *m,
            RoomEvent::CameraMuted(m) => self.camera_muted = *m,
            RoomEvent::SpeakerMuted(m) => self.speaker_muted = *m,
            RoomEvent::SettingChanged { name, value } if name == "audioPlayLevel" => {
                self.volume = value.as_f64();
            }
            RoomEvent::SettingChanged { .. } => {}
            RoomEvent::HardwareChanged(body) => self.apply_hardware(body),
            RoomEvent::ChatMessage { .. } | RoomEvent::Other { .. } => {}
        }
    }

    /// A display name for a peer: the invite's, the address book's, else the id itself.
    fn name_of(&self, peer_id: &str, invite_name: Option<&str>) -> String {
        if let Some(n) = invite_name {
            return n.to_string();
        }
        self.contacts
            .iter()
            .find(|c| same_user(&c.peer.id, peer_id) && !c.peer.name.is_empty())
            .map(|c| c.peer.name.clone())
            .unwrap_or_else(|| peer_id.to_string())
    }

    fn participant_mut(&mut self, peer_id: &str) -> Option<&mut Participant> {
        self.conference
            .as_mut()?
            .participants
            .iter_mut()
            .find(|p| same_user(&p.peer.id, peer_id))
    }

    fn set_app_state(&mut self, s: AppState) {
        self.app_state = s;
        match s {
            AppState::None | AppState::Connect => {
                self.server = if s == AppState::None {
                    None
                } else {
                    self.server.take()
                };
                self.login = None;
                self.clear_calls();
            }
            AppState::Login => {
                self.login = None;
                self.clear_calls();
            }
            AppState::Normal => self.clear_calls(),
            AppState::Wait | AppState::Conference | AppState::Close => {}
        }
    }

    fn clear_calls(&mut self) {
        self.invite = None;
        self.calling = None;
        self.conference = None;
    }

    /// Applies the reply to a query the link makes after auth (or any later one).
    pub fn apply_reply(&mut self, method: &str, body: &Map<String, Value>) {
        match method {
            "getAppState" => {
                if let Some(s) = body.i64_of("appState").and_then(AppState::from_i64) {
                    self.app_state = s;
                }
            }
            "getLogin" => {
                self.login = match (
                    body.bool_of("isLoggedIn").or(body.bool_of("isLoggedin")),
                    body.str_of("peerId"),
                ) {
                    (Some(true), Some(id)) => Some(Peer {
                        id,
                        name: body.str_of("peerDn").unwrap_or_default(),
                    }),
                    _ => None,
                };
            }
            "getConnected" => {
                self.server = body
                    .get("serverInfo")
                    .and_then(Value::as_object)
                    .and_then(|i| {
                        Some(ServerInfo {
                            server: i.str_of("server")?,
                            port: i.i64_of("port"),
                            domain: i.str_of("domain"),
                        })
                    });
            }
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
            "getMicMute" => self.mic_muted = body.bool_of("mute").unwrap_or(self.mic_muted),
            "getVideoMute" => self.camera_muted = body.bool_of("mute").unwrap_or(self.camera_muted),
            "getAudioMute" => {
                self.speaker_muted = body.bool_of("mute").unwrap_or(self.speaker_muted);
            }
            "getHardware" => self.apply_hardware(body),
            "getAbook" => {
                self.contacts = body
                    .get("abook")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_object)
                            .filter_map(|c| {
                                Some(Contact {
                                    peer: Peer {
                                        id: c.str_of("peerId")?,
                                        name: c.str_of("peerDn").unwrap_or_default(),
                                    },
                                    status: c.i64_of("status").unwrap_or(-1),
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
            }
            "getConferences" => {
                if let Some(id) = body.str_of("confId").filter(|s| !s.is_empty()) {
                    let participants = self
                        .conference
                        .take()
                        .filter(|c| c.id == id)
                        .map(|c| c.participants)
                        .unwrap_or_default();
                    self.conference = Some(Conference {
                        title: body
                            .str_of("confTitle")
                            .or(body.str_of("peerDn"))
                            .or(body.str_of("peerId"))
                            .unwrap_or_default(),
                        conf_type: body.i64_of("confType").unwrap_or(0),
                        owner: body.str_of("conferenceOwner").unwrap_or_default(),
                        id,
                        participants,
                    });
                }
            }
            "getConferenceParticipants" => {
                if let Some(c) = &mut self.conference {
                    c.participants = body
                        .get("participants")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_object)
                                .filter_map(participant)
                                .collect()
                        })
                        .unwrap_or_default();
                }
            }
            _ => {}
        }
    }

    fn apply_hardware(&mut self, b: &Map<String, Value>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room::protocol::{Incoming, parse_frame};
    use serde_json::json;

    fn ev(v: Value) -> RoomEvent {
        match parse_frame(&v.to_string()).unwrap() {
            Incoming::Event(e) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_call_from_ringing_to_the_end() {
        let mut s = RoomState::default();
        s.apply_event(&ev(
            json!({"event":"appStateChanged","method":"event","appState":3}),
        ));
        s.apply_event(&ev(json!({"event":"inviteReceived","method":"event","peerId":"dave@video.example.com","peerDn":"Dave","type":0,"confId":"c1"})));
        s.apply_event(&ev(
            json!({"event":"appStateChanged","method":"event","appState":4}),
        ));
        let inv = s.invite.clone().unwrap();
        assert!(inv.is_call());
        assert_eq!(inv.peer.name, "Dave");
        s.apply_event(&ev(json!({"event":"conferenceCreated","method":"event","confId":"c1","confTitle":"","confType":0,"conferenceOwner":"dave@video.example.com","joinUrl":"","realTimeConferenceManagmentUrl":"","peerId":"dave@video.example.com"})));
        s.apply_event(&ev(
            json!({"event":"appStateChanged","method":"event","appState":5}),
        ));
        assert_eq!(s.invite, None);
        // A 1:1 call is titled by the caller's name, not the raw id.
        assert_eq!(s.conference.as_ref().unwrap().title, "Dave");
        s.apply_event(&ev(json!({"event":"newParticipantInConference","method":"event","peerId":"dave@video.example.com/ab12","peerDn":"Dave","confId":"c1","mic":2,"video":1})));
        s.apply_event(&ev(json!({"event":"deviceStatusReceived","method":"event","peerId":"dave@video.example.com","mic":1,"video":2,"confId":"c1"})));
        let p = &s.conference.as_ref().unwrap().participants[0];
        assert_eq!((p.mic, p.video), (DeviceState::Muted, DeviceState::On));
        s.apply_event(&ev(
            json!({"event":"participantLeftConference","method":"event","peerId":"dave"}),
        ));
        assert!(s.conference.as_ref().unwrap().participants.is_empty());
        s.apply_event(&ev(
            json!({"event":"appStateChanged","method":"event","appState":6}),
        ));
        s.apply_event(&ev(
            json!({"event":"conferenceDeleted","method":"event","confId":"c1"}),
        ));
        s.apply_event(&ev(
            json!({"event":"appStateChanged","method":"event","appState":3}),
        ));
        assert_eq!(s.conference, None);
        assert_eq!(s.last_outcome.as_deref(), Some("call ended"));
    }

    #[test]
    fn a_rejected_call_says_why() {
        let mut s = RoomState {
            app_state: AppState::Wait,
            calling: Some("bob".into()),
            ..Default::default()
        };
        s.apply_event(&ev(json!({"event":"rejectReceived","method":"event","peerId":"bob@video.example.com","peerDn":"Bob","cause":0})));
        assert_eq!(s.calling, None);
        assert_eq!(s.last_outcome.as_deref(), Some("Bob: rejected"));
    }

    #[test]
    fn replies_fill_devices_contacts_and_mutes() {
        let mut s = RoomState::default();
        s.apply_reply(
            "getHardware",
            json!({"audioCapturers":[{"name":"Mic A","description":"a"}],"currentAudioCapturerName":"Mic A","videoCapturers":[],"audioRenderers":[]}).as_object().unwrap(),
        );
        assert_eq!(s.devices.microphone.as_deref(), Some("Mic A"));
        s.apply_reply(
            "getAbook",
            json!({"abook":[{"peerId":"alice@x","peerDn":"Alice","status":1},{"bad":1}]})
                .as_object()
                .unwrap(),
        );
        assert_eq!(s.contacts.len(), 1);
        s.apply_reply(
            "getSettings",
            json!({"settings":[{"name":"audioPlayLevel","value":0.5}]})
                .as_object()
                .unwrap(),
        );
        assert_eq!(s.volume, Some(0.5));
        s.apply_event(&RoomEvent::MicMuted(true));
        assert!(s.mic_muted);
        s.apply_reply(
            "getLogin",
            json!({"isLoggedin":true,"peerId":"operator@x","peerDn":"Operator"})
                .as_object()
                .unwrap(),
        );
        assert_eq!(s.login.as_ref().unwrap().name, "Operator");
    }

    #[test]
    fn ids_compare_as_users() {
        assert!(same_user("alice", "alice@video.example.com/ab12"));
        assert!(same_user(
            "Alice@video.example.com",
            "alice@video.example.com"
        ));
        assert!(!same_user("alice@a.com", "alice@b.com"));
        assert!(!same_user("alice", "alicia"));
    }
}
