//! Where the explorer's parts go on screen, computed here so the reply's viewer can be sized
//! to exactly what the view (ui/explorer.rs) draws; and the hints of each state.

use ratatui::layout::{Constraint, Layout, Rect};

use super::Model;
use super::explorer::{Api, Explorer, Focus};
use super::viewer::{Tone, ViewLine, Viewer};

/// Where the explorer's parts go on screen: the view draws exactly these, and the reply's
/// viewer is sized from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Panes {
    pub list: Rect,
    pub request: Rect,
    pub reply: Rect,
    /// The key hints (as many rows as they wrap to).
    pub keys: Rect,
    pub inspector: Option<Rect>,
}

/// The panes in `area` (the screen above the status bar).
pub fn panes(x: &Explorer, area: Rect, inspector: bool) -> Panes {
    let (main, inspector) = if inspector {
        let [a, b] =
            Layout::vertical([Constraint::Fill(1), Constraint::Percentage(40)]).areas(area);
        (a, Some(b))
    } else {
        (area, None)
    };
    let keys_h = hint_rows(x, main.width).min(main.height.saturating_sub(6).max(1) as usize) as u16;
    let [body, keys] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(keys_h)]).areas(main);
    if x.reply_full() {
        let none = Rect { height: 0, ..body };
        return Panes {
            list: Rect { width: 0, ..none },
            request: Rect { width: 0, ..none },
            reply: body,
            keys,
            inspector,
        };
    }
    let left_w = (body.width * 2 / 5).clamp(24, 40);
    let [list, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(20)]).areas(body);
    let [request, reply] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Min(5)]).areas(right);
    Panes {
        list,
        request,
        reply,
        keys,
        inspector,
    }
}

/// The keys of the explorer's current state, as its hint line shows them.
pub fn hints(x: &Explorer) -> String {
    let searching = x
        .exchange
        .as_ref()
        .is_some_and(|e| e.view.search().typing.is_some());
    let scroll = "↑↓ PgUp/PgDn Ctrl-U/D Home/End scroll · / search, n/N next/previous";
    match x.focus {
        Focus::Reply if searching => "Type what to find · Enter finds it · Esc cancels".into(),
        Focus::Reply if x.full => format!("{scroll} · Esc back · Ctrl-T traffic"),
        Focus::Reply => format!("{scroll} · Enter full screen · Esc back · Ctrl-T traffic"),
        Focus::Editor => "Enter send · Alt-Enter new line · ↑ on line 1: history · Ctrl-O save \
             a script · PgUp/PgDn scroll the reply · Ctrl-R reply · Ctrl-T traffic · Esc list"
            .into(),
        Focus::List => format!(
            "Type to filter (names, groups, descriptions) · ↑↓ move · Enter open · Tab {} API · \
             Ctrl-R reply · Ctrl-T traffic · Esc leave",
            match x.api {
                Api::Room => "chat",
                Api::Chat => "Room",
            }
        ),
    }
}

/// Where Esc goes from here, for the status bar (after the key's name).
pub fn esc_hint(x: &Explorer) -> &'static str {
    let searching = x
        .exchange
        .as_ref()
        .is_some_and(|e| e.view.search().typing.is_some());
    if x.focus == Focus::Reply && searching {
        return "cancel the search";
    }
    match (x.focus, x.full, x.back) {
        (Focus::List, _, _) => "leave the explorer",
        (Focus::Editor, _, _) => "back to the list",
        (Focus::Reply, true, _) => "back to the panes",
        (Focus::Reply, false, Focus::Editor) => "back to the request",
        (Focus::Reply, false, _) => "back to the list",
    }
}

/// The hints as rows of `width` columns (wrapped as the view wraps them).
pub fn hint_view(x: &Explorer, width: u16) -> Viewer {
    let mut v = Viewer::new(vec![ViewLine::new(hints(x), Tone::Dim)]);
    v.set_size(width as usize, 3);
    v
}

fn hint_rows(x: &Explorer, width: u16) -> usize {
    hint_view(x, width).rows().len().clamp(1, 3)
}

/// Sizes the reply's viewer to its pane on the current screen (after a resize, a focus
/// change, the inspector shown or hidden).
pub(super) fn sync(m: &mut Model) {
    let (w, h) = m.ui.size;
    let inspector = m.ui.inspector;
    let Some(x) = m.mode.explorer_mut() else {
        return;
    };
    let area = Rect::new(0, 0, w, h.saturating_sub(1));
    let p = panes(x, area, inspector);
    if let Some(e) = x.exchange.as_mut() {
        e.view.set_size(
            p.reply.width.saturating_sub(4) as usize,
            p.reply.height.saturating_sub(2) as usize,
        );
    }
}
