//! A room's call history over the panes: one row a call — direction, who, when (local time),
//! how long — newest first, the cursor's row marked; Enter calls back.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::Theme;
use super::panes::block;
use super::text::{truncate, width as cols};
use crate::app::{CallsState, CallsView, Model};
use crate::keys::Action;
use crate::room::history::{CallRecord, Direction};
use crate::sanitize;

fn row(c: &CallRecord, selected: bool, w: usize, m: &Model, theme: &Theme) -> Line<'static> {
    let mark = if selected { "▶ " } else { "  " };
    let (dir, style) = match c.direction {
        Direction::Missed => ("✗ missed", theme.warn),
        Direction::Incoming => ("↓ in    ", theme.dim),
        Direction::Outgoing => ("↑ out   ", theme.dim),
        Direction::Unknown(_) => ("? call  ", theme.dim),
    };
    // "2026-12-03 17:05" in local time: year first, so nobody reads day for month.
    let when = c
        .start_secs
        .map(|t| {
            let s = super::panes::local((t.max(0) as u64) * 1000, m.ui.utc_offset_secs);
            s.get(..16).unwrap_or(&s).to_string()
        })
        .unwrap_or_else(|| "?".into());
    let how_long = match (c.direction, c.duration_secs) {
        (Direction::Missed, _) => String::new(),
        (_, Some(d)) => format!("{}:{:02}", d / 60, d % 60),
        (_, None) => "?".into(),
    };
    let tail = format!("  {when:>16}  {how_long:>6}");
    let who = sanitize::line(c.who()).into_owned();
    let id = sanitize::line(&c.peer_id).into_owned();
    let head_w = cols(mark) + cols(dir) + 1;
    let room_for_who = w.saturating_sub(head_w + cols(&tail)).max(4);
    let who = if !c.peer_name.is_empty() && cols(&who) + cols(&id) + 3 <= room_for_who {
        format!("{who} ({id})")
    } else {
        who
    };
    let who = truncate(&who, room_for_who);
    let pad = room_for_who.saturating_sub(cols(&who));
    Line::from(vec![
        Span::raw(mark.to_string()),
        Span::styled(dir.to_string(), style),
        Span::raw(" "),
        Span::styled(who, if selected { theme.title } else { theme.popup }),
        Span::raw(" ".repeat(pad)),
        Span::styled(tail, theme.dim),
    ])
}

pub fn overlay(f: &mut Frame, area: Rect, m: &Model, v: &CallsView, theme: &Theme) {
    let r = super::panes::list_popup(area, 100);
    let w = r.width;
    let k = |a: Action| m.ui.keys.describe(a);
    let name = sanitize::line(m.room.name(v.room)).into_owned();
    let title = match &v.state {
        CallsState::Ready(calls) => format!("Calls · {name} · {}", calls.len()),
        _ => format!("Calls · {name}"),
    };
    let title = truncate(&title, usize::from(w).saturating_sub(4));
    let b = block(&title, true, theme).title_bottom(
        Line::styled(
            format!(
                " {} calls back · {} close ",
                k(Action::Open),
                k(Action::Back)
            ),
            theme.dim,
        )
        .right_aligned(),
    );
    let inner = b.inner(r);
    let (iw, ih) = (usize::from(inner.width), usize::from(inner.height));
    f.render_widget(Clear, r);
    let lines: Vec<Line> = match &v.state {
        CallsState::Loading => vec![Line::styled("Reading the Room's call history…", theme.dim)],
        CallsState::Failed(why) => vec![
            Line::styled("The call history could not be read:", theme.warn),
            Line::raw(truncate(why, iw)),
        ],
        CallsState::Ready(calls) if calls.is_empty() => {
            vec![Line::styled("No calls in the Room's history.", theme.dim)]
        }
        CallsState::Ready(calls) => {
            let sel = v.selected.min(calls.len() - 1);
            // The cursor's row in view: the page it is on.
            let first = sel.saturating_sub(ih.saturating_sub(1));
            calls
                .iter()
                .enumerate()
                .skip(first)
                .take(ih)
                .map(|(i, c)| row(c, i == sel, iw, m, theme))
                .collect()
        }
    };
    f.render_widget(Paragraph::new(lines).block(b), r);
}
