//! What the main screen's views share: pane blocks, wrapping, times. Until the links deliver
//! data the panes draw their empty states, which say what is missing and what to do about it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding, Paragraph, Wrap};

use super::Theme;
use crate::app::LinkStatus;

pub(super) fn block<'a>(title: &'a str, focused: bool, theme: &Theme) -> Block<'a> {
    let (b, t) = if focused {
        (theme.border_focus, theme.title_focus)
    } else {
        (theme.border, theme.title)
    };
    Block::new()
        .borders(Borders::ALL)
        .border_style(b)
        .padding(Padding::horizontal(1))
        .title(Span::styled(format!(" {title} "), t))
}

/// A list pop-up over the panes (the outbox, a room's calls or devices): centred, at most
/// `max_w` columns wide (at least 40), from the third row to two rows above the bottom.
pub(super) fn list_popup(area: Rect, max_w: u16) -> Rect {
    let w = area.width.saturating_sub(8).clamp(40, max_w);
    Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + 2,
        width: w,
        height: area.height.saturating_sub(4),
    }
}

pub(super) fn status_style(s: &LinkStatus, theme: &Theme) -> ratatui::style::Style {
    match s {
        LinkStatus::Authorized | LinkStatus::Connected => theme.ok,
        LinkStatus::Disconnected { .. } | LinkStatus::Retrying { .. } => theme.error,
        LinkStatus::Connecting | LinkStatus::Unresponsive { .. } => theme.warn,
        LinkStatus::NotConfigured | LinkStatus::Offline => theme.dim,
    }
}

pub(super) fn draw(f: &mut Frame, area: Rect, block: Block<'_>, lines: Vec<Line<'_>>) {
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// The last `h` lines of `blocks` (given newest first) followed by `tail`: only as many blocks
/// are laid out as fill the pane, so the cost follows the pane's size, not the history's.
pub(super) fn bottom_anchored<T>(
    blocks: impl Iterator<Item = Vec<T>>,
    tail: Vec<T>,
    h: usize,
) -> Vec<T> {
    let mut rows = tail;
    for mut block in blocks {
        if rows.len() >= h {
            break;
        }
        block.append(&mut rows);
        rows = block;
    }
    let skip = rows.len().saturating_sub(h);
    rows.into_iter().skip(skip).collect()
}

/// Splits a line into pieces of at most `w` display columns (wide characters kept whole).
pub(super) fn wrap(s: &str, w: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let mut out: Vec<String> = vec![String::new()];
    let mut col = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if col + cw > w && col > 0 {
            // Break after the last space of the line when there is one (words stay whole);
            // a word longer than the line is cut.
            let carry = match out.last_mut() {
                Some(l) => match l.rfind(' ') {
                    Some(i) if i + 1 < l.len() => l.split_off(i + 1),
                    _ => String::new(),
                },
                None => String::new(),
            };
            col = carry.chars().map(|c| c.width().unwrap_or(0)).sum();
            out.push(carry);
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
        col += cw;
    }
    out
}

#[cfg(test)]
mod wrap_tests {
    #[test]
    fn words_stay_whole_and_long_words_are_cut() {
        assert_eq!(
            super::wrap("check the camera now", 10),
            ["check the ", "camera now"]
        );
        assert_eq!(super::wrap("abcdefghijkl", 5), ["abcde", "fghij", "kl"]);
        let pieces = super::wrap("日本語 テキスト", 6);
        assert!(
            pieces.iter().all(|p| crate::ui::text::width(p) <= 6),
            "{pieces:?}"
        );
        assert_eq!(pieces.concat(), "日本語 テキスト");
        assert_eq!(pieces[0], "日本語");
    }
}

/// `YYYY-MM-DD HH:MM` of a millisecond timestamp, shifted by the local offset.
pub(super) fn local(ms: u64, offset_secs: i64) -> String {
    let shifted = (ms as i64)
        .saturating_add(offset_secs.saturating_mul(1000))
        .max(0) as u64;
    crate::commands::chat::utc(shifted)
}

/// `Sun 22 Nov 2026` for date separators.
pub(super) fn weekday_date(ms: u64, offset_secs: i64) -> String {
    let shifted = (ms as i64)
        .saturating_add(offset_secs.saturating_mul(1000))
        .max(0);
    let days = shifted.div_euclid(86_400_000);
    // 1970-01-01 was a Thursday.
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let ymd = local(ms, offset_secs);
    let month = ymd
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| {
            [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ]
            .get(m.wrapping_sub(1))
            .copied()
        })
        .unwrap_or("?");
    format!(
        "{wd} {} {month} {}",
        ymd.get(8..10).unwrap_or("?").trim_start_matches('0'),
        ymd.get(..4).unwrap_or("?")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_and_separator_dates() {
        // 2026-11-22 23:30 UTC is already Monday the 23rd at UTC+1.
        let t = 1_795_390_200_000u64;
        assert_eq!(local(t, 0), "2026-11-22 23:30");
        assert_eq!(local(t, 3600), "2026-11-23 00:30");
        assert_eq!(weekday_date(t, 0), "Sun 22 Nov 2026");
        assert_eq!(weekday_date(t, 3600), "Mon 23 Nov 2026");
        assert_eq!(
            weekday_date(0, -3600),
            "Thu 1 Jan 1970",
            "clamped at the epoch"
        );
    }
}
