//! The readers against the variants docs/chat-protocol.md lists.

use super::*;
use serde_json::json;

#[test]
fn envelopes_read_every_variant_the_sources_show() {
    // Seed form: flat chatId, no chat object, position "0".
    let e = Envelope::from_value(&json!({"chatId": "c1", "messageId": "m1",
        "timestamp": 1746029007569u64, "author": {"id": "brown@srv", "type": 1},
        "isEdited": false, "box": {"id": 4, "position": "0"}, "type": 200,
        "content": {"text": "Text", "parseMode": "html"}}))
    .unwrap();
    assert_eq!(e.chat_id, "c1");
    assert_eq!(e.box_pos.as_ref().unwrap().id, 4);
    assert!(
        matches!(&e.content, Content::Text { text, parse_mode, .. } if text == "Text" && parse_mode == "html")
    );
    // 5.5.6 form: chat object wins; seconds become milliseconds; attachment `id` fallback.
    let e = Envelope::from_value(
        &json!({"chat": {"chatId": "c2", "chatTitle": null, "chatType": 2},
        "messageId": "m2", "timestamp": "1735370776", "type": 202,
        "author": {"id": "a@srv", "type": 1},
        "content": {"name": "x.png", "mimeType": "image/png", "size": "12", "id": "f1"}}),
    )
    .unwrap();
    assert_eq!(e.chat_id, "c2");
    assert_eq!(e.timestamp, 1_735_370_776_000);
    assert!(matches!(&e.content, Content::Attachment { file_id, size: 12, .. } if file_id == "f1"));
    // Unknown keys are kept.
    let e = Envelope::from_value(&json!({"type": 200, "content": {"text": "x"}, "reactions": [1]}))
        .unwrap();
    assert_eq!(e.extra.get("reactions"), Some(&json!([1])));
    // Unknown type: raw content kept.
    let e = Envelope::from_value(&json!({"type": 999, "content": {"x": 1}})).unwrap();
    assert_eq!(e.content, Content::Unknown(json!({"x": 1})));
    // Forward: nested, and oc's flat form.
    let e = Envelope::from_value(&json!({"type": 201, "content": {"messageId": "o",
        "type": 200, "content": {"text": "hi", "parseMode": "text"}}}))
    .unwrap();
    assert_eq!(e.summary(), "↪ hi");
    let e = Envelope::from_value(&json!({"type": 201, "content": {"text": "flat"}})).unwrap();
    assert_eq!(e.summary(), "↪ flat");
    // System record with a user author of type 0 is still system by its type.
    let e = Envelope::from_value(&json!({"type": 110, "author": {"id": "u@srv", "type": 0},
        "content": {"userId": "bot@srv", "role": "user"}}))
    .unwrap();
    assert!(e.is_system());
    assert!(matches!(
        e.content,
        Content::RoleSet {
            role: Some(Role::User),
            ..
        }
    ));
    // A string forAll.
    let e = Envelope::from_value(&json!({"type": 23, "content": {"forAll": "true"}})).unwrap();
    assert_eq!(e.content, Content::HistoryCleared { for_all: true });
}

#[test]
fn roles_strings_numbers_and_unknown() {
    assert_eq!(Role::from_value(&json!("writer")), Some(Role::Writer));
    assert_eq!(Role::from_value(&json!(1)), Some(Role::Admin));
    assert_eq!(
        Role::from_value(&json!("guest")),
        Some(Role::Other("guest".into()))
    );
}

#[test]
fn file_info_reads_file_id_or_info_hash() {
    let f = FileInfo::from_value(&json!({"name": "a", "size": 3, "mimeType": "",
        "readyState": 1, "downloadUrl": null, "previews": null, "infoHash": "h"}))
    .unwrap();
    assert_eq!(f.file_id, "h");
    assert_eq!(f.ready_state, ReadyState::Uploading);
    assert_eq!(f.download_url, None);
}

#[test]
fn upload_limits_follow_the_allow_and_block_rules() {
    let l = UploadLimits::from_value(
        &json!({"maxSize": 1000, "extensions": {"mode": "allow", "list": [".PDF", "png"]}}),
    );
    assert_eq!(l.extensions, ["pdf", "png"]);
    assert!(l.refuse("a.pdf", 10).is_none());
    assert!(l.refuse("a.exe", 10).is_some());
    assert!(
        l.refuse("README", 10).is_some(),
        "allow mode: no extension fails"
    );
    assert!(l.refuse("a.pdf", 1001).is_some());
    let l = UploadLimits::from_value(&json!({"maxSize": null,
        "extensions": {"mode": "block", "list": ["exe"]}}));
    assert!(
        l.refuse("README", 10).is_none(),
        "block mode: no extension passes"
    );
    assert!(l.refuse("x.EXE", 10).is_some());
    assert_eq!(
        UploadLimits::from_value(&json!({"maxSize": null, "extensions": null})),
        UploadLimits::default()
    );
}

