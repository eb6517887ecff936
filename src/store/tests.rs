//! The store against real SQLite files in a temporary directory.

use super::*;
use serde_json::json;

pub(super) fn msg(chat: &str, id: &str, ts: u64, author: &str, text: &str) -> Envelope {
    Envelope::from_value(&json!({"chatId": chat, "messageId": id, "timestamp": ts,
        "author": {"id": author, "type": 1}, "type": 200,
        "content": {"text": text, "parseMode": "text"}}))
    .unwrap()
}

fn chat(id: &str, title: &str) -> Chat {
    Chat::from_value(&json!({"chatId": id, "title": title, "chatType": 2, "unreadMessages": 3}))
        .unwrap()
}

fn ids(page: &[Envelope]) -> Vec<&str> {
    page.iter().map(|e| e.message_id.as_str()).collect()
}

fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let (s, notice) = Store::open(&dir.path().join("s.sqlite3")).unwrap();
    assert_eq!(notice, None);
    (dir, s)
}

#[test]
fn a_new_store_is_private_and_at_the_latest_version() {
    let (dir, s) = fresh();
    let v: u32 = s
        .conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, schema::VERSION);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("s.sqlite3"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let mode = std::fs::metadata(dir.path().join("s.sqlite3-wal"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_store_of_the_first_schema_is_migrated_and_its_messages_become_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(schema::V1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        let e = msg("c1", "m1", 1000, "alice@srv", "the quarterly budget review");
        conn.execute(
            "INSERT INTO messages (chat_id, message_id, ts, author, kind, body, json)
             VALUES ('c1', 'm1', 1000, 'alice@srv', 200, ?1, ?2)",
            params![body(&e), e.to_wire().to_string()],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO chats (chat_id, json, updated_ms) VALUES ('c1', ?1, 0)",
            [chat("c1", "Budget").to_wire().to_string()],
        )
        .unwrap();
    }
    let (s, notice) = Store::open(&path).unwrap();
    assert_eq!(notice, None, "a migration is not a failure");
    let hits = s.search("budget", None, 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].message_id, "m1");
    assert_eq!(hits[0].chat_title.as_deref(), Some("Budget"));
    assert!(
        hits[0].snippet.contains("\u{2}budget\u{3}"),
        "{:?}",
        hits[0].snippet
    );
    assert_eq!(ids(&s.page("c1", None, 10).unwrap()), ["m1"]);
}

/// A store of version 2 (full-text search without the prefix lists) keeps its messages and
/// their index through version 3: a word, and the first letters of one, still find them, and
/// what is written after is found too.
#[test]
fn a_store_of_the_second_schema_is_migrated_and_stays_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.sqlite3");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(schema::V1).unwrap();
        conn.execute_batch(schema::V2).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        for (id, text) in [
            ("m1", "the quarterly budget review"),
            ("m2", "lunch at noon"),
        ] {
            let e = msg("c1", id, 1000, "alice@srv", text);
            conn.execute(
                "INSERT INTO messages (chat_id, message_id, ts, author, kind, body, json)
                 VALUES ('c1', ?1, 1000, 'alice@srv', 200, ?2, ?3)",
                params![id, body(&e), e.to_wire().to_string()],
            )
            .unwrap();
        }
    }
    let (mut s, notice) = Store::open(&path).unwrap();
    assert_eq!(notice, None, "a migration is not a failure");
    let v: u32 = s
        .conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, schema::VERSION);
    let found = |s: &Store, q: &str| -> Vec<String> {
        let mut ids: Vec<String> = s
            .search(q, None, 10)
            .unwrap()
            .into_iter()
            .map(|h| h.message_id)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(found(&s, "budget"), ["m1"]);
    // One, two and three letters (the prefix lists), and four (a merge of words).
    assert_eq!(found(&s, "b"), ["m1"]);
    assert_eq!(found(&s, "qu"), ["m1"]);
    assert_eq!(found(&s, "noo"), ["m2"]);
    assert_eq!(found(&s, "quar"), ["m1"]);
    assert_eq!(found(&s, "l"), ["m2"]);
    s.apply(&[Write::Messages(vec![msg(
        "c1",
        "m3",
        2000,
        "bob@srv",
        "budgeting again",
    )])])
    .unwrap();
    assert_eq!(found(&s, "bu"), ["m1", "m3"]);
    assert_eq!(found(&s, "budget"), ["m1", "m3"]);
    assert_eq!(found(&s, "budget review"), ["m1"]);
    // An edit leaves the old words' lists.
    s.apply(&[Write::Messages(vec![msg(
        "c1",
        "m3",
        2000,
        "bob@srv",
        "nothing now",
    )])])
    .unwrap();
    assert_eq!(found(&s, "bu"), ["m1"]);
    assert_eq!(found(&s, "budget"), ["m1"]);
    assert_eq!(found(&s, "no"), ["m2", "m3"]);
}

