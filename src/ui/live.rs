//! The live camera view (app/live.rs): the newest frame centred over the screen, the frame's
//! age in the title, and a footer with the camera's position and the feed's state. Without a
//! picture it says why and what would help (`y` for a broadcast that is off, `r` after a
//! refused token). A frame older than a few seconds is never called live. In a call, the
//! other participants' pictures are tiles in a column on the right where the screen is wide
//! enough, and their names are a row over the footer otherwise (app/live.rs, `layout`).

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::Theme;
use super::panes::block;
use super::text::truncate;
use crate::app::live::{STALE_MS, TILE, layout};
use crate::app::{LiveTrouble, LiveView, Model, Tile};
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

/// The room's link, when it is not up: then that is why no frame comes, whatever the feed
/// said last (the two would take turns otherwise).
fn link_down(v: &LiveView, m: &Model) -> Option<String> {
    let link = &m.room.slot(v.room)?.link;
    (!link.is_up()).then(|| format!("the Room link: {}", link.label()))
}

/// Why there is no new picture, in words: the link first, then what the feed said.
fn reason(v: &LiveView, m: &Model) -> Option<String> {
    link_down(v, m).or_else(|| v.trouble.as_ref().map(|t| trouble_text(v, m, t)))
}

/// Why there is no (new) picture, in words.
fn trouble_text(v: &LiveView, m: &Model, t: &LiveTrouble) -> String {
    match t {
        LiveTrouble::LinkDown => "the Room link is down".into(),
        LiveTrouble::Decode(why) => {
            format!("a frame came but cannot be shown ({})", sanitize::line(why))
        }
        LiveTrouble::Fetch(e) if e.not_found() && v.broadcast_off(m) => {
            "the Room's self-view broadcast is off".into()
        }
        LiveTrouble::Fetch(e @ NoFrame::Refused { .. }) => {
            format!("{e}: the token was not accepted")
        }
        LiveTrouble::Fetch(e) => sanitize::line(&e.to_string()).into_owned(),
    }
}

/// What would help, under the reason.
fn remedy(v: &LiveView, m: &Model) -> Option<&'static str> {
    if link_down(v, m).is_some() {
        return Some("waiting for the Room link to come back · Esc leaves");
    }
    match &v.trouble {
        _ if v.broadcast_off(m) => {
            Some("y turns it on (and off again when you leave) · Esc leaves")
        }
        Some(LiveTrouble::Fetch(NoFrame::Refused { .. })) => {
            Some("r asks for a new token and tries again · Esc leaves")
        }
        Some(LiveTrouble::LinkDown) => Some("waiting for the Room link to come back"),
        Some(_) => Some("trying again every 2 s · Esc leaves"),
        None => None,
    }
}

/// The key that would help now, in a few words, for the footer.
fn hint_key(v: &LiveView, m: &Model) -> Option<&'static str> {
    if link_down(v, m).is_some() {
        return None;
    }
    if v.broadcast_off(m) {
        return Some("y turns the broadcast on");
    }
    matches!(v.trouble, Some(LiveTrouble::Fetch(NoFrame::Refused { .. })))
        .then_some("r tries again")
}

/// The view's keys, over it (`?`).
const LEGEND: &[(&str, &str)] = &[
    ("← → ↑ ↓", "pan and tilt the camera"),
    ("+ -", "zoom in, out"),
    ("0", "the camera's home position"),
    ("y", "turn the broadcast on (when it is off)"),
    ("r", "try again after a refused token"),
    ("h m v", "hang up, microphone, camera"),
    ("Esc q W", "leave the view"),
    ("?", "show or hide these keys"),
];

fn legend(f: &mut Frame, area: Rect, theme: &Theme) {
    let w = 60.min(area.width.saturating_sub(2));
    let h = (LEGEND.len() as u16 + 2).min(area.height);
    let r = Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    };
    let b = block("Camera keys", true, theme);
    let iw = usize::from(b.inner(r).width);
    let lines: Vec<Line> = LEGEND
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                ratatui::text::Span::styled(format!("{k:<9}"), theme.title),
                ratatui::text::Span::raw(truncate(what, iw.saturating_sub(9))),
            ])
        })
        .collect();
    f.render_widget(Clear, r);
    f.render_widget(Paragraph::new(lines).block(b), r);
}

