//! The open chat's window, driven through `update` against a chat held here the way a server
//! holds it (`getChatHistory`: the page older than a message, newest first) and the way the
//! store does (the page after a message): whatever the window lets go of is read again, in
//! order, once each.

use super::*;
use crate::app::testkit::*;
use crate::app::{Cmd, LinkStatus, Model, Msg, update};
use crate::chat::ChatLinkEvent;
use crate::chat::events::ChatEvent;
use crate::chat::types::Envelope;
use crossterm::event::KeyCode;

const PAGE: usize = 100;

/// The chat `a` as the server holds it, oldest first, alternating authors as [`open`] does.
struct Server {
    chat: Vec<Envelope>,
    /// Newer pages read from the store (rather than the server).
    from_store: usize,
}

impl Server {
    fn new(n: u64) -> Server {
        Server {
            chat: (0..n).map(message).collect(),
            from_store: 0,
        }
    }

    fn at(&self, id: &str) -> usize {
        self.chat.iter().position(|e| e.message_id == id).unwrap()
    }

    /// `getChatHistory`: up to a page older than `from` (None: the newest), newest first.
    fn before(&self, from: Option<&str>) -> Vec<Envelope> {
        let hi = from.map_or(self.chat.len(), |id| self.at(id));
        self.chat[hi.saturating_sub(PAGE)..hi]
            .iter()
            .rev()
            .cloned()
            .collect()
    }

    /// The store's page after `after`, oldest first.
    fn after(&self, after: &str) -> Vec<Envelope> {
        let lo = self.at(after) + 1;
        self.chat[lo..(lo + PAGE).min(self.chat.len())].to_vec()
    }

    /// Answers what the console asked for, and what that makes it ask, until it asks nothing.
    fn serve(&mut self, m: &mut Model, mut cmds: Vec<Cmd>) {
        while let Some(c) = cmds.pop() {
            let msg = match c {
                Cmd::LoadHistory { chat_id, before } => Msg::HistoryLoaded {
                    result: Ok(self.before(before.as_deref())),
                    chat_id,
                    before,
                },
                Cmd::LoadNewer {
                    chat_id,
                    after,
                    source,
                } => {
                    let (page, stored) = match source {
                        NewerSource::Server(from) => (self.before(from.as_deref()), false),
                        NewerSource::Store => {
                            self.from_store += 1;
                            (self.after(&after), true)
                        }
                    };
                    Msg::NewerLoaded {
                        chat_id,
                        after,
                        stored,
                        result: Ok(page),
                    }
                }
                _ => continue,
            };
            cmds.extend(update(m, msg));
        }
    }

    /// A new message, pushed to the console.
    fn post(&mut self, m: &mut Model) {
        let e = message(self.chat.len() as u64);
        self.chat.push(e.clone());
        let cmds = update(
            m,
            Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(
                std::sync::Arc::new(e),
            ))),
        );
        self.serve(m, cmds);
    }
}

fn message(i: u64) -> Envelope {
    text(
        &format!("m{i}"),
        i + 1,
        if i.is_multiple_of(2) { "alice@srv" } else { ME },
    )
}

fn held(m: &Model) -> usize {
    m.chat.open.as_ref().unwrap().messages.len()
}

/// Held messages are a run of the chat: consecutive, in order, each once.
fn check_run(m: &Model, s: &Server) {
    let o = m.chat.open.as_ref().unwrap();
    let Some(first) = o.messages.first() else {
        return;
    };
    let start = s.at(&first.message_id);
    for (k, e) in o.messages.iter().enumerate() {
        assert_eq!(e.message_id, s.chat[start + k].message_id, "held #{k}");
    }
}

/// `key` pressed `times` times, the console's requests answered after each; the message the
/// cursor is on after each press.
fn walk(m: &mut Model, s: &mut Server, key: KeyCode, times: usize) -> Vec<Option<String>> {
    let mut seen = Vec::with_capacity(times);
    for _ in 0..times {
        let cmds = kc(m, key);
        s.serve(m, cmds);
        assert!(held(m) <= WINDOW + PAGE, "held {}", held(m));
        seen.push(sel(m));
    }
    seen
}