#[test]
fn a_store_from_a_newer_build_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite3");
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let err = Store::open(&path).err().unwrap().to_string();
    assert!(err.contains("newer"), "{err}");
    assert!(path.exists());
    assert!(!dir.path().join("new.sqlite3.bad").exists());
}

#[test]
fn a_file_that_is_not_a_database_is_moved_aside_and_a_new_store_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let junk = b"this is not an SQLite database, just bytes \x00\x01\x02".repeat(200);
    std::fs::write(&path, &junk).unwrap();
    let (mut s, notice) = Store::open(&path).unwrap();
    let notice = notice.expect("a notice says what happened");
    assert!(notice.contains("moved to"), "{notice}");
    let aside = dir.path().join("s.sqlite3.bad");
    assert_eq!(
        std::fs::read(&aside).unwrap(),
        junk,
        "the old file is kept as it was"
    );
    s.apply(&[Write::Messages(vec![msg(
        "c",
        "m",
        1,
        "a",
        "after the rebuild",
    )])])
    .unwrap();
    assert_eq!(s.search("rebuild", None, 5).unwrap().len(), 1);
}

/// A store of 3,000 messages at `path`, then pages in the middle of the file (past the header
/// and the schema) overwritten: it opens, and its check fails.
pub(super) fn damage(path: &Path) {
    {
        let (mut s, _) = Store::open(path).unwrap();
        let many: Vec<Envelope> = (0..3000)
            .map(|i| {
                msg(
                    "c",
                    &format!("m{i}"),
                    i,
                    "a",
                    &format!("message number {i} with some words"),
                )
            })
            .collect();
        s.apply(&[Write::Messages(many)]).unwrap();
        s.conn
            .pragma_update(None, "wal_checkpoint", "TRUNCATE")
            .unwrap();
    }
    let mut bytes = std::fs::read(path).unwrap();
    assert!(bytes.len() > 64 * 1024, "{}", bytes.len());
    for b in &mut bytes[40 * 1024..56 * 1024] {
        *b = 0x5a;
    }
    std::fs::write(path, &bytes).unwrap();
}

#[test]
fn a_database_damaged_inside_fails_its_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    damage(&path);
    let damaged = Store::open(&path).and_then(|(s, _)| s.check());
    assert!(damaged.is_err(), "the check finds the damage");
    let (s, notice) = Store::open_aside(&path, "damaged").unwrap();
    assert!(notice.contains("moved to"));
    s.check().unwrap();
    assert_eq!(s.counts().unwrap().messages, 0);
}

