//! Image previews in the history (crate::preview): the pictures of the open chat are fetched
//! and decoded off the UI thread, one each, and kept while the session lasts (at most
//! [`KEPT`], the oldest dropped). `[ui] images = "off"` leaves attachments as a line.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::{Cmd, Model};
use crate::chat::types::{Content, Envelope};
use crate::preview::{MAX_BYTES, Thumb};

/// How many previews are kept.
pub const KEPT: usize = 64;
/// The size a preview is shrunk to: columns, text rows.
pub const COLS: u16 = 48;
pub const ROWS: u16 = 12;

/// A picture's preview: being made, made, or not to be had (why).
#[derive(Debug, Clone, PartialEq)]
pub enum Preview {
    Loading,
    /// The half blocks, and the picture for the terminal's graphics protocol when it has one.
    Ready(Arc<Thumb>, Option<crate::graphics::Graphic>),
    Refused(String),
    /// The file could not be fetched (why): asked for again when its chat's pages come again,
    /// or once the picture view fetched it.
    Unfetched(String),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Previews {
    map: HashMap<String, Preview>,
    order: VecDeque<String>,
}

impl Previews {
    pub fn get(&self, file_id: &str) -> Option<&Preview> {
        self.map.get(file_id)
    }

    /// Sets a preview (the oldest dropped past [`KEPT`]).
    pub fn set(&mut self, file_id: &str, p: Preview) {
        if self.map.insert(file_id.to_string(), p).is_none() {
            self.order.push_back(file_id.to_string());
            while self.order.len() > KEPT {
                if let Some(old) = self.order.pop_front() {
                    self.map.remove(&old);
                }
            }
        }
    }
}

/// Whether an attachment is a picture (by its MIME type).
pub fn is_picture(mime: &str) -> bool {
    mime.to_ascii_lowercase().starts_with("image/")
}

/// The pictures among `page`'s messages: file id and size.
pub(super) fn pictures(page: &[Envelope]) -> Vec<(String, u64)> {
    page.iter()
        .filter_map(|e| match &e.content {
            Content::Attachment {
                mime_type,
                file_id,
                size,
                ..
            } if is_picture(mime_type) && !file_id.is_empty() => Some((file_id.clone(), *size)),
            _ => None,
        })
        .collect()
}

/// Asks for the previews of `pics` not yet asked for (none when previews are off). One too
/// large is refused here, without fetching it.
pub(super) fn want(m: &mut Model, pics: Vec<(String, u64)>) -> Vec<Cmd> {
    if !m.ui.term.images {
        return vec![];
    }
    let mut cmds = Vec::new();
    for (file_id, size) in pics {
        if m.chat
            .previews
            .get(&file_id)
            .is_some_and(|p| !matches!(p, Preview::Unfetched(_)))
        {
            continue;
        }
        if size > MAX_BYTES {
            let why = crate::preview::PreviewError::TooManyBytes(size).to_string();
            m.chat.previews.set(&file_id, Preview::Refused(why));
            continue;
        }
        m.chat.previews.set(&file_id, Preview::Loading);
        cmds.push(Cmd::Preview { file_id });
    }
    if !cmds.is_empty() {
        m.touch();
    }
    cmds
}

/// A picture's file could not be fetched.
pub(super) fn unfetched(m: &mut Model, file_id: &str, why: String) {
    m.chat.previews.set(file_id, Preview::Unfetched(why));
    m.touch();
}

/// A preview made, or why not.
pub(super) fn made(
    m: &mut Model,
    file_id: &str,
    r: Result<Thumb, String>,
    graphic: Option<crate::graphics::Graphic>,
) {
    let p = match r {
        Ok(t) => Preview::Ready(Arc::new(t), graphic),
        Err(why) => Preview::Refused(why),
    };
    m.chat.previews.set(file_id, p);
    m.touch();
}