/// A chat of `n` messages open, its newest page loaded.
fn big(n: u64) -> (Model, Server) {
    let mut m = open(0);
    let mut s = Server::new(n);
    // (`open(0)` read an empty chat: this one has more.)
    m.chat.open.as_mut().unwrap().older = Older::More;
    let page = s.before(None);
    let cmds = update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "a".into(),
            before: None,
            result: Ok(page),
        },
    );
    s.serve(&mut m, cmds);
    (m, s)
}

/// `got` is `want`, said by the first place they differ (the lists are long).
fn same(got: &[Option<String>], want: &[Option<String>], what: &str) {
    if let Some(k) = (0..got.len().max(want.len())).find(|&k| got.get(k) != want.get(k)) {
        panic!(
            "{what}: at #{k} got {:?}, want {:?} (lengths {} and {})",
            got.get(k),
            want.get(k),
            got.len(),
            want.len()
        );
    }
}

#[test]
fn following_the_newest_holds_a_window_of_the_newest() {
    let (mut m, mut s) = big(300);
    for _ in 0..(WINDOW + 3 * PAGE) {
        s.post(&mut m);
        assert!(held(&m) <= WINDOW + PAGE);
    }
    check_run(&m, &s);
    let o = m.chat.open.as_ref().unwrap();
    assert_eq!(
        o.messages.last().unwrap().message_id,
        s.chat.last().unwrap().message_id
    );
    assert!(held(&m) >= WINDOW, "a window's worth is kept");
    assert_eq!(
        o.older,
        Older::More,
        "the rest is older, read as you scroll"
    );
    assert!(!o.newer.detached);
}

#[test]
fn up_to_the_start_and_down_again_meets_every_message_once_in_order() {
    let n = 2 * WINDOW as u64 + 450;
    let (mut m, mut s) = big(n);
    // Up, one message at a time, to the first message of the chat.
    let ups = walk(&mut m, &mut s, KeyCode::Up, n as usize + 5);
    let want_up: Vec<Option<String>> = (0..n).rev().map(|i| Some(format!("m{i}"))).collect();
    same(
        &ups[..n as usize],
        &want_up,
        "every message once, newest to oldest",
    );
    assert_eq!(ups[n as usize..], vec![Some("m0".into()); 5]);
    assert_eq!(m.chat.open.as_ref().unwrap().older, Older::Complete);
    assert!(m.chat.open.as_ref().unwrap().newer.detached);
    check_run(&m, &s);
    // Others write meanwhile: counted below, not added to the window.
    let before = held(&m);
    for _ in 0..3 {
        s.post(&mut m);
    }
    assert_eq!(held(&m), before);
    assert_eq!(m.chat.open.as_ref().unwrap().new_below, 2, "alice's two");
    // Down again, to the end: the chunks let go come back from the server, then the newest.
    let total = s.chat.len();
    let downs = walk(&mut m, &mut s, KeyCode::Down, total + 1);
    let want_down: Vec<Option<String>> = (1..total).map(|i| Some(format!("m{i}"))).collect();
    same(
        &downs[..total - 1],
        &want_down,
        "every message once, oldest to newest",
    );
    assert_eq!(
        downs[total - 1..],
        [None, None],
        "past the newest: following again"
    );
    let o = m.chat.open.as_ref().unwrap();
    assert!(!o.newer.detached && o.newer.chunks.is_empty());
    assert_eq!(o.new_below, 0);
    assert_eq!(s.from_store, 0, "the link was up: the server's pages");
    check_run(&m, &s);
    // And up again, past what the window holds: the chat goes on (it does not "start" where
    // the window was cut).
    let ups = walk(&mut m, &mut s, KeyCode::Up, WINDOW + 1_000);
    let want: Vec<Option<String>> = (total - WINDOW - 1_000..total)
        .rev()
        .map(|i| Some(format!("m{i}")))
        .collect();
    same(&ups, &want, "up again, every message once");
    assert_eq!(m.chat.open.as_ref().unwrap().older, Older::More);
}

