//! The live camera view (`W`): the shown room's own camera, fetched from the Room's built-in
//! HTTP server a few times a second (crate::room::camera) and drawn over the whole screen
//! with the terminal's graphics protocol or half blocks. The frame's age is always shown, and
//! no picture is never silent: the view says why (the broadcast off, the token refused, the
//! server unreachable, a frame that could not be decoded), and an old frame says how old.
//!
//! The self-view broadcast (`setBroadcastSelfie`) must be on for the Room to serve frames.
//! When it is off the view asks; `y` turns it on, and leaving the view turns it off again
//! when it was the console that turned it on. The arrow keys aim the PTZ camera as `z` does
//! (`+`/`-` zoom, `0` home), so the next frames show where it points.

use crossterm::event::{KeyCode, KeyEvent};
use serde_json::json;

use super::{Cmd, Mode, Model, NoticeLevel};
use crate::graphics::Whole;
use crate::room::camera::NoFrame;

/// A frame older than this is not called live.
pub const STALE_MS: u64 = 3_000;

/// The live view's state.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveView {
    /// The room (an index into the configured rooms).
    pub room: usize,
    /// The cells a frame may fill.
    pub cells: (u16, u16),
    /// The last frame drawn, and when it was fetched (Unix ms).
    pub frame: Option<(Whole, u64)>,
    /// Why no new frame comes, until one does.
    pub trouble: Option<LiveTrouble>,
    /// The console turned the broadcast on (`y`): it is turned off again on leaving.
    pub turned_on: bool,
    /// Frames shown since the view opened.
    pub frames: u64,
    /// Bumped by `r` (try again): the feed starts over with a new token.
    pub attempt: u32,
}

/// Why the view has no new frame.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveTrouble {
    /// The fetch failed (crate::room::camera says why).
    Fetch(NoFrame),
    /// A frame came but is not a picture that can be shown.
    Decode(String),
    /// The Room link is down.
    LinkDown,
}

/// What the effects are asked to fetch: room `room`'s camera, made to fit `cols`×`rows`
/// cells, a frame every `every_ms`; `attempt` changes when the user asks to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveFeed {
    pub room: usize,
    pub cols: u16,
    pub rows: u16,
    pub every_ms: u32,
    pub attempt: u32,
}

/// The cells a frame may fill on a screen of `size`: inside the frame, less the title, the
/// footer line under the picture and the status bar.
pub fn cells_for(size: (u16, u16)) -> (u16, u16) {
    (
        size.0.saturating_sub(2).max(1),
        size.1.saturating_sub(4).max(1),
    )
}

impl LiveView {
    /// Whether the broadcast being off is why there is no picture (what `y` would mend).
    pub fn broadcast_off(&self, m: &Model) -> bool {
        let said_off = m
            .room
            .slot(self.room)
            .is_some_and(|s| s.state.selfie_broadcast == Some(false));
        match &self.trouble {
            Some(LiveTrouble::Fetch(e)) if e.not_found() => {
                // 404 while the Room says the broadcast is on: it serves no frames for another
                // reason, which the server's words say.
                !m.room
                    .slot(self.room)
                    .is_some_and(|s| s.state.selfie_broadcast == Some(true))
            }
            _ => said_off && self.frame.is_none(),
        }
    }

    /// How old the frame on screen is (ms), by the model's clock.
    pub fn age_ms(&self, now_ms: u64) -> Option<u64> {
        self.frame
            .as_ref()
            .map(|(_, at)| now_ms.saturating_sub(*at))
    }

    fn feed(&self, every_ms: u32) -> LiveFeed {
        LiveFeed {
            room: self.room,
            cols: self.cells.0,
            rows: self.cells.1,
            every_ms,
            attempt: self.attempt,
        }
    }
}

/// `W`: the live view of room `room`'s camera.
pub(super) fn open(m: &mut Model, room: usize) -> Vec<Cmd> {
    if !m.room.slot(room).is_some_and(|s| s.link.is_up()) {
        m.notify(
            NoticeLevel::Warn,
            "The Room is not connected: its camera cannot be shown",
        );
        return vec![];
    }
    let v = LiveView {
        room,
        cells: cells_for(m.ui.size),
        frame: None,
        trouble: None,
        turned_on: false,
        frames: 0,
        attempt: 0,
    };
    let feed = v.feed(m.ui.term.camera_every_ms);
    m.mode = Mode::Live(v);
    m.touch();
    let mut cmds = vec![
        // Whether the broadcast is on: the view asks before turning it on.
        Cmd::room(room, "getBroadcastSelfie", json!({})),
        Cmd::LiveFeed(Some(feed)),
    ];
    cmds.extend(super::room::sync_ticks(m));
    cmds
}

