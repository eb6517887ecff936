//! The live camera view end to end: the real binary in a pseudo-terminal, linked to a Room
//! simulator this test runs. The picture is read back from the terminal's cells (each half
//! block's two colours are two pixels), not by eye: the strip of squares at the top of the
//! simulator's test card carries the room's name and the time, and the yellow mark shows
//! where the PTZ camera points.
//!
//! The broadcast starts off: the view says so and why; `y` turns it on and frames come; a
//! pan key moves the mark in the next frames; tokens live 2 s here, so the view goes on only
//! if each expired token is refreshed; leaving turns the broadcast off again.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Home, PtyApp};
use trueconf_console::sim::room::frames::{find_mark, read_strip};
use trueconf_console::sim::{RoomSim, RoomSimConfig, World};

/// The picture the screen shows in half blocks: the cells drawn `▀` with a colour above
/// (the foreground) and below (the background), as pixels; None when there are none.
fn picture(s: &vt100::Screen) -> Option<image::DynamicImage> {
    let (rows, cols) = s.size();
    let (rows, cols) = (rows.get(), cols.get());
    let rgb = |c: vt100::Color| match c {
        vt100::Color::Rgb(r, g, b) => Some([r, g, b]),
        _ => None,
    };
    let block = |r: u16, c: u16| {
        let cell = s.cell(r, c)?;
        if cell.contents() != "▀" {
            return None;
        }
        Some((rgb(cell.fgcolor())?, rgb(cell.bgcolor())?))
    };
    let (mut r0, mut r1, mut c0, mut c1) = (u16::MAX, 0, u16::MAX, 0);
    for r in 0..rows {
        for c in 0..cols {
            if block(r, c).is_some() {
                (r0, r1, c0, c1) = (r0.min(r), r1.max(r), c0.min(c), c1.max(c));
            }
        }
    }
    if r0 > r1 {
        return None;
    }
    let (w, h) = (u32::from(c1 - c0 + 1), u32::from(r1 - r0 + 1) * 2);
    let mut img = image::RgbImage::new(w, h);
    for r in r0..=r1 {
        for c in c0..=c1 {
            let (top, bottom) = block(r, c).unwrap_or(([0; 3], [0; 3]));
            let (x, y) = (u32::from(c - c0), u32::from(r - r0) * 2);
            img.put_pixel(x, y, image::Rgb(top));
            img.put_pixel(x, y + 1, image::Rgb(bottom));
        }
    }
    Some(image::DynamicImage::ImageRgb8(img))
}

/// The name and time the picture on screen carries.
fn strip(s: &vt100::Screen) -> Option<(String, u32)> {
    read_strip(&picture(s)?)
}

/// Where the mark is in the picture on screen (in the camera's pixels).
fn mark(s: &vt100::Screen) -> Option<(f64, f64)> {
    find_mark(&picture(s)?)
}

fn now_secs() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as u32
}

#[test]
fn the_room_camera_live_with_its_name_the_aim_and_tokens_that_expire() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let _rt = rt.enter();
    let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    let room = rt.block_on(async {
        let mut rc = RoomSimConfig::new(Arc::new(World::demo()));
        rc.logged_in = true;
        rc.http_token_lifetime = Duration::from_secs(2);
        RoomSim::start(rc, any, any).await.unwrap()
    });
    let home = Home::new();
    let cfg = home.write(
        "config.toml",
        &format!(
            "[[room]]\nname = \"Lab\"\nhost = \"127.0.0.1\"\nhttp_port = {}\n\n\
             [ui]\nimages = \"halfblocks\"\ncamera_fps = 4\n",
            room.http_port()
        ),
    );
    let mut app = PtyApp::spawn(&["--config", cfg.to_str().unwrap()], &home.env(), 160, 48);
    app.wait_for_text("Room Lab: online");

    // The broadcast is off: no picture, and why, and what would help.
    app.send(b"W");
    app.wait_for_text("No picture: the Room's self-view broadcast is off");
    app.wait_for_text("y turns it on (and off again when you leave)");
    assert!(app.contents().contains("Camera · Lab · no picture"));

    // y: frames come, and the picture on screen carries the room's name.
    app.send(b"y");
    let name = room.name();
    app.wait_for("a frame with the room's name", |s| {
        strip(s).is_some_and(|(n, _)| n == name)
    });
    assert!(app.contents().contains("Camera · Lab · live"));

    // A pan to the right: the next frames show the mark further right.
    let (x0, _) = app.with_screen(mark).unwrap();
    app.send(b"\x1b[C\x1b[C\x1b[C");
    app.wait_for("the mark to move right", |s| {
        mark(s).is_some_and(|(x, _)| x > x0 + 10.0)
    });

    // Tokens last 2 s: frames made three lifetimes later are still shown, still live.
    let later = now_secs() + 6;
    app.wait_for("a frame made after three token lifetimes", |s| {
        strip(s).is_some_and(|(n, t)| n == name && t >= later)
    });
    let screen = app.contents();
    assert!(screen.contains("Camera · Lab · live"), "{screen}");
    assert!(!screen.contains("refused"), "{screen}");

    // Leaving turns the broadcast off again: the view opened anew says it is off.
    app.send(b"\x1b");
    app.wait_for("the view to close", |s| {
        !s.contents().contains("Camera · Lab")
    });
    app.send(b"W");
    app.wait_for_text("No picture: the Room's self-view broadcast is off");
    app.send(b"\x1b");
    app.wait_for("the view to close", |s| {
        !s.contents().contains("Camera · Lab")
    });
    app.send(b"q");
    assert!(app.wait_exit().success());
}
