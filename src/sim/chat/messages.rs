//! Message methods: send, edit, forward, read, page through and remove messages; surveys
//! and chat activity (docs/chat-protocol.md, Methods and Message content).

use std::sync::Arc;

use serde_json::{Value, json};

use super::dispatch::{Req, Res, ok};
use super::rights::{Right, check, member_chat};
use super::state::{Inner, Msg, member_ids, now_ms};
use crate::chat::methods::{self, ChatMethod};

impl Inner {
    /// `sendMessage` and `sendSurvey`.
    pub(super) fn send_message(self: &Arc<Self>, r: &Req) -> Res {
        let Req {
            user,
            conn,
            p,
            method,
            ..
        } = *r;
        let content = p.get("content").cloned().unwrap_or(Value::Null);
        let survey = method == methods::SendSurvey::NAME;
        if !survey {
            let text = content.get("text").and_then(Value::as_str).ok_or(399u32)?;
            if text.chars().count() > 4096 {
                return Err(300);
            }
            let mode = content
                .get("parseMode")
                .and_then(Value::as_str)
                .unwrap_or("text");
            if !matches!(mode, "text" | "markdown" | "html") {
                return Err(399);
            }
        } else if content.get("url").and_then(Value::as_str).is_none()
            || content.get("title").and_then(Value::as_str).is_none()
        {
            return Err(399);
        }
        let reply = p
            .get("replyMessageId")
            .and_then(Value::as_str)
            .map(String::from);
        let chat_id = r.st("chatId");
        {
            let s = self.lock();
            let c = member_chat(&s, &chat_id, user)?;
            check(c, user, if survey { Right::Polls } else { Right::Send })?;
            if let Some(r) = &reply {
                check(c, user, Right::Reply)?;
                if !c.messages.iter().any(|m| &m.id == r) {
                    return Err(306);
                }
            }
        }
        let id = self.post(
            user,
            &chat_id,
            if survey { 204 } else { 200 },
            content,
            reply,
            Some(conn),
        )?;
        ok(json!({"chatId": chat_id, "messageId": id, "timestamp": self.msg_time(&id)}))
    }

    /// `editMessage` and `editSurvey`.
    pub(super) fn edit_message(self: &Arc<Self>, r: &Req) -> Res {
        let Req {
            user,
            conn,
            p,
            method,
            ..
        } = *r;
        let content = p.get("content").cloned().unwrap_or(Value::Null);
        if method == methods::EditMessage::NAME
            && content.get("text").and_then(Value::as_str).is_none()
        {
            return Err(399);
        }
        let mid = r.st("messageId");
        let mut s = self.lock();
        let cid = s.index.get(&mid).cloned().ok_or(306u32)?;
        let c = member_chat(&s, &cid, user)?;
        let m = c.visible_to(user).find(|m| m.id == mid).ok_or(306u32)?;
        let want = if method == methods::EditMessage::NAME {
            200
        } else {
            204
        };
        if m.author.0 != user || m.kind != want {
            return Err(303);
        }
        check(c, user, Right::EditOwn)?;
        let members = member_ids(c);
        let ts = now_ms();
        let Some(m) = s
            .chats
            .get_mut(&cid)
            .and_then(|c| c.messages.iter_mut().rev().find(|m| m.id == mid))
        else {
            return Err(306);
        };
        if want == 204 {
            if let (Value::Object(old), Value::Object(new)) = (&mut m.content, content) {
                old.extend(new);
            }
        } else {
            m.content = content;
        }
        m.edited = true;
        // An edit never predates its message (whose time may run ahead of the clock
        // to keep a chat's times strictly rising).
        let ts = ts.max(m.timestamp);
        let payload =
            json!({"chatId": cid, "messageId": mid, "timestamp": ts, "content": m.content});
        Self::deliver(&s, &members, Some(conn), false, "editMessage", &payload);
        ok(json!({"messageId": mid, "timestamp": ts}))
    }

