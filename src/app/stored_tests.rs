use super::*;
use crate::app::testkit::*;
use crate::app::{Cmd, LinkStatus, Mode, Msg, Older, Pane, Prompt, update};
use crate::chat::ChatLinkEvent;
use crate::chat::types::{Chat, Envelope};
use crate::config::Config;
use crate::store::Hit;
use crossterm::event::KeyCode;
use serde_json::json;

fn chat(id: &str, title: &str) -> Chat {
    Chat::from_value(&json!({"chatId": id, "title": title, "chatType": 2})).unwrap()
}

fn ids(m: &Model) -> Vec<String> {
    m.chat
        .open
        .as_ref()
        .unwrap()
        .messages
        .iter()
        .map(|e| e.message_id.clone())
        .collect()
}

fn stored_start() -> Model {
    let mut m = Model::demo(&Config::default(), (80, 24), false);
    let page: Vec<Envelope> = (0..5)
        .map(|i| text(&format!("m{i}"), i + 1, "alice@srv"))
        .collect();
    let snap = Snapshot {
        chats: vec![chat("a", "Alpha"), chat("b", "Beta")],
        names: vec![("alice@srv".into(), "Alice \u{1b}[31mL".into())],
        open: Some(("a".into(), page)),
        notices: vec![],
        reads: vec![],
    };
    let focus = m.ui.focus;
    let cmds = update(&mut m, Msg::StoreOpened(Ok(Box::new(snap))));
    assert_eq!(m.ui.focus, focus, "the keyboard stays where it was");
    assert_eq!(
        cmds,
        vec![Cmd::LoadHistory {
            chat_id: "a".into(),
            before: None
        }],
        "the chat is asked for (of the server, or of the store while the link is down)"
    );
    m
}

#[test]
fn the_store_is_drawn_first_marked_and_the_server_replaces_it_without_duplicates() {
    let mut m = stored_start();
    assert!(m.chat.list.from_store);
    assert_eq!(m.chat.list.items.len(), 2);
    assert_eq!(
        m.chat.names["alice@srv"], "Alice L",
        "names from the store are cleaned"
    );
    let o = m.chat.open.as_ref().unwrap();
    assert!(o.from_store);
    assert_eq!(o.state, Loadable::Ready);
    assert_eq!(ids(&m), ["m0", "m1", "m2", "m3", "m4"]);
    // The link comes up: the list and the newest page are asked for again.
    let cmds = update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    assert!(cmds.contains(&Cmd::LoadChats));
    update(&mut m, Msg::ChatsLoaded(Ok(vec![chat("a", "Alpha")])));
    assert!(!m.chat.list.from_store);
    assert_eq!(
        m.chat.list.items.len(),
        1,
        "a chat gone on the server is gone"
    );
    // The server's page: m2 deleted meanwhile, m3 edited, m5 new.
    let mut m3 = text("m3", 4, "alice@srv");
    if let crate::chat::types::Content::Text { text, .. } = &mut m3.content {
        *text = "edited while away".into();
    }
    let page = vec![
        text("m5", 6, "alice@srv"),
        m3,
        text("m1", 2, "alice@srv"),
        text("m0", 1, "alice@srv"),
    ];
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "a".into(),
            before: None,
            result: Ok(page),
        },
    );
    let o = m.chat.open.as_ref().unwrap();
    assert!(!o.from_store);
    assert_eq!(ids(&m), ["m0", "m1", "m3", "m5"]);
    assert_eq!(
        o.messages.by_id("m3").unwrap().summary(),
        "edited while away"
    );
    // A stored page arriving late does not bring the copy back.
    update(
        &mut m,
        Msg::StoredPage {
            chat_id: "a".into(),
            before: None,
            result: Ok(vec![text("m2", 3, "alice@srv")]),
        },
    );
    assert_eq!(ids(&m), ["m0", "m1", "m3", "m5"]);
}

