//! The address book and chat messages to users (docs/room-protocol.md, Methods the
//! console uses).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::dispatch::Events;
use super::peers::Timer;
use super::state::{Inner, Outcome, SimState, event, now_secs};
use crate::room::protocol::Fields;
use crate::sim::world::OnCall;

impl Inner {
    /// `getAbook`.
    pub(super) fn get_abook(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        Outcome::ok(json!({"abook": self.abook(s)}))
    }

    /// `sendMessage`.
    pub(super) fn send_message(
        self: &Arc<Self>,
        _: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        let world = &self.cfg.world;
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

    pub(super) fn abook(&self, s: &SimState) -> Vec<Value> {
        let me = s.login.clone().unwrap_or_default();
        self.cfg
            .world
            .users
            .iter()
            .filter(|u| self.cfg.world.full_id(u) != me)
            .map(|u| json!({"peerId": self.cfg.world.full_id(u), "peerDn": u.name, "status": 1, "extStatus": 2, "isEditable": true, "lastOnlineTime": 0, "additionalStatus": ""}))
            .collect()
    }
}