    /// `forwardMessage`.
    pub(super) fn forward_message(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, conn, .. } = *r;
        let (target, mid) = (r.st("chatId"), r.st("messageId"));
        let content = {
            let s = self.lock();
            let cid = s.index.get(&mid).cloned().ok_or(306u32)?;
            let src = member_chat(&s, &cid, user).map_err(|_| 306u32)?;
            let m = src.visible_to(user).find(|m| m.id == mid).ok_or(306u32)?;
            if m.kind < 200 {
                return Err(306);
            }
            let mut env = Self::envelope(src, m, user, false, 1);
            if let Value::Object(o) = &mut env {
                o.remove("box");
                o.remove("replyMessage");
            }
            let dst = member_chat(&s, &target, user)?;
            check(dst, user, Right::Forward)?;
            env
        };
        let id = self.post(user, &target, 201, content, None, Some(conn))?;
        ok(json!({"chatId": target, "messageId": id, "timestamp": self.msg_time(&id)}))
    }

    /// `getMessageById`.
    pub(super) fn get_message_by_id(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, .. } = *r;
        let mid = r.st("messageId");
        let s = self.lock();
        let cid = s.index.get(&mid).ok_or(306u32)?;
        let c = member_chat(&s, cid, user).map_err(|_| 306u32)?;
        let m = c.visible_to(user).find(|m| m.id == mid).ok_or(306u32)?;
        ok(Self::envelope(c, m, user, false, 0))
    }

    /// `getChatHistory`.
    pub(super) fn get_chat_history(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, p, .. } = *r;
        let count = r.num("count");
        if count == 0 {
            return Err(399);
        }
        let from = p
            .get("fromMessageId")
            .and_then(Value::as_str)
            .map(String::from);
        let mut s = self.lock();
        let c = member_chat(&s, &r.st("chatId"), user)?;
        let visible: Vec<&Msg> = c.visible_to(user).collect();
        let end = match &from {
            Some(f) => visible.iter().position(|m| &m.id == f).ok_or(306u32)?,
            None => visible.len(),
        };
        let mut out = Vec::new();
        let mut bytes = 0usize;
        for m in visible[..end].iter().rev().take(count as usize) {
            let e = Self::envelope(c, m, user, false, 0);
            bytes += e.to_string().len();
            // Stay well under the 1 MiB frame the Python peer accepts (docs/chat-protocol.md,
            // Python peer).
            if bytes > 900 * 1024 && !out.is_empty() {
                break;
            }
            out.push(e);
        }
        let id = c.id.clone();
        if let Some(c) = s.chats.get_mut(&id) {
            c.unread.remove(user);
        }
        ok(json!({"chatId": id, "count": out.len(), "messages": out}))
    }

    /// `removeMessage`.
    pub(super) fn remove_message(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, conn, .. } = *r;
        let (mid, for_all) = (r.st("messageId"), r.flag("forAll"));
        let mut s = self.lock();
        let cid = s.index.get(&mid).cloned().ok_or(306u32)?;
        let c = member_chat(&s, &cid, user)?;
        let m = c.visible_to(user).find(|m| m.id == mid).ok_or(306u32)?;
        let own = m.author.0 == user;
        check(
            c,
            user,
            match (own, for_all) {
                (true, false) => Right::DeleteOwnSelf,
                (true, true) => Right::DeleteOwnAll,
                (false, false) => Right::DeleteOthersSelf,
                (false, true) => Right::DeleteOthersAll,
            },
        )?;
        let members = member_ids(c);
        let Some(c) = s.chats.get_mut(&cid) else {
            return Err(304);
        };
        let payload =
            json!({"chatId": cid, "messageId": mid, "removedBy": {"id": user, "type": 1}});
        if for_all {
            c.messages.retain(|m| m.id != mid);
            s.index.remove(&mid);
            Self::deliver(&s, &members, Some(conn), false, "removeMessage", &payload);
        } else {
            if let Some(m) = c.messages.iter_mut().rev().find(|m| m.id == mid) {
                m.hidden_for.insert(user.to_string());
            }
            Self::deliver(
                &s,
                &[user.to_string()],
                Some(conn),
                false,
                "removeMessage",
                &payload,
            );
        }
        ok(json!({}))
    }

    /// `sendChatActivity`.
    pub(super) fn send_chat_activity(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, .. } = *r;
        let kind = r.st("activityType");
        if !matches!(
            kind.as_str(),
            "typing" | "choosing_sticker" | "uploading_file"
        ) {
            return Err(399);
        }
        let s = self.lock();
        let c = member_chat(&s, &r.st("chatId"), user)?;
        check(c, user, Right::Send)?;
        ok(json!({"chatId": c.id, "activityType": kind, "retryAfter": 5000}))
    }
}
