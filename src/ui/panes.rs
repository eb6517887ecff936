//! The main screen's panes. Until the links deliver data they draw their empty states, which
//! say what is missing and what to do about it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding, Paragraph, Wrap};

use super::Theme;
use super::text::{truncate, width};
use crate::app::{LinkStatus, Loadable, Model, Pane};
use crate::keys::Action;
use ratatui::style::Modifier;

pub(super) fn block<'a>(title: &'a str, focused: bool, theme: &Theme) -> Block<'a> {
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

pub(super) fn draw(f: &mut Frame, area: Rect, block: Block<'_>, lines: Vec<Line<'_>>) {
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

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
        Span::styled(s.state.app_state.describe().to_string(), theme.title),
    ]));
    if let Some(p) = &s.state.login {
        v.push(Line::raw(format!(
            "Account: {}",
            line(if p.name.is_empty() { &p.id } else { &p.name })
        )));
    }
    if let Some(srv) = &s.state.server
        && !srv.server.is_empty()
    {
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
        let me = s.state.login.as_ref().map(|p| p.id.as_str()).unwrap_or("");
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
    let onoff = |muted: bool| if muted { "off" } else { "on" };
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

pub fn chats(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
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
                    Span::raw(truncate(
                        &with_bar(&m.chat.filter.query, typing),
                        w.saturating_sub(1),
                    )),
                ]));
            }
            let shown_rows = m.chat.list.matching(m.chat.filter.query.text());
            if shown_rows.is_empty() {
                lines.push(Line::styled("No chat matches.", theme.dim));
            }
            // Only the rows that fit, scrolled so the selection shows.
            let rows = h.saturating_sub(if filtered { 2 } else { 1 }).max(1);
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

/// The last `h` lines of `blocks` (given newest first) followed by `tail`: only as many blocks
/// are laid out as fill the pane, so the cost follows the pane's size, not the history's.
pub(super) fn bottom_anchored<'a>(
    blocks: impl Iterator<Item = Vec<Line<'a>>>,
    tail: Vec<Line<'a>>,
    h: usize,
) -> Vec<Line<'a>> {
    let mut rows = tail;
    for mut block in blocks {
        if rows.len() >= h {
            break;
        }
        block.append(&mut rows);
        rows = block;
    }
    let skip = rows.len().saturating_sub(h);
    rows.into_iter().skip(skip).collect()
}

/// Splits a line into pieces of at most `w` display columns (wide characters kept whole).
pub(super) fn wrap(s: &str, w: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let mut out: Vec<String> = vec![String::new()];
    let mut col = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if col + cw > w && col > 0 {
            // Break after the last space of the line when there is one (words stay whole);
            // a word longer than the line is cut.
            let carry = match out.last_mut() {
                Some(l) => match l.rfind(' ') {
                    Some(i) if i + 1 < l.len() => l.split_off(i + 1),
                    _ => String::new(),
                },
                None => String::new(),
            };
            col = carry.chars().map(|c| c.width().unwrap_or(0)).sum();
            out.push(carry);
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
        col += cw;
    }
    out
}

#[cfg(test)]
mod wrap_tests {
    #[test]
    fn words_stay_whole_and_long_words_are_cut() {
        assert_eq!(
            super::wrap("check the camera now", 10),
            ["check the ", "camera now"]
        );
        assert_eq!(super::wrap("abcdefghijkl", 5), ["abcde", "fghij", "kl"]);
        let pieces = super::wrap("日本語 テキスト", 6);
        assert!(pieces.iter().all(|p| super::width(p) <= 6), "{pieces:?}");
        assert_eq!(pieces.concat(), "日本語 テキスト");
        assert_eq!(pieces[0], "日本語");
    }
}

