//! The picture view (app/picture.rs): the picture centred over the screen above the status
//! bar, drawn by ratatui-image in the protocol chosen at start; while it is made, or when it
//! cannot be, a line says so. While a call rings the picture is not drawn (the call's box
//! goes over this view, and a graphics protocol's pixels could hide it).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::Theme;
use super::panes::block;
use super::text::truncate;
use crate::app::{Model, PictureState, PictureView};
use crate::graphics::{Kind, Whole};
use crate::sanitize;

pub fn overlay(f: &mut Frame, area: Rect, m: &Model, v: &PictureView, theme: &Theme) {
    let r = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    let name = sanitize::line(&v.name).into_owned();
    // What it is and whose: "room.png · Alice Johnson, 2026-12-04 08:59 · 3.4 KiB".
    let who = super::history::author_name(m, &v.author);
    let when = super::panes::local(v.at, m.ui.utc_offset_secs);
    let title = truncate(
        &format!(
            "{name} · {}, {when} · {}",
            sanitize::line(&who),
            crate::chat::types::human_size(v.size)
        ),
        usize::from(r.width).saturating_sub(4),
    );
    let b = block(&title, true, theme).padding(ratatui::widgets::Padding::ZERO);
    let inner = b.inner(r);
    f.render_widget(Clear, r);
    f.render_widget(b, r);
    let note = |f: &mut Frame, text: String, style| {
        let line = Line::styled(truncate(&text, usize::from(inner.width)), style);
        let y = inner.y + inner.height / 2;
        f.render_widget(
            Paragraph::new(line).alignment(ratatui::layout::Alignment::Center),
            Rect {
                y,
                height: 1,
                ..inner
            },
        );
    };
    // A ringing call's box is drawn over this view. Sixel and iTerm2 pictures are pixels
    // the box's cells would not cover: those wait; cells (half blocks, kitty's placeholders)
    // are covered like text.
    if m.room.dialog().is_some_and(|(_, s)| s.rings_in())
        && matches!(m.ui.term.pictures, Kind::Sixel | Kind::Iterm2)
    {
        return note(f, "The picture waits while a call rings".into(), theme.dim);
    }
    match &v.state {
        PictureState::Loading => note(f, "… loading the picture".into(), theme.dim),
        PictureState::Refused(why) => note(
            f,
            format!("No picture: {}", sanitize::line(why)),
            theme.error,
        ),
        PictureState::Ready(w) => {
            if !centred(f, inner, w) {
                note(f, "… loading the picture".into(), theme.dim);
            }
        }
    }
}

/// `w` centred in `area`; false (nothing drawn) when it was made for another size and does
/// not fit (the screen changed; the one for the new size is on its way).
pub(super) fn centred(f: &mut Frame, area: Rect, w: &Whole) -> bool {
    let (width, height) = w.size();
    if width > area.width || height > area.height {
        return false;
    }
    let at = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    match w {
        Whole::Cells(t) => f.render_widget(Paragraph::new(t.lines()), at),
        Whole::Protocol(p) => f.render_widget(ratatui_image::Image::new(p), at),
    }
    true
}
