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
//!
//! In a call, the other participants' pictures are asked for too (the same URL with their
//! peer id), one at a time in turn between the room's own frames, and shown as small tiles
//! in a column on the right where the screen is wide enough ([`layout`]); elsewhere, and for
//! those beyond the column, their names. A participant whose picture the Room does not serve
//! shows a tile that says so.

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
    /// The other participants of the call, as the Room lists them, in its order.
    pub tiles: Vec<Tile>,
    /// The view's keys shown over it (`?`).
    pub legend: bool,
    /// The screen is too small to show it: no frames are fetched until it is larger.
    pub paused: bool,
}

/// A participant's tile: who, and their last picture or why none.
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    pub peer: String,
    pub name: String,
    pub frame: Option<(Whole, u64)>,
    pub trouble: Option<LiveTrouble>,
}

/// How the view shares the screen: the room's picture, the participants' tiles in a column
/// on the right (when the screen is wide enough), and a row of names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The cells the room's picture may fill.
    pub main: (u16, u16),
    /// How many tiles the column holds (0: no column).
    pub tiles: usize,
    /// A row of participants' names over the footer (no column, or more than it holds).
    pub names_row: bool,
}

/// A tile's picture: 32×9 cells (16:9 in half blocks), under a row with the name.
pub const TILE: (u16, u16) = (32, 9);
/// The screen width from which tiles are shown.
pub const TILES_FROM_WIDTH: u16 = 120;

/// The view's layout on a screen of `size` with `others` participants besides the room.
pub fn layout(size: (u16, u16), others: usize) -> Layout {
    let (w, h) = (size.0, size.1);
    // Inside the frame, less the title, the footer and the status bar.
    let inner = (w.saturating_sub(2), h.saturating_sub(4));
    let fits = usize::from(inner.1 / (TILE.1 + 1));
    let tiles = if others > 0 && w >= TILES_FROM_WIDTH {
        others.min(fits)
    } else {
        0
    };
    let names_row = others > tiles;
    let main = (
        // With the column: a column's gap on either side of the picture, then the tiles.
        if tiles > 0 {
            inner.0.saturating_sub(TILE.0 + 3)
        } else {
            inner.0
        }
        .max(1),
        inner.1.saturating_sub(u16::from(names_row)).max(1),
    );
    Layout {
        main,
        tiles,
        names_row,
    }
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
/// cells, a frame every `every_ms`, and in turn the pictures of `peers` for [`TILE`] cells;
/// `attempt` changes when the user asks to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveFeed {
    pub room: usize,
    pub cols: u16,
    pub rows: u16,
    pub every_ms: u32,
    pub attempt: u32,
    pub peers: Vec<String>,
    /// Frames drawn with the terminal's graphics protocol (else half blocks).
    pub graphics: bool,
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
                m.room
                    .slot(self.room)
                    .is_none_or(|s| s.state.selfie_broadcast != Some(true))
            }
            // Another trouble (the token, the server) is not mended by the broadcast.
            _ => said_off && self.frame.is_none() && self.trouble.is_none(),
        }
    }

    /// How old the frame on screen is (ms), by the model's clock.
    pub fn age_ms(&self, now_ms: u64) -> Option<u64> {
        self.frame
            .as_ref()
            .map(|(_, at)| now_ms.saturating_sub(*at))
    }

    /// The feed for this view: the tiles shown are the peers asked for.
    fn feed(&self, term: &super::model::TermPowers, size: (u16, u16)) -> LiveFeed {
        let shown = layout(size, self.tiles.len()).tiles;
        LiveFeed {
            room: self.room,
            cols: self.cells.0,
            rows: self.cells.1,
            every_ms: term.camera_every_ms,
            attempt: self.attempt,
            peers: self.tiles[..shown].iter().map(|t| t.peer.clone()).collect(),
            graphics: term.camera_graphics,
        }
    }
}

/// The participants of room `room`'s call other than the room, as tiles without pictures.
fn others(m: &Model, room: usize) -> Vec<Tile> {
    let Some(s) = m.room.slot(room) else {
        return vec![];
    };
    let Some(c) = &s.state.conference else {
        return vec![];
    };
    c.others(s.state.me())
        .into_iter()
        .map(|p| Tile {
            peer: p.peer.id.clone(),
            name: if p.peer.name.is_empty() {
                p.peer.id.clone()
            } else {
                p.peer.name.clone()
            },
            frame: None,
            trouble: None,
        })
        .collect()
}

