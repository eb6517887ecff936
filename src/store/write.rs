//! What the console writes to the store, and how each write changes it.

use rusqlite::{OptionalExtension, params};

use super::{StoreError, body, chat, envelope};
use crate::chat::types::{Chat, Content, Envelope};

/// One change to the store, as the console sees it happen.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// The whole chat list, as the server gave it: chats not in it are gone.
    Chats(Vec<Chat>),
    /// A chat created, or changed.
    Chat(Box<Chat>),
    ChatRemoved(String),
    Title {
        chat_id: String,
        title: String,
    },
    /// Messages pushed or caught up: added, or replacing what is held under their ids.
    Messages(Vec<Envelope>),
    /// One message pushed: as `Messages`, shared with the open chat rather than copied.
    Pushed(std::sync::Arc<Envelope>),
    /// A page of history as the server gave it (newest first or not): its messages replace
    /// what is held, and what is held in the span it covers but not in it was deleted on the
    /// server. `start` says the page reaches the chat's first message.
    Page {
        chat_id: String,
        messages: Vec<Envelope>,
        newest: bool,
        start: bool,
    },
    Edited {
        chat_id: String,
        message_id: String,
        text: String,
        parse_mode: String,
    },
    Removed {
        chat_id: String,
        message_id: String,
    },
    Cleared {
        chat_id: String,
    },
    Name {
        user_id: String,
        name: String,
    },
    /// The chat on screen, and the newest message read in it.
    Opened {
        chat_id: String,
        read: Option<(String, u64)>,
    },
}

impl Write {
    /// How many rows it writes, roughly (for batching and the prune cadence).
    pub fn weight(&self) -> usize {
        match self {
            Write::Chats(c) => c.len().max(1),
            Write::Messages(m) | Write::Page { messages: m, .. } => m.len().max(1),
            _ => 1,
        }
    }
}

/// What a chat event changes in the store, if anything.
pub fn write_for(ev: &crate::chat::events::ChatEvent) -> Option<Write> {
    use crate::chat::events::ChatEvent as E;
    Some(match ev {
        E::Message(e) => Write::Pushed(e.clone()),
        E::Edited {
            chat_id,
            message_id: Some(message_id),
            text,
            parse_mode,
            ..
        } => Write::Edited {
            chat_id: chat_id.clone(),
            message_id: message_id.clone(),
            text: text.clone(),
            parse_mode: parse_mode.clone(),
        },
        E::Removed {
            chat_id,
            message_id,
            ..
        } => Write::Removed {
            chat_id: chat_id.clone(),
            message_id: message_id.clone(),
        },
        E::ChatCreated { chat, .. } => Write::Chat(chat.clone()),
        E::ChatRemoved { chat_id } => Write::ChatRemoved(chat_id.clone()),
        E::TitleChanged { chat_id, title } => Write::Title {
            chat_id: chat_id.clone(),
            title: title.clone(),
        },
        E::HistoryCleared { chat_id, .. } => Write::Cleared {
            chat_id: chat_id.clone(),
        },
        _ => return None,
    })
}

