//! The outbox view: every message and file not yet on the server, in every chat.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::Theme;
use super::panes::{block, wrap};
use super::text::truncate;
use crate::app::{Model, outbox_rows};
use crate::keys::Action;

pub fn overlay(f: &mut Frame, area: Rect, m: &Model, selected: usize, theme: &Theme) {
    let rows = outbox_rows(m);
    let r = super::panes::list_popup(area, 110);
    let k = |a: Action| m.ui.keys.describe(a);
    let n = rows.len();
    let title = format!("Outbox · {n} item{}", if n == 1 { "" } else { "s" });
    let b = block(&title, true, theme).title_bottom(
        Line::styled(
            format!(
                " {} try again · {} drop · {} close ",
                k(Action::Retry),
                k(Action::Delete),
                k(Action::Back)
            ),
            theme.dim,
        )
        .right_aligned(),
    );
    let inner = b.inner(r);
    let iw = inner.width as usize;
    let ih = inner.height as usize;
    f.render_widget(Clear, r);
    if rows.is_empty() {
        let lines = vec![Line::styled(
            "Nothing waiting to be sent or retried.",
            theme.dim,
        )];
        f.render_widget(Paragraph::new(lines).block(b), r);
        return;
    }
    let sel = selected.min(rows.len() - 1);
    // Each row: the chat, then where it stands (wrapped whole: a reason is worth reading),
    // then what it is.
    let block_of = |i: usize| -> Vec<Line<'static>> {
        let row = &rows[i];
        let mark = if i == sel { "▶ " } else { "  " };
        let state_style = if row.trouble { theme.warn } else { theme.dim };
        let mut out = vec![Line::styled(
            truncate(&format!("{mark}{}", row.chat), iw),
            theme.title,
        )];
        for l in wrap(&row.state, iw.saturating_sub(4)) {
            out.push(Line::styled(format!("    {l}"), state_style));
        }
        out.push(Line::raw(truncate(&format!("    {}", row.what), iw)));
        out
    };
    // From the selected row back as far as fits, then on down.
    let mut first = sel;
    let mut used = block_of(sel).len();
    while first > 0 {
        let more = block_of(first - 1).len();
        if used + more > ih {
            break;
        }
        used += more;
        first -= 1;
    }
    let mut lines: Vec<Line> = Vec::new();
    for i in first..rows.len() {
        if lines.len() >= ih {
            break;
        }
        lines.extend(block_of(i));
    }
    lines.truncate(ih.max(1));
    f.render_widget(Paragraph::new(lines).block(b), r);
}
