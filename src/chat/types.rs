//! The chat bot API's data (docs/chat-protocol.md, Message content, Methods and Files): chats,
//! envelopes and their content, participants, files. Every reader is lenient in the ways real
//! servers differ (a number sent as a string, `chat.chatId` or `chatId`, `fileId` or `id`,
//! seconds or milliseconds) and keeps what it does not know as raw JSON: unknown types, unknown
//! enum values, unknown keys.

use serde::Serialize;
use serde_json::{Map, Value};

use super::protocol::{BoxPos, timestamp_ms};

/// Field access that forgives the servers' variations.
pub(crate) trait Get {
    fn field(&self, key: &str) -> Option<&Value>;

    fn str_at(&self, key: &str) -> Option<String> {
        match self.field(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    fn u64_at(&self, key: &str) -> Option<u64> {
        match self.field(key)? {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    fn f64_at(&self, key: &str) -> Option<f64> {
        match self.field(key)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    /// Booleans, and the strings "true"/"false" some servers send (docs/chat-protocol.md,
    /// Choices C33).
    fn bool_at(&self, key: &str) -> Option<bool> {
        match self.field(key)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            Value::Number(n) => n.as_u64().map(|n| n != 0),
            _ => None,
        }
    }
    fn time_at(&self, key: &str) -> Option<u64> {
        self.field(key).and_then(timestamp_ms)
    }
}

impl Get for Value {
    fn field(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }
}

impl Get for Map<String, Value> {
    fn field(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }
}

/// ChatTypeEnum (docs/chat-protocol.md, Message content). Unknown values are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ChatType {
    Undef,
    P2p,
    Group,
    System,
    Favorites,
    Channel,
    Unknown(i64),
}

impl ChatType {
    pub fn from_code(n: i64) -> ChatType {
        match n {
            0 => ChatType::Undef,
            1 => ChatType::P2p,
            2 => ChatType::Group,
            3 => ChatType::System,
            5 => ChatType::Favorites,
            6 => ChatType::Channel,
            n => ChatType::Unknown(n),
        }
    }
    pub fn code(self) -> i64 {
        match self {
            ChatType::Undef => 0,
            ChatType::P2p => 1,
            ChatType::Group => 2,
            ChatType::System => 3,
            ChatType::Favorites => 5,
            ChatType::Channel => 6,
            ChatType::Unknown(n) => n,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            ChatType::Undef => "undefined",
            ChatType::P2p => "p2p",
            ChatType::Group => "group",
            ChatType::System => "system",
            ChatType::Favorites => "favorites",
            ChatType::Channel => "channel",
            ChatType::Unknown(_) => "unknown",
        }
    }
}

/// A participant role (docs/chat-protocol.md, Rights): strings on the wire; unknown ones kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Role {
    Owner,
    Admin,
    User,
    ConfOwner,
    ConfModerator,
    FavoritesOwner,
    Writer,
    Other(String),
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Owner,
        Role::Admin,
        Role::User,
        Role::ConfOwner,
        Role::ConfModerator,
        Role::FavoritesOwner,
        Role::Writer,
    ];

    /// From the wire: a string, or the vendor guide's TypeScript number (docs/chat-protocol.md,
    /// Choices C22).
    pub fn from_value(v: &Value) -> Option<Role> {
        match v {
            Value::String(s) => Some(Role::parse(s)),
            Value::Number(n) => Role::ALL.get(n.as_u64()? as usize).cloned(),
            _ => None,
        }
    }
    pub fn parse(s: &str) -> Role {
        Role::ALL
            .iter()
            .find(|r| r.as_str() == s)
            .cloned()
            .unwrap_or_else(|| Role::Other(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::User => "user",
            Role::ConfOwner => "conf_owner",
            Role::ConfModerator => "conf_moderator",
            Role::FavoritesOwner => "favorites_owner",
            Role::Writer => "writer",
            Role::Other(s) => s,
        }
    }
}

/// FileReadyStateEnum (docs/chat-protocol.md, Message content).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReadyState {
    NotAvailable,
    Uploading,
    Ready,
    Unknown(i64),
}

impl ReadyState {
    pub fn from_code(n: i64) -> ReadyState {
        match n {
            0 => ReadyState::NotAvailable,
            1 => ReadyState::Uploading,
            2 => ReadyState::Ready,
            n => ReadyState::Unknown(n),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            ReadyState::NotAvailable => "not available",
            ReadyState::Uploading => "uploading",
            ReadyState::Ready => "ready",
            ReadyState::Unknown(_) => "unknown",
        }
    }
}

/// `author` of an envelope: type 0 system, 1 user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Author {
    pub id: String,
    /// 0 SYSTEM, 1 USER; anything else as sent.
    pub kind: i64,
}

