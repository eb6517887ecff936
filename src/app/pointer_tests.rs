use super::*;
use crate::app::testkit::*;
use crate::app::{Msg, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Draws `m` and returns where what is, with the screen's rows as text.
fn frame(m: &Model) -> (crate::ui::HitMap, Vec<String>) {
    let mut t = Terminal::new(TestBackend::new(m.ui.size.0, m.ui.size.1)).unwrap();
    let mut hits = None;
    t.draw(|f| hits = Some(crate::ui::draw(m, f))).unwrap();
    let b = t.backend().buffer();
    let rows = b
        .content()
        .chunks(b.area.width as usize)
        .map(|r| r.iter().map(ratatui::buffer::Cell::symbol).collect())
        .collect();
    (hits.unwrap(), rows)
}

/// The cell where `text` is drawn (its first column), searching rows from the top.
fn find(rows: &[String], text: &str) -> (u16, u16) {
    for (y, r) in rows.iter().enumerate() {
        if let Some(i) = r.find(text) {
            let x = unicode_width::UnicodeWidthStr::width(&r[..i]);
            return (x as u16, y as u16);
        }
    }
    panic!("{text:?} is not on screen:\n{}", rows.join("\n"));
}

fn click(m: &mut Model, text: &str) -> Vec<Cmd> {
    let (hits, rows) = frame(m);
    let (x, y) = find(&rows, text);
    let t = hits.at(x, y).cloned().expect("something is drawn there");
    update(m, Msg::Click(t))
}

#[test]
fn a_click_selects_a_chat_and_a_second_click_opens_it() {
    let mut m = open(3);
    m.ui.focus = Pane::Room;
    assert!(click(&mut m, "Beta").is_empty());
    assert_eq!(m.ui.focus, Pane::Chats);
    assert_eq!(m.chat.list.selected.as_deref(), Some("b"));
    let cmds = click(&mut m, "Beta");
    assert_eq!(
        cmds,
        vec![Cmd::LoadHistory {
            chat_id: "b".into(),
            before: None
        }]
    );
    assert_eq!(m.ui.focus, Pane::History);
}

#[test]
fn a_click_on_a_message_selects_it_and_the_wheel_scrolls() {
    let mut m = open(6);
    m.ui.focus = Pane::Chats;
    click(&mut m, "m1");
    assert_eq!(m.ui.focus, Pane::History);
    assert_eq!(sel(&m).as_deref(), Some("m1"));
    // Two notches down from m1: past the newest, following again.
    let (hits, rows) = frame(&m);
    let (x, y) = find(&rows, "m2");
    let t = hits.at(x, y).cloned().unwrap();
    update(
        &mut m,
        Msg::Wheel {
            target: t.clone(),
            up: false,
        },
    );
    assert_eq!(sel(&m).as_deref(), Some("m4"));
    update(
        &mut m,
        Msg::Wheel {
            target: t.clone(),
            up: true,
        },
    );
    update(
        &mut m,
        Msg::Wheel {
            target: t,
            up: true,
        },
    );
    assert_eq!(sel(&m).as_deref(), Some("m0"), "stops at the oldest");
}

#[test]
fn a_click_on_the_composer_writes_and_a_click_elsewhere_leaves_it_with_the_draft() {
    let mut m = open(2);
    click(&mut m, "writes a message");
    assert!(m.mode.is_composing());
    typed(&mut m, "draft");
    click(&mut m, "Alpha");
    assert!(!m.mode.is_composing());
    assert_eq!(m.composer.drafts["a"].editor.text(), "draft");
}

#[test]
fn a_pop_up_takes_clicks_and_its_buttons_are_keys() {
    let mut m = open(2);
    kc(&mut m, crossterm::event::KeyCode::Up);
    ch(&mut m, 'd'); // delete: asks "for me / for everyone"
    assert!(matches!(m.mode, Mode::Confirm(_)));
    // The panes under it do not answer.
    let (hits, _) = frame(&m);
    assert_eq!(hits.at(1, 1), Some(&Target::Popup));
    // The "for me" button deletes for me.
    let (hits, rows) = frame(&m);
    let (x, y) = find(&rows, "m for me");
    let button = hits.at(x, y).cloned().unwrap();
    let cmds = update(&mut m, Msg::Click(button.clone()));
    assert!(
        matches!(
            &cmds[..],
            [Cmd::Chat(crate::app::ChatOp::Delete { for_all: false, .. })]
        ),
        "{cmds:?}"
    );
    // A second click of the same burst, read against the same frame, does nothing: the
    // dialog is gone, and its `m` is not the microphone's.
    let room = m.room.state.clone();
    assert!(update(&mut m, Msg::Click(button)).is_empty());
    assert_eq!(m.room.state, room);
}

#[test]
fn the_call_dialogs_buttons_answer_and_the_panes_under_it_do_not() {
    let mut m = online_demo();
    ringing(&mut m);
    let (hits, rows) = frame(&m);
    // The pane under the dialog's middle does not take the click.
    let (x, y) = find(&rows, "Ringing for");
    assert_eq!(hits.at(x, y), Some(&Target::Popup));
    // The dialog's own "r reject" (the Room pane lists the keys too, as text).
    let (x, y) = find(&rows, "accept    r reject");
    let t = hits.at(x + 12, y).cloned().unwrap();
    assert_eq!(t, Target::Action(Action::Reject));
    let cmds = update(&mut m, Msg::Click(t));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::RoomRequest { method, .. } if method == "reject")),
        "{cmds:?}"
    );
}
