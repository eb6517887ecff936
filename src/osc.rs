//! The terminal's own powers, as escape sequences the console writes itself: a hyperlink
//! (OSC 8), a copy to the clipboard (OSC 52), a desktop notification (OSC 777, or OSC 9), the
//! window title (OSC 2).
//!
//! What goes into them comes from servers and files, so it is cleaned first: no C0 or C1
//! control (ESC, BEL, the 8-bit ST among them), no DEL, no bidirectional override or other
//! invisible format character; a field separator (`;`) is replaced where the sequence splits
//! on it. Nothing a server sends can end a sequence early or start another. Every sequence
//! ends with ST (`ESC \`).

use std::fmt::Write as _;

/// String Terminator.
const ST: &str = "\x1b\\";

/// Whether `c` may appear in a sequence's text: not a control (C0, DEL, C1), not an invisible
/// format character (bidirectional overrides and isolates, zero-width ones, the BOM).
fn allowed(c: char) -> bool {
    !(c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'))
}

/// `s` with every character a sequence may not carry dropped; line breaks and tabs become
/// spaces (a title or a notification is one line).
pub fn clean(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if allowed(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// At most `max` characters of `s`, with "…" when cut.
fn cap(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// The link target a hyperlink may point at: an `http`, `https` or `mailto` URL, cleaned (and
/// with no space, which no URL in text has). None for anything else.
pub fn link_target(url: &str) -> Option<String> {
    let url = clean(url);
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let scheme_ok = ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p) && lower.len() > p.len());
    if !scheme_ok || url.contains(' ') || url.len() > 2048 {
        return None;
    }
    Some(url.to_string())
}

/// OSC 8: `text` as a hyperlink to `url` (None when the URL is not one a link may have). The
/// text is cleaned too; it is what the screen shows.
pub fn hyperlink(url: &str, text: &str) -> Option<String> {
    let url = link_target(url)?;
    Some(format!("\x1b]8;;{url}{ST}{}\x1b]8;;{ST}", clean(text)))
}

/// OSC 52: `text` put on the clipboard. The text is cleaned of control sequences (line breaks
/// and tabs kept) and sent base64-encoded; at most `MAX_COPY` bytes of it.
pub fn copy(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|&c| matches!(c, '\n' | '\t') || allowed(c))
        .collect();
    let mut end = kept.len().min(MAX_COPY);
    while !kept.is_char_boundary(end) {
        end -= 1;
    }
    let b64 = base64_encode(&kept.as_bytes()[..end]);
    format!("\x1b]52;c;{b64}{ST}")
}

/// The most a copy carries: terminals refuse (or cut) larger ones.
pub const MAX_COPY: usize = 74_994;

/// The notification flavour a terminal speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notify {
    /// OSC 777 (rxvt-unicode, foot, WezTerm, Ghostty, VTE terminals): a title and a body.
    Osc777,
    /// OSC 9 (iTerm2, Windows Terminal, kitty, WezTerm): one line of text.
    Osc9,
}

impl Notify {
    /// What the terminal speaks, from `TERM_PROGRAM` and `TERM` (OSC 777 unless known to be
    /// an OSC 9 terminal).
    pub fn detect(term_program: Option<&str>, term: Option<&str>) -> Notify {
        let p = term_program.unwrap_or_default().to_ascii_lowercase();
        let t = term.unwrap_or_default().to_ascii_lowercase();
        if p.contains("iterm") || p.contains("apple_terminal") || t.contains("kitty") {
            Notify::Osc9
        } else {
            Notify::Osc777
        }
    }
}

/// A desktop notification: `title` and `body`, cleaned, each at most 256 characters.
pub fn notify(flavour: Notify, title: &str, body: &str) -> String {
    let title = cap(&clean(title), 256);
    let body = cap(&clean(body), 256);
    match flavour {
        // The fields are split on `;`: none may carry one.
        Notify::Osc777 => format!(
            "\x1b]777;notify;{};{}{ST}",
            title.replace(';', ","),
            body.replace(';', ",")
        ),
        Notify::Osc9 => {
            // OSC 9;4 (progress) and others mean something else in some terminals: the text
            // carries no `;`, so it is never read as one of them.
            let text = format!("{title}: {body}").replace(';', ",");
            format!("\x1b]9;{text}{ST}")
        }
    }
}

/// OSC 2: the window title, cleaned, at most 128 characters.
pub fn title(text: &str) -> String {
    format!("\x1b]2;{}{ST}", cap(&clean(text), 128))
}

fn base64_encode(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let _ = out.write_char(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "osc_tests.rs"]
mod tests;
