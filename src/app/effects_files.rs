//! The effects on files: a picture fetched into the preview cache and decoded off the UI
//! thread (app/previews.rs, app/picture.rs), a downloaded file opened with the system's
//! opener.

use tokio::sync::mpsc;

use super::super::{Effects, Msg};

impl Effects {
    /// The preview cache's directory.
    fn previews_dir(&self) -> std::path::PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(std::env::temp_dir)
            .join("previews")
    }

    /// `Cmd::Preview`: picture `file_id` fetched (or found in the cache) and decoded, for half
    /// blocks and, where the terminal has one, its graphics protocol; back as `Msg::Preview`.
    pub(super) fn preview(&mut self, file_id: String) {
        let tx = self.tx.clone();
        let Some(h) = self.chat_or(Msg::PreviewUnfetched {
            file_id: file_id.clone(),
            why: "the chat link is down".into(),
        }) else {
            return;
        };
        let dir = self.previews_dir();
        let picker = self.picker();
        let decoding = self.decoding.clone();
        tokio::spawn(async move {
            let path = match cached(&h, &dir, &file_id).await {
                Ok(path) => path,
                // Not fetched: asked again when the chat's pages come again.
                Err(why) => {
                    let _ = tx.send(Msg::PreviewUnfetched { file_id, why }).await;
                    return;
                }
            };
            let made = match decoding.acquire_owned().await {
                Ok(turn) => tokio::task::spawn_blocking(move || {
                    let made = preview(&path, picker.as_ref());
                    drop(turn);
                    made
                })
                .await
                .unwrap_or_else(|e| Err(e.to_string())),
                Err(e) => Err(e.to_string()),
            };
            let (result, graphic) = match made {
                Ok((t, g)) => (Ok(t), g),
                Err(e) => (Err(e), None),
            };
            let _ = tx
                .send(Msg::Preview {
                    file_id,
                    result,
                    graphic,
                })
                .await;
        });
    }

    /// `Cmd::ShowPicture`: picture `file_id` made to fill `cols`×`rows` cells with the
    /// terminal's protocol (half blocks too); back as `Msg::Picture`.
    pub(super) fn show_picture(&mut self, file_id: String, cols: u16, rows: u16) {
        let tx = self.tx.clone();
        let Some(h) = self.chat_or(Msg::Picture {
            file_id: file_id.clone(),
            cols,
            rows,
            result: Err("the chat link is down".into()),
        }) else {
            return;
        };
        let dir = self.previews_dir();
        let picker = self.picker();
        let decoding = self.decoding.clone();
        let asks = self.picture_asks.clone();
        let ask = asks.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        tokio::spawn(async move {
            let result = match cached(&h, &dir, &file_id).await {
                Ok(path) => {
                    let Ok(turn) = decoding.acquire_owned().await else {
                        return;
                    };
                    // Asked again meanwhile (another size, another picture, the view closed
                    // and opened): the newer ask is the one the view waits for.
                    if asks.load(std::sync::atomic::Ordering::SeqCst) != ask {
                        return;
                    }
                    tokio::task::spawn_blocking(move || {
                        let img = load(&path)?;
                        let made = match &picker {
                            None => Ok(crate::graphics::Whole::Cells(std::sync::Arc::new(
                                crate::preview::fill(&img, cols, rows),
                            ))),
                            Some(p) => crate::preview::whole(p, &img, cols, rows)
                                .map(|p| crate::graphics::Whole::Protocol(std::sync::Arc::new(p)))
                                .map_err(|e| e.to_string()),
                        };
                        drop(turn);
                        made
                    })
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()))
                }
                Err(e) => Err(e),
            };
            let _ = tx
                .send(Msg::Picture {
                    file_id,
                    cols,
                    rows,
                    result,
                })
                .await;
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

/// Picture `file_id` in the disk cache, fetched into it first when it is not there.
async fn cached(
    h: &crate::chat::ChatHandle,
    dir: &std::path::Path,
    file_id: &str,
) -> Result<std::path::PathBuf, String> {
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
    Ok(path)
}

/// The picture at `path` decoded within crate::preview's limits (its size checked before it
/// is read).
fn load(path: &std::path::Path) -> Result<image::DynamicImage, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > crate::preview::MAX_BYTES {
        return Err(crate::preview::PreviewError::TooManyBytes(meta.len()).to_string());
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    crate::preview::load(&bytes).map_err(|e| e.to_string())
}

/// The preview of the picture at `path`: half blocks, and the same cells encoded for
/// `picker`'s graphics protocol when there is one.
fn preview(
    path: &std::path::Path,
    picker: Option<&ratatui_image::picker::Picker>,
) -> Result<(crate::preview::Thumb, Option<crate::graphics::Graphic>), String> {
    use super::super::previews::{COLS, ROWS};
    let img = load(path)?;
    let thumb = crate::preview::thumb(&img, COLS, ROWS);
    let graphic = match picker {
        Some(p) => {
            let (cols, rows) = (thumb.w as u16, thumb.h.div_ceil(2) as u16);
            let s = crate::preview::sliced(p, &img, cols, rows).map_err(|e| e.to_string())?;
            Some(crate::graphics::Graphic(std::sync::Arc::new(s)))
        }
        None => None,
    };
    Ok((thumb, graphic))
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
