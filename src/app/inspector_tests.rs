use super::*;
use crate::app::pager::PagerKind;
use crate::app::testkit::*;
use crate::app::{Mode, Pane, Traffic, update};
use crossterm::event::{KeyCode, KeyModifiers};

fn with_frames(n: usize) -> Model {
    let mut m = demo();
    for i in 0..n {
        let text = format!(
            r#"{{"method":"m{i}","requestId":{i},"params":{{"a":[1,2,3,4,5,6,7,8,9,10]}}}}"#
        );
        super::super::update::record(
            &mut m,
            Traffic::new("room", i % 2 == 0, &text, 1_000 * i as u64),
        );
    }
    m
}

#[test]
fn the_inspector_takes_its_turn_for_the_keyboard_while_shown() {
    let mut m = with_frames(3);
    update(&mut m, key(KeyCode::Char('t'), KeyModifiers::CONTROL));
    assert!(m.ui.inspector);
    m.ui.focus = Pane::History;
    kc(&mut m, KeyCode::Tab);
    assert_eq!(m.ui.focus, Pane::Inspector);
    kc(&mut m, KeyCode::Tab);
    assert_eq!(m.ui.focus, Pane::Room);
    // Hidden, it is skipped, and focus leaves it.
    m.ui.focus = Pane::Inspector;
    update(&mut m, key(KeyCode::Char('t'), KeyModifiers::CONTROL));
    assert_eq!(m.ui.focus, Pane::History);
    // Hidden from inside the explorer: the same.
    update(&mut m, key(KeyCode::Char('t'), KeyModifiers::CONTROL));
    m.ui.focus = Pane::Inspector;
    ch(&mut m, 'x');
    assert!(m.mode.explorer().is_some());
    update(&mut m, key(KeyCode::Char('t'), KeyModifiers::CONTROL));
    assert!(!m.ui.inspector);
    assert_eq!(m.ui.focus, Pane::History);
}

#[test]
fn a_cursor_moves_over_frames_and_enter_opens_one_whole() {
    let mut m = with_frames(5);
    m.ui.inspector = true;
    m.ui.focus = Pane::Inspector;
    kc(&mut m, KeyCode::Up);
    assert_eq!(m.ui.inspector_sel, Some(4), "up from following: the newest");
    kc(&mut m, KeyCode::Up);
    kc(&mut m, KeyCode::PageUp);
    assert_eq!(m.ui.inspector_sel, Some(0), "stops at the oldest");
    kc(&mut m, KeyCode::Down);
    kc(&mut m, KeyCode::Enter);
    let Mode::Pager(p) = &m.mode else {
        panic!("{:?}", m.mode)
    };
    assert_eq!(p.kind, PagerKind::Frame);
    assert_eq!(p.title, "Frame 2 of 5");
    // Whole and pretty-printed: every array element on its own line.
    let text: Vec<&str> = p.viewer.lines().iter().map(|l| l.text.as_str()).collect();
    assert!(text[0].contains("m1"), "{text:?}");
    assert!(text.iter().any(|l| l.trim() == "10"), "{text:?}");
    kc(&mut m, KeyCode::Esc);
    assert_eq!(m.mode, Mode::Normal);
    // End goes back to following; the history's keys do nothing here, Room keys still work.
    kc(&mut m, KeyCode::End);
    assert_eq!(m.ui.inspector_sel, None);
    assert!(ch(&mut m, 'R').is_empty());
    assert!(matches!(m.mode, Mode::Normal));
}

#[test]
fn slash_searches_every_frame() {
    let mut m = with_frames(4);
    m.ui.inspector = true;
    m.ui.focus = Pane::Inspector;
    ch(&mut m, '/');
    typed(&mut m, "m3");
    kc(&mut m, KeyCode::Enter);
    let Mode::Pager(p) = &m.mode else {
        panic!("{:?}", m.mode)
    };
    assert_eq!(p.kind, PagerKind::Traffic);
    // The frame's heading names it, and its body says it.
    assert_eq!(p.viewer.search().matches.len(), 2);
}

#[test]
fn the_cursor_keeps_its_frame_as_old_ones_go() {
    let mut m = with_frames(Traffic::KEEP);
    m.ui.inspector_sel = Some(10);
    super::super::update::record(&mut m, Traffic::new("chat", false, "{}", 0));
    assert_eq!(m.ui.inspector_sel, Some(9));
}

#[test]
fn a_frame_longer_than_what_is_kept_keeps_its_name_and_says_it_was_cut() {
    // The name comes after a long value: read from the whole frame, not the kept part.
    let big = "x".repeat(3 * Traffic::MAX_TEXT);
    let text = format!(r#"{{"params":{{"text":"{big}"}},"method":"sendMessage","id":7}}"#);
    let t = Traffic::new("chat", true, &text, 0);
    assert_eq!(t.what(), "sendMessage");
    assert!(t.is_cut() && t.text.len() <= Traffic::MAX_TEXT);
    assert_eq!(t.full_len, text.len());
    let lines = frame_lines(&t, 0);
    let last = &lines.last().unwrap().text;
    assert!(
        last.contains("first 8 KiB") && last.contains(&text.len().to_string()),
        "{last}"
    );
    // A small frame is whole, and says nothing of a cut.
    let t = Traffic::new("chat", true, r#"{"type":2,"id":7}"#, 0);
    assert_eq!(t.what(), "response");
    assert!(!t.is_cut());
    assert!(frame_lines(&t, 0).iter().all(|l| !l.text.contains("cut")));
}
