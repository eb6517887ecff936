//! The picture view: Enter on a picture in the history shows it over the whole screen, at
//! the size of the screen, drawn with the terminal's graphics protocol where it has one
//! (crate::graphics), in half blocks elsewhere. The picture is fetched (or found in the
//! preview cache) and encoded off the UI thread for the screen's size; a new size asks again.
//! Esc, Enter or q closes it.

use super::{Cmd, Mode, Model};
use crate::chat::types::Content;
use crate::graphics::{Kind, Whole};
use crate::keys::{Action, KeySpec};

/// The picture view's state.
#[derive(Debug, Clone, PartialEq)]
pub struct PictureView {
    pub file_id: String,
    /// The file's name, as the server gave it (cleaned when drawn).
    pub name: String,
    /// Who posted it (their id), when (Unix ms), and the file's size in bytes.
    pub author: String,
    pub at: u64,
    pub size: u64,
    /// The cells asked for: the screen less the frame and the title and footer rows.
    pub cells: (u16, u16),
    pub state: PictureState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PictureState {
    Loading,
    Ready(Whole),
    Refused(String),
}

/// The cells a picture may fill on a screen of `size`: inside a frame (no padding; the view,
/// ui/picture.rs, draws it so), less the status bar's row.
pub fn cells_for(size: (u16, u16)) -> (u16, u16) {
    (
        size.0.saturating_sub(2).max(1),
        size.1.saturating_sub(3).max(1),
    )
}

/// The selected message's picture (file id, name), when it is one and previews are on.
pub fn selected_picture(m: &Model) -> Option<(String, String)> {
    if !m.ui.term.images {
        return None;
    }
    let o = m.chat.open.as_ref()?;
    let e = o.messages.get(o.selected_index()?)?;
    if o.is_deleted(&e.message_id) {
        return None;
    }
    match &e.content {
        Content::Attachment {
            name,
            file_id,
            mime_type,
            ..
        } if super::previews::is_picture(mime_type) && !file_id.is_empty() => {
            Some((file_id.clone(), name.clone()))
        }
        _ => None,
    }
}

/// Opens the view on picture `file_id` and asks for it at the screen's size.
pub(super) fn open(m: &mut Model, file_id: String, name: String) -> Vec<Cmd> {
    let cells = cells_for(m.ui.size);
    let (author, at, size) = m
        .chat
        .open
        .as_ref()
        .and_then(|o| o.selected_message())
        .map(|e| {
            let size = match &e.content {
                Content::Attachment { size, .. } => *size,
                _ => 0,
            };
            (e.author.id.clone(), e.timestamp, size)
        })
        .unwrap_or_default();
    m.mode = Mode::Picture(PictureView {
        file_id: file_id.clone(),
        name,
        author,
        at,
        size,
        cells,
        state: PictureState::Loading,
    });
    m.touch();
    vec![Cmd::ShowPicture {
        file_id,
        cols: cells.0,
        rows: cells.1,
    }]
}

/// The picture made (or refused) for `cells`: kept when the view still shows that picture at
/// that size (an answer for an older size is dropped; the newer one is on its way).
pub(super) fn shown(
    m: &mut Model,
    file_id: &str,
    cells: (u16, u16),
    result: Result<Whole, String>,
) -> Vec<Cmd> {
    if let Mode::Picture(v) = &mut m.mode
        && v.file_id == file_id
        && v.cells == cells
    {
        let fetched = result.is_ok();
        v.state = match result {
            Ok(w) => PictureState::Ready(w),
            Err(why) => PictureState::Refused(why),
        };
        m.touch();
        // The file is in the cache now: a preview that could not fetch it is made again.
        if fetched
            && matches!(
                m.chat.previews.get(file_id),
                Some(super::previews::Preview::Unfetched(_))
            )
        {
            return super::previews::want(m, vec![(file_id.to_string(), 0)]);
        }
    }
    vec![]
}

/// The screen's size changed: the picture is asked for again at the new size.
pub(super) fn resized(m: &mut Model) -> Vec<Cmd> {
    let cells = cells_for(m.ui.size);
    let Mode::Picture(v) = &mut m.mode else {
        return vec![];
    };
    if v.cells == cells {
        return vec![];
    }
    v.cells = cells;
    // What was ready stays on screen only if it still fits (the view checks); a refusal
    // about the file stands.
    if !matches!(v.state, PictureState::Refused(_)) {
        v.state = PictureState::Loading;
    }
    vec![Cmd::ShowPicture {
        file_id: v.file_id.clone(),
        cols: cells.0,
        rows: cells.1,
    }]
}

/// Keys in the picture view: back (Esc), open (Enter) and quit (q) close it; up and down
/// show the chat's picture before or after it; download (o)
/// and copy (y) act on the picture's message, still the selected one; the room keys that
/// act at once (hang up, microphone, camera, volume) act, as they do in every pane. The rest
/// do nothing here.
pub(super) fn on_key(m: &mut Model, key: KeySpec) -> Vec<Cmd> {
    use crate::keys::Context;
    match m
        .ui
        .keys
        .lookup(key, &[Context::Global, Context::History, Context::Room])
    {
        Some(Action::Back | Action::Open | Action::Quit) => close_view(m),
        // The picture before or after this one in the chat (as loaded), the cursor with it.
        Some(Action::Up) => step(m, false),
        Some(Action::Down) => step(m, true),
        Some(
            a @ (Action::Download
            | Action::Copy
            | Action::HangUp
            | Action::Mic
            | Action::Camera
            | Action::VolumeUp
            | Action::VolumeDown),
        ) => super::update::on_action(m, a),
        _ => vec![],
    }
}

/// Shows the next picture of the open chat, newer (`newer`) or older than the selected
/// message, and moves the history's cursor to it; at the end of what is loaded, nothing.
fn step(m: &mut Model, newer: bool) -> Vec<Cmd> {
    let Some(o) = m.chat.open.as_mut() else {
        return vec![];
    };
    let Some(at) = o.selected_index() else {
        return vec![];
    };
    let n = o.messages.len();
    let is_picture = |e: &crate::chat::types::Envelope| {
        matches!(&e.content, Content::Attachment { mime_type, file_id, .. }
            if super::previews::is_picture(mime_type) && !file_id.is_empty())
    };
    let found = if newer {
        (at + 1..n)
            .find(|&i| is_picture(&o.messages[i]) && !o.is_deleted(&o.messages[i].message_id))
    } else {
        (0..at)
            .rev()
            .find(|&i| is_picture(&o.messages[i]) && !o.is_deleted(&o.messages[i].message_id))
    };
    let Some(i) = found else {
        return vec![];
    };
    o.selected = Some(o.messages[i].message_id.clone());
    let Some((file_id, name)) = selected_picture(m) else {
        return vec![];
    };
    let mut cmds = open(m, file_id, name);
    // Sixel and iTerm2 pixels of the last picture are not covered by the next one's cells.
    if matches!(m.ui.term.pictures, Kind::Sixel | Kind::Iterm2) {
        cmds.push(Cmd::Repaint);
    }
    cmds
}

/// Closes the view. A protocol that draws outside the cells (sixel, iTerm2) leaves pixels the
/// next frame would not cover: the screen is repainted whole.
pub(super) fn close_view(m: &mut Model) -> Vec<Cmd> {
    if !matches!(m.mode, Mode::Picture(_)) {
        return vec![];
    }
    m.mode = Mode::Normal;
    m.touch();
    match m.ui.term.pictures {
        Kind::Sixel | Kind::Iterm2 => vec![Cmd::Repaint],
        Kind::Kitty | Kind::Halfblocks => vec![],
    }
}
