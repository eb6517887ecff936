//! Participant methods: add, remove, look up and list members, change roles; display
//! names (docs/chat-protocol.md, Methods).

use std::sync::Arc;

use serde_json::{Value, json};

use super::dispatch::{Req, Res, ok};
use super::rights::{ROLE_NAMES, Right, check, member_chat};
use super::state::{Inner, member_ids, now_ms};

impl Inner {
    /// `getUserDisplayName`.
    pub(super) fn get_user_display_name(self: &Arc<Self>, r: &Req) -> Res {
        let full = self.resolve(&r.st("userId")).ok_or(399u32)?;
        ok(json!({"displayName": self.display_name(&full)}))
    }

    /// `addChatParticipant`.
    pub(super) fn add_chat_participant(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, conn, p, .. } = *r;
        let target = self.resolve(&r.st("userId")).ok_or(399u32)?;
        let mut s = self.lock();
        let c = member_chat(&s, &r.st("chatId"), user)?;
        check(c, user, Right::AddMembers)?;
        if c.role_of(&target).is_some() {
            return Err(309);
        }
        let id = c.id.clone();
        let Some(c) = s.chats.get_mut(&id) else {
            return Err(304);
        };
        c.members.push((target.clone(), 2));
        if !p
            .get("displayHistory")
            .and_then(Value::as_bool)
            .unwrap_or(false)
        {
            let floor = c.next_box;
            c.cleared_below.insert(target.clone(), floor);
        }
        let members = member_ids(c);
        let added = json!({"chatId": id, "userId": target,
            "addedBy": {"id": user, "type": 1}, "timestamp": now_ms()});
        let record = json!({"userId": target, "role": "user"});
        let event = ("addChatParticipant", added);
        self.system_change(&mut s, &id, user, 1, record, &members, conn, event)?;
        ok(json!({}))
    }

    /// `removeChatParticipant`.
    pub(super) fn remove_chat_participant(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, conn, .. } = *r;
        let target = self.resolve(&r.st("userId")).ok_or(399u32)?;
        let mut s = self.lock();
        let c = member_chat(&s, &r.st("chatId"), user)?;
        if target != user {
            check(c, user, Right::RemoveMembers)?;
        }
        if c.kind == 1 {
            return Err(303);
        }
        if c.role_of(&target).is_none() {
            return Err(305);
        }
        let id = c.id.clone();
        let members = member_ids(c);
        let rec = Self::append(
            &mut s,
            &id,
            (user.to_string(), 0),
            2,
            json!({"userId": target}),
            None,
        )?;
        self.announce(&s, &id, &rec, Some(conn));
        if let Some(c) = s.chats.get_mut(&id) {
            c.members.retain(|(u, _)| *u != target);
            c.unread.remove(&target);
        }
        Self::deliver(
            &s,
            &members,
            Some(conn),
            false,
            "removeChatParticipant",
            &json!({
            "chatId": id, "userId": target, "removedBy": {"id": user, "type": 1}, "timestamp": now_ms()}),
        );
        ok(json!({}))
    }

    /// `hasChatParticipant`.
    pub(super) fn has_chat_participant(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, .. } = *r;
        let target = self.resolve(&r.st("userId"));
        let s = self.lock();
        let c = member_chat(&s, &r.st("chatId"), user)?;
        ok(json!({"result": target.is_some_and(|t| c.role_of(&t).is_some())}))
    }

    /// `getChatParticipant`.
    pub(super) fn get_chat_participant(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, .. } = *r;
        let target = self.resolve(&r.st("userId")).ok_or(305u32)?;
        let s = self.lock();
        let c = member_chat(&s, &r.st("chatId"), user)?;
        let role = c.role_of(&target).ok_or(305u32)?;
        ok(json!({"userId": target, "role": ROLE_NAMES[role], "type": 1}))
    }

    /// `getChatParticipants`.
    pub(super) fn get_chat_participants(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, .. } = *r;
        let s = self.lock();
        let c = member_chat(&s, &r.st("chatId"), user)?;
        let size = r.num("pageSize").max(1);
        // Pages count from 1, as the API's worked example and py-bot send; 0 is the first
        // page too (docs/chat-protocol.md, Choices C12).
        let page = r.num("pageNumber").saturating_sub(1);
        let list: Vec<Value> = c
            .members
            .iter()
            .skip(size.saturating_mul(page).try_into().unwrap_or(usize::MAX))
            .take(size as usize)
            .map(|(u, r)| json!({"userId": u, "role": ROLE_NAMES[*r]}))
            .collect();
        ok(json!({"participants": list}))
    }

    /// `changeParticipantRole`.
    pub(super) fn change_participant_role(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, conn, .. } = *r;
        let target = self.resolve(&r.st("userId")).ok_or(399u32)?;
        let role = ROLE_NAMES
            .iter()
            .position(|n| *n == r.st("role"))
            .ok_or(312u32)?;
        let mut s = self.lock();
        let c = member_chat(&s, &r.st("chatId"), user)?;
        check(c, user, Right::Roles)?;
        if role == 0 {
            check(c, user, Right::ChangeOwner)?;
        }
        if c.role_of(&target).is_none() {
            return Err(305);
        }
        let id = c.id.clone();
        let Some(c) = s.chats.get_mut(&id) else {
            return Err(304);
        };
        for m in &mut c.members {
            if m.0 == target {
                m.1 = role;
            } else if role == 0 && m.1 == 0 {
                // One owner: the old one becomes an admin.
                m.1 = 1;
            }
        }
        let members = member_ids(c);
        let changed = json!({"chatId": id, "userId": target,
            "role": ROLE_NAMES[role], "timestamp": now_ms()});
        let record = json!({"userId": target, "role": ROLE_NAMES[role]});
        let event = ("changeParticipantRole", changed);
        self.system_change(&mut s, &id, user, 110, record, &members, conn, event)?;
        ok(json!({}))
    }
}
