//! The history pane: the open chat in box order, laid out from the newest message back (or
//! around the selected one) so that only what is visible is ever laid out.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::panes::{block, bottom_anchored, draw, local, weekday_date, wrap};
use super::text::{truncate, width};
use super::{HitMap, Theme};

#[path = "history_pictures.rs"]
mod pictures;
use crate::app::{Loadable, Model, Older, Pane, Target, TransferState, TransferView};
use crate::chat::types::{Content, Envelope, human_size};
use crate::keys::Action;
use crate::sanitize;
use pictures::{marked_row, preview_lines};

/// What every message's layout needs from the model.
struct Ctx<'a> {
    m: &'a Model,
    theme: &'a Theme,
    w: usize,
}

/// `line` with each occurrence of `q` (as the search matches it: lowercase means any case)
/// drawn in `style`, within each span.
fn highlight(line: Line<'static>, q: &str, style: ratatui::style::Style) -> Line<'static> {
    let exact = q.chars().any(char::is_uppercase);
    let mut spans = Vec::with_capacity(line.spans.len());
    for s in line.spans {
        let text = s.content.to_string();
        // Byte ranges of matches, found on a copy that keeps byte offsets (ASCII lowercase;
        // other letters match as typed).
        let hay = if exact {
            text.clone()
        } else {
            text.to_ascii_lowercase()
        };
        let mut at = 0;
        let mut pieces = Vec::new();
        while let Some(i) = hay[at..].find(q) {
            let start = at + i;
            let end = start + q.len();
            if start > at {
                pieces.push(ratatui::text::Span::styled(
                    text[at..start].to_string(),
                    s.style,
                ));
            }
            pieces.push(ratatui::text::Span::styled(
                text[start..end].to_string(),
                s.style.patch(style),
            ));
            at = end;
        }
        if pieces.is_empty() {
            spans.push(s);
            continue;
        }
        if at < text.len() {
            pieces.push(ratatui::text::Span::styled(text[at..].to_string(), s.style));
        }
        spans.extend(pieces);
    }
    Line::from(spans).style(line.style)
}

/// Rows the open chat's messages from `from` to the newest take at width `w` (plus the "new
/// messages" line), counted until `limit`.
pub(super) fn rows_from(m: &Model, theme: &Theme, w: usize, from: usize, limit: usize) -> usize {
    let Some(open) = &m.chat.open else {
        return 0;
    };
    let cx = Ctx { m, theme, w };
    let mut rows = 1;
    for e in open.messages.iter().skip(from) {
        if rows > limit {
            break;
        }
        rows += message_lines(e, &cx, false).len();
    }
    rows
}

pub fn history(f: &mut Frame, area: Rect, m: &Model, theme: &Theme, hits: &mut HitMap) {
    let title = match &m.chat.open {
        Some(o) => format!(
            "History: {}{}",
            m.chat.names.get(&o.title).unwrap_or(&o.title),
            if o.from_store { " (stored copy)" } else { "" }
        ),
        None => "History".to_string(),
    };
    let focused = m.ui.focus == Pane::History;
    let mut b = block(&title, focused, theme);
    // Scrolled up while others wrote: how many wait below, and the key that goes there.
    if let Some(o) = m.chat.open.as_ref().filter(|o| o.new_below > 0) {
        b = b.title_bottom(
            Line::styled(
                format!(
                    " {} new ↓ {} ",
                    o.new_below,
                    m.ui.keys
                        .keys(Action::Newest)
                        .first()
                        .map_or_else(String::new, ToString::to_string)
                ),
                theme.warn,
            )
            .right_aligned(),
        );
    }
    // A newer page on its way: said where the eye is, not only under the last message held
    // (a server that stopped answering leaves the cursor waiting there).
    if m.chat.open.as_ref().is_some_and(|o| o.newer.loading) {
        b = b.title_bottom(Line::styled(" loading newer messages… ", theme.dim).left_aligned());
    }
    let Some(open) = &m.chat.open else {
        let hint = format!(
            "No chat open. {} opens the chat selected in the list.",
            m.ui.keys.describe(Action::Open)
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
    let pending = m.composer.outbox.iter().any(|o| o.chat_id == open.chat_id)
        || m.transfers
            .items
            .iter()
            .any(|t| t.chat_id == open.chat_id && t.upload);
    if let Some((text, style)) = note
        && !pending
    {
        return draw(f, area, b, vec![Line::styled(text, style)]);
    }
    let cx = Ctx { m, theme, w };
    let msgs = &open.messages;
    let selected = open.selected_index();
    let off = m.ui.utc_offset_secs;
    let day = |ts: u64| local(ts, off).get(..10).map(String::from);
    let block_of = |i: usize| {
        let e = &msgs[i];
        let mut lines = Vec::new();
        if i == 0 {
            let (text, style) = match open.older {
                Older::Loading => ("Loading older messages…", theme.dim),
                Older::Complete => ("The chat starts here", theme.dim),
                Older::More => ("", theme.dim),
            };
            if !text.is_empty() {
                lines.push(Line::styled(text, style));
            }
        }
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
        if open.first_unread.as_deref() == Some(e.message_id.as_str()) {
            let label = " new messages ";
            let left = w.saturating_sub(width(label)) / 2;
            let right = w.saturating_sub(width(label) + left);
            lines.push(Line::styled(
                truncate(
                    &format!("{}{label}{}", "┄".repeat(left), "┄".repeat(right)),
                    w,
                ),
                theme.warn,
            ));
        }
        let body = message_lines(e, &cx, focused && selected == Some(i));
        match &open.search {
            // A match: the words found stand out (the header, author and time, is not
            // searched).
            Some(q) if open.search_hit(i) => {
                let mut it = body.into_iter();
                lines.extend(it.next());
                lines.extend(it.map(|l| highlight(l, q, theme.search)));
            }
            _ => lines.extend(body),
        }
        // The window stops short of the newest: what is below is read as the cursor goes on.
        if i + 1 == msgs.len() && open.newer.detached {
            let text = if open.newer.loading {
                "Loading newer messages…".to_string()
            } else {
                // Short enough for the pane at 80 columns: the first key of each.
                let first = |a: Action| {
                    m.ui.keys
                        .keys(a)
                        .first()
                        .map_or_else(|| "(unbound)".to_string(), ToString::to_string)
                };
                format!(
                    "Newer below: {} reads on, {} the newest",
                    first(Action::Down),
                    first(Action::Newest)
                )
            };
            lines.push(Line::styled(truncate(&text, w), theme.dim));
        }
        lines
    };
    // Each line with the index of the message it belongs to (None: the unsent tail), so a
    // click can find its message.
    let tagged = |i: usize| -> Vec<(Line<'static>, Option<usize>)> {
        block_of(i).into_iter().map(|l| (l, Some(i))).collect()
    };
    let untagged = |ls: Vec<Line<'static>>| -> Vec<(Line<'static>, Option<usize>)> {
        ls.into_iter().map(|l| (l, None)).collect()
    };
    let rows = match selected {
        // Following the newest: bottom-anchored, unconfirmed messages and uploads last.
        None => {
            let tail = untagged(pending_lines(&cx, &open.chat_id));
            bottom_anchored((0..msgs.len()).rev().map(tagged), tail, h)
        }
        // Around the cursor: newer messages fill at most half the pane below it, so the
        // selected message stays in view and moving costs what is visible; near the start of
        // the chat, where the older ones leave room, the newer ones fill it.
        Some(sel) => {
            let above: usize = (0..=sel)
                .rev()
                .scan(0usize, |rows, i| {
                    (*rows < h).then(|| {
                        *rows += block_of(i).len();
                        *rows
                    })
                })
                .last()
                .unwrap_or(0);
            // ... but never so many that the selected message's own top (its author and
            // time) is pushed out: a tall one (a picture's preview) is shown from its top.
            let own = block_of(sel).len();
            let below = h
                .saturating_sub(above)
                .max(h / 2)
                .min(h.saturating_sub(own));
            let mut after: Vec<(Line, Option<usize>)> = Vec::new();
            for i in sel + 1..msgs.len() {
                if after.len() >= below {
                    break;
                }
                after.extend(tagged(i));
            }
            if after.len() < below {
                after.extend(untagged(pending_lines(&cx, &open.chat_id)));
            }
            after.truncate(below);
            // One taller than the pane shows as much of it as fits, from its top.
            let shown = |i: usize| {
                let mut b = tagged(i);
                if i == sel {
                    b.truncate(h);
                }
                b
            };
            bottom_anchored((0..=sel).rev().map(shown), after, h)
        }
    };
    let inner = b.inner(area);
    let mut lines = Vec::with_capacity(rows.len());
    // Pictures the terminal draws: the message, and where its top row is (it may be above
    // the pane: the rows shown are drawn) and its left column.
    let mut pictures: Vec<(usize, i32, u16)> = Vec::new();
    for (row, (line, owner)) in rows.into_iter().enumerate() {
        if let (Some(i), Some((r, x))) = (owner, marked_row(&line))
            && pictures.last().is_none_or(|p| p.0 != i)
        {
            pictures.push((i, row as i32 - i32::from(r), x));
        }
        if let Some(i) = owner {
            hits.push(
                Rect {
                    y: inner.y + row as u16,
                    height: 1,
                    ..inner
                },
                Target::Message(msgs[i].message_id.clone()),
            );
        }
        lines.push(line);
    }
    f.render_widget(Paragraph::new(lines).block(b), area);
    for (i, top, x) in pictures {
        pictures::draw(f, inner, m, &msgs[i], top, x);
    }
}

/// Messages written but not confirmed, and uploads on their way, for the bottom of the pane.
fn pending_lines(cx: &Ctx, chat_id: &str) -> Vec<Line<'static>> {
    let (m, theme, w) = (cx.m, cx.theme, cx.w);
    let mut rows: Vec<Line> = Vec::new();
    for o in m.composer.outbox.iter().filter(|o| o.chat_id == chat_id) {
        let (mark, style) = match &o.state {
            crate::app::OutState::Pending => ("⏳ waiting for the link".to_string(), theme.warn),
            crate::app::OutState::Sending => ("… sending".to_string(), theme.dim),
            crate::app::OutState::Uncertain => match &o.stuck {
                Some(why) => (
                    format!(
                        "? not known whether it arrived: {why} ({} checks again)",
                        m.ui.keys.describe(Action::Retry)
                    ),
                    theme.warn,
                ),
                None if m.chat.link.is_up() => {
                    ("… checking whether it arrived".to_string(), theme.dim)
                }
                None => (
                    "… to be checked when the link is back".to_string(),
                    theme.dim,
                ),
            },
            crate::app::OutState::Failed(e) => (
                format!(
                    "✗ not sent: {e} ({} retries · {} to drop)",
                    m.ui.keys.describe(Action::Retry),
                    m.ui.keys.describe(Action::Outbox)
                ),
                theme.error,
            ),
        };
        let who = if o.edit_of.is_some() {
            "you (edit) "
        } else {
            "you "
        };
        rows.push(Line::from(vec![
            Span::styled(who, theme.ok),
            Span::styled(truncate(&mark, w.saturating_sub(width(who))), style),
        ]));
        for l in o.text.lines() {
            for piece in wrap(l, w.max(1)) {
                rows.push(Line::styled(piece, theme.dim));
            }
        }
    }
    for t in m
        .transfers
        .items
        .iter()
        .filter(|t| t.upload && t.chat_id == chat_id && t.state != TransferState::Done)
    {
        rows.push(Line::from(vec![
            Span::styled("you ", theme.ok),
            Span::styled(
                truncate(&format!("📎 {}", t.name), w.saturating_sub(4)),
                theme.title,
            ),
        ]));
        rows.extend(transfer_lines(t, cx));
    }
    rows
}

/// A transfer's state: a progress bar while it runs, then where the file is (the whole path,
/// wrapped), or why not.
fn transfer_lines(t: &TransferView, cx: &Ctx) -> Vec<Line<'static>> {
    let (w, theme) = (cx.w, cx.theme);
    match &t.state {
        TransferState::Running => {
            let pct = (t.done * 100).checked_div(t.total).unwrap_or(0).min(100);
            let arrow = if t.upload { "⇡" } else { "⇣" };
            let sizes = format!(
                " {pct:>3}% {} of {}",
                human_size(t.done),
                human_size(t.total)
            );
            let bar_w = w.saturating_sub(width(&sizes) + 4).clamp(4, 30);
            let full = bar_w * pct as usize / 100;
            vec![Line::from(vec![
                Span::styled(format!("{arrow} "), theme.ok),
                Span::styled("█".repeat(full), theme.ok),
                Span::styled("░".repeat(bar_w - full), theme.dim),
                Span::raw(truncate(&sizes, w.saturating_sub(bar_w + 2))),
            ])]
        }
        TransferState::Done if t.upload => vec![Line::styled("✓ sent", theme.ok)],
        TransferState::Done => {
            let path = t
                .path
                .as_ref()
                .map(|p| sanitize::line(&p.display().to_string()).into_owned())
                .unwrap_or_default();
            wrap(&format!("✓ downloaded to {path}"), w)
                .into_iter()
                .map(|l| Line::styled(l, theme.ok))
                .collect()
        }
        TransferState::Failed(e) => {
            let what = if t.upload {
                "not sent"
            } else {
                "not downloaded"
            };
            let keys = format!(
                "{} retries · {} to drop",
                cx.m.ui.keys.describe(Action::Retry),
                cx.m.ui.keys.describe(Action::Outbox)
            );
            wrap(&format!("✗ {what}: {e} ({keys})"), w)
                .into_iter()
                .map(|l| Line::styled(l, theme.error))
                .collect()
        }
    }
}

