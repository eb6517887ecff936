//! The composer's draft (one per chat, so switching chats or panes never loses text) and the
//! outbox: messages written but not yet confirmed by the server. Pure data; the outbox is
//! saved to the data dir by an effect after every change, so it survives a restart.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};

use super::{Cmd, Mode, Model, NoticeLevel};
use crate::sanitize;

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
    pub fn load(path: &std::path::Path) -> Result<Vec<Outgoing>, crate::dirs::FileError> {
        use crate::dirs::FileError;
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(FileError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let f: OutboxFile = serde_json::from_str(&text).map_err(|e| FileError::Invalid {
            path: path.to_path_buf(),
            what: "an outbox file",
            reason: e.to_string(),
        })?;
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

/// The composer's own keys (the editing keys are [`super::EDITING_KEYS`]), as the help
/// lists them.
pub const COMPOSER_KEYS: &[(&str, &str)] = &[
    ("Enter", "send"),
    ("Alt-Enter", "new line (Shift-Enter in some terminals)"),
    ("Ctrl-P", "format: text, markdown, html"),
    ("Backspace", "in an empty draft: drop the reply or edit"),
    ("Esc", "leave the composer; the draft stays"),
];

/// Keys while writing: editing keys edit the draft of the open chat; Enter sends, Alt-Enter
/// (or Shift-Enter) starts a new line, Esc leaves the composer and keeps the draft.
pub(super) fn on_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    let Some(chat_id) = m.chat.open.as_ref().map(|o| o.chat_id.clone()) else {
        m.mode = Mode::Normal;
        m.touch();
        return vec![];
    };
    let d = m.composer.drafts.entry(chat_id.clone()).or_default();
    let alt_or_shift = k
        .modifiers
        .intersects(KeyModifiers::ALT | KeyModifiers::SHIFT);
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match k.code {
        KeyCode::Esc => m.mode = Mode::Normal,
        KeyCode::Enter if alt_or_shift => d.editor.insert("\n"),
        KeyCode::Enter => {
            if d.editor.is_blank() {
                return vec![];
            }
            // What was sent shows at the bottom: follow the newest again.
            if let Some(o) = m.chat.open.as_mut() {
                o.selected = None;
            }
            let d = m.composer.drafts.entry(chat_id.clone()).or_default();
            let out = super::Outgoing {
                local_id: 0,
                chat_id,
                parse_mode: d.parse_mode.wire().into(),
                reply_to: d.reply_to.take(),
                edit_of: d.edit_of.take(),
                text: d.editor.take(),
                state: super::OutState::Pending,
            };
            return send(m, out);
        }
        // Ctrl-P: how the server reads the text (text, markdown, html).
        KeyCode::Char('p') if ctrl => d.parse_mode = d.parse_mode.next(),
        // Backspace in an empty draft drops the reply or edit it was for.
        KeyCode::Backspace if d.editor.is_empty() => {
            if d.reply_to.take().is_none() && d.edit_of.take().is_none() {
                return vec![];
            }
        }
        KeyCode::Tab => d.editor.insert("\t"),
        _ => match d.editor.key(k, super::Lines::Many) {
            super::Edit::Changed => {}
            super::Edit::Unchanged | super::Edit::NotMine => return vec![],
        },
    }
    m.touch();
    vec![]
}

pub(super) fn save_outbox(m: &Model) -> Option<Cmd> {
    m.composer
        .persist
        .then(|| Cmd::SaveOutbox(m.composer.outbox.clone()))
}

/// Puts a message in the outbox (saved first), and sends it if the link is up.
fn send(m: &mut Model, mut out: super::Outgoing) -> Vec<Cmd> {
    out.local_id = m
        .composer
        .outbox
        .iter()
        .map(|o| o.local_id)
        .max()
        .unwrap_or(0)
        + 1;
    m.composer.outbox.push(out);
    m.touch();
    let mut cmds: Vec<Cmd> = save_outbox(m).into_iter().collect();
    cmds.extend(flush_outbox(m));
    cmds
}

/// Hands every pending message to the link, when it is up.
pub(super) fn flush_outbox(m: &mut Model) -> Vec<Cmd> {
    if !m.chat.link.is_up() {
        return vec![];
    }
    let mut cmds = Vec::new();
    for o in &mut m.composer.outbox {
        if o.state == super::OutState::Pending {
            o.state = super::OutState::Sending;
            cmds.push(Cmd::SendChat(o.clone()));
        }
    }
    cmds
}

pub(super) fn on_sent(m: &mut Model, local_id: u64, outcome: super::SendOutcome) -> Vec<Cmd> {
    let Some(i) = m
        .composer
        .outbox
        .iter()
        .position(|o| o.local_id == local_id)
    else {
        return vec![];
    };
    let mut cmds = Vec::new();
    match outcome {
        super::SendOutcome::Sent => {
            let o = m.composer.outbox.remove(i);
            if let Some(id) = &o.edit_of {
                // Our edit does not come back to this session either: show it as sent.
                if let Some(msg) = m
                    .chat
                    .open
                    .as_mut()
                    .filter(|c| c.chat_id == o.chat_id)
                    .and_then(|c| c.messages.iter_mut().find(|e| &e.message_id == id))
                {
                    msg.is_edited = true;
                    msg.content = crate::chat::types::Content::Text {
                        text: o.text.clone(),
                        parse_mode: o.parse_mode.clone(),
                        buttons: None,
                    };
                }
                m.touch();
                cmds.extend(save_outbox(m));
                return cmds;
            }
            // Our own message does not come back to this session: read it from the server,
            // with its place in the chat.
            if m.chat.open.as_ref().is_some_and(|c| c.chat_id == o.chat_id) {
                cmds.push(Cmd::LoadHistory {
                    chat_id: o.chat_id,
                    before: None,
                });
            }
        }
        super::SendOutcome::NotSent => {
            m.composer.outbox[i].state = super::OutState::Pending;
            // The link may be back already.
            cmds.extend(flush_outbox(m));
        }
        super::SendOutcome::Failed(reason) => {
            m.composer.outbox[i].state =
                super::OutState::Failed(sanitize::line(&reason).into_owned());
        }
    }
    m.touch();
    cmds.extend(save_outbox(m));
    cmds
}

/// The failed messages of the open chat go back to pending (and out, if the link is up).
pub(super) fn retry_failed(m: &mut Model) -> Vec<Cmd> {
    let Some(chat) = m.chat.open.as_ref().map(|o| o.chat_id.clone()) else {
        return vec![];
    };
    let mut n = 0;
    for o in &mut m.composer.outbox {
        if o.chat_id == chat && matches!(o.state, super::OutState::Failed(_)) {
            o.state = super::OutState::Pending;
            n += 1;
        }
    }
    if n == 0 {
        m.notify(NoticeLevel::Info, "No failed messages here".to_string());
        return vec![];
    }
    m.touch();
    let mut cmds = flush_outbox(m);
    cmds.extend(save_outbox(m));
    cmds
}

#[cfg(test)]
#[path = "composer_tests.rs"]
mod tests;
