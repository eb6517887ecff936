//! The chat server's transport: the HTTP routes (OAuth, server info), the WebSocket with its
//! auth, framing, request ids, acks and pings (docs/chat-protocol.md, Transport,
//! Authentication, Framing and Acks).

use std::collections::VecDeque;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use super::files::{download, preview, upload};
use super::state::{Conn, Inner, Msg, Out, new_id, now_ms};
use crate::chat::methods::{self, ChatMethod};
use crate::chat::protocol::Frame;
use crate::sim::net::{Incoming, raw_id};

/// The routes of the chat server.
pub(super) fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .route("/bridge/api/client/v1/oauth/token", post(oauth))
        .route("/bridge/api/client/v1/files", post(upload).get(download))
        .route("/bridge/api/client/v1/files/preview", get(preview))
        .route("/api/v4/server", get(server_info))
        .route("/websocket/chat_bot", get(ws_upgrade))
        .route("/websocket/chat_bot/", get(ws_upgrade))
        .layer(DefaultBodyLimit::max(1024 * 1024 * 1024))
        .with_state(inner)
}

// ---------------------------------------------------------------------------------------------
// HTTP

pub(super) fn json_response(status: StatusCode, v: Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        v.to_string(),
    )
        .into_response()
}

fn oauth_error(status: StatusCode, code: &str, desc: &str) -> Response {
    json_response(status, json!({"error": code, "error_description": desc}))
}

async fn oauth(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> Response {
    if inner.offline.load(std::sync::atomic::Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "the server is down").into_response();
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let Ok(Value::Object(b)) = serde_json::from_slice::<Value>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request body must be a JSON object",
        );
    };
    if !is_json {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Content-Type must be application/json",
        );
    }
    let s = |k: &str| match b.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let (Some(client), Some(grant), Some(user), Some(password)) = (
        s("client_id"),
        s("grant_type"),
        s("username"),
        s("password"),
    ) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id, grant_type, username and password are required",
        );
    };
    if client != "chat_bot" {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client", "Unknown client");
    }
    if grant != "password" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only the password grant is supported",
        );
    }
    let Some(full) = inner.password_ok(&user, &password) else {
        let status = if inner.cfg.seed_oauth_status {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::UNAUTHORIZED
        };
        return oauth_error(status, "invalid_grant", "Invalid username or password");
    };
    let exp = now_ms() / 1000 + inner.cfg.token_lifetime.as_secs();
    let token = issue_token(&full, exp);
    inner.lock().tokens.insert(token.clone(), (full, exp));
    let mut reply = json!({"access_token": token, "token_type": "JWE", "expires_in": inner.cfg.token_lifetime.as_secs()});
    if inner.cfg.expires_at {
        reply["expires_at"] = json!(exp);
    }
    json_response(StatusCode::CREATED, reply)
}

/// A JWT-shaped token: `<b64url header>.<b64url claims with exp>.<signature>` (the Python peer
/// checks the shape and `exp`; nobody checks the signature: docs/chat-protocol.md,
/// Authentication).
pub(super) fn issue_token(user: &str, exp: u64) -> String {
    let e = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        e(json!({"alg": "RS256", "typ": "JWT"})),
        e(json!({"sub": user, "exp": exp, "jti": new_id()})),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
    )
}

async fn server_info(State(inner): State<Arc<Inner>>) -> Response {
    json_response(
        StatusCode::OK,
        json!({"product": {"name": "TrueConf Server", "version": "5.5.6", "display_name": inner.cfg.world.server}}),
    )
}

// ---------------------------------------------------------------------------------------------
// WebSocket

async fn ws_upgrade(
    State(inner): State<Arc<Inner>>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    if inner.offline.load(std::sync::atomic::Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "the server is down").into_response();
    }
    let Ok(ws) = ws else {
        return (StatusCode::UPGRADE_REQUIRED, "this path speaks WebSocket").into_response();
    };
    // Echo json.v1 when offered; accept clients that offer nothing (docs/chat-protocol.md,
    // Transport).
    ws.protocols(["json.v1"])
        .max_message_size(inner.cfg.max_message_size)
        .on_upgrade(move |socket| connection(inner, socket))
}

