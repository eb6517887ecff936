//! The picture view: Enter on a picture opens it at the screen's size, answers for an older
//! size are dropped, a resize asks again, closing repaints where the protocol needs it, and a
//! ringing call's keys still answer.

use std::sync::Arc;

use crossterm::event::KeyCode;
use serde_json::json;

use super::testkit::*;
use super::*;
use crate::graphics::{Kind, Whole};
use crate::room::RoomLinkEvent;

/// Chat `a` with a text (older) and a picture (newest, selected by one `k`).
fn with_picture() -> Model {
    let mut m = open_with(vec![
        env(
            "p1",
            2,
            "alice@srv",
            json!({"name": "room.png", "mimeType": "image/png", "size": 2_900, "fileId": "P1"}),
            202,
        ),
        text("t1", 1, "alice@srv"),
    ]);
    // The room is linked: its keys act (and would show here if they leaked).
    update(
        &mut m,
        Msg::Room(
            0,
            RoomLinkEvent::Status(crate::link::LinkStatus::Authorized),
        ),
    );
    ch(&mut m, 'k');
    m
}

fn made(cols: u16, rows: u16) -> Whole {
    let img = crate::preview::load(&crate::preview::test_card(160, 96, 40)).unwrap();
    Whole::Cells(Arc::new(crate::preview::fill(&img, cols, rows)))
}

fn answer(m: &mut Model, cells: (u16, u16), result: Result<Whole, String>) -> Vec<Cmd> {
    update(
        m,
        Msg::Picture {
            file_id: "P1".into(),
            cols: cells.0,
            rows: cells.1,
            result,
        },
    )
}

/// P1's file could not be fetched for its preview.
fn unfetched(m: &mut Model, why: &str) {
    update(
        m,
        Msg::PreviewUnfetched {
            file_id: "P1".into(),
            why: why.into(),
        },
    );
}

fn view(m: &Model) -> &PictureView {
    match &m.mode {
        Mode::Picture(v) => v,
        other => panic!("not the picture view: {other:?}"),
    }
}

#[test]
fn enter_on_a_picture_opens_it_at_the_screens_size() {
    let mut m = with_picture();
    assert_eq!(sel(&m).as_deref(), Some("p1"));
    let cmds = kc(&mut m, KeyCode::Enter);
    // 80x24: the frame takes two columns and two rows, the status bar one.
    assert_eq!(
        cmds,
        vec![Cmd::ShowPicture {
            file_id: "P1".into(),
            cols: 78,
            rows: 21
        }]
    );
    assert_eq!(view(&m).name, "room.png");
    assert_eq!(view(&m).state, PictureState::Loading);
    let w = made(78, 21);
    answer(&mut m, (78, 21), Ok(w.clone()));
    assert_eq!(view(&m).state, PictureState::Ready(w));
}

#[test]
fn enter_on_text_or_with_pictures_off_writes() {
    let mut m = with_picture();
    ch(&mut m, 'k');
    assert_eq!(sel(&m).as_deref(), Some("t1"));
    let cmds = kc(&mut m, KeyCode::Enter);
    assert_eq!(m.mode, Mode::Composing, "{cmds:?}");

    let mut m = with_picture();
    m.ui.term.images = false;
    let cmds = kc(&mut m, KeyCode::Enter);
    assert_eq!(m.mode, Mode::Composing);
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::ShowPicture { .. })),
        "{cmds:?}"
    );
}

#[test]
fn an_answer_for_an_older_size_is_dropped_and_a_resize_asks_again() {
    let mut m = with_picture();
    kc(&mut m, KeyCode::Enter);
    let cmds = update(&mut m, Msg::Resize(100, 30));
    assert_eq!(
        cmds,
        vec![Cmd::ShowPicture {
            file_id: "P1".into(),
            cols: 98,
            rows: 27
        }]
    );
    // The answer for 80x24 arrives after the resize: not the size on screen any more.
    answer(&mut m, (78, 21), Ok(made(78, 21)));
    assert_eq!(view(&m).state, PictureState::Loading);
    // Another picture's answer is not this one's either.
    update(
        &mut m,
        Msg::Picture {
            file_id: "P2".into(),
            cols: 98,
            rows: 27,
            result: Ok(made(98, 27)),
        },
    );
    assert_eq!(view(&m).state, PictureState::Loading);
    let w = made(98, 27);
    answer(&mut m, (98, 27), Ok(w.clone()));
    assert_eq!(view(&m).state, PictureState::Ready(w.clone()));
    // The same size again asks for nothing and keeps the picture.
    assert_eq!(update(&mut m, Msg::Resize(100, 30)), vec![]);
    assert_eq!(view(&m).state, PictureState::Ready(w));
}

