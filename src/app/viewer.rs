//! A read-only view of text lines: wrapped to a width, scrolled by a row offset that is always
//! clamped to the content, searched with `/` (matches highlighted, `n`/`N` between them), with a
//! position indicator ("12–30 of 84"). Pure data, with no idea what it shows: the explorer's reply
//! uses it, and anything else that shows a long text to read (a traffic log, the help, a message
//! log) can. The owner routes keys to [`Viewer::key`] and tells it its size with
//! [`Viewer::set_size`]; `ui/viewer.rs` draws it.
//!
//! The lines must already be inert (`sanitize::line`): the viewer only measures and cuts them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::editor::{Edit, Editor, Lines};

/// How a line is meant to look; the view maps it to the theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Plain,
    Dim,
    Heading,
    Good,
    Warn,
    Error,
}

/// One line of text (no newline in it) and its tone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewLine {
    pub text: String,
    pub tone: Tone,
    /// The first `key` bytes are a key's name, drawn as keys are (a help line).
    pub key: usize,
}

impl ViewLine {
    pub fn new(text: impl Into<String>, tone: Tone) -> ViewLine {
        ViewLine {
            text: text.into(),
            tone,
            key: 0,
        }
    }

    /// A help line: a key (padded to a column) and what it does.
    pub fn keyed(key: &str, what: &str) -> ViewLine {
        let head = format!("  {key:<20}");
        ViewLine {
            key: head.len(),
            text: format!("{head}{what}"),
            tone: Tone::Plain,
        }
    }

    pub fn plain(text: impl Into<String>) -> ViewLine {
        ViewLine::new(text, Tone::Plain)
    }
}

/// A screen row: the byte range `start..end` of line `line` that fits the width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub start: usize,
    pub end: usize,
}

/// Where the search query was found: a byte range of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub line: usize,
    pub start: usize,
    pub end: usize,
}

/// The search: the query being typed after `/`, the last query run and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Search {
    /// Some while the query is being typed.
    pub typing: Option<Editor>,
    pub query: String,
    /// In reading order.
    pub matches: Vec<Match>,
    /// The match last moved to (an index into `matches`).
    pub current: Option<usize>,
}

/// What a key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewKey {
    /// The viewer used it (even if nothing moved: the top is the top).
    Handled,
    /// Not a viewer key (Esc, Tab, Enter…): the owner decides.
    NotMine,
}

/// The viewer's keys, as a help line can list them.
pub const KEYS: &[(&str, &str)] = &[
    ("↑ ↓ (k j)", "a line up / down"),
    ("PgUp PgDn", "a page up / down"),
    ("Ctrl-U Ctrl-D", "half a page up / down"),
    ("Home End (g G)", "the top / the end"),
    ("/", "new search (Enter on none ends it)"),
    ("n N", "next / previous match"),
];

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Viewer {
    lines: Vec<ViewLine>,
    rows: Vec<Row>,
    /// Columns the rows are cut to (0: not known yet; nothing is cut).
    width: usize,
    /// Rows shown at once (0: not known yet; counted as one).
    height: usize,
    /// The first row shown.
    top: usize,
    search: Search,
}

impl Viewer {
    pub fn new(lines: Vec<ViewLine>) -> Viewer {
        let mut v = Viewer::default();
        v.set_lines(lines);
        v
    }

    /// Replaces the text, keeping the top row where it was (clamped) and the search, run again.
    pub fn set_lines(&mut self, lines: Vec<ViewLine>) {
        let anchor = self.anchor();
        self.lines = lines;
        self.rewrap(anchor);
        if !self.search.query.is_empty() {
            let current = self.search.current;
            self.search.matches = find_all(&self.lines, &self.search.query);
            self.search.current = current
                .filter(|&c| c < self.search.matches.len())
                .or_else(|| (!self.search.matches.is_empty()).then_some(0));
        }
    }

    /// The space the view has. A new width wraps the lines again, keeping the line at the top.
    pub fn set_size(&mut self, width: usize, height: usize) {
        if width != self.width {
            let anchor = self.anchor();
            self.width = width;
            self.rewrap(anchor);
        }
        self.height = height;
        self.clamp();
    }