#[test]
fn pushes_edits_and_deletions_change_what_is_held() {
    let (_d, mut s) = fresh();
    s.apply(&[
        Write::Chats(vec![chat("c1", "One"), chat("c2", "Two")]),
        Write::Messages(vec![
            msg("c1", "m1", 10, "a", "first words"),
            msg("c1", "m2", 20, "b", "second words"),
            msg("c1", "m3", 30, "a", "third words"),
        ]),
    ])
    .unwrap();
    s.apply(&[
        Write::Edited {
            chat_id: "c1".into(),
            message_id: "m2".into(),
            text: "second, corrected".into(),
            parse_mode: "text".into(),
        },
        Write::Removed {
            chat_id: "c1".into(),
            message_id: "m3".into(),
        },
        // The same message pushed twice is held once.
        Write::Messages(vec![msg("c1", "m1", 10, "a", "first words")]),
    ])
    .unwrap();
    let page = s.page("c1", None, 10).unwrap();
    assert_eq!(ids(&page), ["m1", "m2"]);
    assert!(page[1].is_edited);
    assert_eq!(page[1].summary(), "second, corrected");
    assert!(
        s.search("third", None, 5).unwrap().is_empty(),
        "a deleted message is not found"
    );
    assert!(
        s.search("words", None, 5).unwrap().len() == 1,
        "an edit is indexed anew"
    );
    // A chat list without c2: c2 and its messages are gone.
    s.apply(&[
        Write::Messages(vec![msg("c2", "x", 5, "a", "in two")]),
        Write::Chats(vec![chat("c1", "One")]),
    ])
    .unwrap();
    assert_eq!(s.chats().unwrap().len(), 1);
    assert_eq!(s.message_count("c2").unwrap(), 0);
}

#[test]
fn a_page_from_the_server_drops_what_was_deleted_in_its_span_and_keeps_what_is_outside() {
    let (_d, mut s) = fresh();
    let held: Vec<Envelope> = (1..=6)
        .map(|i| msg("c", &format!("m{i}"), i * 10, "a", &format!("text {i}")))
        .collect();
    s.apply(&[Write::Messages(held)]).unwrap();
    // The server's newest page covers m3..m6; m4 was deleted and m5 edited meanwhile; m7 is
    // new.
    let mut m5 = msg("c", "m5", 50, "a", "text 5, edited");
    m5.is_edited = true;
    let page = vec![
        msg("c", "m3", 30, "a", "text 3"),
        m5,
        msg("c", "m6", 60, "a", "text 6"),
        msg("c", "m7", 70, "a", "text 7"),
    ];
    s.apply(&[Write::Page {
        chat_id: "c".into(),
        messages: page,
        newest: true,
        start: false,
    }])
    .unwrap();
    let all = s.page("c", None, 100).unwrap();
    assert_eq!(ids(&all), ["m1", "m2", "m3", "m5", "m6", "m7"]);
    assert_eq!(all[3].summary(), "text 5, edited");
    // A page that reaches the start of the chat speaks for everything older too.
    s.apply(&[Write::Page {
        chat_id: "c".into(),
        messages: vec![msg("c", "m2", 20, "a", "text 2")],
        newest: false,
        start: true,
    }])
    .unwrap();
    assert_eq!(
        ids(&s.page("c", None, 100).unwrap()),
        ["m2", "m3", "m5", "m6", "m7"]
    );
    // Paging: older than m5, two at a time, oldest first.
    assert_eq!(ids(&s.page("c", Some("m5"), 2).unwrap()), ["m2", "m3"]);
    assert_eq!(ids(&s.around("c", "m5", 1).unwrap()), ["m3", "m5", "m6"]);
    // And newer than a message, for a window that stops short of the newest.
    assert_eq!(ids(&s.page_after("c", "m3", 2).unwrap()), ["m5", "m6"]);
    assert_eq!(ids(&s.page_after("c", "m6", 5).unwrap()), ["m7"]);
    assert!(s.page_after("c", "m7", 5).unwrap().is_empty());
    assert!(s.page_after("c", "gone", 5).unwrap().is_empty());
}

