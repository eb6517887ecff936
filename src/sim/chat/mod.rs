//! A simulator of TrueConf Bridge's chat bot API (docs/chat-protocol.md; what the Python peers
//! check: docs/chat-protocol.md, Python peer) on one plain-http port: OAuth, `/api/v4/server`,
//! the WebSocket at `/websocket/chat_bot[/]`, file upload, download and preview. Real state in
//! memory, loaded from the demo world: users, chats of every type with roles, messages with box
//! ids, files.
//!
//! It enforces the protocol: auth first (200), rising request ids per connection (2), rights by
//! role (303), unknown chat/message/file (304/306/308), non-members (305), duplicates (309),
//! unknown roles (312), unknown methods (307), malformed payloads (399). Server requests go to
//! every other connection of every member; each must be acknowledged within the ack timeout or
//! the connection is closed (docs/chat-protocol.md, Errors and Acks).
//!
//! The parts: `state` holds the server's data, `rights` says who may do what,
//! `transport` speaks HTTP and the WebSocket (auth, framing, acks), `dispatch` maps a
//! method name to its handler in `chats`, `participants`, `messages` or `files`;
//! `events` stores messages and pushes changes to members; `demo` fills the world and plays
//! its users.

mod chats;
mod demo;
mod dispatch;
mod events;
mod files;
mod messages;
mod participants;
mod rights;
mod state;
mod transport;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::net;
use super::world::World;
use demo::{DAVE_LINES, seed_world};
use state::{ChatState, Inner, SimFile, chat_id, file_id, new_chat, new_id};

/// Simulator settings: defaults aim at a real 5.5.6 server; switches reproduce an older
/// reference's readings (docs/chat-protocol.md, Choices).
#[derive(Debug, Clone)]
pub struct ChatSimConfig {
    pub world: Arc<World>,
    /// Extra users (`--user NAME:PASSWORD`).
    pub extra_users: Vec<(String, String)>,
    /// A connection with a server request unacknowledged this long is closed (300 s).
    pub ack_timeout: Duration,
    /// WebSocket pings (5 s) and how long to wait for a pong (30 s).
    pub ping_interval: Duration,
    pub pong_timeout: Duration,
    /// How long a file another user sends stays UPLOADING.
    pub file_ready_after: Duration,
    /// How long a demo user takes to answer a message.
    pub reply_after: Duration,
    /// Send a message back to the connection that sent it too.
    pub self_echo: bool,
    /// Also send `expires_at` in the token answer.
    pub expires_at: bool,
    /// Bad credentials answer 400 as an older reference says (401 by default, as the clients
    /// expect; docs/chat-protocol.md, Authentication).
    pub seed_oauth_status: bool,
    /// Token lifetime.
    pub token_lifetime: Duration,
    /// Upload limits.
    pub max_file_size: Option<u64>,
    /// Pushes one connection may have waiting for its socket (10,000): a client that stops
    /// reading is closed (1008) when more pile up, so memory stays bounded.
    pub max_queued: usize,
    /// HTTP: a request's headers must arrive within this, a keep-alive connection idle this
    /// long is closed, and a request body that stalls this long fails (30 s).
    pub http_timeout: Duration,
    /// The largest WebSocket message taken (16 MiB); a larger one closes the connection
    /// with 1009.
    pub max_message_size: usize,
    /// ("allow" | "block", extensions).
    pub extensions: Option<(String, Vec<String>)>,
}

impl ChatSimConfig {
    pub fn new(world: Arc<World>) -> ChatSimConfig {
        ChatSimConfig {
            world,
            extra_users: Vec::new(),
            ack_timeout: Duration::from_secs(300),
            ping_interval: Duration::from_secs(5),
            pong_timeout: Duration::from_secs(30),
            file_ready_after: Duration::from_millis(1500),
            reply_after: Duration::from_millis(800),
            self_echo: false,
            expires_at: false,
            seed_oauth_status: false,
            token_lifetime: Duration::from_secs(31_536_000),
            max_file_size: Some(256 * 1024 * 1024),
            max_queued: 10_000,
            http_timeout: Duration::from_secs(30),
            max_message_size: 16 * 1024 * 1024,
            extensions: None,
        }
    }
}