/// An author's name as shown: the display name once known, else the login.
pub(super) fn author_name(m: &Model, id: &str) -> String {
    match m.chat.names.get(id) {
        Some(n) => n.clone(),
        None => sanitize::line(id.split('@').next().unwrap_or_default()).into_owned(),
    }
}

/// A message as lines of at most `w` columns: a header (time, author, marks), what it answers,
/// then its content.
fn message_lines(e: &Envelope, cx: &Ctx, selected: bool) -> Vec<Line<'static>> {
    let (m, theme, w) = (cx.m, cx.theme, cx.w);
    let mine = m.chat.me.as_deref() == Some(e.author.id.as_str());
    let time = local(e.timestamp, m.ui.utc_offset_secs);
    let deleted = m
        .chat
        .open
        .as_ref()
        .is_some_and(|o| o.deleted.contains(&e.message_id));
    let mut head = vec![
        Span::styled(time.get(11..16).unwrap_or("").to_string(), theme.dim),
        Span::raw(" "),
    ];
    if !e.is_system() {
        head.push(Span::styled(
            author_name(m, &e.author.id),
            if mine { theme.ok } else { theme.title },
        ));
    }
    if e.is_edited && !deleted {
        head.push(Span::styled(" (edited)", theme.dim));
    }
    if selected {
        head.insert(0, Span::styled("▶ ", theme.key));
        for s in &mut head {
            s.style = s.style.add_modifier(Modifier::REVERSED);
        }
    }
    let mut out = Vec::new();
    if e.is_system() {
        // A system record is one dim line: time and what happened, with display names.
        let text = sanitize::line(&system_text(e, m)).into_owned();
        head.push(Span::styled(text, theme.dim));
        let l = Line::from(head);
        out.push(if l.width() > w {
            Line::styled(truncate(&line_text(&l), w), theme.dim)
        } else {
            l
        });
        return out;
    }
    out.push(Line::from(head));
    if deleted {
        out.push(Line::styled(
            "(message deleted)",
            theme.dim.add_modifier(Modifier::ITALIC),
        ));
        return out;
    }
    // The answered message, unless it was deleted (its text must not linger in the quote).
    let gone = |id: &str| m.chat.open.as_ref().is_some_and(|o| o.is_deleted(id));
    let answered = e
        .reply_message
        .as_ref()
        .map(|r| r.message_id.as_str())
        .or(e.reply_message_id.as_deref());
    if answered.is_some_and(gone) {
        out.push(Line::styled(
            "│ ↩ (message deleted)",
            theme.dim.add_modifier(Modifier::ITALIC),
        ));
    } else if let Some(r) = answered
        .and_then(|id| m.chat.open.as_ref().and_then(|o| o.messages.by_id(id)))
        .or(e.reply_message.as_deref())
    {
        // The answered message as held here when it is (an edit since shows), else the copy
        // the server put in the reply.
        let who = author_name(m, &r.author.id);
        let q = format!("│ ↩ {who}: {}", sanitize::line(&r.summary()));
        out.push(Line::styled(truncate(&q, w), theme.dim));
    }
    content_lines(&e.content, &e.message_id, cx, w, selected, &mut out);
    out
}

