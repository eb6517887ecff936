//! The store's schema and its migrations. `PRAGMA user_version` says which of [`MIGRATIONS`]
//! a database has had; opening it runs the rest, each in its own transaction, in order. A
//! migration is never edited once released: a change is a new one at the end.

use rusqlite::Connection;

/// Version 1, the first schema: chats, messages (the envelope as the server sent it, plus the
/// columns the store looks things up by), display names and a key/value table.
pub const V1: &str = "
CREATE TABLE chats (
    chat_id    TEXT PRIMARY KEY,
    json       TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE TABLE messages (
    id         INTEGER PRIMARY KEY,
    chat_id    TEXT NOT NULL,
    message_id TEXT NOT NULL,
    ts         INTEGER NOT NULL,
    author     TEXT NOT NULL,
    kind       INTEGER NOT NULL,
    body       TEXT NOT NULL,
    json       TEXT NOT NULL,
    UNIQUE (chat_id, message_id)
);
CREATE INDEX messages_by_time ON messages (chat_id, ts);
CREATE TABLE names (
    user_id TEXT PRIMARY KEY,
    name    TEXT NOT NULL
);
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

/// Version 2: full-text search over the messages' text (FTS5, kept in step by triggers, built
/// from what version 1 held), read positions, and an index by time for the age limit.
pub const V2: &str = "
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    body,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_au AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
-- Merge segments 16 at a time rather than 4: each posting is rewritten fewer times as the
-- index grows (ingest at 1M messages is twice as fast), for a few more segments to read.
INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 16);
CREATE TABLE read_positions (
    chat_id    TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    ts         INTEGER NOT NULL
);
CREATE INDEX messages_by_age ON messages (ts);
";

/// Version 3: the full-text index also indexes every word's first one, two and three letters.
/// A search's last word is taken as a prefix (so that a search can be typed); without these,
/// a short one (`th`, `the`) made FTS5 merge the postings of every word that starts so, for
/// a common one tens of milliseconds in a store of a million messages. With them such a
/// prefix is one list, read newest first as far as needed. (The index is about twice the
/// size; writing a message costs a few microseconds more.) The table is made again with the
/// option and filled from the messages; the triggers of version 2 keep it in step as before.
pub const V3: &str = "
DROP TABLE messages_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    body,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 16);
";

/// Every migration, in order: the database at version N has had the first N.
pub const MIGRATIONS: [&str; 3] = [V1, V2, V3];

/// The version this build writes.
pub const VERSION: u32 = MIGRATIONS.len() as u32;

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("the store is version {found}, newer than this build's {VERSION}")]
    Newer { found: u32 },
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
}

/// Brings the database to [`VERSION`]. Returns the version it was at.
pub fn migrate(conn: &mut Connection) -> Result<u32, SchemaError> {
    let found: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > VERSION {
        return Err(SchemaError::Newer { found });
    }
    if found == VERSION {
        return Ok(found);
    }
    // One process migrates at a time: the write lock is taken first, and the version read
    // again under it (another may have migrated meanwhile).
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let now: u32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(now as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
    }
    tx.commit()?;
    Ok(found)
}
