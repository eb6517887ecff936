//! The effects on files: a picture fetched into the preview cache and decoded off the UI
//! thread (app/previews.rs), a downloaded file opened with the system's opener.

use tokio::sync::mpsc;

use super::super::{Effects, Msg};

impl Effects {
    /// `Cmd::Preview`: picture `file_id` fetched (or found in the cache) and decoded; back as
    /// `Msg::Preview`.
    pub(super) fn preview(&mut self, file_id: String) {
        let tx = self.tx.clone();
        let Some(h) = self.chat_or(Msg::Preview {
            file_id: file_id.clone(),
            result: Err("the chat link is down".into()),
        }) else {
            return;
        };
        let dir = self
            .data_dir
            .clone()
            .unwrap_or_else(std::env::temp_dir)
            .join("previews");
        tokio::spawn(async move {
            let result = preview(&h, &dir, &file_id).await;
            let _ = tx.send(Msg::Preview { file_id, result }).await;
        });
    }
}

/// `Cmd::OpenFile`: the system's opener on `path`; a failure (the file gone, no opener, an
/// error from it) back as `Msg::Opened`.
pub(super) fn open_file(path: std::path::PathBuf, tx: mpsc::Sender<Msg>) {
    tokio::task::spawn_blocking(move || {
        if !path.is_file() {
            let why = "the file is no longer there".into();
            let _ = tx.blocking_send(Msg::Opened {
                path,
                why,
                gone: true,
            });
            return;
        }
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        let r = std::process::Command::new(opener)
            .arg(&path)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        let why = match r {
            Ok(s) if s.success() => return,
            Ok(s) => format!("{opener} ended with {s}"),
            Err(e) => format!("cannot run {opener}: {e}"),
        };
        let _ = tx.blocking_send(Msg::Opened {
            path,
            why,
            gone: false,
        });
    });
}

/// The pictures kept on disk for previews, at most this many bytes (the oldest go first).
const PREVIEW_CACHE_BYTES: u64 = 200 * 1024 * 1024;

/// Picture `file_id`'s preview: the file from the disk cache, else fetched into it; decoded
/// on a blocking thread (crate::preview).
async fn preview(
    h: &crate::chat::ChatHandle,
    dir: &std::path::Path,
    file_id: &str,
) -> Result<crate::preview::Thumb, String> {
    // The file's name in the cache: its id in hex (an id from the server is never a path).
    let name: String = file_id.bytes().map(|b| format!("{b:02x}")).collect();
    let path = dir.join(&name[..name.len().min(200)]);
    if !path.is_file() {
        crate::dirs::create_private(dir).map_err(|e| format!("cannot keep previews: {e}"))?;
        let part = path.with_extension("part");
        h.download_to(file_id, &part)
            .await
            .map_err(|e| e.to_string())?;
        tokio::fs::rename(&part, &path)
            .await
            .map_err(|e| e.to_string())?;
        let dir = dir.to_path_buf();
        let _ = tokio::task::spawn_blocking(move || prune(&dir, PREVIEW_CACHE_BYTES)).await;
    }
    tokio::task::spawn_blocking(move || {
        let meta = std::fs::metadata(&path).map_err(|e| e.to_string())?;
        if meta.len() > crate::preview::MAX_BYTES {
            return Err(crate::preview::PreviewError::TooManyBytes(meta.len()).to_string());
        }
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        crate::preview::decode(
            &bytes,
            super::super::previews::COLS,
            super::super::previews::ROWS,
        )
        .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Removes the oldest files of `dir` until the rest take at most `max` bytes.
fn prune(dir: &std::path::Path, max: u64) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, u64, std::path::PathBuf)> = rd
        .flatten()
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            m.is_file().then(|| {
                (
                    m.modified().unwrap_or(std::time::UNIX_EPOCH),
                    m.len(),
                    e.path(),
                )
            })
        })
        .collect();
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    files.sort();
    for (_, len, p) in files {
        if total <= max {
            break;
        }
        if std::fs::remove_file(&p).is_ok() {
            total = total.saturating_sub(len);
        }
    }
}
