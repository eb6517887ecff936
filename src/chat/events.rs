//! Server requests (docs/chat-protocol.md, Events): what the server pushes, typed.
//! Each is acknowledged by the link before it is read; a push that is unknown, or known but
//! unreadable, arrives whole as [`ChatEvent::Other`], never dropped.

use serde::Serialize;
use serde_json::Value;

use super::types::{Author, Chat, Envelope, Get, Role, UploadLimits};
pub use crate::apispec::EventSpec;

/// Every server request docs/chat-protocol.md lists (Events), with the fields it carries.
pub static EVENTS: &[EventSpec] = &[
    EventSpec {
        name: "sendMessage",
        group: "Messages",
        fields: &[
            "chatId",
            "chat",
            "messageId",
            "timestamp",
            "author",
            "box",
            "type",
            "content",
        ],
        summary: "A new message of any type (system records only with receiveSystemMessageEnvelopes)",
    },
    EventSpec {
        name: "editMessage",
        group: "Messages",
        fields: &["chatId", "messageId", "timestamp", "content"],
        summary: "A message was edited",
    },
    EventSpec {
        name: "removeMessage",
        group: "Messages",
        fields: &["chatId", "messageId", "removedBy"],
        summary: "A message was deleted",
    },
    EventSpec {
        name: "createP2PChat",
        group: "Chats",
        fields: &[
            "chatId",
            "title",
            "chatType",
            "unreadMessages",
            "lastMessage",
        ],
        summary: "A personal chat came into being",
    },
    EventSpec {
        name: "createGroupChat",
        group: "Chats",
        fields: &[
            "chatId",
            "title",
            "chatType",
            "unreadMessages",
            "lastMessage",
        ],
        summary: "A group chat with you in it came into being",
    },
    EventSpec {
        name: "createChannel",
        group: "Chats",
        fields: &[
            "chatId",
            "title",
            "chatType",
            "unreadMessages",
            "lastMessage",
        ],
        summary: "A channel with you in it came into being",
    },
    EventSpec {
        name: "createFavoritesChat",
        group: "Chats",
        fields: &[
            "chatId",
            "title",
            "chatType",
            "unreadMessages",
            "lastMessage",
        ],
        summary: "Your Favorites chat came into being",
    },
    EventSpec {
        name: "removeChat",
        group: "Chats",
        fields: &["chatId"],
        summary: "A chat was deleted",
    },
    EventSpec {
        name: "editChatTitle",
        group: "Chats",
        fields: &["chatId", "title"],
        summary: "A chat was renamed",
    },
    EventSpec {
        name: "editChatAvatar",
        group: "Chats",
        fields: &["chatId", "avatarUrl"],
        summary: "A chat's icon changed",
    },
    EventSpec {
        name: "clearHistory",
        group: "Chats",
        fields: &["chatId", "forAll"],
        summary: "A chat's history was cleared",
    },
    EventSpec {
        name: "addChatParticipant",
        group: "Participants",
        fields: &["chatId", "userId", "addedBy", "timestamp"],
        summary: "A member joined a chat",
    },
    EventSpec {
        name: "removeChatParticipant",
        group: "Participants",
        fields: &["chatId", "userId", "removedBy", "timestamp"],
        summary: "A member left or was removed",
    },
    EventSpec {
        name: "changeParticipantRole",
        group: "Participants",
        fields: &["chatId", "userId", "role", "timestamp"],
        summary: "A member's role changed",
    },
    EventSpec {
        name: "uploadFileProgress",
        group: "Files",
        fields: &["fileId", "progress"],
        summary: "Bytes of a file received so far (the seed calls it uploadingProgress)",
    },
    EventSpec {
        name: "getFileUploadLimits",
        group: "Files",
        fields: &["maxSize", "extensions"],
        summary: "The upload limits, after login and when they change",
    },
    EventSpec {
        name: "command",
        group: "Messages",
        fields: &["commandSource", "commandPayload", "commandId"],
        summary: "An inline button was pressed (5.5.6)",
    },
];

/// The table entry of a server request, by name (the vendor guide's `uploadingProgress` too;
/// docs/chat-protocol.md, Choices C10).
pub fn event(name: &str) -> Option<&'static EventSpec> {
    let name = if name == "uploadingProgress" {
        "uploadFileProgress"
    } else {
        name
    };
    EVENTS.iter().find(|e| e.name == name)
}

