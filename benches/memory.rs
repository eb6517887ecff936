//! Memory held by the console after loading a 100,000-message chat, against the size of the
//! JSON those messages arrived as. A counting allocator measures the live heap before and
//! after; the JSON text and every transient value are dropped before the second reading.
//!
//!     cargo bench --bench memory
//!
//! Target (issue 5): the loaded chat takes less than 2 times the messages' JSON size.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicIsize, Ordering};

use serde_json::{Value, json};
use trueconf_console::app::{Model, Msg, update};
use trueconf_console::chat::types::{Chat, Envelope};
use trueconf_console::config::Config;

/// mimalloc (as the binary uses), counting the bytes live.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static INNER: mimalloc::MiMalloc = mimalloc::MiMalloc;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        unsafe { INNER.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { INNER.dealloc(p, l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        unsafe { INNER.alloc_zeroed(l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed);
        unsafe { INNER.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

const TEXTS: &[&str] = &[
    "Morning! Is the meeting room free at ten?",
    "Can someone check the camera in room 3?",
    "**Agenda** for today: see [the plan](https://video.example.com/plan) and the _notes_",
    "Thanks, that fixed it.",
    "I've updated the slides for Thursday. The microphone array needs a firmware update before the quarterly review, so please keep the room free on Friday afternoon.",
    "ok",
];

/// One page of history as the server sends it: a response frame, newest first.
fn page(id: u64, chat: &str, from: u64, n: u64) -> String {
    let messages: Vec<Value> = (from..from + n)
        .rev()
        .map(|i| {
            let author = ["alice", "bob", "dave", "operator"][(i % 4) as usize];
            json!({"messageId": format!("{:032x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
                "chatId": chat, "timestamp": 1_795_000_000_000u64 + i * 37_000, "type": 200,
                "author": {"id": format!("{author}@video.example.com"), "type": 1},
                "box": {"id": i, "position": ""}, "isEdited": i % 50 == 0,
                "content": {"text": TEXTS[(i % TEXTS.len() as u64) as usize],
                    "parseMode": if i % 3 == 0 { "markdown" } else { "text" }}})
        })
        .collect();
    json!({"type": 2, "id": id, "payload": {"chatId": chat, "count": n, "messages": messages}})
        .to_string()
}

fn main() {
    const N: u64 = 100_000;
    const PAGE: u64 = 100;
    let chat = "0c5d7b2e-6f1a-4e7b-9d3c-2a1b0c9d8e7f";
    let mut m = Model::demo(&Config::default(), (160, 48), false);
    update(
        &mut m,
        Msg::Chat(trueconf_console::chat::ChatLinkEvent::Status(
            trueconf_console::link::LinkStatus::Authorized,
        )),
    );
    let c = Chat::from_value(&json!({"chatId": chat, "title": "Big", "chatType": 2})).unwrap();
    update(&mut m, Msg::ChatsLoaded(Ok(vec![c])));
    m.ui.focus = trueconf_console::app::Pane::Chats;
    update(
        &mut m,
        Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Enter,
            crossterm::event::KeyModifiers::NONE,
        )),
    );
    let before = live();
    let mut json_bytes = 0usize;
    // Newest page first, then older ones, as scrolling up loads them.
    for p in (0..N / PAGE).rev() {
        let text = page(p + 2, chat, p * PAGE, PAGE);
        json_bytes += text.len();
        let v: Value = serde_json::from_str(&text).unwrap();
        let msgs: Vec<Envelope> = v["payload"]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Envelope::from_value)
            .collect();
        update(
            &mut m,
            Msg::HistoryLoaded {
                chat_id: chat.into(),
                before: None,
                result: Ok(msgs),
            },
        );
    }
    let held = live() - before;
    let n = m.chat.open.as_ref().map_or(0, |o| o.messages.len());
    assert_eq!(n as u64, N);
    let ratio = held as f64 / json_bytes as f64;
    println!(
        "memory: {n} messages, JSON {:.1} MiB, held {:.1} MiB ({} B per message): {ratio:.2}x the JSON (target < 2x){}",
        json_bytes as f64 / 1048576.0,
        held as f64 / 1048576.0,
        held / n as isize,
        if ratio < 2.0 {
            ""
        } else {
            "  ** OVER TARGET **"
        }
    );
    std::hint::black_box(&m);
}
