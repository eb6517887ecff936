//! The one filterable picker: a query typed in an [`Editor`] narrows a list of
//! [`Candidate`]s, ranked by how well they match; arrows move the highlight. The chat-list
//! filter, the call prompt, the forward target and the explorer's method list are all this
//! picker, so the same keys do the same things in each.
//!
//! Each candidate's search text is lowercased once, when the candidate is made, never per key.

use std::borrow::Borrow;

use crossterm::event::{KeyCode, KeyEvent};

use super::editor::{Edit, Editor, Lines};

/// One thing to pick: its id and its search text (lowercased once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    /// Matched by substring or by letters in order.
    key: String,
    /// Matched by substring only (ids: "al" must not find every `@video.example.com`).
    exact: String,
}

/// The texts lowercased and joined by a separator no query contains, so a match never spans
/// two texts.
fn joined(texts: &[&str]) -> String {
    let mut key = String::new();
    for t in texts {
        if !key.is_empty() {
            key.push('\u{1f}');
        }
        key.push_str(&t.to_lowercase());
    }
    key
}

impl Candidate {
    /// A candidate found by any of `texts` (a title, a display name…).
    pub fn new(id: impl Into<String>, texts: &[&str]) -> Candidate {
        Candidate::with_exact(id, texts, &[])
    }

    /// A candidate found by `texts`, or by a substring of `exact` (an id behind a name).
    pub fn with_exact(id: impl Into<String>, texts: &[&str], exact: &[&str]) -> Candidate {
        Candidate {
            id: id.into(),
            key: joined(texts),
            exact: joined(exact),
        }
    }
}

/// How well `q` (lowercased, blanks removed) matches a search text: lower is better.
/// `None`: the query's characters do not all appear in order.
///
/// Classes, best first: the text (or one of its words) starts with the query; the query is a
/// substring; its characters appear in order. Within a class, an earlier match ranks first.
fn score(q: &[char], qs: &str, c: &Candidate) -> Option<(u8, usize)> {
    if q.is_empty() {
        return Some((0, 0));
    }
    let found = [substring(qs, &c.key), substring(qs, &c.exact)]
        .into_iter()
        .flatten()
        .min();
    found.or_else(|| in_order(q, &c.key))
}

/// Where `qs` stands in `key`: class 0 at a word's start, else 1.
fn substring(qs: &str, key: &str) -> Option<(u8, usize)> {
    if let Some(at) = key.find(qs) {
        let word_start = key[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if word_start {
            return Some((0, at));
        }
        // A later occurrence may start a word.
        let later = key.match_indices(qs).find(|(i, _)| {
            key[..*i]
                .chars()
                .next_back()
                .is_some_and(|c| !c.is_alphanumeric())
        });
        return Some(match later {
            Some((i, _)) => (0, i),
            None => (1, at),
        });
    }
    None
}

/// The query's letters in order, within one of the texts: class 2.
fn in_order(q: &[char], key: &str) -> Option<(u8, usize)> {
    let mut offset = 0;
    for part in key.split('\u{1f}') {
        let mut it = q.iter().peekable();
        let mut first = None;
        for (i, c) in part.char_indices() {
            if it.peek() == Some(&&c) {
                first.get_or_insert(offset + i);
                it.next();
                if it.peek().is_none() {
                    return Some((2, first.unwrap_or(0)));
                }
            }
        }
        offset += part.len() + '\u{1f}'.len_utf8();
    }
    None
}

/// The query as matched: lowercased, blanks removed.
fn normalise(query: &str) -> Vec<char> {
    query
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The indices of the candidates matching `query`, best first; equal matches keep the
/// candidates' order (an empty query keeps them all, in order).
pub fn rank<C: Borrow<Candidate>>(query: &str, cands: &[C]) -> Vec<usize> {
    rank_among(query, cands, 0..cands.len())
}

/// [`rank`] over the candidates at `among` only.
fn rank_among<C: Borrow<Candidate>>(
    query: &str,
    cands: &[C],
    among: impl Iterator<Item = usize>,
) -> Vec<usize> {
    let q = normalise(query);
    let qs: String = q.iter().collect();
    let mut hits: Vec<(u8, usize, usize)> = among
        .filter_map(|i| score(&q, &qs, cands[i].borrow()).map(|(class, at)| (class, at, i)))
        .collect();
    hits.sort_by_key(|&(class, at, i)| (class, at, i));
    hits.into_iter().map(|(_, _, i)| i).collect()
}

/// The last ranking of a picker over a list that does not change while it is open: the query
/// it was for and the matches, best first. A query that extends it (typing on) can only match
/// a subset of those, so only they are scored again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Memo {
    query: String,
    n: usize,
    hits: Vec<usize>,
}

/// What a key did in a picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// The query or the highlight changed.
    Changed,
    /// A picker key with nothing to do.
    Unchanged,
    /// Enter: the caller takes the highlighted candidate (or the query).
    Enter,
    /// Esc: the caller closes the picker (or clears the query).
    Esc,
    /// Not a picker key (Tab, bound keys): the caller decides.
    NotMine,
}

