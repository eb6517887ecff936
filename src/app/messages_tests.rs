use super::*;
use serde_json::json;

fn env(id: &str, ts: u64, box_id: u64, text: &str) -> Envelope {
    Envelope::from_value(
        &json!({"chatId": "c", "messageId": id, "timestamp": ts, "type": 200,
        "author": {"id": "a@x", "type": 1}, "box": {"id": box_id, "position": ""},
        "content": {"text": text, "parseMode": "text"}}),
    )
    .unwrap()
}

fn text(e: &Envelope) -> &str {
    match &e.content {
        crate::chat::types::Content::Text { text, .. } => text,
        _ => "",
    }
}

fn ids(m: &Messages) -> Vec<String> {
    m.iter().map(|e| e.message_id.clone()).collect()
}

/// Every id is found where it is.
fn check_index(m: &Messages) {
    for (i, e) in m.iter().enumerate() {
        assert_eq!(m.position(&e.message_id), Some(i), "{}", e.message_id);
    }
    // Besides the live entries, only those `drop_front` left behind (below `base`).
    assert_eq!(m.index.len(), m.len() + m.stale);
    assert_eq!(m.index.iter().filter(|p| **p < m.base).count(), m.stale);
}

#[test]
fn pushes_go_on_the_end_and_older_pages_on_the_front() {
    let mut m = Messages::default();
    // The newest page, newest first as the server sends it.
    m.merge((7..10).rev().map(|i| env(&format!("m{i}"), i * 10, i, "x")));
    assert_eq!(ids(&m), ["m7", "m8", "m9"]);
    // A push.
    m.push(env("m10", 100, 10, "x"));
    // One held again: replaced in place.
    m.push(env("m9", 90, 9, "again"));
    // An older page.
    m.merge((4..7).rev().map(|i| env(&format!("m{i}"), i * 10, i, "x")));
    assert_eq!(ids(&m), ["m4", "m5", "m6", "m7", "m8", "m9", "m10"]);
    assert!(m.base < 0, "the older page went on the front");
    check_index(&m);
    assert_eq!(m.oldest_time(), Some(m.first().unwrap().timestamp));
    assert_eq!(m.first().unwrap().message_id, "m4");
    assert_eq!(m.last().unwrap().message_id, "m10");
}

#[test]
fn a_held_message_is_replaced_in_place_and_a_repeat_taken_once() {
    let mut m = Messages::default();
    m.merge((1..4).map(|i| env(&format!("m{i}"), i, i, "old")));
    m.merge([
        env("m2", 2, 2, "edited"),
        env("m5", 5, 5, "a"),
        env("m5", 5, 5, "b"),
    ]);
    assert_eq!(ids(&m), ["m1", "m2", "m3", "m5"]);
    assert_eq!(text(m.by_id("m2").unwrap()), "edited");
    assert_eq!(text(m.by_id("m5").unwrap()), "a", "the first of a repeat");
    check_index(&m);
}

#[test]
fn one_in_the_middle_moves_the_rest_and_every_id_is_found_again() {
    let mut m = Messages::default();
    m.merge([env("m1", 1, 1, "x"), env("m3", 3, 3, "x")]);
    m.merge([env("m0", 0, 0, "x")]);
    m.merge([env("m2", 2, 2, "x")]);
    assert_eq!(ids(&m), ["m0", "m1", "m2", "m3"]);
    check_index(&m);
    // A page that straddles what is held.
    m.merge([
        env("m4", 4, 4, "x"),
        env("m1b", 1, 1, "x"),
        env("m-1", 0, 0, "x"),
    ]);
    check_index(&m);
    let keys: Vec<(u64, u64)> = m
        .iter()
        .map(|e| (e.box_pos.as_ref().unwrap().id, e.timestamp))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys, sorted);
    m.clear();
    assert!(m.is_empty() && m.position("m1").is_none() && m.oldest_time().is_none());
}

#[test]
fn any_order_of_pages_and_pushes_ends_sorted_and_indexed() {
    // A deterministic shuffle of 300 messages in batches of up to 7, against a sort.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut all: Vec<u64> = (0..300).collect();
    for i in (1..all.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        all.swap(i, j);
    }
    let mut m = Messages::default();
    let mut at = 0;
    while at < all.len() {
        let k = 1 + (next() % 7) as usize;
        let batch: Vec<Envelope> = all[at..(at + k).min(all.len())]
            .iter()
            .map(|&i| env(&format!("m{i}"), i, i, "x"))
            .collect();
        m.merge(batch);
        at += k;
    }
    let want: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
    assert_eq!(ids(&m), want);
    check_index(&m);
}

