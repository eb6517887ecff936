//! Views: functions of the model that draw into a frame and touch nothing else.

mod account;
mod calls;
mod chats;
mod composer;
mod devices;
mod dialog;
mod explorer;
mod form;
mod history;
mod inspector;
mod layout;
pub mod links;
mod live;
mod outbox;
mod pager;
mod panes;
mod participants;
mod picture;
pub mod rich;
mod room;
mod rooms;
mod status;
pub mod text;
pub mod theme;
mod viewer;

pub use layout::{MIN_HEIGHT, MIN_WIDTH, MainLayout};
pub use theme::Theme;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::{Confirm, Mode, Model, Pane, Prompt, Target};

/// What each part of the last frame shows, for the mouse: later entries (drawn over the
/// earlier ones) win.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HitMap(Vec<(Rect, Target)>, Vec<links::LinkSpot>);

impl HitMap {
    /// The links the frame shows whole (`[ui] links`), for the runtime to make hyperlinks.
    pub fn links(&self) -> &[links::LinkSpot] {
        &self.1
    }

    pub fn push(&mut self, r: Rect, t: Target) {
        self.0.push((r, t));
    }

    /// What was drawn at column `x`, row `y`.
    pub fn at(&self, x: u16, y: u16) -> Option<&Target> {
        let p = ratatui::layout::Position { x, y };
        self.0
            .iter()
            .rev()
            .find(|(r, _)| r.contains(p))
            .map(|(_, t)| t)
    }
}

/// Draws the whole screen for `model`.
pub fn view(model: &Model, f: &mut Frame) {
    draw(model, f);
}

/// The history pane's inside (columns, rows) at the model's screen size.
fn history_inner(model: &Model) -> (usize, usize) {
    let (w, h) = model.ui.size;
    let area = ratatui::layout::Rect::new(0, 0, w, h);
    let l = MainLayout::new(area, model.ui.inspector, model.room.list.len() > 1, |w| {
        composer::wanted_rows(model, w)
    });
    (
        usize::from(l.history.width.saturating_sub(2)),
        usize::from(l.history.height.saturating_sub(2)),
    )
}

/// Whether the open chat's messages from position `from` to the newest, laid out as the
/// history draws them (with the "new messages" line), fit in the history pane.
pub fn fits_from(model: &Model, from: usize) -> bool {
    let (w, h) = history_inner(model);
    let theme = Theme::for_model(model);
    history::rows_from(model, &theme, w, from, h + 1) <= h
}

/// Draws the whole screen for `model` and says where what is, for the mouse.
/// The window title (crate::osc cleans it): a ringing call with its room, and the count of
/// unread messages, before the program's name.
pub fn window_title(m: &Model) -> String {
    let mut parts = Vec::new();
    if let Some((i, s)) = m.room.dialog()
        && s.rings_in()
    {
        parts.push(format!("☎ {}", m.room.name(i)));
    }
    let unread: u64 = m.chat.list.items.iter().map(|c| c.unread).sum();
    if unread > 0 {
        parts.push(format!("{unread} unread"));
    }
    parts.push("trueconf-console".into());
    parts.join(" · ")
}