/// A system record's text with the member it concerns by display name.
fn system_text(e: &Envelope, m: &Model) -> String {
    match &e.content {
        Content::ParticipantAdded { user_id, .. } => format!("{} joined", author_name(m, user_id)),
        Content::ParticipantRemoved { user_id } => format!("{} left", author_name(m, user_id)),
        Content::RoleSet { user_id, role } => format!(
            "{} is {}",
            author_name(m, user_id),
            role.as_ref()
                .map(crate::chat::types::Role::as_str)
                .unwrap_or("a member")
        ),
        other => other.summary(),
    }
}

fn line_text(l: &Line) -> String {
    l.spans.iter().map(|s| s.content.as_ref()).collect()
}

/// A message's content in `w` columns.
fn content_lines(
    c: &Content,
    message_id: &str,
    cx: &Ctx,
    w: usize,
    selected: bool,
    out: &mut Vec<Line<'static>>,
) {
    let (m, theme) = (cx.m, cx.theme);
    let w = w.max(1);
    match c {
        Content::Text {
            text,
            parse_mode,
            buttons,
        } => {
            // A huge message shows its start: laying out a megabyte every frame would
            // stall the UI.
            const SHOWN: usize = 16 * 1024;
            let (shown, cut) = match text.char_indices().nth(SHOWN) {
                Some((b, _)) => (&text[..b], Some(text.len())),
                None => (text.as_str(), None),
            };
            let rich = super::rich::parse(shown, parse_mode);
            let base = Style::default();
            out.extend(super::rich::wrap(&rich, w, |mk| {
                super::rich::style(mk, base, theme.link, theme.dim)
            }));
            if let Some(total) = cut {
                out.push(Line::styled(
                    format!("… cut here: the message is {}", human_size(total as u64)),
                    theme.dim,
                ));
            }
            if let Some(b) = buttons {
                button_rows(b, w, theme, out);
            }
        }
        Content::Forward(inner) => {
            let from = if inner.author.id.is_empty() {
                "Forwarded".to_string()
            } else {
                format!("Forwarded from {}", author_name(m, &inner.author.id))
            };
            out.push(Line::styled(truncate(&format!("↪ {from}"), w), theme.dim));
            let mut framed = Vec::new();
            content_lines(
                &inner.content,
                message_id,
                cx,
                w.saturating_sub(2),
                selected,
                &mut framed,
            );
            for l in framed {
                let mut spans = vec![Span::styled("┃ ", theme.dim)];
                spans.extend(l.spans);
                out.push(Line::from(spans));
            }
        }
        Content::Attachment {
            name,
            size,
            ready_state,
            file_id,
            mime_type,
        } => {
            let t = m
                .transfers
                .items
                .iter()
                .rev()
                .find(|t| !t.upload && t.message_id.as_deref() == Some(message_id));
            // The server's word on the file, unless we have just downloaded it whole.
            let fetched = t.is_some_and(|t| t.state == TransferState::Done);
            let state = match ready_state {
                _ if fetched => String::new(),
                // Posted while uploading: what the console learnt since (app/transfers.rs),
                // never the posting's word alone.
                Some(crate::chat::types::ReadyState::Uploading) => {
                    use crate::chat::files::UploadSeen;
                    match m.chat.uploads.get(file_id.as_str()) {
                        Some(Some(UploadSeen::Progress(p))) if *size > 0 => {
                            format!(" · uploading, {} %", (p.min(size) * 100) / size)
                        }
                        Some(Some(UploadSeen::Unknown(_))) => " · upload state unknown".into(),
                        // Learnt earlier this session (a page read again still says 1).
                        Some(Some(UploadSeen::Ready)) => String::new(),
                        Some(Some(UploadSeen::Gone)) => " · no longer available".into(),
                        _ => " · uploading (checking)".into(),
                    }
                }
                Some(crate::chat::types::ReadyState::NotAvailable) => {
                    " · no longer available".into()
                }
                _ => String::new(),
            };
            let meta = format!(" · {}{state}", human_size(*size));
            let name = sanitize::line(name).into_owned();
            let name = truncate(&format!("📎 {name}"), w.saturating_sub(width(&meta)).max(4));
            out.push(Line::from(vec![
                Span::styled(name, theme.title),
                Span::styled(meta, theme.dim),
            ]));
            let picture = m.ui.term.images && crate::app::previews_is_picture(mime_type);
            if picture {
                out.extend(preview_lines(m.chat.previews.get(file_id), w, theme));
            }
            match t {
                Some(t) => {
                    out.extend(transfer_lines(t, cx));
                    if selected && picture && !file_id.is_empty() {
                        out.push(Line::from(vec![
                            Span::styled(m.ui.keys.describe(Action::Open), theme.key),
                            Span::styled(" shows it", theme.dim),
                        ]));
                    }
                }
                None if selected => {
                    let mut keys = Vec::new();
                    if picture && !file_id.is_empty() {
                        keys.push(Span::styled(m.ui.keys.describe(Action::Open), theme.key));
                        keys.push(Span::styled(" shows it  ", theme.dim));
                    }
                    keys.push(Span::styled(
                        m.ui.keys.describe(Action::Download),
                        theme.key,
                    ));
                    keys.push(Span::styled(" downloads", theme.dim));
                    out.push(Line::from(keys));
                }
                None => {}
            }
        }
        Content::Survey { title, url, .. } => {
            let title = sanitize::line(title).into_owned();
            out.push(Line::from(vec![
                Span::raw("📊 Survey: "),
                Span::styled(truncate(&title, w.saturating_sub(11)), theme.link),
            ]));
            if !url.is_empty() {
                let url = sanitize::line(url).into_owned();
                out.push(Line::styled(truncate(&format!("‹{url}›"), w), theme.dim));
            }
        }
        Content::Location {
            latitude,
            longitude,
            title,
        } => {
            let t = format!(
                "📍 {} ({latitude:.5}, {longitude:.5})",
                sanitize::line(title)
            );
            out.push(Line::raw(truncate(&t, w)));
        }
        other => {
            for piece in wrap(&sanitize::line(&other.summary()), w) {
                out.push(Line::styled(piece, theme.dim));
            }
        }
    }
}