/// A query with the editing keys of every input. The highlight is the caller's (an id
/// kept where the list lives), so a list that changes under the picker keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Picker {
    pub query: Editor,
    /// Show the matches in the list's own order (a list drawn in groups, like the explorer's)
    /// rather than best first; typing still highlights the best match.
    pub keep_order: bool,
    /// Over a list that stays as it was while the picker is open (the call prompt's address
    /// book): the rankings of the query as it was typed, each extending the one before (a
    /// frame reads the last; typing on narrows it; Backspace goes back to the one before).
    memo: Vec<Memo>,
    frozen: bool,
}

impl Picker {
    /// A picker whose matches keep the list's order (see [`Picker::keep_order`]).
    pub fn in_list_order() -> Picker {
        Picker {
            keep_order: true,
            ..Picker::default()
        }
    }

    /// A picker over a list that does not change while it is open (see [`Picker::frozen`]'s
    /// field): its ranking is kept between keys and frames.
    pub fn frozen() -> Picker {
        Picker {
            frozen: true,
            ..Picker::default()
        }
    }

    /// The indices of the matching candidates, in the order they are shown.
    pub fn matches<C: Borrow<Candidate>>(&self, cands: &[C]) -> Vec<usize> {
        let mut hits = match self.memo_for(cands) {
            Some(m) => m.hits.clone(),
            None => rank(self.query.text(), cands),
        };
        if self.keep_order {
            hits.sort_unstable();
        }
        hits
    }

    /// The matches best first, from the kept ranking when it is for this query (no copy).
    pub fn ranked<'a, C: Borrow<Candidate>>(
        &'a self,
        cands: &[C],
    ) -> std::borrow::Cow<'a, [usize]> {
        match self.memo_for(cands) {
            Some(m) => std::borrow::Cow::Borrowed(&m.hits),
            None => std::borrow::Cow::Owned(rank(self.query.text(), cands)),
        }
    }

    fn memo_for<C>(&self, cands: &[C]) -> Option<&Memo> {
        self.memo
            .last()
            .filter(|m| m.query == self.query.text() && m.n == cands.len())
    }

    /// Ranks again after the query changed; over a frozen list, a query that extends the last
    /// one is scored among the last matches only.
    fn rerank<C: Borrow<Candidate>>(&mut self, cands: &[C]) -> Vec<usize> {
        let query = self.query.text().to_string();
        if !self.frozen {
            return rank(&query, cands);
        }
        // Keep the rankings of the queries this one extends (Backspace finds its own there).
        let q = normalise(&query);
        self.memo
            .retain(|m| m.n == cands.len() && q.starts_with(&normalise(&m.query)));
        if let Some(m) = self.memo.last()
            && m.query == query
        {
            return m.hits.clone();
        }
        let hits = match self.memo.last() {
            Some(m) => rank_among(&query, cands, m.hits.iter().copied()),
            None => rank(&query, cands),
        };
        // Bounded: a pasted essay keeps only its last rankings.
        if self.memo.len() >= 64 {
            self.memo.remove(0);
        }
        self.memo.push(Memo {
            query,
            n: cands.len(),
            hits: hits.clone(),
        });
        hits
    }

    /// Applies a key: editing keys change the query (the best match is then highlighted, or
    /// nothing when none matches); Up/Down/PgUp/PgDn move among the matches.
    pub fn key<C: Borrow<Candidate>>(
        &mut self,
        k: &KeyEvent,
        cands: &[C],
        selected: &mut Option<String>,
    ) -> Pick {
        let step = match k.code {
            KeyCode::Enter => return Pick::Enter,
            KeyCode::Esc => return Pick::Esc,
            KeyCode::Up => -1,
            KeyCode::Down => 1,
            KeyCode::PageUp => -10,
            KeyCode::PageDown => 10,
            _ => {
                return match self.query.key(k, Lines::One) {
                    Edit::Changed => {
                        *selected = self
                            .rerank(cands)
                            .first()
                            .map(|&i| cands[i].borrow().id.clone());
                        Pick::Changed
                    }
                    Edit::Unchanged => Pick::Unchanged,
                    Edit::NotMine => Pick::NotMine,
                };
            }
        };
        let ids: Vec<&str> = self
            .matches(cands)
            .into_iter()
            .map(|i| cands[i].borrow().id.as_str())
            .collect();
        let Some(last) = ids.len().checked_sub(1) else {
            return Pick::Unchanged;
        };
        let at = selected
            .as_deref()
            .and_then(|s| ids.iter().position(|x| *x == s));
        let next = match at {
            Some(i) => (i as isize + step).clamp(0, last as isize) as usize,
            None => 0,
        };
        if at == Some(next) {
            return Pick::Unchanged;
        }
        *selected = Some(ids[next].to_string());
        Pick::Changed
    }

    /// Pasted text, on one line; the best match is highlighted.
    pub fn paste<C: Borrow<Candidate>>(
        &mut self,
        text: &str,
        cands: &[C],
        selected: &mut Option<String>,
    ) {
        self.query.insert_line(text);
        *selected = self
            .rerank(cands)
            .first()
            .map(|&i| cands[i].borrow().id.clone());
    }

    pub fn is_empty(&self) -> bool {
        self.query.is_empty()
    }
}

#[cfg(test)]
#[path = "picker_tests.rs"]
mod tests;
