//! The live camera view (app/live.rs): the newest frame centred over the screen, the frame's
//! age in the title, and a footer with the camera's position and the feed's state. Without a
//! picture it says why and what would help (`y` for a broadcast that is off, `r` after a
//! refused token). A frame older than a few seconds is never called live.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::Theme;
use super::panes::block;
use super::text::truncate;
use crate::app::live::STALE_MS;
use crate::app::{LiveTrouble, LiveView, Model};
use crate::graphics::{Kind, Whole};
use crate::room::camera::NoFrame;
use crate::sanitize;

/// "3 s", "2 min", "1 h": how old.
fn age_text(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min", s / 60),
        _ => format!("{} h", s / 3600),
    }
}

/// Why there is no (new) picture, in words.
fn trouble_text(v: &LiveView, m: &Model, t: &LiveTrouble) -> String {
    match t {
        LiveTrouble::LinkDown => "the Room link is down".into(),
        LiveTrouble::Decode(why) => {
            format!("a frame came but cannot be shown ({})", sanitize::line(why))
        }
        LiveTrouble::Fetch(e) if e.not_found() && v.broadcast_off(m) => {
            "the Room's self-view broadcast is off (its HTTP server answered 404)".into()
        }
        LiveTrouble::Fetch(e @ NoFrame::Refused { .. }) => {
            format!("{e}: the token was not accepted")
        }
        LiveTrouble::Fetch(e) => sanitize::line(&e.to_string()).into_owned(),
    }
}

/// What would help, under the reason.
fn remedy(v: &LiveView, m: &Model) -> Option<&'static str> {
    match &v.trouble {
        _ if v.broadcast_off(m) => Some(
            "y turns the self-view broadcast on (it is turned off again when you leave); Esc leaves",
        ),
        Some(LiveTrouble::Fetch(NoFrame::Refused { .. })) => {
            Some("r asks for a new token and tries again; Esc leaves")
        }
        Some(LiveTrouble::LinkDown) => Some("waiting for the Room link to come back"),
        Some(_) => Some("trying again every 2 s"),
        None => None,
    }
}

pub fn overlay(f: &mut Frame, area: Rect, m: &Model, v: &LiveView, theme: &Theme) {
    let r = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    let name = sanitize::line(m.room.name(v.room)).into_owned();
    let age = v.age_ms(m.ui.now_ms);
    let fresh = age.is_some_and(|a| a < STALE_MS) && v.trouble.is_none();
    let state = match age {
        _ if fresh => "live".to_string(),
        Some(a) => format!("{} old", age_text(a)),
        None => "no picture".into(),
    };
    let title = truncate(
        &format!("Camera · {name} · {state}"),
        usize::from(r.width).saturating_sub(4),
    );
    let b = block(&title, true, theme).padding(ratatui::widgets::Padding::ZERO);
    let inner = b.inner(r);
    f.render_widget(Clear, r);
    f.render_widget(b, r);
    if inner.height < 2 {
        return;
    }
    let pic = Rect {
        height: inner.height - 1,
        ..inner
    };
    let footer = Rect {
        y: inner.y + inner.height - 1,
        height: 1,
        ..inner
    };
    let w = usize::from(inner.width);
    let centred = |f: &mut Frame, lines: Vec<(String, Style)>| {
        let n = lines.len() as u16;
        let y = pic.y + pic.height.saturating_sub(n) / 2;
        for (i, (text, style)) in lines.into_iter().enumerate() {
            let row = y + i as u16;
            if row >= pic.y + pic.height {
                break;
            }
            f.render_widget(
                Paragraph::new(Line::styled(truncate(&text, w), style))
                    .alignment(Alignment::Center),
                Rect {
                    y: row,
                    height: 1,
                    ..pic
                },
            );
        }
    };
    // A ringing call's box goes over this view: sixel and iTerm2 pixels would hide it.
    let call_over = m.room.dialog().is_some_and(|(_, s)| s.rings_in())
        && matches!(m.ui.term.pictures, Kind::Sixel | Kind::Iterm2);
    match &v.frame {
        Some((w, _)) if !call_over => draw(f, pic, w),
        _ if call_over => centred(
            f,
            vec![("The picture waits while a call rings".into(), theme.dim)],
        ),
        Some(_) => {}
        None => {
            let mut lines = match &v.trouble {
                None => vec![("… waiting for the first frame".to_string(), theme.dim)],
                Some(t) => vec![(
                    format!("No picture: {}", trouble_text(v, m, t)),
                    theme.error,
                )],
            };
            if v.trouble.is_none() && v.broadcast_off(m) {
                lines = vec![(
                    "No picture: the Room's self-view broadcast is off".to_string(),
                    theme.error,
                )];
            }
            if let Some(hint) = remedy(v, m) {
                lines.push((String::new(), theme.dim));
                lines.push((hint.to_string(), theme.dim));
            }
            centred(f, lines);
        }
    }
    // The footer: where the camera points, and how the feed goes.
    let ptz = m.room.slot(v.room).and_then(|s| s.state.ptz.clone());
    let position = match &ptz {
        Some(p) if p.any() => {
            let a = |label: &str, x: Option<crate::room::ptz::Axis>| match x.and_then(|x| x.value) {
                Some(n) => format!("{label} {n}"),
                None => format!("{label} ?"),
            };
            format!(
                "{} · {} · {}",
                a("pan", p.pan),
                a("tilt", p.tilt),
                a("zoom", p.zoom)
            )
        }
        Some(_) => "this camera cannot be aimed".into(),
        None => "position unknown".into(),
    };
    let (feed, style) = match (&v.trouble, age) {
        (Some(t), Some(a)) if v.frame.is_some() => (
            format!(
                "no new frame for {}: {}",
                age_text(a),
                trouble_text(v, m, t)
            ),
            theme.error,
        ),
        (None, Some(a)) if a >= STALE_MS => (
            format!("the Room has sent no new frame for {}", age_text(a)),
            theme.error,
        ),
        (_, Some(_)) => {
            let fps = 1000.0 / f64::from(m.ui.term.camera_every_ms.max(1));
            let n = v.frames;
            let s = if n == 1 { "" } else { "s" };
            (format!("{n} frame{s} · up to {fps:.1} a second"), theme.dim)
        }
        (_, None) => (String::new(), theme.dim),
    };
    let left = format!(" {position}");
    let room = w.saturating_sub(super::text::width(&left) + 2);
    let right = truncate(&feed, room);
    let pad = w
        .saturating_sub(super::text::width(&left))
        .saturating_sub(super::text::width(&right) + 1);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            ratatui::text::Span::styled(truncate(&left, w), theme.dim),
            ratatui::text::Span::raw(" ".repeat(pad)),
            ratatui::text::Span::styled(right, style),
        ])),
        footer,
    );
}

/// The frame centred in `pic`; one made for another size waits for the next.
fn draw(f: &mut Frame, pic: Rect, w: &Whole) {
    let (width, height) = w.size();
    if width > pic.width || height > pic.height {
        return;
    }
    let at = Rect {
        x: pic.x + (pic.width - width) / 2,
        y: pic.y + (pic.height - height) / 2,
        width,
        height,
    };
    match w {
        Whole::Cells(t) => f.render_widget(Paragraph::new(t.lines()), at),
        Whole::Protocol(p) => f.render_widget(ratatui_image::Image::new(p), at),
    }
}