/// Inline buttons (`content.buttons`: rows of `{label, url?, …}`; docs/chat-protocol.md, Message
/// content), drawn as `[ label ]` under their message, a row per line.
fn button_rows(b: &serde_json::Value, w: usize, theme: &Theme, out: &mut Vec<Line<'static>>) {
    let rows = b.get("buttons").unwrap_or(b);
    let Some(rows) = rows.as_array() else { return };
    for row in rows.iter().take(8) {
        let Some(row) = row.as_array() else { continue };
        let mut spans: Vec<Span> = Vec::new();
        let mut used = 0;
        for btn in row.iter().take(8) {
            let label = btn
                .get("label")
                .and_then(|l| l.as_str())
                .or_else(|| btn.get("url").and_then(|u| u.as_str()))
                .unwrap_or("?");
            let label = truncate(&sanitize::line(label), 32);
            let link = if btn.get("url").is_some_and(serde_json::Value::is_string) {
                " ↗"
            } else {
                ""
            };
            let text = format!("[ {label}{link} ]");
            if used + width(&text) > w {
                break;
            }
            used += width(&text) + 1;
            spans.push(Span::styled(text, theme.key));
            spans.push(Span::raw(" "));
        }
        if !spans.is_empty() {
            spans.pop();
            out.push(Line::from(spans));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_megabyte_message_is_laid_out_in_bounded_lines() {
        let e = Envelope::from_value(&serde_json::json!({
            "chatId": "c", "messageId": "m", "timestamp": 1, "type": 200,
            "author": {"id": "a@srv", "type": 1},
            "content": {"text": "x".repeat(1_000_000), "parseMode": "markdown"}}))
        .unwrap();
        let theme = Theme::named(crate::config::ThemeName::Dark);
        let m = Model::demo(&crate::config::Config::default(), (80, 24), false);
        let cx = Ctx {
            m: &m,
            theme: &theme,
            w: 80,
        };
        let lines = message_lines(&e, &cx, false);
        assert!(lines.len() < 16 * 1024 / 80 + 4, "{} lines", lines.len());
        let last = line_text(lines.last().unwrap());
        assert!(last.contains("cut here"), "{last}");
    }

    #[test]
    fn buttons_are_drawn_in_rows_within_the_width() {
        let theme = Theme::named(crate::config::ThemeName::Dark);
        let mut out = Vec::new();
        let b = serde_json::json!([
            [{"label": "Yes", "command": "/yes"}, {"label": "No", "command": "/no"}],
            [{"label": "Docs", "url": "https://x.org"}]
        ]);
        button_rows(&b, 40, &theme, &mut out);
        let texts: Vec<String> = out.iter().map(line_text).collect();
        assert_eq!(texts, ["[ Yes ] [ No ]", "[ Docs ↗ ]"]);
        // The `{"buttons": matrix}` form, and a row wider than the pane is cut at a button.
        let b =
            serde_json::json!({"buttons": [[{"label": "aaaaaaaaaa"}, {"label": "bbbbbbbbbb"}]]});
        let mut out = Vec::new();
        button_rows(&b, 20, &theme, &mut out);
        assert_eq!(line_text(&out[0]), "[ aaaaaaaaaa ]");
    }
}
