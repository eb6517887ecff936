//! What the console tells the desktop and the clipboard through the terminal (crate::osc):
//! a notification for an incoming call, a mention, a new message in a chat not on screen; a
//! copy of a message or a frame. Each is `[ui]`'s to turn off.

use super::{Cmd, Model, NoticeLevel};

/// Notifications of new messages come at most this often (a busy chat is one notification,
/// not a storm); a call's always comes.
const MESSAGES_EVERY_MS: u64 = 3_000;

/// A desktop notification, if they are on.
pub(super) fn notify(m: &Model, title: &str, body: &str) -> Option<Cmd> {
    let flavour = m.ui.term.notify?;
    Some(Cmd::Terminal(crate::osc::notify(flavour, title, body)))
}

/// A notification for a new message, at most one each [`MESSAGES_EVERY_MS`].
pub(super) fn message(m: &mut Model, title: &str, body: &str) -> Option<Cmd> {
    m.ui.term.notify?;
    let now = m.ui.now_ms;
    if m.chat
        .notified_ms
        .is_some_and(|t| now.saturating_sub(t) < MESSAGES_EVERY_MS)
    {
        return None;
    }
    m.chat.notified_ms = Some(now);
    notify(m, title, body)
}

/// `text` to the clipboard (`what` says what it was, for the notice), if copying is on.
pub(super) fn copy(m: &mut Model, text: &str, what: &str) -> Vec<Cmd> {
    if !m.ui.term.copy {
        m.notify(
            NoticeLevel::Info,
            "Copying is off ([ui] copy = false in the config)",
        );
        return vec![];
    }
    if text.is_empty() {
        m.notify(
            NoticeLevel::Info,
            format!("Nothing to copy: the {what} is empty"),
        );
        return vec![];
    }
    let n = text.chars().count();
    let cut = if text.len() > crate::osc::MAX_COPY {
        " (cut to what a terminal takes)"
    } else {
        ""
    };
    m.notify(
        NoticeLevel::Info,
        format!("Copied the {what} ({n} characters){cut} to the clipboard, through the terminal"),
    );
    vec![Cmd::Terminal(crate::osc::copy(text))]
}
