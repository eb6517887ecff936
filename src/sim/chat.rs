//! A simulator of TrueConf Bridge's chat bot API (chatbot-api.md Appendix A, python-peers.md
//! checklist 1–21) on one plain-http port: OAuth, `/api/v4/server`, the WebSocket at
//! `/websocket/chat_bot[/]`, file upload, download and preview. Real state in memory, loaded
//! from the demo world: users, chats of every type with roles, messages with box ids, files.
//!
//! It enforces the protocol: auth first (200), rising request ids per connection (2), rights by
//! role (303), unknown chat/message/file (304/306/308), non-members (305), duplicates (309),
//! unknown roles (312), unknown methods (307), malformed payloads (399). Server requests go to
//! every other connection of every member; each must be acknowledged within the ack timeout or
//! the connection is closed.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use super::world::{ChatSeed, OnChat, World};
use crate::chat::methods;
use crate::chat::protocol::Frame;

/// Simulator settings: defaults aim at a real 5.5.6 server; switches reproduce the seed.
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
    /// Bad credentials answer 400 as the seed says (401 by default, as the clients expect).
    pub seed_oauth_status: bool,
    /// Token lifetime.
    pub token_lifetime: Duration,
    /// `getChatParticipants.pageNumber` counts from 1 instead of the formula's 0.
    pub participants_one_based: bool,
    /// Upload limits.
    pub max_file_size: Option<u64>,
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
            participants_one_based: false,
            max_file_size: Some(256 * 1024 * 1024),
            extensions: None,
        }
    }
}

const ROLE_NAMES: [&str; 7] = [
    "owner",
    "admin",
    "user",
    "conf_owner",
    "conf_moderator",
    "favorites_owner",
    "writer",
];

/// What a role may do (chatbot-api.md §8): one letter per role, in ROLE_NAMES order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Right {
    Send,
    Reply,
    Files,
    Polls,
    Forward,
    EditOwn,
    DeleteOwnSelf,
    DeleteOwnAll,
    DeleteOthersSelf,
    DeleteOthersAll,
    ClearSelf,
    ClearAll,
    AddMembers,
    RemoveMembers,
    Title,
    Icon,
    Roles,
    ChangeOwner,
}

impl Right {
    /// (group row, channel row): O A U CO CM FO [W].
    fn rows(self) -> (&'static str, &'static str) {
        match self {
            Right::Send => ("YYYYYY", "YY.YYYY"),
            Right::Reply => ("YYYYYY", "YY.YYYY"),
            Right::Files => ("YYYYYY", "YY.YYYY"),
            Right::Polls => ("YYY...", "YY....Y"),
            Right::Forward => ("YYYYYY", "YYYYYYY"),
            Right::EditOwn => ("YYYYYY", "YY.YYYY"),
            Right::DeleteOwnSelf => ("YYYYYY", "YY.YYY."),
            Right::DeleteOwnAll => ("YYYYYY", "YY.YYYY"),
            Right::DeleteOthersSelf => ("YYYYY.", "YY.YY.."),
            Right::DeleteOthersAll => ("YY.YY.", "YY.YY.."),
            Right::ClearSelf => ("YYYYYY", "YY.YYY."),
            Right::ClearAll => ("YY.YY.", "YY.YY.."),
            Right::AddMembers | Right::RemoveMembers => ("YY....", "YY....."),
            Right::Title | Right::Icon => ("YY....", "YY....."),
            Right::Roles => ("YY.YY.", "YY....."),
            Right::ChangeOwner => ("Y.....", "Y......"),
        }
    }

    /// P2P chats: every messaging right, no membership rights (chatbot-api.md §8).
    fn in_p2p(self) -> bool {
        !matches!(
            self,
            Right::AddMembers
                | Right::RemoveMembers
                | Right::Title
                | Right::Icon
                | Right::Roles
                | Right::ChangeOwner
        )
    }
}

fn allowed(chat_type: i64, role: usize, right: Right) -> bool {
    if chat_type == 1 {
        return right.in_p2p();
    }
    let (group, channel) = right.rows();
    let row = if chat_type == 6 { channel } else { group };
    row.as_bytes().get(role) == Some(&b'Y')
}

#[derive(Debug, Clone)]
struct Msg {
    id: String,
    box_id: u64,
    position: String,
    timestamp: u64,
    /// (id, type 0 system | 1 user)
    author: (String, i64),
    kind: i64,
    content: Value,
    reply_to: Option<String>,
    edited: bool,
    /// Users who removed it for themselves.
    hidden_for: HashSet<String>,
}

#[derive(Debug)]
struct SimChat {
    id: String,
    kind: i64,
    title: Option<String>,
    /// (user, role index), in joining order.
    members: Vec<(String, usize)>,
    messages: Vec<Msg>,
    next_box: u64,
    avatar_url: Option<String>,
    unread: HashMap<String, u64>,
    /// Per user: messages with a box below this are cleared for them.
    cleared_below: HashMap<String, u64>,
    last_activity: u64,
}

impl SimChat {
    fn role_of(&self, user: &str) -> Option<usize> {
        self.members
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, r)| *r)
    }
    fn visible_to<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a Msg> + 'a {
        let floor = self.cleared_below.get(user).copied().unwrap_or(0);
        self.messages
            .iter()
            .filter(move |m| m.box_id >= floor && !m.hidden_for.contains(user))
    }
    /// A p2p chat's title is the other side's id, for each side.
    fn title_for(&self, viewer: &str) -> Option<String> {
        if self.kind == 1 {
            self.members
                .iter()
                .find(|(u, _)| u != viewer)
                .or(self.members.first())
                .map(|(u, _)| u.clone())
        } else {
            self.title.clone()
        }
    }
}

#[derive(Debug, Clone)]
struct SimFile {
    name: String,
    mime: String,
    bytes: Bytes,
    preview: Option<(String, String, Bytes)>,
    /// UPLOADING until then.
    ready_at: Option<Instant>,
}

struct UploadTask {
    user: String,
    size: u64,
    name: Option<String>,
    mime: Option<String>,
}

struct Temporal {
    user: String,
    file: SimFile,
}

/// What a connection task is told to send.
enum Out {
    Push { method: String, payload: String },
}

struct Conn {
    user: String,
    system: bool,
    tx: mpsc::UnboundedSender<Out>,
}

struct ChatState {
    /// token → (user, exp in Unix seconds)
    tokens: HashMap<String, (String, u64)>,
    chats: HashMap<String, SimChat>,
    /// message id → chat id
    index: HashMap<String, String>,
    files: HashMap<String, SimFile>,
    tasks: HashMap<String, UploadTask>,
    temporal: HashMap<String, Temporal>,
    conns: HashMap<u64, Conn>,
    next_conn: u64,
    /// file id → connections subscribed to its progress
    progress_subs: HashMap<String, HashSet<u64>>,
    /// Extra users: (short id, password, display name)
    extra: Vec<(String, String)>,
}

struct Inner {
    cfg: ChatSimConfig,
    addr: SocketAddr,
    state: Mutex<ChatState>,
    kick: watch::Sender<u64>,
    connections: watch::Sender<usize>,
    shutdown: watch::Sender<bool>,
    /// While true, pushes queue up instead of going out (benchmarks time the delivery alone).
    hold: watch::Sender<bool>,
    /// While true, the server is "down": OAuth and the WebSocket answer 503.
    offline: std::sync::atomic::AtomicBool,
}

