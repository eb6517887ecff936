//! The Room pane: the link, the Room's state, the call and its people. The pane is a few rows
//! high, so every row has a rank: when they do not all fit, the least needed give way first
//! (the server, the address, the account…), then the participants fold into "+N more", and
//! the link, the call and the local devices and volume stay to the last.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::Theme;
use super::panes::{block, draw, status_style, wrap};
use super::text::{truncate, width as cols};
use crate::app::{Model, Pane};
use crate::keys::Action;
use crate::room::protocol::DeviceState;
use crate::room::state::{Call, Login, Participant};
use crate::sanitize;

/// Ranks: a row of a lower rank gives way before one of a higher rank.
const SERVER: u8 = 0;
const ADDRESS: u8 = 1;
const ROOMS: u8 = 2;
const ACCOUNT: u8 = 3;
const LAST: u8 = 4;
/// The participants' own rows fold (one at a time, into "+N more") at this rank.
const PEOPLE: u8 = 5;
const NAME: u8 = 6;
const STATE: u8 = 7;
/// The "+N more" row that stands for all of them.
const SUMMARY: u8 = 8;
const CALL: u8 = 9;
const DEVICES: u8 = 9;
const LINK: u8 = 10;

/// What the pane holds, in order: rows with their rank, and the participants.
enum Part {
    Row(u8, Line<'static>),
    People(Vec<Line<'static>>),
}

pub fn room(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let b = block("Room", m.ui.focus == Pane::Room, theme);
    let w = (area.width.saturating_sub(4) as usize).max(1);
    let h = area.height.saturating_sub(2) as usize;
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
                Part::Row(NAME, Line::styled(truncate(&r.name, w), theme.title)),
                Part::Row(ADDRESS, Line::styled(truncate(&r.address, w), theme.dim)),
                Part::Row(
                    LINK,
                    Line::from(vec![
                        Span::raw("Link: "),
                        Span::styled(
                            truncate(&m.room.link.label(), w.saturating_sub(6).max(1)),
                            status_style(&m.room.link, theme),
                        ),
                    ]),
                ),
            ];
            if m.room.link.is_up() {
                room_state_parts(&mut v, m, theme, w);
            }
            if m.room.list.len() > 1 {
                let (n, key) = (m.room.list.len(), m.ui.keys.describe(Action::SwitchRoom));
                let long = format!("{n} rooms configured; {key} switches");
                let text = if cols(&long) <= w {
                    long
                } else {
                    truncate(&format!("{n} rooms · {key} switches"), w)
                };
                v.push(Part::Row(ROOMS, Line::styled(text, theme.dim)));
            }
            let key = m.ui.keys.describe(Action::Participants);
            fit(v, h, |shown, total| {
                let text = if shown == 0 {
                    format!(
                        "  {} · {key} lists them",
                        super::participants::people(total)
                    )
                } else {
                    format!("  +{} more · {key} lists all", total - shown)
                };
                Line::styled(truncate(&text, w), theme.dim)
            })
        }
    };
    draw(f, area, b, lines);
}

/// The rows that fit in `h`: the lowest-ranked rows give way first; the participants fold
/// into a "+N more" row (`more(shown, total)`) before anything ranked above [`PEOPLE`] goes,
/// and that row itself goes only before the rows ranked above [`SUMMARY`].
fn fit(
    parts: Vec<Part>,
    h: usize,
    more: impl Fn(usize, usize) -> Line<'static>,
) -> Vec<Line<'static>> {
    let total = parts
        .iter()
        .map(|p| match p {
            Part::People(v) => v.len(),
            Part::Row(..) => 0,
        })
        .sum::<usize>();
    let mut kept: Vec<bool> = parts.iter().map(|_| true).collect();
    let mut shown = total;
    let mut folded_away = false;
    let people_rows = |shown: usize, away: bool| match (total, away) {
        (0, _) | (_, true) => 0,
        _ if shown == total => total,
        _ => shown + 1,
    };
    // The kept row of the lowest rank below `below`, if any.
    let lowest = |kept: &[bool], below: u8| {
        parts
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match p {
                Part::Row(rank, _) if kept[i] && *rank < below => Some((*rank, i)),
                _ => None,
            })
            .min_by_key(|&(rank, i)| (rank, std::cmp::Reverse(i)))
            .map(|(_, i)| i)
    };
    loop {
        let rows = kept
            .iter()
            .zip(&parts)
            .filter(|(k, p)| **k && matches!(p, Part::Row(..)))
            .count()
            + people_rows(shown, folded_away);
        if rows <= h {
            break;
        }
        if let Some(i) = lowest(&kept, PEOPLE) {
            kept[i] = false;
        } else if shown == total && total >= 2 {
            // The first fold costs a row for "+N more": two names make way for it.
            shown = total - 2;
        } else if shown > 0 && shown < total {
            shown -= 1;
        } else if let Some(i) = lowest(&kept, SUMMARY) {
            kept[i] = false;
        } else if total > 0 && !folded_away {
            folded_away = true;
        } else if let Some(i) = lowest(&kept, u8::MAX) {
            kept[i] = false;
        } else {
            break;
        }
    }
    let mut out = Vec::new();
    for (p, k) in parts.into_iter().zip(kept) {
        match p {
            Part::Row(_, line) if k => out.push(line),
            Part::Row(..) => {}
            Part::People(_) if folded_away => {}
            Part::People(v) => {
                out.extend(v.into_iter().take(shown));
                if shown < total {
                    out.push(more(shown, total));
                }
            }
        }
    }
    out
}