/// Which create* push a chat came with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Created {
    P2p,
    Group,
    Channel,
    Favorites,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ChatEvent {
    Message(Box<Envelope>),
    Edited {
        chat_id: String,
        message_id: Option<String>,
        timestamp: Option<u64>,
        text: String,
        parse_mode: String,
    },
    Removed {
        chat_id: String,
        message_id: String,
        by: Option<Author>,
    },
    ChatCreated {
        how: Created,
        chat: Box<Chat>,
    },
    ChatRemoved {
        chat_id: String,
    },
    TitleChanged {
        chat_id: String,
        title: String,
    },
    AvatarChanged {
        chat_id: String,
        avatar_url: Option<String>,
    },
    HistoryCleared {
        chat_id: String,
        for_all: bool,
    },
    ParticipantAdded {
        chat_id: String,
        user_id: String,
        by: Option<Author>,
        timestamp: Option<u64>,
    },
    ParticipantRemoved {
        chat_id: String,
        user_id: String,
        by: Option<Author>,
        timestamp: Option<u64>,
    },
    RoleChanged {
        chat_id: String,
        user_id: String,
        role: Role,
        timestamp: Option<u64>,
    },
    /// Bytes received so far of a file.
    Progress {
        file_id: String,
        progress: u64,
    },
    Limits(UploadLimits),
    /// An inline button press, kept whole (its shapes are young).
    Command(Value),
    /// Anything else, or a known push that could not be read.
    Other {
        method: String,
        payload: Value,
    },
}

impl ChatEvent {
    /// Reads a server request. Never fails: what cannot be read is kept as `Other`.
    pub fn parse(method: &str, payload: Option<&Value>) -> ChatEvent {
        Self::parse_owned(method, payload.cloned())
    }

    /// [`ChatEvent::parse`] without copying the payload.
    pub fn parse_owned(method: &str, payload: Option<Value>) -> ChatEvent {
        let p = payload.unwrap_or(Value::Null);
        match Self::typed(method, &p) {
            Some(e) => e,
            None => ChatEvent::Other {
                method: method.to_string(),
                payload: p,
            },
        }
    }

    fn typed(method: &str, p: &Value) -> Option<ChatEvent> {
        p.as_object()?;
        let chat_id = || p.str_at("chatId");
        let by = |k: &str| p.get(k).filter(|v| v.is_object()).map(Author::from_value);
        Some(match method {
            "sendMessage" => ChatEvent::Message(Box::new(Envelope::from_value(p)?)),
            "editMessage" => {
                let c = p.get("content")?;
                ChatEvent::Edited {
                    chat_id: chat_id().unwrap_or_default(),
                    message_id: p.str_at("messageId"),
                    timestamp: p.time_at("timestamp"),
                    text: c.str_at("text").unwrap_or_default(),
                    parse_mode: c.str_at("parseMode").unwrap_or_else(|| "text".into()),
                }
            }
            "removeMessage" => ChatEvent::Removed {
                chat_id: chat_id().unwrap_or_default(),
                message_id: p.str_at("messageId")?,
                by: by("removedBy"),
            },
            "createP2PChat" | "createGroupChat" | "createChannel" | "createFavoritesChat" => {
                ChatEvent::ChatCreated {
                    how: match method {
                        "createP2PChat" => Created::P2p,
                        "createGroupChat" => Created::Group,
                        "createChannel" => Created::Channel,
                        _ => Created::Favorites,
                    },
                    chat: Box::new(Chat::from_value(p)?),
                }
            }
            "removeChat" => ChatEvent::ChatRemoved {
                chat_id: chat_id()?,
            },
            "editChatTitle" => ChatEvent::TitleChanged {
                chat_id: chat_id()?,
                title: p.str_at("title").unwrap_or_default(),
            },
            "editChatAvatar" => ChatEvent::AvatarChanged {
                chat_id: chat_id()?,
                avatar_url: p.str_at("avatarUrl"),
            },
            "clearHistory" => ChatEvent::HistoryCleared {
                chat_id: chat_id()?,
                for_all: p.bool_at("forAll").unwrap_or(false),
            },
            "addChatParticipant" => ChatEvent::ParticipantAdded {
                chat_id: chat_id()?,
                user_id: p.str_at("userId")?,
                by: by("addedBy"),
                timestamp: p.time_at("timestamp"),
            },
            "removeChatParticipant" => ChatEvent::ParticipantRemoved {
                chat_id: chat_id()?,
                user_id: p.str_at("userId")?,
                // The vendor guide's table says addedBy for this one too (docs/chat-protocol.md,
                // Choices C20).
                by: by("removedBy").or_else(|| by("addedBy")),
                timestamp: p.time_at("timestamp"),
            },
            "changeParticipantRole" => ChatEvent::RoleChanged {
                chat_id: chat_id()?,
                user_id: p.str_at("userId")?,
                role: p.get("role").and_then(Role::from_value)?,
                timestamp: p.time_at("timestamp"),
            },
            "uploadFileProgress" | "uploadingProgress" => ChatEvent::Progress {
                file_id: p.str_at("fileId")?,
                progress: p.u64_at("progress")?,
            },
            "getFileUploadLimits" => ChatEvent::Limits(UploadLimits::from_value(p)),
            "command" => ChatEvent::Command(p.clone()),
            _ => return None,
        })
    }

