//! The chat client against a server that answers the other way each time docs/chat-protocol.md
//! (Choices) lists two readings: OAuth 200 with `expires_at`, no subprotocol echoed,
//! `errorCode: 0` in a success, `{chats: […]}`, `removeChat` with `chatId`, `infoHash` instead
//! of `fileId`, an internal host in `downloadUrl`, attachment `id`, the vendor guide's
//! `uploadingProgress` arriving before the subscribe answer, responses out of order,
//! `errorDescription`. It also checks what the client sends: ids rising from 1, every push
//! acknowledged before anything else.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use futures_util::StreamExt;
use serde_json::{Value, json};
use trueconf_console::chat::methods::*;
use trueconf_console::chat::types::{ChatType, Content};
use trueconf_console::chat::{self, ChatLinkOptions, ChatTarget};
use trueconf_console::link::LinkStatus;

#[derive(Default)]
struct Seen {
    /// Client request ids in arrival order.
    ids: Vec<u64>,
    /// (push id, the next frame from the client) for each push sent.
    acks: Vec<(u64, Value)>,
    /// Whether the client offered json.v1 on the last upgrade.
    offered: Vec<bool>,
}

type Shared = Arc<Mutex<Seen>>;

async fn oauth() -> impl IntoResponse {
    // oc's fake server: 200, an opaque token, expires_at instead of expires_in.
    axum::Json(
        json!({"access_token": "opaque-token", "token_type": "bearer", "expires_at": 4_000_000_000u64}),
    )
}

async fn file() -> impl IntoResponse {
    "file bytes"
}

async fn upgrade(
    State(seen): State<Shared>,
    headers: axum::http::HeaderMap,
    ws: WebSocketUpgrade,
) -> impl IntoResponse {
    seen.lock()
        .unwrap()
        .offered
        .push(headers.get("sec-websocket-protocol").is_some());
    // No .protocols(): a proxy that drops the subprotocol header.
    ws.on_upgrade(move |s| session(s, seen))
}

async fn session(mut ws: WebSocket, seen: Shared) {
    let mut held: Option<u64> = None;
    let mut push_id = 100u64;
    let send = |v: Value| Message::Text(v.to_string().into());
    while let Some(Ok(Message::Text(t))) = ws.next().await {
        let f: Value = serde_json::from_str(&t).unwrap();
        if f["type"] == 2 {
            continue;
        }
        let (id, method) = (
            f["id"].as_u64().unwrap(),
            f["method"].as_str().unwrap().to_string(),
        );
        seen.lock().unwrap().ids.push(id);
        let reply = |p: Value| send(json!({"type": 2, "id": id, "payload": p}));
        match method.as_str() {
            "auth" => {
                let _ = ws
                    .send(reply(
                        json!({"userId": "bot@srv", "connectionId": "c1", "errorCode": 0}),
                    ))
                    .await;
            }
            "getChatByID" => {
                // A push before the answer, while the client waits for it: the next frame from
                // the client must be the push's ack.
                push_id += 1;
                let _ = ws
                    .send(send(
                        json!({"method": "sendMessage", "type": 1, "id": push_id, "payload": {
                        "chatId": "c9", "messageId": "m1", "timestamp": "1735370776",
                        "author": {"id": "alice@srv", "type": 1}, "type": 202,
                        "content": {"name": "a.txt", "size": 10, "id": "f1", "mimeType": ""}}}),
                    ))
                    .await;
                if let Some(Ok(Message::Text(next))) = ws.next().await {
                    seen.lock()
                        .unwrap()
                        .acks
                        .push((push_id, serde_json::from_str(&next).unwrap()));
                }
                let _ = ws.send(reply(json!({"chatId": "c9", "title": "alice@srv", "chatType": 1, "unreadMessages": 0}))).await;
            }
            "getFileUploadLimits" => {
                let _ = ws
                    .send(reply(json!({"maxSize": null, "extensions": null})))
                    .await;
            }
            "getChats" => {
                let _ = ws
                    .send(reply(
                        json!({"chats": [{"chatId": "c9", "title": "alice@srv", "chatType": 1,
                        "unreadMessages": "2", "lastMessage": null}]}),
                    ))
                    .await;
            }
            "removeChat" => {
                let _ = ws
                    .send(reply(json!({"chatId": f["payload"]["chatId"]})))
                    .await;
            }
            "getMessageById" => {
                // "slow" waits until "fast" has been answered: responses out of order.
                if f["payload"]["messageId"] == "slow" {
                    held = Some(id);
                } else {
                    let _ = ws.send(reply(json!({"messageId": "fast", "type": 200, "timestamp": 1,
                        "author": {"id": "a", "type": 1}, "content": {"text": "fast", "parseMode": "text"}}))).await;
                    if let Some(h) = held.take() {
                        let _ = ws.send(send(json!({"type": 2, "id": h, "payload": {"messageId": "slow", "type": 200,
                            "timestamp": 2, "author": {"id": "a", "type": 1}, "content": {"text": "slow", "parseMode": "text"}}}))).await;
                    }
                }
            }
            "getFileInfo" => {
                let _ = ws
                    .send(reply(json!({"name": "a.txt", "size": 10, "mimeType": "text/plain", "readyState": 2,
                        "downloadUrl": "https://10.111.15.116/bridge/api/client/v1/files?file_id=f1",
                        "previews": null, "infoHash": "f1"})))
                    .await;
            }
            "subscribeFileProgress" => {
                // The final event first, under the vendor guide's name; then an answer without
                // `result`.
                push_id += 1;
                let _ = ws
                    .send(send(
                        json!({"method": "uploadingProgress", "type": 1, "id": push_id,
                        "payload": {"fileId": f["payload"]["fileId"], "progress": 10}}),
                    ))
                    .await;
                let _ = ws.send(reply(json!({}))).await;
            }
            "getUserDisplayName" => {
                let _ = ws
                    .send(reply(
                        json!({"errorCode": 305, "errorDescription": "not here\u{1b}[31m"}),
                    ))
                    .await;
            }
            _ => {
                let _ = ws.send(reply(json!({"errorCode": 307}))).await;
            }
        }
    }
}

