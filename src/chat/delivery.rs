//! Did it arrive? When the link drops (or a request times out) after a message was handed to
//! it, the server may or may not have posted it. Sending it again could post it twice; showing
//! it as "not sent" could be a lie. So the question is put to the server before anything is
//! sent again: the chat's recent history is read for our own message with the same text and
//! reply target, newer than when we first sent it, that no earlier message of ours accounts
//! for. Found: it was delivered, with that id. Not found: it was not, and may be sent again.
//!
//! The console's outbox and `chat send` both ask this way (docs/chat-protocol.md, Delivery).
//! What it cannot tell apart: the same text posted by the same account from another device
//! within the same minutes, when no message of ours accounts for it.

use super::methods::GetChatHistory;
use super::types::{Content, Envelope};
use super::{ChatError, ChatHandle};

/// How far the server's clock may lag ours: a message stamped this much before we sent it
/// still counts.
pub const CLOCK_SKEW_MS: u64 = 10 * 60 * 1000;
/// Messages read per history page while looking.
pub const PAGE: u64 = 100;
/// At most this many pages are read (a busy chat may push ours further back).
pub const MAX_PAGES: usize = 10;

/// The message whose fate is unknown.
#[derive(Debug, Clone, Copy)]
pub struct Probe<'a> {
    pub chat_id: &'a str,
    pub text: &'a str,
    pub reply_to: Option<&'a str>,
    /// When it was first handed to the link (our clock, Unix milliseconds).
    pub since_ms: u64,
    /// Ids of our messages already accounted for (sent and confirmed): never taken for it.
    pub claimed: &'a [String],
    /// The newest message's timestamp the chat held when it was sent (the server's clock),
    /// when known: nothing stamped before it can be it. Without it, the window is `since_ms`
    /// less the clock skew.
    pub after_ms: Option<u64>,
}

/// The oldest message in `page` (any order) that can be the probe's: ours (`me`), a text with
/// the same words and reply target, not claimed, and not stamped before `since_ms` minus the
/// clock skew. The oldest, because messages of one chat go out in order: an earlier unclaimed
/// copy is the earlier attempt.
pub fn find_ours<'e>(page: &'e [Envelope], me: &str, p: &Probe<'_>) -> Option<&'e Envelope> {
    let floor = p.floor();
    page.iter()
        .filter(|e| {
            e.author.id == me
                && e.timestamp >= floor
                && e.reply_message_id.as_deref() == p.reply_to
                && !p.claimed.contains(&e.message_id)
                && matches!(&e.content, Content::Text { text, .. } if same_text(text, p.text))
        })
        .min_by_key(|e| e.timestamp)
}

/// Who we are, once the link is up (waiting for the session, up to the request timeout): the
/// link may have dropped an instant before we asked, its status not yet saying so.
async fn session_me(h: &ChatHandle) -> Result<String, ChatError> {
    match h.wait_session(h.request_timeout()).await {
        Some(s) => Ok(s.me),
        None => Err(ChatError::LinkDown {
            method: "getChatHistory".into(),
            reason: format!(
                "not logged in again within {} s",
                h.request_timeout().as_secs()
            ),
        }),
    }
}

impl Probe<'_> {
    /// The oldest timestamp that can be the message's.
    fn floor(&self) -> u64 {
        self.after_ms
            .unwrap_or_else(|| self.since_ms.saturating_sub(CLOCK_SKEW_MS))
    }
}

/// A server may trim what it stores; nothing else is forgiven.
fn same_text(stored: &str, sent: &str) -> bool {
    stored == sent || stored.trim() == sent.trim()
}

