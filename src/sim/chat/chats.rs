//! Chat methods: create, find, list, remove, rename, set the icon, clear the history
//! (docs/chat-protocol.md, Methods).

use std::sync::Arc;

use serde_json::{Value, json};

use super::dispatch::{Req, Res, ok};
use super::rights::{Right, check, member_chat};
use super::state::{Inner, SimChat, chat_id, file_id, member_ids, new_chat, now_ms};
use crate::chat::methods::{self, ChatMethod};

impl Inner {
    /// `createP2PChat`.
    pub(super) fn create_p2p_chat(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, conn, .. } = *r;
        let peer = self.resolve(&r.st("userId")).ok_or(399u32)?;
        if peer == user {
            return Err(399);
        }
        let mut s = self.lock();
        if let Some(c) = s
            .chats
            .values()
            .find(|c| c.kind == 1 && c.role_of(user).is_some() && c.role_of(&peer).is_some())
        {
            return ok(json!({"chatId": c.id}));
        }
        let id = chat_id();
        let chat = new_chat(&id, 1, None, vec![(user.to_string(), 2), (peer.clone(), 2)]);
        let obj = Self::chat_object(&chat, &peer);
        let mine = Self::chat_object(&chat, user);
        s.chats.insert(id.clone(), chat);
        Self::deliver(&s, &[peer], Some(conn), false, "createP2PChat", &obj);
        // The creator's other sessions learn of it too (not the one that asked).
        Self::deliver(
            &s,
            &[user.to_string()],
            Some(conn),
            false,
            "createP2PChat",
            &mine,
        );
        ok(json!({"chatId": id}))
    }

    /// `createGroupChat` and `createChannel`.
    pub(super) fn create_group_chat(self: &Arc<Self>, r: &Req) -> Res {
        let Req {
            user, conn, method, ..
        } = *r;
        let title = r.st("title");
        if title.chars().count() > 256 || title.trim().is_empty() {
            return Err(300);
        }
        let kind = if method == methods::CreateChannel::NAME {
            6
        } else {
            2
        };
        let id = chat_id();
        let mut s = self.lock();
        s.chats.insert(
            id.clone(),
            new_chat(&id, kind, Some(title), vec![(user.to_string(), 0)]),
        );
        let rec = Self::append(
            &mut s,
            &id,
            (user.to_string(), 0),
            110,
            json!({"userId": user, "role": "owner"}),
            None,
        )?;
        self.announce(&s, &id, &rec, Some(conn));
        if let Some(c) = s.chats.get(&id) {
            Self::deliver(
                &s,
                &[user.to_string()],
                Some(conn),
                false,
                method,
                &Self::chat_object(c, user),
            );
        }
        ok(json!({"chatId": id}))
    }

    /// `createFavoritesChat`.
    pub(super) fn create_favorites_chat(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, conn, .. } = *r;
        let mut s = self.lock();
        if let Some(c) = s
            .chats
            .values()
            .find(|c| c.kind == 5 && c.role_of(user).is_some())
        {
            return ok(json!({"chatId": c.id}));
        }
        let id = chat_id();
        let chat = new_chat(
            &id,
            5,
            Some("Favorites".into()),
            vec![(user.to_string(), 5)],
        );
        let obj = Self::chat_object(&chat, user);
        s.chats.insert(id.clone(), chat);
        Self::deliver(
            &s,
            &[user.to_string()],
            Some(conn),
            false,
            "createFavoritesChat",
            &obj,
        );
        ok(json!({"chatId": id}))
    }

    /// `getChatByID`.
    pub(super) fn get_chat_by_id(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, .. } = *r;
        let s = self.lock();
        let c = member_chat(&s, &r.st("chatId"), user)?;
        ok(Self::chat_object(c, user))
    }

    /// `getChats`.
    pub(super) fn get_chats(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, .. } = *r;
        let (count, page) = (r.num("count"), r.num("page"));
        if count == 0 || page == 0 {
            return Err(399);
        }
        let s = self.lock();
        let mut mine: Vec<&SimChat> = s
            .chats
            .values()
            .filter(|c| c.role_of(user).is_some())
            .collect();
        mine.sort_by(|a, b| b.last_activity.cmp(&a.last_activity).then(a.id.cmp(&b.id)));
        let list: Vec<Value> = mine
            .iter()
            .skip(((page - 1) * count) as usize)
            .take(count as usize)
            .map(|c| Self::chat_object(c, user))
            .collect();
        ok(Value::Array(list))
    }

    /// `removeChat`.
    pub(super) fn remove_chat(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, conn, .. } = *r;
        let mut s = self.lock();
        let c = member_chat(&s, &r.st("chatId"), user)?;
        let role = c.role_of(user).unwrap_or(2);
        if c.kind != 1 && role != 0 && c.kind != 5 {
            return Err(303);
        }
        let members: Vec<String> = c.members.iter().map(|(u, _)| u.clone()).collect();
        let id = c.id.clone();
        if let Some(c) = s.chats.remove(&id) {
            for m in c.messages {
                s.index.remove(&m.id);
            }
        }
        Self::deliver(
            &s,
            &members,
            Some(conn),
            false,
            "removeChat",
            &json!({"chatId": id}),
        );
        ok(json!({}))
    }

    /// `editChatTitle`.
    pub(super) fn edit_chat_title(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, conn, .. } = *r;
        let title = r.st("title");
        if title.chars().count() > 256 || title.trim().is_empty() {
            return Err(300);
        }
        let mut s = self.lock();
        let c = member_chat(&s, &r.st("chatId"), user)?;
        check(c, user, Right::Title)?;
        let (id, members) = (c.id.clone(), member_ids(c));
        if let Some(c) = s.chats.get_mut(&id) {
            c.title = Some(title.clone());
        }
        self.system_change(
            &mut s,
            &id,
            user,
            21,
            json!({"title": title}),
            &members,
            conn,
            ("editChatTitle", json!({"chatId": id, "title": title})),
        )?;
        ok(json!({"chatId": id, "timestamp": now_ms()}))
    }

    /// `editChatAvatar`.
    pub(super) fn edit_chat_avatar(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, conn, .. } = *r;
        let mut s = self.lock();
        let c = member_chat(&s, &r.st("chatId"), user)?;
        check(c, user, Right::Icon)?;
        let (id, members) = (c.id.clone(), member_ids(c));
        let t = s.temporal.remove(&r.st("temporalFileId")).ok_or(308u32)?;
        let fid = file_id();
        s.files.insert(fid.clone(), t.file);
        let url = self.download_url(&fid, false);
        if let Some(c) = s.chats.get_mut(&id) {
            c.avatar_url = Some(url.clone());
        }
        self.system_change(
            &mut s,
            &id,
            user,
            22,
            json!({"avatarUrl": url}),
            &members,
            conn,
            ("editChatAvatar", json!({"chatId": id, "avatarUrl": url})),
        )?;
        ok(json!({}))
    }

    /// `clearHistory`.
    pub(super) fn clear_history(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, conn, .. } = *r;
        let for_all = r.flag("forAll");
        let mut s = self.lock();
        let c = member_chat(&s, &r.st("chatId"), user)?;
        check(
            c,
            user,
            if for_all {
                Right::ClearAll
            } else {
                Right::ClearSelf
            },
        )?;
        let (id, members) = (c.id.clone(), member_ids(c));
        let Some(c) = s.chats.get_mut(&id) else {
            return Err(304);
        };
        let floor = c.next_box;
        if for_all {
            let gone: Vec<String> = c.messages.drain(..).map(|m| m.id).collect();
            c.unread.clear();
            for g in gone {
                s.index.remove(&g);
            }
            self.system_change(
                &mut s,
                &id,
                user,
                23,
                json!({"forAll": true}),
                &members,
                conn,
                ("clearHistory", json!({"chatId": id, "forAll": true})),
            )?;
        } else {
            c.cleared_below.insert(user.to_string(), floor);
            c.unread.remove(user);
            Self::deliver(
                &s,
                &[user.to_string()],
                Some(conn),
                false,
                "clearHistory",
                &json!({"chatId": id, "forAll": false}),
            );
        }
        ok(json!({}))
    }
}
