//! The local message store: one SQLite database per server and account, in the data dir
//! (0600), holding the chats, their messages as the server sent them (edits applied,
//! deletions removed, attachments' metadata inside), display names, read positions and
//! which chat was open, with a full-text index (FTS5) over the messages' text.
//!
//! [`Store`] is the database, used from one thread. The console writes through a
//! [`writer::StoreWriter`] (a thread of its own, batched transactions in WAL mode), so that
//! taking a message in never waits on the disk; the command line (`chat search`,
//! `chat sync`) uses a `Store` directly. See docs/store.md.

pub mod backfill;
pub mod schema;
pub mod writer;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::chat::types::{Chat, Content, Envelope};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {reason}", path.display())]
    Open { path: PathBuf, reason: String },
    #[error(transparent)]
    Schema(#[from] schema::SchemaError),
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(String),
}

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
        E::Message(e) => Write::Messages(vec![e.as_ref().clone()]),
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

/// Limits on what the store keeps (`[store]` in the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Messages older than this many days are dropped (0: kept).
    pub max_age_days: u64,
    /// The database is kept under about this many MiB by dropping the oldest messages (0: no
    /// bound).
    pub max_mb: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_age_days: 0,
            max_mb: 2048,
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    pub chat_id: String,
    pub chat_title: Option<String>,
    pub message_id: String,
    pub author: String,
    pub author_name: Option<String>,
    /// Milliseconds.
    pub timestamp: u64,
    /// The text around the match; the matched words between [`MARK_START`] and [`MARK_END`].
    pub snippet: String,
}

/// Marks around a match in [`Hit::snippet`] (characters the indexed text never holds).
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

/// What a database holds, in counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Counts {
    pub chats: u64,
    pub messages: u64,
}

/// Where the store of `account` on `server` lives under `data_dir`: `store/` and a file name
/// made of both, safe on any file system (other characters become `_`, and a hash of the
/// exact pair keeps two pairs that clean up alike apart).
pub fn path_for(data_dir: &Path, server: &str, account: &str) -> PathBuf {
    let key = format!("{account}@{server}");
    let clean: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '@' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    // FNV-1a: stable across builds and platforms (std's hasher is not).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    data_dir
        .join("store")
        .join(format!("{clean}-{:08x}.sqlite3", h as u32))
}

/// The store of the account a chat target names.
pub fn path_for_target(data_dir: &Path, t: &crate::chat::ChatTarget) -> PathBuf {
    path_for(data_dir, &format!("{}:{}", t.host, t.port), &t.username)
}

