//! The Room's microphones, speakers and cameras over the panes, by kind, the current one of
//! each marked (●) as the Room reported it, the cursor's row marked (▶).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::Theme;
use super::panes::block;
use super::text::truncate;
use crate::app::Model;
use crate::app::devices::{Kind, rows};
use crate::keys::Action;
use crate::sanitize;

pub fn overlay(f: &mut Frame, area: Rect, m: &Model, room: usize, selected: usize, theme: &Theme) {
    let r = super::panes::list_popup(area, 90);
    let w = r.width;
    let k = |a: Action| m.ui.keys.describe(a);
    let name = sanitize::line(m.room.name(room)).into_owned();
    let title = truncate(
        &format!("Devices · {name}"),
        usize::from(w).saturating_sub(4),
    );
    let b = block(&title, true, theme).title_bottom(
        Line::styled(
            format!(
                " {} switches to it · {} close ",
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
    let Some(slot) = m.room.slot(room) else {
        return;
    };
    let devices = &slot.state.devices;
    let list = rows(devices);
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor_line = 0;
    if !slot.link.is_up() {
        lines.push(Line::styled(
            "The Room is not connected: its devices are not known now.",
            theme.warn,
        ));
    }
    for kind in Kind::ALL {
        let current = match kind {
            Kind::Microphone => devices.microphone.as_deref(),
            Kind::Speaker => devices.speaker.as_deref(),
            Kind::Camera => devices.camera.as_deref(),
        };
        let heading = match current {
            Some("none") => format!("{} (none in use)", kind.label()),
            Some(_) => kind.label().to_string(),
            None => format!("{} (the one in use: unknown)", kind.label()),
        };
        lines.push(Line::styled(truncate(&heading, iw), theme.title));
        let mut any = false;
        for (i, row) in list.iter().enumerate().filter(|(_, r)| r.kind == kind) {
            any = true;
            let sel = i == selected.min(list.len().saturating_sub(1));
            if sel {
                cursor_line = lines.len();
            }
            let mark = match (sel, row.current) {
                (true, true) => "▶●",
                (true, false) => "▶ ",
                (false, true) => " ●",
                (false, false) => "  ",
            };
            let label = sanitize::line(&row.name).into_owned();
            let style = if row.current { theme.ok } else { theme.popup };
            lines.push(Line::from(vec![
                Span::raw(format!("{mark} ")),
                Span::styled(truncate(&label, iw.saturating_sub(4)), style),
            ]));
        }
        if !any {
            lines.push(Line::styled("   none listed by the Room", theme.dim));
        }
    }
    // The cursor's row in view.
    let first = (cursor_line + 1).saturating_sub(ih);
    let lines: Vec<Line> = lines.into_iter().skip(first).take(ih).collect();
    f.render_widget(Paragraph::new(lines).block(b), r);
}

/// One axis as the aim box says it: the value, and its range when the Room gave one.
fn axis_text(label: &str, a: Option<crate::room::ptz::Axis>) -> String {
    match a {
        None => format!("{label}: —"),
        Some(a) => {
            let v = a.value.map_or_else(|| "?".to_string(), |v| v.to_string());
            match (a.min, a.max) {
                (Some(lo), Some(hi)) => format!("{label}: {v} ({lo}…{hi})"),
                _ => format!("{label}: {v}"),
            }
        }
    }
}

/// The aim box: the camera, its pan, tilt and zoom as the Room last said them, the keys.
pub fn aim_overlay(f: &mut Frame, area: Rect, m: &Model, room: usize, theme: &Theme) {
    let w = area.width.saturating_sub(4).min(60);
    let r = Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + area.height.saturating_sub(9) / 2,
        width: w,
        height: 8.min(area.height),
    };
    let name = sanitize::line(m.room.name(room)).into_owned();
    let title = truncate(
        &format!("Camera · {name}"),
        usize::from(w).saturating_sub(4),
    );
    let b = block(&title, true, theme)
        .title_bottom(Line::styled(" Esc done ", theme.dim).right_aligned());
    let iw = usize::from(b.inner(r).width);
    f.render_widget(Clear, r);
    let ptz = m.room.slot(room).and_then(|s| s.state.ptz.clone());
    let mut lines = Vec::new();
    match &ptz {
        None => lines.push(Line::styled(
            "Position: unknown (the Room has not said)",
            theme.dim,
        )),
        Some(p) => {
            let camera = p.camera.as_deref().map_or_else(
                || "the camera in use".to_string(),
                |c| sanitize::line(c).into_owned(),
            );
            lines.push(Line::styled(truncate(&camera, iw), theme.title));
            lines.push(Line::raw(truncate(
                &format!(
                    "{} · {}",
                    axis_text("Pan", p.pan),
                    axis_text("Tilt", p.tilt)
                ),
                iw,
            )));
            lines.push(Line::raw(truncate(&axis_text("Zoom", p.zoom), iw)));
        }
    }
    lines.push(Line::raw(""));
    // The keys of the axes the Room gave (all of them while it has not said).
    let has = |a: fn(&crate::room::ptz::Ptz) -> bool| ptz.as_ref().is_none_or(a);
    let mut keys: Vec<&str> = Vec::new();
    if has(|p| p.pan.is_some()) {
        keys.push("← → pan");
    }
    if has(|p| p.tilt.is_some()) {
        keys.push("↑ ↓ tilt");
    }
    if has(|p| p.zoom.is_some()) {
        keys.push("+ − zoom");
    }
    keys.push("0 default");
    lines.push(Line::styled(truncate(&keys.join(" · "), iw), theme.key));
    lines.push(Line::styled(
        truncate("each press moves a step and stops", iw),
        theme.dim,
    ));
    f.render_widget(Paragraph::new(lines).block(b), r);
}
