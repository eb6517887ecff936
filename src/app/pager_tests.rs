use super::*;
use crate::app::testkit::*;
use crate::app::{NoticeLevel, update};
use crossterm::event::KeyCode;

fn pager(m: &Model) -> &Pager {
    match &m.mode {
        Mode::Pager(p) => p,
        other => panic!("no pager: {other:?}"),
    }
}

#[test]
fn the_message_log_keeps_every_notice_whole_with_its_time() {
    let mut m = demo();
    m.ui.utc_offset_secs = 0;
    let long = format!("Cannot reach tc.example.org: {}", "details ".repeat(30));
    m.ui.now_ms = 1_795_000_000_000;
    m.notify(NoticeLevel::Error, long.clone());
    m.ui.now_ms += 61_000;
    m.notify(NoticeLevel::Info, "Sent");
    ch(&mut m, 'L');
    let p = pager(&m);
    assert_eq!(p.kind, PagerKind::Log);
    let lines = p.viewer.lines();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].text.ends_with(long.trim_end()) || lines[0].text.contains(&long));
    assert_eq!(lines[0].tone, Tone::Error);
    assert!(
        lines[1].text.starts_with("2026-11-18 "),
        "{}",
        lines[1].text
    );
    // One line a notice, wrapped to the width: the long one takes several rows, none cut.
    assert!(p.viewer.rows().len() > 2);
    // L again (or Esc) closes it.
    ch(&mut m, 'L');
    assert_eq!(m.mode, Mode::Normal);
}

#[test]
fn the_log_is_bounded() {
    let mut m = demo();
    for i in 0..(super::super::Ui::LOG_KEPT + 20) {
        m.notify(NoticeLevel::Info, format!("notice {i}"));
    }
    assert_eq!(m.ui.log.len(), super::super::Ui::LOG_KEPT);
    assert_eq!(m.ui.log.front().unwrap().text, "notice 20");
    // The log says it is not the whole story.
    ch(&mut m, 'L');
    let Mode::Pager(p) = &m.mode else {
        panic!("{:?}", m.mode)
    };
    assert!(
        p.title.contains("the last 500 notices") && p.title.contains("older dropped"),
        "{}",
        p.title
    );
}

#[test]
fn the_help_searches_and_follows_a_resize() {
    let mut m = demo();
    ch(&mut m, '?');
    ch(&mut m, '/');
    typed(&mut m, "outbox");
    kc(&mut m, KeyCode::Enter);
    let p = pager(&m);
    assert!(p.viewer.search_status().is_some_and(|s| s.contains("1 of")));
    let before = p.viewer.width();
    update(&mut m, crate::app::Msg::Resize(160, 48));
    assert!(
        pager(&m).viewer.width() > before,
        "wrapped again to the new width"
    );
    // Esc leaves in one press (no search is being typed).
    kc(&mut m, KeyCode::Esc);
    assert_eq!(m.mode, Mode::Normal);
}
