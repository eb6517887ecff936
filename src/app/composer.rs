//! The composer's draft (one per chat, so switching chats or panes never loses text) and the
//! outbox: messages written but not yet confirmed by the server. Pure data; the outbox is
//! saved to the data dir by an effect after every change, so it survives a restart.

use serde::{Deserialize, Serialize};

/// A multi-line draft with a cursor (a char index), and what it will be sent as.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    pub text: String,
    pub cursor: usize,
    /// Answering this message.
    pub reply_to: Option<String>,
    /// Replacing this message's text.
    pub edit_of: Option<String>,
    pub parse_mode: ParseMode,
}

/// How the server reads the text (chatbot-api.md §3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParseMode {
    #[default]
    Text,
    Markdown,
    Html,
}

impl ParseMode {
    pub fn wire(self) -> &'static str {
        match self {
            ParseMode::Text => "text",
            ParseMode::Markdown => "markdown",
            ParseMode::Html => "html",
        }
    }

    pub fn next(self) -> ParseMode {
        match self {
            ParseMode::Text => ParseMode::Markdown,
            ParseMode::Markdown => ParseMode::Html,
            ParseMode::Html => ParseMode::Text,
        }
    }

    pub fn from_wire(s: &str) -> ParseMode {
        match s {
            "markdown" => ParseMode::Markdown,
            "html" => ParseMode::Html,
            _ => ParseMode::Text,
        }
    }
}

