//! Everyone in the call, over the screen: each participant's name and id, microphone, camera,
//! role and podium, as the Room said them ("?" where it has not).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph};

use super::Theme;
use super::text::{truncate, width};
use crate::app::Model;
use crate::keys::Action;
use crate::room::protocol::DeviceState;
use crate::room::state::{Call, Participant, call_id};
use crate::sanitize;

fn device(d: DeviceState) -> &'static str {
    match d {
        DeviceState::On => "on",
        DeviceState::Muted => "off",
        DeviceState::Absent => "none",
        DeviceState::Unknown => "?",
    }
}

/// The role's words (docs/room-protocol.md, Enumerations), moderator rights, and the podium
/// (`podium`: the conference is role-based, where the podium means something).
fn role(p: &Participant, podium: bool) -> String {
    let r = match p.role {
        None => "role ?".into(),
        Some(1) => "ordinary".into(),
        Some(2) => "owner".into(),
        Some(3) => "asks for the podium".into(),
        Some(4) => "invited to the podium".into(),
        Some(5) => "audio remark".into(),
        Some(n) => format!("role {n}"),
    };
    let mut tags = Vec::new();
    if p.moderator() == Some(true) {
        tags.push("◆moderator");
    }
    match (podium, p.broadcast) {
        (true, Some(true)) => tags.push("▲podium"),
        (true, None) => tags.push("podium?"),
        _ => {}
    }
    // "ordinary" says nothing more once a tag says something.
    match (p.role, tags.is_empty()) {
        (Some(1), false) => tags.join(" "),
        (_, true) => r,
        _ => format!("{r} {}", tags.join(" ")),
    }
}

/// "1 participant", "4 participants".
pub(super) fn people(n: usize) -> String {
    if n == 1 {
        "1 participant".into()
    } else {
        format!("{n} participants")
    }
}

/// The rows, in columns: who (the name, with the id when there is room), microphone,
/// camera, role.
fn rows(list: &[&Participant], podium: bool, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let roles: Vec<String> = list.iter().map(|p| role(p, podium)).collect();
    let role_w = roles.iter().map(|r| width(r)).max().unwrap_or(0).min(24);
    // "  mic off   cam none  " before the role.
    let devices_w = 22;
    let name_w = w.saturating_sub(devices_w + role_w).max(8);
    let who: Vec<(String, String)> = list
        .iter()
        .map(|p| {
            let id = sanitize::line(call_id(&p.peer.id)).into_owned();
            let name = if p.peer.name.is_empty() {
                String::new()
            } else {
                sanitize::line(&p.peer.name).into_owned()
            };
            (name, id)
        })
        .collect();
    // Each id beside its name when every row has room for both (a name alone says little
    // when two people share it); else the names (the id for someone without one).
    let with_ids = who
        .iter()
        .all(|(name, id)| name.is_empty() || width(name) + width(id) + 3 <= name_w);
    list.iter()
        .zip(roles)
        .zip(who)
        .map(|((p, role), (name, id))| {
            let who = match (name.is_empty(), with_ids) {
                (true, _) => truncate(&id, name_w),
                (false, true) => format!("{name} ({id})"),
                (false, false) => truncate(&name, name_w),
            };
            let pad = name_w.saturating_sub(width(&who));
            let flags = format!(
                "  mic {:<5} cam {:<5} {}",
                device(p.mic),
                device(p.video),
                truncate(&role, role_w.max(1))
            );
            Line::from(vec![
                Span::raw(format!("{who}{}", " ".repeat(pad))),
                Span::styled(flags, theme.dim),
            ])
        })
        .collect()
}

/// The list, its cursor on row `selected` (kept in sight), and what the conference's owner
/// may do to the selected participant (or why not).
pub fn overlay(f: &mut Frame, area: Rect, m: &Model, selected: u16, theme: &Theme) {
    let w = area.width.saturating_sub(4).min(96);
    let inner_w = w.saturating_sub(4) as usize;
    let state = &m.room.state;
    let me = state.me();
    let mut head: Vec<Line<'static>> = Vec::new();
    let mut rows: Vec<Line<'static>> = Vec::new();
    match (state.call(), &state.conference) {
        (Call::InConference(_), Some(c)) => {
            let others = c.others(me);
            let title = if c.title.is_empty() { &c.id } else { &c.title };
            head.push(Line::styled(
                truncate(&format!("Call: {}", sanitize::line(title)), inner_w),
                theme.title,
            ));
            head.push(Line::styled(
                truncate(
                    &match me {
                        Some(_) => format!("{} + you", people(others.len())),
                        None => format!(
                            "{}; the Room's own account is unknown, so it may be one of them",
                            people(others.len())
                        ),
                    },
                    inner_w,
                ),
                theme.dim,
            ));
            if others.is_empty() {
                rows.push(Line::styled("Nobody else has joined yet.", theme.dim));
            }
            let sel = usize::from(selected).min(others.len().saturating_sub(1));
            rows.extend(
                self::rows(&others, c.role_based(), inner_w.saturating_sub(2), theme)
                    .into_iter()
                    .enumerate()
                    .map(|(i, mut l)| {
                        l.spans
                            .insert(0, Span::raw(if i == sel { "▶ " } else { "  " }));
                        l
                    }),
            );
        }
        (Call::InConferenceUnknown, _) => head.push(Line::styled(
            "In a conference whose details the Room has not given.",
            theme.dim,
        )),
        _ => head.push(Line::styled("No call in progress.", theme.dim)),
    }
    head.push(Line::raw(""));
    let h = area
        .height
        .saturating_sub(2)
        .min((head.len() + rows.len()) as u16 + 2);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let fit = (h.saturating_sub(2) as usize).saturating_sub(head.len());
    let max_scroll = rows.len().saturating_sub(fit);
    // The first row shown keeps the cursor in sight.
    let first = (usize::from(selected) + 1)
        .saturating_sub(fit)
        .min(max_scroll);
    let mut title = vec![Span::styled(" Participants ", theme.title_focus)];
    if max_scroll > 0 {
        title.push(Span::styled(
            format!(" {}–{} of {} ", first + 1, first + fit, rows.len()),
            theme.dim,
        ));
    }
    title.push(Span::styled(
        format!(" {}/Esc closes ", m.ui.keys.describe(Action::Participants)),
        theme.dim,
    ));
    let mut lines = head;
    lines.extend(rows.into_iter().skip(first).take(fit));
    // What the selected participant can have done to them, or why not.
    let k = |a: Action| m.ui.keys.describe(a);
    let bottom = match (&state.conference, crate::app::control_refusal(state)) {
        (None, _) => Line::raw(""),
        (Some(_), Some(why)) => Line::styled(
            truncate(&format!(" Not available: {why} "), inner_w),
            theme.dim,
        ),
        (Some(_), None) => Line::styled(
            format!(
                " {} mic · {} camera · {} podium · {} moderator · {} remove · {} invite ",
                k(Action::Mic),
                k(Action::Camera),
                k(Action::Podium),
                k(Action::Moderator),
                k(Action::Delete),
                k(Action::Call)
            ),
            theme.key,
        ),
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .padding(Padding::horizontal(1))
        .title(Line::from(title))
        .title_bottom(bottom)
        .style(theme.popup);
    f.render_widget(Clear, r);
    f.render_widget(Paragraph::new(lines).block(block), r);
}
