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
    let Some(account) = &m.chat_account else {
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
        Span::styled(m.chat_link.short_label(), status_style(&m.chat_link, theme)),
    ])];
    match &m.chats.state {
        Loadable::NotAsked if !m.chat_link.is_up() => lines.push(Line::styled(
            format!("Link: {}", m.chat_link.label()),
            status_style(&m.chat_link, theme),
        )),
        Loadable::NotAsked | Loadable::Loading => {
            lines.push(Line::styled("Loading chats…", theme.dim))
        }
        Loadable::Failed(e) => {
            lines.push(Line::styled("Cannot load the chats:", theme.error));
            lines.push(Line::styled(e.clone(), theme.error));
        }
        Loadable::Ready if m.chats.items.is_empty() => {
            lines.push(Line::styled("No chats yet.", theme.dim))
        }
        Loadable::Ready => {
            let filtered = m.filtering || !m.chat_filter.is_empty();
            if filtered {
                let cursor = if m.filtering { "▏" } else { "" };
                lines.push(Line::from(vec![
                    Span::styled("/", theme.key),
                    Span::raw(truncate(
                        &format!("{}{cursor}", m.chat_filter),
                        w.saturating_sub(1),
                    )),
                ]));
            }
            let shown_rows = m.chats.matching(&m.chat_filter, &m.names);
            if shown_rows.is_empty() {
                lines.push(Line::styled("No chat matches.", theme.dim));
            }
            // Only the rows that fit, scrolled so the selection shows.
            let rows = h.saturating_sub(if filtered { 2 } else { 1 }).max(1);
            let sel = m
                .chats
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
                let shown = match (c.kind, m.names.get(&c.title)) {
                    (crate::chat::types::ChatType::P2p, Some(n)) => n.as_str(),
                    _ => c.title.as_str(),
                };
                let title = truncate(shown, title_w);
                let pad = " ".repeat(title_w.saturating_sub(width(&title)));
                let selected = i == sel && m.focus == Pane::Chats;
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

pub fn history(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let title = match &m.open_chat {
        Some(o) => format!("History: {}", m.names.get(&o.title).unwrap_or(&o.title)),
        None => "History".to_string(),
    };
    let b = block(&title, m.focus == Pane::History, theme);
    let Some(open) = &m.open_chat else {
        let hint = format!(
            "No chat open. {} opens the chat selected in the list.",
            m.keys.describe(Action::Open)
        );
        return draw(f, area, b, vec![Line::styled(hint, theme.dim)]);
    };
    let inner = b.inner(area);
    let (w, h) = (inner.width as usize, inner.height as usize);
    let note = match &open.state {
        Loadable::Loading | Loadable::NotAsked if open.messages.is_empty() => {
            Some(("Loading…".to_string(), theme.dim))
        }
        Loadable::Failed(e) => Some((format!("Cannot load the history: {e}"), theme.error)),
        Loadable::Ready if open.messages.is_empty() => {
            Some(("No messages.".to_string(), theme.dim))
        }
        _ => None,
    };
    if let Some((text, style)) = note
        && !m.outbox.iter().any(|o| o.chat_id == open.chat_id)
    {
        return draw(f, area, b, vec![Line::styled(text, style)]);
    }
    // Bottom-anchored: lay out from the newest message back until the pane is full, so the
    // cost is the visible lines, not the history's length. Unconfirmed messages go last.
    let mut rows: Vec<Line> = Vec::new();
    for o in m.outbox.iter().filter(|o| o.chat_id == open.chat_id) {
        let (mark, style) = match &o.state {
            crate::app::OutState::Pending => ("⏳ waiting for the link".to_string(), theme.warn),
            crate::app::OutState::Sending => ("… sending".to_string(), theme.dim),
            crate::app::OutState::Failed(e) => (
                format!(
                    "✗ not sent: {e} ({} retries)",
                    m.keys.describe(Action::Retry)
                ),
                theme.error,
            ),
        };
        rows.push(Line::from(vec![
            Span::styled("you ", theme.ok),
            Span::styled(truncate(&mark, w.saturating_sub(4)), style),
        ]));
        for l in o.text.lines() {
            for piece in wrap(l, w.max(1)) {
                rows.push(Line::styled(piece, theme.dim));
            }
        }
    }
    let off = m.utc_offset_secs;
    let day = |ts: u64| local(ts, off).get(..10).map(String::from);
    let msgs = &open.messages;
    let blocks = msgs.iter().enumerate().rev().map(|(i, e)| {
        let mut lines = Vec::new();
        // A separator where the (local) date changes, and above the oldest message shown.
        let this = day(e.timestamp);
        if i == 0 || msgs.get(i - 1).map(|p| day(p.timestamp)) != Some(this.clone()) {
            let label = format!(" {} ", weekday_date(e.timestamp, off));
            let left = w.saturating_sub(width(&label)) / 2;
            let right = w.saturating_sub(width(&label) + left);
            lines.push(Line::styled(
                truncate(
                    &format!("{}{label}{}", "─".repeat(left), "─".repeat(right)),
                    w,
                ),
                theme.dim,
            ));
        }
        lines.extend(message_lines(
            e,
            m.chat_me.as_deref(),
            &m.names,
            w,
            off,
            theme,
        ));
        lines
    });
    let rows = bottom_anchored(blocks, rows, h);
    f.render_widget(Paragraph::new(rows).block(b), area);
}

/// The last `h` lines of `blocks` (given newest first) followed by `tail`: only as many blocks
/// are laid out as fill the pane, so the cost follows the pane's size, not the history's.
fn bottom_anchored<'a>(
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

/// A message as lines of at most `w` columns: a header (time, author, marks), then its text.
fn message_lines<'a>(
    e: &crate::chat::types::Envelope,
    me: Option<&str>,
    names: &std::collections::HashMap<String, String>,
    w: usize,
    offset: i64,
    theme: &Theme,
) -> Vec<Line<'a>> {
    // The display name once the server told it (already sanitised), else the login.
    let author = match names.get(&e.author.id) {
        Some(n) => n.clone(),
        None => {
            crate::sanitize::line(e.author.id.split('@').next().unwrap_or_default()).into_owned()
        }
    };
    let mine = me == Some(e.author.id.as_str());
    let time = local(e.timestamp, offset);
    let mut head = vec![
        Span::styled(time.get(11..16).unwrap_or("").to_string(), theme.dim),
        Span::raw(" "),
        Span::styled(author, if mine { theme.ok } else { theme.title }),
    ];
    if e.is_edited {
        head.push(Span::styled(" (edited)", theme.dim));
    }
    let mut out = vec![Line::from(head)];
    if let Some(r) = &e.reply_message {
        let q = format!("│ {}", crate::sanitize::line(&r.summary()));
        out.push(Line::styled(truncate(&q, w), theme.dim));
    }
    // A huge message shows its start: laying out a megabyte every frame would stall the UI.
    const SHOWN: usize = 16 * 1024;
    let summary = e.summary();
    let (shown, cut) = match summary.char_indices().nth(SHOWN) {
        Some((b, _)) => (&summary[..b], Some(summary.len())),
        None => (summary.as_str(), None),
    };
    let body = crate::sanitize::text(shown).into_owned();
    let style = if e.is_system() {
        theme.dim
    } else {
        ratatui::style::Style::default()
    };
    for l in body.lines() {
        for piece in wrap(l, w.max(1)) {
            out.push(Line::styled(piece, style));
        }
    }
    if let Some(total) = cut {
        out.push(Line::styled(
            format!(
                "… cut here: the message is {}",
                crate::chat::types::human_size(total as u64)
            ),
            theme.dim,
        ));
    }
    out
}

