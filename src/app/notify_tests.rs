//! Notifications of messages and calls, copying, and opening a downloaded file, as commands.

use serde_json::json;

use crate::app::testkit::*;
use crate::app::{Cmd, Msg, update};
use crate::chat::ChatLinkEvent;
use crate::chat::events::ChatEvent;
use crate::chat::types::Envelope;

fn message(chat: &str, id: &str, author: &str, words: &str) -> Msg {
    let e = Envelope::from_value(&json!({"chatId": chat, "messageId": id, "timestamp": 9_000,
        "type": 200, "author": {"id": author, "type": 1}, "box": {"id": 900, "position": ""},
        "content": {"text": words, "parseMode": "text"}}))
    .unwrap();
    Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(
        std::sync::Arc::new(e),
    )))
}

fn notifications(cmds: &[Cmd]) -> Vec<&str> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Terminal(s) if s.starts_with("\x1b]777;") => Some(s.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_message_elsewhere_or_a_mention_notifies_at_most_every_few_seconds() {
    let mut m = open(3);
    m.ui.term.notify = Some(crate::osc::Notify::Osc777);
    m.ui.now_ms = 1_000_000;
    // In the open chat, nothing; in the other, a notification with the chat and the author.
    assert!(notifications(&update(&mut m, message("a", "x1", "alice@srv", "hi"))).is_empty());
    let cmds = update(&mut m, message("b", "x2", "alice@srv", "over here"));
    assert_eq!(
        notifications(&cmds),
        ["\x1b]777;notify;New message in Beta;alice@srv: over here\x1b\\"]
    );
    // A second within 3 s: none; our own: none.
    m.ui.now_ms += 1_000;
    assert!(notifications(&update(&mut m, message("b", "x3", "alice@srv", "again"))).is_empty());
    m.ui.now_ms += 5_000;
    assert!(notifications(&update(&mut m, message("b", "x4", ME, "mine"))).is_empty());
    // A mention in the open chat does notify.
    let cmds = update(&mut m, message("a", "x5", "alice@srv", "ping @OP please"));
    assert_eq!(notifications(&cmds).len(), 1);
    assert!(notifications(&cmds)[0].contains("Mentioned in Alpha"));
    // Off: nothing at all.
    m.ui.term.notify = None;
    m.ui.now_ms += 10_000;
    assert!(notifications(&update(&mut m, message("b", "x6", "alice@srv", "x"))).is_empty());
}

#[test]
fn copying_can_be_turned_off_and_says_so() {
    let mut m = open(3);
    m.ui.term.copy = false;
    crate::app::testkit::kc(&mut m, crossterm::event::KeyCode::Up);
    let cmds = ch(&mut m, 'y');
    assert!(cmds.is_empty());
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("Copying is off")
    );
    m.ui.term.copy = true;
    let cmds = ch(&mut m, 'y');
    assert!(matches!(cmds.as_slice(), [Cmd::Terminal(s)] if s.starts_with("\x1b]52;c;")));
}

#[test]
fn an_incoming_call_notifies_with_its_room_even_with_the_bell_off() {
    let mut m = online_demo();
    m.ui.bell = false;
    m.ui.term.notify = Some(crate::osc::Notify::Osc9);
    let cmds = update(
        &mut m,
        Msg::Room(
            1,
            crate::room::RoomLinkEvent::Event(crate::room::RoomEvent::InviteReceived {
                peer_id: "dave@video.example.com".into(),
                peer_dn: "Dave \x1b]0;x\x07Brown".into(),
                conf_type: 0,
                conf_id: "c1".into(),
                conf_title: None,
            }),
        ),
    );
    assert_eq!(
        cmds,
        vec![Cmd::Terminal(
            "\x1b]9;TrueConf: incoming call: Huddle: Incoming call from Dave Brown\x1b\\".into()
        )]
    );
}