/// The composer's title: what the draft is for (a reply, an edit), its format, and keys.
fn composer_title(m: &Model) -> String {
    let d = m
        .chat
        .open
        .as_ref()
        .and_then(|o| m.composer.drafts.get(&o.chat_id));
    let mut parts: Vec<String> = Vec::new();
    let about = |id: &str| {
        m.chat
            .open
            .as_ref()
            .and_then(|o| o.messages.iter().rev().find(|e| e.message_id == id))
    };
    match d {
        Some(d) if d.edit_of.is_some() => parts.push("Editing your message".into()),
        Some(d) if d.reply_to.is_some() => {
            let who = d
                .reply_to
                .as_deref()
                .and_then(about)
                .map(|e| {
                    m.chat.names.get(&e.author.id).cloned().unwrap_or_else(|| {
                        crate::sanitize::line(e.author.id.split('@').next().unwrap_or_default())
                            .into_owned()
                    })
                })
                .unwrap_or_else(|| "a message".into());
            parts.push(format!("Reply to {who}"));
        }
        _ => parts.push("Message".into()),
    }
    let mode = d.map(|d| d.parse_mode).unwrap_or_default();
    if mode != crate::app::ParseMode::Text || m.mode.is_composing() {
        parts.push(mode.wire().into());
    }
    if m.mode.is_composing() {
        parts.push("Enter sends · Alt-Enter new line · Ctrl-P format".into());
        if d.is_some_and(|d| d.editor.is_empty() && (d.reply_to.is_some() || d.edit_of.is_some())) {
            parts.push("Backspace cancels".into());
        }
    }
    parts.join(" · ")
}

pub fn composer(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let title = truncate(&composer_title(m), area.width.saturating_sub(4) as usize);
    let b = block(&title, m.mode.is_composing(), theme);
    let draft = m
        .chat
        .open
        .as_ref()
        .and_then(|o| m.composer.drafts.get(&o.chat_id))
        .filter(|d| !d.editor.is_empty());
    let Some(d) = draft else {
        let hint = if m.mode.is_composing() {
            String::new()
        } else {
            format!(
                "{} writes a message in the open chat",
                m.ui.keys.describe(Action::Compose)
            )
        };
        let inner = b.inner(area);
        draw(f, area, b, vec![Line::styled(hint, theme.dim)]);
        if m.mode.is_composing() {
            f.set_cursor_position((inner.x, inner.y));
        }
        return;
    };
    let inner = b.inner(area);
    let w = (inner.width as usize).max(1);
    let (rows, cursor) = wrap_draft(&d.editor, w);
    let h = (inner.height as usize).max(1);
    let first = (cursor.0 + 1).saturating_sub(h);
    let style = if m.mode.is_composing() {
        ratatui::style::Style::default()
    } else {
        theme.dim
    };
    let lines: Vec<Line> = rows
        .into_iter()
        .skip(first)
        .take(h)
        .map(|r| Line::styled(r, style))
        .collect();
    f.render_widget(Paragraph::new(lines).block(b), area);
    if m.mode.is_composing() {
        f.set_cursor_position((
            inner.x + cursor.1 as u16,
            inner.y + (cursor.0 - first) as u16,
        ));
    }
}

/// A one-line input's text, made inert, with a bar at the cursor when it has the keyboard.
pub(super) fn with_bar(e: &crate::app::Editor, focused: bool) -> String {
    let (a, b) = e.text().split_at(e.cursor());
    if focused {
        format!("{}▏{}", crate::sanitize::line(a), crate::sanitize::line(b))
    } else {
        crate::sanitize::line(e.text()).into_owned()
    }
}

/// An editor's text wrapped by display width into rows, and the (row, column) its cursor
/// lands on. Wraps between grapheme clusters, never inside one.
pub(super) fn wrap_draft(d: &crate::app::Editor, w: usize) -> (Vec<String>, (usize, usize)) {
    use unicode_segmentation::UnicodeSegmentation;
    let w = w.max(1);
    let mut rows: Vec<String> = vec![String::new()];
    let mut col = 0usize;
    let mut cursor = (0usize, 0usize);
    let text = d.text();
    let end = std::iter::once((text.len(), ""));
    for (i, g) in text.grapheme_indices(true).chain(end) {
        if i == d.cursor() {
            if col >= w {
                rows.push(String::new());
                col = 0;
            }
            cursor = (rows.len() - 1, col);
        }
        if g.is_empty() {
            break;
        }
        if g == "\n" || g == "\r\n" {
            rows.push(String::new());
            col = 0;
            continue;
        }
        let g = if g == "\t" { " " } else { g };
        let gw = unicode_width::UnicodeWidthStr::width(g);
        if col + gw > w {
            rows.push(String::new());
            col = 0;
            if i == d.cursor() {
                cursor = (rows.len() - 1, 0);
            }
        }
        if let Some(r) = rows.last_mut() {
            r.push_str(g);
        }
        col += gw;
    }
    (rows, cursor)
}

