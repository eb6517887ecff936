//! The one-pass reading of a new message agrees with the general path, or leaves the frame to
//! it.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use proptest::prelude::*;
use serde_json::{Value, json};

use super::new_message;
use crate::chat::events::ChatEvent;
use crate::chat::protocol::Frame;

/// What the general path makes of a frame: the request's id and its event.
fn general(text: &str) -> Option<(u64, ChatEvent)> {
    match Frame::decode(text).ok()? {
        Frame::Request {
            id,
            method,
            payload,
        } => Some((id, ChatEvent::parse_owned(&method, payload))),
        Frame::Response { .. } => None,
    }
}

/// The one-pass reading, where it reads the frame, is the general path's message.
fn agrees(text: &str) {
    let fast = new_message(text);
    let slow = general(text);
    match (fast, slow) {
        (Some((id, e)), Some((sid, ChatEvent::Message(s)))) => {
            assert_eq!(id, sid, "{text}");
            assert_eq!(e, *s, "{text}");
        }
        (Some((_, e)), other) => panic!("read {e:?} where the general path has {other:?}: {text}"),
        (None, _) => {}
    }
}

fn frame(payload: &Value) -> String {
    json!({"method": "sendMessage", "type": 1, "id": 7, "payload": payload}).to_string()
}

#[test]
fn a_usual_message_is_read_in_one_pass_as_the_general_path_reads_it() {
    let p = json!({
        "messageId": "m1", "chatId": "c1", "timestamp": 1_700_000_000_123u64,
        "author": {"id": "alice@srv", "type": 1}, "isEdited": false, "type": 200,
        "box": {"id": 5, "position": "1"},
        "content": {"text": "hi \u{1b}[31m", "parseMode": "text"},
        "replyMessageId": "m0",
        "replyMessage": {"messageId": "m0", "content": {"text": "earlier"}, "type": 200},
        "somethingNew": [1, {"a": null}]
    });
    let text = frame(&p);
    assert!(
        new_message(&text).is_some(),
        "the hot path takes a usual message"
    );
    agrees(&text);
}

#[test]
fn lenient_forms_read_alike() {
    for p in [
        json!({"messageId": 12, "chatId": " c ", "timestamp": "1700000000", "type": "200",
               "author": "alice", "isEdited": "true", "content": {"text": 5}}),
        json!({"chat": {"chatId": "c9", "title": "T"}, "messageId": "x", "content": null}),
        json!({"messageId": "f", "type": 202, "content": {"name": "a.png", "size": "10",
               "mimeType": "image/png", "fileId": "F"}}),
        json!({}),
    ] {
        agrees(&frame(&p));
    }
}

#[test]
fn unusual_frames_are_left_to_the_general_path() {
    let p = json!({"messageId": "m1", "chatId": "c1", "content": {"text": "x"}});
    for text in [
        // The id as a string, which the general path reads.
        json!({"method": "sendMessage", "type": 1, "id": "7", "payload": p}).to_string(),
        // A key twice: the general path takes the last.
        r#"{"method":"sendMessage","type":1,"id":7,"id":8,"payload":{"messageId":"m"}}"#.into(),
        r#"{"method":"sendMessage","type":1,"id":7,"payload":{"messageId":"a","messageId":"b"}}"#
            .into(),
        // Not an object, another method, a response.
        json!({"method": "sendMessage", "type": 1, "id": 7, "payload": [p]}).to_string(),
        json!({"method": "editMessage", "type": 1, "id": 7, "payload": p}).to_string(),
        json!({"type": 2, "id": 7, "payload": p}).to_string(),
        // A frame that is an array, which a derived struct would read field by field (found
        // by a helper: the general path refuses it).
        json!(["sendMessage", 1, 7, p]).to_string(),
    ] {
        assert!(new_message(&text).is_none(), "{text}");
    }
    assert!(general(&json!(["sendMessage", 1, 7, p]).to_string()).is_none());
    // The general path still reads the first: a message, id 7.
    let text = json!({"method": "sendMessage", "type": 1, "id": "7", "payload": p}).to_string();
    assert!(matches!(general(&text), Some((7, ChatEvent::Message(_)))));
}

/// Nesting near serde_json's limit is read (or refused) as the general path reads it: the
/// payload read apart would have been allowed one level more (found by a helper at 126).
#[test]
fn deep_nesting_reads_as_the_general_path_reads_it() {
    for depth in [100, 120, 125, 126, 127, 128, 200] {
        let deep = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let text = format!(
            r#"{{"method":"sendMessage","type":1,"id":7,"payload":{{"messageId":"m","deep":{deep}}}}}"#
        );
        assert!(new_message(&text).is_none(), "depth {depth}");
        agrees(&text);
    }
}

/// Values of every JSON kind, a little nested.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
        "[ -~\u{80}-\u{10ffff}]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("200"),
            Just(" 1 "),
            Just("-3"),
            Just("1e3"),
            Just("true")
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// The envelope's keys and a few others.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "messageId",
            "chatId",
            "chat",
            "timestamp",
            "replyMessageId",
            "replyMessage",
            "isEdited",
            "type",
            "author",
            "box",
            "content",
            "text",
            "parseMode",
            "id",
            "fileId",
            "name",
            "size",
            "title",
            "position",
        ])
        .prop_map(String::from),
        "[a-z]{1,4}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_payload_reads_alike(
        kv in prop::collection::vec((key(), any_value()), 0..10)
    ) {
        let p = Value::Object(kv.into_iter().collect());
        agrees(&frame(&p));
    }
}

/// The payload read where it stands (method and type before it) and kept to be read after
/// (written before them) give the same message; a duplicate after the payload still refuses.
#[test]
fn the_payload_before_or_after_the_method_reads_alike() {
    let p = json!({"messageId": "m1", "chatId": "c1", "timestamp": 1_700_000_000_123u64,
                   "author": {"id": "alice@srv", "type": 1}, "content": {"text": "hi"}});
    let after = frame(&p);
    let before = format!(r#"{{"payload":{p},"id":7,"type":1,"method":"sendMessage"}}"#);
    let a = new_message(&after).expect("method first");
    let b = new_message(&before).expect("payload first");
    assert_eq!(a, b);
    agrees(&after);
    agrees(&before);
    for text in [
        format!(r#"{{"method":"sendMessage","type":1,"id":7,"payload":{p},"method":"x"}}"#),
        format!(r#"{{"method":"sendMessage","type":1,"payload":{p}}}"#),
        format!(r#"{{"method":"sendMessage","type":1,"id":7,"payload":{p},"payload":{p}}}"#),
    ] {
        assert!(new_message(&text).is_none(), "{text}");
    }
}
