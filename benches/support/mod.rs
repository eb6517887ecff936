//! What the benches share: where the Python virtual environment is, a console model with a big
//! chat open, the messages it holds, medians and percentiles, resident memory. Each bench
//! includes this file (`#[path] mod support`) and uses part of it.
#![allow(dead_code)]

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};
use trueconf_console::app::{Model, Msg, Pane, update};
use trueconf_console::chat::ChatLinkEvent;
use trueconf_console::chat::types::{Chat, Envelope};
use trueconf_console::config::Config;
use trueconf_console::link::LinkStatus;

/// The Python virtual environment the interop scripts make: `TRUECONF_PY_VENV`, else
/// `py-venv` in the cargo target directory (`CARGO_TARGET_DIR` when set, else `target/`).
pub fn py_venv() -> String {
    if let Ok(v) = std::env::var("TRUECONF_PY_VENV") {
        return v;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    match std::env::var("CARGO_TARGET_DIR") {
        Ok(t) if !t.is_empty() => {
            let t = std::path::Path::new(&t);
            let t = if t.is_absolute() {
                t.to_path_buf()
            } else {
                std::path::Path::new(root).join(t)
            };
            format!("{}/py-venv", t.display())
        }
        _ => format!("{root}/target/py-venv"),
    }
}

/// The median of `v` (sorted in place).
pub fn median(v: &mut [Duration]) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

/// The `q` quantile of sorted `v` (nearest rank below).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((q * sorted.len() as f64) as usize).min(sorted.len() - 1)]
}

