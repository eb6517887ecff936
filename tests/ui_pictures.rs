//! Pictures on screen (ratatui's `TestBackend`): a preview made for kitty graphics is drawn
//! as the protocol's placeholder cells at the preview's rows, also when the history scrolls
//! part of it away; the picture view fills the screen (half blocks, snapshots at 160×48 and
//! 80×24) and says why when a picture cannot be shown.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use trueconf_console::app::{Cmd, Model, Msg, PictureState, update};
use trueconf_console::chat::ChatLinkEvent;
use trueconf_console::chat::client::ChatSession;
use trueconf_console::chat::types::{Chat, Envelope};
use trueconf_console::config::Config;
use trueconf_console::graphics::{Graphic, Graphics, Kind, Whole};
use trueconf_console::link::LinkStatus;
use trueconf_console::{preview, ui};

/// Kitty's placeholder character: a cell the terminal fills with a part of a picture.
const PLACEHOLDER: &str = "\u{10EEEE}";

fn render(m: &Model) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(m.ui.size.0, m.ui.size.1)).unwrap();
    t.draw(|f| ui::view(m, f)).unwrap();
    t
}

fn key(m: &mut Model, code: KeyCode) -> Vec<Cmd> {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn envelope(id: &str, bx: u64, content: serde_json::Value, kind: i64) -> Envelope {
    Envelope::from_value(&json!({"chatId": "c1", "messageId": id,
        "timestamp": 1_795_000_000_000u64 + bx * 60_000, "type": kind,
        "author": {"id": "alice@video.example.com", "type": 1},
        "box": {"id": bx, "position": ""}, "content": content}))
    .unwrap()
}

/// A console of `w`×`h` with chat "Photos" open: `texts_after` text messages after a
/// picture (file P1), and two before it; the history has the keyboard.
fn photos(w: u16, h: u16, texts_after: u64) -> Model {
    let mut m = Model::demo(&Config::default(), (w, h), false);
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Session(ChatSession {
            user_id: "operator@video.example.com/1".into(),
            me: "operator@video.example.com".into(),
            connection_id: None,
        })),
    );
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    let chat = Chat::from_value(&json!({"chatId": "c1", "title": "Photos", "chatType": 2}));
    update(&mut m, Msg::ChatsLoaded(Ok(vec![chat.unwrap()])));
    key(&mut m, KeyCode::Tab);
    key(&mut m, KeyCode::Enter);
    let text =
        |id: &str, bx: u64, t: &str| envelope(id, bx, json!({"text": t, "parseMode": "text"}), 200);
    let mut page: Vec<Envelope> = (0..texts_after)
        .rev()
        .map(|i| text(&format!("a{i}"), 10 + i, &format!("after the picture, {i}")))
        .collect();
    page.push(envelope(
        "p1",
        3,
        json!({"name": "room.png", "mimeType": "image/png", "size": 2_900, "fileId": "P1"}),
        202,
    ));
    page.push(text("t2", 2, "The room from the door:"));
    page.push(text("t1", 1, "Morning."));
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "c1".into(),
            before: None,
            result: Ok(page),
        },
    );
    m
}

fn card() -> image::DynamicImage {
    preview::load(&preview::test_card(160, 96, 40)).unwrap()
}

/// The preview as a sliced kitty picture and its half blocks, delivered.
fn kitty_preview(m: &mut Model) {
    m.ui.term.pictures = Kind::Kitty;
    let g = Graphics {
        kind: Kind::Kitty,
        cell: (10, 20),
        tmux: false,
        why: String::new(),
        unanswered: false,
    };
    let sliced = preview::sliced(&g.picker(), &card(), 48, 12).unwrap();
    update(
        m,
        Msg::Preview {
            file_id: "P1".into(),
            result: Ok(preview::thumb(&card(), 48, 12)),
            graphic: Some(Graphic(Arc::new(sliced))),
        },
    );
}

