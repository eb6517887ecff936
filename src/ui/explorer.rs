//! The API explorer screen: the method list on the left, the request being edited on the right
//! with its parameters explained, and under it the reply (or the reply alone, full screen) with
//! its round-trip time and the events that followed; the keys of the moment at the bottom, and
//! the inspector under everything when it is shown. Where each goes is `app::explorer::panes`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::composer::wrap_draft;
use super::panes::block;
use super::text::{truncate, width};
use crate::app::Model;
use crate::app::explorer::{Api, Explorer, Focus, hint_view, panes};
use crate::keys::Action;
use crate::sanitize;

pub fn view(f: &mut Frame, area: Rect, m: &Model, x: &Explorer, theme: &Theme) {
    let p = panes(x, area, m.ui.inspector);
    if !x.reply_full() {
        list(f, p.list, x, theme);
        request(f, p.request, m, x, theme);
    }
    response(f, p.reply, x, theme);
    super::viewer::draw(f, p.keys, &hint_view(x, p.keys.width), theme);
    if let Some(r) = p.inspector {
        super::inspector::inspector(f, r, m, theme);
    }
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
    let (by_name, by_text) = x.sections();
    if by_name.is_empty() && by_text.is_empty() {
        lines.push(Line::styled("No method matches.", theme.dim));
    }
    // Rows: a group's name above its first method; the methods found by their group or
    // description after those found by name, under a line that says so.
    let mut rows: Vec<Line> = Vec::new();
    let mut group = "";
    let mut sel_row = 0;
    let split = by_name.len();
    for (i, spec) in by_name.iter().chain(&by_text).enumerate() {
        if i == split {
            rows.push(Line::styled(
                truncate("In groups and descriptions:", w),
                theme.dim,
            ));
            group = "";
        }
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
                    "Esc goes back one level: full-screen reply › reply › request › list › \
                     out ({} comes back here).",
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
    let title = truncate(spec.name, area.width.saturating_sub(4) as usize);
    let b = block(&title, editing, theme);
    let inner = b.inner(area);
    let (w, h) = (inner.width as usize, inner.height as usize);
    // Below the editor: the problems, the summary and every parameter explained.
    let mut notes: Vec<Line> = Vec::new();
    // A problem in full (wrapped, a few rows at most): it says what to change.
    for p in &x.problems {
        let text = sanitize::line(&format!("✗ {p}")).into_owned();
        let mut rows = super::panes::wrap(&text, w.max(1));
        if rows.len() > 3 {
            rows.truncate(3);
            if let Some(last) = rows.last_mut() {
                *last = truncate(&format!("{last}…"), w);
            }
        }
        for r in rows {
            notes.push(Line::styled(r, theme.error));
        }
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
    if editing && !m.mode.is_popup() && m.room.dialog().is_none_or(|(_, s)| !s.rings_in()) {
        f.set_cursor_position((
            inner.x + cursor.1.min(w.saturating_sub(1)) as u16,
            inner.y + (cursor.0 - first) as u16,
        ));
    }
}

fn response(f: &mut Frame, area: Rect, x: &Explorer, theme: &Theme) {
    let focused = x.focus == Focus::Reply;
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
    let title = truncate(&title, area.width.saturating_sub(6) as usize);
    let footer = super::viewer::footer(&e.view);
    let b = block(&title, focused, theme).title_bottom(
        Line::styled(
            format!(
                " {} ",
                truncate(&footer, area.width.saturating_sub(4) as usize)
            ),
            theme.dim,
        )
        .right_aligned(),
    );
    let inner = b.inner(area);
    f.render_widget(b, area);
    super::viewer::draw(f, inner, &e.view, theme);
}