#[test]
fn a_refusal_is_shown_and_stands_across_a_resize() {
    let mut m = with_picture();
    kc(&mut m, KeyCode::Enter);
    answer(
        &mut m,
        (78, 21),
        Err("too large: 20000×20000 pixels".into()),
    );
    assert_eq!(
        view(&m).state,
        PictureState::Refused("too large: 20000×20000 pixels".into())
    );
    update(&mut m, Msg::Resize(120, 40));
    assert!(matches!(view(&m).state, PictureState::Refused(_)));
}

#[test]
fn esc_enter_and_q_close_it_and_sixel_or_iterm2_repaint_the_screen() {
    for (close, kind, repaint) in [
        (KeyCode::Esc, Kind::Halfblocks, false),
        (KeyCode::Enter, Kind::Kitty, false),
        (KeyCode::Char('q'), Kind::Sixel, true),
        (KeyCode::Esc, Kind::Iterm2, true),
    ] {
        let mut m = with_picture();
        m.ui.term.pictures = kind;
        kc(&mut m, KeyCode::Enter);
        // Other keys do nothing here (j: no newer picture; i: no composing).
        assert_eq!(ch(&mut m, 'j'), vec![]);
        assert_eq!(ch(&mut m, 'i'), vec![]);
        assert!(matches!(m.mode, Mode::Picture(_)));
        let cmds = kc(&mut m, close);
        assert_eq!(m.mode, Mode::Normal, "{close:?}");
        assert!(!cmds.contains(&Cmd::Quit), "{close:?} closes, never quits");
        assert_eq!(cmds.contains(&Cmd::Repaint), repaint, "{kind:?}: {cmds:?}");
        // The history still has the keyboard and the picture.
        assert_eq!(sel(&m).as_deref(), Some("p1"));
    }
}

#[test]
fn a_ringing_calls_keys_answer_it_over_the_picture() {
    let mut m = with_picture();
    kc(&mut m, KeyCode::Enter);
    ringing(&mut m);
    let mut plain = m.clone();
    plain.mode = Mode::Normal;
    let want = update(&mut plain, press('a'));
    assert!(!want.is_empty(), "a accepts in the normal mode");
    assert_eq!(update(&mut m, press('a')), want);
}

#[test]
fn esc_closes_the_picture_over_our_outgoing_call_and_hangs_nothing_up() {
    let mut m = with_picture();
    kc(&mut m, KeyCode::Enter);
    let mut st = m.room.state.clone();
    st.calling = Some("carol@video.example.com".into());
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    assert!(
        m.room.dialog().is_some(),
        "the outgoing call's dialog, under the picture"
    );
    let mut plain = m.clone();
    plain.mode = Mode::Normal;
    assert!(
        !kc(&mut plain, KeyCode::Esc).is_empty(),
        "Esc hangs up in the normal mode"
    );
    let cmds = kc(&mut m, KeyCode::Esc);
    assert_eq!(m.mode, Mode::Normal);
    assert_eq!(cmds, vec![], "Esc hangs nothing up");
}

#[test]
fn download_and_the_room_keys_act_from_the_picture_view() {
    for c in ['o', 'm', 'v', '+'] {
        let mut m = with_picture();
        let mut plain = m.clone();
        kc(&mut m, KeyCode::Enter);
        let want = update(&mut plain, press(c));
        assert!(!want.is_empty(), "{c} acts in the normal mode");
        assert_eq!(update(&mut m, press(c)), want, "{c}");
        assert!(
            matches!(m.mode, Mode::Picture(_)),
            "{c} leaves the view open"
        );
    }
}