impl Draft {
    fn byte(&self, char_idx: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_idx)
            .map(|(b, _)| b)
            .unwrap_or(self.text.len())
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn insert(&mut self, s: &str) {
        // Pasted CRLF and lone CR become newlines; other controls are dropped.
        let clean: String = s
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .chars()
            .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
            .collect();
        let at = self.byte(self.cursor);
        self.text.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    pub fn backspace(&mut self) {
        if self.cursor == 0 {
            return;
        }
        let at = self.byte(self.cursor - 1);
        self.text.remove(at);
        self.cursor -= 1;
    }

    pub fn delete(&mut self) {
        if self.cursor < self.len() {
            let at = self.byte(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len());
    }

    /// To the start / end of the current line.
    pub fn home(&mut self) {
        let before: Vec<char> = self.text.chars().take(self.cursor).collect();
        let line_start = before.iter().rposition(|c| *c == '\n').map(|i| i + 1);
        self.cursor = line_start.unwrap_or(0);
    }

    pub fn end(&mut self) {
        let rest = self.text.chars().skip(self.cursor).position(|c| c == '\n');
        self.cursor = match rest {
            Some(n) => self.cursor + n,
            None => self.len(),
        };
    }

    /// (line start, column) of the cursor, in chars.
    fn line_col(&self) -> (usize, usize) {
        let before: Vec<char> = self.text.chars().take(self.cursor).collect();
        let start = before
            .iter()
            .rposition(|c| *c == '\n')
            .map(|i| i + 1)
            .unwrap_or(0);
        (start, self.cursor - start)
    }

    /// To the same column of the previous line (or its end, if shorter); false on the first.
    pub fn up(&mut self) -> bool {
        let (start, col) = self.line_col();
        if start == 0 {
            return false;
        }
        let chars: Vec<char> = self.text.chars().collect();
        let prev_start = chars[..start - 1]
            .iter()
            .rposition(|c| *c == '\n')
            .map(|i| i + 1)
            .unwrap_or(0);
        let prev_len = start - 1 - prev_start;
        self.cursor = prev_start + col.min(prev_len);
        true
    }

    /// To the same column of the next line (or its end); false on the last.
    pub fn down(&mut self) -> bool {
        let (_, col) = self.line_col();
        let chars: Vec<char> = self.text.chars().collect();
        let Some(nl) = chars[self.cursor..].iter().position(|c| *c == '\n') else {
            return false;
        };
        let next_start = self.cursor + nl + 1;
        let next_len = chars[next_start..]
            .iter()
            .position(|c| *c == '\n')
            .unwrap_or(chars.len() - next_start);
        self.cursor = next_start + col.min(next_len);
        true
    }

    /// Deletes the word before the cursor (and the spaces after it), as Ctrl-W does in a shell.
    pub fn delete_word(&mut self) {
        let chars: Vec<char> = self.text.chars().collect();
        let mut i = self.cursor;
        while i > 0 && chars[i - 1].is_whitespace() && chars[i - 1] != '\n' {
            i -= 1;
        }
        while i > 0 && !chars[i - 1].is_whitespace() {
            i -= 1;
        }
        if i == self.cursor && i > 0 {
            i -= 1; // a lone newline
        }
        let (a, b) = (self.byte(i), self.byte(self.cursor));
        self.text.replace_range(a..b, "");
        self.cursor = i;
    }

    /// Deletes from the start of the line to the cursor (Ctrl-U).
    pub fn delete_to_line_start(&mut self) {
        let (start, _) = self.line_col();
        let (a, b) = (self.byte(start), self.byte(self.cursor));
        self.text.replace_range(a..b, "");
        self.cursor = start;
    }

    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// Takes the text out (for sending), leaving an empty draft.
    pub fn take(&mut self) -> String {
        self.cursor = 0;
        std::mem::take(&mut self.text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutState {
    /// Waiting for the link.
    Pending,
    /// Handed to the link; no answer yet.
    Sending,
    /// Refused, or lost in a way that may or may not have delivered it: the user decides.
    Failed(String),
}

/// A message the user wrote that the server has not confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    pub local_id: u64,
    pub chat_id: String,
    pub text: String,
    pub parse_mode: String,
    pub reply_to: Option<String>,
    /// An edit of this message rather than a new one.
    #[serde(default)]
    pub edit_of: Option<String>,
    pub state: OutState,
}

/// How a send ended, as the effect reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Sent,
    /// Not sent (the link was down): try again when it is back.
    NotSent,
    /// Refused, or unknown: kept with the reason for the user.
    Failed(String),
}

/// The outbox file: what is still to be delivered, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OutboxFile {
    pub items: Vec<Outgoing>,
}

impl OutboxFile {
    /// Reads the outbox; anything that was being sent when the program stopped is pending
    /// again, unless it may have gone out (then it waits for the user as failed).
    pub fn load(path: &std::path::Path) -> Result<Vec<Outgoing>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let f: OutboxFile = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not an outbox file: {e}", path.display()))?;
        Ok(f.items
            .into_iter()
            .map(|mut o| {
                if o.state == OutState::Sending {
                    o.state = OutState::Failed(
                        "the program stopped while sending; it may or may not have arrived".into(),
                    );
                }
                o
            })
            .collect())
    }

    /// Writes atomically, readable by the user alone.
    pub fn save(path: &std::path::Path, items: &[Outgoing]) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(&OutboxFile {
            items: items.to_vec(),
        })
        .map_err(std::io::Error::other)?;
        crate::dirs::write_private(path, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_by_characters_and_lines() {
        let mut d = Draft::default();
        d.insert("héllo");
        d.left();
        d.left();
        d.insert("X");
        assert_eq!(d.text, "hélXlo");
        d.backspace();
        d.home();
        d.insert("> ");
        d.end();
        d.insert("\r\nnext\u{1b}[31m");
        assert_eq!(d.text, "> héllo\nnext[31m");
        d.home();
        d.delete();
        assert_eq!(d.text, "> héllo\next[31m");
        assert_eq!(d.take(), "> héllo\next[31m");
        assert!(d.is_blank());
    }

    #[test]
    fn moving_between_lines_and_deleting_words() {
        let mut d = Draft::default();
        d.insert("first line\nab\nthird line");
        d.up();
        assert_eq!(
            d.cursor,
            "first line\nab".chars().count(),
            "the end of a short line"
        );
        d.up();
        assert_eq!(d.cursor, 2, "back to column 2 of the first line");
        assert!(!d.up());
        d.down();
        d.down();
        assert_eq!(d.cursor, "first line\nab\nth".chars().count());
        assert!(!d.down());
        d.end();
        d.delete_word();
        assert_eq!(d.text, "first line\nab\nthird ");
        d.delete_word();
        assert_eq!(d.text, "first line\nab\n");
        d.delete_word();
        assert_eq!(d.text, "first line\nab");
        d.delete_to_line_start();
        assert_eq!(d.text, "first line\n");
        let mut d = Draft::default();
        d.insert("héllo wörld");
        d.delete_word();
        assert_eq!(d.text, "héllo ");
    }

    #[test]
    fn the_outbox_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/outbox.json");
        let item = |id, state| Outgoing {
            local_id: id,
            chat_id: "c".into(),
            text: format!("t{id}"),
            parse_mode: "text".into(),
            reply_to: None,
            edit_of: None,
            state,
        };
        OutboxFile::save(
            &p,
            &[item(1, OutState::Pending), item(2, OutState::Sending)],
        )
        .unwrap();
        let back = OutboxFile::load(&p).unwrap();
        assert_eq!(back[0], item(1, OutState::Pending));
        assert!(matches!(back[1].state, OutState::Failed(_)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        std::fs::write(&p, "garbage").unwrap();
        assert!(
            OutboxFile::load(&p)
                .unwrap_err()
                .contains("not an outbox file")
        );
        assert_eq!(
            OutboxFile::load(&dir.path().join("none.json")).unwrap(),
            vec![]
        );
    }
}
