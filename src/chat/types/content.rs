//! What an envelope carries, by its `type` (docs/chat-protocol.md, Message content).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Envelope, ReadyState, Role};
use crate::chat::lenient;

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

/// Every key a content object may carry, over all the types, each read leniently; which ones a
/// type needs is decided in [`Content::from_value`]. Reads every JSON object.
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ContentWire {
    #[serde(deserialize_with = "lenient::string")]
    text: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    parse_mode: Option<String>,
    /// Kept as sent; `null` reads as none.
    buttons: Option<Value>,
    #[serde(deserialize_with = "lenient::string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    mime_type: Option<String>,
    #[serde(deserialize_with = "lenient::uint")]
    size: Option<u64>,
    /// The attachment's file key: `fileId`, else `id` (docs/chat-protocol.md, Choices C15).
    #[serde(deserialize_with = "lenient::string")]
    file_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    id: Option<String>,
    #[serde(deserialize_with = "lenient::uint")]
    ready_state: Option<u64>,
    #[serde(deserialize_with = "lenient::float")]
    latitude: Option<f64>,
    #[serde(deserialize_with = "lenient::float")]
    longitude: Option<f64>,
    /// A location's label: `title`, else `description` (docs/chat-protocol.md, Choices C25).
    #[serde(deserialize_with = "lenient::string")]
    title: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    description: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    url: Option<String>,
    #[serde(deserialize_with = "lenient::uint")]
    duration: Option<u64>,
    #[serde(deserialize_with = "lenient::string")]
    user_id: Option<String>,
    #[serde(deserialize_with = "lenient::role")]
    role: Option<Role>,
    #[serde(deserialize_with = "lenient::string")]
    avatar_url: Option<String>,
    #[serde(deserialize_with = "lenient::flag")]
    for_all: Option<bool>,
}

impl Content {
    /// Reads the content of an envelope of type `kind`. Never fails: an unknown type, or a
    /// known one whose content cannot be read, is kept as [`Content::Unknown`].
    pub fn from_value(kind: i64, c: &Value) -> Content {
        Content::read(kind, c).unwrap_or_else(|| Content::Unknown(c.clone()))
    }

    /// [`Content::from_value`] taking the value: unknown content is kept without a copy.
    pub(super) fn from_owned(kind: i64, c: Value) -> Content {
        Content::read(kind, &c).unwrap_or(Content::Unknown(c))
    }

    fn read(kind: i64, c: &Value) -> Option<Content> {
        if kind == 23 {
            // Any content, even none, clears the history.
            let w = lenient::from_object::<ContentWire>(c).unwrap_or_default();
            return Some(Content::HistoryCleared {
                for_all: w.for_all.unwrap_or(false),
            });
        }
        if kind == 201 && (c.get("content").is_some() || c.get("messageId").is_some()) {
            // A nested envelope without its box (docs/chat-protocol.md, Choices C26).
            return Envelope::from_value(c).map(|e| Content::Forward(Box::new(e)));
        }
        let w: ContentWire = lenient::from_object(c)?;
        let parse_mode = |m: Option<String>| m.unwrap_or_else(|| "text".into());
        Some(match kind {
            200 => Content::Text {
                text: w.text?,
                parse_mode: parse_mode(w.parse_mode),
                buttons: w.buttons,
            },
            201 => Content::Forward(Box::new(Envelope::forwarded_text(
                w.text?,
                parse_mode(w.parse_mode),
            ))),
            202 => Content::Attachment {
                name: w.name.unwrap_or_default(),
                mime_type: w.mime_type.unwrap_or_default(),
                size: w.size.unwrap_or(0),
                file_id: w.file_id.or(w.id).unwrap_or_default(),
                ready_state: w.ready_state.map(|n| ReadyState::from_code(n as i64)),
            },
            203 => Content::Location {
                latitude: w.latitude?,
                longitude: w.longitude?,
                title: w.title.or(w.description).unwrap_or_default(),
            },
            204 => Content::Survey {
                title: w.title.unwrap_or_default(),
                url: w.url.unwrap_or_default(),
                raw: c.clone(),
            },
            205 => Content::Voice {
                file_id: w.file_id?,
                size: w.size.unwrap_or(0),
                mime_type: w.mime_type.unwrap_or_default(),
                duration: w.duration.unwrap_or(0),
            },
            1 => Content::ParticipantAdded {
                user_id: w.user_id?,
                role: w.role,
            },
            110 => Content::RoleSet {
                user_id: w.user_id?,
                role: w.role,
            },
            2 => Content::ParticipantRemoved {
                user_id: w.user_id?,
            },
            21 => Content::TitleChanged { title: w.title? },
            22 => Content::AvatarChanged {
                avatar_url: w.avatar_url,
            },
            _ => return None,
        })
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

impl ReadyState {
    /// The wire code, the inverse of [`ReadyState::from_code`].
    pub fn code(self) -> i64 {
        match self {
            ReadyState::NotAvailable => 0,
            ReadyState::Uploading => 1,
            ReadyState::Ready => 2,
            ReadyState::Unknown(n) => n,
        }
    }
}

impl Content {
    /// The content as the server sends it: what [`Content::from_value`] reads back to the same
    /// content (the local message store keeps envelopes in this form).
    pub fn to_wire(&self) -> Value {
        use serde_json::json;
        let role = |r: &Option<Role>| r.as_ref().map(|r| Value::from(r.as_str()));
        match self {
            Content::Text {
                text,
                parse_mode,
                buttons,
            } => {
                let mut o = json!({"text": text, "parseMode": parse_mode});
                if let Some(b) = buttons {
                    o["buttons"] = b.clone();
                }
                o
            }
            Content::Forward(e) => e.to_wire(),
            Content::Attachment {
                name,
                mime_type,
                size,
                file_id,
                ready_state,
            } => {
                let mut o =
                    json!({"name": name, "mimeType": mime_type, "size": size, "fileId": file_id});
                if let Some(r) = ready_state {
                    o["readyState"] = Value::from(r.code());
                }
                o
            }
            Content::Location {
                latitude,
                longitude,
                title,
            } => json!({"latitude": latitude, "longitude": longitude, "title": title}),
            Content::Survey { raw, .. } => raw.clone(),
            Content::Voice {
                file_id,
                size,
                mime_type,
                duration,
            } => {
                json!({"fileId": file_id, "size": size, "mimeType": mime_type, "duration": duration})
            }
            Content::ParticipantAdded { user_id, role: r }
            | Content::RoleSet { user_id, role: r } => {
                let mut o = json!({"userId": user_id});
                if let Some(r) = role(r) {
                    o["role"] = r;
                }
                o
            }
            Content::ParticipantRemoved { user_id } => json!({"userId": user_id}),
            Content::TitleChanged { title } => json!({"title": title}),
            Content::AvatarChanged { avatar_url } => json!({"avatarUrl": avatar_url}),
            Content::HistoryCleared { for_all } => json!({"forAll": for_all}),
            Content::Unknown(v) => v.clone(),
        }
    }
}
