//! The podium and the roles of a conference: the owner invites a participant onto the podium
//! or sends them down, answers their requests for it, and gives or takes moderator rights;
//! the Room itself steps up and down (docs/room-protocol.md, Podium and roles).
//!
//! The podium is a role-based conference's: elsewhere everyone is on it, and the podium
//! methods are refused with the reason. Each change is announced as `roleEventOccured`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::dispatch::Events;
use super::peers::Timer;
use super::state::{Call, Conf, Inner, Outcome, SimPeer, SimState, event};
use crate::room::protocol::Fields;
use crate::sim::world::OnCall;

/// `roleEventOccured`'s `type`: a request, a response to one, a confirmation, a notification.
const REQUEST: i64 = 0;
const RESPONSE: i64 = 1;
const CONFIRMATION: i64 = 2;
const NOTIFICATION: i64 = 3;

/// Participants' `role`: an ordinary one, one who asked for the podium, one invited to it.
const ORDINARY: i64 = 1;
const ASKED: i64 = 3;
const INVITED: i64 = 4;

fn role_event(c: &Conf, p: &SimPeer, kind: i64, result: i64) -> Map<String, Value> {
    event(
        "roleEventOccured",
        json!({"peerId": p.id, "peerDn": p.name, "role": p.role_in(&c.owner), "type": kind,
               "result": result, "broadcast": p.broadcast, "leaderType": p.leader_type(&c.owner),
               "confId": c.id}),
    )
}