/// One client connection.
async fn connection(inner: Arc<Inner>, socket: WebSocket) {
    let (mut tx, mut rx) = socket.split();
    // Pushes wait here for the socket; a client that stops reading fills it and is closed
    // (docs/chat-protocol.md, Errors and Acks).
    let (out_tx, mut out_rx) = mpsc::channel::<Out>(inner.cfg.max_queued.max(1));
    let overflow = Arc::new(Notify::new());
    let mut kick = inner.kick.subscribe();
    kick.mark_unchanged();
    let mut hold = inner.hold.subscribe();
    let conn_id = {
        let mut s = inner.lock();
        let id = s.next_conn;
        s.next_conn += 1;
        id
    };
    let mut session = Session {
        inner: inner.clone(),
        conn_id,
        out_tx,
        overflow: overflow.clone(),
        user: None,
        max_client_id: None,
        next_server_id: 1,
        unacked: VecDeque::new(),
    };
    let mut ping = tokio::time::interval(inner.cfg.ping_interval);
    ping.tick().await;
    let mut last_pong = Instant::now();
    let ack_timeout = inner.cfg.ack_timeout;
    let freeze = inner.freeze.clone();
    // Why the connection ends: the close code and reason.
    let (code, reason): (u16, &str) = loop {
        if freeze.is_frozen() {
            // Stopped: nothing is read, written or decided until the thaw.
            freeze.thawed().await;
            last_pong = Instant::now();
        }
        let ack_deadline = session.unacked.front().map(|(_, t)| *t + ack_timeout);
        tokio::select! {
            () = freeze.frozen() => {}
            msg = rx.next() => {
                // What the client has already sent is read before the next batch of pushes:
                // a flood pushes 256 a turn, and acks left unread would fill the socket until
                // neither side could write (a client acking a flood of 200,000 stalled so).
                let mut next = Some(msg);
                let mut end = None;
                let mut read = 0;
                while let Some(msg) = next.take() {
                    if let Some(e) =
                        session.incoming(msg, &mut tx, &overflow, &mut last_pong).await
                    {
                        end = Some(e);
                        break;
                    }
                    read += 1;
                    if read < READ_AHEAD {
                        next = futures_util::FutureExt::now_or_never(rx.next());
                    }
                }
                if let Some(e) = end {
                    break e;
                }
            }
            _ = hold.changed() => {}
            out = out_rx.recv(), if !*hold.borrow() => {
                let Some(first) = out else { break (1000, "closed by the server") };
                tokio::select! {
                    ok = session.push_queued(&mut tx, first, &mut out_rx) => if !ok { break (1000, "send failed") },
                    () = overflow.notified() => break OVERFLOW,
                }
            },
            () = overflow.notified() => break OVERFLOW,
            _ = ping.tick() => {
                if last_pong.elapsed() > inner.cfg.pong_timeout + inner.cfg.ping_interval {
                    break (1000, "no pong");
                }
                tokio::select! {
                    r = tx.send(Message::Ping(Vec::new().into())) => if r.is_err() { break (1000, "send failed") },
                    () = overflow.notified() => break OVERFLOW,
                }
            }
            _ = async { match ack_deadline { Some(d) => tokio::time::sleep_until(d).await, None => std::future::pending().await } } => {
                break (1000, "a server request was not acknowledged in time");
            }
            _ = kick.changed() => break (1000, "dropped"),
        }
    };
    tracing::debug!(target: "trueconf_console::sim", "chat connection {conn_id} ends: {reason}");
    // A frozen server closes nothing: the close waits for the thaw.
    freeze.thawed().await;
    // A client that does not read may never take the close frame: give it a moment only.
    let close = tx.send(Message::Close(Some(axum::extract::ws::CloseFrame {
        code,
        reason: reason.into(),
    })));
    let _ = tokio::time::timeout(CLOSE_WAIT, close).await;
    let mut s = inner.lock();
    s.conns.remove(&conn_id);
    for subs in s.progress_subs.values_mut() {
        subs.remove(&conn_id);
    }
    drop(s);
    if session.user.is_some() {
        inner.connections.send_modify(|n| *n -= 1);
    }
}

type Sink = SplitSink<WebSocket, Message>;

/// The close of a connection whose client left more than `max_queued` pushes unread (1008,
/// policy violation).
const OVERFLOW: (u16, &str) = (1008, "too many unread server requests");

/// Frames read from a client in one turn of its connection, when that many are waiting.
const READ_AHEAD: usize = 1024;