fn upsert_message(tx: &rusqlite::Transaction<'_>, e: &Envelope) -> Result<(), StoreError> {
    if e.message_id.is_empty() || e.chat_id.is_empty() {
        return Ok(());
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO messages (chat_id, message_id, ts, author, kind, body, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (chat_id, message_id) DO UPDATE SET
             ts = excluded.ts, author = excluded.author, kind = excluded.kind,
             body = excluded.body, json = excluded.json",
    )?;
    st.execute(params![
        e.chat_id,
        e.message_id,
        e.timestamp as i64,
        e.author.id,
        e.kind,
        body(e),
        e.to_wire().to_string(),
    ])?;
    Ok(())
}

fn upsert_chat(tx: &rusqlite::Transaction<'_>, c: &Chat, now: u64) -> Result<(), StoreError> {
    let mut st = tx.prepare_cached(
        "INSERT INTO chats (chat_id, json, updated_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT (chat_id) DO UPDATE SET json = excluded.json, updated_ms = excluded.updated_ms",
    )?;
    st.execute(params![c.chat_id, c.to_wire().to_string(), now as i64])?;
    Ok(())
}

fn delete_chat(tx: &rusqlite::Transaction<'_>, chat_id: &str) -> Result<(), StoreError> {
    tx.execute("DELETE FROM messages WHERE chat_id = ?1", [chat_id])?;
    tx.execute("DELETE FROM chats WHERE chat_id = ?1", [chat_id])?;
    tx.execute("DELETE FROM read_positions WHERE chat_id = ?1", [chat_id])?;
    Ok(())
}

pub(super) fn apply_one(
    tx: &rusqlite::Transaction<'_>,
    w: &Write,
    now: u64,
) -> Result<(), StoreError> {
    match w {
        Write::Chats(chats) => {
            let keep: std::collections::HashSet<&str> =
                chats.iter().map(|c| c.chat_id.as_str()).collect();
            let held: Vec<String> = tx
                .prepare_cached("SELECT chat_id FROM chats")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for gone in held.iter().filter(|c| !keep.contains(c.as_str())) {
                delete_chat(tx, gone)?;
            }
            for c in chats {
                upsert_chat(tx, c, now)?;
            }
        }
        Write::Chat(c) => upsert_chat(tx, c, now)?,
        Write::ChatRemoved(id) => delete_chat(tx, id)?,
        Write::Title { chat_id, title } => {
            let json: Option<String> = tx
                .prepare_cached("SELECT json FROM chats WHERE chat_id = ?1")?
                .query_row([chat_id], |r| r.get(0))
                .optional()?;
            if let Some(mut c) = json.as_deref().and_then(chat) {
                c.title = Some(title.clone());
                upsert_chat(tx, &c, now)?;
            }
        }
        Write::Messages(ms) => {
            for e in ms {
                upsert_message(tx, e)?;
            }
        }
        Write::Pushed(e) => upsert_message(tx, e)?,
        Write::Page {
            chat_id,
            messages,
            newest,
            start,
        } => {
            let ids: std::collections::HashSet<&str> =
                messages.iter().map(|e| e.message_id.as_str()).collect();
            let lo = messages.iter().map(|e| e.timestamp).min();
            let hi = messages.iter().map(|e| e.timestamp).max();
            // The span the page speaks for: strictly between its oldest message (or from the
            // chat's start) and its newest. Its ends are left out: another message of the same
            // millisecond may belong to the next page (a server's pages cut by position, not by
            // time), and taking it for deleted would lose it. What is held newer is left
            // alone: a push that raced the page may be newer than what the page was made from.
            let (from, to) = match (lo, hi) {
                (Some(lo), Some(hi)) => (
                    if *start { 0 } else { lo.saturating_add(1) },
                    hi.saturating_sub(1),
                ),
                _ if *start && *newest => (0, i64::MAX as u64),
                _ => (1, 0),
            };
            if from <= to {
                let held: Vec<(i64, String)> = tx
                    .prepare_cached(
                        "SELECT id, message_id FROM messages WHERE chat_id = ?1 AND ts >= ?2 AND ts <= ?3",
                    )?
                    .query_map(params![chat_id, from as i64, to as i64], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })?
                    .collect::<Result<_, _>>()?;
                let mut del = tx.prepare_cached("DELETE FROM messages WHERE id = ?1")?;
                for (row, id) in held {
                    if !ids.contains(id.as_str()) {
                        del.execute([row])?;
                    }
                }
            }
            for e in messages {
                upsert_message(tx, e)?;
            }
        }
        Write::Edited {
            chat_id,
            message_id,
            text,
            parse_mode,
        } => {
            let json: Option<String> = tx
                .prepare_cached("SELECT json FROM messages WHERE chat_id = ?1 AND message_id = ?2")?
                .query_row([chat_id, message_id], |r| r.get(0))
                .optional()?;
            if let Some(mut e) = json.as_deref().and_then(envelope) {
                e.is_edited = true;
                if let Content::Text {
                    text: t,
                    parse_mode: p,
                    ..
                } = &mut e.content
                {
                    t.clone_from(text);
                    p.clone_from(parse_mode);
                }
                upsert_message(tx, &e)?;
            }
        }
        Write::Removed {
            chat_id,
            message_id,
        } => {
            tx.execute(
                "DELETE FROM messages WHERE chat_id = ?1 AND message_id = ?2",
                [chat_id, message_id],
            )?;
        }
        Write::Cleared { chat_id } => {
            tx.execute("DELETE FROM messages WHERE chat_id = ?1", [chat_id])?;
        }
        Write::Name { user_id, name } => {
            tx.prepare_cached(
                "INSERT INTO names (user_id, name) VALUES (?1, ?2)
                 ON CONFLICT (user_id) DO UPDATE SET name = excluded.name",
            )?
            .execute([user_id, name])?;
        }
        Write::Opened { chat_id, read } => {
            tx.prepare_cached(
                "INSERT INTO meta (key, value) VALUES ('last_open', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute([chat_id])?;
            if let Some((id, ts)) = read {
                tx.prepare_cached(
                    "INSERT INTO read_positions (chat_id, message_id, ts) VALUES (?1, ?2, ?3)
                     ON CONFLICT (chat_id) DO UPDATE SET message_id = excluded.message_id,
                         ts = excluded.ts WHERE excluded.ts >= read_positions.ts",
                )?
                .execute(params![chat_id, id, *ts as i64])?;
            }
        }
    }
    Ok(())
}
