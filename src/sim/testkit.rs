//! Raw clients of both simulators for the unit tests of `sim`: they speak the wire protocol
//! frame by frame over loopback, so a test sees exactly what the server sends (or does not).

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::{ChatSim, ChatSimConfig, RoomSim, RoomSimConfig, World};

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a test waits for anything it expects.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

fn any() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 0))
}

pub(crate) async fn chat_sim(f: impl FnOnce(&mut ChatSimConfig)) -> ChatSim {
    crate::tls::init();
    let mut cfg = ChatSimConfig::new(Arc::new(World::demo()));
    cfg.reply_after = Duration::from_millis(20);
    f(&mut cfg);
    ChatSim::start(cfg, any()).await.unwrap()
}

pub(crate) async fn room_sim(f: impl FnOnce(&mut RoomSimConfig)) -> RoomSim {
    let mut cfg = RoomSimConfig::new(Arc::new(World::demo()));
    cfg.time_scale = 0.01;
    f(&mut cfg);
    RoomSim::start(cfg, any(), any()).await.unwrap()
}

/// An OAuth token for `user` (password = user name).
pub(crate) async fn chat_token(port: u16, user: &str) -> String {
    let v: Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!(
            "http://127.0.0.1:{port}/bridge/api/client/v1/oauth/token"
        ))
        .json(&json!({"client_id": "chat_bot", "grant_type": "password", "username": user, "password": user}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

pub(crate) async fn chat_connect(port: u16) -> Ws {
    tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/websocket/chat_bot/"))
        .await
        .unwrap()
        .0
}

/// A WebSocket of `user`, authorised with request id 1 (the next id is 2).
pub(crate) async fn chat_login(sim: &ChatSim, user: &str) -> Ws {
    let token = chat_token(sim.port(), user).await;
    let mut ws = chat_connect(sim.port()).await;
    send(
        &mut ws,
        json!({"type":1,"id":1,"method":"auth","payload":{"token": token}}),
    )
    .await;
    let r = chat_answer(&mut ws, &json!(1)).await;
    assert!(r["payload"]["connectionId"].is_string(), "{r}");
    ws
}

pub(crate) async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string())).await.unwrap();
}

/// The next text frame, as JSON (pings and pongs skipped); fails after [`WAIT`].
pub(crate) async fn next_json(ws: &mut Ws) -> Value {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return serde_json::from_str(&t).unwrap(),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            other => panic!("no text frame within {WAIT:?}: {other:?}"),
        }
    }
}

/// The chat server's response with `id`; server requests before it are acknowledged.
pub(crate) async fn chat_answer(ws: &mut Ws, id: &Value) -> Value {
    loop {
        let v = next_json(ws).await;
        if v["type"] == 1 {
            let ack = json!({"type": 2, "id": v["id"]});
            send(ws, ack).await;
        } else if &v["id"] == id {
            return v;
        }
    }
}

/// A Room reply (events skipped).
pub(crate) async fn room_reply(ws: &mut Ws) -> Value {
    loop {
        let v = next_json(ws).await;
        if v["method"] != "event" {
            return v;
        }
    }
}

pub(crate) async fn room_connect(sim: &RoomSim) -> Ws {
    tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{}/", sim.ws_port()))
        .await
        .unwrap()
        .0
}

/// Asserts that nothing at all arrives on `ws` for `d`.
pub(crate) async fn silent_for(ws: &mut Ws, d: Duration) {
    if let Ok(m) = tokio::time::timeout(d, ws.next()).await {
        panic!("expected silence, got {m:?}");
    }
}
/// Reads until the server closes: its close frame, if it sent one. Fails after [`WAIT`].
pub(crate) async fn closed(ws: &mut Ws) -> Option<CloseFrame> {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await {
            Ok(Some(Ok(Message::Close(f)))) => return f,
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => return None,
            Err(_) => panic!("the server did not close within {WAIT:?}"),
        }
    }
}
