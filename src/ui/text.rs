//! Width-aware text helpers (display columns, not bytes or chars).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` columns, with `…` where it was cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw > max - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_by_columns() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("日本語テキスト", 7), "日本語…");
        assert_eq!(width(&truncate("日本語テキスト", 6)), 5);
        assert_eq!(truncate("abc", 0), "");
    }
}

/// What of a one-line input fits in `room` columns, made inert, split at the cursor: the
/// whole text when it fits, else a window that keeps the cursor in view (the end, while
/// typing at the end). Linear in the text's length, whatever the cursor does.
pub fn field_parts(e: &crate::app::Editor, room: usize) -> (String, String) {
    use unicode_segmentation::UnicodeSegmentation;
    let room = room.max(1);
    let gs: Vec<(usize, String)> = e
        .text()
        .grapheme_indices(true)
        .map(|(i, g)| (i, crate::sanitize::line(g).into_owned()))
        .collect();
    let at = gs
        .iter()
        .position(|(i, _)| *i >= e.cursor())
        .unwrap_or(gs.len());
    // Columns from `a` to `b` (exclusive), from running sums.
    let mut sums = Vec::with_capacity(gs.len() + 1);
    sums.push(0usize);
    for g in &gs {
        sums.push(sums[sums.len() - 1] + width(&g.1));
    }
    let cols = |a: usize, b: usize| sums[b] - sums[a];
    let (mut start, mut end) = (0, gs.len());
    // Plus one column for a cursor at the end.
    while cols(start, end) + usize::from(at == end) > room && start < at {
        start += 1;
    }
    while cols(start, end) + usize::from(at == end) > room && end > at {
        end -= 1;
    }
    let before: String = gs[start..at].iter().map(|g| g.1.as_str()).collect();
    let after: String = gs[at..end].iter().map(|g| g.1.as_str()).collect();
    (before, after)
}

/// [`field_parts`] joined, and the cursor's column in it.
pub fn field(e: &crate::app::Editor, room: usize) -> (String, u16) {
    let (before, after) = field_parts(e, room);
    let col = u16::try_from(width(&before)).unwrap_or(u16::MAX);
    (before + &after, col)
}

/// A one-line input in `room` columns: with a bar at the cursor while it has the keyboard.
pub fn with_bar(e: &crate::app::Editor, focused: bool, room: usize) -> String {
    if focused {
        let (before, after) = field_parts(e, room.saturating_sub(1));
        format!("{before}▏{after}")
    } else {
        field(e, room).0
    }
}

#[cfg(test)]
mod field_tests {
    use super::*;
    use crate::app::Editor;

    #[test]
    fn a_long_input_shows_the_window_around_its_cursor() {
        let mut e = Editor::new(&"0123456789".repeat(10_000));
        // At the end (typing): the end shows, and the cursor after it.
        let (shown, col) = field(&e, 20);
        assert_eq!((shown.as_str(), col), ("1234567890123456789", 19));
        // At the start: the start shows.
        e.set_cursor(0);
        let (shown, col) = field(&e, 20);
        assert_eq!((shown.as_str(), col), ("01234567890123456789", 0));
        // With a bar at the cursor, in the room given.
        assert_eq!(with_bar(&e, true, 5), "▏0123");
        assert_eq!(width(&with_bar(&e, true, 5)), 5);
        // Wide characters are never split.
        let e = Editor::new("日本語テキスト");
        let (shown, col) = field(&e, 7);
        assert_eq!((shown.as_str(), col), ("キスト", 6));
    }
}
