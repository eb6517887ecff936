//! The one line editor: every text input of the console (the composer, the explorer's JSON
//! editor, the call prompt, the pickers' filters, the path and title prompts) is an
//! [`Editor`], so the same keys do the same things everywhere. It moves and deletes by
//! grapheme cluster (an emoji with its modifiers, a letter with its combining accents), never
//! by byte or `char`.
//!
//! The editing keys are listed once, in [`KEYS`]; the help overlay reads that table.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_segmentation::UnicodeSegmentation;

/// Text with a cursor. The cursor is a byte offset that always sits on a grapheme boundary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Editor {
    text: String,
    cursor: usize,
}

/// What a key did to an editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text or the cursor changed.
    Changed,
    /// An editing key with nothing to do (Backspace at the start, Up on the first line).
    Unchanged,
    /// Not an editing key: the caller decides (Enter, Esc, Tab, bound keys).
    NotMine,
}

/// Single-line inputs take no newlines; multi-line ones (the composer, the explorer) do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// The editing keys, as the help overlay lists them (one table, used by every input).
pub const KEYS: &[(&str, &str)] = &[
    (
        "← → Home End",
        "move by character / to the line's start or end",
    ),
    ("Ctrl-← Ctrl-→", "move by word (also Alt-B / Alt-F)"),
    ("Ctrl-A Ctrl-E", "start / end of the line"),
    ("Backspace Delete", "delete before / under the cursor"),
    ("Ctrl-W", "delete back to the previous space"),
    (
        "Alt-Backspace Alt-D",
        "delete the word before / after the cursor",
    ),
    ("Ctrl-U Ctrl-K", "delete to the line's start / end"),
    ("↑ ↓", "between lines (composer, explorer)"),
];

