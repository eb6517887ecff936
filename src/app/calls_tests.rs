use super::*;
use crate::app::testkit::*;
use crate::app::{AppError, LinkStatus, Msg, update};
use crate::room::RoomLinkEvent;
use crate::room::history::Direction;

fn history(calls: serde_json::Value) -> CallHistory {
    crate::room::history::parse(
        json!({ "calls": calls, "lastView": 1000 })
            .as_object()
            .unwrap(),
    )
}

fn carol_missed() -> CallHistory {
    history(json!([
        {"type": 2, "peerId": "carol@video.example.com", "peerDn": "Carol", "startTime": 2000, "viewed": false},
        {"type": 1, "peerId": "bob@video.example.com", "peerDn": "Bob", "startTime": 900, "duration": 65, "viewed": true}
    ]))
}

#[test]
fn l_opens_the_shown_rooms_history_and_marks_it_viewed_once_read() {
    let mut m = online_demo();
    assert_eq!(update(&mut m, press('l')), vec![Cmd::CallHistory(0)]);
    assert!(matches!(&m.mode, Mode::Calls(v) if v.room == 0 && v.state == CallsState::Loading));
    let cmds = update(&mut m, Msg::CallHistory(0, Ok(carol_missed())));
    assert_eq!(
        cmds,
        vec![Cmd::room(0, "setLastCallsViewed", json!({}))],
        "read with the view open: viewed"
    );
    let Mode::Calls(v) = &m.mode else {
        panic!("the view closed")
    };
    let CallsState::Ready(calls) = &v.state else {
        panic!("{:?}", v.state)
    };
    assert_eq!(calls[0].direction, Direction::Missed);
    assert_eq!(m.room.missed, Some(0));
    // `l` again (or Esc) closes it.
    update(&mut m, press('l'));
    assert_eq!(m.mode, Mode::Normal);
}

#[test]
fn a_history_read_in_the_background_counts_the_missed_calls_for_the_strip() {
    let mut m = online_demo();
    assert_eq!(m.room.missed, None, "not known before the Room says");
    let cmds = update(&mut m, Msg::CallHistory(1, Ok(carol_missed())));
    assert!(cmds.is_empty(), "nothing is marked viewed unseen");
    assert_eq!(m.room.slot(1).unwrap().missed, Some(1));
    assert_eq!(m.room.missed, None, "the other rooms are untouched");
    // A failure makes the count unknown again, not zero.
    update(&mut m, Msg::CallHistory(1, Err(AppError::NoRoom)));
    assert_eq!(m.room.slot(1).unwrap().missed, None);
}

#[test]
fn enter_calls_back_from_that_room_after_asking() {
    let mut m = online_demo();
    update(&mut m, press('l'));
    update(&mut m, Msg::CallHistory(0, Ok(carol_missed())));
    kc(&mut m, crossterm::event::KeyCode::Down);
    assert!(kc(&mut m, crossterm::event::KeyCode::Enter).is_empty());
    let Mode::Confirm(c) = &m.mode else {
        panic!("no confirmation: {:?}", m.mode)
    };
    assert_eq!(
        c.question,
        "From Board room, call Bob (bob@video.example.com)?"
    );
    let cmds = update(&mut m, press('y'));
    assert_eq!(
        cmds,
        vec![Cmd::room(
            0,
            "call",
            json!({ "peerId": "bob@video.example.com" })
        )]
    );
}

#[test]
fn a_call_with_nobody_named_is_not_called() {
    let mut m = online_demo();
    update(&mut m, press('l'));
    update(
        &mut m,
        Msg::CallHistory(0, Ok(history(json!([{"type": 2}])))),
    );
    assert!(kc(&mut m, crossterm::event::KeyCode::Enter).is_empty());
    assert!(matches!(m.mode, Mode::Calls(_)), "no confirmation");
    assert!(m.ui.notice.unwrap().text.contains("did not say who"));
}

#[test]
fn a_failed_read_is_shown_in_the_view() {
    let mut m = online_demo();
    update(&mut m, press('l'));
    update(&mut m, Msg::CallHistory(0, Err(AppError::NoRoom)));
    assert!(matches!(&m.mode, Mode::Calls(v) if matches!(v.state, CallsState::Failed(_))));
}

#[test]
fn the_history_is_read_when_a_link_comes_up_and_when_a_call_stops_ringing_unanswered() {
    let mut m = demo();
    let cmds = update(
        &mut m,
        Msg::Room(2, RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    assert!(cmds.contains(&Cmd::CallHistory(2)), "{cmds:?}");
    // Up again while up: not read again.
    let cmds = update(
        &mut m,
        Msg::Room(2, RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    assert!(!cmds.contains(&Cmd::CallHistory(2)));
    ringing_at(&mut m, 2);
    let mut st = m.room.slot(2).unwrap().state.clone();
    st.invite = None;
    let cmds = update(&mut m, Msg::Room(2, RoomLinkEvent::State(Box::new(st))));
    assert!(cmds.contains(&Cmd::CallHistory(2)), "{cmds:?}");
}

#[test]
fn calling_back_during_a_call_is_refused_before_asking() {
    let mut m = online_demo();
    ringing(&mut m);
    update(&mut m, press('l'));
    // The dialog's Enter is the view's here; the Room is ringing: no call back.
    update(&mut m, Msg::CallHistory(0, Ok(carol_missed())));
    // Keys under the ringing call's box reach nothing; answer it first.
    assert!(kc(&mut m, crossterm::event::KeyCode::Enter).is_empty());
    assert!(matches!(m.mode, Mode::Calls(_)));
    let mut st = m.room.state.clone();
    st.invite = None;
    st.app_state = Some(crate::room::AppState::Conference);
    update(
        &mut m,
        Msg::Room(0, crate::room::RoomLinkEvent::State(Box::new(st))),
    );
    assert!(kc(&mut m, crossterm::event::KeyCode::Enter).is_empty());
    assert!(matches!(m.mode, Mode::Calls(_)), "no confirmation");
    assert_eq!(
        m.ui.notice.as_ref().unwrap().text,
        "Board room is in a call: hang up first to call back"
    );
}
