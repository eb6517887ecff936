//! The chat server's state: chats with their members and messages, files, upload tasks, tokens
//! and open connections; the helpers that read it.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use serde_json::Value;
use tokio::sync::{mpsc, watch};

use super::ChatSimConfig;
use crate::sim::net;

#[derive(Debug, Clone)]
pub(super) struct Msg {
    pub id: String,
    pub box_id: u64,
    pub position: String,
    pub timestamp: u64,
    /// (id, type 0 system | 1 user)
    pub author: (String, i64),
    pub kind: i64,
    pub content: Value,
    pub reply_to: Option<String>,
    pub edited: bool,
    /// Users who removed it for themselves.
    pub hidden_for: HashSet<String>,
}

#[derive(Debug)]
pub(super) struct SimChat {
    pub id: String,
    pub kind: i64,
    pub title: Option<String>,
    /// (user, role index), in joining order.
    pub members: Vec<(String, usize)>,
    pub messages: Vec<Msg>,
    pub next_box: u64,
    pub avatar_url: Option<String>,
    pub unread: HashMap<String, u64>,
    /// Per user: messages with a box below this are cleared for them.
    pub cleared_below: HashMap<String, u64>,
    pub last_activity: u64,
}

impl SimChat {
    pub(super) fn role_of(&self, user: &str) -> Option<usize> {
        self.members
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, r)| *r)
    }
    pub(super) fn visible_to<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a Msg> + 'a {
        let floor = self.cleared_below.get(user).copied().unwrap_or(0);
        self.messages
            .iter()
            .filter(move |m| m.box_id >= floor && !m.hidden_for.contains(user))
    }
    /// A p2p chat's title is the other side's id, for each side.
    pub(super) fn title_for(&self, viewer: &str) -> Option<String> {
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
pub(super) struct SimFile {
    pub name: String,
    pub mime: String,
    pub bytes: Bytes,
    pub preview: Option<(String, String, Bytes)>,
    /// UPLOADING until then.
    pub ready_at: Option<Instant>,
}

pub(super) struct UploadTask {
    pub user: String,
    pub size: u64,
    pub name: Option<String>,
    pub mime: Option<String>,
}

pub(super) struct Temporal {
    pub user: String,
    pub file: SimFile,
}

/// What a connection task is told to send.
pub(super) enum Out {
    Push { method: String, payload: String },
}

pub(super) struct Conn {
    pub user: String,
    pub system: bool,
    /// The connection's outgoing queue (`ChatSimConfig::max_queued` long).
    pub tx: mpsc::Sender<Out>,
    /// Told when `tx` is full: the connection closes.
    pub overflow: std::sync::Arc<tokio::sync::Notify>,
}

impl Conn {
    /// Queues a push; a full queue closes the connection (its client stopped reading).
    pub(super) fn push(&self, out: Out, peak: &AtomicUsize) {
        match self.tx.try_send(out) {
            Ok(()) => {
                let len = self.tx.max_capacity() - self.tx.capacity();
                peak.fetch_max(len, Ordering::Relaxed);
            }
            Err(mpsc::error::TrySendError::Full(_)) => self.overflow.notify_one(),
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }
}

pub(super) struct ChatState {
    /// token → (user, exp in Unix seconds)
    pub tokens: HashMap<String, (String, u64)>,
    pub chats: HashMap<String, SimChat>,
    /// message id → chat id
    pub index: HashMap<String, String>,
    pub files: HashMap<String, SimFile>,
    pub tasks: HashMap<String, UploadTask>,
    pub temporal: HashMap<String, Temporal>,
    pub conns: HashMap<u64, Conn>,
    pub next_conn: u64,
    /// file id → connections subscribed to its progress
    pub progress_subs: HashMap<String, HashSet<u64>>,
    /// The longest any connection's outgoing queue has been.
    pub queue_peak: AtomicUsize,
    /// Extra users: (short id, password, display name)
    pub extra: Vec<(String, String)>,
}

pub(super) struct Inner {
    pub cfg: ChatSimConfig,
    pub addr: SocketAddr,
    pub state: Mutex<ChatState>,
    pub kick: watch::Sender<u64>,
    pub connections: watch::Sender<usize>,
    pub shutdown: watch::Sender<bool>,
    /// While true, pushes queue up instead of going out (benchmarks time the delivery alone).
    pub hold: watch::Sender<bool>,
    /// While true, the server is "down": OAuth and the WebSocket answer 503.
    pub offline: std::sync::atomic::AtomicBool,
    /// The next request of this method is cut: every connection is dropped instead of its
    /// answer, after carrying it out (true) or before (false). For tests.
    pub cut_next: Mutex<Option<(String, bool)>>,
    /// The freeze switch under every socket (`ChatSim::set_frozen`).
    pub freeze: std::sync::Arc<net::Freeze>,
}

pub(super) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

pub(super) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub(super) fn chat_id() -> String {
    format!(
        "{:032x}{:08x}",
        rand::random::<u128>(),
        rand::random::<u32>()
    )
}

pub(super) fn file_id() -> String {
    format!(
        "{:032x}{:08x}",
        rand::random::<u128>(),
        rand::random::<u32>()
    )
}

impl Inner {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, ChatState> {
        net::lock(&self.state)
    }

    /// `alice`, `alice@server`, `DOMAIN\alice`, `alice@server/x` → `alice@server`.
    pub(super) fn resolve(&self, id: &str) -> Option<String> {
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

    pub(super) fn password_ok(&self, user: &str, password: &str) -> Option<String> {
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

    pub(super) fn display_name(&self, full: &str) -> Option<String> {
        match self.cfg.world.user(full) {
            Some(u) => Some(u.name.clone()),
            None => self
                .resolve(full)
                .map(|f| f.split('@').next().unwrap_or_default().to_string()),
        }
    }
}

pub(super) fn new_chat(
    id: &str,
    kind: i64,
    title: Option<String>,
    members: Vec<(String, usize)>,
) -> SimChat {
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

pub(super) fn member_ids(c: &SimChat) -> Vec<String> {
    c.members.iter().map(|(u, _)| u.clone()).collect()
}
