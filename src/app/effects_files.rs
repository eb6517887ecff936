//! The effects on files: downloads and uploads, a picture fetched into the preview cache and
//! decoded off the UI thread (app/previews.rs, app/picture.rs) with what draws it (chosen at
//! start, crate::graphics), a downloaded file opened with the system's opener.

use tokio::sync::mpsc;

use super::super::{AppError, Effects, Msg};

impl Effects {
    /// What draws pictures, chosen at start (crate::graphics::detect).
    pub fn set_graphics(&mut self, g: crate::graphics::Graphics) {
        // Half blocks need no encoder: none is made (making one touches tmux's settings).
        if g.kind != crate::graphics::Kind::Halfblocks {
            if g.tmux {
                self.passthrough = crate::graphics::TmuxPassthrough::remember();
            }
            self.picker = Some(g.picker());
        }
        self.graphics = g;
    }

    /// Until when a late answer to the start's graphics query is watched for on the input
    /// (crate::graphics::LateAnswers); None when the terminal answered or was not asked.
    pub fn late_answers_until(&self) -> Option<std::time::Instant> {
        self.graphics
            .unanswered
            .then(|| std::time::Instant::now() + crate::graphics::LATE_ANSWER_WATCH)
    }

    /// The encoder for the graphics protocol (made by set_graphics); None for half blocks.
    pub(super) fn picker(&self) -> Option<ratatui_image::picker::Picker> {
        self.picker.clone()
    }

    /// `Cmd::Download`: file `file_id` into a free name in `dir`; its path, then the end, back
    /// as `Msg::TransferPath` and `Msg::TransferDone`.
    pub(super) fn download(
        &mut self,
        id: u64,
        file_id: String,
        dir: std::path::PathBuf,
        name: String,
    ) {
        let tx = self.tx.clone();
        let Some(h) = self.chat_or(Msg::TransferDone {
            id,
            result: Err(AppError::ChatOffline),
        }) else {
            return;
        };
        tokio::spawn(async move {
            let result = async {
                let path = free_path(&dir, &name).await?;
                let _ = tx
                    .send(Msg::TransferPath {
                        id,
                        path: path.clone(),
                        total: 0,
                    })
                    .await;
                h.download_to(&file_id, &path)
                    .await
                    .map(|_| ())
                    .map_err(AppError::from)
            }
            .await;
            let _ = tx.send(Msg::TransferDone { id, result }).await;
        });
    }

    /// `Cmd::FollowUpload`: what the server says of a file still uploading, as
    /// `Msg::UploadSeen`.
    pub(super) fn follow_upload(&mut self, file_id: String) {
        use crate::chat::files::UploadSeen;
        let tx = self.tx.clone();
        let Some(h) = self.chat_or(Msg::UploadSeen {
            file_id: file_id.clone(),
            seen: UploadSeen::Unknown("the chat link is down".into()),
        }) else {
            return;
        };
        tokio::spawn(async move {
            // Progress goes to the loop as it comes, without waiting on a full queue
            // (a later finding replaces an earlier one).
            let report = |seen: UploadSeen| {
                let final_ = !matches!(seen, UploadSeen::Progress(_));
                let msg = Msg::UploadSeen {
                    file_id: file_id.clone(),
                    seen,
                };
                if final_ {
                    let tx = tx.clone();
                    tokio::spawn(async move { tx.send(msg).await });
                } else {
                    let _ = tx.try_send(msg);
                }
            };
            h.follow_upload(&file_id, report).await;
        });
    }