/// The rows (top to bottom) holding kitty placeholders, and how many each holds.
fn placeholder_rows(t: &Terminal<TestBackend>) -> Vec<(u16, usize)> {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .filter_map(|y| {
            let n = (0..buf.area.width)
                .filter(|&x| buf[(x, y)].symbol().contains(PLACEHOLDER))
                .count();
            (n > 0).then_some((y, n))
        })
        .collect()
}

#[test]
fn a_kitty_preview_is_drawn_as_placeholders_at_its_rows() {
    let mut m = photos(160, 48, 0);
    kitty_preview(&mut m);
    let t = render(&m);
    let screen = t.backend().to_string();
    let rows = placeholder_rows(&t);
    assert!(!rows.is_empty(), "no kitty placeholders");
    // One block of consecutive rows, right under the attachment's line, no half blocks.
    let line = screen
        .lines()
        .position(|l| l.contains("📎 room.png"))
        .unwrap() as u16;
    assert_eq!(rows[0].0, line + 1, "{rows:?}");
    assert!(rows.windows(2).all(|w| w[1].0 == w[0].0 + 1), "{rows:?}");
    assert!(rows.len() <= 12, "at most the preview's rows: {rows:?}");
    assert!(!screen.contains('▀'), "half blocks under a kitty picture");
    // The text after the picture is below it, not under it.
    let after = screen.lines().position(|l| l.contains("Morning.")).unwrap() as u16;
    assert!(after < line, "oldest first");
}

#[test]
fn a_kitty_preview_scrolled_partly_away_keeps_its_visible_rows() {
    // Enough messages after the picture that the newest view starts inside it.
    let mut full = photos(160, 48, 1);
    kitty_preview(&mut full);
    let t = render(&full);
    let whole_rows = placeholder_rows(&t);
    let whole = whole_rows.len();
    let next = |screen: &str| {
        screen
            .lines()
            .position(|l| l.contains("after the picture, 0"))
            .unwrap() as u16
    };
    // Between the picture's last row and the next message's text, as when all is in view.
    let gap = next(&t.backend().to_string()) - whole_rows.last().unwrap().0;
    for after in 0..60u64 {
        let mut m = photos(160, 48, after);
        kitty_preview(&mut m);
        let t = render(&m);
        let screen = t.backend().to_string();
        let rows = placeholder_rows(&t);
        if screen.contains("📎 room.png") || rows.len() == whole {
            continue;
        }
        // The line is gone off the top and the picture's upper rows with it: what shows is
        // its lower part, from the pane's first row, in place.
        assert!(!rows.is_empty(), "after {after}: nothing drawn");
        assert_eq!(
            rows.last().unwrap().0 + gap,
            next(&screen),
            "after {after}: the picture ends right above the next message: {rows:?}"
        );
        assert!(!screen.contains("Morning.") && !screen.contains('▀'));
        return;
    }
    panic!("the picture never scrolled partly out of view");
}