    /// The chat this event concerns, if any.
    pub fn chat_id(&self) -> Option<&str> {
        match self {
            ChatEvent::Message(e) => Some(&e.chat_id),
            ChatEvent::Edited { chat_id, .. }
            | ChatEvent::Removed { chat_id, .. }
            | ChatEvent::ChatRemoved { chat_id }
            | ChatEvent::TitleChanged { chat_id, .. }
            | ChatEvent::AvatarChanged { chat_id, .. }
            | ChatEvent::HistoryCleared { chat_id, .. }
            | ChatEvent::ParticipantAdded { chat_id, .. }
            | ChatEvent::ParticipantRemoved { chat_id, .. }
            | ChatEvent::RoleChanged { chat_id, .. } => Some(chat_id),
            ChatEvent::ChatCreated { chat, .. } => Some(&chat.chat_id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_listed_event_parses_from_its_reference_sample() {
        let samples = [
            (
                "sendMessage",
                json!({"chatId": "c", "messageId": "m", "timestamp": 1, "type": 200,
                "author": {"id": "a", "type": 1}, "content": {"text": "t", "parseMode": "text"}}),
            ),
            (
                "editMessage",
                json!({"chatId": "c", "messageId": "m", "timestamp": 1,
                "content": {"text": "t", "parseMode": "text"}}),
            ),
            (
                "removeMessage",
                json!({"chatId": "c", "messageId": "m", "removedBy": {"id": "a", "type": 1}}),
            ),
            (
                "createP2PChat",
                json!({"chatId": "c", "title": "a@s", "chatType": 1, "unreadMessages": 0, "lastMessage": null}),
            ),
            (
                "createGroupChat",
                json!({"chatId": "c", "title": "G", "chatType": 2, "unreadMessages": 0, "lastMessage": null}),
            ),
            (
                "createChannel",
                json!({"chatId": "c", "title": "C", "chatType": 6, "unreadMessages": 0, "lastMessage": null}),
            ),
            (
                "createFavoritesChat",
                json!({"chatId": "c", "title": null, "chatType": 5, "unreadMessages": 0, "lastMessage": null}),
            ),
            ("removeChat", json!({"chatId": "c"})),
            ("editChatTitle", json!({"chatId": "c", "title": "T"})),
            ("editChatAvatar", json!({"chatId": "c", "avatarUrl": null})),
            ("clearHistory", json!({"chatId": "c", "forAll": "true"})),
            (
                "addChatParticipant",
                json!({"chatId": "c", "userId": "u", "addedBy": {"id": "a", "type": 1}, "timestamp": "1735370776"}),
            ),
            (
                "removeChatParticipant",
                json!({"chatId": "c", "userId": "u", "removedBy": {"id": "a", "type": 1}, "timestamp": "1735370778"}),
            ),
            (
                "changeParticipantRole",
                json!({"chatId": "c", "userId": "u", "role": "admin", "timestamp": 1}),
            ),
            ("uploadFileProgress", json!({"fileId": "f", "progress": 10})),
            (
                "getFileUploadLimits",
                json!({"maxSize": null, "extensions": null}),
            ),
            (
                "command",
                json!({"commandSource": {"type": "button"}, "commandPayload": {"type": "command", "command": "/x"}}),
            ),
        ];
        assert_eq!(samples.len(), EVENTS.len());
        for (m, p) in samples {
            assert!(event(m).is_some(), "{m} is in the table");
            let e = ChatEvent::parse(m, Some(&p));
            assert!(!matches!(e, ChatEvent::Other { .. }), "{m} parsed: {e:?}");
        }
        assert!(matches!(
            ChatEvent::parse(
                "uploadingProgress",
                Some(&json!({"fileId": "f", "progress": 3}))
            ),
            ChatEvent::Progress { progress: 3, .. }
        ));
        assert!(matches!(
            ChatEvent::parse(
                "clearHistory",
                Some(&json!({"chatId": "c", "forAll": "true"}))
            ),
            ChatEvent::HistoryCleared { for_all: true, .. }
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

        /// Arbitrary payloads under every push name and every reply type: never a panic.
        #[test]
        fn arbitrary_payloads_never_panic(v in crate::chat::protocol::tests::arb_json(), i in 0usize..64) {
            use crate::chat::methods::*;
            let method = EVENTS.get(i).map(|e| e.name).unwrap_or("somethingElse");
            let _ = ChatEvent::parse(method, Some(&v));
            let _ = crate::chat::types::Envelope::from_value(&v).map(|e| e.summary());
            let _ = Chats::from_payload(&v);
            let _ = History::from_payload(&v);
            let _ = Participants::from_payload(&v);
            let _ = <crate::chat::types::FileInfo as FromPayload>::from_payload(&v);
            let _ = <crate::chat::types::UploadLimits as FromPayload>::from_payload(&v);
            let _ = Posted::from_payload(&v);
        }
    }

    #[test]
    fn unknown_and_unreadable_pushes_are_kept_whole() {
        let e = ChatEvent::parse("ping", Some(&json!({"x": 1})));
        assert_eq!(
            e,
            ChatEvent::Other {
                method: "ping".into(),
                payload: json!({"x": 1})
            }
        );
        let e = ChatEvent::parse("removeChat", Some(&json!({"nope": 1})));
        assert!(matches!(e, ChatEvent::Other { .. }));
        let e = ChatEvent::parse("sendMessage", None);
        assert!(matches!(e, ChatEvent::Other { .. }));
    }
}