/// Room `room`'s state changed: when the call's participants did, the tiles follow (a
/// participant still there keeps their picture) and the feed asks for the new ones.
pub(super) fn sync_peers(m: &mut Model, room: usize) -> Vec<Cmd> {
    let fresh = others(m, room);
    let (term, size) = (m.ui.term, m.ui.size);
    let Mode::Live(v) = &mut m.mode else {
        return vec![];
    };
    if v.room != room
        || fresh
            .iter()
            .map(|t| &t.peer)
            .eq(v.tiles.iter().map(|t| &t.peer))
    {
        return vec![];
    }
    let mut old = std::mem::take(&mut v.tiles);
    v.tiles = fresh
        .into_iter()
        .map(|t| match old.iter().position(|o| o.peer == t.peer) {
            Some(i) => Tile {
                name: t.name,
                ..old.swap_remove(i)
            },
            None => t,
        })
        .collect();
    v.cells = layout(size, v.tiles.len()).main;
    if v.paused {
        return vec![];
    }
    vec![Cmd::LiveFeed(Some(v.feed(&term, size)))]
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
    let tiles = others(m, room);
    let v = LiveView {
        room,
        cells: layout(m.ui.size, tiles.len()).main,
        frame: None,
        trouble: None,
        turned_on: false,
        frames: 0,
        attempt: 0,
        tiles,
        legend: false,
        paused: false,
    };
    let feed = v.feed(&m.ui.term, m.ui.size);
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

/// A frame (or why none) from the feed of room `room`: its own camera's (`peer` None) or a
/// participant's.
pub(super) fn frame(
    m: &mut Model,
    room: usize,
    peer: Option<String>,
    result: Result<(Whole, u64), LiveTrouble>,
) {
    let Mode::Live(v) = &mut m.mode else {
        return;
    };
    if v.room != room {
        return;
    }
    if let Some(peer) = peer {
        if let Some(t) = v.tiles.iter_mut().find(|t| t.peer == peer) {
            match result {
                Ok(f) => {
                    t.frame = Some(f);
                    t.trouble = None;
                }
                Err(e) => t.trouble = Some(e),
            }
            m.touch();
        }
        return;
    }
    match result {
        Ok((w, at)) => {
            // Made for an older size: the next frame is made for this one.
            let (cw, ch) = w.size();
            if cw > v.cells.0 || ch > v.cells.1 {
                return;
            }
            // The same frame made again for a new size is not news: what was wrong still is.
            let newer = v.frame.as_ref().is_none_or(|(_, was)| at > *was);
            v.frame = Some((w, at));
            if newer {
                v.trouble = None;
                v.frames += 1;
            }
        }
        Err(t) => v.trouble = Some(t),
    }
    m.touch();
}

/// The screen's size changed: frames are made for the new size.
pub(super) fn resized(m: &mut Model) -> Vec<Cmd> {
    let (term, size) = (m.ui.term, m.ui.size);
    let Mode::Live(v) = &mut m.mode else {
        return vec![];
    };
    // Below the console's smallest screen the view is not shown: nothing is fetched.
    let hidden = size.0 < super::MIN_WIDTH || size.1 < super::MIN_HEIGHT;
    if hidden != v.paused {
        v.paused = hidden;
        v.cells = layout(size, v.tiles.len()).main;
        return vec![Cmd::LiveFeed((!hidden).then(|| v.feed(&term, size)))];
    }
    let cells = layout(size, v.tiles.len()).main;
    if v.cells == cells || hidden {
        return vec![];
    }
    v.cells = cells;
    vec![Cmd::LiveFeed(Some(v.feed(&term, size)))]
}

/// The room's link went down or came back while the view is open: while it is down the view
/// says the link's state (ui/live.rs reads it), whatever the feed last said; a trouble from
/// before it came back is forgotten.
pub(super) fn link_changed(m: &mut Model, room: usize, up: bool) {
    if let Mode::Live(v) = &mut m.mode
        && v.room == room
        && up
        && v.trouble == Some(LiveTrouble::LinkDown)
    {
        v.trouble = None;
    }
}

/// Keys in the live view: arrows aim, `+`/`-` zoom, `0` home, `y` turns the broadcast on,
/// `r` tries again, `?` shows these keys, Esc, `q` or `W` leave; the room keys (hang up,
/// microphone, camera) act.
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
        KeyCode::Char('?') => {
            if let Mode::Live(v) = &mut m.mode {
                v.legend = !v.legend;
            }
            m.touch();
            return vec![];
        }
        KeyCode::Char('r') => {
            let (term, size) = (m.ui.term, m.ui.size);
            let Mode::Live(v) = &mut m.mode else {
                return vec![];
            };
            v.attempt += 1;
            v.trouble = None;
            let feed = v.feed(&term, size);
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
    vec![Cmd::Broadcast {
        room,
        fps: Some(fps),
    }]
}

/// Leaves the view: the feed stops, and a broadcast the console turned on is turned off.
pub(super) fn close(m: &mut Model) -> Vec<Cmd> {
    let Mode::Live(v) = &m.mode else {
        return vec![];
    };
    let mut cmds = vec![Cmd::LiveFeed(None)];
    if v.turned_on {
        cmds.push(Cmd::Broadcast {
            room: v.room,
            fps: None,
        });
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
