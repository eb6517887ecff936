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
        s.abook
            .iter()
            .filter(|(id, _)| *id != me)
            .map(|(id, name)| self.abook_entry(s, id, name))
            .collect()
    }

    fn abook_entry(&self, s: &SimState, id: &str, name: &str) -> Value {
        let mut e = self.presence_of(s, id);
        e.insert("peerDn".into(), json!(name));
        e.insert("isEditable".into(), json!(true));
        Value::Object(e)
    }

    /// `addToAbook`: a user of this server by id (with or without the server), or one of
    /// another server by full id; the display name given, else (empty) the user's own. Announced as
    /// `contactsAdded` with the entry as `getAbook` lists it.
    pub(super) fn add_to_abook(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        if s.login.is_none() {
            return Outcome::err("no account is logged in: there is no address book");
        }
        let given = p.str_of("peerId").unwrap_or_default();
        let given = given.trim();
        if given.is_empty() || given.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Outcome::err(format!("`{given}` is not a TrueConf ID"));
        }
        let world = &self.cfg.world;
        let (id, own_name) = match world.user(given) {
            Some(u) => (world.full_id(u), u.name.clone()),
            None if given.contains('@') => (given.to_string(), String::new()),
            None => {
                return Outcome::err(format!(
                    "no user `{given}` on {} (a user of another server is added by full id, user@server)",
                    world.server
                ));
            }
        };
        if s.login.as_deref() == Some(id.as_str()) {
            return Outcome::err("the Room's own account cannot be its contact");
        }
        if s.abook.iter().any(|(x, _)| *x == id) {
            return Outcome::err(format!("{id} is in the address book already"));
        }
        let name = p
            .str_of("peerDn")
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or(own_name);
        s.abook.push((id.clone(), name.clone()));
        let entry = self.abook_entry(s, &id, &name);
        ev.push(event("contactsAdded", json!({ "contacts": [entry] })));
        Outcome::ok(json!({ "peerId": id }))
    }

    /// `removeFromAbook`: announced as `contactsDeleted` with the id.
    pub(super) fn remove_from_abook(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        let given = p.str_of("peerId").unwrap_or_default();
        let id = self
            .cfg
            .world
            .user(&given)
            .map(|u| self.cfg.world.full_id(u))
            .unwrap_or(given);
        let before = s.abook.len();
        s.abook.retain(|(x, _)| *x != id);
        if s.abook.len() == before {
            return Outcome::err(format!("{id} is not in the address book"));
        }
        ev.push(event(
            "contactsDeleted",
            json!({ "contacts": [{ "peerId": id }] }),
        ));
        Outcome::ok(json!({ "peerId": id }))
    }

    /// A user's presence entry (available unless set otherwise; a user of another server,
    /// whose presence this one does not know, offline).
    fn presence_of(&self, s: &SimState, id: &str) -> Map<String, Value> {
        let known = self.cfg.world.user(id).is_some();
        let mut e = match s.presence.get(id) {
            Some(Value::Object(o)) => o.clone(),
            _ if !known => obj(
                json!({"status": 0, "extStatus": 0, "lastOnlineTime": 0, "additionalStatus": ""}),
            ),
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
