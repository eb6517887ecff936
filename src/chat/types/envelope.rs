//! One message (docs/chat-protocol.md, Message content): the envelope, its author and the
//! `chat` object of 5.5.6+ envelopes.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ChatType, Content};
use crate::chat::lenient::{self, Missing};
use crate::chat::protocol::{BoxPos, BoxPosWire};

/// `author` of an envelope: type 0 system, 1 user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(from = "AuthorWire")]
pub struct Author {
    pub id: String,
    /// 0 SYSTEM, 1 USER; anything else as sent.
    pub kind: i64,
}

/// `{id, type}` as sent; a missing `type` is a user (docs/chat-protocol.md, Choices C23).
#[derive(Default, Deserialize)]
#[serde(default)]
struct AuthorWire {
    #[serde(deserialize_with = "lenient::string")]
    id: Option<String>,
    #[serde(rename = "type", deserialize_with = "lenient::uint")]
    kind: Option<u64>,
}

impl From<AuthorWire> for Author {
    fn from(w: AuthorWire) -> Author {
        Author {
            id: w.id.unwrap_or_default(),
            kind: w.kind.map(|n| n as i64).unwrap_or(1),
        }
    }
}

impl Author {
    /// Reads an author from any value; one that is not an object reads as `{}`.
    pub fn from_value(v: &Value) -> Author {
        lenient::from_object(v).unwrap_or_else(|| AuthorWire::default().into())
    }
    pub fn to_value(&self) -> Value {
        serde_json::json!({"id": self.id, "type": self.kind})
    }
}

/// The `chat` object of 5.5.6+ envelopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ChatRefWire")]
pub struct ChatRef {
    pub chat_id: String,
    pub title: Option<String>,
    pub chat_type: ChatType,
}

/// `{chatId, chatTitle, chatType}` as sent (docs/chat-protocol.md, Choices C43).
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ChatRefWire {
    #[serde(deserialize_with = "lenient::string")]
    chat_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    chat_title: Option<String>,
    #[serde(deserialize_with = "lenient::uint")]
    chat_type: Option<u64>,
}

impl TryFrom<ChatRefWire> for ChatRef {
    type Error = Missing;
    fn try_from(w: ChatRefWire) -> Result<ChatRef, Missing> {
        Ok(ChatRef {
            chat_id: w.chat_id.ok_or(Missing("chatId"))?,
            title: w.chat_title,
            chat_type: ChatType::from_code(w.chat_type.unwrap_or(0) as i64),
        })
    }
}

/// One message (docs/chat-protocol.md, Message content): from a push, a history page,
/// `getMessageById`, `lastMessage`, or a forward's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "EnvelopeWire")]
pub struct Envelope {
    pub message_id: String,
    /// `chat.chatId`, else the flat `chatId`; empty when neither came (a `lastMessage`).
    pub chat_id: String,
    pub chat: Option<ChatRef>,
    /// Milliseconds.
    pub timestamp: u64,
    pub reply_message_id: Option<String>,
    pub reply_message: Option<Box<Envelope>>,
    pub is_edited: bool,
    /// The envelope type code (200 text, 202 file, below 200 system, …).
    pub kind: i64,
    pub author: Author,
    pub box_pos: Option<BoxPos>,
    pub content: Content,
    /// Keys this client does not know, kept as sent (usually none).
    pub extra: Map<String, Value>,
}

