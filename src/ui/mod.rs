//! Views: functions of the model that draw into a frame and touch nothing else.

mod chats;
mod composer;
mod dialog;
mod explorer;
mod help;
mod history;
mod inspector;
mod layout;
mod panes;
mod participants;
pub mod rich;
mod room;
mod status;
pub mod text;
pub mod theme;

pub use layout::{MIN_HEIGHT, MIN_WIDTH, MainLayout};
pub use theme::Theme;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::{Confirm, Mode, Model, Prompt};

/// Draws the whole screen for `model`.
pub fn view(model: &Model, f: &mut Frame) {
    let theme = Theme::for_model(model);
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(f, area, &theme);
        return;
    }
    let l = MainLayout::new(area, model.ui.inspector);
    if let Some(x) = model.mode.explorer() {
        // The explorer takes the screen above the status bar.
        let body = Rect {
            height: area.height.saturating_sub(1),
            ..area
        };
        explorer::view(f, body, model, x, &theme);
    } else {
        room::room(f, l.room, model, &theme);
        chats::chats(f, l.chats, model, &theme);
        history::history(f, l.history, model, &theme);
        composer::composer(f, l.composer, model, &theme);
        if let Some(r) = l.inspector {
            inspector::inspector(f, r, model, &theme);
        }
    }
    status::bar(f, l.status, model, &theme);
    dialog::call(f, area, model, &theme);
    match &model.mode {
        Mode::Help { scroll } => help::overlay(f, area, model, *scroll, &theme),
        Mode::Participants { scroll } => participants::overlay(f, area, model, *scroll, &theme),
        Mode::Prompt(Prompt::Call(p)) => dialog::call_prompt(f, area, model, p, &theme),
        Mode::Confirm(Confirm {
            question, answers, ..
        }) => dialog::confirm(f, area, question, answers, &theme),
        Mode::Prompt(Prompt::Forward {
            picker, selected, ..
        }) => dialog::forward(f, area, model, picker, selected.as_deref(), &theme),
        Mode::Prompt(Prompt::Upload { path }) => dialog::upload(f, area, model, path, &theme),
        Mode::Prompt(Prompt::NewChat { kind, input }) => {
            dialog::new_chat(f, area, *kind, input, &theme);
        }
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
