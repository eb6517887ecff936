//! File transfer over the chat link: a send is `uploadFile`, an HTTP upload with progress
//! events, then `sendFile`; a download waits for a file still uploading (progress events, then
//! READY) and streams it to disk (docs/chat-protocol.md, Files).

use std::path::Path;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Map, Value};
use tokio::io::AsyncWriteExt;

use super::auth;
use super::client::{ChatError, ChatHandle};
use super::methods;
use super::types::{FileInfo, ReadyState};

/// What the console learnt of a file that was uploading when it was posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadSeen {
    /// This many bytes are on the server so far.
    Progress(u64),
    /// Whole, and can be downloaded.
    Ready,
    /// No longer available.
    Gone,
    /// The console could not find out (the link failed, the upload stalled): why.
    Unknown(String),
}

impl ChatHandle {
    /// Sends a file: checks the upload limits, `uploadFile`, the HTTP upload (with progress
    /// events), then `sendFile`. A failed upload fails the whole send; nothing is posted.
    pub async fn send_file_from_path(
        &self,
        chat_id: &str,
        path: &Path,
        caption: Option<(String, String)>,
        reply_to: Option<String>,
    ) -> Result<methods::Posted, ChatError> {
        let meta = tokio::fs::metadata(path)
            .await
            .map_err(|e| ChatError::Local(format!("cannot read {}: {e}", path.display())))?;
        if !meta.is_file() {
            return Err(ChatError::Local(format!(
                "{} is not a file",
                path.display()
            )));
        }
        let size = meta.len();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        let limits = match self.limits() {
            Some(l) => Some(l),
            None => self
                .get_file_upload_limits(methods::GetFileUploadLimits {})
                .await
                .ok(),
        };
        if let Some(why) = limits.and_then(|l| l.refuse(&name, size)) {
            return Err(ChatError::Local(why));
        }
        let mime = mime_guess::from_path(path)
            .first_or_octet_stream()
            .essence_str()
            .to_string();
        let task = self
            .upload_file(methods::UploadFile {
                file_size: size,
                file_name: Some(name.clone()),
                mime_type: Some(mime.clone()),
            })
            .await?;
        let temporal = self
            .http_upload(&task.upload_task_id, path, &name, &mime, size)
            .await?;
        let mut content = Map::new();
        content.insert("temporalFileId".into(), Value::String(temporal));
        if let Some((text, mode)) = caption {
            content.insert("caption".into(), methods::text_content(&text, &mode));
        }
        self.send_file(methods::SendFile {
            chat_id: chat_id.to_string(),
            reply_message_id: reply_to,
            content: Value::Object(content),
        })
        .await
    }