/// How long a closing connection tries to send its close frame.
const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// What a connection knows of its client: who it is (once authorised), the request ids it has
/// seen and used, and the server requests it still waits acks for (docs/chat-protocol.md,
/// Framing and Acks).
struct Session {
    inner: Arc<Inner>,
    conn_id: u64,
    /// Where the rest of the server queues pushes for this connection (bounded).
    out_tx: mpsc::Sender<Out>,
    /// Told when that queue overflowed: the connection closes.
    overflow: Arc<Notify>,
    user: Option<String>,
    max_client_id: Option<u64>,
    next_server_id: u64,
    /// Unacknowledged server requests, oldest first.
    unacked: VecDeque<(u64, Instant)>,
}

impl Session {
    /// Reads one client frame: the responses to send, then the server requests to push.
    fn on_frame(&mut self, text: &str) -> (Vec<String>, Vec<(String, Value)>) {
        let mut replies: Vec<String> = Vec::new();
        let mut pushes: Vec<(String, Value)> = Vec::new();
        match Frame::decode(text) {
            // Unreadable (not JSON, not an object, no usable id, type or method): 399 under
            // the id as it came, or under null.
            Err(_) => replies.push(format!(
                r#"{{"type":2,"id":{},"payload":{{"errorCode":399}}}}"#,
                raw_id(text, "id").unwrap_or("null")
            )),
            Ok(Frame::Response { id, .. }) => self.on_ack(id),
            Ok(Frame::Request {
                id,
                method,
                payload,
            }) => self.on_request(id, &method, payload, &mut replies, &mut pushes),
        }
        (replies, pushes)
    }

    fn on_ack(&mut self, id: u64) {
        // Acks come in order almost always: the front first. The ids rise along the queue, so
        // an ack past a push left unacked is found by bisection, not by a walk over the flood.
        if self.unacked.front().is_some_and(|(u, _)| *u == id) {
            self.unacked.pop_front();
        } else if let Ok(i) = self.unacked.binary_search_by_key(&id, |(u, _)| *u) {
            self.unacked.remove(i);
        }
    }

    /// A client request: ids must rise, `auth` comes first and once, the payload is an object.
    fn on_request(
        &mut self,
        id: u64,
        method: &str,
        payload: Option<Value>,
        replies: &mut Vec<String>,
        pushes: &mut Vec<(String, Value)>,
    ) {
        if self.max_client_id.is_some_and(|m| id <= m) {
            replies.push(error_frame(id, 2));
            return;
        }
        self.max_client_id = Some(id);
        let p = match payload {
            Some(Value::Object(o)) => o,
            None => Map::new(),
            Some(_) => return replies.push(error_frame(id, 399)),
        };
        let is_auth = method == methods::Auth::NAME;
        match &self.user {
            None if is_auth => self.on_auth(id, &p, replies, pushes),
            Some(_) if is_auth => replies.push(error_frame(id, 2)),
            None => replies.push(error_frame(id, 200)),
            Some(u) => match self.take_cut(method) {
                Some(carry_out) => {
                    if carry_out {
                        let _ = self.inner.command(self.conn_id, u, method, &p);
                    }
                    self.inner.kick.send_modify(|n| *n += 1);
                }
                None => match self.inner.command(self.conn_id, u, method, &p) {
                    Ok((reply, after)) => {
                        replies.push(response_frame(id, reply));
                        pushes.extend(after);
                    }
                    Err(code) => replies.push(error_frame(id, code)),
                },
            },
        }
    }

    /// Whether this request is to be cut, and if so whether it is carried out first (see
    /// `ChatSim::cut_next`).
    fn take_cut(&self, method: &str) -> Option<bool> {
        let mut cut = crate::sim::net::lock(&self.inner.cut_next);
        match cut.take() {
            Some((m, carry_out)) if m == method => Some(carry_out),
            other => {
                *cut = other;
                None
            }
        }
    }