/// Pages are cut by position: messages of the same millisecond can fall on both sides of a
/// cut. A page whose oldest (or newest) message shares its time with a held message that is
/// not in it does not take that message for deleted.
#[test]
fn messages_sharing_a_millisecond_with_a_page_edge_are_kept() {
    let (_d, mut s) = fresh();
    let t = 1_700_000_000_000u64;
    let held: Vec<Envelope> = (1..=9)
        .map(|i| msg("c", &format!("m{i}"), t + (i / 3) * 1000, "a", "x"))
        .collect();
    s.apply(&[Write::Messages(held)]).unwrap();
    // m3, m4, m5 share a second (t+1000); m6, m7, m8 the next. A page of m4..m7.
    let page: Vec<Envelope> = (4..=7)
        .map(|i| msg("c", &format!("m{i}"), t + (i / 3) * 1000, "a", "x"))
        .collect();
    s.apply(&[Write::Page {
        chat_id: "c".into(),
        messages: page,
        newest: false,
        start: false,
    }])
    .unwrap();
    assert_eq!(s.message_count("c").unwrap(), 9);
    // (A deletion strictly inside a page's span is still seen: the test above.)
    let page = s.page("c", None, 100).unwrap();
    let all = ids(&page);
    assert!(all.contains(&"m3") && all.contains(&"m8"), "{all:?}");
}

#[test]
fn search_finds_words_in_any_order_by_prefix_in_one_chat_or_all_and_never_fails_on_syntax() {
    let (_d, mut s) = fresh();
    s.apply(&[
        Write::Chats(vec![chat("c1", "One"), chat("c2", "Two")]),
        Write::Name {
            user_id: "alice@srv".into(),
            name: "Alice Liddell".into(),
        },
        Write::Messages(vec![
            msg(
                "c1",
                "m1",
                10,
                "alice@srv",
                "Deploy the Kubernetes cluster tonight",
            ),
            msg("c2", "m2", 20, "bob@srv", "the cluster is down again"),
            msg("c2", "m3", 30, "bob@srv", "Café au lait"),
        ]),
    ])
    .unwrap();
    let hits = s.search("cluster", None, 10).unwrap();
    assert_eq!(hits.len(), 2);
    let hits = s.search("TONIGHT deploy", None, 10).unwrap();
    assert_eq!(ids_of(&hits), ["m1"]);
    assert_eq!(hits[0].author_name.as_deref(), Some("Alice Liddell"));
    assert_eq!(hits[0].timestamp, msg("c1", "m1", 10, "", "").timestamp);
    assert_eq!(
        ids_of(&s.search("kube", None, 10).unwrap()),
        ["m1"],
        "prefix"
    );
    assert_eq!(
        ids_of(&s.search("cluster", Some("c2"), 10).unwrap()),
        ["m2"]
    );
    assert_eq!(
        ids_of(&s.search("cafe", None, 10).unwrap()),
        ["m3"],
        "diacritics"
    );
    for hostile in [
        "\"",
        "a\" OR \"b",
        "NEAR(",
        "*",
        "col:x",
        "-",
        "'; DROP TABLE x",
        "\u{1b}[31m",
        "",
    ] {
        assert!(s.search(hostile, None, 10).is_ok(), "{hostile:?}");
    }
}

fn ids_of(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.message_id.as_str()).collect()
}

#[test]
fn the_age_limit_drops_old_messages_and_the_last_open_chat_is_remembered() {
    let (_d, mut s) = fresh();
    let now = crate::link::now_ms();
    s.apply(&[
        Write::Messages(vec![
            msg("c", "old", now - 40 * 86_400_000, "a", "ancient"),
            msg("c", "new", now - 1000, "a", "recent"),
        ]),
        Write::Opened {
            chat_id: "c".into(),
            read: Some(("new".into(), now - 1000)),
        },
    ])
    .unwrap();
    let dropped = s
        .prune(Limits {
            max_age_days: 30,
            max_mb: 0,
        })
        .unwrap();
    assert_eq!(dropped, 1);
    assert_eq!(ids(&s.page("c", None, 10).unwrap()), ["new"]);
    assert_eq!(s.last_open().unwrap().as_deref(), Some("c"));
    assert_eq!(s.read_position("c").unwrap().as_deref(), Some("new"));
}

