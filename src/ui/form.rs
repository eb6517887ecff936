//! A small form over the panes (app/form.rs): its fields, one of them perhaps masked (a
//! password: dots, never the text), its choice, and notes; the cursor in the focused field.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::Theme;
use super::dialog::{centered, frame};
use super::text::{truncate, width};
use crate::app::Form;

/// The form, centred.
pub fn overlay(f: &mut Frame, area: Rect, form: &Form, theme: &Theme) {
    let label_w = form
        .fields
        .iter()
        .map(|x| width(x.label))
        .chain(form.choice.iter().map(|c| width(c.label)))
        .max()
        .unwrap_or(0)
        + 2;
    let notes_h = form.notes.len() as u16 * 2;
    let rows = form.fields.len() as u16 + u16::from(form.choice.is_some());
    let r = centered(area, 64, rows + notes_h + 5);
    let w = r.width.saturating_sub(4) as usize;
    let room = w.saturating_sub(label_w + 1).max(1);
    let mut lines = Vec::new();
    let mut cursor = None;
    for (i, fl) in form.fields.iter().enumerate() {
        let focused = form.focus == i;
        let label = format!("{:<label_w$}", format!("{}:", fl.label));
        let style = if focused { theme.title } else { theme.dim };
        let (shown, col) = if fl.masked {
            // As many dots as characters, and nothing of what they are.
            let n = fl.input.text().chars().count();
            let at = fl.input.text()[..fl.input.cursor()].chars().count();
            let start = (at + 1).saturating_sub(room);
            let dots = "•".repeat(n.saturating_sub(start).min(room));
            (dots, (at - start) as u16)
        } else {
            super::text::field(&fl.input, room)
        };
        if focused {
            cursor = Some((r.x + 2 + label_w as u16 + col, r.y + 1 + i as u16));
        }
        lines.push(Line::from(vec![
            Span::styled(label, style),
            Span::raw(shown),
        ]));
    }
    if let Some(c) = &form.choice {
        let focused = form.focus >= form.fields.len();
        let label = format!("{:<label_w$}", format!("{}:", c.label));
        let style = if focused { theme.title } else { theme.dim };
        let mut spans = vec![Span::styled(label, style)];
        for (i, (_, words)) in c.options.iter().enumerate() {
            let s = if i == c.chosen {
                theme
                    .title_focus
                    .add_modifier(ratatui::style::Modifier::REVERSED)
            } else {
                theme.dim
            };
            spans.push(Span::styled(format!(" {words} "), s));
            spans.push(Span::raw(" "));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::raw(""));
    for n in &form.notes {
        lines.push(Line::styled(
            crate::sanitize::line(n).into_owned(),
            theme.dim,
        ));
    }
    let hint = if form.choice.is_some() {
        "Tab/↑↓ move · ←→ choose · Enter sends · Esc cancels"
    } else {
        "Tab/↑↓ move · Enter sends · Esc cancels"
    };
    lines.push(Line::styled(hint, theme.dim));
    let title = truncate(&crate::sanitize::line(&form.title), w);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(frame(&title, theme)),
        r,
    );
    if let Some((x, y)) = cursor {
        f.set_cursor_position((x.min(r.x + r.width.saturating_sub(2)), y));
    }
}
