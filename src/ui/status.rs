use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::text::{truncate, width};
use crate::app::{LinkStatus, Model, NoticeLevel, Session};
use crate::keys::Action;

/// The bottom line: demo badge, both links' state, then a notice or the key hints.
pub fn bar(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let total = area.width as usize;
    let mut spans: Vec<Span> = Vec::new();
    if m.session == Session::Demo {
        spans.push(Span::styled(" DEMO ", theme.badge));
        spans.push(Span::raw(" "));
    }
    let (right, right_style) = match &m.notice {
        Some(n) => (
            n.text.clone(),
            match n.level {
                NoticeLevel::Info => theme.ok,
                NoticeLevel::Warn => theme.warn,
                NoticeLevel::Error => theme.error,
            },
        ),
        None => (
            format!(
                "{} help  {} quit",
                m.keys.describe(Action::Help),
                m.keys.describe(Action::Quit)
            ),
            theme.dim,
        ),
    };
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    // The links' states matter more than names: drop the names first when space is short.
    let room_name = m.active_room().map(|r| r.name.as_str());
    let chat_name = m.chat_account.as_deref();
    let full = links_text(room_name, &m.room_link, chat_name, &m.chat_link);
    let short = links_text(None, &m.room_link, None, &m.chat_link);
    let budget = total.saturating_sub(used + 2);
    let (left, right) = if width(&full) + width(&right) + 2 <= budget {
        (full, right)
    } else if width(&short) + width(&right) + 2 <= budget {
        (short, right)
    } else {
        // A notice wins over the link summary; hints give way to it.
        let r = truncate(
            &right,
            budget.saturating_sub(width(&short).min(budget / 2) + 2),
        );
        (truncate(&short, budget.saturating_sub(width(&r) + 2)), r)
    };
    spans.push(Span::raw(left.clone()));
    let pad = total.saturating_sub(used + width(&left) + width(&right) + 1);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(right, right_style));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn links_text(
    room: Option<&str>,
    room_link: &LinkStatus,
    chat: Option<&str>,
    chat_link: &LinkStatus,
) -> String {
    let part = |label: &str, name: Option<&str>, s: &LinkStatus| match name {
        Some(n) => format!("{label} {n}: {}", s.label()),
        None => format!("{label}: {}", s.label()),
    };
    format!(
        "{}  │  {}",
        part("Room", room, room_link),
        part("Chat", chat, chat_link)
    )
}