#[test]
fn dropped_ends_leave_the_index_and_what_stays_is_found_where_it_is() {
    let mut m = Messages::default();
    m.merge(
        (100..200)
            .rev()
            .map(|i| env(&format!("m{i}"), i * 10, i, "x")),
    );
    for i in 200..260 {
        m.push(env(&format!("m{i}"), i * 10, i, "x"));
    }
    // An older page on the front, then both ends trimmed, as the window does.
    m.merge((50..100).map(|i| env(&format!("m{i}"), i * 10, i, "x")));
    m.drop_front(70);
    m.drop_back(30);
    check_index(&m);
    assert_eq!(m.first().map(|e| e.message_id.as_str()), Some("m120"));
    assert_eq!(m.last().map(|e| e.message_id.as_str()), Some("m229"));
    for gone in ["m50", "m119", "m230", "m259"] {
        assert_eq!(m.position(gone), None, "{gone}");
        assert!(!m.contains(gone), "{gone}");
    }
    // What was dropped can come back, on its side, and is found again.
    m.push(env("m230", 2300, 230, "again"));
    m.merge([env("m119", 1190, 119, "again")]);
    check_index(&m);
    assert_eq!(m.position("m119"), Some(0));
    assert_eq!(m.by_id("m230").map(text), Some("again"));
    assert_eq!(m.oldest_time(), m.first().map(|e| e.timestamp));
    assert!(
        m.iter()
            .all(|e| e.timestamp >= m.first().unwrap().timestamp)
    );
}

#[test]
fn a_window_moving_on_keeps_its_index_small_and_right() {
    let mut m = Messages::default();
    m.merge(
        (0..100)
            .rev()
            .map(|i| env(&format!("m{i}"), i * 10, i, "x")),
    );
    let mut most = 0;
    // A flood: one in, one out, as the window does (in ones here, the worst case for sweeps).
    for i in 100..5_000 {
        m.push(env(&format!("m{i}"), i * 10, i, "x"));
        m.drop_front(1);
        most = most.max(m.index.len());
        if i % 997 == 0 {
            check_index(&m);
        }
    }
    check_index(&m);
    // What is left behind is swept out: the table never holds more than twice the window.
    assert!(most <= 2 * 100 + 1, "{most}");
    assert_eq!(m.position("m4899"), None);
    assert_eq!(m.position("m4900"), Some(0));
    // An older page back on the front takes the positions the dropped ones had: each id is
    // found where it is, and none of the dropped ids that did not come back is.
    m.merge((4850..4900).map(|i| env(&format!("m{i}"), i * 10, i, "back")));
    check_index(&m);
    assert_eq!(m.by_id("m4850").map(text), Some("back"));
    assert_eq!(m.position("m4849"), None);
    // And the newest end let go, one by one, takes each out.
    m.drop_front(10);
    m.drop_back(40);
    check_index(&m);
    assert_eq!(m.last().map(|e| e.message_id.as_str()), Some("m4959"));
    assert_eq!(m.position("m4960"), None);
    m.push(env("m4960", 49600, 4960, "again"));
    check_index(&m);
    assert_eq!(m.by_id("m4960").map(text), Some("again"));
}

#[test]
fn the_oldest_time_is_that_of_what_is_held_after_either_end_is_let_go() {
    let mut m = Messages::default();
    // Box order is not time order here: m5's clock was behind.
    const T: u64 = 1_764_000_000_000;
    let ts = [50, 60, 70, 80, 90, 10, 100, 110];
    m.merge(
        ts.iter()
            .enumerate()
            .map(|(i, t)| env(&format!("m{i}"), T + t, i as u64, "x")),
    );
    assert_eq!(m.oldest_time(), Some(T + 10));
    m.drop_front(2);
    assert_eq!(m.oldest_time(), Some(T + 10));
    m.drop_back(3);
    assert_eq!(m.oldest_time(), Some(T + 70));
    m.push(env("m9", T + 5, 99, "x"));
    assert_eq!(m.oldest_time(), Some(T + 5));
    // Replaced in place with another time.
    m.merge([env("m9", T + 200, 99, "x")]);
    assert_eq!(m.oldest_time(), Some(T + 70));
    m.drop_front(m.len());
    assert_eq!(m.oldest_time(), None);
    m.push(env("m10", T + 300, 100, "x"));
    assert_eq!(m.oldest_time(), Some(T + 300));
}