#[test]
fn the_server_first_wins_over_a_late_store() {
    let mut m = open(3);
    let snap = Snapshot {
        chats: vec![chat("z", "Zed")],
        names: vec![],
        open: Some(("z".into(), vec![])),
        notices: vec!["The message store could not be read".into()],
        reads: vec![],
    };
    assert!(update(&mut m, Msg::StoreOpened(Ok(Box::new(snap)))).is_empty());
    assert!(!m.chat.list.from_store);
    assert!(m.chat.list.items.iter().all(|c| c.id != "z"));
    assert_eq!(m.chat.open.as_ref().unwrap().chat_id, "a");
    assert!(
        m.ui.log
            .iter()
            .any(|n| n.text.contains("could not be read"))
    );
}

fn hit(chat: &str, id: &str) -> Hit {
    Hit {
        chat_id: chat.into(),
        chat_title: Some("Beta".into()),
        message_id: id.into(),
        author: "alice@srv".into(),
        author_name: None,
        timestamp: 5000,
        snippet: "the \u{2}kiwi\u{3} plan".into(),
        text: "the kiwi plan".into(),
    }
}

#[test]
fn a_global_search_follows_the_typing_and_enter_opens_the_chat_at_the_message() {
    let mut m = open(3);
    ch(&mut m, 'S');
    assert!(matches!(m.mode, Mode::Prompt(Prompt::SearchAll(_))));
    let mut asked = vec![];
    for c in "kiwi".chars() {
        asked.extend(ch(&mut m, c));
    }
    assert_eq!(asked.len(), 4, "one search per change");
    let Some(Cmd::SearchStore { seq, query }) = asked.last().cloned() else {
        panic!("{asked:?}")
    };
    assert_eq!(query, "kiwi");
    // An answer to an earlier query is dropped; the current one is shown.
    update(
        &mut m,
        Msg::StoreSearched {
            seq: seq - 1,
            result: Ok(vec![hit("b", "old")]),
        },
    );
    update(
        &mut m,
        Msg::StoreSearched {
            seq,
            result: Ok(vec![hit("b", "x1"), hit("b", "x2")]),
        },
    );
    let Mode::Prompt(Prompt::SearchAll(s)) = &m.mode else {
        panic!()
    };
    assert_eq!(s.hits.len(), 2);
    kc(&mut m, KeyCode::Down);
    let cmds = kc(&mut m, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![Cmd::LoadAround {
            chat_id: "b".into(),
            message_id: "x2".into()
        }]
    );
    assert_eq!(m.mode, Mode::Normal);
    assert_eq!(m.ui.focus, Pane::History);
    let around: Vec<Envelope> = ["x0", "x1", "x2", "x3"]
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let mut e = text(id, i as u64 + 1, "alice@srv");
            e.chat_id = "b".into();
            e
        })
        .collect();
    update(
        &mut m,
        Msg::StoredAround {
            chat_id: "b".into(),
            message_id: "x2".into(),
            result: Ok(around),
        },
    );
    let o = m.chat.open.as_ref().unwrap();
    assert_eq!(o.chat_id, "b");
    assert!(o.from_store);
    assert_eq!(o.selected.as_deref(), Some("x2"));
    assert_eq!(o.search.as_deref(), Some("kiwi"));
    assert_eq!(o.older, Older::More);
    assert_eq!(ids(&m), ["x0", "x1", "x2", "x3"]);
    // End: the newest page, of the server (the link is up).
    let cmds = kc(&mut m, KeyCode::End);
    assert_eq!(
        cmds,
        vec![Cmd::LoadHistory {
            chat_id: "b".into(),
            before: None
        }]
    );
}

#[test]
fn backfill_copies_the_selected_chat_once_at_a_time_and_says_how_far_it_came() {
    let mut m = open(3);
    m.ui.focus = Pane::Chats;
    m.chat.list.selected = Some("b".into());
    assert_eq!(
        ch(&mut m, 'B'),
        vec![Cmd::Backfill {
            chat_id: "b".into()
        }]
    );
    assert!(ch(&mut m, 'B').is_empty(), "not twice at once");
    assert!(m.ui.notice.as_ref().unwrap().text.contains("already"));
    update(
        &mut m,
        Msg::Backfilled {
            chat_id: "b".into(),
            read: 300,
            done: None,
        },
    );
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("300 messages read")
    );
    update(
        &mut m,
        Msg::Backfilled {
            chat_id: "b".into(),
            read: 340,
            done: Some(Ok(())),
        },
    );
    let n = &m.ui.notice.as_ref().unwrap().text;
    assert!(n.contains("copied into the store: 340 messages"), "{n}");
    assert!(m.chat.backfills.is_empty());
    // A late progress report after the end says nothing.
    update(
        &mut m,
        Msg::Backfilled {
            chat_id: "b".into(),
            read: 200,
            done: None,
        },
    );
    assert!(m.ui.notice.as_ref().unwrap().text.contains("340"));
    // With the link down there is nothing to copy from.
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Disconnected {
            reason: "gone".into(),
        })),
    );
    assert!(ch(&mut m, 'B').is_empty());
}

