use super::*;
use crate::chat::protocol::BoxPos;
use crate::chat::types::{Author, Content};

fn chat(id: &str, title: &str, unread: u64, at: u64) -> Chat {
    Chat {
        chat_id: id.into(),
        title: Some(title.into()),
        chat_type: ChatType::Group,
        unread,
        avatar_url: None,
        last_message: Some(msg(id, "x", 0, at)),
        extra: Default::default(),
    }
}

fn msg(chat: &str, id: &str, bx: u64, at: u64) -> Envelope {
    Envelope {
        message_id: id.into(),
        chat_id: chat.into(),
        chat: None,
        timestamp: at,
        reply_message_id: None,
        reply_message: None,
        is_edited: false,
        kind: 200,
        author: Author {
            id: "alice@srv".into(),
            kind: 1,
        },
        box_pos: Some(BoxPos {
            id: bx,
            position: String::new(),
        }),
        content: Content::Text {
            text: format!("text {id}"),
            parse_mode: "text".into(),
            buttons: None,
        },
        extra: Default::default(),
    }
}

#[test]
fn unread_first_then_recent_and_live_updates() {
    let mut l = ChatList::default();
    l.set(&[
        chat("a", "A", 0, 300),
        chat("b", "B", 2, 100),
        chat("c", "C", 0, 200),
    ]);
    let order: Vec<_> = l.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(order, ["b", "a", "c"]);
    assert_eq!(l.selected.as_deref(), Some("b"));
    // A message in c makes it unread and moves it up.
    assert!(l.apply(
        &ChatEvent::Message(std::sync::Arc::new(msg("c", "m", 9, 400))),
        None,
        Some("me@srv")
    ));
    let order: Vec<_> = l.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(order, ["c", "b", "a"]);
    // Our own message, or one in the open chat, is not unread.
    l.apply(
        &ChatEvent::Message(std::sync::Arc::new(msg("a", "m2", 9, 500))),
        Some("a"),
        None,
    );
    assert_eq!(l.items.iter().find(|i| i.id == "a").unwrap().unread, 0);
    // Next unread wraps around the list.
    l.selected = Some("b".into());
    assert_eq!(l.next_unread().as_deref(), Some("c"));
    l.mark_read("c");
    l.mark_read("b");
    assert_eq!(l.next_unread(), None);
}

#[test]
fn the_filter_matches_in_order_and_selection_stays_among_matches() {
    let mut l = ChatList::default();
    l.set(&[
        chat("a", "Project Apollo", 0, 3),
        chat("b", "Announcements", 0, 2),
        chat("c", "alice@srv", 0, 1),
    ]);
    let names =
        std::collections::HashMap::from([("alice@srv".to_string(), "Alice Johnson".to_string())]);
    l.reindex(&names);
    let ids = |f: &str| {
        l.matching(f)
            .iter()
            .map(|c| c.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids("pa"), ["a"], "p…a in order");
    assert_eq!(ids("AJ"), ["c"], "by display name, any case");
    assert_eq!(ids("nnc"), ["b"]);
    assert_eq!(ids(""), ["a", "b", "c"]);
    assert!(ids("zz").is_empty());
    l.selected = Some("a".into());
    l.step_in(1, "n");
    assert_eq!(
        l.selected.as_deref(),
        Some("b"),
        "a, b and c match n; the next after a"
    );
    l.step_in(1, "aj");
    assert_eq!(
        l.selected.as_deref(),
        Some("c"),
        "a selection outside the matches jumps in"
    );
}

#[test]
fn history_keeps_box_order_and_drops_duplicates() {
    let mut o = OpenChat {
        chat_id: "a".into(),
        ..Default::default()
    };
    o.merge([msg("a", "3", 3, 3), msg("a", "1", 1, 1)]);
    o.merge([
        msg("a", "2", 2, 2),
        msg("a", "3", 3, 3),
        msg("b", "x", 0, 0),
        msg("a", "2", 2, 2),
    ]);
    let ids: Vec<_> = o.messages.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
    let mut removed = RemovedMessages::new();
    assert!(o.apply(
        ChatEvent::Removed {
            chat_id: "a".into(),
            message_id: "2".into(),
            by: None
        },
        &mut removed
    ));
    assert_eq!(o.messages.len(), 3, "a removed message stays, marked");
    assert!(o.deleted.contains("2"));
    // Opened again, the server's page no longer holds it: it is put back, deleted, in place.
    let mut again = OpenChat {
        chat_id: "a".into(),
        ..Default::default()
    };
    again.merge([msg("a", "3", 3, 3), msg("a", "1", 1, 1)]);
    again.restore_removed(&removed);
    let ids: Vec<_> = again
        .messages
        .iter()
        .map(|m| m.message_id.as_str())
        .collect();
    assert_eq!(ids, ["1", "2", "3"]);
    assert!(again.is_deleted("2"));
    // A page that starts after it does not pull it in.
    let mut later = OpenChat {
        chat_id: "a".into(),
        older: Older::More,
        ..Default::default()
    };
    later.merge([msg("a", "3", 3, 3)]);
    later.restore_removed(&removed);
    assert_eq!(later.messages.len(), 1);
    // The cursor: up from following lands on the newest; down past it follows again.
    o.step(-1);
    assert_eq!(o.selected.as_deref(), Some("3"));
    o.step(-5);
    assert_eq!(o.selected.as_deref(), Some("1"), "stops at the oldest");
    o.step(1);
    o.step(1);
    o.step(1);
    assert_eq!(o.selected, None);
}