#[test]
fn a_key_of_an_unexpected_type_leaves_only_that_key_out() {
    let e = Envelope::from_value(
        &json!({"chatId": 12, "messageId": ["m"], "isEdited": {"x": 1},
        "chat": "c", "box": 4, "replyMessageId": "", "timestamp": -5, "type": "200",
        "author": "a@srv", "content": {"text": 3.5, "parseMode": null}, "reactions": {"👍": 2}}),
    )
    .unwrap();
    assert_eq!((e.chat_id.as_str(), e.message_id.as_str()), ("12", ""));
    assert_eq!((e.chat, e.box_pos, e.reply_message_id), (None, None, None));
    assert_eq!((e.is_edited, e.timestamp, e.kind), (false, 0, 200));
    // An author that is not an object is a user without an id; a missing one is the default.
    assert_eq!(
        e.author,
        Author {
            id: String::new(),
            kind: 1
        }
    );
    assert_eq!(
        e.content,
        Content::Text {
            text: "3.5".into(),
            parse_mode: "text".into(),
            buttons: None
        }
    );
    assert_eq!(e.extra.get("reactions"), Some(&json!({"👍": 2})));
    let e = Envelope::from_value(&json!({"type": 200, "content": {"text": "x"}})).unwrap();
    assert_eq!(e.author, Author::default());
    // Known keys never land in `extra`; a chat keeps the keys it does not know.
    assert!(e.extra.is_empty());
    let c = Chat::from_value(
        &json!({"chatId": "c", "chatType": "6", "unreadMessages": "x",
        "lastMessage": 5, "pinned": true}),
    )
    .unwrap();
    assert_eq!(
        (c.chat_type, c.unread, c.last_message),
        (ChatType::Channel, 0, None)
    );
    assert_eq!(c.extra, *json!({"pinned": true}).as_object().unwrap());
    assert_eq!(Chat::from_value(&json!({"chatId": null})), None);
    // Unknown enum values are kept.
    let c = Chat::from_value(&json!({"chatId": "c", "chatType": 9})).unwrap();
    assert_eq!(c.chat_type, ChatType::Unknown(9));
    let f = FileInfo::from_value(&json!({"fileId": "f", "size": "3", "readyState": 7,
        "previews": [{"name": "p", "size": "1"}, "junk"]}))
    .unwrap();
    assert_eq!(f.ready_state, ReadyState::Unknown(7));
    assert_eq!(f.previews.len(), 2);
    assert_eq!((f.previews[0].size, f.previews[1].name.as_str()), (1, ""));
}

#[test]
fn every_content_written_for_the_store_reads_back_the_same() {
    let wires = [
        json!({"chatId": "c1", "messageId": "m1", "timestamp": 1746029007569u64,
            "author": {"id": "brown@srv", "type": 1}, "isEdited": true,
            "box": {"id": 4, "position": "0"}, "type": 200, "replyMessageId": "m0",
            "content": {"text": "Text", "parseMode": "html", "buttons": [[{"text": "ok"}]]},
            "reactions": [1]}),
        json!({"chat": {"chatId": "c2", "chatTitle": "T", "chatType": 2}, "messageId": "m2",
            "timestamp": 1735370776000u64, "type": 202, "author": {"id": "a@srv", "type": 1},
            "content": {"name": "x.png", "mimeType": "image/png", "size": 12, "fileId": "f1",
                "readyState": 1}}),
        json!({"messageId": "m3", "type": 201, "content": {"messageId": "o", "type": 200,
            "author": {"id": "b@srv", "type": 1}, "content": {"text": "hi", "parseMode": "text"}},
            "replyMessage": {"messageId": "m0", "type": 200, "content": {"text": "q"}}}),
        json!({"messageId": "m4", "type": 203,
            "content": {"latitude": 55.5, "longitude": 37.25, "title": "Office"}}),
        json!({"messageId": "m5", "type": 204, "content": {"title": "Poll", "url": "https://x", "z": 1}}),
        json!({"messageId": "m6", "type": 205,
            "content": {"fileId": "f2", "size": 9, "mimeType": "audio/ogg", "duration": 3}}),
        json!({"messageId": "m7", "type": 1, "author": {"id": "", "type": 0},
            "content": {"userId": "u@srv", "role": "admin"}}),
        json!({"messageId": "m8", "type": 110, "content": {"userId": "u@srv"}}),
        json!({"messageId": "m9", "type": 2, "content": {"userId": "u@srv"}}),
        json!({"messageId": "m10", "type": 21, "content": {"title": "New"}}),
        json!({"messageId": "m11", "type": 22, "content": {"avatarUrl": null}}),
        json!({"messageId": "m12", "type": 23, "content": {"forAll": true}}),
        json!({"messageId": "m13", "type": 999, "content": {"x": [1, 2]}}),
    ];
    for w in wires {
        let e = Envelope::from_value(&w).unwrap();
        let back = Envelope::from_value(&e.to_wire()).unwrap();
        assert_eq!(back, e, "{w}");
    }
}