#[test]
fn the_picture_view_fills_the_screen_in_half_blocks() {
    for (w, h) in [(160u16, 48u16), (80, 24), (80, 40), (120, 38)] {
        let mut m = photos(w, h, 0);
        key(&mut m, KeyCode::Char('k'));
        let cmds = key(&mut m, KeyCode::Enter);
        let (cols, rows) = (w - 2, h - 3);
        assert_eq!(
            cmds,
            vec![Cmd::ShowPicture {
                file_id: "P1".into(),
                cols,
                rows
            }]
        );
        let screen = render(&m).backend().to_string();
        assert!(screen.contains("… loading the picture"), "{screen}");
        let made = preview::fill(&card(), cols, rows);
        update(
            &mut m,
            Msg::Picture {
                file_id: "P1".into(),
                cols,
                rows,
                result: Ok(Whole::Cells(Arc::new(made))),
            },
        );
        let t = render(&m);
        let screen = t.backend().to_string();
        // What it is and whose, in the frame's title; the keys in the status bar.
        assert!(
            screen.contains("room.png · alice, 2026-") && screen.contains(" · 2.8 KiB"),
            "{screen}"
        );
        assert!(screen.contains("Esc close  "), "{screen}");
        if w >= 160 {
            assert!(
                screen.contains("other pictures  o download  m mic  h hang up"),
                "{screen}"
            );
        }
        // The picture is as large as the screen allows: its cells (each coloured top and
        // bottom) reach the frame on the sides or on the top and bottom.
        let buf = t.backend().buffer();
        let cells: Vec<(u16, u16)> = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .filter(|&(x, y)| matches!(buf[(x, y)].bg, ratatui::style::Color::Rgb(..)))
            .collect();
        assert!(!cells.is_empty(), "{w}x{h}: no picture\n{screen}");
        let (x0, x1) = (
            cells.iter().map(|c| c.0).min().unwrap(),
            cells.iter().map(|c| c.0).max().unwrap(),
        );
        let (y0, y1) = (
            cells.iter().map(|c| c.1).min().unwrap(),
            cells.iter().map(|c| c.1).max().unwrap(),
        );
        assert!(
            (x0 == 1 && x1 == w - 2) || (y0 == 1 && y1 == h - 3),
            "{w}x{h}: the picture spans {x0}..={x1} × {y0}..={y1}"
        );
        // The disc's colour in the middle.
        let disc = ratatui::style::Color::Rgb(255, 215, 40);
        let mid = &buf[((x0 + x1) / 2, (y0 + y1) / 2)];
        assert!(mid.fg == disc || mid.bg == disc, "{mid:?}");
        // Snapshots at the two sizes the views are checked at; the taller shapes (where the
        // picture's width is the limit) are checked by the spans above.
        if (w, h) == (160, 48) || (w, h) == (80, 24) {
            insta::assert_snapshot!(format!("picture_view_{w}x{h}"), t.backend());
        }
    }
}

#[test]
fn the_picture_view_says_why_a_picture_is_not_shown() {
    let mut m = photos(80, 24, 0);
    key(&mut m, KeyCode::Char('k'));
    key(&mut m, KeyCode::Enter);
    // A file name that tries to write to the terminal is shown clean.
    if let trueconf_console::app::Mode::Picture(v) = &mut m.mode {
        v.name = "evil\u{1b}]0;pwned\u{7}.png".into();
    }
    update(
        &mut m,
        Msg::Picture {
            file_id: "P1".into(),
            cols: 78,
            rows: 21,
            result: Err("too large: 20000×20000 pixels \u{1b}[31m".into()),
        },
    );
    assert!(matches!(
        &m.mode,
        trueconf_console::app::Mode::Picture(v) if matches!(v.state, PictureState::Refused(_))
    ));
    let screen = render(&m).backend().to_string();
    assert!(
        screen.contains("No picture: too large: 20000×20000 pixels"),
        "{screen}"
    );
    assert!(
        !screen.contains('\u{1b}') && !screen.contains('\u{7}'),
        "{screen}"
    );
    assert!(
        screen.contains("evil") && !screen.contains("pwned\u{7}"),
        "{screen}"
    );
}

#[test]
fn a_selected_picture_is_shown_from_its_top_even_when_taller_than_half_the_pane() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut m = photos(w, h, 8);
        update(
            &mut m,
            Msg::Preview {
                file_id: "P1".into(),
                result: Ok(preview::thumb(&card(), 48, 12)),
                graphic: None,
            },
        );
        // The newest first, then up past the eight texts to the picture.
        for _ in 0..9 {
            key(&mut m, KeyCode::Char('k'));
        }
        let screen = render(&m).backend().to_string();
        let header = screen.lines().position(|l| l.contains('▶'));
        let line = screen.lines().position(|l| l.contains("📎 room.png"));
        assert!(
            header.is_some() && line == header.map(|h| h + 1),
            "{w}x{h}: the selected picture's author and line in view\n{screen}"
        );
        assert!(screen.contains('▀') || screen.contains('▄'), "{screen}");
        // Its keys under it: Enter shows it, o downloads.
        assert!(screen.contains("Enter shows it  o downloads"), "{screen}");
    }
}
