//! Full-text search over the store: the query as FTS5 reads it, the ranking, the snippets.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

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
    /// The message's whole searchable text (its words, a file's name…).
    pub text: String,
}

/// A search ranks at most this many of its matches, the newest (see [`Store::search`]): no
/// more results than this come back, whatever the limit.
pub const RANKED: usize = 2000;

/// How many results the console's search over every chat shows.
pub const SEARCH_HITS: usize = 50;

/// Marks around a match in [`Hit::snippet`] (characters the indexed text never holds).
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

impl Store {
    /// Full-text search: the best `limit` matches of every word of `query` (the last one as
    /// a prefix, so that a search can be typed), in one chat or all, best first.
    pub fn search(
        &self,
        query: &str,
        chat: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Hit>, StoreError> {
        // Searched as shown: a pasted escape sequence is taken out whole, not left as a word
        // (`the\x1b[31m` searched "the" and "31m" while the screen said "the").
        let clean = crate::sanitize::line(query);
        let query = clean.as_ref();
        let Some(q) = fts_query(query) else {
            return Ok(Vec::new());
        };
        // FTS5's bm25 counts every match of every word first (its IDF): for a word found in
        // a large part of a big store that alone takes a tenth of a second. So: the newest
        // RANKED + 1 matches are read (the index gives them newest first and stops there);
        // if that is all of them, bm25 ranks them; if not, the newest RANKED are ranked here
        // by the same formula, every word weighing alike.
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
        // (rowid, score, time)
        let mut ranked: Vec<(i64, f64, i64)> = if newest.len() <= RANKED {
            let mut st = self.conn.prepare_cached(
                "SELECT messages_fts.rowid, bm25(messages_fts), messages.ts
                 FROM messages_fts JOIN messages ON messages.id = messages_fts.rowid
                 WHERE messages_fts MATCH ?1
                   AND (?2 IS NULL OR messages.chat_id = ?2)",
            )?;
            st.query_map(params![q, chat], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?
        } else {
            let mut body = self
                .conn
                .prepare_cached("SELECT body, ts FROM messages WHERE id = ?1")?;
            let mut docs = Vec::with_capacity(RANKED);
            let mut times = std::collections::HashMap::with_capacity(RANKED);
            for id in newest.into_iter().take(RANKED) {
                if let Some((b, ts)) = body
                    .query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                    .optional()?
                {
                    docs.push((id, b));
                    times.insert(id, ts);
                }
            }
            bm25_here(&docs, &terms)
                .into_iter()
                .map(|(id, score)| (id, score, times.get(&id).copied().unwrap_or(0)))
                .collect()
        };
        // Best first (bm25 is lower for better), the newer first among equals: by the time
        // they were written (a backfill stores older messages after newer ones), then as
        // stored.
        ranked.sort_by(|a, b| a.1.total_cmp(&b.1).then(b.2.cmp(&a.2)).then(b.0.cmp(&a.0)));
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
        for (id, _, _) in ranked {
            let hit = row
                .query_row([id], |r| {
                    let chat_json: Option<String> = r.get(1)?;
                    let body: String = r.get(6)?;
                    Ok(Hit {
                        chat_id: r.get(0)?,
                        chat_title: chat_json
                            .as_deref()
                            .and_then(super::chat)
                            .and_then(|c| c.title),
                        message_id: r.get(2)?,
                        author: r.get(3)?,
                        author_name: r.get(4)?,
                        timestamp: r.get::<_, i64>(5)? as u64,
                        snippet: snippet(&body, &terms),
                        text: body,
                    })
                })
                .optional()?;
            out.extend(hit);
        }
        Ok(out)
    }
}

/// BM25 (k1 1.2, b 0.75) over the given messages, every word of the search weighing alike,
/// negated as FTS5 gives it (lower is better).
fn bm25_here(docs: &[(i64, String)], terms: &[String]) -> Vec<(i64, f64)> {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    let words: Vec<Vec<String>> = docs
        .iter()
        .map(|(_, b)| index_words(b).map(str::to_lowercase).collect())
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

/// At most this many words of a search are used (a pasted page would otherwise make a query
/// whose cost grows with the square of its words).
pub const MAX_WORDS: usize = 16;

/// The words of a search as typed: separated by spaces or control characters, each holding a
/// letter or a digit, a word given twice taken once (ignoring case), at most [`MAX_WORDS`].
fn search_words(query: &str) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    query
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .filter(|w| seen.insert(w.to_lowercase()))
        .take(MAX_WORDS)
        .collect()
}

/// A text's words as FTS5's `unicode61` tokenizer reads them: runs of letters and digits (a
/// run of Chinese or Japanese is one word). The ranking and the snippets read them so.
fn index_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// The words of a search, lowercased, as the snippet marks them.
fn query_terms(query: &str) -> Vec<String> {
    search_words(query)
        .into_iter()
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
///
/// Words are runs of letters and digits, as FTS5's `unicode61` tokenizer reads them (so a run
/// of Chinese or Japanese is one word, as it is in the index, and a match inside it is found).
/// At most [`LEAD`] characters come before the first match: a long word before it cannot push
/// the match past the end of the row it is shown in.
pub fn snippet(body: &str, terms: &[String]) -> String {
    const BEFORE: usize = 4;
    const WORDS: usize = 12;
    const LEAD: usize = 30;
    // The text as words and what lies between them, in order.
    let mut pieces: Vec<(&str, bool)> = Vec::new();
    let mut start = 0;
    let mut in_word = None;
    for (i, c) in body.char_indices() {
        let w = c.is_alphanumeric();
        if in_word != Some(w) {
            if i > start {
                pieces.push((&body[start..i], in_word == Some(true)));
            }
            start = i;
            in_word = Some(w);
        }
    }
    if start < body.len() {
        pieces.push((&body[start..], in_word == Some(true)));
    }
    let terms: Vec<&str> = terms
        .iter()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    let matches = |p: &str| {
        let w = p.to_lowercase();
        terms
            .iter()
            .enumerate()
            .any(|(i, t)| !t.is_empty() && (w == *t || (i + 1 == terms.len() && w.starts_with(t))))
    };
    let first = pieces
        .iter()
        .position(|&(p, word)| word && matches(p))
        .unwrap_or(0);
    // Back BEFORE words from the match, then on until WORDS words are shown.
    let mut from = first;
    let mut back = 0;
    while from > 0 && back < BEFORE {
        from -= 1;
        if pieces[from].1 {
            back += 1;
        }
    }
    let mut lead = String::new();
    for &(p, _) in &pieces[from..first] {
        lead.push_str(p);
    }
    let mut out = String::new();
    let lead_chars = lead.chars().count();
    if lead_chars > LEAD {
        out.push('…');
        out.extend(lead.chars().skip(lead_chars - LEAD));
    } else {
        if from > 0 {
            out.push('…');
        }
        out.push_str(&lead);
    }
    // The words before the match count among the WORDS shown.
    let mut shown = back;
    let mut end = first;
    while end < pieces.len() && shown < WORDS {
        let (p, word) = pieces[end];
        if word {
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
    let words: Vec<String> = search_words(query)
        .into_iter()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(format!("{}*", words.join(" ")))
}
