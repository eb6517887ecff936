//! Frame render time of the whole console with a 100,000-message chat open, against the same
//! with a 100-message chat, side by side in one run (ratatui's `TestBackend` at 160x48).
//!
//!     cargo bench --bench render
//!
//! Target (issue 5): the 100,000-message chat renders in no more than 1.5 times the time of the
//! 100-message chat: only the visible messages are laid out.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::hint::black_box;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use trueconf_console::app::{Model, Msg, update};
use trueconf_console::chat::types::{Chat, Envelope};
use trueconf_console::config::Config;

fn model(n: usize) -> Model {
    let mut m = Model::demo(&Config::default(), (160, 48), false);
    update(
        &mut m,
        Msg::Chat(trueconf_console::chat::ChatLinkEvent::Status(
            trueconf_console::link::LinkStatus::Authorized,
        )),
    );
    let chat = Chat::from_value(&json!({"chatId": "c", "title": "Big", "chatType": 2})).unwrap();
    update(&mut m, Msg::ChatsLoaded(Ok(vec![chat])));
    m.ui.focus = trueconf_console::app::Pane::Chats;
    update(
        &mut m,
        Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Enter,
            crossterm::event::KeyModifiers::NONE,
        )),
    );
    // Pages arrive newest first, as the server sends them.
    let page: Vec<Envelope> = (0..n)
        .rev()
        .map(|i| {
            Envelope::from_value(&json!({"chatId": "c", "messageId": format!("m{i}"),
                "timestamp": 1_795_000_000_000u64 + i as u64 * 1000, "type": 200,
                "author": {"id": if i % 3 == 0 { "alice@video.example.com" } else { "bob@video.example.com" }, "type": 1},
                "box": {"id": i, "position": ""},
                "content": {"text": format!("message {i}: the quick brown fox jumps over the lazy dog, again and again, to fill a line or two of the history pane"), "parseMode": "text"}}))
            .unwrap()
        })
        .collect();
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "c".into(),
            before: None,
            result: Ok(page),
        },
    );
    assert_eq!(m.chat.open.as_ref().unwrap().messages.len(), n);
    m
}

/// Median time of one full frame over `rounds` frames.
fn render_time(m: &Model, rounds: usize) -> Duration {
    let mut t = Terminal::new(TestBackend::new(160, 48)).unwrap();
    for _ in 0..50 {
        t.draw(|f| trueconf_console::ui::view(m, f)).unwrap();
    }
    let mut v: Vec<Duration> = (0..rounds)
        .map(|_| {
            let s = Instant::now();
            t.draw(|f| trueconf_console::ui::view(black_box(m), f))
                .unwrap();
            s.elapsed()
        })
        .collect();
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let small = model(100);
    let big = model(100_000);
    // Interleave the two so machine noise hits both alike.
    let (mut s, mut b) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        s.push(render_time(&small, 200));
        b.push(render_time(&big, 200));
    }
    s.sort();
    b.sort();
    let (s, b) = (s[2], b[2]);
    println!("Frame render at 160x48 (median of 5 runs of 200 frames each)");
    println!("{:<28} {:>12}", "chat", "per frame");
    println!("{:<28} {:>9.1} µs", "100 messages", s.as_secs_f64() * 1e6);
    println!(
        "{:<28} {:>9.1} µs",
        "100,000 messages",
        b.as_secs_f64() * 1e6
    );
    println!(
        "ratio (100,000 / 100): {:.2} (target: at most 1.5)",
        b.as_secs_f64() / s.as_secs_f64()
    );
}