/// A frame (or why none) from the feed of room `room`.
pub(super) fn frame(m: &mut Model, room: usize, result: Result<(Whole, u64), LiveTrouble>) {
    let Mode::Live(v) = &mut m.mode else {
        return;
    };
    if v.room != room {
        return;
    }
    match result {
        Ok((w, at)) => {
            // Made for an older size: the next frame is made for this one.
            let (cw, ch) = w.size();
            if cw > v.cells.0 || ch > v.cells.1 {
                return;
            }
            v.frame = Some((w, at));
            v.trouble = None;
            v.frames += 1;
        }
        Err(t) => v.trouble = Some(t),
    }
    m.touch();
}

/// The screen's size changed: frames are made for the new size.
pub(super) fn resized(m: &mut Model) -> Vec<Cmd> {
    let cells = cells_for(m.ui.size);
    let every_ms = m.ui.term.camera_every_ms;
    let Mode::Live(v) = &mut m.mode else {
        return vec![];
    };
    if v.cells == cells {
        return vec![];
    }
    v.cells = cells;
    let feed = v.feed(every_ms);
    vec![Cmd::LiveFeed(Some(feed))]
}

/// The room's link went down or came back while the view is open.
pub(super) fn link_changed(m: &mut Model, room: usize, up: bool) {
    if let Mode::Live(v) = &mut m.mode
        && v.room == room
    {
        if !up {
            v.trouble = Some(LiveTrouble::LinkDown);
        } else if v.trouble == Some(LiveTrouble::LinkDown) {
            v.trouble = None;
        }
    }
}

/// Keys in the live view: arrows aim, `+`/`-` zoom, `0` home, `y` turns the broadcast on,
/// `r` tries again, Esc, `q` or `W` leave; the room keys (hang up, microphone, camera) act.
pub(super) fn on_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    use crate::keys::{Action, Context, KeySpec};
    let Mode::Live(v) = &m.mode else {
        return vec![];
    };
    let room = v.room;
    let ptz = match k.code {
        KeyCode::Left => Some("ptzLeft"),
        KeyCode::Right => Some("ptzRight"),
        KeyCode::Up => Some("ptzUp"),
        KeyCode::Down => Some("ptzDown"),
        KeyCode::Char('+' | '=') => Some("ptzZoomInc"),
        KeyCode::Char('-') => Some("ptzZoomDec"),
        _ => None,
    };
    if let Some(start) = ptz {
        return if super::aim::up(m, room) {
            vec![
                Cmd::room(room, start, json!({})),
                Cmd::room(room, "ptzStop", json!({})),
            ]
        } else {
            vec![]
        };
    }
    match k.code {
        KeyCode::Char('0') => {
            return if super::aim::up(m, room) {
                vec![Cmd::room(room, "setPtzDefaults", json!({}))]
            } else {
                vec![]
            };
        }
        KeyCode::Char('y') => return turn_on(m),
        KeyCode::Char('r') => {
            let every_ms = m.ui.term.camera_every_ms;
            let Mode::Live(v) = &mut m.mode else {
                return vec![];
            };
            v.attempt += 1;
            v.trouble = None;
            let feed = v.feed(every_ms);
            m.touch();
            return vec![Cmd::LiveFeed(Some(feed))];
        }
        _ => {}
    }
    let Some(key) = KeySpec::from_event(k) else {
        return vec![];
    };
    match m.ui.keys.lookup(key, &[Context::Global, Context::Room]) {
        Some(Action::Back | Action::Quit | Action::Watch) => close(m),
        Some(a @ (Action::HangUp | Action::Mic | Action::Camera)) => super::update::on_action(m, a),
        _ => vec![],
    }
}

/// `y`: the broadcast turned on, when it is why there is no picture.
fn turn_on(m: &mut Model) -> Vec<Cmd> {
    let Mode::Live(v) = &m.mode else {
        return vec![];
    };
    if !v.broadcast_off(m) {
        return vec![];
    }
    let room = v.room;
    let fps = (1000 / m.ui.term.camera_every_ms.max(1)).clamp(1, 30);
    if let Mode::Live(v) = &mut m.mode {
        v.turned_on = true;
        v.trouble = None;
    }
    m.touch();
    vec![Cmd::room(
        room,
        "setBroadcastSelfie",
        json!({"enabled": true, "fps": fps}),
    )]
}

/// Leaves the view: the feed stops, and a broadcast the console turned on is turned off.
pub(super) fn close(m: &mut Model) -> Vec<Cmd> {
    let Mode::Live(v) = &m.mode else {
        return vec![];
    };
    let mut cmds = vec![Cmd::LiveFeed(None)];
    if v.turned_on {
        cmds.push(Cmd::BroadcastOff(v.room));
    }
    let repaint = matches!(
        m.ui.term.pictures,
        crate::graphics::Kind::Sixel | crate::graphics::Kind::Iterm2
    );
    m.mode = Mode::Normal;
    m.touch();
    if repaint {
        cmds.push(Cmd::Repaint);
    }
    cmds.extend(super::room::sync_ticks(m));
    cmds
}
