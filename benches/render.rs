//! Frames and keys with a big chat open, against the same with a 100-message chat, side by
//! side in one run (the whole console at 160x48, ratatui's `TestBackend`). For each chat and
//! each place of the history cursor (the newest message, the middle one, the oldest):
//!
//! - a frame: the console drawn again, the model unchanged;
//! - a key: Up, or PageUp, through `app::update`, with the frame that shows it. The cursor
//!   starts at the place (at the oldest: one or ten messages below it, so the key moves onto
//!   it); an untimed Down or PageDown, with its frame, takes it back after each.
//!
//! The chats (100; 100,000; 1,000,000 unless `RENDER_1M=0`) are measured interleaved, in
//! rounds, with the same warm-up and the same number of samples each; the figures are medians.
//! The open chat holds a window of the chat (`app::WINDOW`): at the newest it is the chat
//! loaded whole (the window of its newest); at the middle and the oldest, the chat read up to
//! there a page at a time, the way PageUp reads it.
//!
//!     cargo bench --bench render
//!
//! Target: the frame and the key at the oldest message of a 1,000,000-message chat take no
//! more than 1.5 times those of a 100-message chat.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "support/mod.rs"]
mod support;

// The allocator the binary uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::{key, median, us};
use trueconf_console::app::{Model, update};

const CHAT: &str = "0c5d7b2e-6f1a-4e7b-9d3c-2a1b0c9d8e7f";
const ROUNDS: usize = 5;
/// Per round, chat and place: warm-up frames and keys, then timed ones.
const WARM: usize = 5;
const FRAMES: usize = 20;
const KEYS: usize = 20;

#[derive(Clone, Copy)]
enum Place {
    Newest,
    Middle,
    Oldest,
}

const PLACES: [Place; 3] = [Place::Newest, Place::Middle, Place::Oldest];

impl Place {
    fn name(self) -> &'static str {
        match self {
            Place::Newest => "newest",
            Place::Middle => "middle",
            Place::Oldest => "oldest",
        }
    }

    fn index(self, n: usize) -> usize {
        match self {
            Place::Newest => n - 1,
            Place::Middle => n / 2,
            Place::Oldest => 0,
        }
    }
}

struct Chat {
    n: usize,
    /// One console per place: at the newest, the chat loaded (the window of its newest); at
    /// the middle and the oldest, read up to there a page at a time, as PageUp does.
    models: Vec<Model>,
    term: Terminal<TestBackend>,
    /// Per place: frames, Up, PageUp.
    samples: Vec<[Vec<Duration>; 3]>,
}

impl Chat {
    fn new(n: usize) -> Chat {
        let models = PLACES
            .iter()
            .map(|p| match p {
                Place::Newest => support::model_with_history(CHAT, n as u64, true),
                _ => support::model_at(CHAT, n as u64, p.index(n) as u64, true),
            })
            .collect();
        Chat {
            n,
            models,
            term: Terminal::new(TestBackend::new(160, 48)).unwrap(),
            samples: PLACES.iter().map(|_| Default::default()).collect(),
        }
    }

    fn put_cursor(&mut self, p: usize, at: usize) {
        let o = self.models[p].chat.open.as_mut().unwrap();
        let id = support::message_id(at as u64);
        assert!(o.messages.contains(&id));
        o.selected = Some(id);
    }

    fn frame(&mut self, p: usize) -> Duration {
        let t = Instant::now();
        self.term
            .draw(|f| trueconf_console::ui::view(black_box(&self.models[p]), f))
            .unwrap();
        t.elapsed()
    }

    /// `code` and its frame, timed.
    fn key(&mut self, p: usize, code: KeyCode) -> Duration {
        let t = Instant::now();
        black_box(update(&mut self.models[p], key(code)));
        self.term
            .draw(|f| trueconf_console::ui::view(&self.models[p], f))
            .unwrap();
        t.elapsed()
    }

