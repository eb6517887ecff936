//! The demo world: one TrueConf Server and its users, shared by both simulators.

use std::time::Duration;

use serde::Deserialize;

/// The world `simulate` and `--demo` load unless given another file.
pub const DEMO_WORLD: &str = include_str!("../../assets/demo-world.toml");

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    pub server: String,
    #[serde(rename = "user")]
    pub users: Vec<User>,
    /// The chats the chat simulator starts with.
    #[serde(default, rename = "chat")]
    pub chats: Vec<ChatSeed>,
}

/// What a user does in chats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OnChat {
    /// Answers every message sent to them (p2p, and groups they are in).
    Reply,
    #[default]
    Silent,
}

/// A chat of the demo world.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatSeed {
    /// "p2p", "group", "channel" or "favorites".
    pub kind: String,
    #[serde(default)]
    pub title: Option<String>,
    /// The owner (group, channel, favorites); the first member of a p2p chat.
    pub owner: String,
    /// The other members (role `user`; `writers` in a channel get `writer`).
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub writers: Vec<String>,
    /// Admins (role `admin`).
    #[serde(default)]
    pub admins: Vec<String>,
    /// How many messages of generated history.
    #[serde(default)]
    pub history: usize,
    /// How many of the last messages are unread for each member who did not write them.
    #[serde(default)]
    pub unread: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnCall {
    Answer,
    Reject,
    Ignore,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub id: String,
    pub name: String,
    /// Defaults to the id (demo only).
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default = "default_on_call")]
    pub call: OnCall,
    #[serde(default = "default_answer_ms")]
    pub answer_after_ms: u64,
    #[serde(default = "default_reject_ms")]
    pub reject_after_ms: u64,
    /// What the user does with chat messages sent to them.
    #[serde(default)]
    pub chat: OnChat,
}

fn default_on_call() -> OnCall {
    OnCall::Ignore
}

fn default_answer_ms() -> u64 {
    2000
}

fn default_reject_ms() -> u64 {
    1000
}

impl User {
    /// A user who ignores calls and chats (a Room's own account, say); the password is the id.
    pub fn quiet(id: &str, name: &str) -> User {
        User {
            id: id.to_string(),
            name: name.to_string(),
            password: None,
            call: default_on_call(),
            answer_after_ms: default_answer_ms(),
            reject_after_ms: default_reject_ms(),
            chat: OnChat::default(),
        }
    }

    pub fn password(&self) -> &str {
        self.password.as_deref().unwrap_or(&self.id)
    }
    pub fn answer_after(&self) -> Duration {
        Duration::from_millis(self.answer_after_ms)
    }
    pub fn reject_after(&self) -> Duration {
        Duration::from_millis(self.reject_after_ms)
    }
}

impl World {
    pub fn demo() -> World {
        World::parse(DEMO_WORLD).expect("the embedded demo world parses")
    }

    pub fn parse(text: &str) -> Result<World, super::SimError> {
        toml::from_str(text).map_err(|e| super::SimError::World(e.to_string()))
    }

    /// Finds a user by `alice`, `alice@server` or `alice@server/instance` (case-insensitive).
    pub fn user(&self, id: &str) -> Option<&User> {
        let id = id.split('/').next().unwrap_or(id);
        let (short, server) = match id.split_once('@') {
            Some((s, srv)) => (s, Some(srv)),
            None => (id, None),
        };
        if server.is_some_and(|s| !s.eq_ignore_ascii_case(&self.server)) {
            return None;
        }
        self.users.iter().find(|u| u.id.eq_ignore_ascii_case(short))
    }

    /// `alice@video.example.com`
    pub fn full_id(&self, user: &User) -> String {
        format!("{}@{}", user.id, self.server)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_world_resolves_short_and_full_ids() {
        let w = World::demo();
        assert_eq!(w.server, "video.example.com");
        for id in [
            "alice",
            "Alice@video.example.com",
            "alice@video.example.com/ab12",
        ] {
            assert_eq!(
                w.user(id).map(|u| u.name.as_str()),
                Some("Alice Johnson"),
                "{id}"
            );
        }
        assert_eq!(w.user("alice@elsewhere.com"), None);
        assert_eq!(w.user("zed"), None);
        assert_eq!(w.user("bob").unwrap().call, OnCall::Reject);
        assert_eq!(w.user("carol").unwrap().password(), "carol");
    }
}
