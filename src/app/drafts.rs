//! The drafts file: what was being written in each chat, so that quitting, a signal or a
//! dropped SSH session does not lose it. Written when the program ends, read when it starts
//! (not in --demo, whose chats are new each run), beside the outbox in the data dir.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::{Cmd, Draft, Model, ParseMode};
use crate::dirs::FileError;

/// One chat's draft as saved: its text and what it answers or replaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedDraft {
    pub text: String,
    #[serde(default)]
    pub reply_to: Option<String>,
    #[serde(default)]
    pub edit_of: Option<String>,
    #[serde(default)]
    pub parse_mode: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DraftsFile {
    /// By chat id.
    #[serde(default)]
    pub drafts: BTreeMap<String, SavedDraft>,
}

impl DraftsFile {
    /// Reads the drafts (none when there is no file).
    pub fn load(path: &std::path::Path) -> Result<HashMap<String, Draft>, FileError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
            Err(source) => {
                return Err(FileError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let f: DraftsFile = serde_json::from_str(&text).map_err(|e| FileError::Invalid {
            path: path.to_path_buf(),
            what: "a drafts file",
            reason: e.to_string(),
        })?;
        Ok(f.drafts
            .into_iter()
            .map(|(chat, d)| {
                let draft = Draft {
                    editor: super::Editor::new(&d.text),
                    reply_to: d.reply_to,
                    edit_of: d.edit_of,
                    parse_mode: ParseMode::from_wire(&d.parse_mode),
                };
                (chat, draft)
            })
            .collect())
    }

    /// Writes atomically, readable by the user alone.
    pub fn save(
        path: &std::path::Path,
        drafts: &BTreeMap<String, SavedDraft>,
    ) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(&DraftsFile {
            drafts: drafts.clone(),
        })
        .map_err(std::io::Error::other)?;
        crate::dirs::write_private(path, &text)
    }
}

/// The drafts worth keeping: those with text, or a reply or edit started.
pub(super) fn saved(m: &Model) -> BTreeMap<String, SavedDraft> {
    m.composer
        .drafts
        .iter()
        .filter(|(_, d)| !d.editor.is_empty() || d.reply_to.is_some() || d.edit_of.is_some())
        .map(|(chat, d)| {
            let saved = SavedDraft {
                text: d.editor.text().to_string(),
                reply_to: d.reply_to.clone(),
                edit_of: d.edit_of.clone(),
                parse_mode: d.parse_mode.wire().to_string(),
            };
            (chat.clone(), saved)
        })
        .collect()
}

/// Saves the drafts, when this session keeps files (not --demo).
pub(super) fn save_drafts(m: &Model) -> Option<Cmd> {
    m.composer.persist.then(|| Cmd::SaveDrafts(saved(m)))
}