#[test]
fn a_preview_whose_file_could_not_be_fetched_is_asked_for_again() {
    use super::previews::Preview;
    let mut m = with_picture();
    unfetched(&mut m, "download failed: connection refused");
    assert!(matches!(
        m.chat.previews.get("P1"),
        Some(Preview::Unfetched(_))
    ));
    // The chat's page comes again (the chat reopened): asked again.
    let page = vec![env(
        "p1",
        2,
        "alice@srv",
        json!({"name": "room.png", "mimeType": "image/png", "size": 2_900, "fileId": "P1"}),
        202,
    )];
    let cmds = update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "a".into(),
            before: None,
            result: Ok(page),
        },
    );
    assert!(
        cmds.contains(&Cmd::Preview {
            file_id: "P1".into()
        }),
        "{cmds:?}"
    );
    assert_eq!(m.chat.previews.get("P1"), Some(&Preview::Loading));
    // A refusal (the picture itself) is not asked again.
    update(
        &mut m,
        Msg::Preview {
            file_id: "P1".into(),
            result: Err("unexpected end of file".into()),
            graphic: None,
        },
    );
    let cmds = update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "a".into(),
            before: None,
            result: Ok(vec![]),
        },
    );
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::Preview { .. })));
}

#[test]
fn the_picture_view_fetching_the_file_remakes_a_preview_that_could_not() {
    use super::previews::Preview;
    let mut m = with_picture();
    unfetched(&mut m, "download failed: timed out");
    kc(&mut m, KeyCode::Enter);
    let cmds = answer(&mut m, (78, 21), Ok(made(78, 21)));
    assert_eq!(
        cmds,
        vec![Cmd::Preview {
            file_id: "P1".into()
        }]
    );
    assert_eq!(m.chat.previews.get("P1"), Some(&Preview::Loading));
    // Refused by the view: nothing asked.
    let mut m = with_picture();
    unfetched(&mut m, "download failed: timed out");
    kc(&mut m, KeyCode::Enter);
    assert_eq!(answer(&mut m, (78, 21), Err("timed out".into())), vec![]);
}

#[test]
fn up_and_down_show_the_chats_other_pictures_and_move_the_cursor_with_them() {
    let pic = |id: &str, bx: u64, fid: &str| {
        env(
            id,
            bx,
            "alice@srv",
            json!({"name": format!("{fid}.png"), "mimeType": "image/png", "size": 100, "fileId": fid}),
            202,
        )
    };
    for kind in [Kind::Halfblocks, Kind::Sixel] {
        let mut m = open_with(vec![
            pic("p3", 5, "P3"),
            text("t2", 4, "alice@srv"),
            pic("p2", 3, "P2"),
            text("t1", 2, "alice@srv"),
            pic("p1", 1, "P1"),
        ]);
        m.ui.term.pictures = kind;
        ch(&mut m, 'k');
        assert_eq!(sel(&m).as_deref(), Some("p3"));
        kc(&mut m, KeyCode::Enter);
        // Older: P2, skipping the text between.
        let cmds = kc(&mut m, KeyCode::Up);
        assert_eq!(sel(&m).as_deref(), Some("p2"));
        assert_eq!(view(&m).file_id, "P2");
        assert!(cmds.contains(&Cmd::ShowPicture {
            file_id: "P2".into(),
            cols: 78,
            rows: 21
        }));
        assert_eq!(
            cmds.contains(&Cmd::Repaint),
            kind == Kind::Sixel,
            "{cmds:?}"
        );
        kc(&mut m, KeyCode::Up);
        assert_eq!(view(&m).file_id, "P1");
        // Past the oldest: nothing happens.
        assert_eq!(kc(&mut m, KeyCode::Up), vec![]);
        assert_eq!(view(&m).file_id, "P1");
        ch(&mut m, 'j');
        assert_eq!(view(&m).file_id, "P2");
        // Closed: the cursor is on the picture last shown.
        kc(&mut m, KeyCode::Esc);
        assert_eq!(sel(&m).as_deref(), Some("p2"));
    }
}
