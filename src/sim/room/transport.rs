//! The Room's transport: the HTTP config file, the WebSocket at `/`, `/v1` and `/v2`, the auth
//! handshake and the reply frame (docs/room-protocol.md, Transport, Authentication, Framing).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::sync::{broadcast, mpsc};

use super::rights::Role;
use super::session::set_api_version;
use super::state::{Inner, now_secs, obj};
use crate::room::catalog;
use crate::room::protocol::Fields;
use crate::room::spec::RoomMethod;
use crate::sim::net::{Incoming, raw_id};

/// The HTTP server's routes and the WebSocket server's.
pub(super) fn routers(inner: Arc<Inner>) -> (Router, Router) {
    let http_app = Router::new()
        .route("/public/{name}/config.json", get(config_json))
        .route("/frames/", get(super::frames::frames))
        .route("/frames", get(super::frames::frames))
        .with_state(inner.clone());
    let ws_app = Router::new().fallback(ws_upgrade).with_state(inner);
    (http_app, ws_app)
}

async fn config_json(State(inner): State<Arc<Inner>>, Path(name): Path<String>) -> Response {
    if name != "default" && inner.cfg.instance.as_deref() != Some(name.as_str()) {
        return (StatusCode::NOT_FOUND, "no such TrueConf Room instance").into_response();
    }
    axum::Json(json!({"config": {"websocket": {"hostname": null, "port": inner.ws_port}, "http": {"hostname": null, "port": inner.http_port}}}))
        .into_response()
}

async fn ws_upgrade(
    State(inner): State<Arc<Inner>>,
    uri: Uri,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let path = uri.path().trim_end_matches('/');
    let version = match path {
        "" | "/v1" => 1,
        "/v2" => 2,
        _ => {
            return (
                StatusCode::NOT_FOUND,
                "the Room API lives at /, /v1 and /v2",
            )
                .into_response();
        }
    };
    let Ok(ws) = ws else {
        return (StatusCode::UPGRADE_REQUIRED, "this port speaks WebSocket").into_response();
    };
    ws.on_upgrade(move |socket| connection(inner, socket, peer.ip(), version))
}

/// One client connection: requests in, the reply first, then events. Everything going out
/// waits in a bounded queue that a writer task drains; a client that stops reading fills it
/// and is disconnected (as are clients so far behind that events were lost), so memory stays
/// bounded.
async fn connection(inner: Arc<Inner>, socket: WebSocket, peer: IpAddr, _version: u8) {
    inner.connections.send_modify(|n| *n += 1);
    let (tx, mut rx) = socket.split();
    let (out, out_rx) = mpsc::channel::<Message>(inner.cfg.max_queued.max(1));
    let writer = tokio::spawn(write_out(tx, out_rx));
    let mut events = inner.events.subscribe();
    let mut kick = inner.kick.subscribe();
    kick.mark_unchanged();
    let mut role: Option<Role> = None;
    let freeze = inner.freeze.clone();
    let overflowed = loop {
        // Stopped: nothing is read, written or decided until the thaw.
        freeze.thawed().await;
        tokio::select! {
            () = freeze.frozen() => {}
            msg = rx.next() => {
                let text = match Incoming::read(msg) {
                    Incoming::Text(t) => t,
                    Incoming::Ping | Incoming::Pong => continue,
                    Incoming::TooBig => {
                        let _ = out.try_send(Message::Close(Some(CloseFrame {
                            code: 1009,
                            reason: "message too big".into(),
                        })));
                        break false;
                    }
                    Incoming::Closed => break false,
                };
                let reply = handle_text(&inner, peer, &mut role, &text);
                if !queue(&inner, &out, Message::Text(reply.into())) {
                    break true;
                }
            }
            ev = events.recv() => match ev {
                Ok(text) => {
                    if role.is_some() && !queue(&inner, &out, Message::Text(text.into())) {
                        break true;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => break true,
                Err(broadcast::error::RecvError::Closed) => break false,
            },
            _ = kick.changed() => {
                let _ = out.try_send(Message::Close(None));
                break false;
            }
        }
    };
    if overflowed {
        // The client does not read: nothing more goes to it, not even a close frame.
        tracing::debug!(target: "trueconf_console::sim", "Room connection closed: too much unread");
        writer.abort();
    } else {
        // The writer sends what is queued, then ends.
        drop(out);
        let _ = writer.await;
    }
    inner.connections.send_modify(|n| *n -= 1);
}

/// Queues one frame for the client. False: the queue is full (the client stopped reading) or
/// the writer is gone.
fn queue(inner: &Inner, out: &mpsc::Sender<Message>, m: Message) -> bool {
    if out.try_send(m).is_err() {
        return false;
    }
    let len = out.max_capacity() - out.capacity();
    inner.queue_peak.fetch_max(len, Ordering::Relaxed);
    true
}

/// Drains a connection's queue into its socket.
async fn write_out(mut tx: SplitSink<WebSocket, Message>, mut out: mpsc::Receiver<Message>) {
    while let Some(m) = out.recv().await {
        if tx.send(m).await.is_err() {
            return;
        }
    }
}

/// Handles one frame and returns the reply frame. Events it causes are already published.
fn handle_text(inner: &Arc<Inner>, peer: IpAddr, role: &mut Option<Role>, text: &str) -> String {
    let parsed: Result<Value, _> = serde_json::from_str(text);
    let Ok(Value::Object(p)) = parsed else {
        return json!({"method": "", "requestId": "", "result": false, "error": "malformed request: a JSON object was expected"}).to_string();
    };
    let method = p.str_of("method").unwrap_or_default();
    // Echoed exactly as sent, even a number no integer type holds (R5).
    let request_id = raw_id(text, "requestId").unwrap_or(r#""""#);
    let reply = |fields: Map<String, Value>, error: Option<String>| {
        let mut m = Map::new();
        m.insert("method".into(), Value::String(method.clone()));
        for (k, v) in fields {
            if k != "event" && k != "method" && k != "requestId" {
                m.insert(k, v);
            }
        }
        m.insert("result".into(), Value::Bool(error.is_none()));
        if let Some(e) = error {
            m.insert("error".into(), Value::String(e));
        }
        // The object is never empty (`method`, `result`): splice the id in after its brace.
        let rest = Value::Object(m).to_string();
        format!(r#"{{"requestId":{request_id},{}"#, &rest[1..])
    };
    if method.is_empty() {
        return reply(Map::new(), Some("malformed request: no `method`".into()));
    }
    match (method.as_str(), *role) {
        (catalog::Auth::NAME, _) => match inner.auth_from(peer, &p) {
            Ok(r) => {
                *role = Some(r);
                let token = format!("1*sim{:x}*{}", rand::random::<u64>(), now_secs());
                let http_token = {
                    let mut s = inner.lock();
                    s.tokens.insert(token.clone(), r);
                    inner.new_http_token(&mut s)
                };
                let fields = obj(
                    json!({"previleges": if r == Role::Admin { 2 } else { 1 }, "token": token,
                    "tokenForHttpServer": http_token, "resultCode": 0}),
                );
                reply(fields, None)
            }
            Err(e) => {
                *role = None;
                reply(obj(json!({"resultCode": 3})), Some(e.to_string()))
            }
        },
        (catalog::SetUsedApiVersion::NAME, _) => {
            let o = set_api_version(&p);
            reply(o.reply, o.error)
        }
        (_, None) => reply(
            Map::new(),
            Some("authorization required: send auth first".into()),
        ),
        (_, Some(r)) => {
            let o = inner.command(r, &method, &p);
            reply(o.reply, o.error)
        }
    }
}
