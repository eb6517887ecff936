//! The pager: a long text over the panes, read with the [`Viewer`] (scrolling, `/` search,
//! `n`/`N`): the help, the message log, one inspector frame whole, the whole traffic. Its
//! size follows the terminal's ([`area`]), so the model knows what fits without asking the
//! view.

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use super::viewer::{Tone, ViewKey, ViewLine, Viewer};
use super::{Cmd, Mode, Model};
use crate::keys::{Action, Context, KeySpec};

/// What the pager shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagerKind {
    Help,
    /// Every notice shown, in full, with its time.
    Log,
    /// One frame of the traffic inspector, whole.
    Frame,
    /// Every frame the inspector holds.
    Traffic,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pager {
    pub kind: PagerKind,
    pub title: String,
    pub viewer: Viewer,
}

/// Where the pager is drawn on a screen of `size`: all of it but a margin and the status bar.
pub fn area(size: (u16, u16)) -> Rect {
    let (w, h) = size;
    let width = w.saturating_sub(4).min(120);
    Rect {
        x: (w - width) / 2,
        y: 1,
        width,
        height: h.saturating_sub(3),
    }
}

/// The rows and columns the text has inside the frame (borders, padding, and a footer row).
fn inner(size: (u16, u16)) -> (usize, usize) {
    let r = area(size);
    (
        r.width.saturating_sub(4) as usize,
        r.height.saturating_sub(2) as usize,
    )
}

pub(super) fn open(m: &mut Model, kind: PagerKind, title: String, lines: Vec<ViewLine>) {
    let mut viewer = Viewer::new(lines);
    let (w, h) = inner(m.ui.size);
    viewer.set_size(w, h);
    if kind == PagerKind::Log || kind == PagerKind::Traffic {
        // The newest last, and in view.
        viewer.scroll_to_end();
    }
    m.mode = Mode::Pager(Box::new(Pager {
        kind,
        title,
        viewer,
    }));
    m.touch();
}

/// The terminal changed size: the text is wrapped again.
pub(super) fn resize(m: &mut Model) {
    let (w, h) = inner(m.ui.size);
    if let Mode::Pager(p) = &mut m.mode {
        p.viewer.set_size(w, h);
    }
}

pub(super) fn on_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    let Mode::Pager(p) = &mut m.mode else {
        return vec![];
    };
    let kind = p.kind;
    if p.viewer.key(k) == ViewKey::Handled {
        m.touch();
        return vec![];
    }
    let action = KeySpec::from_event(k).and_then(|key| m.ui.keys.lookup(key, &[Context::Global]));
    match action {
        // The key that opened it closes it too, as do Esc and q.
        Some(Action::Back | Action::Quit) => {}
        Some(Action::Help) if kind == PagerKind::Help => {}
        Some(Action::Log) if kind == PagerKind::Log => {}
        _ => return vec![],
    }
    m.mode = Mode::Normal;
    m.touch();
    vec![]
}

/// Opens the message log: every notice shown, with its time, newest last.
pub(super) fn open_log(m: &mut Model) {
    let off = m.ui.utc_offset_secs;
    let mut lines: Vec<ViewLine> =
        m.ui.log
            .iter()
            .map(|n| {
                let tone = match n.level {
                    super::NoticeLevel::Info => Tone::Plain,
                    super::NoticeLevel::Warn => Tone::Warn,
                    super::NoticeLevel::Error => Tone::Error,
                };
                let shifted = (n.at_ms as i64)
                    .saturating_add(off.saturating_mul(1000))
                    .max(0) as u64;
                let secs = (shifted / 1000) % 60;
                // `YYYY-MM-DD HH:MM:SS`.
                let time = format!("{}:{secs:02}", crate::commands::chat::utc(shifted));
                ViewLine::new(format!("{time}  {}", crate::sanitize::line(&n.text)), tone)
            })
            .collect();
    if lines.is_empty() {
        lines.push(ViewLine::new("Nothing has been said yet.", Tone::Dim));
    }
    let n = m.ui.log.len();
    let title = match m.ui.log_dropped {
        0 => format!("Message log · {n} notice{}", if n == 1 { "" } else { "s" }),
        d => format!("Message log · the last {n} notices ({d} older dropped)"),
    };
    open(m, PagerKind::Log, title, lines);
}

