//! Conferences: create one, invite and remove participants, list them
//! (docs/room-protocol.md, Methods the console uses).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::dispatch::Events;
use super::peers::Timer;
use super::state::{Call, Conf, Inner, Outcome, SimState, event};
use crate::room::protocol::Fields;
use crate::sim::world::OnCall;

impl Inner {
    /// `createConference`.
    pub(super) fn create_conference(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
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
            // The owner of a role-based conference starts on its podium.
            my_podium: true,
        };
        ev.push(self.conference_created(s, &c, None));
        s.call = Call::Conference(c);
        self.set_state(s, 5, ev);
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
            o.timers.extend(self.invite(s, &who, ev));
        }
        o
    }

    /// `inviteToConference`.
    pub(super) fn invite_to_conference(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        if !matches!(s.call, Call::Conference(ref c) if c.conf_type != 0) {
            return Outcome::err("there is no group conference to invite into");
        }
        let who = p.str_of("peerId").unwrap_or_default();
        if self.peer_of(&who).is_none() {
            return Outcome::err(format!("no user `{who}` on this server"));
        }
        Outcome {
            timers: self.invite(s, &who, ev),
            ..Default::default()
        }
    }

    /// `kickPeer`.
    pub(super) fn kick_peer(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        let who = p.str_of("peerId").unwrap_or_default();
        let Some(pp) = self.peer_of(&who) else {
            return Outcome::err(format!("no user `{who}`"));
        };
        let me = s.login.clone().unwrap_or_default();
        let Call::Conference(c) = &mut s.call else {
            return Outcome::err("there is no conference");
        };
        if c.owner != me {
            return Outcome::err("only the conference's owner can remove a participant");
        }
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

    /// `turnRemoteMic`.
    pub(super) fn turn_remote_mic(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        self.turn_remote(s, p, true, ev)
    }

    /// `turnRemoteCamera`.
    pub(super) fn turn_remote_camera(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        self.turn_remote(s, p, false, ev)
    }

    /// A participant's microphone (`mic`) or camera switched by the conference's owner: the
    /// participant named by the id with its instance, as the Room lists it (the plain id is
    /// taken too); announced as `deviceStatusReceived`.
    fn turn_remote(
        &self,
        s: &mut SimState,
        p: &Map<String, Value>,
        mic: bool,
        ev: &mut Events,
    ) -> Outcome {
        let who = p.str_of("peerId").unwrap_or_default();
        let on = p.bool_of("on").unwrap_or(false);
        let me = s.login.clone().unwrap_or_default();
        let Call::Conference(c) = &mut s.call else {
            return Outcome::err("there is no conference");
        };
        if c.owner != me {
            return Outcome::err("only the conference's owner can switch a participant's devices");
        }
        let conf_id = c.id.clone();
        let Some(x) = c.position_of(&who).map(|at| &mut c.participants[at]) else {
            return Outcome::err(format!("{who} is not in the conference"));
        };
        let level = if on { 2 } else { 1 };
        if mic {
            x.mic = level;
        } else {
            x.video = level;
        }
        ev.push(event(
            "deviceStatusReceived",
            json!({"peerId": x.instance, "mic": x.mic, "video": x.video, "confId": conf_id}),
        ));
        Outcome::default()
    }

    /// `getConferences`.
    pub(super) fn get_conferences(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        match &s.call {
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
        }
    }

    /// `getConferenceParticipants`.
    pub(super) fn get_conference_participants(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        match &s.call {
            Call::Conference(c) => {
                let owner = c.owner == self.room_id(s);
                let mut list = vec![
                    json!({"peerId": format!("{}/room", self.room_id(s)), "peerDn": self.room_name(s),
                "mic": if s.mic_muted { 1 } else { 2 }, "video": if s.camera_muted { 1 } else { 2 }, "role": if owner { 2 } else { 1 },
                "slideShow": false, "leaderType": i64::from(owner), "broadcast": c.my_podium, "pinned": false}),
                ];
                for x in &c.participants {
                    list.push(json!({"peerId": x.instance, "peerDn": x.name, "mic": x.mic, "video": x.video, "role": x.role_in(&c.owner),
                    "slideShow": false, "leaderType": x.leader_type(&c.owner), "broadcast": x.broadcast, "pinned": false, "isInWaitingRoom": false}));
                }
                Outcome::ok(json!({"confId": c.id, "participants": list}))
            }
            _ => Outcome::ok(json!({"confId": "", "participants": []})),
        }
    }

    pub(super) fn invite(
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
}
