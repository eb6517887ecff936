//! The address book and chat messages to users (docs/room-protocol.md, Methods the
//! console uses).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::dispatch::Events;
use super::peers::Timer;
use super::state::{Inner, Outcome, SimState, event, now_secs, obj};
use crate::room::protocol::Fields;
use crate::sim::SimError;
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
            .map(|u| {
                let id = self.cfg.world.full_id(u);
                let mut e = self.presence_of(s, &id);
                e.insert("peerDn".into(), json!(u.name));
                e.insert("isEditable".into(), json!(true));
                Value::Object(e)
            })
            .collect()
    }

    /// A user's presence entry (available unless set otherwise).
    fn presence_of(&self, s: &SimState, id: &str) -> Map<String, Value> {
        let mut e = match s.presence.get(id) {
            Some(Value::Object(o)) => o.clone(),
            _ => obj(
                json!({"status": 1, "extStatus": 2, "lastOnlineTime": 0, "additionalStatus": ""}),
            ),
        };
        e.insert("peerId".into(), json!(id));
        e
    }

    /// A user's presence changes (`status` 0 offline, 1 available, 2 busy, 5 in a conference;
    /// `ext` as `extStatus`): kept, and announced as `usersStatusesChanged`. Going offline
    /// sets when last seen.
    pub(super) fn set_presence(
        &self,
        who: &str,
        status: i64,
        ext: i64,
        note: &str,
    ) -> Result<(), SimError> {
        let u = self
            .cfg
            .world
            .user(who)
            .ok_or_else(|| SimError::NoUser(who.to_string()))?;
        let id = self.cfg.world.full_id(u);
        let mut s = self.lock();
        let last = if status == 0 { now_secs() } else { 0 };
        s.presence.insert(
            id.clone(),
            json!({"status": status, "extStatus": ext, "lastOnlineTime": last, "additionalStatus": note}),
        );
        let entry = Value::Object(self.presence_of(&s, &id));
        let e = event("usersStatusesChanged", json!({ "usersStatuses": [entry] }));
        self.publish(&s, vec![e]);
        Ok(())
    }
}
