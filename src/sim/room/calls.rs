//! Calls: place, accept, reject and hang up, and the call history (docs/room-protocol.md,
//! App states and Methods the console uses).

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::dispatch::Events;
use super::peers::Timer;
use super::state::{Call, Conf, Inner, Outcome, SimState, event};
use crate::room::protocol::Fields;
use crate::sim::world::OnCall;

impl Inner {
    /// `call`.
    pub(super) fn call(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        self.place_call(s, p.str_of("peerId").unwrap_or_default(), ev)
    }

    /// `accept`.
    pub(super) fn accept(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
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
            participants: vec![],
            invited: vec![],
            // Invited into a role-based conference: in the audience until given the podium.
            my_podium: conf_type != 3,
        };
        ev.push(self.conference_created(s, &c, (conf_type == 0).then_some(pp.id.as_str())));
        let mut pp = pp;
        let joined = self.joined_event(&mut pp, &c);
        let mut c = c;
        c.participants.push(pp.clone());
        s.call = Call::Conference(c);
        self.set_state(s, 5, ev);
        ev.push(joined);
        self.record_call(s, 0, conf_type.min(1), &pp, &conf_id);
        Outcome::default()
    }

    /// `reject`.
    pub(super) fn reject(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        let Call::Incoming { peer, conf_id, .. } = s.call.clone() else {
            return Outcome::err("there is no incoming call to reject");
        };
        self.reject_incoming(s, &peer, &conf_id, ev);
        Outcome::default()
    }

    /// `hangUp`.
    pub(super) fn hang_up(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        let for_all = p.bool_of("forAll").unwrap_or(false);
        match s.call.clone() {
            Call::Idle => return Outcome::err("there is no call to hang up"),
            Call::Outgoing { peer, .. } => {
                s.generation += 1;
                s.call = Call::Idle;
                ev.push(event("stopCalling", json!({"peerId": peer, "side": 0})));
                self.set_state(s, 3, ev);
            }
            Call::Incoming { peer, conf_id, .. } => self.reject_incoming(s, &peer, &conf_id, ev),
            Call::Conference(c) => {
                if for_all && (c.conf_type == 0 || c.owner != self.room_id(s)) {
                    return Outcome::err("only the owner of a group conference can end it for all");
                }
                self.end_conference(s, ev);
            }
        }
        Outcome::default()
    }

    /// `getCallHistory`.
    pub(super) fn get_call_history(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        let n = p.i64_of("count").unwrap_or(20).max(0) as usize;
        let calls: Vec<Value> = s.history.iter().rev().take(n).cloned().collect();
        Outcome::ok(json!({"calls": calls, "lastView": s.last_view}))
    }

    /// `getLastCallsViewTime`.
    pub(super) fn get_last_calls_view_time(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        Outcome::ok(json!({ "time": s.last_view }))
    }

    /// `setLastCallsViewed`: every call so far is viewed, as of now.
    pub(super) fn set_last_calls_viewed(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        s.last_view = super::state::now_secs();
        for h in &mut s.history {
            h["viewed"] = Value::Bool(true);
        }
        ev.push(event("lastCallsViewed", json!({ "lastView": s.last_view })));
        Outcome::default()
    }

    /// `clearCallHistory`.
    pub(super) fn clear_call_history(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        s.history.clear();
        ev.push(event("callHistoryCleared", json!({})));
        Outcome::default()
    }

    pub(super) fn place_call(
        &self,
        s: &mut SimState,
        peer: String,
        ev: &mut Vec<Map<String, Value>>,
    ) -> Outcome {
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
            // Accepted for execution; the outcome comes as events (docs/room-protocol.md,
            // Framing and Events).
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

    pub(super) fn reject_incoming(
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
        // Declined by the Room, not missed: an incoming call that lasted nothing.
        if let Some(p) = self.peer_of(peer) {
            self.record_call(s, 0, 0, &p, conf_id);
        }
    }
}
