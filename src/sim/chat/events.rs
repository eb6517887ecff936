//! How a change reaches the members: messages are appended to a chat and announced to each
//! member as they see it; other changes are pushed as server requests (docs/chat-protocol.md,
//! Events and Ordering).

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::state::{ChatState, Inner, Msg, Out, SimChat, new_id, now_ms};

impl Inner {
    /// Sends a push to every connection of `users`, except `skip`. Called with the state
    /// locked, so pushes keep the order of the changes.
    pub(super) fn deliver(
        s: &ChatState,
        users: &[String],
        skip: Option<u64>,
        system_only: bool,
        method: &str,
        payload: &Value,
    ) {
        let text = payload.to_string();
        for (id, c) in &s.conns {
            if Some(*id) == skip || !users.contains(&c.user) || (system_only && !c.system) {
                continue;
            }
            let push = Out::Push {
                method: method.into(),
                payload: text.clone(),
            };
            c.push(push, &s.queue_peak);
        }
    }

    /// An envelope as `viewer` sees it: `chatId` and the `chat` object, `replyMessage` one
    /// level deep; `lastMessage` leaves out `box` and `isEdited`.
    pub(super) fn envelope(chat: &SimChat, m: &Msg, viewer: &str, last: bool, depth: u8) -> Value {
        let mut o = Map::new();
        o.insert("messageId".into(), json!(m.id));
        o.insert("chatId".into(), json!(chat.id));
        o.insert(
            "chat".into(),
            json!({"chatId": chat.id, "chatTitle": chat.title_for(viewer), "chatType": chat.kind}),
        );
        o.insert("timestamp".into(), json!(m.timestamp));
        o.insert(
            "author".into(),
            json!({"id": m.author.0, "type": m.author.1}),
        );
        o.insert("type".into(), json!(m.kind));
        o.insert("content".into(), m.content.clone());
        if !last {
            o.insert("isEdited".into(), json!(m.edited));
            o.insert(
                "box".into(),
                json!({"id": m.box_id, "position": m.position}),
            );
        }
        if m.kind >= 200 {
            o.insert("replyMessageId".into(), json!(m.reply_to));
            if depth == 0
                && let Some(r) = &m.reply_to
                && let Some(orig) = chat.messages.iter().rev().find(|x| &x.id == r)
            {
                o.insert(
                    "replyMessage".into(),
                    Self::envelope(chat, orig, viewer, false, 1),
                );
            }
        }
        Value::Object(o)
    }

    pub(super) fn chat_object(chat: &SimChat, viewer: &str) -> Value {
        let last = chat
            .visible_to(viewer)
            .last()
            .map(|m| Self::envelope(chat, m, viewer, true, 1));
        json!({
            "chatId": chat.id,
            "title": chat.title_for(viewer),
            "chatType": chat.kind,
            "unreadMessages": chat.unread.get(viewer).copied().unwrap_or(0),
            "avatarUrl": chat.avatar_url,
            "lastMessage": last,
        })
    }

    /// Appends a message, pushes it to the members, and lets demo users react.
    pub(super) fn post(
        self: &Arc<Self>,
        author: &str,
        chat_id: &str,
        kind: i64,
        content: Value,
        reply_to: Option<String>,
        origin: Option<u64>,
    ) -> Result<String, u32> {
        let mut s = self.lock();
        let id = Self::append(
            &mut s,
            chat_id,
            (author.to_string(), 1),
            kind,
            content,
            reply_to,
        )?;
        self.announce(&s, chat_id, &id, origin);
        drop(s);
        self.react(author, chat_id, &id);
        Ok(id)
    }

    pub(super) fn append(
        s: &mut ChatState,
        chat_id: &str,
        author: (String, i64),
        kind: i64,
        content: Value,
        reply_to: Option<String>,
    ) -> Result<String, u32> {
        let chat = s.chats.get_mut(chat_id).ok_or(304u32)?;
        let id = new_id();
        let ts = now_ms().max(chat.last_activity + 1);
        let box_id = chat.next_box;
        chat.next_box += 1;
        chat.last_activity = ts;
        if kind >= 200 {
            for (u, _) in &chat.members {
                if *u != author.0 {
                    *chat.unread.entry(u.clone()).or_default() += 1;
                }
            }
        }
        chat.messages.push(Msg {
            id: id.clone(),
            box_id,
            position: String::new(),
            timestamp: ts,
            author,
            kind,
            content,
            reply_to,
            edited: false,
            hidden_for: HashSet::new(),
        });
        s.index.insert(id.clone(), chat_id.to_string());
        Ok(id)
    }

    /// Pushes a stored message to each member as they see it (system records only to
    /// connections that asked for them).
    pub(super) fn announce(&self, s: &ChatState, chat_id: &str, msg_id: &str, origin: Option<u64>) {
        let Some(chat) = s.chats.get(chat_id) else {
            return;
        };
        let Some(m) = chat.messages.iter().rev().find(|m| m.id == msg_id) else {
            return;
        };
        let skip = if self.cfg.self_echo { None } else { origin };
        for (u, _) in &chat.members {
            // Build the envelope only for members someone is connected as.
            if !s
                .conns
                .iter()
                .any(|(id, c)| c.user == *u && Some(*id) != skip && (m.kind >= 200 || c.system))
            {
                continue;
            }
            let env = Self::envelope(chat, m, u, false, 0);
            Self::deliver(
                s,
                std::slice::from_ref(u),
                skip,
                m.kind < 200,
                "sendMessage",
                &env,
            );
        }
    }

    /// A change that leaves a system record (envelope type `kind`) and tells the other
    /// members with `event`: the record is stored, the event pushed, the record announced.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn system_change(
        &self,
        s: &mut ChatState,
        chat_id: &str,
        user: &str,
        kind: i64,
        record: Value,
        members: &[String],
        conn: u64,
        event: (&str, Value),
    ) -> Result<(), u32> {
        let rec = Self::append(s, chat_id, (user.to_string(), 0), kind, record, None)?;
        Self::deliver(s, members, Some(conn), false, event.0, &event.1);
        self.announce(s, chat_id, &rec, Some(conn));
        Ok(())
    }

    pub(super) fn msg_time(&self, id: &str) -> u64 {
        let s = self.lock();
        s.index
            .get(id)
            .and_then(|c| s.chats.get(c))
            .and_then(|c| c.messages.iter().rev().find(|m| m.id == id))
            .map(|m| m.timestamp)
            .unwrap_or_else(now_ms)
    }
}