#[derive(Clone)]
pub struct ChatSim {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ChatSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatSim")
            .field("addr", &self.inner.addr)
            .finish()
    }
}

impl ChatSim {
    /// Starts the server on `addr` (port 0: any free port, see [`ChatSim::port`]).
    pub async fn start(cfg: ChatSimConfig, addr: SocketAddr) -> std::io::Result<ChatSim> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let mut state = ChatState {
            tokens: HashMap::new(),
            chats: HashMap::new(),
            index: HashMap::new(),
            files: HashMap::new(),
            tasks: HashMap::new(),
            temporal: HashMap::new(),
            conns: HashMap::new(),
            next_conn: 1,
            progress_subs: HashMap::new(),
            queue_peak: std::sync::atomic::AtomicUsize::new(0),
            extra: cfg.extra_users.clone(),
        };
        seed_world(&cfg.world, &mut state, addr);
        let inner = Arc::new(Inner {
            cfg,
            addr,
            state: Mutex::new(state),
            kick: watch::channel(0).0,
            connections: watch::channel(0).0,
            shutdown: watch::channel(false).0,
            hold: watch::channel(false).0,
            offline: std::sync::atomic::AtomicBool::new(false),
            cut_next: Mutex::new(None),
            freeze: net::Freeze::new(),
        });
        let app = transport::router(inner.clone());
        let opts = net::ServeOptions {
            timeout: inner.cfg.http_timeout,
            freeze: inner.freeze.clone(),
        };
        net::serve(listener, app, inner.shutdown.subscribe(), opts);
        Ok(ChatSim { inner })
    }

    pub fn port(&self) -> u16 {
        self.inner.addr.port()
    }

    pub fn world(&self) -> &World {
        &self.inner.cfg.world
    }

    /// Stops accepting connections and closes the open ones.
    pub fn shutdown(&self) {
        let _ = self.inner.shutdown.send(true);
        self.drop_connections();
    }

    /// Closes every open WebSocket (clients must reconnect).
    pub fn drop_connections(&self) {
        self.inner.kick.send_modify(|n| *n += 1);
    }

    /// The next request of `method` is cut: every connection is dropped instead of its
    /// answer, after it was carried out (`carried_out`) or before. Either way the client cannot
    /// know which.
    pub fn cut_next(&self, method: &str, carried_out: bool) {
        *super::net::lock(&self.inner.cut_next) = Some((method.to_string(), carried_out));
    }

    /// Waits until `n` authorised connections are open.
    pub async fn wait_connections(&self, n: usize) {
        let mut rx = self.inner.connections.subscribe();
        let _ = rx.wait_for(|c| *c == n).await;
    }

    /// The id of a chat by title (or, for p2p, by its two members' short ids "a+b").
    pub fn chat_id(&self, title: &str) -> Option<String> {
        let s = self.inner.lock();
        let w = &self.inner.cfg.world;
        s.chats
            .values()
            .find(|c| {
                c.title.as_deref() == Some(title)
                    || (c.kind == 1 && {
                        let mut ids: Vec<String> = c
                            .members
                            .iter()
                            .map(|(u, _)| u.split('@').next().unwrap_or_default().to_string())
                            .collect();
                        ids.sort();
                        let mut want: Vec<String> = title.split('+').map(String::from).collect();
                        want.sort();
                        ids == want && w.server.contains('.')
                    })
            })
            .map(|c| c.id.clone())
    }

    /// How many messages a chat holds (for tests).
    pub fn message_count(&self, chat_id: &str) -> usize {
        self.inner
            .lock()
            .chats
            .get(chat_id)
            .map(|c| c.messages.len())
            .unwrap_or(0)
    }

    /// The texts of a chat's text messages by one author (`alice` or `alice@server`), in the
    /// chat's order (for tests that count what arrived).
    pub fn texts_by(&self, chat_id: &str, author: &str) -> Vec<String> {
        let short = author.split('@').next().unwrap_or(author);
        self.inner
            .lock()
            .chats
            .get(chat_id)
            .map(|c| {
                c.messages
                    .iter()
                    .filter(|m| m.author.0.split('@').next() == Some(short) && m.kind == 200)
                    .filter_map(|m| m.content.get("text").and_then(|t| t.as_str()))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The longest any connection's outgoing queue has been (at most
    /// [`ChatSimConfig::max_queued`]).
    pub fn queue_peak(&self) -> usize {
        self.inner
            .lock()
            .queue_peak
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Holds server requests back (they queue per connection) until [`ChatSim::release`]: a
    /// benchmark can prepare a flood and then time its delivery alone.
    pub fn hold(&self) {
        self.inner.hold.send_replace(true);
    }

    pub fn release(&self) {
        self.inner.hold.send_replace(false);
    }

    /// Takes the server down (open connections are closed; new ones and OAuth get 503) or
    /// brings it back, keeping every chat and message: a network outage, for tests.
    pub fn set_offline(&self, offline: bool) {
        self.inner
            .offline
            .store(offline, std::sync::atomic::Ordering::SeqCst);
        if offline {
            self.drop_connections();
        }
    }

    /// Freezes the server (true) as a stopped process would be, or lets it go on (false): while
    /// frozen, no connection reads or writes anything (no answers, no pushes, no pongs), new
    /// connections wait in the kernel's backlog unserved, and nothing is closed. Its own clock
    /// keeps running: demo replies and actors still happen, and their pushes queue (up to the
    /// bound) for delivery at the thaw. For liveness tests.
    pub fn set_frozen(&self, frozen: bool) {
        self.inner.freeze.set(frozen);
    }

    /// Whether [`ChatSim::set_frozen`] holds the server.
    pub fn is_frozen(&self) -> bool {
        self.inner.freeze.is_frozen()
    }

    /// A user posts a text message (pushed to the members' connections).
    pub fn post_text(
        &self,
        who: &str,
        chat_id: &str,
        text: &str,
    ) -> Result<String, super::SimError> {
        let user = self.full(who)?;
        self.inner
            .post(
                &user,
                chat_id,
                200,
                json!({"text": text, "parseMode": "text"}),
                None,
                None,
            )
            .map_err(super::SimError::Code)
    }

    /// A user posts a file that stays UPLOADING for the configured time (or `ready_after`).
    pub fn post_file(
        &self,
        who: &str,
        chat_id: &str,
        name: &str,
        bytes: Vec<u8>,
        ready_after: Duration,
    ) -> Result<String, super::SimError> {
        let user = self.full(who)?;
        let fid = file_id();
        let size = bytes.len() as u64;
        let mime = mime_guess::from_path(name)
            .first_or_octet_stream()
            .essence_str()
            .to_string();
        {
            let mut s = self.inner.lock();
            s.files.insert(
                fid.clone(),
                SimFile {
                    name: name.into(),
                    mime: mime.clone(),
                    bytes: Bytes::from(bytes),
                    preview: None,
                    ready_at: Some(Instant::now() + ready_after),
                },
            );
        }
        self.inner.schedule_ready(fid.clone(), ready_after, size);
        self.inner
            .post(
                &user,
                chat_id,
                202,
                json!({"name": name, "mimeType": mime, "size": size, "fileId": fid, "readyState": 1}),
                None,
                None,
            )
            .map_err(super::SimError::Code)?;
        Ok(fid)
    }

    /// A user creates a group chat (kind 2) or channel (6) with members, as a TrueConf client
    /// would: every member gets `createGroupChat` / `createChannel`.
    pub fn create_chat_as(
        &self,
        who: &str,
        kind: i64,
        title: &str,
        members: &[&str],
    ) -> Result<String, super::SimError> {
        let owner = self.full(who)?;
        let mut list = vec![(owner.clone(), 0usize)];
        for m in members {
            list.push((self.full(m)?, 2));
        }
        let id = chat_id();
        let mut s = self.inner.lock();
        s.chats.insert(
            id.clone(),
            new_chat(&id, kind, Some(title.into()), list.clone()),
        );
        for (u, _) in &list[1..] {
            let rec = Inner::append(
                &mut s,
                &id,
                (owner.clone(), 0),
                110,
                json!({"userId": u, "role": "user"}),
                None,
            )
            .map_err(super::SimError::Code)?;
            let _ = rec;
        }
        let method = if kind == 6 {
            "createChannel"
        } else {
            "createGroupChat"
        };
        if let Some(c) = s.chats.get(&id) {
            for (u, _) in &list {
                Inner::deliver(
                    &s,
                    std::slice::from_ref(u),
                    None,
                    false,
                    method,
                    &Inner::chat_object(c, u),
                );
            }
        }
        Ok(id)
    }

    /// A user presses an inline button under a message: its author gets `command` (5.5.6).
    pub fn press_button(
        &self,
        who: &str,
        message_id: &str,
        command: &str,
    ) -> Result<(), super::SimError> {
        let presser = self.full(who)?;
        let s = self.inner.lock();
        let cid = s.index.get(message_id).ok_or(super::SimError::NoMessage)?;
        let c = s.chats.get(cid).ok_or(super::SimError::NoChat)?;
        let m = c
            .messages
            .iter()
            .find(|m| m.id == message_id)
            .ok_or(super::SimError::NoMessage)?;
        let author = m.author.0.clone();
        let payload = json!({
            "commandSource": {"type": "button", "message": Inner::envelope(c, m, &author, false, 0), "buttonId": command, "waitReply": false},
            "commandPayload": {"type": "command", "command": command},
            "commandId": new_id(),
            "userId": presser,
        });
        Inner::deliver(&s, &[author], None, false, "command", &payload);
        Ok(())
    }

    /// Pushes `n` new messages from `who` in `chat_id` to `to`'s connections as fast as the
    /// sockets take them (for the flood benchmark). The messages are stored too.
    pub fn flood(&self, who: &str, chat_id: &str, n: usize) -> Result<(), super::SimError> {
        let user = self.full(who)?;
        for i in 0..n {
            self.inner
                .post(
                    &user,
                    chat_id,
                    200,
                    json!({"text": format!("flood message {i}"), "parseMode": "text"}),
                    None,
                    None,
                )
                .map_err(super::SimError::Code)?;
        }
        Ok(())
    }

    /// The demo world's spontaneous actors: dave posts in Project now and then (sometimes a
    /// file), starting after `first`, then every `every`. They stop with the simulator.
    pub fn start_actors(&self, first: Duration, every: Duration) {
        let me = self.clone();
        let mut stop = self.inner.shutdown.subscribe();
        tokio::spawn(async move {
            let mut wait = first;
            let mut n = 0usize;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                if let Some(project) = me.chat_id("Project") {
                    if n % 3 == 2 {
                        let body = format!("Build log #{n}\nall green\n").repeat(200);
                        let _ = me.post_file(
                            "dave",
                            &project,
                            &format!("build-{n}.log"),
                            body.into_bytes(),
                            me.inner.cfg.file_ready_after,
                        );
                    } else {
                        let _ = me.post_text("dave", &project, DAVE_LINES[n % DAVE_LINES.len()]);
                    }
                }
                n += 1;
                wait = every;
            }
        });
    }

    fn full(&self, who: &str) -> Result<String, super::SimError> {
        self.inner
            .resolve(who)
            .ok_or_else(|| super::SimError::NoUser(who.to_string()))
    }
}