/// Reads the chat's recent history for the probe's message: Some(its envelope) when the server
/// has it, None when it does not. An error when the question could not be answered (the link
/// is down again, or the server refused to show the history): the fate stays unknown.
pub async fn reconcile(h: &ChatHandle, p: &Probe<'_>) -> Result<Option<Envelope>, ChatError> {
    let me = session_me(h).await?;
    let floor = p.floor();
    let mut found: Option<Envelope> = None;
    let mut from: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = h
            .get_chat_history(GetChatHistory {
                chat_id: p.chat_id.to_string(),
                count: PAGE,
                from_message_id: from.clone(),
            })
            .await?
            .messages;
        if let Some(e) = find_ours(&page, &me, p) {
            // An older page may hold an older unclaimed copy: keep looking back.
            found = Some(e.clone());
        }
        let oldest = page.iter().min_by_key(|e| e.timestamp);
        match oldest {
            Some(o) if (page.len() as u64) >= PAGE && o.timestamp >= floor => {
                if from.as_deref() == Some(o.message_id.as_str()) {
                    break;
                }
                from = Some(o.message_id.clone());
            }
            _ => break,
        }
    }
    Ok(found)
}

/// The chat as it is before a one-off send (the command line keeps no record of what it
/// sent): the newest message's timestamp (on the server's clock: the probe's `after_ms`) and
/// our messages with the same text on that page, so a check after a cut never takes an
/// earlier identical message for this one.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub newest_ms: Option<u64>,
    pub claimed: Vec<String>,
}

pub async fn snapshot(h: &ChatHandle, chat_id: &str, text: &str) -> Result<Snapshot, ChatError> {
    let me = session_me(h).await?;
    let page = h
        .get_chat_history(GetChatHistory {
            chat_id: chat_id.to_string(),
            count: PAGE,
            from_message_id: None,
        })
        .await?
        .messages;
    Ok(Snapshot {
        newest_ms: page.iter().map(|e| e.timestamp).max(),
        claimed: page
            .into_iter()
            .filter(|e| {
                e.author.id == me
                    && matches!(&e.content, Content::Text { text: t, .. } if same_text(t, text))
            })
            .map(|e| e.message_id)
            .collect(),
    })
}

/// Whether a failed request may have been carried out (it left, and no readable answer came).
pub fn fate_unknown(e: &ChatError) -> bool {
    matches!(
        e,
        ChatError::Dropped(_)
            | ChatError::Timeout { .. }
            | ChatError::Stopped
            | ChatError::BadReply { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(id: &str, author: &str, ts: u64, text: &str, reply: Option<&str>) -> Envelope {
        serde_json::from_value(json!({
            "messageId": id, "chatId": "c", "timestamp": ts, "type": 200,
            "author": {"id": author, "type": 1},
            "replyMessageId": reply,
            "content": {"text": text, "parseMode": "text"},
        }))
        .unwrap()
    }

    fn probe<'a>(text: &'a str, claimed: &'a [String]) -> Probe<'a> {
        Probe {
            chat_id: "c",
            text,
            reply_to: None,
            since_ms: 1_780_000_000_000,
            claimed,
            after_ms: None,
        }
    }

    #[test]
    fn finds_our_unclaimed_copy_and_nothing_else() {
        let since = 1_780_000_000_000;
        let page = vec![
            env("theirs", "alice@x", since + 5, "ok", None),
            env("old", "me@x", since - CLOCK_SKEW_MS - 1, "ok", None),
            env("claimed", "me@x", since + 1, "ok", None),
            env("reply", "me@x", since + 2, "ok", Some("m1")),
            env("other", "me@x", since + 3, "okay", None),
        ];
        let claimed = vec!["claimed".to_string()];
        assert!(find_ours(&page, "me@x", &probe("ok", &claimed)).is_none());
        let mut page = page;
        page.push(env("ours", "me@x", since + 9, "ok", None));
        page.push(env("later", "me@x", since + 10, "ok", None));
        let got = find_ours(&page, "me@x", &probe("ok", &claimed)).unwrap();
        assert_eq!(got.message_id, "ours", "the oldest unclaimed copy");
        // A reply matches only with its target.
        let p = Probe {
            reply_to: Some("m1"),
            ..probe("ok", &claimed)
        };
        assert_eq!(find_ours(&page, "me@x", &p).unwrap().message_id, "reply");
        // Within the clock skew, a server clock behind ours still counts.
        let page = vec![env("skewed", "me@x", since - 5_000, "ok", None)];
        assert!(find_ours(&page, "me@x", &probe("ok", &[])).is_some());
    }
}