#[test]
fn with_the_link_down_newer_pages_come_from_the_store() {
    let n = WINDOW as u64 + 2_000;
    let (mut m, mut s) = big(n);
    walk(&mut m, &mut s, KeyCode::PageUp, (n as usize) / 10 + 2);
    assert_eq!(sel(&m).as_deref(), Some("m0"));
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Connecting)),
    );
    let downs = walk(&mut m, &mut s, KeyCode::Down, n as usize - 1);
    assert_eq!(
        downs.last().unwrap().as_deref(),
        Some(&*format!("m{}", n - 1))
    );
    assert!(s.from_store > 0);
    check_run(&m, &s);
    // The store's newest reached: following, as offline reading always did.
    assert!(!m.chat.open.as_ref().unwrap().newer.detached);
}

#[test]
fn end_lets_a_detached_window_go_for_the_newest_page() {
    let n = WINDOW as u64 + 3_000;
    let (mut m, mut s) = big(n);
    walk(&mut m, &mut s, KeyCode::PageUp, (n as usize) / 10 + 2);
    assert!(m.chat.open.as_ref().unwrap().newer.detached);
    s.post(&mut m);
    let cmds = kc(&mut m, KeyCode::End);
    assert_eq!(
        cmds,
        vec![Cmd::LoadHistory {
            chat_id: "a".into(),
            before: None
        }]
    );
    assert_eq!(held(&m), 0, "the window is let go");
    s.serve(&mut m, cmds);
    let o = m.chat.open.as_ref().unwrap();
    assert_eq!(sel(&m), None);
    assert!(!o.newer.detached);
    assert_eq!(o.messages.last().unwrap().message_id, format!("m{n}"));
    check_run(&m, &s);
}

#[test]
fn a_page_for_a_message_the_window_let_go_is_dropped() {
    let (mut m, mut s) = big(500);
    let cmds = walk(&mut m, &mut s, KeyCode::Up, 1);
    assert_eq!(cmds, [Some("m499".to_string())]);
    // An older page was asked for, then the chat was read again (a reconnect's End).
    let o = m.chat.open.as_mut().unwrap();
    o.older = Older::Loading;
    let stale = s.before(Some("m400"));
    let cmds = kc(&mut m, KeyCode::End);
    let o = m.chat.open.as_mut().unwrap();
    o.messages.clear();
    s.serve(&mut m, cmds);
    let n = held(&m);
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "a".into(),
            before: Some("m400".into()),
            result: Ok(stale),
        },
    );
    assert_eq!(held(&m), n, "not merged: it would leave a hole");
    check_run(&m, &s);
}

#[test]
fn the_link_coming_back_leaves_a_detached_window_where_it_is() {
    let n = WINDOW as u64 + 1_500;
    let (mut m, mut s) = big(n);
    walk(&mut m, &mut s, KeyCode::PageUp, 1_100);
    assert!(m.chat.open.as_ref().unwrap().newer.detached);
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Connecting)),
    );
    let cmds = update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::LoadHistory { .. })),
        "{cmds:?}"
    );
}

#[test]
fn a_long_gap_after_a_reconnect_is_read_whole_while_reading_up_in_the_history() {
    let (mut m, mut s) = big(3_000);
    walk(&mut m, &mut s, KeyCode::Up, 40);
    assert_eq!(sel(&m).as_deref(), Some("m2960"));
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Connecting)),
    );
    // Written while the link was down: more than a window's worth, never pushed.
    for i in 3_000..(3_000 + WINDOW as u64 + 2_500) {
        s.chat.push(message(i));
    }
    let cmds = update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    s.serve(&mut m, cmds);
    // The gap was read down to what was held, without letting go across it.
    check_run(&m, &s);
    assert_eq!(
        sel(&m).as_deref(),
        Some("m2960"),
        "the reader's place is kept"
    );
    assert!(m.chat.open.as_ref().unwrap().gap_top.is_none());
    // Down to the end, every message once.
    let total = s.chat.len();
    let downs = walk(&mut m, &mut s, KeyCode::Down, total - 2_960);
    let want: Vec<Option<String>> = (2_961..total).map(|i| Some(format!("m{i}"))).collect();
    same(&downs[..want.len()], &want, "every message once, in order");
    assert_eq!(downs.last().unwrap(), &None);
}

