//! The explorer's reply pane: scrolling, full screen, and the inspector beside it.

use super::tests::{answer, ctrl, key, online, typed, x};
use super::*;
use crate::app::{LinkStatus, Msg, update};
use crate::config::Config;
use serde_json::json;

/// The explorer at 80×24 with getAppState's reply of `n` lines.
fn with_reply(n: usize) -> Model {
    let mut m = Model::demo(&Config::default(), (80, 24), false);
    update(
        &mut m,
        Msg::Room(
            0,
            crate::room::RoomLinkEvent::Status(LinkStatus::Authorized),
        ),
    );
    key(&mut m, KeyCode::Char('x'));
    typed(&mut m, "getappstate");
    key(&mut m, KeyCode::Enter);
    key(&mut m, KeyCode::Enter);
    let fields: Map<String, Value> = (0..n).map(|i| (format!("key{i:02}"), json!(i))).collect();
    answer(&mut m, 1, Ok(Value::Object(fields)));
    m
}

fn view(m: &Model) -> &crate::app::Viewer {
    &x(m).exchange.as_ref().unwrap().view
}

#[test]
fn the_reply_scrolls_opens_full_screen_and_esc_goes_back_one_level_at_a_time() {
    let mut m = with_reply(30);
    let pane = view(&m).height();
    assert!(pane > 2 && pane < 12, "the pane at 80×24: {pane} rows");
    // 30 keys, the braces and the events line.
    assert_eq!(view(&m).rows().len(), 33);
    assert_eq!(view(&m).top(), 0);
    // From the request, PgDn scrolls the reply.
    key(&mut m, KeyCode::PageDown);
    assert_eq!(view(&m).top(), pane - 1);
    key(&mut m, KeyCode::PageUp);
    assert_eq!(view(&m).top(), 0);
    // The wheel scrolls it too, wherever the pointer is over the explorer.
    update(
        &mut m,
        Msg::Wheel {
            target: crate::app::Target::Popup,
            up: false,
        },
    );
    assert_eq!(view(&m).top(), 3);
    update(
        &mut m,
        Msg::Wheel {
            target: crate::app::Target::Pane(crate::app::Pane::Room),
            up: true,
        },
    );
    assert_eq!(view(&m).top(), 0);
    // Ctrl-R gives the reply the keys; every viewer key works there.
    ctrl(&mut m, 'r');
    assert_eq!(x(&m).focus, Focus::Reply);
    assert_eq!(esc_hint(x(&m)), "back to the request");
    ctrl(&mut m, 'd');
    assert_eq!(view(&m).top(), pane / 2);
    key(&mut m, KeyCode::End);
    assert!(view(&m).at_end());
    assert_eq!(view(&m).position(), format!("{}–33 of 33", 34 - pane));
    key(&mut m, KeyCode::Char('/'));
    typed(&mut m, "key07");
    assert!(hints(x(&m)).starts_with("Type what to find"));
    assert_eq!(esc_hint(x(&m)), "cancel the search");
    key(&mut m, KeyCode::Enter);
    assert_eq!(view(&m).search_status().as_deref(), Some("match 1 of 1"));
    assert!(
        view(&m)
            .visible()
            .iter()
            .any(|r| view(&m).text(r).contains("key07"))
    );
    // Enter: full screen, where more of it shows at once.
    key(&mut m, KeyCode::Enter);
    assert!(x(&m).reply_full());
    assert!(view(&m).height() > pane + 8, "{} rows", view(&m).height());
    assert_eq!(esc_hint(x(&m)), "back to the panes");
    // Esc: one level per press — full screen, reply, request, list, out.
    key(&mut m, KeyCode::Esc);
    assert_eq!((x(&m).focus, x(&m).full), (Focus::Reply, false));
    assert_eq!(view(&m).height(), pane);
    key(&mut m, KeyCode::Esc);
    assert_eq!(x(&m).focus, Focus::Editor);
    key(&mut m, KeyCode::Esc);
    assert_eq!(x(&m).focus, Focus::List);
    assert_eq!(esc_hint(x(&m)), "leave the explorer");
    // From the list, the reply is one Ctrl-R away and Esc comes back to the list.
    ctrl(&mut m, 'r');
    assert_eq!(esc_hint(x(&m)), "back to the list");
    key(&mut m, KeyCode::Esc);
    assert_eq!(x(&m).focus, Focus::List);
    key(&mut m, KeyCode::Esc);
    assert!(m.mode.explorer().is_none());
    // Nothing to read before anything was sent.
    let mut m = online();
    key(&mut m, KeyCode::Char('x'));
    ctrl(&mut m, 'r');
    assert_eq!(x(&m).focus, Focus::List);
    assert!(m.ui.notice.as_ref().unwrap().text.contains("no reply"));
}

#[test]
fn ctrl_t_shows_the_inspector_from_the_explorer_and_the_reply_follows_the_screen() {
    let mut m = with_reply(30);
    let pane = view(&m).height();
    ctrl(&mut m, 't');
    assert!(m.ui.inspector, "Ctrl-T works in the explorer");
    assert!(
        view(&m).height() < pane,
        "the reply gives the inspector room"
    );
    key(&mut m, KeyCode::Esc);
    typed(&mut m, "t");
    assert!(m.ui.inspector, "a plain t is typed into the filter");
    assert!(x(&m).filter.query.text().ends_with('t'));
    ctrl(&mut m, 't');
    assert!(!m.ui.inspector);
    assert_eq!(view(&m).height(), pane);
    // A bigger terminal: the reply is laid out again for it.
    update(&mut m, Msg::Resize(160, 48));
    assert!(view(&m).height() > pane);
    assert!(view(&m).width() > 60);
    // Events that come within the window after the reply join it.
    let n = view(&m).lines().len();
    update(
        &mut m,
        Msg::Room(
            0,
            crate::room::RoomLinkEvent::Frame {
                outgoing: false,
                text: r#"{"method":"event","event":"appStateChanged","appState":3}"#.into(),
                at_ms: 1003,
            },
        ),
    );
    assert_eq!(view(&m).lines().len(), n + 1);
    assert!(
        view(&m)
            .lines()
            .iter()
            .any(|l| l.text.contains("Events within 2 s: 1"))
    );
    assert!(
        view(&m)
            .lines()
            .last()
            .unwrap()
            .text
            .contains("appStateChanged")
    );
    // One long after does not.
    update(
        &mut m,
        Msg::Room(
            0,
            crate::room::RoomLinkEvent::Frame {
                outgoing: false,
                text: r#"{"method":"event","event":"hardwareChanged"}"#.into(),
                at_ms: 90_000,
            },
        ),
    );
    assert_eq!(view(&m).lines().len(), n + 1);
}