pub fn inspector(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let b = block("Inspector", false, theme);
    if m.ui.traffic.is_empty() {
        let lines = vec![
            Line::styled("No traffic yet.", theme.dim),
            Line::styled(
                format!(
                    "Frames in and out of both links appear here; {} hides this pane.",
                    m.ui.keys.describe(Action::Inspector)
                ),
                theme.dim,
            ),
        ];
        return draw(f, area, b, lines);
    }
    let inner = b.inner(area);
    let (w, h) = (inner.width as usize, inner.height as usize);
    // Newest at the bottom; only the frames that fit are pretty-printed.
    let blocks = m.ui.traffic.iter().rev().map(|t| {
        let time = local(t.at_ms, m.ui.utc_offset_secs);
        let ms = t.at_ms % 1000;
        let secs = (t.at_ms / 1000) % 60;
        let (arrow, style) = if t.outgoing {
            ("→", theme.ok)
        } else {
            ("←", theme.title)
        };
        let mut block_lines = vec![Line::from(vec![
            Span::styled(
                format!("{}:{secs:02}.{ms:03} ", time.get(11..16).unwrap_or("")),
                theme.dim,
            ),
            Span::styled(format!("{arrow} {} ", t.link), style),
            Span::styled(truncate(&t.what, w.saturating_sub(20)), theme.title),
        ])];
        let pretty = serde_json::from_str::<serde_json::Value>(&t.text)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| t.text.clone());
        let body = crate::sanitize::text(&pretty).into_owned();
        for (n, l) in body.lines().enumerate() {
            if n == 8 {
                block_lines.push(Line::styled("  …", theme.dim));
                break;
            }
            block_lines.push(Line::styled(
                truncate(&format!("  {l}"), w.max(1)),
                theme.dim,
            ));
        }
        block_lines
    });
    let rows = bottom_anchored(blocks, Vec::new(), h);
    f.render_widget(Paragraph::new(rows).block(b), area);
}

/// `YYYY-MM-DD HH:MM` of a millisecond timestamp, shifted by the local offset.
pub(super) fn local(ms: u64, offset_secs: i64) -> String {
    let shifted = (ms as i64)
        .saturating_add(offset_secs.saturating_mul(1000))
        .max(0) as u64;
    crate::commands::chat::utc(shifted)
}

/// `Sun 22 Nov 2026` for date separators.
pub(super) fn weekday_date(ms: u64, offset_secs: i64) -> String {
    let shifted = (ms as i64)
        .saturating_add(offset_secs.saturating_mul(1000))
        .max(0);
    let days = shifted.div_euclid(86_400_000);
    // 1970-01-01 was a Thursday.
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let ymd = local(ms, offset_secs);
    let month = ymd
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| {
            [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ]
            .get(m.wrapping_sub(1))
            .copied()
        })
        .unwrap_or("?");
    format!(
        "{wd} {} {month} {}",
        ymd.get(8..10).unwrap_or("?").trim_start_matches('0'),
        ymd.get(..4).unwrap_or("?")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_and_separator_dates() {
        // 2026-11-22 23:30 UTC is already Monday the 23rd at UTC+1.
        let t = 1_795_390_200_000u64;
        assert_eq!(local(t, 0), "2026-11-22 23:30");
        assert_eq!(local(t, 3600), "2026-11-23 00:30");
        assert_eq!(weekday_date(t, 0), "Sun 22 Nov 2026");
        assert_eq!(weekday_date(t, 3600), "Mon 23 Nov 2026");
        assert_eq!(
            weekday_date(0, -3600),
            "Thu 1 Jan 1970",
            "clamped at the epoch"
        );
    }
}
