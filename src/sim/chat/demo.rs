//! The demo world in the chat simulator: the chats and history it starts with, and the demo
//! users who answer messages.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use serde_json::{Value, json};

use super::super::world::{ChatSeed, OnChat, World};
use super::rights::ROLE_NAMES;
use super::state::{
    ChatState, Inner, Msg, SimChat, SimFile, chat_id, file_id, new_chat, new_id, now_ms,
};

pub(super) const DAVE_LINES: &[&str] = &[
    "Standup in 10 minutes, same room.",
    "Pushed the **release notes** draft, have a look.",
    "Who has the projector remote?",
    "Reminder: the build server restarts at 18:00.",
];

impl Inner {
    /// Demo users who answer messages do so after a moment.
    pub(super) fn react(self: &Arc<Self>, author: &str, chat_id: &str, msg_id: &str) {
        let (responders, text) = {
            let s = self.lock();
            let Some(chat) = s.chats.get(chat_id) else {
                return;
            };
            let Some(m) = chat.messages.iter().rev().find(|m| m.id == msg_id) else {
                return;
            };
            if m.kind < 200 || (chat.kind != 1 && chat.kind != 2) {
                return;
            }
            let responders: Vec<String> = chat
                .members
                .iter()
                .map(|(u, _)| u.clone())
                .filter(|u| {
                    u != author
                        && self
                            .cfg
                            .world
                            .user(u)
                            .is_some_and(|x| x.chat == OnChat::Reply)
                })
                .collect();
            // Demo users do not answer each other (no endless loops).
            if self
                .cfg
                .world
                .user(author)
                .is_some_and(|x| x.chat == OnChat::Reply)
            {
                return;
            }
            let quoted = match m.content.get("text").and_then(Value::as_str) {
                Some(t) => {
                    let t: String = t.chars().take(60).collect();
                    format!("Got it: “{t}”")
                }
                None => "Thanks, got the file.".to_string(),
            };
            (responders, quoted)
        };
        for r in responders {
            let me = self.clone();
            let chat_id = chat_id.to_string();
            let text = text.clone();
            let reply_to = msg_id.to_string();
            let delay = self.cfg.reply_after;
            let mut stop = self.shutdown.subscribe();
            tokio::spawn(async move {
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                let _ = me.post(
                    &r,
                    &chat_id,
                    200,
                    json!({"text": text, "parseMode": "text"}),
                    Some(reply_to),
                    None,
                );
            });
        }
    }
}

const PHRASES: &[&str] = &[
    "Morning! Is the meeting room free at ten?",
    "I've updated the slides for Thursday.",
    "Can someone check the camera in room 3?",
    "The new build is on the server.",
    "Lunch at the usual place?",
    "Notes from the call are in the shared folder.",
    "I'll be five minutes late.",
    "Does anyone have the Wi-Fi password for guests?",
    "The microphone array needs a firmware update.",
    "Thanks, that fixed it.",
    "Let's move the review to Friday.",
    "Who's presenting the quarterly numbers?",
];

