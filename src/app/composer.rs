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

/// Where a message of the outbox is on its way. Messages of one chat go out one at a time,
/// in the order they were written; a message whose fate is unknown holds its chat's later ones
/// back until it is settled, so nothing is posted twice or out of order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutState {
    /// Not handed to the link yet: certainly not on the server.
    Pending,
    /// Handed to the link (saved as such before the request left); no answer yet.
    Sending,
    /// It left, and then the link dropped or the answer did not come: the server may or may
    /// not have it. It is checked against the chat's history before anything is sent again.
    Uncertain,
    /// Refused (by the server, or here before it left): not on the server. The user decides.
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
    /// When it was written (our clock, Unix milliseconds): a check for it looks at messages
    /// from then on.
    #[serde(default)]
    pub created_ms: u64,
    /// Uncertain and being checked right now. Not saved: after a restart it is checked again.
    #[serde(skip)]
    pub checking: bool,
    /// Why an uncertain message could not be checked (the server would not show the chat's
    /// history): it waits for the user to ask again.
    #[serde(default)]
    pub stuck: Option<String>,
    /// The newest message the chat held when this one was written (the server's clock), as
    /// far as the console knew: a check never takes anything older for it.
    #[serde(default)]
    pub after_ms: Option<u64>,
}

impl Outgoing {
    /// A new message for the outbox (numbered and stamped when it is put there).
    pub fn new(chat_id: String, text: String, parse_mode: &str) -> Outgoing {
        Outgoing {
            local_id: 0,
            chat_id,
            text,
            parse_mode: parse_mode.to_string(),
            reply_to: None,
            edit_of: None,
            state: OutState::Pending,
            created_ms: 0,
            checking: false,
            stuck: None,
            after_ms: None,
        }
    }
}

/// How a send ended, as the effect reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Posted (with the server's id for it, when the answer carried one).
    Sent { message_id: Option<String> },
    /// It never left (the link was down): it goes out when the link is back.
    NotSent,
    /// It left and no answer came (the link dropped, the time ran out, the answer could not
    /// be read): the server may or may not have it.
    Unknown(String),
    /// Refused: not on the server.
    Refused(String),
}

/// What checking an uncertain message found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// The server has it, with this id.
    Arrived { message_id: String },
    /// The server does not have it: it may be sent again.
    Absent,
    /// The question got no answer (the link dropped again): asked again when it is back.
    Unknown(String),
    /// The server would not show the history: it waits for the user.
    CannotCheck(String),
}

/// The ids of our messages already accounted for are kept up to this many.
pub const CLAIMED_KEPT: usize = 1000;

/// The outbox file: what is still to be delivered, in order, and the ids of the messages
/// recently confirmed (so a later identical message is never taken for one of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OutboxFile {
    pub items: Vec<Outgoing>,
    #[serde(default)]
    pub claimed: Vec<String>,
}