    pub fn lines(&self) -> &[ViewLine] {
        &self.lines
    }

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    pub fn top(&self) -> usize {
        self.top
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn width(&self) -> usize {
        self.width
    }

    /// The rows on screen.
    pub fn visible(&self) -> &[Row] {
        let end = (self.top + self.page()).min(self.rows.len());
        &self.rows[self.top.min(end)..end]
    }

    /// A row's text.
    pub fn text(&self, r: &Row) -> &str {
        self.lines
            .get(r.line)
            .and_then(|l| l.text.get(r.start..r.end))
            .unwrap_or("")
    }

    pub fn tone(&self, r: &Row) -> Tone {
        self.lines.get(r.line).map(|l| l.tone).unwrap_or_default()
    }

    pub fn search(&self) -> &Search {
        &self.search
    }

    /// The query being typed after `/`, if it is (for a paste).
    pub fn search_input_mut(&mut self) -> Option<&mut Editor> {
        self.search.typing.as_mut()
    }

    /// Rows shown at once (at least one).
    fn page(&self) -> usize {
        self.height.max(1)
    }

    fn max_top(&self) -> usize {
        self.rows.len().saturating_sub(self.page())
    }

    fn clamp(&mut self) {
        self.top = self.top.min(self.max_top());
    }

    /// Whether the last row is on screen.
    pub fn at_end(&self) -> bool {
        self.top >= self.max_top()
    }

    /// Moves the view by `delta` rows (negative: up), clamped. The mouse wheel's entry.
    pub fn scroll_by(&mut self, delta: isize) {
        self.top = self.top.saturating_add_signed(delta);
        self.clamp();
    }

    pub fn scroll_to_top(&mut self) {
        self.top = 0;
    }

    pub fn scroll_to_end(&mut self) {
        self.top = self.max_top();
    }

    /// "12–30 of 84": the rows shown and how many there are.
    pub fn position(&self) -> String {
        let total = self.rows.len();
        if self.lines.is_empty() {
            return "empty".into();
        }
        let last = (self.top + self.page()).min(total);
        format!("{}–{last} of {total}", self.top + 1)
    }

    /// What the last search found: "match 2 of 5", "no match for “x”"; None without a search.
    pub fn search_status(&self) -> Option<String> {
        let s = &self.search;
        if s.query.is_empty() {
            return None;
        }
        Some(match (s.current, s.matches.len()) {
            // The query may have been pasted: inert like any text on screen.
            (_, 0) => format!("no match for “{}”", crate::sanitize::line(&s.query)),
            (Some(c), n) => format!("match {} of {n}", c + 1),
            (None, n) => format!("{n} matches"),
        })
    }

    /// The parts of a row that match the search, as byte ranges of the row's text, and
    /// whether each is the current match.
    pub fn highlights(&self, r: &Row) -> Vec<(usize, usize, bool)> {
        let ms = &self.search.matches;
        let from = ms.partition_point(|m| m.line < r.line);
        ms[from..]
            .iter()
            .enumerate()
            .take_while(|(_, m)| m.line == r.line)
            .filter(|(_, m)| m.start < r.end && m.end > r.start)
            .map(|(i, m)| {
                (
                    m.start.max(r.start) - r.start,
                    m.end.min(r.end) - r.start,
                    self.search.current == Some(from + i),
                )
            })
            .collect()
    }

    /// A key: scrolling, or the search. Keys while the query is typed all go to it.
    pub fn key(&mut self, k: &KeyEvent) -> ViewKey {
        if let Some(q) = self.search.typing.as_mut() {
            match k.code {
                KeyCode::Enter => {
                    let query = q.text().to_string();
                    self.search.typing = None;
                    self.find(&query);
                }
                KeyCode::Esc => self.search.typing = None,
                _ => {
                    // Everything else edits the query (or does nothing): the search is modal.
                    let _: Edit = q.key(k, Lines::One);
                }
            }
            return ViewKey::Handled;
        }
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let alt = k.modifiers.contains(KeyModifiers::ALT);
        if alt {
            return ViewKey::NotMine;
        }
        let page = self.page().saturating_sub(1).max(1) as isize;
        let half = (self.page() / 2).max(1) as isize;
        match k.code {
            KeyCode::Char('u') if ctrl => self.scroll_by(-half),
            KeyCode::Char('d') if ctrl => self.scroll_by(half),
            _ if ctrl => return ViewKey::NotMine,
            KeyCode::Up | KeyCode::Char('k') => self.scroll_by(-1),
            KeyCode::Down | KeyCode::Char('j') => self.scroll_by(1),
            KeyCode::PageUp => self.scroll_by(-page),
            KeyCode::PageDown => self.scroll_by(page),
            KeyCode::Home | KeyCode::Char('g') => self.scroll_to_top(),
            KeyCode::End | KeyCode::Char('G') => self.scroll_to_end(),
            // A new query, as less starts one (the last one stays until Enter replaces it;
            // Enter on nothing drops the search).
            KeyCode::Char('/') => self.search.typing = Some(Editor::new("")),
            KeyCode::Char('n') => self.next_match(1),
            KeyCode::Char('N') => self.next_match(-1),
            _ => return ViewKey::NotMine,
        }
        ViewKey::Handled
    }

    /// Runs a search: every match is found, and the view moves to the first at or below the
    /// top row (from the start again when there is none below). An empty query drops the search.
    pub fn find(&mut self, query: &str) {
        self.search.query = query.to_string();
        self.search.matches = if query.is_empty() {
            Vec::new()
        } else {
            find_all(&self.lines, query)
        };
        let top = self.rows.get(self.top).copied();
        let first = top
            .and_then(|t| {
                self.search
                    .matches
                    .iter()
                    .position(|m| (m.line, m.start) >= (t.line, t.start))
            })
            .or_else(|| (!self.search.matches.is_empty()).then_some(0));
        self.search.current = first;
        self.reveal();
    }

    /// To the next (1) or previous (-1) match, round the end.
    pub fn next_match(&mut self, dir: isize) {
        let n = self.search.matches.len();
        if n == 0 {
            return;
        }
        let next = match self.search.current {
            Some(c) => (c as isize + dir).rem_euclid(n as isize) as usize,
            None if dir < 0 => n - 1,
            None => 0,
        };
        self.search.current = Some(next);
        self.reveal();
    }

    /// Scrolls so the current match is on screen (a third of the way down when it was not).
    fn reveal(&mut self) {
        let Some(m) = self.search.current.and_then(|c| self.search.matches.get(c)) else {
            return;
        };
        let row = row_of(&self.rows, m.line, m.start);
        if row < self.top || row >= self.top + self.page() {
            self.top = row.saturating_sub(self.page() / 3);
            self.clamp();
        }
    }

    /// The line at the top and how far into it, to come back to after a rewrap.
    fn anchor(&self) -> (usize, usize) {
        self.rows
            .get(self.top)
            .map(|r| (r.line, r.start))
            .unwrap_or((0, 0))
    }

    fn rewrap(&mut self, (line, start): (usize, usize)) {
        self.rows.clear();
        for (i, l) in self.lines.iter().enumerate() {
            wrap_line(&l.text, self.width, hang(l, self.width), i, &mut self.rows);
        }
        self.top = row_of(&self.rows, line, start);
        self.clamp();
    }
}

/// The row that shows byte `at` of line `line`.
fn row_of(rows: &[Row], line: usize, at: usize) -> usize {
    rows.partition_point(|r| (r.line, r.start) <= (line, at))
        .saturating_sub(1)
}

/// The columns a keyed line's continuation rows are indented by, to stand under its text
/// rather than under its key (none when that would leave them too narrow).
pub fn hang(l: &ViewLine, w: usize) -> usize {
    let cols = l.text.get(..l.key).map_or(0, UnicodeWidthStr::width);
    if cols > 0 && cols <= w / 2 { cols } else { 0 }
}

/// Cuts a line into rows of at most `w` columns, after a space when there is one far enough
/// along, else anywhere; the rows after the first are `hang` columns narrower (drawn indented
/// by as much). A zero width cuts nothing.
fn wrap_line(text: &str, w: usize, hang: usize, line: usize, out: &mut Vec<Row>) {
    let mut start = 0;
    let mut col = 0;
    let full = w;
    let mut w = w;
    // The byte after the last space of this row, and the column there.
    let mut space: Option<(usize, usize)> = None;
    if w > 0 {
        for (i, c) in text.char_indices() {
            let cw = c.width().unwrap_or(0);
            if col + cw > w && i > start {
                let (end, used) = match space {
                    Some((at, at_col)) if at_col > w / 3 => (at, at_col),
                    _ => (i, col),
                };
                out.push(Row { line, start, end });
                start = end;
                col -= used;
                space = None;
                w = full.saturating_sub(hang).max(1);
            }
            col += cw;
            if c == ' ' {
                space = Some((i + 1, col));
            }
        }
    }
    out.push(Row {
        line,
        start,
        end: text.len(),
    });
}

/// Every match of `query` in the lines, in reading order, not overlapping. Case is ignored
/// unless the query has a capital letter in it.
fn find_all(lines: &[ViewLine], query: &str) -> Vec<Match> {
    let exact = query.chars().any(char::is_uppercase);
    let fold = |c: char| {
        if exact {
            c
        } else {
            c.to_lowercase().next().unwrap_or(c)
        }
    };
    let q: Vec<char> = query.chars().map(fold).collect();
    let mut out = Vec::new();
    if q.is_empty() {
        return out;
    }
    for (n, l) in lines.iter().enumerate() {
        let chars: Vec<(usize, char)> = l.text.char_indices().collect();
        let mut i = 0;
        while i + q.len() <= chars.len() {
            if chars[i..i + q.len()]
                .iter()
                .zip(&q)
                .all(|(&(_, c), &w)| fold(c) == w)
            {
                let end = chars.get(i + q.len()).map_or(l.text.len(), |&(at, _)| at);
                out.push(Match {
                    line: n,
                    start: chars[i].0,
                    end,
                });
                i += q.len();
            } else {
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "viewer_tests.rs"]
mod tests;