pub fn draw(model: &Model, f: &mut Frame) -> HitMap {
    let mut hits = HitMap::default();
    let theme = Theme::for_model(model);
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(f, area, &theme);
        return hits;
    }
    let l = MainLayout::new(area, model.ui.inspector, model.room.list.len() > 1, |w| {
        composer::wanted_rows(model, w)
    });
    if let Some(x) = model.mode.explorer() {
        // The explorer takes the screen above the status bar.
        let body = Rect {
            height: area.height.saturating_sub(1),
            ..area
        };
        explorer::view(f, body, model, x, &theme);
    } else {
        if let Some(r) = l.strip {
            rooms::strip(f, r, model, &theme, &mut hits);
        }
        hits.push(l.room, Target::Pane(Pane::Room));
        hits.push(l.chats, Target::Pane(Pane::Chats));
        hits.push(l.history, Target::Pane(Pane::History));
        hits.push(l.composer, Target::Composer);
        room::room(f, l.room, model, &theme);
        chats::chats(f, l.chats, model, &theme, &mut hits);
        history::history(f, l.history, model, &theme, &mut hits);
        composer::composer(f, l.composer, model, &theme);
        if let Some(r) = l.inspector {
            hits.push(r, Target::Pane(Pane::Inspector));
            inspector::inspector(f, r, model, &theme);
        }
    }
    status::bar(f, l.status, model, &theme);
    // The call dialog is over everything but a pop-up being typed into (whose keys come
    // first: app/input.rs).
    let typed = model.mode.is_typed_popup();
    if typed {
        dialog::call(f, area, model, &theme, &mut hits);
    }
    if model.mode.is_popup() {
        // A pop-up covers what is under it, for the mouse too.
        hits.push(area, Target::Popup);
    }
    overlay(f, area, model, &model.mode, &theme, &mut hits);
    if !typed {
        dialog::call(f, area, model, &theme, &mut hits);
    }
    if model.ui.term.links {
        hits.1 = links::scan(f.buffer_mut(), area);
    }
    hits
}

/// What `mode` draws over the panes. A confirmation is drawn over what it returns to (the
/// outbox whose item it drops stays in view under it).
fn overlay(
    f: &mut Frame,
    area: Rect,
    model: &Model,
    mode: &Mode,
    theme: &Theme,
    hits: &mut HitMap,
) {
    match mode {
        Mode::Pager(p) => pager::overlay(f, area, p, theme),
        Mode::Participants { selected } => participants::overlay(f, area, model, *selected, theme),
        Mode::Prompt(Prompt::Call(p)) => dialog::call_prompt(f, area, model, p, theme),
        Mode::Confirm(Confirm {
            question,
            answers,
            back,
        }) => {
            if !matches!(**back, Mode::Confirm(_)) {
                overlay(f, area, model, back, theme, &mut HitMap::default());
            }
            dialog::confirm(f, area, question, answers, theme, hits);
        }
        Mode::Prompt(Prompt::Forward {
            picker, selected, ..
        }) => dialog::forward(f, area, model, picker, selected.as_deref(), theme),
        Mode::Prompt(Prompt::Upload { path }) => dialog::upload(f, area, model, path, theme),
        Mode::Prompt(Prompt::Search { query }) => dialog::search(f, area, model, query, theme),
        Mode::Prompt(Prompt::SearchAll(s)) => dialog::search_all(f, area, model, s, theme),
        Mode::Prompt(Prompt::NewChat { kind, input }) => {
            dialog::new_chat(f, area, *kind, input, theme);
        }
        Mode::Prompt(Prompt::Form(x)) => {
            if !matches!(*x.back, Mode::Confirm(_) | Mode::Prompt(Prompt::Form(_))) {
                overlay(f, area, model, &x.back, theme, &mut HitMap::default());
            }
            form::overlay(f, area, x, theme);
        }
        Mode::Outbox { selected } => outbox::overlay(f, area, model, *selected, theme),
        Mode::Calls(v) => calls::overlay(f, area, model, v, theme),
        Mode::Devices { room, selected } => {
            devices::overlay(f, area, model, *room, *selected, theme);
        }
        Mode::Aim { room } => devices::aim_overlay(f, area, model, *room, theme),
        Mode::Account { room } => account::overlay(f, area, model, *room, theme),
        Mode::Picture(v) => picture::overlay(f, area, model, v, theme),
        Mode::Live(v) => live::overlay(f, area, model, v, theme),
        Mode::Normal | Mode::Composing | Mode::Filtering | Mode::Explorer(_) => {}
    }
}

fn too_small(f: &mut Frame, area: Rect, theme: &Theme) {
    let lines = vec![
        Line::styled("Terminal too small", theme.warn),
        Line::raw(format!(
            "{}×{}: the console needs at least {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        )),
        Line::styled("Enlarge the window, or press q to quit", theme.dim),
    ];
    let h = (lines.len() as u16).min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    let r = Rect {
        x: area.x,
        y,
        width: area.width,
        height: h,
    };
    f.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        r,
    );
}