impl OutboxFile {
    /// Reads the outbox. A message that was being sent when the program stopped may have
    /// arrived: it is uncertain, and checked before anything is sent again.
    pub fn load(path: &std::path::Path) -> Result<OutboxFile, crate::dirs::FileError> {
        use crate::dirs::FileError;
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(OutboxFile::default()),
            Err(source) => {
                return Err(FileError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let mut f: OutboxFile = serde_json::from_str(&text).map_err(|e| FileError::Invalid {
            path: path.to_path_buf(),
            what: "an outbox file",
            reason: e.to_string(),
        })?;
        for o in &mut f.items {
            if o.state == OutState::Sending {
                o.state = OutState::Uncertain;
            }
        }
        Ok(f)
    }

    /// Writes atomically, readable by the user alone.
    pub fn save(path: &std::path::Path, file: &OutboxFile) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(file).map_err(std::io::Error::other)?;
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
            // The server takes at most MAX_TEXT characters and refuses more with a generic
            // error; plain text is counted here, before anything is sent (markup is not
            // counted by the server, so marked-up text is left to it).
            let n = d.editor.text().chars().count();
            if d.parse_mode.wire() == "text" && n > MAX_TEXT {
                m.notify(
                    NoticeLevel::Error,
                    format!(
                        "Not sent: the message has {n} characters; the server takes at most \
                         {MAX_TEXT}. Shorten it or send it in parts"
                    ),
                );
                return vec![];
            }
            // What was sent shows at the bottom: follow the newest again. Sending leaves the
            // composer, so that the next keys are commands again (an `m` meant for the
            // microphone must not land in a new draft); Enter or `i` writes again.
            if let Some(o) = m.chat.open.as_mut() {
                o.selected = None;
            }
            m.mode = Mode::Normal;
            m.ui.focus = super::Pane::History;
            let d = m.composer.drafts.entry(chat_id.clone()).or_default();
            let mut out = Outgoing::new(chat_id, d.editor.take(), d.parse_mode.wire());
            out.reply_to = d.reply_to.take();
            out.edit_of = d.edit_of.take();
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

/// The outbox file was written, or could not be: a failure is said once (and kept, so that
/// quitting asks first), a later success says the file holds the queue again.
pub(super) fn outbox_saved(m: &mut Model, result: Result<(), String>) {
    match result {
        Err(e) => {
            if m.composer.save_error.is_none() {
                m.notify(
                    NoticeLevel::Error,
                    format!("{e}: unsent messages are kept in memory only until it can be"),
                );
            }
            m.composer.save_error = Some(e);
        }
        Ok(()) => {
            if m.composer.save_error.take().is_some() {
                m.notify(NoticeLevel::Info, "The outbox is saved again");
            }
        }
    }
}

pub(super) fn save_outbox(m: &Model) -> Option<Cmd> {
    m.composer.persist.then(|| {
        Cmd::SaveOutbox(OutboxFile {
            items: m.composer.outbox.clone(),
            claimed: m.composer.claimed.clone(),
        })
    })
}

/// The most characters of text a message may have (the server refuses more).
pub const MAX_TEXT: usize = 4096;

/// Puts a message in the outbox (saved first), and sends it if the link is up and nothing
/// of its chat is ahead of it.
pub(super) fn send(m: &mut Model, mut out: super::Outgoing) -> Vec<Cmd> {
    out.local_id = m
        .composer
        .outbox
        .iter()
        .map(|o| o.local_id)
        .max()
        .unwrap_or(0)
        + 1;
    out.created_ms = crate::link::now_ms();
    out.state = OutState::Pending;
    out.after_ms = newest_known(m, &out.chat_id);
    m.composer.outbox.push(out);
    m.touch();
    // One save covers both: the message is on disk (as Sending, if it goes now) before its
    // request leaves.
    let next = advance(m);
    let mut cmds: Vec<Cmd> = save_outbox(m).into_iter().collect();
    cmds.extend(next);
    cmds
}

/// The newest message of a chat the console knows of (the open chat's newest, else the list's
/// last message), on the server's clock.
fn newest_known(m: &Model, chat_id: &str) -> Option<u64> {
    let open = m
        .chat
        .open
        .as_ref()
        .filter(|o| o.chat_id == chat_id)
        .and_then(|o| o.messages.last().map(|e| e.timestamp));
    let listed = m
        .chat
        .list
        .items
        .iter()
        .find(|c| c.id == chat_id)
        .map(|c| c.last_at)
        .filter(|t| *t > 0);
    open.max(listed)
}

/// Moves the outbox on (see [`advance`]), saved before anything leaves.
pub(super) fn flush_outbox(m: &mut Model) -> Vec<Cmd> {
    let next = advance(m);
    if next.is_empty() {
        return next;
    }
    let mut cmds: Vec<Cmd> = save_outbox(m).into_iter().collect();
    cmds.extend(next);
    cmds
}

/// Moves the outbox on, when the link is up: in each chat, the first message not refused is
/// sent if pending, checked if uncertain, and waited for if already on its way; the chat's
/// later messages wait behind it. The caller saves the outbox before running the commands,
/// so a message is on disk as Sending before its request leaves, and a crash after that
/// never sends it again unchecked.
fn advance(m: &mut Model) -> Vec<Cmd> {
    if !m.chat.link.is_up() {
        return vec![];
    }
    let mut held: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut cmds = Vec::new();
    for o in &mut m.composer.outbox {
        if held.contains(&o.chat_id) || matches!(o.state, OutState::Failed(_)) {
            continue;
        }
        held.insert(o.chat_id.clone());
        match o.state {
            OutState::Sending | OutState::Failed(_) => {}
            // Setting a message's text twice changes nothing: an edit is not checked, only
            // made again.
            OutState::Uncertain if o.edit_of.is_some() => {
                o.state = OutState::Sending;
                cmds.push(Cmd::SendChat(o.clone()));
            }
            OutState::Uncertain => {
                if !o.checking && o.stuck.is_none() {
                    o.checking = true;
                    cmds.push(Cmd::CheckSent {
                        item: o.clone(),
                        claimed: m.composer.claimed.clone(),
                    });
                }
            }
            OutState::Pending => {
                o.state = OutState::Sending;
                cmds.push(Cmd::SendChat(o.clone()));
            }
        }
    }
    if !cmds.is_empty() {
        m.touch();
    }
    cmds
}

/// A message of ours is on the server with this id: it is never taken for another.
fn claim(m: &mut Model, message_id: String) {
    m.composer.claimed.push(message_id);
    let over = m.composer.claimed.len().saturating_sub(CLAIMED_KEPT);
    m.composer.claimed.drain(..over);
}

fn position(m: &Model, local_id: u64) -> Option<usize> {
    m.composer
        .outbox
        .iter()
        .position(|o| o.local_id == local_id)
}

pub(super) fn on_sent(m: &mut Model, local_id: u64, outcome: SendOutcome) -> Vec<Cmd> {
    let Some(i) = position(m, local_id) else {
        return vec![];
    };
    let mut cmds = Vec::new();
    match outcome {
        SendOutcome::Sent { message_id } => cmds.extend(delivered(m, i, message_id)),
        SendOutcome::NotSent => m.composer.outbox[i].state = OutState::Pending,
        SendOutcome::Unknown(reason) => {
            tracing::info!("message {local_id}: fate unknown ({reason}); it will be checked");
            let o = &mut m.composer.outbox[i];
            o.state = OutState::Uncertain;
            o.checking = false;
        }
        SendOutcome::Refused(reason) => {
            m.composer.outbox[i].state = OutState::Failed(sanitize::line(&reason).into_owned());
        }
    }
    m.touch();
    // The next message of the chat (or this one again) may go now.
    let next = advance(m);
    cmds.extend(save_outbox(m));
    cmds.extend(next);
    cmds
}

pub(super) fn on_checked(m: &mut Model, local_id: u64, found: Checked) -> Vec<Cmd> {
    let Some(i) = position(m, local_id) else {
        return vec![];
    };
    let mut cmds = Vec::new();
    let o = &mut m.composer.outbox[i];
    o.checking = false;
    match found {
        Checked::Arrived { message_id } => cmds.extend(delivered(m, i, Some(message_id))),
        Checked::Absent => o.state = OutState::Pending,
        Checked::Unknown(reason) => {
            tracing::info!("message {local_id}: still unknown ({reason})");
        }
        Checked::CannotCheck(reason) => {
            o.stuck = Some(sanitize::line(&reason).into_owned());
        }
    }
    m.touch();
    let next = advance(m);
    cmds.extend(save_outbox(m));
    cmds.extend(next);
    cmds
}

/// The message at `i` is on the server: it leaves the outbox.
fn delivered(m: &mut Model, i: usize, message_id: Option<String>) -> Vec<Cmd> {
    let o = m.composer.outbox.remove(i);
    if let Some(id) = &o.edit_of {
        // Our edit does not come back to this session either: show it as sent.
        if let Some(msg) = m
            .chat
            .open
            .as_mut()
            .filter(|c| c.chat_id == o.chat_id)
            .and_then(|c| c.messages.by_id_mut(id))
        {
            msg.is_edited = true;
            msg.content = crate::chat::types::Content::Text {
                text: o.text.clone(),
                parse_mode: o.parse_mode.clone(),
                buttons: None,
            };
        }
        return vec![];
    }
    if let Some(id) = message_id {
        claim(m, id);
    }
    // Our own message does not come back to this session: read it from the server, with its
    // place in the chat.
    if m.chat.open.as_ref().is_some_and(|c| c.chat_id == o.chat_id) {
        return vec![Cmd::LoadHistory {
            chat_id: o.chat_id,
            before: None,
        }];
    }
    vec![]
}

/// `t` in a chat: its refused messages are sent again, and its uncertain ones are checked
/// again (never sent before the check says they did not arrive).
pub(super) fn retry_failed(m: &mut Model) -> Vec<Cmd> {
    let Some(chat) = m.chat.open.as_ref().map(|o| o.chat_id.clone()) else {
        return vec![];
    };
    let (mut resent, mut checked) = (0, 0);
    for o in &mut m.composer.outbox {
        if o.chat_id != chat {
            continue;
        }
        match o.state {
            OutState::Failed(_) => {
                o.state = OutState::Pending;
                resent += 1;
            }
            OutState::Uncertain if !o.checking => {
                o.stuck = None;
                checked += 1;
            }
            _ => {}
        }
    }
    let files: Vec<u64> = m
        .transfers
        .items
        .iter()
        .filter(|t| t.chat_id == chat && matches!(t.state, super::TransferState::Failed(_)))
        .map(|t| t.id)
        .collect();
    let mut restarted: Vec<Cmd> = files
        .iter()
        .filter_map(|&id| super::transfers::restart(m, id))
        .collect();
    if resent + checked == 0 && restarted.is_empty() {
        m.notify(
            NoticeLevel::Info,
            format!(
                "Nothing failed here ({} lists everything not yet sent)",
                m.ui.keys.describe(crate::keys::Action::Outbox)
            ),
        );
        return vec![];
    }
    if resent + checked == 0 {
        m.notify(
            NoticeLevel::Info,
            format!("Trying {} file(s) again", restarted.len()),
        );
        return restarted;
    }
    let mut what = Vec::new();
    if resent > 0 {
        what.push(format!("sending {resent} again"));
    }
    if checked > 0 {
        what.push(format!("checking whether {checked} arrived"));
    }
    if !restarted.is_empty() {
        what.push(format!("{} file(s) again", restarted.len()));
    }
    let link = if m.chat.link.is_up() {
        ""
    } else {
        " once the link is back"
    };
    m.notify(
        NoticeLevel::Info,
        format!("{}{link}", capitalise(&what.join("; "))),
    );
    let next = advance(m);
    let mut cmds: Vec<Cmd> = save_outbox(m).into_iter().collect();
    cmds.extend(next);
    cmds.append(&mut restarted);
    cmds
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
#[path = "composer_tests.rs"]
mod tests;