#[test]
fn after_reading_down_to_the_newest_the_chat_still_goes_on_above_the_window() {
    // Nothing new meanwhile: the last chunk comes back as the newest page, which meets the
    // window exactly (no message in common), and the gap read under it finds nothing new.
    let n = WINDOW + 2_000;
    let (mut m, mut s) = big(n as u64);
    walk(&mut m, &mut s, KeyCode::PageUp, n / 10 + 2);
    assert_eq!(sel(&m).as_deref(), Some("m0"));
    walk(&mut m, &mut s, KeyCode::PageDown, n / 10 + 2);
    assert_eq!(sel(&m), None);
    assert!(!m.chat.open.as_ref().unwrap().newer.detached);
    let ups = walk(&mut m, &mut s, KeyCode::Up, WINDOW + 1_000);
    let want: Vec<Option<String>> = (n - WINDOW - 1_000..n)
        .rev()
        .map(|i| Some(format!("m{i}")))
        .collect();
    same(&ups, &want, "up again, every message once");
    assert_eq!(m.chat.open.as_ref().unwrap().older, Older::More);
}

#[test]
fn the_stores_copy_read_down_to_its_end_with_the_link_up_hands_over_to_the_server() {
    let n = 2_000u64;
    let (mut m, mut s) = big(n);
    // A search result opened (`S`, Enter): the store's copy around m500, the link up.
    {
        let o = m.chat.open.as_mut().unwrap();
        o.messages.clear();
        o.from_store = true;
        o.selected = Some("m500".into());
        o.newer = crate::app::Newer::default();
    }
    let cmds = update(
        &mut m,
        Msg::StoredAround {
            chat_id: "a".into(),
            message_id: "m500".into(),
            result: Ok(s.chat[450..550].to_vec()),
        },
    );
    s.serve(&mut m, cmds);
    assert!(m.chat.open.as_ref().unwrap().from_store);
    // Down to the newest: the store's pages, then the server's newest page takes over.
    let downs = walk(
        &mut m,
        &mut s,
        KeyCode::PageDown,
        (n as usize - 500) / 10 + 5,
    );
    let o = m.chat.open.as_ref().unwrap();
    assert!(s.from_store > 0);
    assert!(!o.from_store, "still the store's copy at the newest");
    // Following the newest (PageDown past the last message), every ten passed on the way.
    assert_eq!(downs.last(), Some(&None));
    assert!(downs.contains(&Some(format!("m{}", n - 10))), "{downs:?}");
    check_run(&m, &s);
    // What arrives now is live, and shown after what was read.
    s.post(&mut m);
    check_run(&m, &s);
    assert_eq!(
        m.chat
            .open
            .as_ref()
            .unwrap()
            .messages
            .last()
            .unwrap()
            .message_id,
        format!("m{n}")
    );
}

#[test]
fn keys_typed_ahead_at_an_edge_are_taken_when_the_page_comes() {
    let n = WINDOW + 2_000;
    let (mut m, mut s) = big(n as u64);
    // Twelve PageUps before any page is answered: ten reach the oldest held (the newest
    // page's first), two are owed until the older page comes.
    let mut asked = Vec::new();
    for _ in 0..12 {
        asked.extend(kc(&mut m, KeyCode::PageUp));
    }
    assert_eq!(sel(&m), Some(format!("m{}", n - PAGE)));
    s.serve(&mut m, asked);
    assert_eq!(sel(&m), Some(format!("m{}", n - PAGE - 20)));
    check_run(&m, &s);
    // Downwards in a window away from the newest: the same.
    walk(&mut m, &mut s, KeyCode::PageUp, (WINDOW + 2 * PAGE) / 10);
    assert!(
        m.chat.open.as_ref().unwrap().newer.detached,
        "the window let go of the newest"
    );
    let last = m
        .chat
        .open
        .as_ref()
        .unwrap()
        .messages
        .last()
        .unwrap()
        .message_id
        .clone();
    let from = s.at(sel(&m).as_deref().unwrap());
    let downs = (s.at(&last) - from) / 10 + 3;
    let mut asked = Vec::new();
    for _ in 0..downs {
        asked.extend(kc(&mut m, KeyCode::PageDown));
    }
    assert_eq!(sel(&m).as_deref(), Some(&*last), "waiting on the last held");
    s.serve(&mut m, asked);
    assert_eq!(sel(&m), Some(format!("m{}", from + 10 * downs)));
    check_run(&m, &s);
}