pub fn overlay(f: &mut Frame, area: Rect, m: &Model, v: &LiveView, theme: &Theme) {
    let r = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    let name = sanitize::line(m.room.name(v.room)).into_owned();
    let age = v.age_ms(m.ui.now_ms);
    let why = reason(v, m);
    let fresh = age.is_some_and(|a| a < STALE_MS) && why.is_none();
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
    let lay = layout(m.ui.size, v.tiles.len());
    // Beside the tiles' column the picture keeps a column's gap from the frame.
    let gap = u16::from(lay.tiles > 0 && inner.width > lay.main.0 + 1);
    let pic = Rect {
        x: inner.x + gap,
        width: lay.main.0.min(inner.width.saturating_sub(gap)),
        height: lay.main.1.min(inner.height - 1),
        ..inner
    };
    let footer = Rect {
        y: inner.y + inner.height - 1,
        height: 1,
        ..inner
    };
    // The participants: tiles in the column, names in the row over the footer.
    if lay.tiles > 0 && inner.width > TILE.0 + 1 {
        let col = Rect {
            x: inner.x + inner.width - TILE.0,
            width: TILE.0,
            height: inner.height - 1,
            ..inner
        };
        for (k, t) in v.tiles.iter().take(lay.tiles).enumerate() {
            let y = col.y + k as u16 * (TILE.1 + 1);
            if y + TILE.1 + 1 > col.y + col.height {
                break;
            }
            draw_tile(
                f,
                Rect {
                    y,
                    height: TILE.1 + 1,
                    ..col
                },
                m,
                t,
                theme,
            );
        }
    }
    if lay.names_row && footer.y > inner.y {
        let rest: Vec<String> = v.tiles[lay.tiles.min(v.tiles.len())..]
            .iter()
            .map(|t| sanitize::line(&t.name).into_owned())
            .collect();
        let lead = if lay.tiles > 0 {
            "Also in the call"
        } else {
            "In the call"
        };
        let text = format!(" {lead}: {}", rest.join(", "));
        f.render_widget(
            Paragraph::new(Line::styled(
                truncate(&text, usize::from(inner.width)),
                theme.dim,
            )),
            Rect {
                y: footer.y - 1,
                ..footer
            },
        );
    }
    let w = usize::from(inner.width);
    let centred = |f: &mut Frame, lines: Vec<(String, Style)>| {
        // Long lines wrap: nothing that says what to do is cut off at 80 columns.
        let lines: Vec<(String, Style)> = lines
            .into_iter()
            .flat_map(|(text, style)| {
                super::panes::wrap(&text, w.saturating_sub(2).max(1))
                    .into_iter()
                    .map(move |l| (l.trim().to_string(), style))
            })
            .collect();
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
            let mut lines = match &why {
                None => vec![("… waiting for the first frame".to_string(), theme.dim)],
                Some(t) => vec![(format!("No picture: {t}"), theme.error)],
            };
            if why.is_none() && v.broadcast_off(m) {
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
    // The room's microphone and camera: a key here mutes the room, and the view says so.
    let slot = m.room.slot(v.room);
    let dev = |muted: Option<bool>, name: &str| match muted {
        Some(false) => format!("{name} on"),
        Some(true) => format!("{name} OFF"),
        None => format!("{name} ?"),
    };
    let devices = format!(
        "{} · {}",
        dev(slot.and_then(|s| s.state.mic_muted), "mic"),
        dev(slot.and_then(|s| s.state.camera_muted), "camera")
    );
    // With a reason for no new frame (or none known, but the frame is old), the footer is the
    // reason's, whole.
    // The Room is blamed only once the frame is older than two intervals and a second: at a
    // low rate the console may simply not have asked yet.
    let overdue = STALE_MS.max(2 * u64::from(m.ui.term.camera_every_ms) + 1000);
    let help = match hint_key(v, m) {
        Some(k) => format!(" ({k})"),
        None => String::new(),
    };
    let stale = match (&why, age) {
        (Some(why), Some(a)) => Some(format!(" no new frame for {}{help}: {why}", age_text(a))),
        (None, Some(a)) if a >= overdue => Some(format!(
            " the Room has sent no new frame for {}",
            age_text(a)
        )),
        _ => None,
    };
    if let Some(text) = stale {
        f.render_widget(
            Paragraph::new(Line::styled(truncate(&text, w), theme.error)),
            footer,
        );
        if v.legend {
            legend(f, pic, theme);
        }
        return;
    }
    let (feed, style) = match age {
        Some(_) => {
            let fps = 1000.0 / f64::from(m.ui.term.camera_every_ms.max(1));
            let n = v.frames;
            let s = if n == 1 { "" } else { "s" };
            (format!("{n} frame{s} · up to {fps:.1} a second"), theme.dim)
        }
        None => (String::new(), theme.dim),
    };
    // Where the camera points, then the microphone and camera (a muted one stands out), then
    // the count: the count goes first when the line is short; nothing is cut mid-word.
    let muted =
        slot.is_some_and(|s| s.state.mic_muted == Some(true) || s.state.camera_muted == Some(true));
    let left = format!(" {position} · ");
    let used = super::text::width(&left) + super::text::width(&devices);
    let right = if !feed.is_empty() && used + 3 + super::text::width(&feed) <= w {
        format!(" · {feed}")
    } else {
        String::new()
    };
    f.render_widget(
        Paragraph::new(Line::from(vec![
            ratatui::text::Span::styled(left, theme.dim),
            ratatui::text::Span::styled(devices, if muted { theme.error } else { theme.dim }),
            ratatui::text::Span::styled(right, style),
        ])),
        footer,
    );
    if v.legend {
        legend(f, pic, theme);
    }
}

/// A participant's tile: the name over the picture, or why there is none.
fn draw_tile(f: &mut Frame, r: Rect, m: &Model, t: &Tile, theme: &Theme) {
    let w = usize::from(r.width);
    f.render_widget(
        Paragraph::new(Line::styled(
            truncate(&sanitize::line(&t.name), w),
            theme.title,
        )),
        Rect { height: 1, ..r },
    );
    let pic = Rect {
        y: r.y + 1,
        height: r.height - 1,
        ..r
    };
    let note = |f: &mut Frame, text: String| {
        f.render_widget(
            Paragraph::new(Line::styled(truncate(&text, w), theme.dim))
                .alignment(Alignment::Center),
            Rect {
                y: pic.y + pic.height / 2,
                height: 1,
                ..pic
            },
        );
    };
    match (&t.frame, &t.trouble) {
        (_, Some(LiveTrouble::Fetch(e))) if e.not_found() => {
            note(f, "the Room serves no picture".into());
        }
        (_, Some(LiveTrouble::Fetch(NoFrame::Refused { status }))) => {
            note(f, format!("refused ({status}) · r tries again"));
        }
        (Some((w, at)), trouble) => {
            draw(f, pic, w);
            let age = m.ui.now_ms.saturating_sub(*at);
            if trouble.is_some() || age >= STALE_MS * 3 {
                // Tiles refresh in turn: only a clearly old one says so.
                let text = format!(" {} old ", age_text(age));
                f.render_widget(
                    Paragraph::new(Line::styled(text, theme.error)).alignment(Alignment::Right),
                    Rect {
                        y: pic.y + pic.height - 1,
                        height: 1,
                        ..pic
                    },
                );
            }
        }
        (None, Some(_)) => note(f, "no picture".into()),
        (None, None) => note(f, "…".into()),
    }
}

/// The frame centred in `pic`; one made for another size waits for the next.
fn draw(f: &mut Frame, pic: Rect, w: &Whole) {
    super::picture::centred(f, pic, w);
}
