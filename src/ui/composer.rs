//! The composer: the open chat's draft, wrapped, with its cursor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::Theme;
use super::panes::{block, draw};
use super::text::truncate;
use crate::app::Model;
use crate::keys::Action;

/// The composer's title: what the draft is for (a reply, an edit), its format, and keys.
fn composer_title(m: &Model) -> String {
    let d = m
        .chat
        .open
        .as_ref()
        .and_then(|o| m.composer.drafts.get(&o.chat_id));
    let mut parts: Vec<String> = Vec::new();
    let about = |id: &str| m.chat.open.as_ref().and_then(|o| o.messages.by_id(id));
    match d {
        Some(d) if d.edit_of.is_some() => parts.push("Editing your message".into()),
        Some(d) if d.reply_to.is_some() => {
            let who = d
                .reply_to
                .as_deref()
                .and_then(about)
                .map(|e| {
                    m.chat.names.get(&e.author.id).cloned().unwrap_or_else(|| {
                        crate::sanitize::line(e.author.id.split('@').next().unwrap_or_default())
                            .into_owned()
                    })
                })
                .unwrap_or_else(|| "a message".into());
            parts.push(format!("Reply to {who}"));
        }
        _ => parts.push("Message".into()),
    }
    let mode = d.map(|d| d.parse_mode).unwrap_or_default();
    if mode != crate::app::ParseMode::Text || m.mode.is_composing() {
        parts.push(mode.wire().into());
    }
    if m.mode.is_composing() {
        parts.push("Enter sends · Alt-Enter new line · Ctrl-P format".into());
        if d.is_some_and(|d| d.editor.is_empty() && (d.reply_to.is_some() || d.edit_of.is_some())) {
            parts.push("Backspace cancels".into());
        }
    }
    parts.join(" · ")
}

/// How many rows the open chat's draft takes wrapped at `width` (1 when there is none).
pub(super) fn wanted_rows(m: &Model, width: u16) -> u16 {
    m.chat
        .open
        .as_ref()
        .and_then(|o| m.composer.drafts.get(&o.chat_id))
        .filter(|d| !d.editor.is_empty())
        .map_or(1, |d| {
            let (rows, cursor) = wrap_draft(&d.editor, width as usize);
            u16::try_from(rows.len().max(cursor.0 + 1)).unwrap_or(u16::MAX)
        })
}

pub fn composer(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let title = truncate(&composer_title(m), area.width.saturating_sub(4) as usize);
    let b = block(&title, m.mode.is_composing(), theme);
    let draft = m
        .chat
        .open
        .as_ref()
        .and_then(|o| m.composer.drafts.get(&o.chat_id))
        .filter(|d| !d.editor.is_empty());
    let Some(d) = draft else {
        let hint = if m.mode.is_composing() {
            String::new()
        } else {
            format!(
                "{} writes a message in the open chat",
                m.ui.keys.describe(Action::Compose)
            )
        };
        let inner = b.inner(area);
        draw(f, area, b, vec![Line::styled(hint, theme.dim)]);
        if m.mode.is_composing() {
            f.set_cursor_position((inner.x, inner.y));
        }
        return;
    };
    let inner = b.inner(area);
    let w = (inner.width as usize).max(1);
    let (rows, cursor) = wrap_draft(&d.editor, w);
    let h = (inner.height as usize).max(1);
    let first = (cursor.0 + 1).saturating_sub(h);
    let style = if m.mode.is_composing() {
        ratatui::style::Style::default()
    } else {
        theme.dim
    };
    let lines: Vec<Line> = rows
        .into_iter()
        .skip(first)
        .take(h)
        .map(|r| Line::styled(r, style))
        .collect();
    f.render_widget(Paragraph::new(lines).block(b), area);
    if m.mode.is_composing() {
        f.set_cursor_position((
            inner.x + cursor.1 as u16,
            inner.y + (cursor.0 - first) as u16,
        ));
    }
}

/// An editor's text wrapped by display width into rows, and the (row, column) its cursor
/// lands on. Rows break after a space where a word would cross the edge (a word longer than
/// the row is cut between grapheme clusters, never inside one); a space that reaches the edge
/// hangs at the end of its row, as in a word processor.
pub(super) fn wrap_draft(d: &crate::app::Editor, w: usize) -> (Vec<String>, (usize, usize)) {
    use unicode_segmentation::UnicodeSegmentation;
    use unicode_width::UnicodeWidthStr;
    let w = w.max(1);
    let text = d.text();
    let at = d.cursor();
    let mut rows: Vec<String> = Vec::new();
    let mut cursor = (0usize, 0usize);
    let mut offset = 0usize;
    for raw in text.split('\n') {
        let logical = raw.strip_suffix('\r').unwrap_or(raw);
        // (byte offset in `logical`, grapheme, display width)
        let gs: Vec<(usize, &str, usize)> = logical
            .grapheme_indices(true)
            .map(|(i, g)| {
                let g = if g == "\t" { " " } else { g };
                (i, g, g.width())
            })
            .collect();
        let first_row = rows.len();
        // Row starts, as indices into `gs`.
        let mut starts = vec![0usize];
        let mut col = 0usize;
        let mut brk: Option<usize> = None; // index of the grapheme after the row's last space
        for (k, &(_, g, gw)) in gs.iter().enumerate() {
            let start = *starts.last().unwrap_or(&0);
            if col + gw > w && k > start && g != " " {
                let cut = match brk {
                    Some(b) if b > start => b,
                    _ => k,
                };
                starts.push(cut);
                col = gs[cut..k].iter().map(|x| x.2).sum();
                brk = None;
            }
            col += gw;
            if g == " " {
                brk = Some(k + 1);
            }
        }
        for (r, &s) in starts.iter().enumerate() {
            let e = starts.get(r + 1).copied().unwrap_or(gs.len());
            rows.push(gs[s..e].iter().map(|x| x.1).collect());
        }
        // The cursor, when it is in this logical line (its end included).
        let len = logical.len();
        if at >= offset && at <= offset + len {
            let local = at - offset;
            let k = gs.iter().position(|x| x.0 >= local).unwrap_or(gs.len());
            let r = starts.iter().rposition(|&s| s <= k).unwrap_or(0);
            let c: usize = gs[starts[r]..k].iter().map(|x| x.2).sum();
            cursor = (first_row + r, c);
        }
        offset += raw.len() + 1;
    }
    // A cursor at the edge goes to the start of the next row.
    if cursor.1 >= w {
        cursor = (cursor.0 + 1, 0);
        if cursor.0 >= rows.len() {
            rows.push(String::new());
        }
    }
    if rows.is_empty() {
        rows.push(String::new());
    }
    (rows, cursor)
}

#[cfg(test)]
#[path = "composer_tests.rs"]
mod tests;