/// Fills the state with the world's chats and their generated history.
pub(super) fn seed_world(w: &World, s: &mut ChatState, addr: SocketAddr) {
    let full = |id: &str| {
        w.user(id)
            .map(|u| w.full_id(u))
            .unwrap_or_else(|| format!("{id}@{}", w.server))
    };
    let mut forward_source: Option<(String, String)> = None;
    for seed in &w.chats {
        let ChatSeed {
            kind,
            title,
            owner,
            members,
            writers,
            admins,
            history,
            unread,
        } = seed;
        let (code, owner_role) = match kind.as_str() {
            "p2p" => (1, 2),
            "channel" => (6, 0),
            "favorites" => (5, 5),
            _ => (2, 0),
        };
        let mut list = vec![(full(owner), owner_role)];
        for a in admins {
            list.push((full(a), 1));
        }
        for wtr in writers {
            list.push((full(wtr), 6));
        }
        for m in members {
            list.push((full(m), 2));
        }
        let id = chat_id();
        let title = match code {
            5 => Some(title.clone().unwrap_or_else(|| "Favorites".into())),
            1 => None,
            _ => title.clone(),
        };
        let mut chat = new_chat(&id, code, title, list.clone());
        // Every message 37 minutes after the last, the newest five minutes ago: none is
        // stamped after now (the member events come first).
        let members_events = if code == 2 || code == 6 {
            list.len()
        } else {
            0
        };
        let count = (members_events + *history) as u64;
        let start = now_ms().saturating_sub(count.saturating_sub(1) * 37 * 60 * 1000 + 300_000);
        let mut boxn = 0u64;
        let mut push = |chat: &mut SimChat,
                        author: (String, i64),
                        kind: i64,
                        content: Value,
                        reply: Option<String>| {
            let mid = new_id();
            let ts = start + boxn * 37 * 60 * 1000;
            chat.messages.push(Msg {
                id: mid.clone(),
                box_id: boxn,
                position: String::new(),
                timestamp: ts,
                author,
                kind,
                content,
                reply_to: reply,
                edited: false,
                hidden_for: HashSet::new(),
            });
            chat.last_activity = ts;
            boxn += 1;
            mid
        };
        if code == 2 || code == 6 {
            push(
                &mut chat,
                (list[0].0.clone(), 0),
                110,
                json!({"userId": list[0].0, "role": "owner"}),
                None,
            );
            for (u, r) in list.iter().skip(1) {
                push(
                    &mut chat,
                    (list[0].0.clone(), 0),
                    1,
                    json!({"userId": u, "role": ROLE_NAMES[*r]}),
                    None,
                );
            }
        }
        // Authors who may post here.
        let posters: Vec<String> = list
            .iter()
            .filter(|(_, r)| code != 6 || matches!(r, 0 | 1 | 6))
            .map(|(u, _)| u.clone())
            .collect();
        let mut last_text: Option<String> = None;
        for i in 0..*history {
            let author = posters[i % posters.len()].clone();
            let phrase = PHRASES[(i * 7 + id.len()) % PHRASES.len()];
            let (kind, content, reply) = match i % 41 {
                5 => (
                    200,
                    json!({"text": format!("**Agenda** for _today_:\n1. ~~old item~~ done\n2. [the plan](https://video.example.com/plan) — {phrase}"), "parseMode": "markdown"}),
                    None,
                ),
                11 => (
                    200,
                    json!({"text": format!("<b>Heads-up:</b> <i>{phrase}</i> <u>please read</u> <a href=\"https://video.example.com/wiki\">wiki</a>"), "parseMode": "html"}),
                    None,
                ),
                17 => (
                    200,
                    json!({"text": format!("Re: {phrase}"), "parseMode": "text"}),
                    last_text.clone(),
                ),
                23 => (202, minutes_file(s, i, phrase), None),
                2 => (202, picture_file(s, i), None),
                29 if code != 1 => (204, survey(&w.server), None),
                35 => match &forward_source {
                    Some((_, env_text)) => (
                        201,
                        json!({"messageId": new_id(), "chatId": "", "timestamp": start, "author": {"id": full(owner), "type": 1},
                        "isEdited": false, "type": 200, "content": {"text": env_text, "parseMode": "text"}, "replyMessageId": null}),
                        None,
                    ),
                    None => (200, json!({"text": phrase, "parseMode": "text"}), None),
                },
                _ => (200, json!({"text": phrase, "parseMode": "text"}), None),
            };
            let mid = push(&mut chat, (author, 1), kind, content, reply);
            if kind == 200 {
                last_text = Some(mid.clone());
                if forward_source.is_none() {
                    forward_source = Some((id.clone(), phrase.to_string()));
                }
            }
            if i % 41 == 3
                && let Some(m) = chat.messages.last_mut()
            {
                m.edited = true;
            }
        }
        // Forwarded content carries the chat object of where it came from.
        let src_chat = forward_source.as_ref().map(|(c, _)| c.clone());
        for m in chat.messages.iter_mut().filter(|m| m.kind == 201) {
            if let Some(src) = &src_chat {
                m.content["chatId"] = json!(src);
                m.content["chat"] = json!({"chatId": src, "chatTitle": null, "chatType": 1});
            }
        }
        chat.next_box = boxn;
        let n = chat.messages.len();
        for m in &chat.messages[n.saturating_sub(*unread)..] {
            for (u, _) in &list {
                if *u != m.author.0 && m.kind >= 200 {
                    *chat.unread.entry(u.clone()).or_default() += 1;
                }
            }
        }
        for m in &chat.messages {
            s.index.insert(m.id.clone(), id.clone());
        }
        s.chats.insert(id, chat);
    }
    let _ = addr;
}

/// A stored file of meeting minutes, and the content of the message that posts it.
fn minutes_file(s: &mut ChatState, i: usize, phrase: &str) -> Value {
    let bytes = Bytes::from(format!("Minutes of meeting {i}\n{phrase}\n").repeat(40));
    stored_file(s, format!("minutes-{i}.txt"), "text/plain", bytes)
}

/// A stored picture (a test card, its colours by `i`), and the content of the message that
/// posts it.
fn picture_file(s: &mut ChatState, i: usize) -> Value {
    let bytes = Bytes::from(crate::preview::test_card(160, 96, (i * 37 % 256) as u8));
    stored_file(s, format!("photo-{i}.png"), "image/png", bytes)
}

/// `bytes` stored as file `name`, ready, and the content of the message that posts it.
fn stored_file(s: &mut ChatState, name: String, mime: &str, bytes: Bytes) -> Value {
    let fid = file_id();
    let size = bytes.len();
    s.files.insert(
        fid.clone(),
        SimFile {
            name: name.clone(),
            mime: mime.into(),
            bytes,
            preview: None,
            ready_at: None,
        },
    );
    json!({"name": name, "mimeType": mime, "size": size, "fileId": fid, "readyState": 2})
}

/// A survey card's content.
fn survey(server: &str) -> Value {
    json!({"url": format!("https://{}/webtools/survey", server), "appVersion": 1, "path": "q4-feedback", "title": "Q4 feedback",
    "description": "{{Survey}}", "buttonText": "{{Go to survey}}", "secret": "5f1d7c1e0b7a4e3d9c2b1a0f9e8d7c6b5a493827",
    "alt": format!("📊 <a href='https://{}/webtools/survey?id=q4-feedback&error=autologin_not_supported'>Q4 feedback</a>", server)})
}