impl Inner {
    /// The conference the Room owns, or why a podium or role change is refused.
    fn owned_conference<'a>(
        &self,
        s: &'a mut SimState,
        what: &str,
    ) -> Result<&'a mut Conf, Outcome> {
        let me = self.room_id(s);
        let Call::Conference(c) = &mut s.call else {
            return Err(Outcome::err("there is no conference"));
        };
        if c.owner != me {
            return Err(Outcome::err(format!(
                "only the conference's owner can {what}"
            )));
        }
        Ok(c)
    }

    /// The owned role-based conference and the participant `p` names, or why not.
    fn podium_target<'a>(
        &self,
        s: &'a mut SimState,
        p: &Map<String, Value>,
        what: &str,
    ) -> Result<(&'a mut Conf, usize), Outcome> {
        let who = p.str_of("peerId").unwrap_or_default();
        let c = self.owned_conference(s, what)?;
        if !c.role_based() {
            return Err(Outcome::err(
                "the podium exists only in a role-based conference: here everyone is on it",
            ));
        }
        let at = c
            .position_of(&who)
            .ok_or_else(|| Outcome::err(format!("{who} is not in the conference")))?;
        Ok((c, at))
    }

    /// `inviteToPodium`: the participant is asked, and answers after their delay (one who
    /// answers calls takes it; others decline).
    pub(super) fn invite_to_podium(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        let (c, at) = match self.podium_target(s, p, "invite to the podium") {
            Ok(t) => t,
            Err(o) => return o,
        };
        let x = &mut c.participants[at];
        if x.broadcast {
            return Outcome::err(format!("{} is on the podium already", x.id));
        }
        let on_podium =
            c.participants.iter().filter(|x| x.broadcast).count() + usize::from(c.my_podium);
        if on_podium >= MAX_ON_PODIUM {
            return Outcome::err(format!(
                "the podium is full ({MAX_ON_PODIUM} seats): send someone down first"
            ));
        }
        let x = &mut c.participants[at];
        x.role = INVITED;
        ev.push(role_event(c, &c.participants[at], REQUEST, 0));
        let peer = c.participants[at].id.clone();
        let (delay, accept) = match self.cfg.world.user(&peer).map(|u| (u.call, u)) {
            Some((OnCall::Answer, u)) => (self.cfg.scaled(u.answer_after()), true),
            Some((_, u)) => (self.cfg.scaled(u.reject_after()), false),
            None => (self.cfg.scaled(Duration::from_secs(1)), false),
        };
        Outcome {
            timers: vec![(
                delay,
                Timer::PodiumAnswer {
                    conf_id: c.id.clone(),
                    peer,
                    accept,
                },
            )],
            ..Default::default()
        }
    }

    /// `kickFromPodium`.
    pub(super) fn kick_from_podium(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        let (c, at) = match self.podium_target(s, p, "send someone down from the podium") {
            Ok(t) => t,
            Err(o) => return o,
        };
        let x = &mut c.participants[at];
        if !x.broadcast {
            return Outcome::err(format!("{} is not on the podium", x.id));
        }
        x.broadcast = false;
        x.role = ORDINARY;
        ev.push(role_event(c, &c.participants[at], NOTIFICATION, 0));
        Outcome::default()
    }

    /// `acceptRequestToPodium` and `rejectRequestToPodium`: only for one who asked.
    fn answer_request(
        &self,
        s: &mut SimState,
        p: &Map<String, Value>,
        allow: bool,
        ev: &mut Events,
    ) -> Outcome {
        let (c, at) = match self.podium_target(s, p, "answer a request for the podium") {
            Ok(t) => t,
            Err(o) => return o,
        };
        let x = &mut c.participants[at];
        if x.role != ASKED {
            return Outcome::err(format!("{} has not asked for the podium", x.id));
        }
        x.role = ORDINARY;
        x.broadcast = allow;
        let id = x.instance.clone();
        ev.push(event(
            "incomingRequestToPodiumAnswered",
            json!({"peerId": id, "allow": allow, "confId": c.id}),
        ));
        ev.push(role_event(
            c,
            &c.participants[at],
            RESPONSE,
            i64::from(!allow),
        ));
        Outcome::default()
    }

    /// `acceptRequestToPodium`.
    pub(super) fn accept_request_to_podium(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        self.answer_request(s, p, true, ev)
    }

    /// `rejectRequestToPodium`.
    pub(super) fn reject_request_to_podium(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        self.answer_request(s, p, false, ev)
    }

    /// `setModeratorRole`: in any group conference the Room owns.
    pub(super) fn set_moderator_role(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        let who = p.str_of("peerId").unwrap_or_default();
        let moderator = p.bool_of("moderator").unwrap_or(false);
        let c = match self.owned_conference(s, "give or take moderator rights") {
            Ok(c) => c,
            Err(o) => return o,
        };
        if c.conf_type == 0 {
            return Outcome::err("a one-to-one call has no moderators");
        }
        let Some(at) = c.position_of(&who) else {
            return Outcome::err(format!("{who} is not in the conference"));
        };
        c.participants[at].moderator = moderator;
        ev.push(role_event(c, &c.participants[at], NOTIFICATION, 0));
        Outcome::default()
    }

    /// `gotoPodium`: the owner steps up at once; anyone else asks the owner, who lets them
    /// after a second.
    pub(super) fn goto_podium(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        let me = self.room_peer(s);
        let Call::Conference(c) = &mut s.call else {
            return Outcome::err("there is no conference");
        };
        if !c.role_based() {
            return Outcome::err(
                "the podium exists only in a role-based conference: here everyone is on it",
            );
        }
        if c.my_podium {
            return Outcome::err("the Room is on the podium already");
        }
        let mut me = me;
        if c.owner == me.id {
            c.my_podium = true;
            me.broadcast = true;
            ev.push(role_event(c, &me, NOTIFICATION, 0));
            return Outcome::default();
        }
        me.role = ASKED;
        ev.push(role_event(c, &me, REQUEST, 0));
        Outcome {
            timers: vec![(
                self.cfg.scaled(Duration::from_secs(1)),
                Timer::PodiumGranted {
                    conf_id: c.id.clone(),
                },
            )],
            ..Default::default()
        }
    }

    /// `leavePodium`.
    pub(super) fn leave_podium(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        let me = self.room_peer(s);
        let Call::Conference(c) = &mut s.call else {
            return Outcome::err("there is no conference");
        };
        if !c.role_based() {
            return Outcome::err(
                "the podium exists only in a role-based conference: here everyone is on it",
            );
        }
        if !c.my_podium {
            return Outcome::err("the Room is not on the podium");
        }
        c.my_podium = false;
        ev.push(role_event(c, &me, NOTIFICATION, 0));
        Outcome::default()
    }

    /// The Room itself as a participant (for its role events).
    fn room_peer(&self, s: &SimState) -> SimPeer {
        let id = self.room_id(s);
        SimPeer {
            instance: format!("{id}/room"),
            name: self.room_name(s),
            id,
            mic: 2,
            video: 2,
            role: ORDINARY,
            broadcast: false,
            moderator: false,
        }
    }

    /// A participant answers the owner's invitation to the podium.
    pub(super) fn podium_answer(
        &self,
        s: &mut SimState,
        conf_id: &str,
        peer: &str,
        accept: bool,
        ev: &mut Events,
    ) {
        let Call::Conference(c) = &mut s.call else {
            return;
        };
        if c.id != conf_id {
            return;
        }
        let Some(at) = c.participants.iter().position(|x| x.id == peer) else {
            return;
        };
        let x = &mut c.participants[at];
        if x.role != INVITED {
            return;
        }
        x.role = ORDINARY;
        x.broadcast = accept;
        ev.push(role_event(
            c,
            &c.participants[at],
            if accept { CONFIRMATION } else { RESPONSE },
            i64::from(!accept),
        ));
    }

    /// The owner lets the Room onto the podium it asked for.
    pub(super) fn podium_granted(&self, s: &mut SimState, conf_id: &str, ev: &mut Events) {
        let mut me = self.room_peer(s);
        let Call::Conference(c) = &mut s.call else {
            return;
        };
        if c.id != conf_id || c.my_podium {
            return;
        }
        c.my_podium = true;
        me.broadcast = true;
        ev.push(role_event(c, &me, CONFIRMATION, 0));
    }

    /// A participant of a role-based conference asks for the podium (the demo world's
    /// audience does, a while after joining).
    pub(super) fn asks_for_podium(
        &self,
        s: &mut SimState,
        conf_id: &str,
        peer: &str,
        ev: &mut Events,
    ) {
        let Call::Conference(c) = &mut s.call else {
            return;
        };
        if c.id != conf_id || !c.role_based() {
            return;
        }
        let Some(at) = c.participants.iter().position(|x| x.id == peer) else {
            return;
        };
        let x = &mut c.participants[at];
        if x.broadcast || x.role != ORDINARY {
            return;
        }
        x.role = ASKED;
        ev.push(role_event(c, &c.participants[at], REQUEST, 0));
    }
}

/// Seats on a role-based conference's podium (`maxParticipantsOnPodium` in
/// `conferenceCreated`).
pub(super) const MAX_ON_PODIUM: usize = 4;