    /// `Cmd::Upload`: the file at `path` sent to chat `chat_id`; as for a download.
    pub(super) fn upload(
        &mut self,
        id: u64,
        chat_id: String,
        path: std::path::PathBuf,
        reply_to: Option<String>,
    ) {
        let tx = self.tx.clone();
        let Some(h) = self.chat_or(Msg::TransferDone {
            id,
            result: Err(AppError::ChatOffline),
        }) else {
            return;
        };
        let path = crate::config::expand_home(&path);
        tokio::spawn(async move {
            // The path as opened, so the link's progress events find the transfer.
            let total = tokio::fs::metadata(&path)
                .await
                .map(|m| m.len())
                .unwrap_or(0);
            let _ = tx
                .send(Msg::TransferPath {
                    id,
                    path: path.clone(),
                    total,
                })
                .await;
            let result = h
                .send_file_from_path(&chat_id, &path, None, reply_to)
                .await
                .map(|_| ())
                .map_err(AppError::from);
            let _ = tx.send(Msg::TransferDone { id, result }).await;
        });
    }

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
            let made = in_turn(&decoding, move || preview(&path, picker.as_ref())).await;
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
                    let made = in_turn(&decoding, move || {
                        // Asked again meanwhile (another size, another picture, the view
                        // closed and opened): the newer ask is the one the view waits for.
                        if asks.load(std::sync::atomic::Ordering::SeqCst) != ask {
                            return Ok(None);
                        }
                        let img = load(&path)?;
                        made(&img, picker.as_ref(), cols, rows).map(Some)
                    })
                    .await;
                    match made {
                        Ok(Some(w)) => Ok(w),
                        Ok(None) => return,
                        Err(e) => Err(e),
                    }
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

/// A file name from a server made safe for the local disk: no directories, no control
/// characters, no leading dot; empty becomes "download".
pub fn safe_file_name(name: &str) -> String {
    let clean: String = crate::sanitize::line(name)
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '\0') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim().trim_start_matches('.').trim();
    let clean: String = clean.chars().take(200).collect();
    if clean.is_empty() {
        "download".into()
    } else {
        clean
    }
}

/// `dir/name`, or `dir/name (1).ext`, … for the first that does not exist yet; the directory
/// is created if needed.
async fn free_path(dir: &std::path::Path, name: &str) -> Result<std::path::PathBuf, AppError> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| AppError::file("cannot create", dir, e))?;
    let name = safe_file_name(name);
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name.as_str(), ""),
    };
    for n in 0..10_000 {
        let candidate = if n == 0 {
            dir.join(&name)
        } else {
            dir.join(format!("{stem} ({n}){ext}"))
        };
        let part = candidate.with_file_name(format!(
            "{}.part",
            candidate
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        if !tokio::fs::try_exists(&candidate).await.unwrap_or(true)
            && !tokio::fs::try_exists(&part).await.unwrap_or(true)
        {
            return Ok(candidate);
        }
    }
    Err(AppError::NoFreeName {
        name,
        dir: dir.to_path_buf(),
    })
}

/// The pictures kept on disk for previews, at most this many bytes (the oldest go first).
const PREVIEW_CACHE_BYTES: u64 = 200 * 1024 * 1024;

/// `f` on a blocking thread once it is the decoding's turn: pictures are decoded one at a time.
async fn in_turn<T: Send + 'static>(
    decoding: &std::sync::Arc<tokio::sync::Semaphore>,
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let turn = decoding
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(move || {
        let made = f();
        drop(turn);
        made
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()))
}

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

/// `img` made to fill `cols`×`rows` cells: with `picker`'s graphics protocol, or half blocks.
pub(super) fn made(
    img: &image::DynamicImage,
    picker: Option<&ratatui_image::picker::Picker>,
    cols: u16,
    rows: u16,
) -> Result<crate::graphics::Whole, String> {
    Ok(match picker {
        None => crate::graphics::Whole::Cells(std::sync::Arc::new(crate::preview::fill(
            img, cols, rows,
        ))),
        Some(p) => crate::graphics::Whole::Protocol(std::sync::Arc::new(
            crate::preview::whole(p, img, cols, rows).map_err(|e| e.to_string())?,
        )),
    })
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

#[cfg(test)]
mod tests {
    #[test]
    fn server_file_names_cannot_leave_the_download_dir() {
        use super::safe_file_name as s;
        assert_eq!(s("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(s("report.pdf"), "report.pdf");
        assert_eq!(s(".bashrc"), "bashrc");
        assert_eq!(s("a\u{1b}[31mb.txt"), "ab.txt");
        assert_eq!(s(""), "download");
        assert_eq!(s("..."), "download");
        assert_eq!(s("C:\\x"), "C__x");
    }
}
