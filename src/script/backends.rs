//! The two places a script's steps go: a TrueConf Room through its link, a chat server
//! through its link. Each turns the link's answers and failures into what the runner reads.

use std::time::Instant;

use serde_json::{Map, Value};

use super::{Backend, Refusal};

/// A Room link's failure as a refusal (the `result:false` frame kept when there is one).
pub fn room_refusal(e: crate::room::RoomError) -> Refusal {
    match e {
        crate::room::RoomError::Refused { error, reply, .. } => Refusal {
            code: None,
            text: error,
            reply: Value::Object(reply.body),
        },
        e => Refusal {
            code: None,
            text: e.to_string(),
            reply: Value::Null,
        },
    }
}

/// A chat link's failure as a refusal (with the server's code when it refused).
pub fn chat_refusal(e: crate::chat::ChatError) -> Refusal {
    Refusal {
        code: e.code(),
        text: e.to_string(),
        reply: Value::Null,
    }
}

/// Steps sent to a TrueConf Room through its link (which must report frames).
pub struct RoomBackend {
    pub h: crate::room::RoomHandle,
    pub events: tokio::sync::mpsc::UnboundedReceiver<crate::room::RoomLinkEvent>,
}

impl Backend for RoomBackend {
    async fn request(
        &mut self,
        method: &str,
        mut params: Map<String, Value>,
    ) -> Result<Value, Refusal> {
        params.remove("method");
        params.remove("requestId");
        self.h
            .request(method, params)
            .await
            .map(|r| Value::Object(r.body))
            .map_err(room_refusal)
    }

    async fn event(&mut self, until: Instant) -> Option<(String, Value)> {
        next_event(&mut self.events, until, |ev| {
            let crate::room::RoomLinkEvent::Frame {
                outgoing: false,
                text,
                ..
            } = ev
            else {
                return None;
            };
            let v: Value = serde_json::from_str(&text).ok()?;
            let name = v.get("event")?.as_str()?.to_string();
            Some((name, v))
        })
        .await
    }
}

/// Steps sent to TrueConf Server's chat bot API through its link (which must report frames).
/// `@sendFile {"chatId", "path"}` sends a local file (upload, then `sendFile`); a relative
/// path is taken from the script's directory.
pub struct ChatBackend {
    pub h: crate::chat::ChatHandle,
    pub events: tokio::sync::mpsc::UnboundedReceiver<crate::chat::ChatLinkEvent>,
    pub base: std::path::PathBuf,
}

impl Backend for ChatBackend {
    async fn request(
        &mut self,
        method: &str,
        params: Map<String, Value>,
    ) -> Result<Value, Refusal> {
        let refused = chat_refusal;
        if method == "@sendFile" {
            let field = |k: &str| params.get(k).and_then(Value::as_str).map(String::from);
            let (Some(chat), Some(path)) = (field("chatId"), field("path")) else {
                return Err(Refusal {
                    code: None,
                    text: "@sendFile needs \"chatId\" and \"path\"".into(),
                    reply: Value::Null,
                });
            };
            let path = self
                .base
                .join(crate::config::expand_home(std::path::Path::new(&path)));
            return self
                .h
                .send_file_from_path(&chat, &path, None, None)
                .await
                // The keys as `sendFile` answers them.
                .map(|p| {
                    serde_json::json!({"chatId": p.chat_id, "messageId": p.message_id,
                        "timestamp": p.timestamp, "fileId": p.file_id,
                        "captionMessageId": p.caption_message_id})
                })
                .map_err(refused);
        }
        self.h
            .request(method, Value::Object(params))
            .await
            .map_err(refused)
    }

    async fn event(&mut self, until: Instant) -> Option<(String, Value)> {
        next_event(&mut self.events, until, |ev| {
            let crate::chat::ChatLinkEvent::Frame {
                outgoing: false,
                text,
                ..
            } = ev
            else {
                return None;
            };
            let v: Value = serde_json::from_str(&text).ok()?;
            if v.get("type")?.as_u64()? != 1 {
                return None;
            }
            let name = v.get("method")?.as_str()?.to_string();
            Some((name, v.get("payload").cloned().unwrap_or(Value::Null)))
        })
        .await
    }
}

/// The first link event before `until` that `pick` turns into an event (others are passed
/// over); at `until` only what is already queued.
async fn next_event<E>(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<E>,
    until: Instant,
    pick: impl Fn(E) -> Option<(String, Value)>,
) -> Option<(String, Value)> {
    loop {
        let left = until.saturating_duration_since(Instant::now());
        let ev = if left.is_zero() {
            rx.try_recv().ok()
        } else {
            tokio::time::timeout(left, rx.recv()).await.ok().flatten()
        };
        if let Some(e) = pick(ev?) {
            return Some(e);
        }
    }
}
