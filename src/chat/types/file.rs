//! Files (docs/chat-protocol.md, Files): `getFileInfo` and the upload limits.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ReadyState, human_size};
use crate::chat::lenient::{self, Missing};

/// `getFileInfo` (docs/chat-protocol.md, Files).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FileInfoWire")]
pub struct FileInfo {
    /// `fileId`, else `infoHash`.
    pub file_id: String,
    pub name: String,
    pub size: u64,
    pub mime_type: String,
    pub ready_state: ReadyState,
    pub download_url: Option<String>,
    pub previews: Vec<Preview>,
}

/// The file information as sent; the id is `fileId` or the vendor guide's `infoHash`
/// (docs/chat-protocol.md, Choices C18).
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct FileInfoWire {
    #[serde(deserialize_with = "lenient::string")]
    file_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    info_hash: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient::uint")]
    size: Option<u64>,
    #[serde(deserialize_with = "lenient::string")]
    mime_type: Option<String>,
    #[serde(deserialize_with = "lenient::uint")]
    ready_state: Option<u64>,
    #[serde(deserialize_with = "lenient::string")]
    download_url: Option<String>,
    /// Each element a preview; one that is not an object reads as an empty preview.
    #[serde(deserialize_with = "lenient::objects_or_blank")]
    previews: Vec<Preview>,
}

impl TryFrom<FileInfoWire> for FileInfo {
    type Error = Missing;
    fn try_from(w: FileInfoWire) -> Result<FileInfo, Missing> {
        Ok(FileInfo {
            file_id: w.file_id.or(w.info_hash).unwrap_or_default(),
            name: w.name.unwrap_or_default(),
            size: w.size.ok_or(Missing("size"))?,
            mime_type: w.mime_type.unwrap_or_default(),
            ready_state: ReadyState::from_code(w.ready_state.unwrap_or(0) as i64),
            download_url: w.download_url.filter(|s| !s.is_empty()),
            previews: w.previews,
        })
    }
}

impl FileInfo {
    /// None when the value is not an object or has no `size`.
    pub fn from_value(v: &Value) -> Option<FileInfo> {
        lenient::from_object(v)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "PreviewWire")]
pub struct Preview {
    pub name: String,
    pub mime_type: String,
    pub size: u64,
    pub download_url: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct PreviewWire {
    #[serde(deserialize_with = "lenient::string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    mime_type: Option<String>,
    #[serde(deserialize_with = "lenient::uint")]
    size: Option<u64>,
    #[serde(deserialize_with = "lenient::string")]
    download_url: Option<String>,
}

impl From<PreviewWire> for Preview {
    fn from(w: PreviewWire) -> Preview {
        Preview {
            name: w.name.unwrap_or_default(),
            mime_type: w.mime_type.unwrap_or_default(),
            size: w.size.unwrap_or(0),
            download_url: w.download_url,
        }
    }
}

/// Upload limits (docs/chat-protocol.md, Files): `maxSize` in bytes (None: no limit), an
/// extension filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(from = "UploadLimitsWire")]
pub struct UploadLimits {
    pub max_size: Option<u64>,
    /// `allow` (whitelist) or `block`; None: no filter.
    pub mode: Option<String>,
    /// Lowercase, without dots.
    pub extensions: Vec<String>,
}

/// `{maxSize, extensions: {mode, list}}` as sent.
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct UploadLimitsWire {
    #[serde(deserialize_with = "lenient::uint")]
    max_size: Option<u64>,
    #[serde(deserialize_with = "lenient::object")]
    extensions: Option<ExtensionsWire>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ExtensionsWire {
    #[serde(deserialize_with = "lenient::string")]
    mode: Option<String>,
    /// The strings of the list; anything else in it is skipped.
    #[serde(deserialize_with = "lenient::strings")]
    list: Vec<String>,
}

impl From<UploadLimitsWire> for UploadLimits {
    fn from(w: UploadLimitsWire) -> UploadLimits {
        let ext = w.extensions.unwrap_or_default();
        UploadLimits {
            max_size: w.max_size,
            mode: ext.mode,
            extensions: ext
                .list
                .iter()
                .map(|s| s.trim_start_matches('.').to_ascii_lowercase())
                .collect(),
        }
    }
}

impl UploadLimits {
    /// Reads the limits from any value; one that is not an object means no limits.
    pub fn from_value(v: &Value) -> UploadLimits {
        lenient::from_object(v).unwrap_or_default()
    }

    /// Why a file may not be uploaded, or None (oc's rules for files without an extension).
    pub fn refuse(&self, name: &str, size: u64) -> Option<String> {
        if let Some(max) = self.max_size
            && size > max
        {
            return Some(format!(
                "{name} is {} and the server accepts files up to {}",
                human_size(size),
                human_size(max)
            ));
        }
        let ext = std::path::Path::new(name)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let listed = ext.as_ref().is_some_and(|e| self.extensions.contains(e));
        match self.mode.as_deref() {
            Some("allow") if !listed => Some(format!(
                "the server accepts only these file types: {}",
                self.extensions.join(", ")
            )),
            Some("block") if listed => Some(format!(
                "the server does not accept .{} files",
                ext.unwrap_or_default()
            )),
            _ => None,
        }
    }
}