    /// POST /bridge/api/client/v1/files with `Upload-Task-Id`; returns the temporalFileId.
    async fn http_upload(
        &self,
        task: &str,
        path: &Path,
        name: &str,
        mime: &str,
        size: u64,
    ) -> Result<String, ChatError> {
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| ChatError::Local(format!("cannot open {}: {e}", path.display())))?;
        let me = self.clone();
        let owned = path.to_path_buf();
        let mut sent = 0u64;
        let mut last_report = 0u64;
        let step = (size / 100).max(64 * 1024);
        let stream = tokio_util_reader(file).map(move |chunk| {
            if let Ok(b) = &chunk {
                sent += b.len() as u64;
                if sent - last_report >= step || sent == size {
                    last_report = sent;
                    me.progress(&owned, true, sent, size);
                }
            }
            chunk
        });
        let part =
            reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), size)
                .file_name(name.to_string())
                .mime_str(mime)
                .map_err(|e| ChatError::Local(format!("MIME type {mime}: {e}")))?;
        let form = reqwest::multipart::Form::new().part("file", part);
        let url = format!("{}/bridge/api/client/v1/files", self.target.base_url());
        self.progress(path, true, 0, size);
        let resp = self
            .http
            .post(&url)
            .header("Upload-Task-Id", task)
            .multipart(form)
            .send()
            .await
            .map_err(|e| ChatError::Http(format!("upload to {url}: {}", auth::error_chain(&e))))?;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let code = body
                .get("error")
                .map(std::string::ToString::to_string)
                .unwrap_or_default();
            let desc = body
                .get("error_description")
                .and_then(Value::as_str)
                .map(crate::sanitize::line)
                .unwrap_or_default();
            return Err(ChatError::Http(format!(
                "upload refused: HTTP {status}{}{}",
                if code.is_empty() {
                    String::new()
                } else {
                    format!(", error {code}")
                },
                if desc.is_empty() {
                    String::new()
                } else {
                    format!(": {desc}")
                }
            )));
        }
        body.get("temporalFileId")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .ok_or_else(|| ChatError::Http("the upload answer has no temporalFileId".into()))
    }

    /// Waits for a file someone is still uploading: its progress events (each passed to
    /// `on_progress`), then READY, which can lag the last event by a few hundred ms. Returns
    /// the file's info as last read (READY, unless the server never said so).
    async fn wait_uploaded(
        &self,
        file_id: &str,
        mut info: FileInfo,
        mut on_progress: impl FnMut(u64),
    ) -> Result<FileInfo, ChatError> {
        let get = || {
            self.get_file_info(methods::GetFileInfo {
                file_id: file_id.to_string(),
            })
        };
        // Register before subscribing: the final event may precede the answer.
        let mut rx = self.watch_progress(file_id).await;
        self.subscribe_file_progress(methods::SubscribeFileProgress {
            file_id: file_id.to_string(),
        })
        .await?;
        loop {
            match tokio::time::timeout(self.request_timeout(), rx.recv()).await {
                Ok(Some(p)) => {
                    on_progress(p);
                    if p >= info.size {
                        break;
                    }
                }
                Ok(None) => return Err(ChatError::Stopped),
                Err(_) => {
                    return Err(ChatError::Local(format!(
                        "{} stopped uploading to the server",
                        crate::sanitize::line(&info.name)
                    )));
                }
            }
        }
        let _ = self
            .unsubscribe_file_progress(methods::UnsubscribeFileProgress {
                file_id: file_id.to_string(),
            })
            .await;
        for _ in 0..20 {
            info = get().await?;
            if info.ready_state == ReadyState::Ready {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Ok(info)
    }

    /// Follows a file in a chat that was still uploading when it was posted (someone else's,
    /// typically): what the server says of it now, its progress while it uploads, and whether
    /// it became READY. Each finding goes to `report`; the last one is final.
    pub async fn follow_upload(&self, file_id: &str, report: impl Fn(UploadSeen)) {
        let info = match self
            .get_file_info(methods::GetFileInfo {
                file_id: file_id.to_string(),
            })
            .await
        {
            Ok(info) => info,
            Err(e) => return report(UploadSeen::Unknown(e.to_string())),
        };
        let info = match info.ready_state {
            ReadyState::Uploading => match self
                .wait_uploaded(file_id, info, |p| report(UploadSeen::Progress(p)))
                .await
            {
                Ok(info) => info,
                Err(e) => return report(UploadSeen::Unknown(e.to_string())),
            },
            _ => info,
        };
        report(match info.ready_state {
            ReadyState::Ready => UploadSeen::Ready,
            ReadyState::NotAvailable => UploadSeen::Gone,
            ReadyState::Uploading => {
                UploadSeen::Unknown("the server never said it was ready".into())
            }
            ReadyState::Unknown(n) => {
                UploadSeen::Unknown(format!("the server said readyState {n}"))
            }
        });
    }

    /// Downloads a file to `dest` (streamed through `dest.part`, renamed when complete). Waits
    /// for a file that is still uploading: progress events, then READY.
    pub async fn download_to(&self, file_id: &str, dest: &Path) -> Result<FileInfo, ChatError> {
        let get = || {
            self.get_file_info(methods::GetFileInfo {
                file_id: file_id.to_string(),
            })
        };
        let mut info = get().await?;
        if info.ready_state == ReadyState::NotAvailable {
            return Err(ChatError::Local(format!(
                "{} is no longer available on the server",
                crate::sanitize::line(&info.name)
            )));
        }
        if info.ready_state == ReadyState::Uploading {
            let size = info.size;
            info = self
                .wait_uploaded(file_id, info, |_| self.progress(dest, false, 0, size))
                .await?;
        }
        let url = info.download_url.clone().ok_or_else(|| {
            ChatError::Local(format!(
                "{} has no download address yet",
                crate::sanitize::line(&info.name)
            ))
        })?;
        let url = rewrite_host(&url, &self.target.base_url());
        let resp = self.http.get(&url).send().await.map_err(|e| {
            // The cause first (a line cut at the pane's width keeps it), the URL after.
            ChatError::Http(format!(
                "download failed: {} ({url})",
                auth::error_chain(&e.without_url())
            ))
        })?;
        if !resp.status().is_success() {
            return Err(ChatError::Http(format!(
                "download failed: HTTP {} ({url})",
                resp.status()
            )));
        }
        let part = dest.with_extension(match dest.extension() {
            Some(e) => format!("{}.part", e.to_string_lossy()),
            None => "part".into(),
        });
        let mut file = tokio::fs::File::create(&part)
            .await
            .map_err(|e| ChatError::Local(format!("cannot write {}: {e}", part.display())))?;
        let total = info.size;
        let mut done = 0u64;
        let mut last = 0u64;
        let step = (total / 100).max(64 * 1024);
        self.progress(dest, false, 0, total);
        let mut body = resp.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    let _ = tokio::fs::remove_file(&part).await;
                    return Err(ChatError::Http(format!(
                        "download failed: {} ({url})",
                        auth::error_chain(&e.without_url())
                    )));
                }
            };
            if let Err(e) = file.write_all(&chunk).await {
                let _ = tokio::fs::remove_file(&part).await;
                return Err(ChatError::Local(format!(
                    "cannot write {}: {e}",
                    part.display()
                )));
            }
            done += chunk.len() as u64;
            if done - last >= step {
                last = done;
                self.progress(dest, false, done, total);
            }
        }
        file.flush()
            .await
            .map_err(|e| ChatError::Local(format!("cannot write {}: {e}", part.display())))?;
        drop(file);
        if done != total {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(ChatError::Http(format!(
                "download failed: got {done} bytes of {total} ({url})"
            )));
        }
        tokio::fs::rename(&part, dest)
            .await
            .map_err(|e| ChatError::Local(format!("cannot write {}: {e}", dest.display())))?;
        self.progress(dest, false, done, total);
        Ok(info)
    }
}

/// A file as a stream of byte chunks.
fn tokio_util_reader(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static {
    futures_util::stream::unfold(file, |mut f| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(bytes::Bytes::from(buf)), f))
            }
            Err(e) => Some((Err(e), f)),
        }
    })
}

/// Puts our scheme, host and port on a URL the server built (it may name an internal address).
pub fn rewrite_host(url: &str, base: &str) -> String {
    match url.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(i) => format!("{base}{}", &rest[i..]),
            None => base.to_string(),
        },
        None if url.starts_with('/') => format!("{base}{url}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_urls_get_our_host() {
        assert_eq!(
            rewrite_host(
                "https://10.111.15.116/bridge/api/client/v1/files?file_id=e0",
                "http://127.0.0.1:4309"
            ),
            "http://127.0.0.1:4309/bridge/api/client/v1/files?file_id=e0"
        );
        assert_eq!(
            rewrite_host("/bridge/x", "http://h:1"),
            "http://h:1/bridge/x"
        );
    }
}