impl Author {
    pub fn from_value(v: &Value) -> Author {
        Author {
            id: v.str_at("id").unwrap_or_default(),
            kind: v.u64_at("type").map(|n| n as i64).unwrap_or(1),
        }
    }
    pub fn to_value(&self) -> Value {
        serde_json::json!({"id": self.id, "type": self.kind})
    }
}

/// The `chat` object of 5.5.6+ envelopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatRef {
    pub chat_id: String,
    pub title: Option<String>,
    pub chat_type: ChatType,
}

/// What an envelope carries, by its `type` (docs/chat-protocol.md, Message content).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Content {
    /// 200.
    Text {
        text: String,
        parse_mode: String,
        /// Inline buttons (5.5.6+): a matrix of rows, kept as sent.
        buttons: Option<Value>,
    },
    /// 201: the original message without its box (or oc's flat reading; docs/chat-protocol.md,
    /// Choices C26).
    Forward(Box<Envelope>),
    /// 202.
    Attachment {
        name: String,
        mime_type: String,
        size: u64,
        file_id: String,
        ready_state: Option<ReadyState>,
    },
    /// 203.
    Location {
        latitude: f64,
        longitude: f64,
        title: String,
    },
    /// 204.
    Survey {
        title: String,
        url: String,
        raw: Value,
    },
    /// 205.
    Voice {
        file_id: String,
        size: u64,
        mime_type: String,
        duration: u64,
    },
    /// 1 and 110.
    ParticipantAdded { user_id: String, role: Option<Role> },
    /// 110.
    RoleSet { user_id: String, role: Option<Role> },
    /// 2.
    ParticipantRemoved { user_id: String },
    /// 21.
    TitleChanged { title: String },
    /// 22.
    AvatarChanged { avatar_url: Option<String> },
    /// 23.
    HistoryCleared { for_all: bool },
    /// Any other type, or a known type whose content could not be read.
    Unknown(Value),
}

/// EnvelopeTypeEnum names (docs/chat-protocol.md, Message content).
pub fn envelope_type_name(t: i64) -> &'static str {
    match t {
        1 => "ADD_PARTICIPANT",
        2 => "REMOVE_PARTICIPANT",
        21 => "EDIT_CHAT_TITLE",
        22 => "EDIT_CHAT_AVATAR",
        23 => "CLEAR_CHAT_HISTORY",
        110 => "PARTICIPANT_ROLE",
        200 => "PLAIN_MESSAGE",
        201 => "FORWARDED_MESSAGE",
        202 => "ATTACHMENT",
        203 => "LOCATION",
        204 => "SURVEY",
        205 => "VOICE_MESSAGE",
        _ => "UNKNOWN",
    }
}

/// One message (docs/chat-protocol.md, Message content): from a push, a history page,
/// `getMessageById`, `lastMessage`, or a forward's content.
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// The envelope keys the reader understands; anything else goes to `extra`.
const ENVELOPE_KEYS: &[&str] = &[
    "messageId",
    "chatId",
    "chat",
    "timestamp",
    "replyMessageId",
    "replyMessage",
    "isEdited",
    "type",
    "author",
    "box",
    "content",
];

