//! Pictures in the history: a preview under its picture's line, in half blocks or as rows
//! the terminal's graphics protocol draws over (marked so the history knows where), and that
//! drawing.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::super::Theme;
use super::super::text::truncate;
use crate::app::Model;
use crate::chat::types::{Content, Envelope};
use crate::sanitize;

/// Draws message `e`'s picture with the terminal's protocol: its top row at `top` (above the
/// pane when negative: the rows that show are drawn) and `x` columns in, inside `inner`.
pub(super) fn draw(f: &mut Frame, inner: Rect, m: &Model, e: &Envelope, top: i32, x: u16) {
    let Content::Attachment { file_id, .. } = &e.content else {
        return;
    };
    if let Some(crate::app::Preview::Ready(_, Some(g))) = m.chat.previews.get(file_id) {
        let at = ratatui_image::sliced::SignedPosition {
            x: x.min(i16::MAX as u16) as i16,
            y: top.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16,
        };
        f.render_widget(ratatui_image::sliced::SlicedImage::new(&g.0, at), inner);
    }
}

/// The style of the empty span that marks row `row` of a picture the terminal draws. An
/// empty span shows nothing and writes nothing; no other span is empty with this style.
fn picture_mark(row: u16) -> ratatui::style::Style {
    ratatui::style::Style::new()
        .underline_color(ratatui::style::Color::Indexed(row.min(255) as u8))
        .add_modifier(Modifier::HIDDEN)
}

/// The picture row a line is, and the columns before it: (row, x).
pub(super) fn marked_row(l: &Line) -> Option<(u16, u16)> {
    let mut x = 0usize;
    for s in &l.spans {
        if s.content.is_empty()
            && s.style.add_modifier.contains(Modifier::HIDDEN)
            && let Some(ratatui::style::Color::Indexed(r)) = s.style.underline_color
        {
            return Some((u16::from(r), x as u16));
        }
        x += s.width();
    }
    None
}

/// A picture's preview under its line: the half blocks (cut to `w` columns), or a line saying
/// it is coming or why there is none.
pub(super) fn preview_lines(
    p: Option<&crate::app::Preview>,
    w: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    use crate::app::Preview;
    match p {
        // The terminal draws it (a graphics protocol): blank rows, marked, where [`history`]
        // places it, when the pane is wide enough for all of it.
        Some(Preview::Ready(_, Some(g))) if usize::from(g.0.size().width) <= w => {
            let s = g.0.size();
            (0..s.height)
                .map(|row| {
                    Line::from(vec![
                        Span::styled("", picture_mark(row)),
                        Span::raw(" ".repeat(usize::from(s.width))),
                    ])
                })
                .collect()
        }
        Some(Preview::Ready(t, _)) => t
            .lines()
            .into_iter()
            .map(|mut l| {
                l.spans.truncate(w);
                l
            })
            .collect(),
        Some(Preview::Loading) => vec![Line::styled("… preview loading", theme.dim)],
        Some(Preview::Refused(why) | Preview::Unfetched(why)) => vec![Line::styled(
            truncate(&format!("no preview: {}", sanitize::line(why)), w),
            theme.dim,
        )],
        None => vec![],
    }
}
