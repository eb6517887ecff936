//! The Room pane: the link, the Room's state, the call and its people.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::Theme;
use super::panes::{block, draw, status_style};
use crate::app::{Model, Pane};
use crate::keys::Action;
use crate::room::state::{Call, Login};

pub fn room(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let b = block("Room", m.ui.focus == Pane::Room, theme);
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
                    Span::styled(m.room.link.label(), status_style(&m.room.link, theme)),
                ]),
            ];
            if m.room.link.is_up() {
                room_state_lines(&mut v, m, theme, area.width.saturating_sub(4) as usize);
            }
            if m.room.list.len() > 1 {
                v.push(Line::styled(
                    format!(
                        "{} rooms configured; {} switches",
                        m.room.list.len(),
                        m.ui.keys.describe(Action::SwitchRoom)
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
        match s.state.app_state {
            Some(a) => Span::styled(a.describe().to_string(), theme.title),
            None => Span::styled("unknown", theme.dim),
        },
    ]));
    // What nothing has said is shown as unknown; "not logged in" is in the state line.
    match &s.state.login {
        Login::LoggedIn(Some(p)) => v.push(Line::raw(format!(
            "Account: {}",
            line(if p.name.is_empty() { &p.id } else { &p.name })
        ))),
        Login::LoggedIn(None) => v.push(Line::styled("Account: ? (logged in)", theme.dim)),
        Login::Unknown => v.push(Line::styled("Account: ?", theme.dim)),
        Login::LoggedOut => {}
    }
    if let Some(srv) = s.state.server.info() {
        let port = srv.port.map(|p| format!(":{p}")).unwrap_or_default();
        v.push(Line::styled(
            super::text::truncate(
                &format!("Server: {}", line(&format!("{}{port}", srv.server))),
                width.max(1),
            ),
            theme.dim,
        ));
    }
    if let Some(i) = &s.state.invite {
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
            Span::styled(m.ui.keys.describe(Action::Accept), theme.key),
            Span::raw(" accept  "),
            Span::styled(m.ui.keys.describe(Action::Reject), theme.key),
            Span::raw(" reject"),
        ]));
    } else if let Some(c) = &s.state.calling {
        v.push(Line::styled(format!("Calling {}…", line(c)), theme.warn));
    } else if let Some(what) = match s.state.call() {
        Call::Unknown => Some("Call: ?"),
        Call::Ringing => Some("Call: ringing (details unknown)"),
        Call::InConferenceUnknown => Some("Call: in a conference (details unknown)"),
        Call::Ending => Some("Call: ending"),
        _ => None,
    } {
        v.push(Line::styled(what, theme.dim));
    } else if let Some(c) = &s.state.conference {
        let title = if c.title.is_empty() { &c.id } else { &c.title };
        let dur = m
            .room
            .conf_secs
            .map(|t| format!(" · {}:{:02}", t / 60, t % 60))
            .unwrap_or_default();
        // The count and duration stay; a long title gives way.
        let tail = format!(" ({}){dur}", c.participants.len());
        let room = width.saturating_sub(super::text::width(&tail) + 6).max(4);
        v.push(Line::styled(
            format!("Call: {}{tail}", super::text::truncate(&line(title), room)),
            theme.ok,
        ));
        let me = s.state.login.peer().map(|p| p.id.as_str()).unwrap_or("");
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
            // Owner (role 2) and podium marks, then the devices.
            // A narrow pane gets the short forms: ★▲ m✓ c✗.
            let owner = if p.role == 2 { " ★" } else { "" };
            let flags = if width >= 40 {
                let podium = if p.broadcast { " ▲podium" } else { "" };
                format!(
                    "{owner}{podium} mic {} cam {}",
                    device_mark(p.mic),
                    device_mark(p.video)
                )
            } else {
                let podium = if p.broadcast { "▲" } else { "" };
                let short = |d| match device_mark(d) {
                    "on" => "✓",
                    "off" => "✗",
                    _ => "—",
                };
                format!("{owner}{podium} m{} c{}", short(p.mic), short(p.video))
            };
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
    let onoff = |muted: Option<bool>| match muted {
        Some(true) => "off",
        Some(false) => "on",
        None => "?",
    };
    v.push(Line::raw(format!(
        "Mic {} · Camera {}",
        onoff(s.state.mic_muted),
        onoff(s.state.camera_muted)
    )));
    let vol = s
        .state
        .volume
        .map(|x| format!(" · Volume {:.0}%", x * 100.0))
        .unwrap_or_default();
    v.push(Line::raw(format!(
        "Speaker {}{vol}",
        onoff(s.state.speaker_muted)
    )));
    if let Some(o) = &s.state.last_outcome {
        v.push(Line::styled(format!("Last: {}", line(o)), theme.dim));
    }
}
