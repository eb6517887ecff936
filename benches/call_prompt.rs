//! Typing in the call prompt: the Room link online, its address book of 100 contacts against
//! 10,000, side by side in one run. The prompt is opened with `c`; then names are typed and
//! erased a key at a time (letters and Backspace), each key through `app::update` with the
//! frame that shows it (the whole console at 160x48, ratatui's `TestBackend`). The same
//! queries for both (the first letters of names both books hold), the same warm-up, rounds
//! interleaved; the figures are medians.
//!
//!     cargo bench --bench call_prompt
//!
//! Target: a key with 10,000 contacts takes no more than 1.5 times one with 100.
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
use trueconf_console::app::{Mode, Model, Msg, Prompt, update};
use trueconf_console::config::Config;
use trueconf_console::link::LinkStatus;
use trueconf_console::room::RoomLinkEvent;
use trueconf_console::room::state::{Contact, Peer, RoomState};

const ROUNDS: usize = 10;
const WARM_ROUNDS: usize = 2;

const SYLLABLES: &[&str] = &[
    "al", "be", "ka", "do", "el", "fa", "gi", "ha", "iv", "jo", "ke", "li", "ma", "no", "ol", "pe",
    "ra", "si", "ta", "ul", "va", "wi", "ya", "zo",
];

/// The next contact of the address book (a first name and a surname made of syllables).
fn contact(rng: &mut support::Rng) -> Contact {
    let mut word = |parts: usize| {
        let mut w = String::new();
        for _ in 0..parts {
            w.push_str(SYLLABLES[(rng.next_u64() % SYLLABLES.len() as u64) as usize]);
        }
        let mut c = w.chars();
        let first = c.next().unwrap().to_ascii_uppercase();
        std::iter::once(first).chain(c).collect::<String>()
    };
    let (first, last) = (word(2), word(3));
    Contact {
        peer: Peer {
            id: format!(
                "{}.{}@video.example.com",
                first.to_lowercase(),
                last.to_lowercase()
            ),
            name: format!("{first} {last}"),
        },
        status: 1,
        presence: Default::default(),
    }
}

/// The address book: the same first 100 contacts in both.
fn book(n: usize) -> Vec<Contact> {
    let mut rng = support::Rng::new(0x0061_626f_6f6b);
    (0..n).map(|_| contact(&mut rng)).collect()
}

/// The console, the Room online with `n` contacts, the call prompt open.
fn model(n: usize) -> Model {
    let mut m = Model::demo(&Config::default(), (160, 48), false);
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    let s = RoomState {
        contacts: book(n),
        ..RoomState::default()
    };
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(s))));
    update(&mut m, key(KeyCode::Char('c')));
    let Mode::Prompt(Prompt::Call(p)) = &m.mode else {
        panic!("no call prompt: {:?}", m.mode)
    };
    assert_eq!(p.contacts.len(), n);
    m
}

struct Book {
    n: usize,
    m: Model,
    term: Terminal<TestBackend>,
    /// Per key: `update` alone, and `update` with its frame.
    update: Vec<Duration>,
    key: Vec<Duration>,
}

impl Book {
    fn press(&mut self, code: KeyCode, keep: bool) {
        let t = Instant::now();
        black_box(update(&mut self.m, key(code)));
        let u = t.elapsed();
        self.term
            .draw(|f| trueconf_console::ui::view(black_box(&self.m), f))
            .unwrap();
        let k = t.elapsed();
        if keep {
            self.update.push(u);
            self.key.push(k);
        }
    }

    /// Each query typed a letter at a time, then erased.
    fn round(&mut self, queries: &[String], keep: bool) {
        for q in queries {
            for c in q.chars() {
                self.press(KeyCode::Char(c), keep);
            }
            for _ in q.chars() {
                self.press(KeyCode::Backspace, keep);
            }
        }
    }
}

fn main() {
    // As the console starts: mimalloc's purge delay, SQLite through mimalloc.
    trueconf_console::alloc::tune();
    // Names both books hold, typed as a user would: the start of a first name, of a surname,
    // a whole name.
    let common = book(100);
    let queries: Vec<String> = common
        .iter()
        .step_by(10)
        .enumerate()
        .map(|(i, c)| {
            let name = c.peer.name.to_lowercase();
            let mut words = name.split(' ');
            let (first, last) = (words.next().unwrap(), words.next().unwrap());
            match i % 3 {
                0 => first[..3].to_string(),
                1 => last[..4].to_string(),
                _ => name,
            }
        })
        .collect();
    let mut books: Vec<Book> = [100, 10_000]
        .into_iter()
        .map(|n| Book {
            n,
            m: model(n),
            term: Terminal::new(TestBackend::new(160, 48)).unwrap(),
            update: Vec::new(),
            key: Vec::new(),
        })
        .collect();
    for b in &mut books {
        b.press(KeyCode::Down, false);
        b.press(KeyCode::Up, false);
    }
    for r in 0..WARM_ROUNDS + ROUNDS {
        for b in &mut books {
            b.round(&queries, r >= WARM_ROUNDS);
        }
    }
    let keys = books[0].key.len();
    println!(
        "A key typed in the call prompt (letters and Backspace), with its frame at 160x48 \
         (medians of {keys} keys each, interleaved in {ROUNDS} rounds)"
    );
    println!(
        "{:<22} {:>14} {:>18}",
        "address book", "update µs", "update+frame µs"
    );
    let med: Vec<(f64, f64)> = books
        .iter_mut()
        .map(|b| (us(median(&mut b.update)), us(median(&mut b.key))))
        .collect();
    for (b, (u, k)) in books.iter().zip(&med) {
        println!(
            "{:<22} {:>14.1} {:>18.1}",
            format!("{} contacts", b.n),
            u,
            k
        );
    }
    println!(
        "ratio 10,000 / 100: key with its frame {:.2}, update alone {:.2} (target: at most 1.5)",
        med[1].1 / med[0].1,
        med[1].0 / med[0].0
    );
}