/// The keys of `o` that are not in `known`.
fn unknown_keys(o: &Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    o.iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

impl Envelope {
    /// Reads an envelope. Never fails on odd content: unknown types keep their raw content.
    /// Returns None only when the value is not an object.
    pub fn from_value(v: &Value) -> Option<Envelope> {
        let o = v.as_object()?;
        let chat = o.get("chat").and_then(ChatRef::from_value);
        let chat_id = chat
            .as_ref()
            .map(|c| c.chat_id.clone())
            .filter(|s| !s.is_empty())
            .or_else(|| o.str_at("chatId"))
            .unwrap_or_default();
        let kind = o.u64_at("type").map(|n| n as i64).unwrap_or(-1);
        let content_v = o.get("content").cloned().unwrap_or(Value::Null);
        Some(Envelope {
            message_id: o.str_at("messageId").unwrap_or_default(),
            chat_id,
            chat,
            timestamp: o.time_at("timestamp").unwrap_or(0),
            reply_message_id: o.str_at("replyMessageId").filter(|s| !s.is_empty()),
            reply_message: o
                .get("replyMessage")
                .and_then(Envelope::from_value)
                .map(Box::new),
            is_edited: o.bool_at("isEdited").unwrap_or(false),
            kind,
            author: o.get("author").map(Author::from_value).unwrap_or_default(),
            box_pos: o.get("box").and_then(BoxPos::from_value),
            content: Content::from_value(kind, &content_v),
            extra: unknown_keys(o, ENVELOPE_KEYS),
        })
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

    /// The users this message is by or about: its author, or for a system record the member
    /// it concerns.
    pub fn people(&self) -> Vec<String> {
        match &self.content {
            Content::ParticipantAdded { user_id, .. }
            | Content::RoleSet { user_id, .. }
            | Content::ParticipantRemoved { user_id } => vec![user_id.clone()],
            _ if self.is_system() => vec![],
            _ => vec![self.author.id.clone()],
        }
    }
}

impl ChatRef {
    fn from_value(v: &Value) -> Option<ChatRef> {
        Some(ChatRef {
            chat_id: v.str_at("chatId")?,
            title: v.str_at("chatTitle"),
            chat_type: ChatType::from_code(v.u64_at("chatType").map(|n| n as i64).unwrap_or(0)),
        })
    }
}

impl Content {
    pub fn from_value(kind: i64, c: &Value) -> Content {
        let s = |k: &str| c.str_at(k).unwrap_or_default();
        let role = || c.get("role").and_then(Role::from_value);
        let known = match kind {
            200 => c.str_at("text").map(|text| Content::Text {
                text,
                parse_mode: c.str_at("parseMode").unwrap_or_else(|| "text".into()),
                buttons: c.get("buttons").filter(|b| !b.is_null()).cloned(),
            }),
            201 => {
                if c.get("content").is_some() || c.get("messageId").is_some() {
                    Envelope::from_value(c).map(|e| Content::Forward(Box::new(e)))
                } else {
                    // oc's flat reading: the forwarded text directly in the content.
                    c.str_at("text").map(|text| {
                        Content::Forward(Box::new(Envelope {
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
                                parse_mode: c.str_at("parseMode").unwrap_or_else(|| "text".into()),
                                buttons: None,
                            },
                        }))
                    })
                }
            }
            202 => c.is_object().then(|| Content::Attachment {
                name: s("name"),
                mime_type: s("mimeType"),
                size: c.u64_at("size").unwrap_or(0),
                file_id: c
                    .str_at("fileId")
                    .or_else(|| c.str_at("id"))
                    .unwrap_or_default(),
                ready_state: c
                    .u64_at("readyState")
                    .map(|n| ReadyState::from_code(n as i64)),
            }),
            203 => match (c.f64_at("latitude"), c.f64_at("longitude")) {
                (Some(latitude), Some(longitude)) => Some(Content::Location {
                    latitude,
                    longitude,
                    title: c
                        .str_at("title")
                        .or_else(|| c.str_at("description"))
                        .unwrap_or_default(),
                }),
                _ => None,
            },
            204 => c.is_object().then(|| Content::Survey {
                title: s("title"),
                url: s("url"),
                raw: c.clone(),
            }),
            205 => c.str_at("fileId").map(|file_id| Content::Voice {
                file_id,
                size: c.u64_at("size").unwrap_or(0),
                mime_type: s("mimeType"),
                duration: c.u64_at("duration").unwrap_or(0),
            }),
            1 => c.str_at("userId").map(|user_id| Content::ParticipantAdded {
                user_id,
                role: role(),
            }),
            110 => c.str_at("userId").map(|user_id| Content::RoleSet {
                user_id,
                role: role(),
            }),
            2 => c
                .str_at("userId")
                .map(|user_id| Content::ParticipantRemoved { user_id }),
            21 => c
                .str_at("title")
                .map(|title| Content::TitleChanged { title }),
            22 => c.is_object().then(|| Content::AvatarChanged {
                avatar_url: c.str_at("avatarUrl"),
            }),
            23 => Some(Content::HistoryCleared {
                for_all: c.bool_at("forAll").unwrap_or(false),
            }),
            _ => None,
        };
        known.unwrap_or_else(|| Content::Unknown(c.clone()))
    }

    pub fn summary(&self) -> String {
        match self {
            Content::Text { text, .. } => text.clone(),
            Content::Forward(e) => format!("↪ {}", e.summary()),
            Content::Attachment { name, size, .. } => format!("📎 {name} ({})", human_size(*size)),
            Content::Location { title, .. } => format!("📍 {title}"),
            Content::Survey { title, .. } => format!("📊 {title}"),
            Content::Voice { duration, .. } => format!("🎤 voice message, {duration} s"),
            Content::ParticipantAdded { user_id, .. } => format!("{user_id} joined"),
            Content::RoleSet { user_id, role } => format!(
                "{user_id} is {}",
                role.as_ref().map(Role::as_str).unwrap_or("a member")
            ),
            Content::ParticipantRemoved { user_id } => format!("{user_id} left"),
            Content::TitleChanged { title } => format!("title changed to “{title}”"),
            Content::AvatarChanged { .. } => "avatar changed".into(),
            Content::HistoryCleared { .. } => "history cleared".into(),
            Content::Unknown(v) => format!("(unsupported message: {})", short_json(v, 60)),
        }
    }
}

/// Bytes in B, KiB, MiB, GiB with one decimal.
pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", UNITS[u])
}

