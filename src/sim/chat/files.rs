//! Files: the upload task, the HTTP upload, download and preview, `sendFile`, file info,
//! progress and the upload limits (docs/chat-protocol.md, Files).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::dispatch::{Req, Res, ok};
use super::rights::{Right, check, member_chat};
use super::state::{Inner, Out, SimFile, Temporal, UploadTask, file_id, new_id};
use super::transport::json_response;

impl Inner {
    /// A file another user sent becomes READY after a while; subscribers get progress.
    pub(super) fn schedule_ready(self: &Arc<Self>, fid: String, after: Duration, size: u64) {
        let me = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after / 2).await;
            me.progress(&fid, size / 2);
            tokio::time::sleep(after.saturating_sub(after / 2)).await;
            {
                let mut s = me.lock();
                if let Some(f) = s.files.get_mut(&fid) {
                    f.ready_at = None;
                }
            }
            me.progress(&fid, size);
        });
    }

    pub(super) fn progress(&self, fid: &str, bytes: u64) {
        let s = self.lock();
        let Some(subs) = s.progress_subs.get(fid) else {
            return;
        };
        let payload = json!({"fileId": fid, "progress": bytes}).to_string();
        for id in subs {
            if let Some(c) = s.conns.get(id) {
                let push = Out::Push {
                    method: "uploadFileProgress".into(),
                    payload: payload.clone(),
                };
                c.push(push, &s.queue_peak);
            }
        }
    }

    pub(super) fn limits(&self) -> Value {
        json!({
            "maxSize": self.cfg.max_file_size,
            "extensions": self.cfg.extensions.as_ref().map(|(mode, list)| json!({"mode": mode, "list": list})),
        })
    }

    pub(super) fn limit_refusal(&self, name: Option<&str>, size: u64) -> Option<u32> {
        if self.cfg.max_file_size.is_some_and(|m| size > m) {
            return Some(406);
        }
        let (mode, list) = self.cfg.extensions.as_ref()?;
        let ext = name
            .and_then(|n| std::path::Path::new(n).extension())
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let listed = ext.as_ref().is_some_and(|e| {
            list.iter()
                .any(|l| l.trim_start_matches('.').eq_ignore_ascii_case(e))
        });
        match mode.as_str() {
            "allow" if !listed => Some(403),
            "block" if listed => Some(403),
            _ => None,
        }
    }

    pub(super) fn download_url(&self, fid: &str, preview: bool) -> String {
        format!(
            "http://{}/bridge/api/client/v1/files{}?file_id={fid}",
            self.addr,
            if preview { "/preview" } else { "" }
        )
    }

    pub(super) fn file_info(&self, fid: &str, f: &SimFile) -> Value {
        let ready = f.ready_at.is_none();
        json!({
            "name": f.name,
            "size": f.bytes.len(),
            "mimeType": f.mime,
            "readyState": if ready { 2 } else { 1 },
            "downloadUrl": ready.then(|| self.download_url(fid, false)),
            "previews": f.preview.as_ref().filter(|_| ready).map(|(name, mime, b)| json!([{
                "name": name, "mimeType": mime, "size": b.len(), "downloadUrl": self.download_url(fid, true)
            }])),
            "fileId": fid,
            "infoHash": fid,
        })
    }

    /// `uploadFile`.
    pub(super) fn upload_file(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, p, .. } = *r;
        let size = p.get("fileSize").and_then(Value::as_u64).ok_or(399u32)?;
        let name = p.get("fileName").and_then(Value::as_str).map(String::from);
        if let Some(code) = self.limit_refusal(name.as_deref(), size) {
            return Err(code);
        }
        let id = new_id();
        self.lock().tasks.insert(
            id.clone(),
            UploadTask {
                user: user.to_string(),
                size,
                name,
                mime: p.get("mimeType").and_then(Value::as_str).map(String::from),
            },
        );
        ok(json!({"uploadTaskId": id}))
    }

    /// `sendFile`.
    pub(super) fn send_file(self: &Arc<Self>, r: &Req) -> Res {
        let Req { user, conn, p, .. } = *r;
        let chat_id = r.st("chatId");
        let content = p.get("content").cloned().unwrap_or(Value::Null);
        let tid = content
            .get("temporalFileId")
            .or_else(|| content.get("fileId"))
            .and_then(Value::as_str)
            .ok_or(399u32)?
            .to_string();
        let reply = p
            .get("replyMessageId")
            .and_then(Value::as_str)
            .map(String::from);
        let temporal = {
            let mut s = self.lock();
            let c = member_chat(&s, &chat_id, user)?;
            check(c, user, Right::Files)?;
            if let Some(r) = &reply
                && !c.messages.iter().any(|m| &m.id == r)
            {
                return Err(306);
            }
            match s.temporal.get(&tid) {
                Some(t) if t.user == user => {}
                _ => return Err(308),
            }
            s.temporal.remove(&tid).ok_or(308u32)?
        };
        let mut caption_id = None;
        if let Some(cap) = content.get("caption").filter(|c| c.is_object()) {
            let text = cap.get("text").and_then(Value::as_str).unwrap_or_default();
            let mode = cap
                .get("parseMode")
                .and_then(Value::as_str)
                .unwrap_or("text");
            caption_id = Some(self.post(
                user,
                &chat_id,
                200,
                json!({"text": text, "parseMode": mode}),
                reply.clone(),
                Some(conn),
            )?);
        }
        let fid = file_id();
        let f = temporal.file;
        let body = json!({"name": f.name, "mimeType": f.mime, "size": f.bytes.len(), "fileId": fid, "readyState": 2});
        self.lock().files.insert(fid.clone(), f);
        let id = self.post(user, &chat_id, 202, body, reply, Some(conn))?;
        let mut r = json!({"chatId": chat_id, "messageId": id, "timestamp": self.msg_time(&id), "fileId": fid});
        if let Some(c) = caption_id {
            r["captionMessageId"] = json!(c);
        }
        ok(r)
    }

    /// `getFileInfo`.
    pub(super) fn get_file_info(self: &Arc<Self>, r: &Req) -> Res {
        let fid = r.st("fileId");
        let s = self.lock();
        let f = s.files.get(&fid).ok_or(308u32)?;
        ok(self.file_info(&fid, f))
    }

    /// `subscribeFileProgress`.
    pub(super) fn subscribe_file_progress(self: &Arc<Self>, r: &Req) -> Res {
        let Req { conn, .. } = *r;
        let fid = r.st("fileId");
        let mut s = self.lock();
        let f = s.files.get(&fid).ok_or(308u32)?;
        let size = f.bytes.len() as u64;
        if f.ready_at.is_none() {
            // Already complete: one final event.
            return Ok((
                json!({"result": true}),
                vec![(
                    "uploadFileProgress".into(),
                    json!({"fileId": fid, "progress": size}),
                )],
            ));
        }
        s.progress_subs.entry(fid).or_default().insert(conn);
        ok(json!({"result": true}))
    }

    /// `unsubscribeFileProgress`.
    pub(super) fn unsubscribe_file_progress(self: &Arc<Self>, r: &Req) -> Res {
        let Req { conn, .. } = *r;
        let fid = r.st("fileId");
        let mut s = self.lock();
        if !s.files.contains_key(&fid) {
            return Err(308);
        }
        if let Some(set) = s.progress_subs.get_mut(&fid) {
            set.remove(&conn);
        }
        ok(json!({"result": true}))
    }

    /// `getFileUploadLimits`.
    pub(super) fn get_file_upload_limits(self: &Arc<Self>, _: &Req) -> Res {
        ok(self.limits())
    }
}

