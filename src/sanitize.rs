//! Neutralising untrusted text before it reaches the terminal.
//!
//! Every string that comes from a server, a peer or a file goes through here before a view
//! draws it. Escape sequences (CSI, OSC, DCS, SOS, PM, APC and two-byte ESC forms) are removed
//! whole, other C0/C1 control characters are dropped, tabs become a space, and bidirectional
//! overrides and isolates (which can reorder what the eye reads) are removed. The Unicode line
//! and paragraph separators (U+2028, U+2029) count as newlines, since a terminal moves the
//! cursor for them as it likes; interlinear annotation marks (U+FFF9–FFFB) are dropped.

use std::borrow::Cow;

/// Characters that reorder text visually (Trojan Source): embeddings, overrides, isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters that break lines or hide text outside the control ranges.
fn is_layout_control(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}' | '\u{FFF9}'..='\u{FFFB}')
}

/// Whether `c` is one the cleaning removes or replaces (controls, bidirectional controls,
/// line separators, annotation marks).
pub fn needs_cleaning(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_layout_control(c)
}

/// A single line of inert text: every control character removed, newlines become spaces.
pub fn line(s: &str) -> Cow<'_, str> {
    clean(s, false)
}

/// Multi-line inert text: like [`line`] but `\n` is kept (and `\r\n` folded to `\n`).
pub fn text(s: &str) -> Cow<'_, str> {
    clean(s, true)
}

/// JSON text (as serde_json writes it) with every character the cleaning would touch written
/// as a `\uXXXX` escape: the same JSON value, nothing in it a terminal acts on (serde_json
/// escapes only C0 controls; DEL, C1 controls such as the 8-bit CSI, bidirectional controls
/// and line separators it writes as they are). For JSON printed on a terminal.
pub fn json_for_terminal(json: String) -> String {
    if !json.chars().any(needs_cleaning) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if needs_cleaning(c) {
            // Outside strings JSON has only ASCII whitespace, which serde_json does not
            // write: every such character is inside a string, where the escape is the same.
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn clean(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(needs_cleaning) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\u{2028}' | '\u{2029}' if keep_newlines => out.push('\n'),
            '\n' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            '\r' => {
                if chars.peek() != Some(&'\n') && !keep_newlines {
                    out.push(' ');
                }
            }
            '\u{1b}' => skip_escape(&mut chars),
            // C1 CSI / OSC / DCS / SOS / PM / APC introducers: skip the sequence they open.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if needs_cleaning(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // ESC followed by intermediates (0x20–0x2F) then one final byte, e.g. ESC ( B.
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while let Some(&n) = chars.peek() {
                chars.next();
                if !('\u{20}'..='\u{2f}').contains(&n) {
                    break;
                }
            }
        }
        // Two-byte forms (ESC 7, ESC c, …) or a lone ESC at the end: drop both.
        _ => {}
    }
}

/// CSI: parameter bytes 0x30–0x3F, intermediates 0x20–0x2F, one final byte 0x40–0x7E.
fn skip_csi(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
        if !('\u{20}'..='\u{3f}').contains(&c) {
            // Malformed: stop at the first byte that cannot belong to a CSI.
            break;
        }
    }
}

/// OSC, DCS, SOS, PM, APC: everything up to BEL, ST (ESC \) or C1 ST.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_for_a_terminal_escapes_what_a_terminal_would_act_on_and_means_the_same() {
        let v =
            serde_json::json!({"t": "a\u{9b}31mb\u{202e}c\u{7f}d\u{2028}e\u{1b}]0;x\u{7}", "n": 1});
        let raw = serde_json::to_string(&v).unwrap();
        let out = json_for_terminal(raw);
        assert!(!out.chars().any(needs_cleaning), "{out}");
        assert!(out.contains("\\u009b") && out.contains("\\u202e"), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, v);
        // Clean JSON is left as it is.
        assert_eq!(json_for_terminal("{\"a\":\"é\"}".into()), "{\"a\":\"é\"}");
    }

    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(line("Hello, мир 世界"), Cow::Borrowed(_)));
    }

    #[test]
    fn csi_and_osc_are_removed_whole() {
        assert_eq!(line("a\x1b[31mred\x1b[0m b"), "ared b");
        assert_eq!(line("x\x1b]0;evil title\x07y"), "xy");
        assert_eq!(line("x\x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\y"), "xlinky");
        assert_eq!(line("\x1b[2J\x1b[Hclear"), "clear");
        assert_eq!(line("a\u{9b}31mb"), "ab");
        assert_eq!(line("a\x1bPdcs payload\x1b\\b"), "ab");
        assert_eq!(line("a\x1b(Bb\x1b7c"), "abc");
    }

    #[test]
    fn control_and_bidi_characters_are_dropped() {
        assert_eq!(line("a\x07b\x08c\x7fd"), "abcd");
        assert_eq!(line("ab\u{202E}cd\u{2066}e"), "abcde");
        assert_eq!(line("tab\there"), "tab here");
        assert_eq!(line("two\nlines"), "two lines");
        assert_eq!(text("two\r\nlines\n"), "two\nlines\n");
        // Unicode's own line breaks are breaks (or spaces on one line); annotations go.
        assert_eq!(line("a\u{2028}b\u{2029}c"), "a b c");
        assert_eq!(text("a\u{2028}b\u{2029}c"), "a\nb\nc");
        assert_eq!(line("x\u{FFF9}y\u{FFFA}z\u{FFFB}"), "xyz");
    }

    #[test]
    fn truncated_sequences_do_not_panic() {
        for s in [
            "\x1b", "\x1b[", "\x1b]", "\x1b[31", "\x1b]0;t", "\x1b(", "\u{9b}",
        ] {
            assert_eq!(line(s), "", "{s:?}");
        }
    }
}