fn short_json(v: &Value, max: usize) -> String {
    let s = v.to_string();
    if s.chars().count() <= max {
        s
    } else {
        s.chars().take(max).collect::<String>() + "…"
    }
}

/// A chat object (docs/chat-protocol.md, Methods): `getChatByID`, items of `getChats`, and the
/// `create*` pushes.
#[derive(Debug, Clone, PartialEq, Serialize)]
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

impl Chat {
    pub fn from_value(v: &Value) -> Option<Chat> {
        let o = v.as_object()?;
        Some(Chat {
            chat_id: o.str_at("chatId")?,
            title: o.str_at("title"),
            chat_type: ChatType::from_code(o.u64_at("chatType").map(|n| n as i64).unwrap_or(0)),
            unread: o.u64_at("unreadMessages").unwrap_or(0),
            avatar_url: o.str_at("avatarUrl"),
            last_message: o.get("lastMessage").and_then(Envelope::from_value),
            extra: unknown_keys(
                o,
                &[
                    "chatId",
                    "title",
                    "chatType",
                    "unreadMessages",
                    "avatarUrl",
                    "lastMessage",
                ],
            ),
        })
    }
}

/// `{userId, role}` from `getChatParticipants`, plus `type` from `getChatParticipant`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participant {
    pub user_id: String,
    pub role: Option<Role>,
    pub kind: Option<i64>,
}

impl Participant {
    pub fn from_value(v: &Value) -> Option<Participant> {
        Some(Participant {
            user_id: v.str_at("userId")?,
            role: v.get("role").and_then(Role::from_value),
            kind: v.u64_at("type").map(|n| n as i64),
        })
    }
}