#[tokio::test]
async fn the_client_reads_every_reading_the_reference_lists() {
    trueconf_console::tls::init();
    let seen: Shared = Arc::default();
    let app = Router::new()
        .route("/bridge/api/client/v1/oauth/token", post(oauth))
        .route("/bridge/api/client/v1/files", get(file))
        .route("/websocket/chat_bot/", get(upgrade))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let opts = ChatLinkOptions {
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(3),
        ..ChatLinkOptions::default()
    };
    let (h, _rx) = chat::spawn(ChatTarget::loopback(port, "bot", "pw"), opts).unwrap();
    h.wait_status(Duration::from_secs(10), LinkStatus::is_up)
        .await
        .expect("authorised");
    assert_eq!(h.session().unwrap().me, "bot@srv");

    let one = h
        .get_chat_by_id(GetChatById {
            chat_id: "c9".into(),
        })
        .await
        .unwrap();
    assert_eq!(one.chat_id, "c9");
    let chats = h
        .get_chats(GetChats { count: 10, page: 1 })
        .await
        .unwrap()
        .0;
    assert_eq!((chats[0].chat_type, chats[0].unread), (ChatType::P2p, 2));
    h.remove_chat(RemoveChat {
        chat_id: "c9".into(),
    })
    .await
    .unwrap();

    let (slow, fast) = tokio::join!(
        h.get_message_by_id(GetMessageById {
            message_id: "slow".into()
        }),
        async {
            // Sent second, answered first.
            tokio::task::yield_now().await;
            h.get_message_by_id(GetMessageById {
                message_id: "fast".into(),
            })
            .await
        }
    );
    assert_eq!(slow.unwrap().summary(), "slow");
    assert_eq!(fast.unwrap().summary(), "fast");

    let dir = tempfile::tempdir().unwrap();
    let mut rx = h.watch_progress("f1").await;
    assert!(
        h.subscribe_file_progress(SubscribeFileProgress {
            file_id: "f1".into()
        })
        .await
        .unwrap()
        .result
    );
    assert_eq!(
        rx.recv().await,
        Some(10),
        "the early uploadingProgress was routed"
    );
    // infoHash as the id; the internal host in downloadUrl is replaced with ours.
    let info = h
        .download_to("f1", &dir.path().join("a.txt"))
        .await
        .unwrap();
    assert_eq!(info.file_id, "f1");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.txt")).unwrap(),
        "file bytes"
    );

    let e = h
        .get_user_display_name(GetUserDisplayName {
            user_id: "x".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "user is not chat participant (305): not here"
    );

    let s = seen.lock().unwrap();
    assert!(
        s.ids.windows(2).all(|w| w[0] < w[1]),
        "ids rise: {:?}",
        s.ids
    );
    assert_eq!(s.ids[0], 1, "auth is request 1");
    let (pid, next) = &s.acks[0];
    assert_eq!(
        next,
        &json!({"type": 2, "id": pid}),
        "the push's ack came before anything else"
    );
    // The client offered json.v1, got no echo, and connected again without the offer.
    assert_eq!(s.offered.first(), Some(&true));
    assert_eq!(s.offered.last(), Some(&false));
}

#[test]
fn attachment_ids_and_string_timestamps_from_the_push() {
    let v = json!({"chatId": "c9", "messageId": "m1", "timestamp": "1735370776", "type": 202,
        "author": {"id": "alice@srv", "type": 1}, "content": {"name": "a.txt", "size": 10, "id": "f1"}});
    let e = trueconf_console::chat::types::Envelope::from_value(&v).unwrap();
    assert_eq!(e.timestamp, 1_735_370_776_000);
    assert!(matches!(e.content, Content::Attachment { ref file_id, .. } if file_id == "f1"));
}
