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
    let about = |id: &str| {
        m.chat
            .open
            .as_ref()
            .and_then(|o| o.messages.iter().rev().find(|e| e.message_id == id))
    };
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
/// lands on. Wraps between grapheme clusters, never inside one.
pub(super) fn wrap_draft(d: &crate::app::Editor, w: usize) -> (Vec<String>, (usize, usize)) {
    use unicode_segmentation::UnicodeSegmentation;
    let w = w.max(1);
    let mut rows: Vec<String> = vec![String::new()];
    let mut col = 0usize;
    let mut cursor = (0usize, 0usize);
    let text = d.text();
    let end = std::iter::once((text.len(), ""));
    for (i, g) in text.grapheme_indices(true).chain(end) {
        if i == d.cursor() {
            if col >= w {
                rows.push(String::new());
                col = 0;
            }
            cursor = (rows.len() - 1, col);
        }
        if g.is_empty() {
            break;
        }
        if g == "\n" || g == "\r\n" {
            rows.push(String::new());
            col = 0;
            continue;
        }
        let g = if g == "\t" { " " } else { g };
        let gw = unicode_width::UnicodeWidthStr::width(g);
        if col + gw > w {
            rows.push(String::new());
            col = 0;
            if i == d.cursor() {
                cursor = (rows.len() - 1, 0);
            }
        }
        if let Some(r) = rows.last_mut() {
            r.push_str(g);
        }
        col += gw;
    }
    (rows, cursor)
}