#[test]
fn offline_a_chat_opens_from_the_list_and_a_place_read_in_the_store_is_kept_on_reconnect() {
    let mut m = stored_start();
    m.ui.focus = Pane::Chats;
    m.chat.list.selected = Some("b".into());
    assert_eq!(
        kc(&mut m, KeyCode::Enter),
        vec![Cmd::LoadHistory {
            chat_id: "b".into(),
            before: None
        }],
        "the link is down: the store answers"
    );
    let mut e = text("x1", 1, "alice@srv");
    e.chat_id = "b".into();
    update(
        &mut m,
        Msg::StoredPage {
            chat_id: "b".into(),
            before: None,
            result: Ok(vec![e]),
        },
    );
    let o = m.chat.open.as_ref().unwrap();
    assert!(o.from_store);
    assert_eq!(ids(&m), ["x1"]);
    // Reading somewhere in the copy: the link coming up does not pull the page away.
    m.chat.open.as_mut().unwrap().selected = Some("x1".into());
    let cmds = update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::LoadHistory { .. })),
        "{cmds:?}"
    );
    // End asks for the server's newest.
    m.ui.focus = Pane::History;
    assert_eq!(
        kc(&mut m, KeyCode::End),
        vec![Cmd::LoadHistory {
            chat_id: "b".into(),
            before: None
        }]
    );
}

/// The store found damaged after its copy was drawn: the notice says so; what was drawn stays
/// (marked as the store's) until the server's list replaces it.
#[test]
fn a_store_found_damaged_after_it_was_drawn_says_so_and_leaves_the_copy() {
    let mut m = stored_start();
    let again = Snapshot {
        notices: vec!["the message store was damaged (x): moved to s.sqlite3.bad".into()],
        ..Snapshot::default()
    };
    let cmds = update(&mut m, Msg::StoreOpened(Ok(Box::new(again))));
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(
        m.ui.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("moved to")),
        "{:?}",
        m.ui.notice
    );
    assert!(m.chat.list.from_store);
    assert_eq!(m.chat.list.items.len(), 2);
}

/// The chat list says three unread, but this console read up to m2 in an earlier run (the
/// store's read mark): the "new messages" line goes above m3, not above m2.
#[test]
fn a_read_mark_from_an_earlier_run_bounds_the_new_messages_line() {
    let mut m = Model::demo(&Config::default(), (80, 24), false);
    let page: Vec<Envelope> = (0..5)
        .map(|i| text(&format!("m{i}"), i + 1, "alice@srv"))
        .collect();
    let read = page[2].timestamp;
    let unread = Chat::from_value(
        &json!({"chatId": "a", "title": "Alpha", "chatType": 2, "unreadMessages": 3}),
    )
    .unwrap();
    let snap = Snapshot {
        chats: vec![unread.clone()],
        names: vec![],
        open: None,
        notices: vec![],
        reads: vec![("a".into(), read)],
    };
    update(&mut m, Msg::StoreOpened(Ok(Box::new(snap))));
    assert_eq!(m.chat.read_marks.get("a"), Some(&read));
    // The server's list (three unread), the chat opened, its newest page.
    update(&mut m, Msg::ChatsLoaded(Ok(vec![unread])));
    m.chat.list.selected = Some("a".into());
    let _ = crate::app::update::open_selected(&mut m);
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "a".into(),
            before: None,
            result: Ok(page.iter().rev().cloned().collect()),
        },
    );
    let o = m.chat.open.as_ref().unwrap();
    assert_eq!(o.first_unread.as_deref(), Some("m3"));
    // Read to the newest now.
    assert_eq!(m.chat.read_marks.get("a"), Some(&page[4].timestamp));
}
