//! The composer's draft (one per chat, so switching chats or panes never loses text) and the
//! outbox: messages written but not yet confirmed by the server. Pure data; the outbox is
//! saved to the data dir by an effect after every change, so it survives a restart.

use serde::{Deserialize, Serialize};

/// A multi-line draft (one per chat), and what it will be sent as.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    pub editor: super::editor::Editor,
    /// Answering this message.
    pub reply_to: Option<String>,
    /// Replacing this message's text.
    pub edit_of: Option<String>,
    pub parse_mode: ParseMode,
}

/// How the server reads the text (docs/chat-protocol.md, Message content).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParseMode {
    #[default]
    Text,
    Markdown,
    Html,
}

impl ParseMode {
    pub fn wire(self) -> &'static str {
        match self {
            ParseMode::Text => "text",
            ParseMode::Markdown => "markdown",
            ParseMode::Html => "html",
        }
    }

    pub fn next(self) -> ParseMode {
        match self {
            ParseMode::Text => ParseMode::Markdown,
            ParseMode::Markdown => ParseMode::Html,
            ParseMode::Html => ParseMode::Text,
        }
    }

    pub fn from_wire(s: &str) -> ParseMode {
        match s {
            "markdown" => ParseMode::Markdown,
            "html" => ParseMode::Html,
            _ => ParseMode::Text,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutState {
    /// Waiting for the link.
    Pending,
    /// Handed to the link; no answer yet.
    Sending,
    /// Refused, or lost in a way that may or may not have delivered it: the user decides.
    Failed(String),
}

/// A message the user wrote that the server has not confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    pub local_id: u64,
    pub chat_id: String,
    pub text: String,
    pub parse_mode: String,
    pub reply_to: Option<String>,
    /// An edit of this message rather than a new one.
    #[serde(default)]
    pub edit_of: Option<String>,
    pub state: OutState,
}

/// How a send ended, as the effect reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Sent,
    /// Not sent (the link was down): try again when it is back.
    NotSent,
    /// Refused, or unknown: kept with the reason for the user.
    Failed(String),
}

/// The outbox file: what is still to be delivered, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OutboxFile {
    pub items: Vec<Outgoing>,
}

impl OutboxFile {
    /// Reads the outbox; anything that was being sent when the program stopped is pending
    /// again, unless it may have gone out (then it waits for the user as failed).
    pub fn load(path: &std::path::Path) -> Result<Vec<Outgoing>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let f: OutboxFile = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not an outbox file: {e}", path.display()))?;
        Ok(f.items
            .into_iter()
            .map(|mut o| {
                if o.state == OutState::Sending {
                    o.state = OutState::Failed(
                        "the program stopped while sending; it may or may not have arrived".into(),
                    );
                }
                o
            })
            .collect())
    }

    /// Writes atomically, readable by the user alone.
    pub fn save(path: &std::path::Path, items: &[Outgoing]) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(&OutboxFile {
            items: items.to_vec(),
        })
        .map_err(std::io::Error::other)?;
        crate::dirs::write_private(path, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outbox_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/outbox.json");
        let item = |id, state| Outgoing {
            local_id: id,
            chat_id: "c".into(),
            text: format!("t{id}"),
            parse_mode: "text".into(),
            reply_to: None,
            edit_of: None,
            state,
        };
        OutboxFile::save(
            &p,
            &[item(1, OutState::Pending), item(2, OutState::Sending)],
        )
        .unwrap();
        let back = OutboxFile::load(&p).unwrap();
        assert_eq!(back[0], item(1, OutState::Pending));
        assert!(matches!(back[1].state, OutState::Failed(_)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        std::fs::write(&p, "garbage").unwrap();
        assert!(
            OutboxFile::load(&p)
                .unwrap_err()
                .contains("not an outbox file")
        );
        assert_eq!(
            OutboxFile::load(&dir.path().join("none.json")).unwrap(),
            vec![]
        );
    }
}
