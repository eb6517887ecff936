//! The API explorer screen: the method list on the left, the request being edited on the right
//! with its parameters explained, and under it the reply with its round-trip time and the
//! events that followed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::composer::wrap_draft;
use super::panes::{block, local};
use super::text::{truncate, width};
use crate::app::Model;
use crate::app::explorer::{Api, EVENT_WINDOW_MS, Explorer, Focus};
use crate::keys::Action;
use crate::sanitize;

pub fn view(f: &mut Frame, area: Rect, m: &Model, x: &Explorer, theme: &Theme) {
    let left_w = (area.width * 2 / 5).clamp(24, 40);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(20)]).areas(area);
    list(f, left, x, theme);
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Min(5)]).areas(right);
    request(f, top, m, x, theme);
    response(f, bottom, m, x, theme);
}

fn list(f: &mut Frame, area: Rect, x: &Explorer, theme: &Theme) {
    let other = match x.api {
        Api::Room => "chat",
        Api::Chat => "Room",
    };
    let title = format!("{} · Tab: {other}", x.api.title());
    let b = block(&title, x.focus == Focus::List, theme);
    let inner = b.inner(area);
    let (w, h) = (inner.width as usize, inner.height as usize);
    let mut lines = vec![if x.filter.is_empty() {
        Line::styled(
            truncate(
                &format!("{} methods; type to filter", x.api.methods().len()),
                w,
            ),
            theme.dim,
        )
    } else {
        Line::from(vec![
            Span::styled("/", theme.key),
            Span::raw(super::text::with_bar(
                &x.filter.query,
                x.focus == Focus::List,
                w.saturating_sub(1),
            )),
        ])
    }];
    let matching = x.matching();
    if matching.is_empty() {
        lines.push(Line::styled("No method matches.", theme.dim));
    }
    // Rows: a group's name above its first method.
    let mut rows: Vec<Line> = Vec::new();
    let mut group = "";
    let mut sel_row = 0;
    for spec in &matching {
        if spec.group != group {
            group = spec.group;
            rows.push(Line::styled(
                truncate(group, w),
                theme.title.add_modifier(Modifier::DIM),
            ));
        }
        let selected = x.selected.as_deref() == Some(spec.name);
        if selected {
            sel_row = rows.len();
        }
        let admin = if spec.admin_only { " admin" } else { "" };
        let name = truncate(spec.name, w.saturating_sub(2 + width(admin)));
        let pad = " ".repeat(w.saturating_sub(2 + width(&name) + width(admin)));
        let style = if selected && x.focus == Focus::List {
            theme.title_focus.add_modifier(Modifier::REVERSED)
        } else if selected {
            theme.title
        } else {
            ratatui::style::Style::default()
        };
        rows.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(format!("{name}{pad}"), style),
            Span::styled(admin, theme.warn),
        ]));
    }
    let room = h.saturating_sub(lines.len()).max(1);
    let first = sel_row.saturating_sub(room.saturating_sub(2));
    lines.extend(rows.into_iter().skip(first).take(room));
    f.render_widget(Paragraph::new(lines).block(b), area);
}

fn request(f: &mut Frame, area: Rect, m: &Model, x: &Explorer, theme: &Theme) {
    let Some(spec) = x.method else {
        let b = block("Request", false, theme);
        let lines = vec![
            Line::styled(
                "Enter opens the highlighted method as a JSON template to edit.",
                theme.dim,
            ),
            Line::styled(
                "Every parameter is in it, with its type; the list under it says which are required.",
                theme.dim,
            ),
            Line::raw(""),
            Line::styled(
                format!(
                    "Esc leaves the explorer; {} opens it again where you left it.",
                    m.ui.keys.describe(Action::Explorer)
                ),
                theme.dim,
            ),
        ];
        f.render_widget(
            Paragraph::new(lines)
                .block(b)
                .wrap(ratatui::widgets::Wrap { trim: false }),
            area,
        );
        return;
    };
    let editing = x.focus == Focus::Editor;
    let keys = if editing {
        " · Enter sends · Alt-Enter new line · ↑ on the first line: history · Ctrl-O saves a script · Esc: list"
    } else {
        ""
    };
    let title = truncate(
        &format!("{}{keys}", spec.name),
        area.width.saturating_sub(4) as usize,
    );
    let b = block(&title, editing, theme);
    let inner = b.inner(area);
    let (w, h) = (inner.width as usize, inner.height as usize);
    // Below the editor: the problems, the summary and every parameter explained.
    let mut notes: Vec<Line> = Vec::new();
    for p in &x.problems {
        notes.push(Line::styled(truncate(&format!("✗ {p}"), w), theme.error));
    }
    let admin = if spec.admin_only {
        " (administrator only)"
    } else {
        ""
    };
    notes.push(Line::styled(
        truncate(&format!("{}{admin}", spec.summary.trim()), w),
        theme.dim,
    ));
    for p in spec.params {
        let req = if p.required { "required" } else { "optional" };
        let head = format!("{} {} {req}", p.key, p.ty.name());
        let note = if p.note.is_empty() {
            String::new()
        } else {
            format!(" — {}", p.note)
        };
        notes.push(Line::from(vec![
            Span::styled(truncate(&head, w), theme.key),
            Span::styled(truncate(&note, w.saturating_sub(width(&head))), theme.dim),
        ]));
    }
    if !spec.response.is_empty() {
        notes.push(Line::styled(
            truncate(&format!("reply: {}", spec.response.join(", ")), w),
            theme.dim,
        ));
    }
    if !spec.follow_up.is_empty() {
        notes.push(Line::styled(
            truncate(&format!("then: {}", spec.follow_up), w),
            theme.dim,
        ));
    }
    // The editor gets what the notes leave, at least a third of the pane.
    let note_rows = notes.len().min(h.saturating_sub((h / 3).max(3)));
    let edit_rows = h.saturating_sub(note_rows).max(1);
    let (rows, cursor) = wrap_draft(&x.editor, w);
    let first = (cursor.0 + 1).saturating_sub(edit_rows);
    let style = if editing {
        ratatui::style::Style::default()
    } else {
        theme.dim
    };
    let mut lines: Vec<Line> = rows
        .into_iter()
        .skip(first)
        .take(edit_rows)
        .map(|r| Line::styled(sanitize::line(&r).into_owned(), style))
        .collect();
    while lines.len() < edit_rows {
        lines.push(Line::raw(""));
    }
    lines.extend(notes.into_iter().take(note_rows));
    f.render_widget(Paragraph::new(lines).block(b), area);
    if editing && !m.mode.is_popup() && m.room.state.invite.is_none() {
        f.set_cursor_position((
            inner.x + cursor.1.min(w.saturating_sub(1)) as u16,
            inner.y + (cursor.0 - first) as u16,
        ));
    }
}

