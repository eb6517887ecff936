//! The protocol's enumerations (docs/chat-protocol.md, Message content and Rights): values
//! unknown to this client are kept (`Unknown(n)`, `Other(name)`), never refused.

use serde::Serialize;
use serde_json::Value;

use crate::chat::lenient;

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
        lenient::role(v).ok().flatten()
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
