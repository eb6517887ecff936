//! The traffic inspector with the keyboard: a cursor on one frame (↑/↓, PgUp/PgDn, End back
//! to following the newest), Enter opens that frame whole in the pager, `/` searches every
//! frame held. Room keys still work here; the history's message keys do not.

use super::pager::PagerKind;
use super::viewer::{Tone, ViewLine};
use super::{Cmd, Model};
use crate::keys::{Action, Context, KeySpec};

pub(super) fn on_key(m: &mut Model, key: KeySpec) -> Vec<Cmd> {
    // The chat list's filter key (`/`) searches here.
    let action = match m.ui.keys.lookup(key, &[Context::Chats]) {
        Some(Action::Filter) => Some(Action::Filter),
        _ => {
            m.ui.keys
                .lookup(key, &[Context::History, Context::Room, Context::Global])
        }
    };
    match action {
        Some(Action::Up | Action::Down | Action::PageUp | Action::PageDown) => {
            let delta: isize = match action {
                Some(Action::Up) => -1,
                Some(Action::Down) => 1,
                Some(Action::PageUp) => -10,
                _ => 10,
            };
            step(m, delta);
            vec![]
        }
        Some(Action::Newest | Action::Back) => {
            m.ui.inspector_sel = None;
            m.touch();
            vec![]
        }
        Some(Action::Open) => {
            open_frame(m);
            vec![]
        }
        Some(Action::Copy) => {
            let Some(t) =
                m.ui.inspector_sel
                    .or_else(|| m.ui.traffic.len().checked_sub(1))
                    .and_then(|i| m.ui.traffic.get(i))
            else {
                m.notify(super::NoticeLevel::Info, "No traffic yet");
                return vec![];
            };
            let text = t.text.clone();
            super::notify::copy(m, &text, "frame")
        }
        Some(Action::Filter) => {
            open_traffic(m);
            if let super::Mode::Pager(p) = &mut m.mode {
                p.viewer.key(&crossterm::event::KeyEvent::from(
                    crossterm::event::KeyCode::Char('/'),
                ));
            }
            vec![]
        }
        Some(a) if a.context() == Context::History => vec![],
        Some(a) => super::update::on_action(m, a),
        None => vec![],
    }
}

/// Moves the cursor `delta` frames (past the newest: following again).
pub(super) fn step(m: &mut Model, delta: isize) {
    let n = m.ui.traffic.len();
    if n == 0 {
        return;
    }
    let from = m.ui.inspector_sel.map_or(n as isize, |i| i as isize);
    let to = from + delta;
    m.ui.inspector_sel = if to >= n as isize {
        None
    } else {
        Some(to.max(0) as usize)
    };
    m.touch();
}

/// One frame's lines: a heading, then its text pretty-printed when it is JSON.
fn frame_lines(t: &super::Traffic, off: i64) -> Vec<ViewLine> {
    let shifted = (t.at_ms as i64)
        .saturating_add(off.saturating_mul(1000))
        .max(0) as u64;
    let time = format!(
        "{}:{:02}.{:03}",
        crate::commands::chat::utc(shifted),
        (shifted / 1000) % 60,
        shifted % 1000
    );
    let arrow = if t.outgoing { "→" } else { "←" };
    let mut out = vec![ViewLine::new(
        format!("{time} {arrow} {} {}", t.link, t.what()),
        if t.outgoing {
            Tone::Good
        } else {
            Tone::Heading
        },
    )];
    let pretty = serde_json::from_str::<serde_json::Value>(&t.text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| t.text.clone());
    for l in crate::sanitize::text(&pretty).lines() {
        out.push(ViewLine::plain(format!("  {l}")));
    }
    if t.is_cut() {
        out.push(ViewLine::new(
            format!(
                "  … cut: the console keeps the first {} KiB of this {}-byte frame",
                super::Traffic::MAX_TEXT / 1024,
                t.full_len
            ),
            Tone::Dim,
        ));
    }
    out
}

/// Shows or hides the inspector; hidden, it cannot keep the keyboard (wherever it was hidden
/// from, the explorer too).
pub(super) fn toggle(m: &mut Model) {
    m.ui.inspector = !m.ui.inspector;
    if !m.ui.inspector && m.ui.focus == super::Pane::Inspector {
        m.ui.focus = super::Pane::History;
    }
    m.touch();
}

/// Enter: the selected frame (or the newest) whole.
fn open_frame(m: &mut Model) {
    let Some(i) =
        m.ui.inspector_sel
            .or_else(|| m.ui.traffic.len().checked_sub(1))
    else {
        m.notify(super::NoticeLevel::Info, "No traffic yet");
        return;
    };
    let Some(t) = m.ui.traffic.get(i) else {
        return;
    };
    let lines = frame_lines(t, m.ui.utc_offset_secs);
    let title = format!("Frame {} of {}", i + 1, m.ui.traffic.len());
    super::pager::open(m, PagerKind::Frame, title, lines);
}

/// Every frame held, to read or search.
fn open_traffic(m: &mut Model) {
    let off = m.ui.utc_offset_secs;
    let mut lines = Vec::new();
    for t in &m.ui.traffic {
        lines.extend(frame_lines(t, off));
    }
    if lines.is_empty() {
        lines.push(ViewLine::new("No traffic yet.", Tone::Dim));
    }
    let title = format!("Traffic · {} frame(s)", m.ui.traffic.len());
    super::pager::open(m, PagerKind::Traffic, title, lines);
}

#[cfg(test)]
#[path = "inspector_tests.rs"]
mod tests;