    /// One round at `place`: `frames` frames, then `keys` Up and `keys` PageUp; recorded
    /// when `keep`.
    fn round(&mut self, p: usize, frames: usize, keys: usize, keep: bool) {
        let at = PLACES[p].index(self.n);
        self.put_cursor(p, at);
        self.frame(p);
        let mut f = Vec::with_capacity(frames);
        for _ in 0..frames {
            f.push(self.frame(p));
        }
        let mut ks: [Vec<Duration>; 2] = Default::default();
        for (slot, (up, down, step)) in [
            (KeyCode::Up, KeyCode::Down, 1),
            (KeyCode::PageUp, KeyCode::PageDown, 10),
        ]
        .into_iter()
        .enumerate()
        {
            // At the oldest the key moves onto it from below.
            let from = if at < step { at + step } else { at };
            self.put_cursor(p, from);
            self.frame(p);
            for _ in 0..keys {
                ks[slot].push(self.key(p, up));
                self.key(p, down);
            }
        }
        if keep {
            let s = &mut self.samples[p];
            s[0].extend(f);
            s[1].extend(std::mem::take(&mut ks[0]));
            s[2].extend(std::mem::take(&mut ks[1]));
        }
    }
}

fn main() {
    // As the console starts: mimalloc's purge delay, SQLite through mimalloc.
    trueconf_console::alloc::tune();
    let mut sizes = vec![100, 100_000];
    if !std::env::var("RENDER_1M").is_ok_and(|v| v == "0") {
        sizes.push(1_000_000);
    }
    let mut chats: Vec<Chat> = sizes.into_iter().map(Chat::new).collect();
    // The same warm-up for every chat and place, then rounds interleaved so that machine
    // noise hits them alike.
    for c in &mut chats {
        for p in 0..PLACES.len() {
            c.round(p, WARM, WARM, false);
        }
    }
    for _ in 0..ROUNDS {
        for c in &mut chats {
            for p in 0..PLACES.len() {
                c.round(p, FRAMES, KEYS, true);
            }
        }
    }
    println!(
        "Frames and keys at 160x48 (medians of {} samples each, interleaved in {ROUNDS} rounds; \
         a key is Up or PageUp with its frame)",
        ROUNDS * FRAMES
    );
    println!(
        "{:<10} {:>10} {:>12} {:>12} {:>12} {:>20}",
        "messages", "cursor", "frame µs", "Up µs", "PageUp µs", "vs 100 (f/Up/PgUp)"
    );
    let mut med: Vec<Vec<[f64; 3]>> = Vec::new();
    for c in &mut chats {
        let mut per = Vec::new();
        for s in &mut c.samples {
            per.push([
                us(median(&mut s[0])),
                us(median(&mut s[1])),
                us(median(&mut s[2])),
            ]);
        }
        med.push(per);
    }
    let mut worst = (0.0f64, String::new());
    for (ci, c) in chats.iter().enumerate() {
        for (p, place) in PLACES.iter().enumerate() {
            let v = med[ci][p];
            let base = med[0][p];
            let r = [v[0] / base[0], v[1] / base[1], v[2] / base[2]];
            let top = r.iter().copied().fold(0.0, f64::max);
            if ci > 0 && top > worst.0 {
                worst = (
                    top,
                    format!("{} messages, cursor at the {}", c.n, place.name()),
                );
            }
            println!(
                "{:<10} {:>10} {:>12.1} {:>12.1} {:>12.1} {:>20}",
                c.n,
                place.name(),
                v[0],
                v[1],
                v[2],
                if ci == 0 {
                    String::new()
                } else {
                    format!("{:.2}/{:.2}/{:.2}", r[0], r[1], r[2])
                }
            );
        }
    }
    let last = chats.len() - 1;
    let oldest = 2;
    let r: Vec<f64> = (0..3)
        .map(|k| med[last][oldest][k] / med[0][oldest][k])
        .collect();
    println!(
        "ratio at the oldest, {} / 100: frame {:.2}, Up {:.2}, PageUp {:.2} (target: at most 1.5 \
         with 1,000,000)",
        chats[last].n, r[0], r[1], r[2]
    );
    println!(
        "worst ratio to the 100-message chat at the same place: {:.2} ({})",
        worst.0, worst.1
    );
}