/// Splits a line into pieces of at most `w` display columns (wide characters kept whole).
fn wrap(s: &str, w: usize) -> Vec<String> {
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

pub fn composer(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let title = if m.composing {
        "Message · Enter sends · Alt-Enter new line"
    } else {
        "Message"
    };
    let b = block(title, m.composing, theme);
    let draft = m
        .open_chat
        .as_ref()
        .and_then(|o| m.drafts.get(&o.chat_id))
        .filter(|d| !d.text.is_empty());
    let Some(d) = draft else {
        let hint = if m.composing {
            String::new()
        } else {
            format!(
                "{} writes a message in the open chat",
                m.keys.describe(Action::Compose)
            )
        };
        let inner = b.inner(area);
        draw(f, area, b, vec![Line::styled(hint, theme.dim)]);
        if m.composing {
            f.set_cursor_position((inner.x, inner.y));
        }
        return;
    };
    let inner = b.inner(area);
    let w = (inner.width as usize).max(1);
    // Wrap by display width, remembering where the cursor lands.
    let mut rows: Vec<String> = vec![String::new()];
    let mut col = 0usize;
    let mut cursor = (0usize, 0usize);
    for (i, c) in d.text.chars().chain(std::iter::once('\0')).enumerate() {
        if i == d.cursor {
            if col >= w {
                rows.push(String::new());
                col = 0;
            }
            cursor = (rows.len() - 1, col);
        }
        if c == '\0' {
            break;
        }
        if c == '\n' {
            rows.push(String::new());
            col = 0;
            continue;
        }
        let c = if c == '\t' { ' ' } else { c };
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if col + cw > w {
            rows.push(String::new());
            col = 0;
            if i == d.cursor {
                cursor = (rows.len() - 1, 0);
            }
        }
        if let Some(r) = rows.last_mut() {
            r.push(c);
        }
        col += cw;
    }
    let h = (inner.height as usize).max(1);
    let first = (cursor.0 + 1).saturating_sub(h);
    let style = if m.composing {
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
    if m.composing {
        f.set_cursor_position((
            inner.x + cursor.1 as u16,
            inner.y + (cursor.0 - first) as u16,
        ));
    }
}

pub fn inspector(f: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let b = block("Inspector", false, theme);
    if m.traffic.is_empty() {
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
        return draw(f, area, b, lines);
    }
    let inner = b.inner(area);
    let (w, h) = (inner.width as usize, inner.height as usize);
    // Newest at the bottom; only the frames that fit are pretty-printed.
    let blocks = m.traffic.iter().rev().map(|t| {
        let time = local(t.at_ms, m.utc_offset_secs);
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
fn local(ms: u64, offset_secs: i64) -> String {
    let shifted = (ms as i64)
        .saturating_add(offset_secs.saturating_mul(1000))
        .max(0) as u64;
    crate::commands::chat::utc(shifted)
}

/// `Sun 22 Nov 2026` for date separators.
fn weekday_date(ms: u64, offset_secs: i64) -> String {
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
    fn a_megabyte_message_is_laid_out_in_bounded_lines() {
        let e = crate::chat::types::Envelope::from_value(&serde_json::json!({
            "chatId": "c", "messageId": "m", "timestamp": 1, "type": 200,
            "author": {"id": "a@srv", "type": 1},
            "content": {"text": "x".repeat(1_000_000), "parseMode": "text"}}))
        .unwrap();
        let theme = Theme::named(crate::config::ThemeName::Dark);
        let lines = message_lines(&e, None, &Default::default(), 80, 0, &theme);
        assert!(lines.len() < 16 * 1024 / 80 + 4, "{} lines", lines.len());
        let last: String = lines
            .last()
            .unwrap()
            .spans
            .iter()
            .map(|s| s.content.as_ref())
            .collect();
        assert!(last.contains("cut here"), "{last}");
    }

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
