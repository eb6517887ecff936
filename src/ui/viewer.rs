//! Draws an [`app::Viewer`](crate::app::Viewer): its rows on screen in their tones, the search's
//! matches reversed (the current one bold as well), and the query line while it is typed.
//! The owner draws the frame around it and places [`footer`] where it likes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use crate::app::{Tone, Viewer};

/// The style of a tone in `theme`.
pub fn tone_style(t: Tone, theme: &Theme) -> Style {
    match t {
        Tone::Plain => Style::default(),
        Tone::Dim => theme.dim,
        Tone::Heading => theme.title,
        Tone::Good => theme.ok,
        Tone::Warn => theme.warn,
        Tone::Error => theme.error,
    }
}

/// The rows in view, filling `area` (which should be the size the viewer was given).
pub fn draw(f: &mut Frame, area: Rect, v: &Viewer, theme: &Theme) {
    let mut lines: Vec<Line> = v
        .visible()
        .iter()
        .map(|r| {
            let text = v.text(r);
            let base = tone_style(v.tone(r), theme);
            let marks = v.highlights(r);
            let key = v.lines()[r.line].key;
            // A keyed line's later rows stand under its text.
            let hang = if r.start > 0 {
                crate::app::viewer_hang(&v.lines()[r.line], v.width())
            } else {
                0
            };
            let mut spans = Vec::new();
            if hang > 0 {
                spans.push(Span::raw(" ".repeat(hang)));
            }
            if marks.is_empty() && key > r.start {
                let cut = (key - r.start).min(text.len());
                let cut = (0..=cut)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                spans.push(Span::styled(text[..cut].to_string(), theme.key));
                spans.push(Span::styled(text[cut..].to_string(), base));
                return Line::from(spans);
            }
            let mut at = 0;
            for (s, e, current) in marks {
                if s > at {
                    spans.push(Span::styled(text[at..s].to_string(), base));
                }
                let mut hl = base.add_modifier(Modifier::REVERSED);
                if current {
                    hl = hl.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
                }
                spans.push(Span::styled(text[s..e].to_string(), hl));
                at = e;
            }
            if at < text.len() || spans.is_empty() {
                spans.push(Span::styled(text[at..].to_string(), base));
            }
            Line::from(spans)
        })
        .collect();
    if let Some(q) = &v.search().typing {
        // The query takes the last row while it is typed.
        let rows = area.height as usize;
        lines.truncate(rows.saturating_sub(1));
        while lines.len() + 1 < rows {
            lines.push(Line::raw(""));
        }
        lines.push(Line::from(vec![
            Span::styled("/", theme.key),
            Span::raw(super::text::with_bar(
                q,
                true,
                (area.width as usize).saturating_sub(1),
            )),
        ]));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// "12–30 of 84 · match 2 of 5": where the view is, and what the search found.
pub fn footer(v: &Viewer) -> String {
    match v.search_status() {
        Some(s) => format!("{} · {s}", v.position()),
        None => v.position(),
    }
}
