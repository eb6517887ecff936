//! The demo world's users around the Room: they answer, reject or ignore calls and
//! invitations after their delays, call the Room, leave, switch devices and answer chat
//! messages (docs/room-protocol.md, Events).

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::super::SimError;
use super::super::world::OnCall;
use super::dispatch::Events;
use super::state::{Call, Conf, Inner, SimState, event, now_secs};

#[derive(Debug, Clone)]
pub(super) enum Timer {
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
    /// A participant answers the owner's invitation to the podium.
    PodiumAnswer {
        conf_id: String,
        peer: String,
        accept: bool,
    },
    /// The owner lets the Room onto the podium it asked for.
    PodiumGranted { conf_id: String },
    /// A participant of a role-based conference asks for the podium.
    AsksForPodium { conf_id: String, peer: String },
}

impl Inner {
    pub(super) fn schedule(self: &Arc<Self>, timers: Vec<(Duration, Timer)>) {
        for (delay, t) in timers {
            let me = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                me.fire(t);
            });
        }
    }

    /// A peer's scheduled action happens (or nothing, if the call it was for is gone).
    pub(super) fn fire(self: &Arc<Self>, t: Timer) {
        let mut s = self.lock();
        let mut ev = Vec::new();
        match t {
            Timer::OutgoingResult {
                generation,
                peer,
                action,
            } => self.outgoing_result(&mut s, generation, &peer, action, &mut ev),
            Timer::IncomingTimeout { generation } => {
                self.incoming_timeout(&mut s, generation, &mut ev);
            }
            Timer::Invitee {
                conf_id,
                peer,
                action,
            } => {
                self.invitee_answers(&mut s, &conf_id, &peer, action, &mut ev);
                // In a role-based conference the Room owns, the audience asks for the podium
                // a while after joining.
                let asks = matches!(&s.call, Call::Conference(c)
                    if c.id == conf_id && c.role_based() && c.owner == self.room_id(&s)
                        && c.participants.iter().any(|x| self.peer_of(&peer).is_some_and(|p| p.id == x.id)));
                if asks && let Some(u) = self.cfg.world.user(&peer) {
                    let delay = self.cfg.scaled(u.answer_after() * 3);
                    self.schedule(vec![(delay, Timer::AsksForPodium { conf_id, peer })]);
                }
            }
            Timer::PodiumAnswer {
                conf_id,
                peer,
                accept,
            } => self.podium_answer(&mut s, &conf_id, &peer, accept, &mut ev),
            Timer::PodiumGranted { conf_id } => self.podium_granted(&mut s, &conf_id, &mut ev),
            Timer::AsksForPodium { conf_id, peer } => {
                if let Some(p) = self.peer_of(&peer) {
                    self.asks_for_podium(&mut s, &conf_id, &p.id, &mut ev);
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

    /// The callee of the Room's outgoing call answers, rejects or lets it time out.
    fn outgoing_result(
        &self,
        s: &mut SimState,
        generation: u64,
        peer: &str,
        action: OnCall,
        ev: &mut Events,
    ) {
        if s.generation != generation || !matches!(s.call, Call::Outgoing { .. }) {
            return;
        }
        let Call::Outgoing { conf_id, .. } = s.call.clone() else {
            return;
        };
        let Some(p) = self.peer_of(peer) else { return };
        s.generation += 1;
        match action {
            OnCall::Answer => {
                let mut c = Conf {
                    id: conf_id.clone(),
                    title: String::new(),
                    conf_type: 0,
                    owner: self.room_id(s),
                    participants: vec![],
                    invited: vec![],
                    my_podium: true,
                };
                ev.push(self.conference_created(s, &c, Some(&p.id)));
                let mut p = p;
                let joined = self.joined_event(&mut p, &c);
                c.participants.push(p);
                s.call = Call::Conference(c);
                self.set_state(s, 5, ev);
                ev.push(joined);
            }
            OnCall::Reject | OnCall::Ignore => {
                let cause = if action == OnCall::Reject { 0 } else { 16 };
                ev.push(event(
                    "rejectReceived",
                    json!({"cause": cause, "peerId": p.id, "peerDn": p.name, "confId": conf_id}),
                ));
                s.call = Call::Idle;
                self.set_state(s, 3, ev);
            }
        }
    }

    /// An incoming call rang too long.
    fn incoming_timeout(&self, s: &mut SimState, generation: u64, ev: &mut Events) {
        if s.generation != generation {
            return;
        }
        if let Call::Incoming {
            peer,
            conf_id,
            conf_type,
            ..
        } = s.call.clone()
        {
            s.generation += 1;
            s.call = Call::Idle;
            ev.push(event("stopCalling", json!({"peerId": peer, "side": 1})));
            self.set_state(s, 3, ev);
            // Nobody answered: a missed call in the history.
            if let Some(p) = self.peer_of(&peer) {
                self.record_call(s, 2, conf_type.min(1), &p, &conf_id);
            }
        }
    }

    /// An invitee answers the conference invitation.
    fn invitee_answers(
        &self,
        s: &mut SimState,
        conf_id: &str,
        peer: &str,
        action: OnCall,
        ev: &mut Events,
    ) {
        let Some(p) = self.peer_of(peer) else { return };
        let Call::Conference(c) = &mut s.call else {
            return;
        };
        if c.id != conf_id || !c.invited.contains(&p.id) {
            return;
        }
        c.invited.retain(|i| i != &p.id);
        match action {
            OnCall::Answer => {
                let mut p = p;
                ev.push(self.joined_event(&mut p, c));
                c.participants.push(p);
            }
            OnCall::Reject | OnCall::Ignore => {
                let cause = if action == OnCall::Reject { 0 } else { 16 };
                ev.push(event(
                    "rejectReceived",
                    json!({"cause": cause, "peerId": p.id, "peerDn": p.name, "confId": conf_id}),
                ));
            }
        }
    }

    pub(super) fn incoming(
        self: &Arc<Self>,
        from: &str,
        conf_type: i64,
        title: Option<String>,
    ) -> Result<(), SimError> {
        let p = self
            .peer_of(from)
            .ok_or_else(|| SimError::NoUser(from.to_string()))?;
        let mut s = self.lock();
        if s.app_state != 3 {
            return Err(SimError::CannotCall(s.app_state));
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

    pub(super) fn peer_leaves(&self, who: &str) -> Result<(), SimError> {
        let p = self
            .peer_of(who)
            .ok_or_else(|| SimError::NoUser(who.to_string()))?;
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
            _ => return Err(SimError::NotInCall(p.id.clone())),
        }
        self.publish(&s, ev);
        Ok(())
    }

    pub(super) fn peer_devices(&self, who: &str, mic: i64, video: i64) -> Result<(), SimError> {
        let p = self
            .peer_of(who)
            .ok_or_else(|| SimError::NoUser(who.to_string()))?;
        let mut s = self.lock();
        let Call::Conference(c) = &mut s.call else {
            return Err(SimError::NoConference);
        };
        let conf_id = c.id.clone();
        let Some(x) = c.participants.iter_mut().find(|x| x.id == p.id) else {
            return Err(SimError::NotInConference(p.id.clone()));
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
}
