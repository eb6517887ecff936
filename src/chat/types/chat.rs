//! Chats and their members (docs/chat-protocol.md, Methods and Rights).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ChatType, Envelope, Role};
use crate::chat::lenient::{self, Missing};

/// A chat object (docs/chat-protocol.md, Methods): `getChatByID`, items of `getChats`, and the
/// `create*` pushes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ChatWire")]
pub struct Chat {
    pub chat_id: String,
    /// For p2p chats, the other side's TrueConf ID.
    pub title: Option<String>,
    pub chat_type: ChatType,
    pub unread: u64,
    pub avatar_url: Option<String>,
    pub last_message: Option<Envelope>,
    /// Keys this client does not know, kept as sent.
    pub extra: Map<String, Value>,
}

/// A chat object as sent, each key read leniently; any other key lands in `extra`.
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ChatWire {
    #[serde(deserialize_with = "lenient::string")]
    chat_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    title: Option<String>,
    #[serde(deserialize_with = "lenient::uint")]
    chat_type: Option<u64>,
    #[serde(deserialize_with = "lenient::uint")]
    unread_messages: Option<u64>,
    #[serde(deserialize_with = "lenient::string")]
    avatar_url: Option<String>,
    #[serde(deserialize_with = "lenient::object")]
    last_message: Option<Envelope>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl TryFrom<ChatWire> for Chat {
    type Error = Missing;
    fn try_from(w: ChatWire) -> Result<Chat, Missing> {
        Ok(Chat {
            chat_id: w.chat_id.ok_or(Missing("chatId"))?,
            title: w.title,
            chat_type: ChatType::from_code(w.chat_type.unwrap_or(0) as i64),
            unread: w.unread_messages.unwrap_or(0),
            avatar_url: w.avatar_url,
            last_message: w.last_message,
            extra: w.extra,
        })
    }
}

impl Chat {
    /// None when the value is not an object or has no `chatId`.
    pub fn from_value(v: &Value) -> Option<Chat> {
        lenient::from_object(v)
    }

    /// The chat as the server sends it: what [`Chat::from_value`] reads back to the same chat.
    pub fn to_wire(&self) -> Value {
        let mut o = self.extra.clone();
        o.insert("chatId".into(), Value::from(self.chat_id.as_str()));
        if let Some(t) = &self.title {
            o.insert("title".into(), Value::from(t.as_str()));
        }
        o.insert("chatType".into(), Value::from(self.chat_type.code()));
        o.insert("unreadMessages".into(), Value::from(self.unread));
        if let Some(a) = &self.avatar_url {
            o.insert("avatarUrl".into(), Value::from(a.as_str()));
        }
        if let Some(m) = &self.last_message {
            o.insert("lastMessage".into(), m.to_wire());
        }
        Value::Object(o)
    }
}

/// `{userId, role}` from `getChatParticipants`, plus `type` from `getChatParticipant`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ParticipantWire")]
pub struct Participant {
    pub user_id: String,
    pub role: Option<Role>,
    pub kind: Option<i64>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ParticipantWire {
    #[serde(deserialize_with = "lenient::string")]
    user_id: Option<String>,
    #[serde(deserialize_with = "lenient::role")]
    role: Option<Role>,
    #[serde(rename = "type", deserialize_with = "lenient::uint")]
    kind: Option<u64>,
}

impl TryFrom<ParticipantWire> for Participant {
    type Error = Missing;
    fn try_from(w: ParticipantWire) -> Result<Participant, Missing> {
        Ok(Participant {
            user_id: w.user_id.ok_or(Missing("userId"))?,
            role: w.role,
            kind: w.kind.map(|n| n as i64),
        })
    }
}

impl Participant {
    /// None when the value is not an object or has no `userId`.
    pub fn from_value(v: &Value) -> Option<Participant> {
        lenient::from_object(v)
    }
}