/// The text the full-text index holds for a message: what it says (a file's name, a
/// location's title…), with control characters (and so the snippet marks) taken out.
pub fn body(e: &Envelope) -> String {
    let text = match &e.content {
        // What a reader sees: HTML and Markdown read into plain text (the markup's reader is
        // a pure function of the text).
        Content::Text {
            text, parse_mode, ..
        } => crate::ui::rich::parse(text, parse_mode)
            .iter()
            .map(|runs| runs.iter().map(|r| r.text.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join(" "),
        Content::Forward(f) => body(f),
        Content::Unknown(_) => String::new(),
        c => c.summary(),
    };
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating, 0600) and migrates the store at `path`. A file that is not a database
    /// this build can use (corrupt, or not SQLite at all) is moved aside (`NAME.bad`) and a
    /// new one made; what was done is returned as a notice for the user.
    pub fn open(path: &Path) -> Result<(Store, Option<String>), StoreError> {
        if let Some(dir) = path.parent() {
            crate::dirs::create_private(dir).map_err(|e| StoreError::Open {
                path: dir.to_path_buf(),
                reason: e.to_string(),
            })?;
            if let Err(e) = crate::dirs::tighten(dir) {
                tracing::warn!("cannot make {} private (0700): {e}", dir.display());
            }
        }
        match Store::open_existing(path) {
            Ok(s) => Ok((s, None)),
            Err(StoreError::Schema(e @ schema::SchemaError::Newer { .. })) => {
                // Made by a newer build: left as it is, for that build.
                Err(StoreError::Open {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })
            }
            // Only a file SQLite says is not a database, or is damaged, is moved aside: a
            // store that is busy (another process writing), not readable by us, or on a full
            // disk is left exactly as it is.
            Err(first) if path.exists() && is_unusable(&first) => {
                let (s, notice) = Store::open_aside(path, &first.to_string())?;
                Ok((s, Some(notice)))
            }
            Err(first) => Err(first),
        }
    }

    /// Moves the file at `path` aside (`NAME.bad`), with its WAL, and starts a new store
    /// there. The notice says why and where the old one went.
    pub fn open_aside(path: &Path, why: &str) -> Result<(Store, String), StoreError> {
        let aside = crate::dirs::set_aside(path).map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            reason: format!("{why}; and it cannot be moved aside: {e}"),
        })?;
        for ext in ["-wal", "-shm"] {
            let mut side = path.as_os_str().to_owned();
            side.push(ext);
            let side = PathBuf::from(side);
            if side.exists() {
                let mut to = aside.as_os_str().to_owned();
                to.push(ext);
                if std::fs::rename(&side, PathBuf::from(to)).is_err() {
                    let _ = std::fs::remove_file(&side);
                }
            }
        }
        let s = Store::open_existing(path)?;
        let notice = format!(
            "The message store could not be read ({why}); it was moved to {} and a new one started",
            aside.display()
        );
        tracing::warn!("{notice}");
        Ok((s, notice))
    }

    /// Reads the whole file for damage (SQLite's quick check).
    pub fn check(&self) -> Result<(), StoreError> {
        let check: String = self
            .conn
            .pragma_query_value(None, "quick_check", |r| r.get(0))?;
        if check == "ok" {
            Ok(())
        } else {
            Err(StoreError::Io(format!("damaged: {check}")))
        }
    }

    pub(crate) fn open_existing(path: &Path) -> Result<Store, StoreError> {
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_NOFOLLOW,
        )
        .map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        // Ours alone, also a file made earlier with other bits (by hand, by an older build).
        private(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // A file that is not a database fails here (SQLITE_NOTADB), before anything is written.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // The (chat, message id) index takes ids in no order: with SQLite's 2 MB default
        // cache, inserts into a large store wait on the disk for every page of it.
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Checkpoints every 40 MB of WAL rather than 4: fewer, larger copies into the file.
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn)?;
        for ext in ["-wal", "-shm"] {
            let mut side = path.as_os_str().to_owned();
            side.push(ext);
            let side = PathBuf::from(side);
            if side.exists() {
                private(&side)?;
            }
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing store (the command line's search): never creates one. The notice is
    /// [`Store::open`]'s.
    pub fn open_existing_only(path: &Path) -> Result<(Store, Option<String>), StoreError> {
        if !path.exists() {
            return Err(StoreError::Open {
                path: path.to_path_buf(),
                reason: "no message store yet (run the console or `chat sync` first)".into(),
            });
        }
        Store::open(path)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Applies writes in one transaction.
    pub fn apply(&mut self, writes: &[Write]) -> Result<(), StoreError> {
        let now = crate::link::now_ms();
        // The write lock is asked for at the start, so that a busy store is waited for (up
        // to the busy timeout) rather than failing when a read turns into a write.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for w in writes {
            apply_one(&tx, w, now)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every stored chat.
    pub fn chats(&self) -> Result<Vec<Chat>, StoreError> {
        let mut st = self.conn.prepare_cached("SELECT json FROM chats")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            if let Some(c) = serde_json::from_str(&json?)
                .ok()
                .and_then(|v: serde_json::Value| Chat::from_value(&v))
            {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Up to `limit` messages of a chat older than `before` (None: the newest), oldest first.
    pub fn page(
        &self,
        chat_id: &str,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Envelope>, StoreError> {
        let limit = limit as i64;
        let rows: Vec<String> = match before {
            None => {
                let mut st = self.conn.prepare_cached(
                    "SELECT json FROM messages WHERE chat_id = ?1 ORDER BY ts DESC, id DESC LIMIT ?2",
                )?;
                st.query_map(params![chat_id, limit], |r| r.get(0))?
                    .collect::<Result<_, _>>()?
            }
            Some(id) => {
                let Some((ts, row)) = self.position(chat_id, id)? else {
                    return Ok(Vec::new());
                };
                let mut st = self.conn.prepare_cached(
                    "SELECT json FROM messages WHERE chat_id = ?1 AND (ts < ?2 OR (ts = ?2 AND id < ?3))
                     ORDER BY ts DESC, id DESC LIMIT ?4",
                )?;
                st.query_map(params![chat_id, ts, row, limit], |r| r.get(0))?
                    .collect::<Result<_, _>>()?
            }
        };
        Ok(rows.iter().rev().filter_map(|j| envelope(j)).collect())
    }

    /// `limit` messages on each side of a message (itself included), oldest first: what
    /// a search result opens on.
    pub fn around(
        &self,
        chat_id: &str,
        message_id: &str,
        limit: usize,
    ) -> Result<Vec<Envelope>, StoreError> {
        let Some((ts, row)) = self.position(chat_id, message_id)? else {
            return Ok(Vec::new());
        };
        let mut out = self.page(chat_id, Some(message_id), limit)?;
        let mut st = self.conn.prepare_cached(
            "SELECT json FROM messages WHERE chat_id = ?1 AND (ts > ?2 OR (ts = ?2 AND id >= ?3))
             ORDER BY ts, id LIMIT ?4",
        )?;
        let newer: Vec<String> = st
            .query_map(params![chat_id, ts, row, limit as i64 + 1], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        out.extend(newer.iter().filter_map(|j| envelope(j)));
        Ok(out)
    }

    fn position(&self, chat_id: &str, message_id: &str) -> Result<Option<(i64, i64)>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT ts, id FROM messages WHERE chat_id = ?1 AND message_id = ?2")?;
        Ok(st
            .query_row(params![chat_id, message_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// How many messages a chat holds in the store.
    pub fn message_count(&self, chat_id: &str) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM messages WHERE chat_id = ?1",
            [chat_id],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    pub fn counts(&self) -> Result<Counts, StoreError> {
        let chats: i64 = self
            .conn
            .query_row("SELECT count(*) FROM chats", [], |r| r.get(0))?;
        let messages: i64 = self
            .conn
            .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?;
        Ok(Counts {
            chats: chats as u64,
            messages: messages as u64,
        })
    }

    /// The oldest stored message of a chat (where a backfill goes on from).
    pub fn oldest(&self, chat_id: &str) -> Result<Option<String>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT message_id FROM messages WHERE chat_id = ?1 ORDER BY ts, id LIMIT 1",
        )?;
        Ok(st.query_row([chat_id], |r| r.get(0)).optional()?)
    }

    /// The display names stored.
    pub fn names(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT user_id, name FROM names")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The chat that was on screen last.
    pub fn last_open(&self) -> Result<Option<String>, StoreError> {
        self.meta("last_open")
    }

    /// The newest message read in a chat.
    pub fn read_position(&self, chat_id: &str) -> Result<Option<String>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT message_id FROM read_positions WHERE chat_id = ?1")?;
        Ok(st.query_row([chat_id], |r| r.get(0)).optional()?)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?;
        Ok(st.query_row([key], |r| r.get(0)).optional()?)
    }

    /// Full-text search: the best `limit` matches of every word of `query` (the last one as
    /// a prefix, so that a search can be typed), in one chat or all, best first.
    pub fn search(
        &self,
        query: &str,
        chat: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Hit>, StoreError> {
        let Some(q) = fts_query(query) else {
            return Ok(Vec::new());
        };
        // FTS5's bm25 counts every match of every word first (its IDF): for a word found in
        // a large part of a big store that alone takes a tenth of a second. So: the newest
        // RANKED + 1 matches are read (the index gives them newest first and stops there);
        // if that is all of them, bm25 ranks them; if not, the newest RANKED are ranked here
        // by the same formula, every word weighing alike.
        const RANKED: usize = 2000;
        let mut st = self.conn.prepare_cached(
            "SELECT rowid FROM messages_fts
             WHERE messages_fts MATCH ?1
               AND (?2 IS NULL OR rowid IN (SELECT id FROM messages WHERE chat_id = ?2))
             ORDER BY rowid DESC LIMIT ?3",
        )?;
        let newest: Vec<i64> = st
            .query_map(params![q, chat, RANKED as i64 + 1], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let terms = query_terms(query);
        let mut ranked: Vec<(i64, f64)> = if newest.len() <= RANKED {
            let mut st = self.conn.prepare_cached(
                "SELECT rowid, bm25(messages_fts) FROM messages_fts
                 WHERE messages_fts MATCH ?1
                   AND (?2 IS NULL OR rowid IN (SELECT id FROM messages WHERE chat_id = ?2))",
            )?;
            st.query_map(params![q, chat], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?
        } else {
            let mut body = self
                .conn
                .prepare_cached("SELECT body FROM messages WHERE id = ?1")?;
            let mut docs = Vec::with_capacity(RANKED);
            for id in newest.into_iter().take(RANKED) {
                if let Some(b) = body.query_row([id], |r| r.get::<_, String>(0)).optional()? {
                    docs.push((id, b));
                }
            }
            bm25_here(&docs, &terms)
        };
        // Best first (bm25 is lower for better), the newer first among equals.
        ranked.sort_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        ranked.truncate(limit);
        let mut row = self.conn.prepare_cached(
            "SELECT messages.chat_id, chats.json, messages.message_id, messages.author,
                    names.name, messages.ts, messages.body
             FROM messages
             LEFT JOIN chats ON chats.chat_id = messages.chat_id
             LEFT JOIN names ON names.user_id = messages.author
             WHERE messages.id = ?1",
        )?;
        let mut out = Vec::with_capacity(ranked.len());
        for (id, _) in ranked {
            let hit = row
                .query_row([id], |r| {
                    let chat_json: Option<String> = r.get(1)?;
                    Ok(Hit {
                        chat_id: r.get(0)?,
                        chat_title: chat_json
                            .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
                            .and_then(|v| Chat::from_value(&v))
                            .and_then(|c| c.title),
                        message_id: r.get(2)?,
                        author: r.get(3)?,
                        author_name: r.get(4)?,
                        timestamp: r.get::<_, i64>(5)? as u64,
                        snippet: snippet(&r.get::<_, String>(6)?, &terms),
                    })
                })
                .optional()?;
            out.extend(hit);
        }
        Ok(out)
    }

    /// Applies the limits: messages past the age limit, then the oldest until the file is
    /// under the size bound. Returns how many messages were dropped.
    pub fn prune(&mut self, limits: Limits) -> Result<u64, StoreError> {
        let mut dropped = 0u64;
        if limits.max_age_days > 0 {
            let cutoff = crate::link::now_ms()
                .saturating_sub(limits.max_age_days.saturating_mul(86_400_000));
            dropped += self
                .conn
                .execute("DELETE FROM messages WHERE ts < ?1", [cutoff as i64])?
                as u64;
        }
        if limits.max_mb > 0 {
            let bound = limits.max_mb.saturating_mul(1 << 20);
            for _ in 0..100 {
                if self.used_bytes()? <= bound {
                    break;
                }
                let n = self.conn.execute(
                    "DELETE FROM messages WHERE id IN (SELECT id FROM messages ORDER BY ts LIMIT 10000)",
                    [],
                )?;
                if n == 0 {
                    break;
                }
                dropped += n as u64;
            }
        }
        Ok(dropped)
    }

    /// The bytes the database's pages in use take.
    fn used_bytes(&self) -> Result<u64, StoreError> {
        let pages: i64 = self
            .conn
            .pragma_query_value(None, "page_count", |r| r.get(0))?;
        let free: i64 = self
            .conn
            .pragma_query_value(None, "freelist_count", |r| r.get(0))?;
        let size: i64 = self
            .conn
            .pragma_query_value(None, "page_size", |r| r.get(0))?;
        Ok(((pages - free).max(0) * size) as u64)
    }
}

/// Whether an error says the file is not a database SQLite can use (rather than busy, locked,
/// refused by the file system…).
fn is_unusable(e: &StoreError) -> bool {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    let code = match e {
        StoreError::Sql(rusqlite::Error::SqliteFailure(f, _))
        | StoreError::Schema(schema::SchemaError::Sql(rusqlite::Error::SqliteFailure(f, _))) => {
            Some(f.code)
        }
        _ => None,
    };
    matches!(code, Some(NotADatabase | DatabaseCorrupt))
}

/// Sets a file we made to 0600.
fn private(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| {
            StoreError::Open {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }
        })?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn envelope(json: &str) -> Option<Envelope> {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(Envelope::from_owned)
}

/// BM25 (k1 1.2, b 0.75) over the given messages, every word of the search weighing alike,
/// negated as FTS5 gives it (lower is better).
fn bm25_here(docs: &[(i64, String)], terms: &[String]) -> Vec<(i64, f64)> {
    use unicode_segmentation::UnicodeSegmentation;
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    let words: Vec<Vec<String>> = docs
        .iter()
        .map(|(_, b)| b.unicode_words().map(str::to_lowercase).collect())
        .collect();
    let avg =
        (words.iter().map(Vec::len).sum::<usize>() as f64 / words.len().max(1) as f64).max(1.0);
    docs.iter()
        .zip(&words)
        .map(|((id, _), w)| {
            let len = w.len() as f64;
            let score: f64 = terms
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let last = i + 1 == terms.len();
                    let tf = w
                        .iter()
                        .filter(|x| *x == t || (last && x.starts_with(t.as_str())))
                        .count() as f64;
                    tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg))
                })
                .sum();
            (*id, -score)
        })
        .collect()
}

/// The words of a search, lowercased, as the snippet marks them.
fn query_terms(query: &str) -> Vec<String> {
    query
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect()
}

/// The words around the first match in a message's text (a dozen, "…" where cut), each word
/// that matches a term of the search (the last term as a prefix) between [`MARK_START`] and
/// [`MARK_END`]. Made here rather than by FTS5's `snippet()`, which would look the match up
/// again in the index for every result (slow for a word found in many messages).
pub fn snippet(body: &str, terms: &[String]) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    const BEFORE: usize = 4;
    const WORDS: usize = 12;
    let pieces: Vec<&str> = body.split_word_bounds().collect();
    let is_word = |p: &str| p.chars().any(char::is_alphanumeric);
    let matches = |p: &str| {
        let w = p.to_lowercase();
        terms.iter().enumerate().any(|(i, t)| {
            let t = t.trim_matches(|c: char| !c.is_alphanumeric());
            !t.is_empty() && (w == t || (i + 1 == terms.len() && w.starts_with(t)))
        })
    };
    let first = pieces
        .iter()
        .position(|p| is_word(p) && matches(p))
        .unwrap_or(0);
    // Back BEFORE words from the match, then on until WORDS words are shown.
    let mut start = first;
    let mut back = 0;
    while start > 0 && back < BEFORE {
        start -= 1;
        if is_word(pieces[start]) {
            back += 1;
        }
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut shown = 0;
    let mut end = start;
    while end < pieces.len() && shown < WORDS {
        let p = pieces[end];
        if is_word(p) {
            shown += 1;
            if matches(p) {
                out.push(MARK_START);
                out.push_str(p);
                out.push(MARK_END);
            } else {
                out.push_str(p);
            }
        } else {
            out.push_str(p);
        }
        end += 1;
    }
    if end < pieces.len() {
        out.push('…');
    }
    out
}

/// A search as FTS5 reads it: every word as a quoted phrase (so that no character the user
/// types is FTS5 syntax), all of them required, the last one a prefix.
pub fn fts_query(query: &str) -> Option<String> {
    let words: Vec<String> = query
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(format!("{}*", words.join(" ")))
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

fn apply_one(tx: &rusqlite::Transaction<'_>, w: &Write, now: u64) -> Result<(), StoreError> {
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
            if let Some(mut c) = json
                .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
                .and_then(|v| Chat::from_value(&v))
            {
                c.title = Some(title.clone());
                upsert_chat(tx, &c, now)?;
            }
        }
        Write::Messages(ms) => {
            for e in ms {
                upsert_message(tx, e)?;
            }
        }
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
            // The span the page speaks for: from its oldest message (or the chat's start) to
            // its newest. What is held newer is left alone: a push that raced the page may be
            // newer than what the page was made from.
            let (from, to) = match (lo, hi) {
                (Some(lo), Some(hi)) => (if *start { 0 } else { lo }, hi),
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

#[cfg(test)]
mod tests;
