//! `chat send`, exactly once: a send cut by a drop is checked against the chat's history
//! (`chat::delivery`) before it is sent again, and the exit code says what is known.

use std::time::Duration;

use super::chat::Failure;
use crate::chat::methods::{Posted, SendMessage, text_content};
use crate::chat::{self as chat, ChatError, ChatHandle};
use crate::link::LinkStatus;
use crate::sanitize::line;

/// `chat send`'s exit code when it cannot be known whether the message arrived: it left, the
/// link dropped before the answer, and the server could not be asked afterwards.
pub const EXIT_UNKNOWN: u8 = 3;
/// How many times `chat send` sends a message the server shows it does not have.
const SEND_ATTEMPTS: u32 = 3;

/// Sends a message exactly once: when the link drops (or the answer does not come) after it
/// left, the command waits for the link, asks the server whether the message arrived
/// ([`chat::delivery`]), and sends it again only if it did not. Exit 0 sent, 1 refused (or
/// shown absent after every attempt), [`EXIT_UNKNOWN`] when the question could not be put.
pub async fn deliver(
    h: &ChatHandle,
    chat_id: &str,
    text: &str,
    reply: Option<&str>,
    mode: &str,
    timeout: Duration,
) -> Result<Posted, Failure> {
    use chat::delivery::{Probe, fate_unknown, reconcile, snapshot};
    let unknown = |why: &str| {
        Failure(
            format!("not known whether the message arrived: {}", line(why)),
            EXIT_UNKNOWN,
        )
    };
    // What the chat holds now (its newest message, our identical ones there) is never taken
    // for this one.
    let mut tries = 0;
    let before = loop {
        match snapshot(h, chat_id, text).await {
            Ok(c) => break c,
            Err(e) if tries < SEND_ATTEMPTS && fate_unknown(&e) => {
                tries += 1;
                let _ = h.wait_status(timeout, LinkStatus::is_up).await;
            }
            Err(e) => return Err(e.into()),
        }
    };
    let since_ms = crate::link::now_ms();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let e = match h
            .send_message(SendMessage {
                chat_id: chat_id.to_string(),
                reply_message_id: reply.map(str::to_string),
                content: text_content(text, mode),
            })
            .await
        {
            Ok(p) => return Ok(p),
            Err(e) if fate_unknown(&e) => e,
            Err(e) => return Err(e.into()),
        };
        let why = e.to_string();
        tracing::info!("sendMessage: {why}; asking the server whether it arrived");
        let probe = Probe {
            chat_id,
            text,
            reply_to: reply,
            since_ms,
            claimed: &before.claimed,
            after_ms: before.newest_ms,
        };
        // Ask, reconnecting as needed, until the server answers the question.
        let found = loop {
            if h.wait_status(timeout, LinkStatus::is_up).await.is_err() {
                return Err(unknown(&format!(
                    "{why}; the server could not be reached again"
                )));
            }
            match reconcile(h, &probe).await {
                Ok(found) => break found,
                Err(e) if fate_unknown(&e) || matches!(e, ChatError::LinkDown { .. }) => {
                    if attempt >= SEND_ATTEMPTS {
                        return Err(unknown(&format!("{why}; then {e}")));
                    }
                    attempt += 1;
                }
                Err(e) => return Err(unknown(&format!("{why}; checking failed: {e}"))),
            }
        };
        match found {
            Some(e) => {
                return Ok(Posted {
                    chat_id: Some(chat_id.to_string()),
                    message_id: Some(e.message_id),
                    timestamp: Some(e.timestamp),
                    file_id: None,
                    caption_message_id: None,
                });
            }
            None if attempt >= SEND_ATTEMPTS => {
                return Err(Failure(
                    format!("not sent: {} (the server does not have it)", line(&why)),
                    1,
                ));
            }
            None => tracing::info!("the server does not have it: sending again"),
        }
    }
}

#[cfg(test)]
#[path = "send_tests.rs"]
mod tests;
