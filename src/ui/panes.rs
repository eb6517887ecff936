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
            if m.room_link.is_up() {
                room_state_lines(&mut v, m, theme, area.width.saturating_sub(4) as usize);
            }
            if m.rooms.len() > 1 {
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

fn device_mark(d: crate::room::protocol::DeviceState) -> &'static str {
    use crate::room::protocol::DeviceState;
    match d {
        DeviceState::On => "on",
        DeviceState::Muted => "off",
        DeviceState::Absent => "—",
    }
}

/// The room's state under the link line: app state, account, the call, local devices.
fn room_state_lines(v: &mut Vec<Line<'static>>, m: &Model, theme: &Theme, width: usize) {
    use crate::sanitize;
    // Server strings are cut to the pane's width before layout: a 1 MB name costs one pass.
    let line = |x: &str| super::text::truncate(&sanitize::line(x), width.max(1));
    let s = &m.room;
    v.push(Line::from(vec![
        Span::raw("State: "),
        Span::styled(s.app_state.describe().to_string(), theme.title),
    ]));
    if let Some(p) = &s.login {
        v.push(Line::raw(format!(
            "Account: {}",
            line(if p.name.is_empty() { &p.id } else { &p.name })
        )));
    }
    if let Some(i) = &s.invite {
        let who = line(if i.peer.name.is_empty() {
            &i.peer.id
        } else {
            &i.peer.name
        });
        let what = if i.is_call() {
            format!("Incoming call: {who}")
        } else {
            format!("Invitation from {who}")
        };
        v.push(Line::styled(
            super::text::truncate(&what, width.max(1)),
            theme.warn,
        ));
        v.push(Line::from(vec![
            Span::styled(m.keys.describe(Action::Accept), theme.key),
            Span::raw(" accept  "),
            Span::styled(m.keys.describe(Action::Reject), theme.key),
            Span::raw(" reject"),
        ]));
    } else if let Some(c) = &s.calling {
        v.push(Line::styled(format!("Calling {}…", line(c)), theme.warn));
    } else if let Some(c) = &s.conference {
        let title = if c.title.is_empty() { &c.id } else { &c.title };
        v.push(Line::styled(
            format!("In a call: {} ({})", line(title), c.participants.len()),
            theme.ok,
        ));
        let me = s.login.as_ref().map(|p| p.id.as_str()).unwrap_or("");
        for p in c
            .participants
            .iter()
            .filter(|p| !crate::room::state::same_user(&p.peer.id, me))
        {
            let name = if p.peer.name.is_empty() {
                &p.peer.id
            } else {
                &p.peer.name
            };
            let flags = format!(" mic {} cam {}", device_mark(p.mic), device_mark(p.video));
            let room = width.saturating_sub(super::text::width(&flags) + 2).max(4);
            v.push(Line::from(vec![
                Span::raw(format!(
                    "  {}",
                    super::text::truncate(&sanitize::line(name), room)
                )),
                Span::styled(flags, theme.dim),
            ]));
        }
    }
    let onoff = |muted: bool| if muted { "off" } else { "on" };
    v.push(Line::raw(format!(
        "Mic {} · Camera {}",
        onoff(s.mic_muted),
        onoff(s.camera_muted)
    )));
    let vol = s
        .volume
        .map(|x| format!(" · Volume {:.0}%", x * 100.0))
        .unwrap_or_default();
    v.push(Line::raw(format!(
        "Speaker {}{vol}",
        onoff(s.speaker_muted)
    )));
    if let Some(o) = &s.last_outcome {
        v.push(Line::styled(format!("Last: {}", line(o)), theme.dim));
    }
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