/// The wheel over the pager.
pub(super) fn scroll(m: &mut Model, delta: isize) {
    if let Mode::Pager(p) = &mut m.mode {
        p.viewer.scroll_by(delta);
        m.touch();
    }
}

/// The help: every action with its keys, grouped by where it applies, built from the key map
/// (so it tells the truth about custom bindings), then the fixed keys of the text inputs.
pub(super) fn help_lines(m: &Model) -> Vec<ViewLine> {
    let mut lines = Vec::new();
    for ctx in [
        Context::Global,
        Context::Room,
        Context::Chats,
        Context::History,
        Context::CallDialog,
    ] {
        lines.push(ViewLine::new(ctx.title(), Tone::Heading));
        for &a in Action::ALL.iter().filter(|a| a.context() == ctx) {
            lines.push(ViewLine::keyed(&m.ui.keys.describe(a), a.description()));
        }
        if ctx == Context::History {
            lines.push(ViewLine::keyed(
                &m.ui.keys.describe(Action::Open),
                "on a picture: show it over the whole screen (↑ ↓ the others, Esc closes)",
            ));
        }
        if ctx == Context::Global {
            lines.push(ViewLine::keyed("Ctrl-C", "quit, from anywhere"));
            lines.push(ViewLine::keyed(
                "Ctrl-Z",
                "suspend (fg brings the console back)",
            ));
        }
        lines.push(ViewLine::plain(""));
    }
    lines.push(ViewLine::new(
        "Reading this and other long texts",
        Tone::Heading,
    ));
    for (k, what) in super::viewer::KEYS {
        lines.push(ViewLine::keyed(k, what));
    }
    lines.push(ViewLine::plain(""));
    for (title, table) in [
        (
            "Composer (while writing)",
            super::COMPOSER_KEYS as &[(&str, &str)],
        ),
        (
            "Editing (the composer, prompts, filters, the explorer)",
            super::EDITING_KEYS,
        ),
    ] {
        lines.push(ViewLine::new(title, Tone::Heading));
        for (k, what) in table {
            lines.push(ViewLine::keyed(k, what));
        }
        lines.push(ViewLine::plain(""));
    }
    lines.push(ViewLine::new("Where the keys go", Tone::Heading));
    for l in FOCUS_RULES {
        lines.push(ViewLine::plain(format!("  {l}")));
    }
    lines.push(ViewLine::plain(""));
    lines.push(ViewLine::new(
        "Keys are set under [ui.keys] in the config file.",
        Tone::Dim,
    ));
    lines.push(ViewLine::new(
        format!(
            "{} or Esc closes this help.",
            m.ui.keys.describe(Action::Help)
        ),
        Tone::Dim,
    ));
    lines
}

/// The focus and modality rules, as the help states them (docs/architecture.md says the same).
pub const FOCUS_RULES: &[&str] = &[
    "Room keys (call, hang up, mic, camera, volume) work in every pane, not while writing.",
    "Enter on a chat opens it and moves the keyboard to its history.",
    "Enter in the history writes; Enter in the composer sends and leaves it.",
    "Enter on a picture in the history shows it over the whole screen; Esc closes it.",
    "Esc leaves the current mode in one press, keeping what was typed.",
    "A ringing call's accept and reject keys work even while writing; the draft stays.",
    "A click focuses a pane; the wheel scrolls what is under the pointer.",
    "With several rooms, the strip on top shows each; all stay linked, one is shown.",
    "A call on any room opens the dialog naming it; its keys answer it on that room.",
    "A click on a room in the strip shows it; room keys act on the room shown.",
];

#[cfg(test)]
#[path = "pager_tests.rs"]
mod tests;
