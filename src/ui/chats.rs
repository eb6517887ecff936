//! The chat list pane: the account, the filter, the chats with unread counts.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::panes::{block, draw, status_style};
use super::text::{truncate, width};
use super::{HitMap, Theme};
use crate::app::{Loadable, Model, Pane, Target};

pub fn chats(f: &mut Frame, area: Rect, m: &Model, theme: &Theme, hits: &mut HitMap) {
    let b = block("Chats", m.ui.focus == Pane::Chats, theme);
    let Some(account) = &m.chat.account else {
        let lines = vec![
            Line::styled("No chat server configured.", theme.warn),
            Line::raw(""),
            Line::styled(
                "Add [chat] to the config file, or run with --demo.",
                theme.dim,
            ),
        ];
        return draw(f, area, b, lines);
    };
    let inner = b.inner(area);
    let (w, h) = (inner.width as usize, inner.height as usize);
    let mut lines = vec![Line::from(vec![
        Span::styled(truncate(account, w.saturating_sub(10)), theme.title),
        Span::raw("  "),
        Span::styled(m.chat.link.short_label(), status_style(&m.chat.link, theme)),
    ])];
    if m.chat.list.from_store {
        // Never shown as the server's word: the list is what was kept, not yet checked.
        use crate::link::LinkStatus as L;
        let what = match &m.chat.link {
            s if s.is_up() => "stored copy · checking",
            L::Offline | L::Connecting | L::Connected => "stored copy · connecting",
            _ => "stored copy · server unreachable",
        };
        lines.push(Line::styled(what, theme.warn));
    }
    match &m.chat.list.state {
        Loadable::NotAsked if !m.chat.link.is_up() => lines.push(Line::styled(
            format!("Link: {}", m.chat.link.label()),
            status_style(&m.chat.link, theme),
        )),
        Loadable::NotAsked | Loadable::Loading => {
            lines.push(Line::styled("Loading chats…", theme.dim));
        }
        Loadable::Failed(e) => {
            lines.push(Line::styled("Cannot load the chats:", theme.error));
            lines.push(Line::styled(e.clone(), theme.error));
        }
        Loadable::Ready if m.chat.list.items.is_empty() => {
            lines.push(Line::styled("No chats yet.", theme.dim));
        }
        Loadable::Ready => {
            let typing = m.mode.is_filtering();
            let filtered = typing || !m.chat.filter.is_empty();
            if filtered {
                lines.push(Line::from(vec![
                    Span::styled("/", theme.key),
                    Span::raw(super::text::with_bar(
                        &m.chat.filter.query,
                        typing,
                        w.saturating_sub(1),
                    )),
                ]));
            }
            let shown_rows = m.chat.list.matching(m.chat.filter.query.text());
            if shown_rows.is_empty() {
                lines.push(Line::styled("No chat matches.", theme.dim));
            }
            // Only the rows that fit, scrolled so the selection shows.
            let rows = h.saturating_sub(lines.len()).max(1);
            let sel = m
                .chat
                .list
                .selected
                .as_ref()
                .and_then(|s| shown_rows.iter().position(|c| &c.id == s))
                .unwrap_or(0);
            let first = sel.saturating_sub(rows - 1);
            for (i, c) in shown_rows.iter().enumerate().skip(first).take(rows) {
                let count = if c.unread > 0 {
                    format!(" {}", c.unread.min(9999))
                } else {
                    String::new()
                };
                let title_w = w.saturating_sub(2 + width(&count));
                let shown = match (c.kind, m.chat.names.get(&c.title)) {
                    (crate::chat::types::ChatType::P2p, Some(n)) => n.as_str(),
                    _ => c.title.as_str(),
                };
                let title = truncate(shown, title_w);
                let pad = " ".repeat(title_w.saturating_sub(width(&title)));
                let selected = i == sel && m.ui.focus == Pane::Chats;
                let style = if selected {
                    theme.title_focus.add_modifier(Modifier::REVERSED)
                } else if c.unread > 0 {
                    theme.title
                } else {
                    ratatui::style::Style::default()
                };
                hits.push(
                    Rect {
                        y: inner.y + lines.len() as u16,
                        height: 1,
                        ..inner
                    },
                    Target::Chat(c.id.clone()),
                );
                lines.push(Line::from(vec![
                    Span::styled(format!("{} ", c.marker()), theme.dim),
                    Span::styled(format!("{title}{pad}"), style),
                    Span::styled(count, theme.warn.add_modifier(Modifier::BOLD)),
                ]));
            }
        }
    }
    f.render_widget(Paragraph::new(lines).block(b), area);
}