fn response(f: &mut Frame, area: Rect, m: &Model, x: &Explorer, theme: &Theme) {
    let Some(e) = &x.exchange else {
        let b = block("Response", false, theme);
        let hint = "The reply shows here, with its round-trip time and the events that followed.";
        f.render_widget(
            Paragraph::new(vec![Line::styled(hint, theme.dim)])
                .block(b)
                .wrap(ratatui::widgets::Wrap { trim: false }),
            area,
        );
        return;
    };
    let title = match (&e.outcome, e.rtt_ms) {
        (None, _) => format!("{}: waiting for the reply…", e.method),
        (Some(Ok(_)), Some(ms)) => format!("{}: ok in {ms} ms", e.method),
        (Some(Err(_)), Some(ms)) => format!("{}: failed in {ms} ms", e.method),
        (Some(_), None) => e.method.clone(),
    };
    let b = block(&title, false, theme);
    let inner = b.inner(area);
    let (w, h) = (inner.width as usize, inner.height as usize);
    let mut lines: Vec<Line> = Vec::new();
    match &e.outcome {
        None => lines.push(Line::styled(
            truncate(&format!("sent: {}", compact(&e.request)), w),
            theme.dim,
        )),
        Some(Ok(_)) => {
            for l in &e.reply_lines {
                lines.push(Line::raw(truncate(l, w)));
            }
        }
        Some(Err(r)) => {
            let code = r
                .code
                .map(|c| format!("{c} {} · ", crate::chat::protocol::error_name(c)))
                .unwrap_or_default();
            // The reason in full (wrapped): it is what the user came for.
            let text = format!("✗ {code}{}", sanitize::line(&r.text));
            for piece in super::panes::wrap(&text, w.max(1)).into_iter().take(6) {
                lines.push(Line::styled(piece, theme.error));
            }
            for l in &e.reply_lines {
                lines.push(Line::styled(truncate(l, w), theme.dim));
            }
        }
    }
    // The events that followed, within the window after the reply.
    let events = crate::app::explorer::events_after(m, e);
    let budget = h.saturating_sub(2);
    if lines.len() > budget.saturating_sub(events.len().min(budget / 2) + 1) {
        let keep = budget
            .saturating_sub(events.len().min(budget / 2) + 1)
            .max(1);
        lines.truncate(keep);
        lines.push(Line::styled("  …", theme.dim));
    }
    if e.outcome.is_some() {
        lines.push(Line::styled(
            truncate(
                &format!(
                    "Events within {} s: {}",
                    EVENT_WINDOW_MS / 1000,
                    if events.is_empty() {
                        "none".to_string()
                    } else {
                        events.len().to_string()
                    }
                ),
                w,
            ),
            theme.title,
        ));
        for (at, name, body) in events {
            let time = local(at, m.ui.utc_offset_secs);
            let stamp = format!(
                "{}:{:02}.{:03} ",
                time.get(11..16).unwrap_or(""),
                (at / 1000) % 60,
                at % 1000
            );
            let name = sanitize::line(&name).into_owned();
            let rest = w.saturating_sub(width(&stamp) + width(&name) + 1);
            lines.push(Line::from(vec![
                Span::styled(stamp, theme.dim),
                Span::styled(name, theme.ok),
                Span::raw(" "),
                Span::styled(truncate(&sanitize::line(&body), rest), theme.dim),
            ]));
        }
    }
    f.render_widget(Paragraph::new(lines).block(b), area);
}

/// Pretty JSON on one line.
fn compact(s: &str) -> String {
    serde_json::from_str::<serde_json::Value>(s)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| s.to_string())
}