/// `getFileInfo` (docs/chat-protocol.md, Files).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileInfo {
    /// `fileId`, else `infoHash`.
    pub file_id: String,
    pub name: String,
    pub size: u64,
    pub mime_type: String,
    pub ready_state: ReadyState,
    pub download_url: Option<String>,
    pub previews: Vec<Preview>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    pub name: String,
    pub mime_type: String,
    pub size: u64,
    pub download_url: Option<String>,
}

impl FileInfo {
    pub fn from_value(v: &Value) -> Option<FileInfo> {
        let o = v.as_object()?;
        Some(FileInfo {
            file_id: o
                .str_at("fileId")
                .or_else(|| o.str_at("infoHash"))
                .unwrap_or_default(),
            name: o.str_at("name").unwrap_or_default(),
            size: o.u64_at("size")?,
            mime_type: o.str_at("mimeType").unwrap_or_default(),
            ready_state: ReadyState::from_code(o.u64_at("readyState").unwrap_or(0) as i64),
            download_url: o.str_at("downloadUrl").filter(|s| !s.is_empty()),
            previews: o
                .get("previews")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|p| Preview {
                            name: p.str_at("name").unwrap_or_default(),
                            mime_type: p.str_at("mimeType").unwrap_or_default(),
                            size: p.u64_at("size").unwrap_or(0),
                            download_url: p.str_at("downloadUrl"),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

/// Upload limits (docs/chat-protocol.md, Files): `maxSize` in bytes (None: no limit), an
/// extension filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct UploadLimits {
    pub max_size: Option<u64>,
    /// `allow` (whitelist) or `block`; None: no filter.
    pub mode: Option<String>,
    /// Lowercase, without dots.
    pub extensions: Vec<String>,
}

impl UploadLimits {
    pub fn from_value(v: &Value) -> UploadLimits {
        let ext = v.get("extensions").filter(|e| e.is_object());
        UploadLimits {
            max_size: v.u64_at("maxSize"),
            mode: ext.and_then(|e| e.str_at("mode")),
            extensions: ext
                .and_then(|e| e.get("list"))
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .filter_map(Value::as_str)
                        .map(|s| s.trim_start_matches('.').to_ascii_lowercase())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Why a file may not be uploaded, or None (oc's rules for files without an extension).
    pub fn refuse(&self, name: &str, size: u64) -> Option<String> {
        if let Some(max) = self.max_size
            && size > max
        {
            return Some(format!(
                "{name} is {} and the server accepts files up to {}",
                human_size(size),
                human_size(max)
            ));
        }
        let ext = std::path::Path::new(name)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let listed = ext.as_ref().is_some_and(|e| self.extensions.contains(e));
        match self.mode.as_deref() {
            Some("allow") if !listed => Some(format!(
                "the server accepts only these file types: {}",
                self.extensions.join(", ")
            )),
            Some("block") if listed => Some(format!(
                "the server does not accept .{} files",
                ext.unwrap_or_default()
            )),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelopes_read_every_variant_the_sources_show() {
        // Seed form: flat chatId, no chat object, position "0".
        let e = Envelope::from_value(&json!({"chatId": "c1", "messageId": "m1",
            "timestamp": 1746029007569u64, "author": {"id": "brown@srv", "type": 1},
            "isEdited": false, "box": {"id": 4, "position": "0"}, "type": 200,
            "content": {"text": "Text", "parseMode": "html"}}))
        .unwrap();
        assert_eq!(e.chat_id, "c1");
        assert_eq!(e.box_pos.as_ref().unwrap().id, 4);
        assert!(
            matches!(&e.content, Content::Text { text, parse_mode, .. } if text == "Text" && parse_mode == "html")
        );
        // 5.5.6 form: chat object wins; seconds become milliseconds; attachment `id` fallback.
        let e = Envelope::from_value(
            &json!({"chat": {"chatId": "c2", "chatTitle": null, "chatType": 2},
            "messageId": "m2", "timestamp": "1735370776", "type": 202,
            "author": {"id": "a@srv", "type": 1},
            "content": {"name": "x.png", "mimeType": "image/png", "size": "12", "id": "f1"}}),
        )
        .unwrap();
        assert_eq!(e.chat_id, "c2");
        assert_eq!(e.timestamp, 1_735_370_776_000);
        assert!(
            matches!(&e.content, Content::Attachment { file_id, size: 12, .. } if file_id == "f1")
        );
        // Unknown keys are kept.
        let e =
            Envelope::from_value(&json!({"type": 200, "content": {"text": "x"}, "reactions": [1]}))
                .unwrap();
        assert_eq!(e.extra.get("reactions"), Some(&json!([1])));
        // Unknown type: raw content kept.
        let e = Envelope::from_value(&json!({"type": 999, "content": {"x": 1}})).unwrap();
        assert_eq!(e.content, Content::Unknown(json!({"x": 1})));
        // Forward: nested, and oc's flat form.
        let e = Envelope::from_value(&json!({"type": 201, "content": {"messageId": "o",
            "type": 200, "content": {"text": "hi", "parseMode": "text"}}}))
        .unwrap();
        assert_eq!(e.summary(), "↪ hi");
        let e = Envelope::from_value(&json!({"type": 201, "content": {"text": "flat"}})).unwrap();
        assert_eq!(e.summary(), "↪ flat");
        // System record with a user author of type 0 is still system by its type.
        let e = Envelope::from_value(&json!({"type": 110, "author": {"id": "u@srv", "type": 0},
            "content": {"userId": "bot@srv", "role": "user"}}))
        .unwrap();
        assert!(e.is_system());
        assert!(matches!(
            e.content,
            Content::RoleSet {
                role: Some(Role::User),
                ..
            }
        ));
        // A string forAll.
        let e = Envelope::from_value(&json!({"type": 23, "content": {"forAll": "true"}})).unwrap();
        assert_eq!(e.content, Content::HistoryCleared { for_all: true });
    }

    #[test]
    fn roles_strings_numbers_and_unknown() {
        assert_eq!(Role::from_value(&json!("writer")), Some(Role::Writer));
        assert_eq!(Role::from_value(&json!(1)), Some(Role::Admin));
        assert_eq!(
            Role::from_value(&json!("guest")),
            Some(Role::Other("guest".into()))
        );
    }

    #[test]
    fn file_info_reads_file_id_or_info_hash() {
        let f = FileInfo::from_value(&json!({"name": "a", "size": 3, "mimeType": "",
            "readyState": 1, "downloadUrl": null, "previews": null, "infoHash": "h"}))
        .unwrap();
        assert_eq!(f.file_id, "h");
        assert_eq!(f.ready_state, ReadyState::Uploading);
        assert_eq!(f.download_url, None);
    }

    #[test]
    fn upload_limits_follow_the_allow_and_block_rules() {
        let l = UploadLimits::from_value(
            &json!({"maxSize": 1000, "extensions": {"mode": "allow", "list": [".PDF", "png"]}}),
        );
        assert_eq!(l.extensions, ["pdf", "png"]);
        assert!(l.refuse("a.pdf", 10).is_none());
        assert!(l.refuse("a.exe", 10).is_some());
        assert!(
            l.refuse("README", 10).is_some(),
            "allow mode: no extension fails"
        );
        assert!(l.refuse("a.pdf", 1001).is_some());
        let l = UploadLimits::from_value(&json!({"maxSize": null,
            "extensions": {"mode": "block", "list": ["exe"]}}));
        assert!(
            l.refuse("README", 10).is_none(),
            "block mode: no extension passes"
        );
        assert!(l.refuse("x.EXE", 10).is_some());
        assert_eq!(
            UploadLimits::from_value(&json!({"maxSize": null, "extensions": null})),
            UploadLimits::default()
        );
    }
}