#[test]
fn store_file_names_are_safe_and_distinct() {
    let d = Path::new("/data");
    let a = path_for(d, "srv.example:443", "bob");
    let b = path_for(d, "srv.example/443", "bob");
    assert_ne!(a, b);
    let name = a.file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("bob@srv.example_443-"), "{name}");
    let evil = path_for(d, "../../etc", "../x");
    assert_eq!(evil.parent().unwrap(), Path::new("/data/store"));
}

#[test]
fn a_snippet_marks_every_matching_word_and_cuts_around_the_first() {
    let terms = vec!["kiwi".to_string(), "del".to_string()];
    let body = "one two three four five six the Kiwi delivery is late again and kiwi too and more words after";
    let s = snippet(body, &terms);
    assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
    assert!(s.contains("\u{2}Kiwi\u{3} \u{2}delivery\u{3}"), "{s}");
    assert!(s.contains("\u{2}kiwi\u{3} too"), "{s}");
    assert!(!s.contains("one two"), "{s}");
    // No match (diacritics folded by FTS5 but not here): the start of the text, unmarked.
    let s = snippet("Café au lait", &["cafe".to_string()]);
    assert_eq!(s, "Café au lait");
}

#[test]
fn a_word_in_more_messages_than_are_ranked_still_ranks_the_best_of_the_newest_first() {
    let (_d, mut s) = fresh();
    let mut many: Vec<Envelope> = (0..2100u64)
        .map(|i| {
            msg(
                "c",
                &format!("m{i}"),
                1_700_000_000_000 + i,
                "a",
                "a common word among many other words here",
            )
        })
        .collect();
    many.push(msg(
        "c",
        "best",
        1_700_000_001_000,
        "a",
        "common common common",
    ));
    many.push(msg(
        "c",
        "newest",
        1_700_000_002_000,
        "a",
        "common and a great many other words besides it",
    ));
    s.apply(&[Write::Messages(many)]).unwrap();
    let hits = s.search("common", None, 5).unwrap();
    assert_eq!(hits.len(), 5);
    assert_eq!(hits[0].message_id, "best");
    assert!(hits.iter().all(|h| h.snippet.contains("\u{2}common\u{3}")));
    assert_eq!(s.search("COMMON words", Some("c"), 3).unwrap().len(), 3);
}

#[test]
fn markup_is_searched_and_shown_as_the_reader_sees_it() {
    let (_d, mut s) = fresh();
    let e = Envelope::from_value(&json!({"chatId": "c", "messageId": "h", "timestamp": 1,
        "author": {"id": "a", "type": 1}, "type": 200,
        "content": {"text": "<b>Heads-up:</b> read <a href=\"https://x.example/wiki\">the wiki</a>", "parseMode": "html"}}))
    .unwrap();
    s.apply(&[Write::Messages(vec![e])]).unwrap();
    let hits = s.search("wiki", None, 5).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(!hits[0].snippet.contains('<'), "{:?}", hits[0].snippet);
    assert!(
        hits[0]
            .snippet
            .contains("Heads-up: read the \u{2}wiki\u{3}"),
        "{:?}",
        hits[0].snippet
    );
    assert!(
        s.search("href", None, 5).unwrap().is_empty(),
        "markup is not text"
    );
}

#[test]
fn a_store_another_process_holds_is_waited_for_and_never_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("busy.sqlite3");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(schema::V1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    // Another process is writing (its write lock held) while this one needs to migrate.
    let other = Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let err = Store::open(&path).err().expect("busy past the timeout");
    assert!(err.to_string().contains("locked"), "{err}");
    assert!(
        !dir.path().join("busy.sqlite3.bad").exists(),
        "never moved aside"
    );
    other.execute_batch("COMMIT").unwrap();
    drop(other);
    let (s, notice) = Store::open(&path).unwrap();
    assert_eq!(notice, None);
    assert_eq!(s.counts().unwrap().messages, 0);
}