    /// `auth`: the connection joins its user's, gets the upload limits and, if asked, the
    /// unread messages (docs/chat-protocol.md, Authentication).
    fn on_auth(
        &mut self,
        id: u64,
        p: &Map<String, Value>,
        replies: &mut Vec<String>,
        pushes: &mut Vec<(String, Value)>,
    ) {
        let inner = &self.inner;
        let (full, reply) = match authorize(inner, p) {
            Ok(ok) => ok,
            Err(code) => return replies.push(error_frame(id, code)),
        };
        let flag = |k: &str| p.get(k).and_then(Value::as_bool).unwrap_or(false);
        let system = flag("receiveSystemMessageEnvelopes");
        let unread = flag("receiveUnread");
        replies.push(response_frame(id, reply));
        pushes.push(("getFileUploadLimits".into(), inner.limits()));
        let mut s = inner.lock();
        let conn = Conn {
            user: full.clone(),
            system,
            tx: self.out_tx.clone(),
            overflow: self.overflow.clone(),
        };
        s.conns.insert(self.conn_id, conn);
        if unread {
            for c in s.chats.values().filter(|c| c.role_of(&full).is_some()) {
                let n = c.unread.get(&full).copied().unwrap_or(0) as usize;
                let vis: Vec<&Msg> = c.visible_to(&full).filter(|m| m.kind >= 200).collect();
                for m in &vis[vis.len().saturating_sub(n)..] {
                    let env = Inner::envelope(c, m, &full, false, 0);
                    pushes.push(("sendMessage".into(), env));
                }
            }
        }
        drop(s);
        self.user = Some(full);
        inner.connections.send_modify(|n| *n += 1);
    }

    /// The next server request id; the request now waits for its ack.
    fn server_request(&mut self) -> u64 {
        let id = self.next_server_id;
        self.next_server_id += 1;
        self.unacked.push_back((id, Instant::now()));
        id
    }

    /// Sends the responses to a frame, then the server requests it caused. False: the socket
    /// failed (everything is tried first).
    async fn answer(
        &mut self,
        tx: &mut Sink,
        replies: Vec<String>,
        pushes: Vec<(String, Value)>,
    ) -> bool {
        let mut failed = false;
        for r in replies {
            if tx.send(Message::Text(r.into())).await.is_err() {
                failed = true;
            }
        }
        for (method, payload) in pushes {
            let id = self.server_request();
            let f = Frame::Request {
                id,
                method,
                payload: Some(payload),
            }
            .encode();
            if tx.send(Message::Text(f.into())).await.is_err() {
                failed = true;
            }
        }
        !failed
    }

    /// Writes what is queued for this connection (up to a bound) and flushes once. False: the
    /// socket failed.
    /// One frame from the client: answered, or the reason the connection ends.
    async fn incoming(
        &mut self,
        msg: Option<Result<Message, axum::Error>>,
        tx: &mut Sink,
        overflow: &Notify,
        last_pong: &mut Instant,
    ) -> Option<(u16, &'static str)> {
        let text = match Incoming::read(msg) {
            Incoming::Text(t) => t,
            Incoming::Pong => {
                *last_pong = Instant::now();
                return None;
            }
            Incoming::Ping => return None,
            Incoming::TooBig => return Some((1009, "message too big")),
            Incoming::Closed => return Some((1000, "closed")),
        };
        let (replies, pushes) = self.on_frame(&text);
        // A write that waits on a client which does not read must not keep the connection
        // from noticing its queue overflow.
        tokio::select! {
            ok = self.answer(tx, replies, pushes) => (!ok).then_some((1000, "send failed")),
            () = overflow.notified() => Some(OVERFLOW),
        }
    }

    async fn push_queued(
        &mut self,
        tx: &mut Sink,
        first: Out,
        out_rx: &mut mpsc::Receiver<Out>,
    ) -> bool {
        let mut batch = vec![first];
        while batch.len() < 256 {
            match out_rx.try_recv() {
                Ok(o) => batch.push(o),
                Err(_) => break,
            }
        }
        for Out::Push { method, payload } in batch {
            let id = self.server_request();
            let f = format!(
                r#"{{"method":{},"type":1,"id":{id},"payload":{payload}}}"#,
                Value::String(method)
            );
            if tx.feed(Message::Text(f.into())).await.is_err() {
                return false;
            }
        }
        tx.flush().await.is_ok()
    }
}

fn response_frame(id: u64, payload: Value) -> String {
    Frame::Response {
        id,
        payload: Some(payload),
    }
    .encode()
}

fn error_frame(id: u64, code: u32) -> String {
    response_frame(id, json!({"errorCode": code}))
}

/// Checks an auth request: the token must be one this server issued and not expired.
fn authorize(inner: &Inner, p: &Map<String, Value>) -> Result<(String, Value), u32> {
    let token = p.get("token").and_then(Value::as_str).ok_or(399u32)?;
    let s = inner.lock();
    let (user, exp) = s.tokens.get(token).ok_or(201u32)?;
    if *exp <= now_ms() / 1000 {
        return Err(203);
    }
    let reply = json!({
        "userId": format!("{user}/{:08x}", rand::random::<u32>()),
        "connectionId": new_id(),
    });
    Ok((user.clone(), reply))
}
