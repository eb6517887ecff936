//! The rooms strip: one row over the panes, shown when more than one room is configured. Each
//! room is a chip — its number, its name and what it is doing (link, call, ringing, muted
//! devices) — the active one highlighted. A room whose call rings, and the active room, are
//! always on the row; the others fill what is left, in order, and the rest are counted.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::text::{truncate, width as cols};
use crate::app::{Model, RoomSlot, Target};
use crate::room::state::Call;
use crate::sanitize;

/// The longest a room's name is on the strip (columns).
const NAME_MAX: usize = 18;

/// What room `slot` is doing, in a few columns, and how it is styled. Only what its link
/// reported: a room whose link is not up says so, never its last known call.
fn what(slot: &RoomSlot, theme: &Theme) -> (String, Style) {
    if !slot.link.is_up() {
        return (
            slot.link.short_label(),
            super::panes::status_style(&slot.link, theme),
        );
    }
    let devices = |s: &RoomSlot| {
        let mut d = String::new();
        match s.state.mic_muted {
            Some(true) => d.push_str(" m✗"),
            None => d.push_str(" m?"),
            Some(false) => {}
        }
        match s.state.camera_muted {
            Some(true) => d.push_str(" c✗"),
            None => d.push_str(" c?"),
            Some(false) => {}
        }
        d
    };
    match slot.state.call() {
        Call::Incoming(i) if i.is_call() => ("☎ ringing".into(), theme.badge),
        Call::Incoming(_) => ("☎ invited".into(), theme.badge),
        Call::Calling(_) => ("☎ calling".into(), theme.warn),
        // App state 4 without the event that says which way: ringing, direction unknown.
        Call::Ringing => ("☎ ringing ?".into(), theme.warn),
        Call::InConference(_) | Call::InConferenceUnknown => {
            let dur = slot
                .conf_secs
                .map(|t| format!(" {}:{:02}", t / 60, t % 60))
                .unwrap_or_default();
            (format!("● call{dur}{}", devices(slot)), theme.ok)
        }
        Call::Ending => ("ending".into(), theme.dim),
        Call::None => (format!("idle{}", devices(slot)), theme.dim),
        Call::Unknown => ("state ?".into(), theme.warn),
    }
}

/// One chip: its spans and its width.
struct Chip {
    index: usize,
    spans: Vec<Span<'static>>,
    width: usize,
}

fn chip(m: &Model, i: usize, theme: &Theme) -> Chip {
    let active = m.room.active == Some(i);
    let name = truncate(&sanitize::line(m.room.name(i)), NAME_MAX);
    let (state, style) = m
        .room
        .slot(i)
        .map(|s| what(s, theme))
        .unwrap_or_else(|| ("?".into(), theme.dim));
    let head = format!(" {} {name} ", i + 1);
    let head_style = if active {
        theme.title_focus
    } else {
        theme.title
    };
    let mut spans = vec![Span::styled(head.clone(), head_style)];
    spans.push(Span::styled(state.clone(), style));
    let mut width = cols(&head) + cols(&state) + 1;
    // Missed calls nobody has viewed, by the Room's own count.
    if let Some(n) = m.room.slot(i).and_then(|s| s.missed).filter(|n| *n > 0) {
        let missed = format!(" ✗{n} missed");
        width += cols(&missed);
        spans.push(Span::styled(missed, theme.warn));
    }
    spans.push(Span::raw(" "));
    if active {
        // The active room stands out in every theme (the mono one included).
        for s in &mut spans {
            s.style = s.style.add_modifier(ratatui::style::Modifier::REVERSED);
        }
    }
    Chip {
        index: i,
        spans,
        width,
    }
}

/// How much room `i` needs to be on the strip (lower first).
fn priority(m: &Model, i: usize) -> u8 {
    if m.room.active == Some(i) {
        return 0;
    }
    let Some(s) = m.room.slot(i) else {
        return 9;
    };
    if s.ringing() {
        1
    } else if s.state.conference.is_some() && s.link.is_up() {
        2
    } else if s.missed.is_some_and(|n| n > 0) {
        3
    } else if !s.link.is_up() {
        4
    } else {
        5
    }
}

/// Draws the strip into `area` (one row) and records each chip for the mouse.
pub fn strip(f: &mut Frame, area: Rect, m: &Model, theme: &Theme, hits: &mut super::HitMap) {
    let n = m.room.list.len();
    let w = usize::from(area.width);
    let chips: Vec<Chip> = (0..n).map(|i| chip(m, i, theme)).collect();
    let gap = 1;
    let total: usize = chips.iter().map(|c| c.width + gap).sum();
    let shown: Vec<bool> = if total <= w {
        vec![true; n]
    } else {
        // Room for the count of the rest at the end, then the rooms by what they need of the
        // operator: the shown one, the ringing ones, those in a call, those with missed
        // calls, those whose link is not up, then the others in order from the shown one.
        let more_w = format!(" +{n} ☎{n} ").len();
        let mut used = more_w;
        let mut shown = vec![false; n];
        let from = m.room.active.unwrap_or(0);
        let mut order: Vec<usize> = (0..n).map(|k| (from + k) % n).collect();
        order.sort_by_key(|&i| priority(m, i));
        for i in order {
            if used + chips[i].width + gap <= w {
                shown[i] = true;
                used += chips[i].width + gap;
            }
        }
        shown
    };
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut x = area.x;
    for c in chips.into_iter().filter(|c| shown[c.index]) {
        let r = Rect {
            x,
            y: area.y,
            width: (c.width as u16).min((area.x + area.width).saturating_sub(x)),
            height: 1,
        };
        hits.push(r, Target::Room(c.index));
        x = x.saturating_add((c.width + gap) as u16);
        spans.extend(c.spans);
        spans.push(Span::raw(" ".repeat(gap)));
    }
    let hidden = shown.iter().filter(|s| !**s).count();
    if hidden > 0 {
        // Calls ringing among the rooms left out are counted too.
        let ringing = (0..n)
            .filter(|&i| !shown[i] && m.room.slot(i).is_some_and(RoomSlot::ringing))
            .count();
        spans.push(Span::styled(format!(" +{hidden}"), theme.dim));
        if ringing > 0 {
            spans.push(Span::styled(format!(" ☎{ringing}"), theme.badge));
        }
        spans.push(Span::raw(" "));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
