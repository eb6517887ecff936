//! The traffic inspector: the last frames in and out on both links.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::panes::{block, bottom_anchored, draw, local};
use super::text::truncate;
use crate::app::{Model, Pane};
use crate::keys::Action;

pub fn inspector(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let focused = m.ui.focus == Pane::Inspector;
    let b = block("Inspector", focused, theme);
    if m.ui.traffic.is_empty() {
        let lines = vec![
            Line::styled("No traffic yet.", theme.dim),
            Line::styled(
                format!(
                    "Frames in and out of both links appear here; {} hides this pane.",
                    m.ui.keys.describe(Action::Inspector)
                ),
                theme.dim,
            ),
        ];
        return draw(f, area, b, lines);
    }
    let inner = b.inner(area);
    let (w, h) = (inner.width as usize, inner.height as usize);
    // Newest at the bottom (or the selected frame there); only the frames that fit are
    // pretty-printed.
    let sel = m.ui.inspector_sel.filter(|&i| i < m.ui.traffic.len());
    let block_of = |i: usize, t: &crate::app::Traffic| {
        let time = local(t.at_ms, m.ui.utc_offset_secs);
        let ms = t.at_ms % 1000;
        let secs = (t.at_ms / 1000) % 60;
        let (arrow, style) = if t.outgoing {
            ("→", theme.ok)
        } else {
            ("←", theme.title)
        };
        let mark = if sel == Some(i) && focused {
            "▶ "
        } else {
            ""
        };
        let stamp = format!("{}:{secs:02}.{ms:03} ", time.get(11..16).unwrap_or(""));
        let link = format!("{arrow} {} ", t.link);
        // The name gets what is left of the row, so a long one is cut with its ellipsis
        // rather than clipped at the border (where it could read as another method).
        let room = w.saturating_sub(
            crate::ui::text::width(mark)
                + crate::ui::text::width(&stamp)
                + crate::ui::text::width(&link),
        );
        let mut block_lines = vec![Line::from(vec![
            Span::styled(mark, theme.key),
            Span::styled(stamp, theme.dim),
            Span::styled(link, style),
            Span::styled(truncate(t.what(), room), theme.title),
        ])];
        let pretty = serde_json::from_str::<serde_json::Value>(&t.text)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| t.text.clone());
        let body = crate::sanitize::text(&pretty).into_owned();
        for (n, l) in body.lines().enumerate() {
            if n == 8 {
                block_lines.push(Line::styled(
                    if t.is_cut() {
                        format!(
                            "  … ({} opens the first {} KiB)",
                            m.ui.keys.describe(Action::Open),
                            crate::app::Traffic::MAX_TEXT / 1024
                        )
                    } else {
                        format!("  … ({} opens it whole)", m.ui.keys.describe(Action::Open))
                    },
                    theme.dim,
                ));
                break;
            }
            block_lines.push(Line::styled(
                truncate(&format!("  {l}"), w.max(1)),
                theme.dim,
            ));
        }
        block_lines
    };
    let rows = match sel {
        // Following: the newest at the bottom.
        None => bottom_anchored(
            m.ui.traffic
                .iter()
                .enumerate()
                .rev()
                .map(|(i, t)| block_of(i, t)),
            Vec::new(),
            h,
        ),
        // The selected frame at the top, its heading in view, newer ones under it.
        Some(sel) => {
            let mut rows = Vec::new();
            for (i, t) in m.ui.traffic.iter().enumerate().skip(sel) {
                if rows.len() >= h {
                    break;
                }
                rows.extend(block_of(i, t));
            }
            rows.truncate(h);
            rows
        }
    };
    f.render_widget(Paragraph::new(rows).block(b), area);
}