fn upload_error(status: StatusCode, code: u32, desc: &str) -> Response {
    json_response(status, json!({"error": code, "error_description": desc}))
}

pub(super) async fn upload(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let Some(task_id) = headers
        .get("Upload-Task-Id")
        .and_then(|v| v.to_str().ok())
        .map(String::from)
    else {
        return upload_error(StatusCode::BAD_REQUEST, 310, "No upload task ID provided");
    };
    let Some(task) = inner.lock().tasks.remove(&task_id) else {
        return upload_error(StatusCode::BAD_REQUEST, 407, "Upload task not found");
    };
    let mut file: Option<(String, String, Bytes)> = None;
    let mut preview: Option<(String, String, Bytes)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return upload_error(
                    StatusCode::BAD_REQUEST,
                    310,
                    &format!("Bad multipart body: {e}"),
                );
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let fname = field.file_name().unwrap_or("file").to_string();
        let mime = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_string();
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => {
                return upload_error(
                    StatusCode::BAD_REQUEST,
                    310,
                    &format!("Bad multipart body: {e}"),
                );
            }
        };
        match name.as_str() {
            "file" => file = Some((fname, mime, bytes)),
            "preview" => preview = Some((fname, mime, bytes)),
            _ => {}
        }
    }
    let Some((fname, mime, bytes)) = file else {
        return upload_error(StatusCode::BAD_REQUEST, 310, "No file part");
    };
    if bytes.len() as u64 != task.size {
        return upload_error(
            StatusCode::BAD_REQUEST,
            310,
            &format!(
                "The file has {} bytes; the task says {}",
                bytes.len(),
                task.size
            ),
        );
    }
    let name = task.name.unwrap_or(fname);
    if let Some(code) = inner.limit_refusal(Some(&name), task.size) {
        return upload_error(
            StatusCode::BAD_REQUEST,
            code,
            "The server's upload limits refuse this file",
        );
    }
    let temporal = new_id();
    inner.lock().temporal.insert(
        temporal.clone(),
        Temporal {
            user: task.user,
            file: SimFile {
                name,
                mime: task.mime.filter(|m| !m.is_empty()).unwrap_or(mime),
                bytes,
                preview,
                ready_at: None,
            },
        },
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (header::SERVER, "TrueConf Bridge"),
        ],
        json!({"temporalFileId": temporal}).to_string(),
    )
        .into_response()
}

#[derive(serde::Deserialize)]
pub(super) struct FileQuery {
    file_id: Option<String>,
}

pub(super) async fn download(
    State(inner): State<Arc<Inner>>,
    Query(q): Query<FileQuery>,
) -> Response {
    let f = q
        .file_id
        .and_then(|id| inner.lock().files.get(&id).cloned());
    match f {
        Some(f) if f.ready_at.is_none() => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, f.mime.clone())],
            f.bytes,
        )
            .into_response(),
        Some(_) => (StatusCode::CONFLICT, "the file is still uploading").into_response(),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

pub(super) async fn preview(
    State(inner): State<Arc<Inner>>,
    Query(q): Query<FileQuery>,
) -> Response {
    let f = q
        .file_id
        .and_then(|id| inner.lock().files.get(&id).cloned());
    match f.and_then(|f| f.preview) {
        Some((_, mime, b)) => (StatusCode::OK, [(header::CONTENT_TYPE, mime)], b).into_response(),
        None => (StatusCode::NOT_FOUND, "no preview").into_response(),
    }
}