fn device_mark(d: DeviceState) -> &'static str {
    match d {
        DeviceState::On => "on",
        DeviceState::Muted => "off",
        DeviceState::Absent => "—",
        DeviceState::Unknown => "?",
    }
}

/// One participant's row: the name, then owner and podium marks and the devices (short
/// forms in a narrow pane: ★▲ m✓ c✗). What the Room has not said is "?".
fn participant_line(p: &Participant, podium: bool, width: usize, theme: &Theme) -> Line<'static> {
    // The podium means something only in a role-based conference (everyone is on it
    // elsewhere); one the Room did not say about gets no mark.
    let on_podium = podium && p.broadcast == Some(true);
    let moderator = if p.moderator() == Some(true) {
        " ◆"
    } else {
        ""
    };
    let name = if p.peer.name.is_empty() {
        &p.peer.id
    } else {
        &p.peer.name
    };
    let owner = match p.role {
        Some(2) => " ★",
        Some(3) => " ✋",
        _ => moderator,
    };
    let flags = if width >= 40 {
        let podium = if on_podium { " ▲podium" } else { "" };
        format!(
            "{owner}{podium} mic {} cam {}",
            device_mark(p.mic),
            device_mark(p.video)
        )
    } else {
        let podium = match (on_podium, owner.is_empty()) {
            (true, true) => " ▲",
            (true, false) => "▲",
            _ => "",
        };
        let short = |d| match d {
            DeviceState::On => "✓",
            DeviceState::Muted => "✗",
            DeviceState::Absent => "—",
            DeviceState::Unknown => "?",
        };
        format!("{owner}{podium} m{} c{}", short(p.mic), short(p.video))
    };
    let room = width.saturating_sub(cols(&flags) + 2).max(4);
    Line::from(vec![
        Span::raw(format!("  {}", truncate(&sanitize::line(name), room))),
        Span::styled(flags, theme.dim),
    ])
}

/// The speaker and volume row: the volume the Room reported, and while a request is not yet
/// confirmed the one asked for beside it. The longest form that fits.
fn speaker_line(m: &Model, speaker: &str, width: usize) -> String {
    use crate::app::percent;
    let reported = m.room.state.volume.map(percent);
    let asked = m.room.volume_asked.map(percent);
    let vol = |word: &str, sep: &str| match (&reported, &asked) {
        (Some(r), Some(a)) if r != a => format!(" · {word} {r}{sep}→{sep}{a}"),
        (None, Some(a)) => format!(" · {word} ?{sep}→{sep}{a}"),
        (Some(r), _) => format!(" · {word} {r}"),
        (None, None) => String::new(),
    };
    let candidates = [
        format!("Speaker {speaker}{}", vol("Volume", " ")),
        format!("Speaker {speaker}{}", vol("Vol", " ")),
        format!("Spk {speaker}{}", vol("Vol", "")),
    ];
    candidates
        .iter()
        .find(|c| cols(c) <= width)
        .cloned()
        .unwrap_or_else(|| truncate(&candidates[2], width))
}