/// An envelope as sent: every key of docs/chat-protocol.md (Message content), each read
/// leniently; any other key lands in `extra`. Reads every JSON object.
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct EnvelopeWire {
    #[serde(deserialize_with = "lenient::string")]
    message_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    chat_id: Option<String>,
    #[serde(deserialize_with = "lenient::object")]
    chat: Option<ChatRefWire>,
    #[serde(deserialize_with = "lenient::millis")]
    timestamp: Option<u64>,
    #[serde(deserialize_with = "lenient::string")]
    reply_message_id: Option<String>,
    #[serde(deserialize_with = "lenient::object")]
    reply_message: Option<Box<Envelope>>,
    #[serde(deserialize_with = "lenient::flag")]
    is_edited: Option<bool>,
    #[serde(rename = "type", deserialize_with = "lenient::uint")]
    kind: Option<u64>,
    /// Absent: the default author; present but not an object: read as `{}`.
    #[serde(deserialize_with = "lenient::object_or_blank")]
    author: Option<Author>,
    #[serde(rename = "box", deserialize_with = "lenient::object")]
    box_pos: Option<BoxPosWire>,
    /// Read once the type is known (the key may come first).
    content: Value,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl From<EnvelopeWire> for Envelope {
    fn from(w: EnvelopeWire) -> Envelope {
        let chat = w.chat.and_then(|c| ChatRef::try_from(c).ok());
        let chat_id = chat
            .as_ref()
            .map(|c| c.chat_id.clone())
            .filter(|s| !s.is_empty())
            .or(w.chat_id)
            .unwrap_or_default();
        let kind = w.kind.map(|n| n as i64).unwrap_or(-1);
        Envelope {
            message_id: w.message_id.unwrap_or_default(),
            chat_id,
            chat,
            timestamp: w.timestamp.unwrap_or(0),
            reply_message_id: w.reply_message_id.filter(|s| !s.is_empty()),
            reply_message: w.reply_message,
            is_edited: w.is_edited.unwrap_or(false),
            kind,
            author: w.author.unwrap_or_default(),
            box_pos: w.box_pos.and_then(|b| BoxPos::try_from(b).ok()),
            content: Content::from_owned(kind, w.content),
            extra: w.extra,
        }
    }
}

impl Envelope {
    /// Reads an envelope. Never fails on odd content: unknown types keep their raw content.
    /// Returns None only when the value is not an object.
    pub fn from_value(v: &Value) -> Option<Envelope> {
        lenient::from_object(v)
    }

    /// [`Envelope::from_value`] taking the value, so that nothing in it is copied.
    pub fn from_owned(v: Value) -> Option<Envelope> {
        lenient::from_object_owned(v)
    }

    /// oc's flat reading of a forward: the forwarded text directly in the content
    /// (docs/chat-protocol.md, Choices C26).
    pub(super) fn forwarded_text(text: String, parse_mode: String) -> Envelope {
        Envelope {
            message_id: String::new(),
            chat_id: String::new(),
            chat: None,
            timestamp: 0,
            reply_message_id: None,
            reply_message: None,
            is_edited: false,
            kind: 200,
            author: Author::default(),
            box_pos: None,
            extra: Map::new(),
            content: Content::Text {
                text,
                parse_mode,
                buttons: None,
            },
        }
    }

    /// A system record (type below 200), whatever `author.type` says (docs/chat-protocol.md,
    /// Message content).
    pub fn is_system(&self) -> bool {
        self.kind < 200
    }

    /// The text a list or a notification shows for this message.
    pub fn summary(&self) -> String {
        self.content.summary()
    }

    /// The user this message is by or about: its author, or for a system record the member it
    /// concerns.
    pub fn person(&self) -> Option<&str> {
        match &self.content {
            Content::ParticipantAdded { user_id, .. }
            | Content::RoleSet { user_id, .. }
            | Content::ParticipantRemoved { user_id } => Some(user_id),
            _ if self.is_system() => None,
            _ => Some(&self.author.id),
        }
    }
}

impl Envelope {
    /// The envelope as the server sends it: what [`Envelope::from_value`] reads back to the
    /// same envelope (the local message store keeps messages in this form).
    pub fn to_wire(&self) -> Value {
        let mut o = self.extra.clone();
        o.insert("messageId".into(), Value::from(self.message_id.as_str()));
        o.insert("chatId".into(), Value::from(self.chat_id.as_str()));
        if let Some(c) = &self.chat {
            let mut r = Map::new();
            r.insert("chatId".into(), Value::from(c.chat_id.as_str()));
            if let Some(t) = &c.title {
                r.insert("chatTitle".into(), Value::from(t.as_str()));
            }
            r.insert("chatType".into(), Value::from(c.chat_type.code()));
            o.insert("chat".into(), Value::Object(r));
        }
        o.insert("timestamp".into(), Value::from(self.timestamp));
        if let Some(r) = &self.reply_message_id {
            o.insert("replyMessageId".into(), Value::from(r.as_str()));
        }
        if let Some(r) = &self.reply_message {
            o.insert("replyMessage".into(), r.to_wire());
        }
        o.insert("isEdited".into(), Value::from(self.is_edited));
        o.insert("type".into(), Value::from(self.kind));
        o.insert("author".into(), self.author.to_value());
        if let Some(b) = &self.box_pos {
            o.insert(
                "box".into(),
                serde_json::json!({"id": b.id, "position": b.position}),
            );
        }
        o.insert("content".into(), self.content.to_wire());
        Value::Object(o)
    }
}
