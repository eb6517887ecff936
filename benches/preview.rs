//! Image previews (crate::preview), side by side in one run:
//!
//! - decoding: a small picture (160×96), the largest accepted (5000×4000, 20 Mpx), and the
//!   refused ones — a 50 MB file and a header declaring 20,000×20,000 pixels: time, and how
//!   far the resident set's peak (`VmHWM`) rose, each in a process of its own;
//! - a frame of the whole console (160×48) with a picture's preview in the history, in half
//!   blocks and as a kitty picture (placeholders), against the same history with a refused
//!   picture's line, each after the same warm-up, interleaved.
//!
//!     cargo bench --bench preview
//!
//! Targets (#16): a refused picture costs no decoding and no memory (peak rise < 100 MB); a
//! frame with a preview takes at most 2× one without.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "support/mod.rs"]
mod support;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::{median, rss, us};
use trueconf_console::app::{Model, Msg, update};
use trueconf_console::preview::{decode, test_card};

const CHAT: &str = "0c5d7b2e-6f1a-4e7b-9d3c-2a1b0c9d8e7f";
const FRAMES: usize = 300;
const WARMUP: usize = 50;

/// A PNG header declaring `w`×`h` pixels (with its checksum right), the rest a small card.
fn forged(w: u32, h: u32) -> Vec<u8> {
    let mut png = test_card(4, 4, 0);
    png[16..20].copy_from_slice(&w.to_be_bytes());
    png[20..24].copy_from_slice(&h.to_be_bytes());
    let mut c = 0xffff_ffffu32;
    for &b in &png[12..29] {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    png[29..33].copy_from_slice(&(!c).to_be_bytes());
    png
}

/// Decodes `bytes` in a process of its own (this bench run again with `--decode FILE`), as
/// the console does: the file's size checked first, then read and decoded. Its peak resident
/// set is measured from after its start, so what the parent made does not count.
fn decode_case(name: &str, bytes: &[u8]) {
    let path = std::env::temp_dir().join(format!("preview-bench-{}.bin", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--decode")
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    print!("decode {name:<22} {}", String::from_utf8_lossy(&out.stdout));
}

/// The child's side of [`decode_case`].
fn decode_file(path: &str) {
    let (_, peak_before) = rss();
    let t = Instant::now();
    let len = std::fs::metadata(path).unwrap().len();
    let r = if len > trueconf_console::preview::MAX_BYTES {
        Err(trueconf_console::preview::PreviewError::TooManyBytes(len))
    } else {
        decode(&std::fs::read(path).unwrap(), 48, 12)
    };
    let took = t.elapsed();
    let (_, peak_after) = rss();
    let what = match &r {
        Ok(t) => format!("preview {}×{} px", t.w, t.h),
        Err(e) => format!("refused: {e}"),
    };
    println!(
        "{:>8.1} ms   peak RSS +{:>6.1} MiB   {what}",
        took.as_secs_f64() * 1e3,
        peak_after.saturating_sub(peak_before) as f64 / 1048576.0
    );
}

/// The console with a chat whose newest message is picture `P1`, its preview made (`ready`)
/// or refused.
/// What the history shows for the picture.
#[derive(Clone, Copy)]
enum Shown {
    HalfBlocks,
    /// Kitty graphics: the picture is sent with the first frame, placeholders after.
    Kitty,
    Refused,
}

fn console(shown: Shown) -> Model {
    use serde_json::json;
    use trueconf_console::chat::types::Envelope;
    let mut m = support::model_with_open_chat(CHAT);
    let mut page: Vec<Envelope> = (0..30u64)
        .rev()
        .map(|i| Envelope::from_value(&support::message_json(CHAT, i, true)).unwrap())
        .collect();
    page.insert(
        0,
        Envelope::from_value(&json!({"chatId": CHAT, "messageId": "pic", "timestamp": 1_900_000_000_000u64,
            "type": 202, "author": {"id": "alice@video.example.com", "type": 1},
            "box": {"id": 100_000, "position": ""},
            "content": {"name": "room.png", "mimeType": "image/png", "size": 2900, "fileId": "P1"}}))
        .unwrap(),
    );
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: CHAT.into(),
            before: None,
            result: Ok(page),
        },
    );
    let card = test_card(160, 96, 40);
    let (result, graphic) = match shown {
        Shown::HalfBlocks => (Ok(decode(&card, 48, 12).unwrap()), None),
        Shown::Kitty => {
            let img = trueconf_console::preview::load(&card).unwrap();
            let g = trueconf_console::graphics::Graphics {
                kind: trueconf_console::graphics::Kind::Kitty,
                ..Default::default()
            };
            let sliced = trueconf_console::preview::sliced(&g.picker(), &img, 48, 12).unwrap();
            (
                Ok(trueconf_console::preview::thumb(&img, 48, 12)),
                Some(trueconf_console::graphics::Graphic(std::sync::Arc::new(
                    sliced,
                ))),
            )
        }
        Shown::Refused => (Err("too large to preview".to_string()), None),
    };
    m.ui.term.pictures = match shown {
        Shown::Kitty => trueconf_console::graphics::Kind::Kitty,
        _ => trueconf_console::graphics::Kind::Halfblocks,
    };
    update(
        &mut m,
        Msg::Preview {
            file_id: "P1".into(),
            result,
            graphic,
        },
    );
    m
}

fn frames(m: &Model, term: &mut Terminal<TestBackend>, n: usize) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            term.draw(|f| {
                black_box(trueconf_console::ui::draw(m, f));
            })
            .unwrap();
            t.elapsed()
        })
        .collect()
}

fn main() {
    // As the console starts: mimalloc's purge delay, SQLite through mimalloc.
    trueconf_console::alloc::tune();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--decode") {
        decode_file(&args[i + 1]);
        return;
    }
    println!("decoding (48×12 cells at most), each in a process of its own:");
    decode_case("small 160×96", &test_card(160, 96, 40));
    decode_case("refused 50 MB file", &vec![0u8; 50 * 1024 * 1024]);
    decode_case("refused 20000×20000", &forged(20_000, 20_000));
    decode_case("largest 5000×4000", &test_card(5000, 4000, 40));

    let with = console(Shown::HalfBlocks);
    let kitty = console(Shown::Kitty);
    let without = console(Shown::Refused);
    let mut a = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut k = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut b = Terminal::new(TestBackend::new(160, 48)).unwrap();
    // The same warm-up, then the three measured interleaved in rounds. (The kitty picture's
    // one transmission is in its first frame, so in the warm-up, as in the console, where it
    // is sent once.)
    frames(&with, &mut a, WARMUP);
    frames(&kitty, &mut k, WARMUP);
    frames(&without, &mut b, WARMUP);
    let (mut fa, mut fk, mut fb) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..6 {
        fa.extend(frames(&with, &mut a, FRAMES / 6));
        fk.extend(frames(&kitty, &mut k, FRAMES / 6));
        fb.extend(frames(&without, &mut b, FRAMES / 6));
    }
    let (ma, mk, mb) = (median(&mut fa), median(&mut fk), median(&mut fb));
    println!(
        "frame 160×48 with a preview {:>8.1} µs, with a refused picture's line {:>8.1} µs: {:.2}× (target ≤ 2×)",
        us(ma),
        us(mb),
        ma.as_secs_f64() / mb.as_secs_f64()
    );
    println!(
        "frame 160×48 with a kitty picture {:>8.1} µs, with a refused picture's line {:>8.1} µs: {:.2}× (target ≤ 2×)",
        us(mk),
        us(mb),
        mk.as_secs_f64() / mb.as_secs_f64()
    );
}