pub fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// An environment variable set to a non-empty value other than `0`.
pub fn env_on(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

const TEXTS: &[&str] = &[
    "Morning! Is the meeting room free at ten?",
    "Can someone check the camera in room 3?",
    "**Agenda** for today: see [the plan](https://video.example.com/plan) and the _notes_",
    "Thanks, that fixed it.",
    "I've updated the slides for Thursday. The microphone array needs a firmware update before the quarterly review, so please keep the room free on Friday afternoon.",
    "ok",
];

/// Message `i` of a chat's history as the server sends it (timestamps, and box ids with
/// `boxes`, grow with `i`). Without `boxes` every message is in box 0, ordered by its
/// timestamp alone: older than anything a simulator posts later, whose box ids start at 1.
pub fn message_json(chat: &str, i: u64, boxes: bool) -> Value {
    let author = ["alice", "bob", "dave", "operator"][(i % 4) as usize];
    json!({"messageId": format!("{:032x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        "chatId": chat, "timestamp": 1_700_000_000_000u64 + i * 37_000, "type": 200,
        "author": {"id": format!("{author}@video.example.com"), "type": 1},
        "box": {"id": if boxes { i } else { 0 }, "position": ""}, "isEdited": i.is_multiple_of(50),
        "content": {"text": TEXTS[(i % TEXTS.len() as u64) as usize],
            "parseMode": if i.is_multiple_of(3) { "markdown" } else { "text" }}})
}

/// One page of history as the server sends it: a response frame, messages `from..from+n`,
/// newest first.
pub fn page_json(id: u64, chat: &str, from: u64, n: u64, boxes: bool) -> String {
    let messages: Vec<Value> = (from..from + n)
        .rev()
        .map(|i| message_json(chat, i, boxes))
        .collect();
    json!({"type": 2, "id": id, "payload": {"chatId": chat, "count": n, "messages": messages}})
        .to_string()
}

/// The messages of one page, parsed from its JSON text as the link does.
pub fn parse_page(text: &str) -> Vec<Envelope> {
    let v: Value = serde_json::from_str(text).unwrap();
    v["payload"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Envelope::from_value)
        .collect()
}

/// History `from..to` of `chat`, newest first, parsed page by page from JSON text; with the
/// JSON's total size.
pub fn history(chat: &str, from: u64, to: u64, boxes: bool) -> (Vec<Envelope>, usize) {
    const PAGE: u64 = 100;
    let mut out = Vec::with_capacity((to - from) as usize);
    let mut bytes = 0;
    let mut hi = to;
    while hi > from {
        let lo = hi.saturating_sub(PAGE).max(from);
        let text = page_json(2, chat, lo, hi - lo, boxes);
        bytes += text.len();
        out.extend(parse_page(&text));
        hi = lo;
    }
    (out, bytes)
}

/// The demo console at 160x48, the chat link up, a chat list of one chat (`chat`) opened
/// with Enter, its history not yet loaded; the history pane focused.
pub fn model_with_open_chat(chat: &str) -> Model {
    let mut m = Model::demo(&Config::default(), (160, 48), false);
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    open_chat(&mut m, chat);
    m
}

/// A chat list of one chat, `chat`, read and the chat opened with Enter (its history asked
/// for, not yet there).
pub fn open_chat(m: &mut Model, chat: &str) {
    let c = Chat::from_value(&json!({"chatId": chat, "title": "Big", "chatType": 2})).unwrap();
    update(m, Msg::ChatsLoaded(Ok(vec![c])));
    m.ui.focus = Pane::Chats;
    update(m, key(KeyCode::Enter));
    assert_eq!(
        m.chat.open.as_ref().map(|o| o.chat_id.as_str()),
        Some(chat),
        "the chat is open"
    );
}

/// `n` messages of the open chat loaded in one answer (newest first), parsed from JSON pages
/// first; the history pane focused. `boxes`: see [`message_json`]. The JSON's size.
pub fn load_history(m: &mut Model, chat: &str, n: u64, boxes: bool) -> usize {
    let (page, bytes) = history(chat, 0, n, boxes);
    update(
        m,
        Msg::HistoryLoaded {
            chat_id: chat.into(),
            before: None,
            result: Ok(page),
        },
    );
    // The open chat holds a window of the newest (`app::WINDOW`), whatever was loaded.
    let held = m.chat.open.as_ref().unwrap().messages.len() as u64;
    assert!(
        held >= n.min(trueconf_console::app::WINDOW as u64),
        "{held} held"
    );
    m.ui.focus = Pane::History;
    bytes
}

/// The id of message `i` of a chat made by [`message_json`].
pub fn message_id(i: u64) -> String {
    format!("{:032x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// A chat of `n` messages opened and read up to message `at` the way holding PageUp does: its
/// newest page, then each page before the oldest held with the cursor on the oldest held
/// (the window letting go of the newer end as it goes), parsed from JSON one page at a time;
/// the cursor then on message `at`. `boxes`: see [`message_json`].
pub fn model_at(chat: &str, n: u64, at: u64, boxes: bool) -> Model {
    let mut m = model_with_open_chat(chat);
    let mut lo = n.saturating_sub(100);
    let page = parse_page(&page_json(2, chat, lo, n - lo, boxes));
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: chat.into(),
            before: None,
            result: Ok(page),
        },
    );
    while lo > at {
        let first = message_id(lo);
        m.chat.open.as_mut().unwrap().selected = Some(first.clone());
        let from = lo.saturating_sub(100);
        let page = parse_page(&page_json(2, chat, from, lo - from, boxes));
        update(
            &mut m,
            Msg::HistoryLoaded {
                chat_id: chat.into(),
                before: Some(first),
                result: Ok(page),
            },
        );
        lo = from;
    }
    let o = m.chat.open.as_mut().unwrap();
    let id = message_id(at);
    assert!(o.messages.contains(&id), "message {at} held");
    o.selected = Some(id);
    m.ui.focus = Pane::History;
    m
}

/// [`model_with_open_chat`] with `n` messages loaded, the history pane focused.
pub fn model_with_history(chat: &str, n: u64, boxes: bool) -> Model {
    let mut m = model_with_open_chat(chat);
    load_history(&mut m, chat, n, boxes);
    m
}

/// This process's resident set and its peak, in bytes (`VmRSS`, `VmHWM`).
pub fn rss() -> (u64, u64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb = |name: &str| -> u64 {
        s.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
            * 1024
    };
    (kb("VmRSS:"), kb("VmHWM:"))
}

/// A small seeded generator (SplitMix64): the same schedule on every run and for both sides.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}