/// The room's state under the link line: app state, account, the call, local devices.
fn room_state_parts(v: &mut Vec<Part>, m: &Model, theme: &Theme, width: usize) {
    // Server strings are cut to the pane's width before layout: a 1 MB name costs one pass.
    let line = |x: &str| truncate(&sanitize::line(x), width);
    let s = &m.room;
    let (state, style) = match s.state.app_state {
        Some(a) => (a.describe(), theme.title),
        None => ("unknown", theme.dim),
    };
    // A row that does not fit the width is wrapped here, into rows of the same rank, so the
    // rows counted are the rows drawn.
    for (i, piece) in wrap(&format!("State: {state}"), width)
        .into_iter()
        .enumerate()
    {
        let line = match piece.strip_prefix("State: ") {
            Some(rest) if i == 0 => Line::from(vec![
                Span::raw("State: "),
                Span::styled(rest.to_string(), style),
            ]),
            _ => Line::styled(piece, style),
        };
        v.push(Part::Row(STATE, line));
    }
    // What nothing has said is shown as unknown; "not logged in" is in the state line.
    let account = match &s.state.login {
        Login::LoggedIn(Some(p)) => Some(Line::raw(line(&format!(
            "Account: {}",
            if p.name.is_empty() { &p.id } else { &p.name }
        )))),
        Login::LoggedIn(None) => Some(Line::styled("Account: ? (logged in)", theme.dim)),
        Login::Unknown => Some(Line::styled("Account: ?", theme.dim)),
        Login::LoggedOut => None,
    };
    if let Some(a) = account {
        v.push(Part::Row(ACCOUNT, a));
    }
    if let Some(n) = s.missed.filter(|n| *n > 0) {
        let key = m.ui.keys.describe(crate::keys::Action::CallLog);
        let text = format!("Missed: {n} · {key} lists them");
        v.push(Part::Row(ACCOUNT, Line::styled(line(&text), theme.warn)));
    }
    if let Some(srv) = s.state.server.info() {
        let port = srv.port.map(|p| format!(":{p}")).unwrap_or_default();
        v.push(Part::Row(
            SERVER,
            Line::styled(line(&format!("Server: {}{port}", srv.server)), theme.dim),
        ));
    }
    if let Some(i) = &s.state.invite {
        let who = if i.peer.name.is_empty() {
            &i.peer.id
        } else {
            &i.peer.name
        };
        let what = if i.is_call() {
            format!("Incoming call: {}", sanitize::line(who))
        } else {
            format!("Invitation from {}", sanitize::line(who))
        };
        v.push(Part::Row(
            CALL,
            Line::styled(truncate(&what, width), theme.warn),
        ));
        v.push(Part::Row(
            CALL,
            Line::from(vec![
                Span::styled(m.ui.keys.describe(Action::Accept), theme.key),
                Span::raw(" accept  "),
                Span::styled(m.ui.keys.describe(Action::Reject), theme.key),
                Span::raw(" reject"),
            ]),
        ));
    } else if let Some(c) = &s.state.calling {
        let who = s.state.contact_name(c).unwrap_or(c);
        v.push(Part::Row(
            CALL,
            Line::styled(line(&format!("Calling {who}…")), theme.warn),
        ));
    } else if let Some(what) = match s.state.call() {
        Call::Unknown => Some("Call: ?"),
        Call::Ringing => Some("Call: ringing (details unknown)"),
        Call::InConferenceUnknown => Some("Call: in a conference (details unknown)"),
        Call::Ending => Some("Call: ending"),
        _ => None,
    } {
        for piece in wrap(what, width) {
            v.push(Part::Row(CALL, Line::styled(piece, theme.dim)));
        }
    } else if let Some(c) = &s.state.conference {
        let title = if c.title.is_empty() { &c.id } else { &c.title };
        let dur = m
            .room
            .conf_secs
            .map(|t| format!(" · {}:{:02}", t / 60, t % 60))
            .unwrap_or_default();
        let me = s.state.me();
        let others = c.others(me);
        // The count is of the people listed below, and says whether the Room itself is
        // among them; it gives way to the title in a narrow pane, the duration stays.
        let count = match me {
            Some(_) => format!(" ({} + you)", others.len()),
            None => format!(" ({} listed)", others.len()),
        };
        let with_count = format!("{count}{dur}");
        let tail = if width.saturating_sub(cols(&with_count) + 6) >= 8 {
            with_count
        } else {
            dur
        };
        let room = width.saturating_sub(cols(&tail) + 6).max(4);
        v.push(Part::Row(
            CALL,
            Line::styled(
                format!("Call: {}{tail}", truncate(&sanitize::line(title), room)),
                theme.ok,
            ),
        ));
        v.push(Part::People(
            others
                .iter()
                .map(|p| participant_line(p, c.role_based(), width, theme))
                .collect(),
        ));
    }
    let onoff = |muted: Option<bool>| match muted {
        Some(true) => "off",
        Some(false) => "on",
        None => "?",
    };
    v.push(Part::Row(
        DEVICES,
        Line::raw(format!(
            "Mic {} · Camera {}",
            onoff(s.state.mic_muted),
            onoff(s.state.camera_muted)
        )),
    ));
    v.push(Part::Row(
        DEVICES,
        Line::raw(speaker_line(m, onoff(s.state.speaker_muted), width)),
    ));
    if let Some(o) = &s.state.last_outcome {
        v.push(Part::Row(
            LAST,
            Line::styled(line(&format!("Last: {o}")), theme.dim),
        ));
    }
}