/// A running chat simulator. Dropping it does not stop it; call [`ChatSim::shutdown`].
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

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn chat_id() -> String {
    format!(
        "{:032x}{:08x}",
        rand::random::<u128>(),
        rand::random::<u32>()
    )
}

fn file_id() -> String {
    format!(
        "{:032x}{:08x}",
        rand::random::<u128>(),
        rand::random::<u32>()
    )
}

type Res = Result<(Value, Vec<(String, Value)>), u32>;

fn ok(v: Value) -> Res {
    Ok((v, Vec::new()))
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
        });
        let app = Router::new()
            .route("/bridge/api/client/v1/oauth/token", post(oauth))
            .route("/bridge/api/client/v1/files", post(upload).get(download))
            .route("/bridge/api/client/v1/files/preview", get(preview))
            .route("/api/v4/server", get(server_info))
            .route("/websocket/chat_bot", get(ws_upgrade))
            .route("/websocket/chat_bot/", get(ws_upgrade))
            .layer(DefaultBodyLimit::max(1024 * 1024 * 1024))
            .with_state(inner.clone());
        let mut stop = inner.shutdown.subscribe();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await;
        });
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

    /// A user posts a text message (pushed to the members' connections).
    pub fn post_text(&self, who: &str, chat_id: &str, text: &str) -> Result<String, String> {
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
            .map_err(|c| format!("error {c}"))
    }

    /// A user posts a file that stays UPLOADING for the configured time (or `ready_after`).
    pub fn post_file(
        &self,
        who: &str,
        chat_id: &str,
        name: &str,
        bytes: Vec<u8>,
        ready_after: Duration,
    ) -> Result<String, String> {
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
            .map_err(|c| format!("error {c}"))?;
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
    ) -> Result<String, String> {
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
            .map_err(|c| format!("error {c}"))?;
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
    pub fn press_button(&self, who: &str, message_id: &str, command: &str) -> Result<(), String> {
        let presser = self.full(who)?;
        let s = self.inner.lock();
        let cid = s.index.get(message_id).ok_or("no such message")?;
        let c = s.chats.get(cid).ok_or("no such chat")?;
        let m = c
            .messages
            .iter()
            .find(|m| m.id == message_id)
            .ok_or("no such message")?;
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
    pub fn flood(&self, who: &str, chat_id: &str, n: usize) -> Result<(), String> {
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
                .map_err(|c| format!("error {c}"))?;
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

    fn full(&self, who: &str) -> Result<String, String> {
        self.inner
            .resolve(who)
            .ok_or_else(|| format!("no user {who}"))
    }
}

const DAVE_LINES: &[&str] = &[
    "Standup in 10 minutes, same room.",
    "Pushed the **release notes** draft, have a look.",
    "Who has the projector remote?",
    "Reminder: the build server restarts at 18:00.",
];

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, ChatState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `alice`, `alice@server`, `DOMAIN\alice`, `alice@server/x` → `alice@server`.
    fn resolve(&self, id: &str) -> Option<String> {
        let id = id.rsplit('\\').next().unwrap_or(id);
        let w = &self.cfg.world;
        if let Some(u) = w.user(id) {
            return Some(w.full_id(u));
        }
        let short = id.split('/').next()?.split('@').next()?;
        let s = self.lock();
        s.extra
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(short))
            .map(|(n, _)| format!("{n}@{}", w.server))
    }

    fn password_ok(&self, user: &str, password: &str) -> Option<String> {
        let full = self.resolve(user)?;
        let short = full.split('@').next().unwrap_or_default();
        let w = &self.cfg.world;
        let good = match w.user(short) {
            Some(u) => u.password() == password,
            None => self
                .lock()
                .extra
                .iter()
                .any(|(n, p)| n.eq_ignore_ascii_case(short) && p == password),
        };
        good.then_some(full)
    }

    fn display_name(&self, full: &str) -> Option<String> {
        match self.cfg.world.user(full) {
            Some(u) => Some(u.name.clone()),
            None => self
                .resolve(full)
                .map(|f| f.split('@').next().unwrap_or_default().to_string()),
        }
    }

    /// Sends a push to every connection of `users`, except `skip`. Called with the state
    /// locked, so pushes keep the order of the changes.
    fn deliver(
        s: &ChatState,
        users: &[String],
        skip: Option<u64>,
        system_only: bool,
        method: &str,
        payload: &Value,
    ) {
        let text = payload.to_string();
        for (id, c) in &s.conns {
            if Some(*id) == skip || !users.contains(&c.user) || (system_only && !c.system) {
                continue;
            }
            let _ = c.tx.send(Out::Push {
                method: method.into(),
                payload: text.clone(),
            });
        }
    }

    /// An envelope as `viewer` sees it: `chatId` and the `chat` object, `replyMessage` one
    /// level deep; `lastMessage` leaves out `box` and `isEdited`.
    fn envelope(chat: &SimChat, m: &Msg, viewer: &str, last: bool, depth: u8) -> Value {
        let mut o = Map::new();
        o.insert("messageId".into(), json!(m.id));
        o.insert("chatId".into(), json!(chat.id));
        o.insert(
            "chat".into(),
            json!({"chatId": chat.id, "chatTitle": chat.title_for(viewer), "chatType": chat.kind}),
        );
        o.insert("timestamp".into(), json!(m.timestamp));
        o.insert(
            "author".into(),
            json!({"id": m.author.0, "type": m.author.1}),
        );
        o.insert("type".into(), json!(m.kind));
        o.insert("content".into(), m.content.clone());
        if !last {
            o.insert("isEdited".into(), json!(m.edited));
            o.insert(
                "box".into(),
                json!({"id": m.box_id, "position": m.position}),
            );
        }
        if m.kind >= 200 {
            o.insert("replyMessageId".into(), json!(m.reply_to));
            if depth == 0
                && let Some(r) = &m.reply_to
                && let Some(orig) = chat.messages.iter().rev().find(|x| &x.id == r)
            {
                o.insert(
                    "replyMessage".into(),
                    Self::envelope(chat, orig, viewer, false, 1),
                );
            }
        }
        Value::Object(o)
    }

    fn chat_object(chat: &SimChat, viewer: &str) -> Value {
        let last = chat
            .visible_to(viewer)
            .last()
            .map(|m| Self::envelope(chat, m, viewer, true, 1));
        json!({
            "chatId": chat.id,
            "title": chat.title_for(viewer),
            "chatType": chat.kind,
            "unreadMessages": chat.unread.get(viewer).copied().unwrap_or(0),
            "avatarUrl": chat.avatar_url,
            "lastMessage": last,
        })
    }

    /// Appends a message, pushes it to the members, and lets demo users react.
    fn post(
        self: &Arc<Self>,
        author: &str,
        chat_id: &str,
        kind: i64,
        content: Value,
        reply_to: Option<String>,
        origin: Option<u64>,
    ) -> Result<String, u32> {
        let mut s = self.lock();
        let id = Self::append(
            &mut s,
            chat_id,
            (author.to_string(), 1),
            kind,
            content,
            reply_to,
        )?;
        self.announce(&s, chat_id, &id, origin);
        drop(s);
        self.react(author, chat_id, &id);
        Ok(id)
    }

    fn append(
        s: &mut ChatState,
        chat_id: &str,
        author: (String, i64),
        kind: i64,
        content: Value,
        reply_to: Option<String>,
    ) -> Result<String, u32> {
        let chat = s.chats.get_mut(chat_id).ok_or(304u32)?;
        let id = new_id();
        let ts = now_ms().max(chat.last_activity + 1);
        let box_id = chat.next_box;
        chat.next_box += 1;
        chat.last_activity = ts;
        if kind >= 200 {
            for (u, _) in &chat.members {
                if *u != author.0 {
                    *chat.unread.entry(u.clone()).or_default() += 1;
                }
            }
        }
        chat.messages.push(Msg {
            id: id.clone(),
            box_id,
            position: String::new(),
            timestamp: ts,
            author,
            kind,
            content,
            reply_to,
            edited: false,
            hidden_for: HashSet::new(),
        });
        s.index.insert(id.clone(), chat_id.to_string());
        Ok(id)
    }

    /// Pushes a stored message to each member as they see it (system records only to
    /// connections that asked for them).
    fn announce(&self, s: &ChatState, chat_id: &str, msg_id: &str, origin: Option<u64>) {
        let Some(chat) = s.chats.get(chat_id) else {
            return;
        };
        let Some(m) = chat.messages.iter().rev().find(|m| m.id == msg_id) else {
            return;
        };
        let skip = if self.cfg.self_echo { None } else { origin };
        for (u, _) in &chat.members {
            // Build the envelope only for members someone is connected as.
            if !s
                .conns
                .iter()
                .any(|(id, c)| c.user == *u && Some(*id) != skip && (m.kind >= 200 || c.system))
            {
                continue;
            }
            let env = Self::envelope(chat, m, u, false, 0);
            Self::deliver(
                s,
                std::slice::from_ref(u),
                skip,
                m.kind < 200,
                "sendMessage",
                &env,
            );
        }
    }

    /// Demo users who answer messages do so after a moment.
    fn react(self: &Arc<Self>, author: &str, chat_id: &str, msg_id: &str) {
        let (responders, text) = {
            let s = self.lock();
            let Some(chat) = s.chats.get(chat_id) else {
                return;
            };
            let Some(m) = chat.messages.iter().rev().find(|m| m.id == msg_id) else {
                return;
            };
            if m.kind < 200 || (chat.kind != 1 && chat.kind != 2) {
                return;
            }
            let responders: Vec<String> = chat
                .members
                .iter()
                .map(|(u, _)| u.clone())
                .filter(|u| {
                    u != author
                        && self
                            .cfg
                            .world
                            .user(u)
                            .is_some_and(|x| x.chat == OnChat::Reply)
                })
                .collect();
            // Demo users do not answer each other (no endless loops).
            if self
                .cfg
                .world
                .user(author)
                .is_some_and(|x| x.chat == OnChat::Reply)
            {
                return;
            }
            let quoted = match m.content.get("text").and_then(Value::as_str) {
                Some(t) => {
                    let t: String = t.chars().take(60).collect();
                    format!("Got it: “{t}”")
                }
                None => "Thanks, got the file.".to_string(),
            };
            (responders, quoted)
        };
        for r in responders {
            let me = self.clone();
            let chat_id = chat_id.to_string();
            let text = text.clone();
            let reply_to = msg_id.to_string();
            let delay = self.cfg.reply_after;
            let mut stop = self.shutdown.subscribe();
            tokio::spawn(async move {
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                let _ = me.post(
                    &r,
                    &chat_id,
                    200,
                    json!({"text": text, "parseMode": "text"}),
                    Some(reply_to),
                    None,
                );
            });
        }
    }

    /// A file another user sent becomes READY after a while; subscribers get progress.
    fn schedule_ready(self: &Arc<Self>, fid: String, after: Duration, size: u64) {
        let me = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after / 2).await;
            me.progress(&fid, size / 2);
            tokio::time::sleep(after - after / 2).await;
            {
                let mut s = me.lock();
                if let Some(f) = s.files.get_mut(&fid) {
                    f.ready_at = None;
                }
            }
            me.progress(&fid, size);
        });
    }

    fn progress(&self, fid: &str, bytes: u64) {
        let s = self.lock();
        let Some(subs) = s.progress_subs.get(fid) else {
            return;
        };
        let payload = json!({"fileId": fid, "progress": bytes}).to_string();
        for id in subs {
            if let Some(c) = s.conns.get(id) {
                let _ = c.tx.send(Out::Push {
                    method: "uploadFileProgress".into(),
                    payload: payload.clone(),
                });
            }
        }
    }

    fn limits(&self) -> Value {
        json!({
            "maxSize": self.cfg.max_file_size,
            "extensions": self.cfg.extensions.as_ref().map(|(mode, list)| json!({"mode": mode, "list": list})),
        })
    }

    fn limit_refusal(&self, name: Option<&str>, size: u64) -> Option<u32> {
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

    fn download_url(&self, fid: &str, preview: bool) -> String {
        format!(
            "http://{}/bridge/api/client/v1/files{}?file_id={fid}",
            self.addr,
            if preview { "/preview" } else { "" }
        )
    }

    fn file_info(&self, fid: &str, f: &SimFile) -> Value {
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

    /// Runs one request of an authorised user. Ok: the response payload and pushes for the
    /// calling connection (after the response); Err: the error code.
    fn command(
        self: &Arc<Self>,
        conn: u64,
        user: &str,
        method: &str,
        p: &Map<String, Value>,
    ) -> Res {
        let mut p = p.clone();
        if method == "createGroupChat" && !p.contains_key("title") {
            // The seed's §5.2 calls it `name` (Q2).
            if let Some(n) = p.remove("name") {
                p.insert("title".into(), n);
            }
        }
        if let Some(spec) = methods::method(method) {
            let bad = spec
                .validate(&p)
                .into_iter()
                .any(|e| !matches!(e, methods::ParamError::Unknown { .. }));
            if bad {
                return Err(399);
            }
        } else if method != "ping" {
            return Err(307);
        }
        let st = |k: &str| {
            p.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let flag = |k: &str| p.get(k).and_then(Value::as_bool).unwrap_or(false);
        let num = |k: &str| p.get(k).and_then(Value::as_u64).unwrap_or(0);
        match method {
            "ping" => ok(json!({})),
            "auth" => Err(2),
            "getUserDisplayName" => {
                let full = self.resolve(&st("userId")).ok_or(399u32)?;
                ok(json!({"displayName": self.display_name(&full)}))
            }
            "createP2PChat" => {
                let peer = self.resolve(&st("userId")).ok_or(399u32)?;
                if peer == user {
                    return Err(399);
                }
                let mut s = self.lock();
                if let Some(c) = s.chats.values().find(|c| {
                    c.kind == 1 && c.role_of(user).is_some() && c.role_of(&peer).is_some()
                }) {
                    return ok(json!({"chatId": c.id}));
                }
                let id = chat_id();
                let chat = new_chat(&id, 1, None, vec![(user.to_string(), 2), (peer.clone(), 2)]);
                let obj = Self::chat_object(&chat, &peer);
                let mine = Self::chat_object(&chat, user);
                s.chats.insert(id.clone(), chat);
                Self::deliver(&s, &[peer], Some(conn), false, "createP2PChat", &obj);
                // The creator's other sessions learn of it too (not the one that asked).
                Self::deliver(
                    &s,
                    &[user.to_string()],
                    Some(conn),
                    false,
                    "createP2PChat",
                    &mine,
                );
                ok(json!({"chatId": id}))
            }
            "createGroupChat" | "createChannel" => {
                let title = st("title");
                if title.chars().count() > 256 || title.trim().is_empty() {
                    return Err(300);
                }
                let kind = if method == "createChannel" { 6 } else { 2 };
                let id = chat_id();
                let mut s = self.lock();
                s.chats.insert(
                    id.clone(),
                    new_chat(&id, kind, Some(title), vec![(user.to_string(), 0)]),
                );
                let rec = Self::append(
                    &mut s,
                    &id,
                    (user.to_string(), 0),
                    110,
                    json!({"userId": user, "role": "owner"}),
                    None,
                )?;
                self.announce(&s, &id, &rec, Some(conn));
                if let Some(c) = s.chats.get(&id) {
                    Self::deliver(
                        &s,
                        &[user.to_string()],
                        Some(conn),
                        false,
                        method,
                        &Self::chat_object(c, user),
                    );
                }
                ok(json!({"chatId": id}))
            }
            "createFavoritesChat" => {
                let mut s = self.lock();
                if let Some(c) = s
                    .chats
                    .values()
                    .find(|c| c.kind == 5 && c.role_of(user).is_some())
                {
                    return ok(json!({"chatId": c.id}));
                }
                let id = chat_id();
                let chat = new_chat(
                    &id,
                    5,
                    Some("Favorites".into()),
                    vec![(user.to_string(), 5)],
                );
                let obj = Self::chat_object(&chat, user);
                s.chats.insert(id.clone(), chat);
                Self::deliver(
                    &s,
                    &[user.to_string()],
                    Some(conn),
                    false,
                    "createFavoritesChat",
                    &obj,
                );
                ok(json!({"chatId": id}))
            }
            "getChatByID" => {
                let s = self.lock();
                let c = member_chat(&s, &st("chatId"), user)?;
                ok(Self::chat_object(c, user))
            }
            "getChats" => {
                let (count, page) = (num("count"), num("page"));
                if count == 0 || page == 0 {
                    return Err(399);
                }
                let s = self.lock();
                let mut mine: Vec<&SimChat> = s
                    .chats
                    .values()
                    .filter(|c| c.role_of(user).is_some())
                    .collect();
                mine.sort_by(|a, b| b.last_activity.cmp(&a.last_activity).then(a.id.cmp(&b.id)));
                let list: Vec<Value> = mine
                    .iter()
                    .skip(((page - 1) * count) as usize)
                    .take(count as usize)
                    .map(|c| Self::chat_object(c, user))
                    .collect();
                ok(Value::Array(list))
            }
            "removeChat" => {
                let mut s = self.lock();
                let c = member_chat(&s, &st("chatId"), user)?;
                let role = c.role_of(user).unwrap_or(2);
                if c.kind != 1 && role != 0 && c.kind != 5 {
                    return Err(303);
                }
                let members: Vec<String> = c.members.iter().map(|(u, _)| u.clone()).collect();
                let id = c.id.clone();
                if let Some(c) = s.chats.remove(&id) {
                    for m in c.messages {
                        s.index.remove(&m.id);
                    }
                }
                Self::deliver(
                    &s,
                    &members,
                    Some(conn),
                    false,
                    "removeChat",
                    &json!({"chatId": id}),
                );
                ok(json!({}))
            }
            "editChatTitle" => {
                let title = st("title");
                if title.chars().count() > 256 || title.trim().is_empty() {
                    return Err(300);
                }
                let mut s = self.lock();
                let c = member_chat(&s, &st("chatId"), user)?;
                check(c, user, Right::Title)?;
                let (id, members) = (c.id.clone(), member_ids(c));
                if let Some(c) = s.chats.get_mut(&id) {
                    c.title = Some(title.clone());
                }
                self.system_change(
                    &mut s,
                    &id,
                    user,
                    21,
                    json!({"title": title}),
                    &members,
                    conn,
                    ("editChatTitle", json!({"chatId": id, "title": title})),
                )?;
                ok(json!({"chatId": id, "timestamp": now_ms()}))
            }
            "editChatAvatar" => {
                let mut s = self.lock();
                let c = member_chat(&s, &st("chatId"), user)?;
                check(c, user, Right::Icon)?;
                let (id, members) = (c.id.clone(), member_ids(c));
                let t = s.temporal.remove(&st("temporalFileId")).ok_or(308u32)?;
                let fid = file_id();
                s.files.insert(fid.clone(), t.file);
                let url = self.download_url(&fid, false);
                if let Some(c) = s.chats.get_mut(&id) {
                    c.avatar_url = Some(url.clone());
                }
                self.system_change(
                    &mut s,
                    &id,
                    user,
                    22,
                    json!({"avatarUrl": url}),
                    &members,
                    conn,
                    ("editChatAvatar", json!({"chatId": id, "avatarUrl": url})),
                )?;
                ok(json!({}))
            }
            "clearHistory" => {
                let for_all = flag("forAll");
                let mut s = self.lock();
                let c = member_chat(&s, &st("chatId"), user)?;
                check(
                    c,
                    user,
                    if for_all {
                        Right::ClearAll
                    } else {
                        Right::ClearSelf
                    },
                )?;
                let (id, members) = (c.id.clone(), member_ids(c));
                let Some(c) = s.chats.get_mut(&id) else {
                    return Err(304);
                };
                let floor = c.next_box;
                if for_all {
                    let gone: Vec<String> = c.messages.drain(..).map(|m| m.id).collect();
                    c.unread.clear();
                    for g in gone {
                        s.index.remove(&g);
                    }
                    self.system_change(
                        &mut s,
                        &id,
                        user,
                        23,
                        json!({"forAll": true}),
                        &members,
                        conn,
                        ("clearHistory", json!({"chatId": id, "forAll": true})),
                    )?;
                } else {
                    c.cleared_below.insert(user.to_string(), floor);
                    c.unread.remove(user);
                    Self::deliver(
                        &s,
                        &[user.to_string()],
                        Some(conn),
                        false,
                        "clearHistory",
                        &json!({"chatId": id, "forAll": false}),
                    );
                }
                ok(json!({}))
            }
            "addChatParticipant" => {
                let target = self.resolve(&st("userId")).ok_or(399u32)?;
                let mut s = self.lock();
                let c = member_chat(&s, &st("chatId"), user)?;
                check(c, user, Right::AddMembers)?;
                if c.role_of(&target).is_some() {
                    return Err(309);
                }
                let id = c.id.clone();
                let Some(c) = s.chats.get_mut(&id) else {
                    return Err(304);
                };
                c.members.push((target.clone(), 2));
                if !p
                    .get("displayHistory")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                {
                    let floor = c.next_box;
                    c.cleared_below.insert(target.clone(), floor);
                }
                let members = member_ids(c);
                let added = json!({"chatId": id, "userId": target,
                    "addedBy": {"id": user, "type": 1}, "timestamp": now_ms()});
                let record = json!({"userId": target, "role": "user"});
                let event = ("addChatParticipant", added);
                self.system_change(&mut s, &id, user, 1, record, &members, conn, event)?;
                ok(json!({}))
            }
            "removeChatParticipant" => {
                let target = self.resolve(&st("userId")).ok_or(399u32)?;
                let mut s = self.lock();
                let c = member_chat(&s, &st("chatId"), user)?;
                if target != user {
                    check(c, user, Right::RemoveMembers)?;
                }
                if c.kind == 1 {
                    return Err(303);
                }
                if c.role_of(&target).is_none() {
                    return Err(305);
                }
                let id = c.id.clone();
                let members = member_ids(c);
                let rec = Self::append(
                    &mut s,
                    &id,
                    (user.to_string(), 0),
                    2,
                    json!({"userId": target}),
                    None,
                )?;
                self.announce(&s, &id, &rec, Some(conn));
                if let Some(c) = s.chats.get_mut(&id) {
                    c.members.retain(|(u, _)| *u != target);
                    c.unread.remove(&target);
                }
                Self::deliver(
                    &s,
                    &members,
                    Some(conn),
                    false,
                    "removeChatParticipant",
                    &json!({
                    "chatId": id, "userId": target, "removedBy": {"id": user, "type": 1}, "timestamp": now_ms()}),
                );
                ok(json!({}))
            }
            "hasChatParticipant" => {
                let target = self.resolve(&st("userId"));
                let s = self.lock();
                let c = member_chat(&s, &st("chatId"), user)?;
                ok(json!({"result": target.is_some_and(|t| c.role_of(&t).is_some())}))
            }
            "getChatParticipant" => {
                let target = self.resolve(&st("userId")).ok_or(305u32)?;
                let s = self.lock();
                let c = member_chat(&s, &st("chatId"), user)?;
                let role = c.role_of(&target).ok_or(305u32)?;
                ok(json!({"userId": target, "role": ROLE_NAMES[role], "type": 1}))
            }
            "getChatParticipants" => {
                let s = self.lock();
                let c = member_chat(&s, &st("chatId"), user)?;
                let size = num("pageSize").max(1);
                let mut page = num("pageNumber");
                if self.cfg.participants_one_based {
                    page = page.saturating_sub(1);
                }
                let list: Vec<Value> = c
                    .members
                    .iter()
                    .skip((size * page) as usize)
                    .take(size as usize)
                    .map(|(u, r)| json!({"userId": u, "role": ROLE_NAMES[*r]}))
                    .collect();
                ok(json!({"participants": list}))
            }
            "changeParticipantRole" => {
                let target = self.resolve(&st("userId")).ok_or(399u32)?;
                let role = ROLE_NAMES
                    .iter()
                    .position(|r| *r == st("role"))
                    .ok_or(312u32)?;
                let mut s = self.lock();
                let c = member_chat(&s, &st("chatId"), user)?;
                check(c, user, Right::Roles)?;
                if role == 0 {
                    check(c, user, Right::ChangeOwner)?;
                }
                if c.role_of(&target).is_none() {
                    return Err(305);
                }
                let id = c.id.clone();
                let Some(c) = s.chats.get_mut(&id) else {
                    return Err(304);
                };
                for m in c.members.iter_mut() {
                    if m.0 == target {
                        m.1 = role;
                    } else if role == 0 && m.1 == 0 {
                        // One owner: the old one becomes an admin.
                        m.1 = 1;
                    }
                }
                let members = member_ids(c);
                let changed = json!({"chatId": id, "userId": target,
                    "role": ROLE_NAMES[role], "timestamp": now_ms()});
                let record = json!({"userId": target, "role": ROLE_NAMES[role]});
                let event = ("changeParticipantRole", changed);
                self.system_change(&mut s, &id, user, 110, record, &members, conn, event)?;
                ok(json!({}))
            }
            "sendMessage" | "sendSurvey" => {
                let content = p.get("content").cloned().unwrap_or(Value::Null);
                let survey = method == "sendSurvey";
                if !survey {
                    let text = content.get("text").and_then(Value::as_str).ok_or(399u32)?;
                    if text.chars().count() > 4096 {
                        return Err(300);
                    }
                    let mode = content
                        .get("parseMode")
                        .and_then(Value::as_str)
                        .unwrap_or("text");
                    if !matches!(mode, "text" | "markdown" | "html") {
                        return Err(399);
                    }
                } else if content.get("url").and_then(Value::as_str).is_none()
                    || content.get("title").and_then(Value::as_str).is_none()
                {
                    return Err(399);
                }
                let reply = p
                    .get("replyMessageId")
                    .and_then(Value::as_str)
                    .map(String::from);
                let chat_id = st("chatId");
                {
                    let s = self.lock();
                    let c = member_chat(&s, &chat_id, user)?;
                    check(c, user, if survey { Right::Polls } else { Right::Send })?;
                    if let Some(r) = &reply {
                        check(c, user, Right::Reply)?;
                        if !c.messages.iter().any(|m| &m.id == r) {
                            return Err(306);
                        }
                    }
                }
                let id = self.post(
                    user,
                    &chat_id,
                    if survey { 204 } else { 200 },
                    content,
                    reply,
                    Some(conn),
                )?;
                ok(json!({"chatId": chat_id, "messageId": id, "timestamp": self.msg_time(&id)}))
            }
            "editMessage" | "editSurvey" => {
                let content = p.get("content").cloned().unwrap_or(Value::Null);
                if method == "editMessage" && content.get("text").and_then(Value::as_str).is_none()
                {
                    return Err(399);
                }
                let mid = st("messageId");
                let mut s = self.lock();
                let cid = s.index.get(&mid).cloned().ok_or(306u32)?;
                let c = member_chat(&s, &cid, user)?;
                let m = c.visible_to(user).find(|m| m.id == mid).ok_or(306u32)?;
                let want = if method == "editMessage" { 200 } else { 204 };
                if m.author.0 != user || m.kind != want {
                    return Err(303);
                }
                check(c, user, Right::EditOwn)?;
                let members = member_ids(c);
                let ts = now_ms();
                let Some(m) = s
                    .chats
                    .get_mut(&cid)
                    .and_then(|c| c.messages.iter_mut().rev().find(|m| m.id == mid))
                else {
                    return Err(306);
                };
                if want == 204 {
                    if let (Value::Object(old), Value::Object(new)) = (&mut m.content, content) {
                        old.extend(new);
                    }
                } else {
                    m.content = content;
                }
                m.edited = true;
                // An edit never predates its message (whose time may run ahead of the clock
                // to keep a chat's times strictly rising).
                let ts = ts.max(m.timestamp);
                let payload =
                    json!({"chatId": cid, "messageId": mid, "timestamp": ts, "content": m.content});
                Self::deliver(&s, &members, Some(conn), false, "editMessage", &payload);
                ok(json!({"messageId": mid, "timestamp": ts}))
            }
            "forwardMessage" => {
                let (target, mid) = (st("chatId"), st("messageId"));
                let content = {
                    let s = self.lock();
                    let cid = s.index.get(&mid).cloned().ok_or(306u32)?;
                    let src = member_chat(&s, &cid, user).map_err(|_| 306u32)?;
                    let m = src.visible_to(user).find(|m| m.id == mid).ok_or(306u32)?;
                    if m.kind < 200 {
                        return Err(306);
                    }
                    let mut env = Self::envelope(src, m, user, false, 1);
                    if let Value::Object(o) = &mut env {
                        o.remove("box");
                        o.remove("replyMessage");
                    }
                    let dst = member_chat(&s, &target, user)?;
                    check(dst, user, Right::Forward)?;
                    env
                };
                let id = self.post(user, &target, 201, content, None, Some(conn))?;
                ok(json!({"chatId": target, "messageId": id, "timestamp": self.msg_time(&id)}))
            }
            "getMessageById" => {
                let mid = st("messageId");
                let s = self.lock();
                let cid = s.index.get(&mid).ok_or(306u32)?;
                let c = member_chat(&s, cid, user).map_err(|_| 306u32)?;
                let m = c.visible_to(user).find(|m| m.id == mid).ok_or(306u32)?;
                ok(Self::envelope(c, m, user, false, 0))
            }
            "getChatHistory" => {
                let count = num("count");
                if count == 0 {
                    return Err(399);
                }
                let from = p
                    .get("fromMessageId")
                    .and_then(Value::as_str)
                    .map(String::from);
                let mut s = self.lock();
                let c = member_chat(&s, &st("chatId"), user)?;
                let visible: Vec<&Msg> = c.visible_to(user).collect();
                let end = match &from {
                    Some(f) => visible.iter().position(|m| &m.id == f).ok_or(306u32)?,
                    None => visible.len(),
                };
                let mut out = Vec::new();
                let mut bytes = 0usize;
                for m in visible[..end].iter().rev().take(count as usize) {
                    let e = Self::envelope(c, m, user, false, 0);
                    bytes += e.to_string().len();
                    // Stay well under the 1 MiB frame py-bot accepts.
                    if bytes > 900 * 1024 && !out.is_empty() {
                        break;
                    }
                    out.push(e);
                }
                let id = c.id.clone();
                if let Some(c) = s.chats.get_mut(&id) {
                    c.unread.remove(user);
                }
                ok(json!({"chatId": id, "count": out.len(), "messages": out}))
            }
            "removeMessage" => {
                let (mid, for_all) = (st("messageId"), flag("forAll"));
                let mut s = self.lock();
                let cid = s.index.get(&mid).cloned().ok_or(306u32)?;
                let c = member_chat(&s, &cid, user)?;
                let m = c.visible_to(user).find(|m| m.id == mid).ok_or(306u32)?;
                let own = m.author.0 == user;
                check(
                    c,
                    user,
                    match (own, for_all) {
                        (true, false) => Right::DeleteOwnSelf,
                        (true, true) => Right::DeleteOwnAll,
                        (false, false) => Right::DeleteOthersSelf,
                        (false, true) => Right::DeleteOthersAll,
                    },
                )?;
                let members = member_ids(c);
                let Some(c) = s.chats.get_mut(&cid) else {
                    return Err(304);
                };
                let payload =
                    json!({"chatId": cid, "messageId": mid, "removedBy": {"id": user, "type": 1}});
                if for_all {
                    c.messages.retain(|m| m.id != mid);
                    s.index.remove(&mid);
                    Self::deliver(&s, &members, Some(conn), false, "removeMessage", &payload);
                } else {
                    if let Some(m) = c.messages.iter_mut().rev().find(|m| m.id == mid) {
                        m.hidden_for.insert(user.to_string());
                    }
                    Self::deliver(
                        &s,
                        &[user.to_string()],
                        Some(conn),
                        false,
                        "removeMessage",
                        &payload,
                    );
                }
                ok(json!({}))
            }
            "uploadFile" => {
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
            "sendFile" => {
                let chat_id = st("chatId");
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
            "getFileInfo" => {
                let fid = st("fileId");
                let s = self.lock();
                let f = s.files.get(&fid).ok_or(308u32)?;
                ok(self.file_info(&fid, f))
            }
            "subscribeFileProgress" => {
                let fid = st("fileId");
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
            "unsubscribeFileProgress" => {
                let fid = st("fileId");
                let mut s = self.lock();
                if !s.files.contains_key(&fid) {
                    return Err(308);
                }
                if let Some(set) = s.progress_subs.get_mut(&fid) {
                    set.remove(&conn);
                }
                ok(json!({"result": true}))
            }
            "getFileUploadLimits" => ok(self.limits()),
            "sendChatActivity" => {
                let kind = st("activityType");
                if !matches!(
                    kind.as_str(),
                    "typing" | "choosing_sticker" | "uploading_file"
                ) {
                    return Err(399);
                }
                let s = self.lock();
                let c = member_chat(&s, &st("chatId"), user)?;
                check(c, user, Right::Send)?;
                ok(json!({"chatId": c.id, "activityType": kind, "retryAfter": 5000}))
            }
            _ => Err(307),
        }
    }

    /// A change that leaves a system record (envelope type `kind`) and tells the other
    /// members with `event`: the record is stored, the event pushed, the record announced.
    #[allow(clippy::too_many_arguments)]
    fn system_change(
        &self,
        s: &mut ChatState,
        chat_id: &str,
        user: &str,
        kind: i64,
        record: Value,
        members: &[String],
        conn: u64,
        event: (&str, Value),
    ) -> Result<(), u32> {
        let rec = Self::append(s, chat_id, (user.to_string(), 0), kind, record, None)?;
        Self::deliver(s, members, Some(conn), false, event.0, &event.1);
        self.announce(s, chat_id, &rec, Some(conn));
        Ok(())
    }

    fn msg_time(&self, id: &str) -> u64 {
        let s = self.lock();
        s.index
            .get(id)
            .and_then(|c| s.chats.get(c))
            .and_then(|c| c.messages.iter().rev().find(|m| m.id == id))
            .map(|m| m.timestamp)
            .unwrap_or_else(now_ms)
    }
}

fn new_chat(id: &str, kind: i64, title: Option<String>, members: Vec<(String, usize)>) -> SimChat {
    SimChat {
        id: id.to_string(),
        kind,
        title,
        members,
        messages: Vec::new(),
        next_box: 0,
        avatar_url: None,
        unread: HashMap::new(),
        cleared_below: HashMap::new(),
        last_activity: now_ms(),
    }
}

fn member_ids(c: &SimChat) -> Vec<String> {
    c.members.iter().map(|(u, _)| u.clone()).collect()
}

fn member_chat<'a>(s: &'a ChatState, id: &str, user: &str) -> Result<&'a SimChat, u32> {
    let c = s.chats.get(id).ok_or(304u32)?;
    if c.role_of(user).is_none() {
        return Err(305);
    }
    Ok(c)
}

fn check(c: &SimChat, user: &str, right: Right) -> Result<(), u32> {
    let role = c.role_of(user).ok_or(305u32)?;
    if allowed(c.kind, role, right) {
        Ok(())
    } else {
        Err(303)
    }
}

const PHRASES: &[&str] = &[
    "Morning! Is the meeting room free at ten?",
    "I've updated the slides for Thursday.",
    "Can someone check the camera in room 3?",
    "The new build is on the server.",
    "Lunch at the usual place?",
    "Notes from the call are in the shared folder.",
    "I'll be five minutes late.",
    "Does anyone have the Wi-Fi password for guests?",
    "The microphone array needs a firmware update.",
    "Thanks, that fixed it.",
    "Let's move the review to Friday.",
    "Who's presenting the quarterly numbers?",
];

/// Fills the state with the world's chats and their generated history.
fn seed_world(w: &World, s: &mut ChatState, addr: SocketAddr) {
    let full = |id: &str| {
        w.user(id)
            .map(|u| w.full_id(u))
            .unwrap_or_else(|| format!("{id}@{}", w.server))
    };
    let mut forward_source: Option<(String, String)> = None;
    for seed in &w.chats {
        let ChatSeed {
            kind,
            title,
            owner,
            members,
            writers,
            admins,
            history,
            unread,
        } = seed;
        let (code, owner_role) = match kind.as_str() {
            "p2p" => (1, 2),
            "channel" => (6, 0),
            "favorites" => (5, 5),
            _ => (2, 0),
        };
        let mut list = vec![(full(owner), owner_role)];
        for a in admins {
            list.push((full(a), 1));
        }
        for wtr in writers {
            list.push((full(wtr), 6));
        }
        for m in members {
            list.push((full(m), 2));
        }
        let id = chat_id();
        let title = match code {
            5 => Some(title.clone().unwrap_or_else(|| "Favorites".into())),
            1 => None,
            _ => title.clone(),
        };
        let mut chat = new_chat(&id, code, title, list.clone());
        let start = now_ms().saturating_sub(*history as u64 * 37 * 60 * 1000 + 3_600_000);
        let mut boxn = 0u64;
        let mut push = |chat: &mut SimChat,
                        author: (String, i64),
                        kind: i64,
                        content: Value,
                        reply: Option<String>| {
            let mid = new_id();
            let ts = start + boxn * 37 * 60 * 1000;
            chat.messages.push(Msg {
                id: mid.clone(),
                box_id: boxn,
                position: String::new(),
                timestamp: ts,
                author,
                kind,
                content,
                reply_to: reply,
                edited: false,
                hidden_for: HashSet::new(),
            });
            chat.last_activity = ts;
            boxn += 1;
            mid
        };
        if code == 2 || code == 6 {
            push(
                &mut chat,
                (list[0].0.clone(), 0),
                110,
                json!({"userId": list[0].0, "role": "owner"}),
                None,
            );
            for (u, r) in list.iter().skip(1) {
                push(
                    &mut chat,
                    (list[0].0.clone(), 0),
                    1,
                    json!({"userId": u, "role": ROLE_NAMES[*r]}),
                    None,
                );
            }
        }
        // Authors who may post here.
        let posters: Vec<String> = list
            .iter()
            .filter(|(_, r)| code != 6 || matches!(r, 0 | 1 | 6))
            .map(|(u, _)| u.clone())
            .collect();
        let mut last_text: Option<String> = None;
        for i in 0..*history {
            let author = posters[i % posters.len()].clone();
            let phrase = PHRASES[(i * 7 + id.len()) % PHRASES.len()];
            let (kind, content, reply) = match i % 41 {
                5 => (
                    200,
                    json!({"text": format!("**Agenda** for _today_:\n1. ~~old item~~ done\n2. [the plan](https://video.example.com/plan) — {phrase}"), "parseMode": "markdown"}),
                    None,
                ),
                11 => (
                    200,
                    json!({"text": format!("<b>Heads-up:</b> <i>{phrase}</i> <u>please read</u> <a href=\"https://video.example.com/wiki\">wiki</a>"), "parseMode": "html"}),
                    None,
                ),
                17 => (
                    200,
                    json!({"text": format!("Re: {phrase}"), "parseMode": "text"}),
                    last_text.clone(),
                ),
                23 => {
                    let fid = file_id();
                    let bytes =
                        Bytes::from(format!("Minutes of meeting {i}\n{phrase}\n").repeat(40));
                    let size = bytes.len();
                    s.files.insert(
                        fid.clone(),
                        SimFile {
                            name: format!("minutes-{i}.txt"),
                            mime: "text/plain".into(),
                            bytes,
                            preview: None,
                            ready_at: None,
                        },
                    );
                    (
                        202,
                        json!({"name": format!("minutes-{i}.txt"), "mimeType": "text/plain", "size": size, "fileId": fid, "readyState": 2}),
                        None,
                    )
                }
                29 if code != 1 => (
                    204,
                    json!({"url": format!("https://{}/webtools/survey", w.server), "appVersion": 1, "path": "q4-feedback", "title": "Q4 feedback",
                    "description": "{{Survey}}", "buttonText": "{{Go to survey}}", "secret": "5f1d7c1e0b7a4e3d9c2b1a0f9e8d7c6b5a493827",
                    "alt": format!("📊 <a href='https://{}/webtools/survey?id=q4-feedback&error=autologin_not_supported'>Q4 feedback</a>", w.server)}),
                    None,
                ),
                35 => match &forward_source {
                    Some((_, env_text)) => (
                        201,
                        json!({"messageId": new_id(), "chatId": "", "timestamp": start, "author": {"id": full(owner), "type": 1},
                        "isEdited": false, "type": 200, "content": {"text": env_text, "parseMode": "text"}, "replyMessageId": null}),
                        None,
                    ),
                    None => (200, json!({"text": phrase, "parseMode": "text"}), None),
                },
                _ => (200, json!({"text": phrase, "parseMode": "text"}), None),
            };
            let mid = push(&mut chat, (author, 1), kind, content, reply);
            if kind == 200 {
                last_text = Some(mid.clone());
                if forward_source.is_none() {
                    forward_source = Some((id.clone(), phrase.to_string()));
                }
            }
            if i % 41 == 3
                && let Some(m) = chat.messages.last_mut()
            {
                m.edited = true;
            }
        }
        // Forwarded content carries the chat object of where it came from.
        let src_chat = forward_source.as_ref().map(|(c, _)| c.clone());
        for m in chat.messages.iter_mut().filter(|m| m.kind == 201) {
            if let Some(src) = &src_chat {
                m.content["chatId"] = json!(src);
                m.content["chat"] = json!({"chatId": src, "chatTitle": null, "chatType": 1});
            }
        }
        chat.next_box = boxn;
        let n = chat.messages.len();
        for m in chat.messages[n.saturating_sub(*unread)..].iter() {
            for (u, _) in &list {
                if *u != m.author.0 && m.kind >= 200 {
                    *chat.unread.entry(u.clone()).or_default() += 1;
                }
            }
        }
        for m in &chat.messages {
            s.index.insert(m.id.clone(), id.clone());
        }
        s.chats.insert(id, chat);
    }
    let _ = addr;
}

// ---------------------------------------------------------------------------------------------
// HTTP

fn json_response(status: StatusCode, v: Value) -> Response {
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

/// A JWT-shaped token: `<b64url header>.<b64url claims with exp>.<signature>` (py-bot checks
/// the shape and `exp`; nobody checks the signature).
fn issue_token(user: &str, exp: u64) -> String {
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

fn upload_error(status: StatusCode, code: u32, desc: &str) -> Response {
    json_response(status, json!({"error": code, "error_description": desc}))
}

async fn upload(
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
struct FileQuery {
    file_id: Option<String>,
}

async fn download(State(inner): State<Arc<Inner>>, Query(q): Query<FileQuery>) -> Response {
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

async fn preview(State(inner): State<Arc<Inner>>, Query(q): Query<FileQuery>) -> Response {
    let f = q
        .file_id
        .and_then(|id| inner.lock().files.get(&id).cloned());
    match f.and_then(|f| f.preview) {
        Some((_, mime, b)) => (StatusCode::OK, [(header::CONTENT_TYPE, mime)], b).into_response(),
        None => (StatusCode::NOT_FOUND, "no preview").into_response(),
    }
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
    // Echo json.v1 when offered; accept clients that offer nothing (seed §2).
    ws.protocols(["json.v1"])
        .max_message_size(16 * 1024 * 1024)
        .on_upgrade(move |socket| connection(inner, socket))
}

/// One client connection.
async fn connection(inner: Arc<Inner>, socket: WebSocket) {
    let (mut tx, mut rx) = socket.split();
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Out>();
    let mut kick = inner.kick.subscribe();
    kick.mark_unchanged();
    let mut hold = inner.hold.subscribe();
    let conn_id = {
        let mut s = inner.lock();
        let id = s.next_conn;
        s.next_conn += 1;
        id
    };
    let mut user: Option<String> = None;
    let mut max_client_id: Option<u64> = None;
    let mut next_server_id: u64 = 1;
    // Unacknowledged server requests, oldest first.
    let mut unacked: std::collections::VecDeque<(u64, tokio::time::Instant)> = Default::default();
    let mut ping = tokio::time::interval(inner.cfg.ping_interval);
    ping.tick().await;
    let mut last_pong = tokio::time::Instant::now();
    let ack_timeout = inner.cfg.ack_timeout;
    let reason: &str = loop {
        let ack_deadline = unacked.front().map(|(_, t)| *t + ack_timeout);
        tokio::select! {
            msg = rx.next() => {
                let text = match msg {
                    Some(Ok(Message::Text(t))) => t.to_string(),
                    Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                    Some(Ok(Message::Pong(_))) => { last_pong = tokio::time::Instant::now(); continue }
                    Some(Ok(Message::Ping(_))) => continue,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break "closed",
                };
                let mut replies: Vec<String> = Vec::new();
                let mut pushes: Vec<(String, Value)> = Vec::new();
                match Frame::decode(&text) {
                    Err(_) => {
                        // Unreadable: answer under the id if there is one.
                        if let Some(id) = serde_json::from_str::<Value>(&text).ok().and_then(|v| v.get("id").and_then(Value::as_u64)) {
                            replies.push(Frame::Response { id, payload: Some(json!({"errorCode": 399})) }.encode());
                        }
                    }
                    Ok(Frame::Response { id, .. }) => {
                        // Acks come in order almost always: the front first.
                        if unacked.front().is_some_and(|(u, _)| *u == id) {
                            unacked.pop_front();
                        } else {
                            unacked.retain(|(u, _)| *u != id);
                        }
                    }
                    Ok(Frame::Request { id, method, payload }) => {
                        let err = |code: u32| Frame::Response { id, payload: Some(json!({"errorCode": code})) }.encode();
                        if max_client_id.is_some_and(|m| id <= m) {
                            replies.push(err(2));
                        } else {
                            max_client_id = Some(id);
                            let p = match payload {
                                Some(Value::Object(o)) => Some(o),
                                None => Some(Map::new()),
                                Some(_) => None,
                            };
                            match (&user, method.as_str(), p) {
                                (_, _, None) => replies.push(err(399)),
                                (None, "auth", Some(p)) => match authorize(&inner, &p) {
                                    Ok((full, reply)) => {
                                        let system = p.get("receiveSystemMessageEnvelopes").and_then(Value::as_bool).unwrap_or(false);
                                        let unread = p.get("receiveUnread").and_then(Value::as_bool).unwrap_or(false);
                                        replies.push(Frame::Response { id, payload: Some(reply) }.encode());
                                        pushes.push(("getFileUploadLimits".into(), inner.limits()));
                                        let mut s = inner.lock();
                                        s.conns.insert(conn_id, Conn { user: full.clone(), system, tx: out_tx.clone() });
                                        if unread {
                                            for c in s.chats.values().filter(|c| c.role_of(&full).is_some()) {
                                                let n = c.unread.get(&full).copied().unwrap_or(0) as usize;
                                                let vis: Vec<&Msg> = c.visible_to(&full).filter(|m| m.kind >= 200).collect();
                                                for m in &vis[vis.len().saturating_sub(n)..] {
                                                    pushes.push(("sendMessage".into(), Inner::envelope(c, m, &full, false, 0)));
                                                }
                                            }
                                        }
                                        drop(s);
                                        user = Some(full);
                                        inner.connections.send_modify(|n| *n += 1);
                                    }
                                    Err(code) => replies.push(err(code)),
                                },
                                (Some(_), "auth", _) => replies.push(err(2)),
                                (None, _, _) => replies.push(err(200)),
                                (Some(u), m, Some(p)) => match inner.command(conn_id, u, m, &p) {
                                    Ok((reply, after)) => {
                                        replies.push(Frame::Response { id, payload: Some(reply) }.encode());
                                        pushes.extend(after);
                                    }
                                    Err(code) => replies.push(err(code)),
                                },
                            }
                        }
                    }
                }
                let mut failed = false;
                for r in replies {
                    if tx.send(Message::Text(r.into())).await.is_err() {
                        failed = true;
                    }
                }
                for (method, payload) in pushes {
                    let id = next_server_id;
                    next_server_id += 1;
                    unacked.push_back((id, tokio::time::Instant::now()));
                    let f = Frame::Request { id, method, payload: Some(payload) }.encode();
                    if tx.send(Message::Text(f.into())).await.is_err() {
                        failed = true;
                    }
                }
                if failed {
                    break "send failed";
                }
            }
            _ = hold.changed() => continue,
            out = out_rx.recv(), if !*hold.borrow() => {
                let Some(first) = out else { break "closed by the server" };
                // Write what is queued (up to a bound) and flush once.
                let mut batch = vec![first];
                while batch.len() < 256 {
                    match out_rx.try_recv() {
                        Ok(o) => batch.push(o),
                        Err(_) => break,
                    }
                }
                let mut failed = false;
                for Out::Push { method, payload } in batch {
                    let id = next_server_id;
                    next_server_id += 1;
                    unacked.push_back((id, tokio::time::Instant::now()));
                    let f = format!(r#"{{"method":{},"type":1,"id":{id},"payload":{payload}}}"#, Value::String(method));
                    if tx.feed(Message::Text(f.into())).await.is_err() {
                        failed = true;
                        break;
                    }
                }
                if failed || tx.flush().await.is_err() {
                    break "send failed";
                }
            },
            _ = ping.tick() => {
                if last_pong.elapsed() > inner.cfg.pong_timeout + inner.cfg.ping_interval {
                    break "no pong";
                }
                if tx.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break "send failed";
                }
            }
            _ = async { match ack_deadline { Some(d) => tokio::time::sleep_until(d).await, None => std::future::pending().await } } => {
                break "a server request was not acknowledged in time";
            }
            _ = kick.changed() => break "dropped",
        }
    };
    tracing::debug!(target: "trueconf_console::sim", "chat connection {conn_id} ends: {reason}");
    let _ = tx
        .send(Message::Close(Some(axum::extract::ws::CloseFrame {
            code: 1000,
            reason: reason.into(),
        })))
        .await;
    let mut s = inner.lock();
    s.conns.remove(&conn_id);
    for subs in s.progress_subs.values_mut() {
        subs.remove(&conn_id);
    }
    drop(s);
    if user.is_some() {
        inner.connections.send_modify(|n| *n -= 1);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_follow_the_matrices() {
        // Group: a user may send but not add members; an admin may.
        assert!(allowed(2, 2, Right::Send));
        assert!(!allowed(2, 2, Right::AddMembers));
        assert!(allowed(2, 1, Right::AddMembers));
        // Channel: a plain user may not post; a writer may, and may delete own for all only.
        assert!(!allowed(6, 2, Right::Send));
        assert!(allowed(6, 6, Right::Send));
        assert!(allowed(6, 6, Right::DeleteOwnAll));
        assert!(!allowed(6, 6, Right::DeleteOwnSelf));
        // P2P: messaging yes, membership no.
        assert!(allowed(1, 2, Right::DeleteOthersAll));
        assert!(!allowed(1, 2, Right::AddMembers));
        // Only the owner hands over ownership.
        assert!(!allowed(2, 1, Right::ChangeOwner));
    }

    #[test]
    fn issued_tokens_look_like_jwts_with_exp() {
        let t = issue_token("op@srv", 4_000_000_000);
        assert_eq!(t.split('.').count(), 3);
        assert_eq!(crate::chat::auth::jwt_exp(&t), Some(4_000_000_000));
    }
}
