//! Copying a chat's history from the server into the store, page by page from the newest
//! back to the chat's start: what `chat sync` and the console's backfill (`B`) do. Each page
//! is written as a [`Write::Page`], so that it also reconciles what the store held.

use super::Write;
use crate::chat::methods::GetChatHistory;
use crate::chat::{ChatError, ChatHandle};

/// A history page as the server is asked for it.
pub const PAGE: u64 = 100;

/// Reads `chat_id` back to its start (or `max_pages` pages; 0: no bound), handing each page
/// to `write` and the messages read so far to `progress`; with `pace`, waiting for that
/// writer to commit each page before the next is asked for (so that pages do not pile up in
/// memory faster than they are written). Returns how many were read.
pub async fn chat(
    h: &ChatHandle,
    chat_id: &str,
    max_pages: usize,
    mut write: impl FnMut(Write) -> Result<(), String>,
    mut progress: impl FnMut(usize),
    pace: Option<&super::writer::StoreWriter>,
) -> Result<usize, BackfillError> {
    let mut before: Option<String> = None;
    let mut got = 0usize;
    for page_no in 1.. {
        let page = h
            .get_chat_history(GetChatHistory {
                chat_id: chat_id.to_string(),
                count: PAGE,
                from_message_id: before.clone(),
            })
            .await?
            .messages;
        let start = (page.len() as u64) < PAGE;
        let oldest = page
            .iter()
            .min_by(|a, b| {
                a.box_pos
                    .cmp(&b.box_pos)
                    .then(a.timestamp.cmp(&b.timestamp))
            })
            .map(|e| e.message_id.clone());
        got += page.len();
        write(Write::Page {
            chat_id: chat_id.to_string(),
            messages: page,
            newest: before.is_none(),
            start,
        })
        .map_err(BackfillError::Store)?;
        progress(got);
        if let Some(w) = pace {
            w.flush().await;
        }
        // A server that answers the same page again would hold us here for ever.
        let stuck = oldest.is_none() || oldest == before;
        if start || stuck || (max_pages > 0 && page_no >= max_pages) {
            break;
        }
        before = oldest;
    }
    Ok(got)
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BackfillError {
    #[error(transparent)]
    Chat(#[from] ChatError),
    #[error("the store: {0}")]
    Store(String),
}
