//! The main screen's panes. Until the links deliver data they draw their empty states, which
//! say what is missing and what to do about it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding, Paragraph, Wrap};

use super::Theme;
use crate::app::{LinkStatus, Model, Pane};
use crate::keys::Action;

fn block<'a>(title: &'a str, focused: bool, theme: &Theme) -> Block<'a> {
    let (b, t) = if focused {
        (theme.border_focus, theme.title_focus)
    } else {
        (theme.border, theme.title)
    };
    Block::new()
        .borders(Borders::ALL)
        .border_style(b)
        .padding(Padding::horizontal(1))
        .title(Span::styled(format!(" {title} "), t))
}

fn status_style(s: &LinkStatus, theme: &Theme) -> ratatui::style::Style {
    match s {
        LinkStatus::Authorized | LinkStatus::Connected => theme.ok,
        LinkStatus::Disconnected { .. } | LinkStatus::Retrying { .. } => theme.error,
        LinkStatus::Connecting => theme.warn,
        LinkStatus::NotConfigured | LinkStatus::Offline => theme.dim,
    }
}

fn draw(f: &mut Frame, area: Rect, block: Block<'_>, lines: Vec<Line<'_>>) {
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

pub fn room(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let b = block("Room", m.focus == Pane::Room, theme);
    let lines = match m.active_room() {
        None => vec![
            Line::styled("No room configured.", theme.warn),
            Line::raw(""),
            Line::styled(
                "Add a [[room]] to the config file, or run with --demo.",
                theme.dim,
            ),
        ],
        Some(r) => {
            let mut v = vec![
                Line::styled(r.name.clone(), theme.title),
                Line::styled(r.address.clone(), theme.dim),
                Line::from(vec![
                    Span::raw("Link: "),
                    Span::styled(m.room_link.label(), status_style(&m.room_link, theme)),
                ]),
            ];
            if m.rooms.len() > 1 {
                v.push(Line::raw(""));
                v.push(Line::styled(
                    format!(
                        "{} rooms configured; {} switches",
                        m.rooms.len(),
                        m.keys.describe(Action::SwitchRoom)
                    ),
                    theme.dim,
                ));
            }
            v
        }
    };
    draw(f, area, b, lines);
}

pub fn chats(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let b = block("Chats", m.focus == Pane::Chats, theme);
    let lines = match &m.chat_account {
        None => vec![
            Line::styled("No chat server configured.", theme.warn),
            Line::raw(""),
            Line::styled(
                "Add [chat] to the config file, or run with --demo.",
                theme.dim,
            ),
        ],
        Some(account) => vec![
            Line::styled(account.clone(), theme.title),
            Line::from(vec![
                Span::raw("Link: "),
                Span::styled(m.chat_link.label(), status_style(&m.chat_link, theme)),
            ]),
        ],
    };
    draw(f, area, b, lines);
}

pub fn history(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let b = block("History", m.focus == Pane::History, theme);
    draw(f, area, b, vec![Line::styled("No chat open.", theme.dim)]);
}

pub fn composer(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let b = block("Message", false, theme);
    let hint = format!(
        "{} writes a message in the open chat",
        m.keys.describe(Action::Compose)
    );
    draw(f, area, b, vec![Line::styled(hint, theme.dim)]);
}

pub fn inspector(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let b = block("Inspector", false, theme);
    let lines = vec![
        Line::styled("No traffic yet.", theme.dim),
        Line::styled(
            format!(
                "Frames in and out of both links appear here; {} hides this pane.",
                m.keys.describe(Action::Inspector)
            ),
            theme.dim,
        ),
    ];
    draw(f, area, b, lines);
}