impl Editor {
    pub fn new(text: &str) -> Editor {
        let mut e = Editor::default();
        e.insert(text);
        e
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor as a byte offset into [`Editor::text`].
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Puts the cursor at byte `at` (moved back to a grapheme boundary).
    pub fn set_cursor(&mut self, at: usize) {
        let at = at.min(self.text.len());
        self.cursor = self
            .text
            .grapheme_indices(true)
            .map(|(i, _)| i)
            .take_while(|i| *i <= at)
            .last()
            .unwrap_or(0);
        if at == self.text.len() {
            self.cursor = at;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// Replaces the text, cursor at its end.
    pub fn set(&mut self, text: &str) {
        self.clear();
        self.insert(text);
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// Takes the text out (for sending), leaving the editor empty.
    pub fn take(&mut self) -> String {
        self.cursor = 0;
        std::mem::take(&mut self.text)
    }

    /// Inserts typed or pasted text at the cursor. CRLF, lone CR and Unicode's line and
    /// paragraph separators become newlines; other control characters, bidirectional controls
    /// and annotation marks are dropped (what the screen shows is what is sent).
    pub fn insert(&mut self, s: &str) {
        let clean: String = s
            .replace("\r\n", "\n")
            .replace(['\r', '\u{2028}', '\u{2029}'], "\n")
            .chars()
            .filter(|c| *c == '\n' || *c == '\t' || !crate::sanitize::needs_cleaning(*c))
            .collect();
        self.text.insert_str(self.cursor, &clean);
        self.cursor += clean.len();
    }

    /// Inserts text with its newlines turned into spaces and its tabs kept out (a path, a
    /// title, a filter: one line).
    pub fn insert_line(&mut self, s: &str) {
        let one: String = s
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .filter(|c| !c.is_control())
            .collect();
        self.insert(&one);
    }

    fn prev_boundary(&self, from: usize) -> usize {
        self.text[..from]
            .grapheme_indices(true)
            .next_back()
            .map(|(i, _)| i)
            .unwrap_or(0)
    }

    fn next_boundary(&self, from: usize) -> usize {
        self.text[from..]
            .graphemes(true)
            .next()
            .map(|g| from + g.len())
            .unwrap_or(from)
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0)
    }

    fn line_end(&self, at: usize) -> usize {
        self.text[at..]
            .find('\n')
            .map(|i| at + i)
            .unwrap_or(self.text.len())
    }

    /// The start of the word before `at` (skipping the blanks just before it). A newline just
    /// before the cursor counts as a word of its own.
    fn word_back(&self, at: usize) -> usize {
        let mut i = at;
        let graphemes: Vec<(usize, &str)> = self.text[..at].grapheme_indices(true).collect();
        let mut k = graphemes.len();
        let blank = |g: &str| g.chars().all(|c| c.is_whitespace() && c != '\n');
        while k > 0 && blank(graphemes[k - 1].1) {
            k -= 1;
            i = graphemes[k].0;
        }
        if k > 0 && graphemes[k - 1].1 == "\n" {
            return if i == at { graphemes[k - 1].0 } else { i };
        }
        while k > 0 && !graphemes[k - 1].1.chars().all(char::is_whitespace) {
            k -= 1;
            i = graphemes[k].0;
        }
        i
    }

    /// The start of the word (letters and digits) before `at`, skipping what is not one: how
    /// Alt-B and Alt-Backspace see words, so they stop at `/`, `@` and `.`.
    fn alnum_back(&self, at: usize) -> usize {
        let word = |g: &str| g.chars().any(char::is_alphanumeric);
        let graphemes: Vec<(usize, &str)> = self.text[..at].grapheme_indices(true).collect();
        let mut k = graphemes.len();
        while k > 0 && !word(graphemes[k - 1].1) {
            k -= 1;
        }
        while k > 0 && word(graphemes[k - 1].1) {
            k -= 1;
        }
        graphemes.get(k).map_or(at, |g| g.0)
    }

    /// The end of the word (letters and digits) after `at` (Alt-F, Alt-D).
    fn alnum_forward(&self, at: usize) -> usize {
        let word = |g: &str| g.chars().any(char::is_alphanumeric);
        let mut i = at;
        let mut it = self.text[at..].graphemes(true).peekable();
        while let Some(g) = it.next_if(|g| !word(g)) {
            i += g.len();
        }
        while let Some(g) = it.next_if(|g| word(g)) {
            i += g.len();
        }
        i
    }

    fn delete_range(&mut self, a: usize, b: usize) -> Edit {
        if a == b {
            return Edit::Unchanged;
        }
        self.text.replace_range(a..b, "");
        self.cursor = a;
        Edit::Changed
    }

    fn move_to(&mut self, at: usize) -> Edit {
        if at == self.cursor {
            return Edit::Unchanged;
        }
        self.cursor = at;
        Edit::Changed
    }

    pub fn backspace(&mut self) -> Edit {
        self.delete_range(self.prev_boundary(self.cursor), self.cursor)
    }

    pub fn delete(&mut self) -> Edit {
        self.delete_range(self.cursor, self.next_boundary(self.cursor))
    }

    pub fn left(&mut self) -> Edit {
        self.move_to(self.prev_boundary(self.cursor))
    }

    pub fn right(&mut self) -> Edit {
        self.move_to(self.next_boundary(self.cursor))
    }

    /// To the start / end of the current line.
    pub fn home(&mut self) -> Edit {
        self.move_to(self.line_start(self.cursor))
    }

    pub fn end(&mut self) -> Edit {
        self.move_to(self.line_end(self.cursor))
    }

    pub fn word_left(&mut self) -> Edit {
        self.move_to(self.alnum_back(self.cursor))
    }

    pub fn word_right(&mut self) -> Edit {
        self.move_to(self.alnum_forward(self.cursor))
    }

    /// Deletes back to the previous blank (the word and the blanks after it), as Ctrl-W does
    /// in a shell.
    pub fn delete_word(&mut self) -> Edit {
        self.delete_range(self.word_back(self.cursor), self.cursor)
    }

    /// Deletes the word (letters and digits) before the cursor, as Alt-Backspace does.
    pub fn delete_alnum_word(&mut self) -> Edit {
        self.delete_range(self.alnum_back(self.cursor), self.cursor)
    }

    /// Deletes the word after the cursor (Alt-D).
    pub fn delete_word_forward(&mut self) -> Edit {
        self.delete_range(self.cursor, self.alnum_forward(self.cursor))
    }

    /// Deletes from the start of the line to the cursor (Ctrl-U).
    pub fn delete_to_line_start(&mut self) -> Edit {
        self.delete_range(self.line_start(self.cursor), self.cursor)
    }

    /// Deletes from the cursor to the end of the line (Ctrl-K).
    pub fn delete_to_line_end(&mut self) -> Edit {
        self.delete_range(self.cursor, self.line_end(self.cursor))
    }

    /// The cursor's column on its line, in graphemes.
    fn column(&self) -> usize {
        self.text[self.line_start(self.cursor)..self.cursor]
            .graphemes(true)
            .count()
    }

    /// The byte offset `col` graphemes into the line starting at `start` (or its end).
    fn at_column(&self, start: usize, col: usize) -> usize {
        let end = self.line_end(start);
        self.text[start..end]
            .grapheme_indices(true)
            .nth(col)
            .map(|(i, _)| start + i)
            .unwrap_or(end)
    }

    /// To the same column of the previous line (or its end, if shorter); Unchanged on the
    /// first line.
    pub fn up(&mut self) -> Edit {
        let start = self.line_start(self.cursor);
        if start == 0 {
            return Edit::Unchanged;
        }
        let col = self.column();
        let prev = self.line_start(start - 1);
        self.move_to(self.at_column(prev, col))
    }

    /// To the same column of the next line (or its end); Unchanged on the last.
    pub fn down(&mut self) -> Edit {
        let end = self.line_end(self.cursor);
        if end == self.text.len() {
            return Edit::Unchanged;
        }
        let col = self.column();
        self.move_to(self.at_column(end + 1, col))
    }

    /// Applies an editing key. Enter, Esc, Tab and keys with meanings of their own are
    /// [`Edit::NotMine`]; so are Up and Down in a single-line input.
    pub fn key(&mut self, k: &KeyEvent, lines: Lines) -> Edit {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let alt = k.modifiers.contains(KeyModifiers::ALT);
        match k.code {
            KeyCode::Left if ctrl || alt => self.word_left(),
            KeyCode::Right if ctrl || alt => self.word_right(),
            KeyCode::Left => self.left(),
            KeyCode::Right => self.right(),
            KeyCode::Home => self.home(),
            KeyCode::End => self.end(),
            KeyCode::Up if lines == Lines::Many => self.up(),
            KeyCode::Down if lines == Lines::Many => self.down(),
            KeyCode::Backspace if alt || ctrl => self.delete_alnum_word(),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(),
            KeyCode::Char(c) if ctrl => match c.to_ascii_lowercase() {
                'a' => self.home(),
                'e' => self.end(),
                'w' => self.delete_word(),
                'u' => self.delete_to_line_start(),
                'k' => self.delete_to_line_end(),
                'b' => self.left(),
                'f' => self.right(),
                'h' => self.backspace(),
                'd' => self.delete(),
                _ => Edit::NotMine,
            },
            KeyCode::Char(c) if alt => match c {
                'b' | 'B' => self.word_left(),
                'f' | 'F' => self.word_right(),
                'd' | 'D' => self.delete_word_forward(),
                _ => Edit::NotMine,
            },
            KeyCode::Char(c) => {
                self.insert(c.encode_utf8(&mut [0u8; 4]));
                Edit::Changed
            }
            _ => Edit::NotMine,
        }
    }
}

#[cfg(test)]
#[path = "editor_tests.rs"]
mod tests;