#[test]
fn a_snippet_shows_the_match_after_a_long_word_and_inside_a_run_of_cjk() {
    let long = "x".repeat(120);
    let s = snippet(
        &format!("alpha {long} omegaword end"),
        &["omegaw".to_string()],
    );
    assert!(s.contains("\u{2}omegaword\u{3} end"), "{s}");
    let before = s.split('\u{2}').next().unwrap();
    assert!(
        before.starts_with('…') && before.chars().count() <= 31,
        "{s}"
    );
    // A run of ideographs is one word, as FTS5 indexes it: found, marked.
    let s = snippet(
        "会議室の予約 yak 🎉🎉🎉 日本語のテキスト 東京タワー で会いましょう",
        &["東京".to_string()],
    );
    assert!(s.contains("\u{2}東京タワー\u{3}"), "{s}");
    // Words split at what is not a letter or digit, as the index splits them.
    let s = snippet("see e-mail now", &["mail".to_string()]);
    assert_eq!(s, "see e-\u{2}mail\u{3} now");
}

/// A pasted page as a search: its words taken once each, the first few only; it answers at
/// once rather than in seconds, and still finds what its first words find.
#[test]
fn a_search_of_thousands_of_words_uses_the_first_distinct_few() {
    let (_d, mut s) = fresh();
    s.apply(&[Write::Messages(vec![msg(
        "c",
        "m1",
        1000,
        "a",
        "the kiwi plan",
    )])])
    .unwrap();
    let q = format!("kiwi {}", "the ".repeat(3000));
    assert_eq!(super::fts_query(&q).as_deref(), Some("\"kiwi\" \"the\"*"));
    let hits = s.search(&q, None, 10).unwrap();
    assert_eq!(hits.len(), 1);
    let many: String = (0..100).map(|i| format!("w{i} ")).collect();
    let f = super::fts_query(&many).unwrap();
    assert_eq!(f.matches('"').count(), 2 * super::search::MAX_WORDS, "{f}");
}

/// A search with an escape sequence pasted into it searches what the screen shows of it.
#[test]
fn an_escape_sequence_in_a_search_is_not_searched_as_a_word() {
    let (_d, mut s) = fresh();
    s.apply(&[Write::Messages(vec![msg(
        "c",
        "m1",
        1000,
        "a",
        "the kiwi plan",
    )])])
    .unwrap();
    assert_eq!(s.search("kiwi\u{1b}[31m", None, 5).unwrap().len(), 1);
    assert_eq!(s.search("\u{1b}[31mkiwi", None, 5).unwrap().len(), 1);
}

#[test]
fn a_pushed_message_is_written_from_the_copy_the_open_chat_holds() {
    use crate::chat::events::ChatEvent;
    let (_dir, mut s) = fresh();
    let pushed = std::sync::Arc::new(msg(
        "c1",
        "m1",
        1_764_000_000_000,
        "alice@srv",
        "shared words",
    ));
    let w = write_for(&ChatEvent::Message(pushed.clone())).unwrap();
    // The same message, not a copy of it.
    match &w {
        Write::Pushed(e) => assert!(std::sync::Arc::ptr_eq(e, &pushed)),
        other => panic!("{other:?}"),
    }
    s.apply(&[w]).unwrap();
    let page = s.page("c1", None, 10).unwrap();
    assert_eq!(page, vec![(*pushed).clone()]);
}

/// Equal matches come newest first by their time, though a backfill stored the older after.
#[test]
fn equal_matches_come_newest_first_whatever_order_they_were_stored_in() {
    let (_dir, mut s) = fresh();
    const T: u64 = 1_764_000_000_000;
    s.apply(&[Write::Messages(vec![msg(
        "c1",
        "new",
        T + 5_000,
        "a",
        "lunch today",
    )])])
    .unwrap();
    // Older history walked in after (`B`, `chat sync`).
    s.apply(&[Write::Messages(vec![
        msg("c1", "old", T + 1_000, "a", "lunch today"),
        msg("c1", "older", T, "a", "lunch today"),
    ])])
    .unwrap();
    let ids: Vec<String> = s
        .search("lunch", None, 10)
        .unwrap()
        .into_iter()
        .map(|h| h.message_id)
        .collect();
    assert_eq!(ids, ["new", "old", "older"]);
}
