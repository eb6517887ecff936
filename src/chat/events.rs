//! Server requests (docs/chat-protocol.md, Events): what the server pushes, typed.
//! Each is acknowledged by the link before it is read; a push that is unknown, or known but
//! unreadable, arrives whole as [`ChatEvent::Other`], never dropped.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::lenient;
use super::types::{Author, Chat, Envelope, Role, UploadLimits};
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

/// Every key of the pushes in docs/chat-protocol.md (Events) other than the envelope, chat and
/// limits ones, each read leniently; which ones a push needs is decided in [`ChatEvent::parse`].
/// Reads every JSON object.
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct PushWire {
    #[serde(deserialize_with = "lenient::string")]
    chat_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    message_id: Option<String>,
    /// Milliseconds, or seconds in the member pushes (docs/chat-protocol.md, Choices C21).
    #[serde(deserialize_with = "lenient::millis")]
    timestamp: Option<u64>,
    /// `editMessage`: present is enough; one that is not an object reads as `{}`.
    #[serde(deserialize_with = "lenient::object_or_blank")]
    content: Option<EditedContent>,
    #[serde(deserialize_with = "lenient::object")]
    removed_by: Option<Author>,
    #[serde(deserialize_with = "lenient::object")]
    added_by: Option<Author>,
    #[serde(deserialize_with = "lenient::string")]
    title: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    avatar_url: Option<String>,
    /// A bool or the string "true" (docs/chat-protocol.md, Choices C33).
    #[serde(deserialize_with = "lenient::flag")]
    for_all: Option<bool>,
    #[serde(deserialize_with = "lenient::string")]
    user_id: Option<String>,
    #[serde(deserialize_with = "lenient::role")]
    role: Option<Role>,
    #[serde(deserialize_with = "lenient::string")]
    file_id: Option<String>,
    #[serde(deserialize_with = "lenient::uint")]
    progress: Option<u64>,
}

/// The `content` of an `editMessage` push.
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct EditedContent {
    #[serde(deserialize_with = "lenient::string")]
    text: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    parse_mode: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ChatEvent {
    Message(std::sync::Arc<Envelope>),
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
        if method == "sendMessage" && p.is_object() {
            // The hot path: the envelope takes the payload's strings instead of copying them.
            // Every object reads as an envelope, so nothing is lost by giving the payload away.
            return match Envelope::from_owned(p) {
                Some(e) => ChatEvent::Message(std::sync::Arc::new(e)),
                None => ChatEvent::Other {
                    method: method.to_string(),
                    payload: Value::Null,
                },
            };
        }
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
        let created = |how| {
            Some(ChatEvent::ChatCreated {
                how,
                chat: Box::new(Chat::from_value(p)?),
            })
        };
        match method {
            "createP2PChat" => return created(Created::P2p),
            "createGroupChat" => return created(Created::Group),
            "createChannel" => return created(Created::Channel),
            "createFavoritesChat" => return created(Created::Favorites),
            "getFileUploadLimits" => return Some(ChatEvent::Limits(UploadLimits::from_value(p))),
            "command" => return Some(ChatEvent::Command(p.clone())),
            _ => {}
        }
        let w: PushWire = lenient::from_object(p)?;
        Some(match method {
            "editMessage" => {
                let c = w.content?;
                ChatEvent::Edited {
                    chat_id: w.chat_id.unwrap_or_default(),
                    message_id: w.message_id,
                    timestamp: w.timestamp,
                    text: c.text.unwrap_or_default(),
                    parse_mode: c.parse_mode.unwrap_or_else(|| "text".into()),
                }
            }
            "removeMessage" => ChatEvent::Removed {
                chat_id: w.chat_id.unwrap_or_default(),
                message_id: w.message_id?,
                by: w.removed_by,
            },
            "removeChat" => ChatEvent::ChatRemoved {
                chat_id: w.chat_id?,
            },
            "editChatTitle" => ChatEvent::TitleChanged {
                chat_id: w.chat_id?,
                title: w.title.unwrap_or_default(),
            },
            "editChatAvatar" => ChatEvent::AvatarChanged {
                chat_id: w.chat_id?,
                avatar_url: w.avatar_url,
            },
            "clearHistory" => ChatEvent::HistoryCleared {
                chat_id: w.chat_id?,
                for_all: w.for_all.unwrap_or(false),
            },
            "addChatParticipant" => ChatEvent::ParticipantAdded {
                chat_id: w.chat_id?,
                user_id: w.user_id?,
                by: w.added_by,
                timestamp: w.timestamp,
            },
            "removeChatParticipant" => ChatEvent::ParticipantRemoved {
                chat_id: w.chat_id?,
                user_id: w.user_id?,
                // The vendor guide's table says addedBy for this one too (docs/chat-protocol.md,
                // Choices C20).
                by: w.removed_by.or(w.added_by),
                timestamp: w.timestamp,
            },
            "changeParticipantRole" => ChatEvent::RoleChanged {
                chat_id: w.chat_id?,
                user_id: w.user_id?,
                role: w.role?,
                timestamp: w.timestamp,
            },
            "uploadFileProgress" | "uploadingProgress" => ChatEvent::Progress {
                file_id: w.file_id?,
                progress: w.progress?,
            },
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
            // The owned reading (the link's) and the borrowed one agree (compared as JSON: a
            // location may hold NaN).
            let json = |e: ChatEvent| serde_json::to_value(e).unwrap();
            proptest::prop_assert_eq!(
                json(ChatEvent::parse(method, Some(&v))),
                json(ChatEvent::parse_owned(method, Some(v.clone())))
            );
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
