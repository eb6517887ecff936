use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph};

use super::Theme;
use crate::app::Model;
use crate::keys::{Action, Context};

/// The help overlay: every action with its active keys, grouped by where it applies. It is
/// built from the key map, so it always tells the truth about custom bindings.
pub fn overlay(f: &mut Frame, area: Rect, m: &Model, scroll: u16, theme: &Theme) {
    let lines = help_lines(m, theme);
    let w = area.width.saturating_sub(4).min(80);
    let h = area.height.saturating_sub(2).min(lines.len() as u16 + 2);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let inner_h = h.saturating_sub(2) as usize;
    let max_scroll = lines.len().saturating_sub(inner_h) as u16;
    let scroll = scroll.min(max_scroll);
    let mut title = vec![Span::styled(" Help ", theme.title_focus)];
    if max_scroll > 0 {
        title.push(Span::styled(
            format!(" {}/{} ", scroll + 1, max_scroll + 1),
            theme.dim,
        ));
    }
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .padding(Padding::horizontal(1))
        .title(Line::from(title))
        .style(theme.popup);
    f.render_widget(Clear, r);
    f.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), r);
}

fn help_lines(m: &Model, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for ctx in [
        Context::Global,
        Context::Room,
        Context::Chats,
        Context::History,
        Context::CallDialog,
    ] {
        lines.push(Line::styled(ctx.title().to_string(), theme.title));
        for &a in Action::ALL.iter().filter(|a| a.context() == ctx) {
            let keys = m.ui.keys.describe(a);
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), theme.key),
                Span::raw(a.description().to_string()),
            ]));
        }
        if ctx == Context::Global {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<16}", "Ctrl-C"), theme.key),
                Span::raw("quit, from anywhere"),
            ]));
        }
        lines.push(Line::raw(""));
    }
    // The fixed keys of text inputs, from the tables the inputs themselves follow.
    for (title, table) in [
        (
            "Composer (while writing)",
            crate::app::COMPOSER_KEYS as &[(&str, &str)],
        ),
        (
            "Editing (the composer, prompts, filters, the explorer)",
            crate::app::EDITING_KEYS,
        ),
    ] {
        lines.push(Line::styled(title, theme.title));
        for (k, what) in table {
            lines.push(Line::from(vec![
                Span::styled(format!("  {k:<21}"), theme.key),
                Span::raw(*what),
            ]));
        }
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled("Room keys work in every pane.", theme.dim));
    lines.push(Line::styled(
        "Keys are set under [ui.keys] in the config file.",
        theme.dim,
    ));
    lines.push(Line::styled(
        format!(
            "{} or Esc closes this help.",
            m.ui.keys.describe(Action::Help)
        ),
        theme.dim,
    ));
    lines
}
