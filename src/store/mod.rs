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
mod search;
mod write;
pub mod writer;

pub use search::{Hit, MARK_END, MARK_START, RANKED, SEARCH_HITS, fts_query, snippet};
pub use write::{Write, write_for};

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
        // SQLite's allocator, set before its first connection (crate::alloc).
        crate::alloc::sqlite();
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
            write::apply_one(&tx, w, now)?;
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
            out.extend(chat(&json?));
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

    /// Up to `limit` messages of a chat newer than `after`, oldest first (none when `after`
    /// is not stored).
    pub fn page_after(
        &self,
        chat_id: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<Envelope>, StoreError> {
        let Some((ts, row)) = self.position(chat_id, after)? else {
            return Ok(Vec::new());
        };
        let mut st = self.conn.prepare_cached(
            "SELECT json FROM messages WHERE chat_id = ?1 AND (ts > ?2 OR (ts = ?2 AND id > ?3))
             ORDER BY ts, id LIMIT ?4",
        )?;
        let rows: Vec<String> = st
            .query_map(params![chat_id, ts, row, limit as i64], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows.iter().filter_map(|j| envelope(j)).collect())
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

    /// The newest message read in each chat, by time (milliseconds).
    pub fn read_marks(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT chat_id, ts FROM read_positions")?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
        })?;
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

/// SQLite's code for a failure, where the error is one.
fn sqlite_code(e: &StoreError) -> Option<rusqlite::ErrorCode> {
    match e {
        StoreError::Sql(rusqlite::Error::SqliteFailure(f, _))
        | StoreError::Schema(schema::SchemaError::Sql(rusqlite::Error::SqliteFailure(f, _))) => {
            Some(f.code)
        }
        _ => None,
    }
}

/// Whether opening failed because another process holds the store (busy or locked past the
/// busy timeout: a migration or a long write elsewhere): worth trying again shortly.
pub(crate) fn is_busy(e: &StoreError) -> bool {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
    matches!(sqlite_code(e), Some(DatabaseBusy | DatabaseLocked))
}

/// Whether an error says the file is not a database SQLite can use (rather than busy, locked,
/// refused by the file system…).
fn is_unusable(e: &StoreError) -> bool {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    matches!(sqlite_code(e), Some(NotADatabase | DatabaseCorrupt))
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

/// A message as stored (its wire JSON); None if it cannot be read.
fn envelope(json: &str) -> Option<Envelope> {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(Envelope::from_owned)
}

/// A chat as stored (its wire JSON); None if it cannot be read.
fn chat(json: &str) -> Option<Chat> {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| Chat::from_value(&v))
}

#[cfg(test)]
mod tests;
