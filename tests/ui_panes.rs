//! Snapshots of the panes at work at 80×24 and 160×48: a growing composer, the unread
//! marker, the outbox, the message log. Review changes with `cargo insta review` (or set
//! `INSTA_UPDATE=always` and read the diff in git).
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use trueconf_console::app::{Model, Msg, update};
use trueconf_console::chat::ChatLinkEvent;
use trueconf_console::chat::client::ChatSession;
use trueconf_console::chat::events::ChatEvent;
use trueconf_console::chat::types::{Chat, Envelope};
use trueconf_console::config::Config;
use trueconf_console::link::LinkStatus;
use trueconf_console::room::{RoomEvent, RoomLinkEvent};
use trueconf_console::ui;

const ME: &str = "operator@video.example.com";
const T0: u64 = 1_795_000_000_000;

fn render(m: &Model) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(m.ui.size.0, m.ui.size.1)).unwrap();
    t.draw(|f| ui::view(m, f)).unwrap();
    t
}

fn screen(m: &Model) -> String {
    let t = render(m);
    let b = t.backend().buffer();
    let w = b.area.width as usize;
    b.content()
        .chunks(w)
        .map(|row| {
            row.iter()
                .map(ratatui::buffer::Cell::symbol)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn key(m: &mut Model, code: KeyCode) {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn typed(m: &mut Model, s: &str) {
    for c in s.chars() {
        key(m, KeyCode::Char(c));
    }
}

fn env(chat: &str, n: u64, author: &str, text: &str) -> Envelope {
    Envelope::from_value(&json!({"chatId": chat, "messageId": format!("m{n}"),
        "timestamp": T0 + n * 60_000, "type": 200, "author": {"id": author, "type": 1},
        "box": {"id": n, "position": ""}, "content": {"text": text, "parseMode": "text"}}))
    .unwrap()
}

/// The demo model signed in, with one group chat ("Project", `unread` unread) opened from the
/// list and its newest page loaded: `mine` of ours, then `others` from Alice.
fn project(w: u16, h: u16, unread: u64, mine: u64, others: u64) -> Model {
    let mut page: Vec<(String, String)> = (1..=mine)
        .map(|n| (ME.to_string(), format!("our message {n}")))
        .collect();
    page.extend((mine + 1..=mine + others).map(|n| {
        (
            "alice@video.example.com".to_string(),
            format!("Alice's message {n}"),
        )
    }));
    project_with(w, h, unread, &page)
}

/// The same, with the messages given (author, text), oldest first.
fn project_with(w: u16, h: u16, unread: u64, messages: &[(String, String)]) -> Model {
    let mut m = Model::demo(&Config::default(), (w, h), false);
    m.ui.utc_offset_secs = 0;
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Session(ChatSession {
            user_id: format!("{ME}/1"),
            me: ME.into(),
            connection_id: None,
        })),
    );
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    let chat = Chat::from_value(&json!({"chatId": "p", "title": "Project", "chatType": 2,
        "unreadMessages": unread}))
    .unwrap();
    update(&mut m, Msg::ChatsLoaded(Ok(vec![chat])));
    key(&mut m, KeyCode::Tab);
    key(&mut m, KeyCode::Enter);
    let mut page: Vec<Envelope> = messages
        .iter()
        .zip(1..)
        .map(|((who, text), n)| env("p", n, who, text))
        .collect();
    page.reverse();
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "p".into(),
            before: None,
            result: Ok(page),
        },
    );
    m
}

#[test]
fn unread_marker_80x24_and_160x48() {
    for (w, h) in [(80, 24), (160, 48)] {
        let m = project(w, h, 3, 3, 4);
        let s = screen(&m);
        let marker = s.find("new messages").expect("the marker is drawn");
        let first_unread = s.find("Alice's message 5").unwrap();
        let last_read = s.find("Alice's message 4").unwrap();
        assert!(last_read < marker && marker < first_unread, "{s}");
        insta::assert_snapshot!(format!("unread_marker_{w}x{h}"), render(&m).backend());
    }
}

#[test]
fn messages_arriving_while_scrolled_up_are_counted_below() {
    let mut m = project(80, 24, 0, 2, 2);
    assert!(!screen(&m).contains("new messages"), "nothing was unread");
    key(&mut m, KeyCode::Up);
    key(&mut m, KeyCode::Up);
    for n in [10, 11] {
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(
                std::sync::Arc::new(env("p", n, "bob@video.example.com", "are you there?")),
            ))),
        );
    }
    // Ours does not count.
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(
            std::sync::Arc::new(env("p", 12, ME, "yes")),
        ))),
    );
    let s = screen(&m);
    assert!(s.contains("2 new ↓ End"), "{s}");
    insta::assert_snapshot!("two_new_below_80x24", render(&m).backend());
    // Back to the newest: the count goes, the line stays where the new ones began.
    key(&mut m, KeyCode::End);
    let s = screen(&m);
    assert!(!s.contains("new ↓"), "{s}");
    let marker = s.find("new messages").unwrap();
    assert!(marker < s.find("are you there?").unwrap(), "{s}");
}

#[test]
fn a_chat_with_more_unread_than_the_pane_shows_opens_at_the_first_of_them() {
    for (w, h) in [(80, 24), (160, 48)] {
        // 30 unread from Alice under 5 of ours: the marker and the oldest unread are in view.
        let m = project(w, h, 30, 5, 30);
        let s = screen(&m);
        assert!(s.contains("new messages"), "{w}x{h}:\n{s}");
        assert!(
            s.contains("Alice's message 6 "),
            "the first unread is shown:\n{s}"
        );
        assert!(!s.contains("Alice's message 35"), "not the newest:\n{s}");
        // Six unread, each long enough to wrap over several rows: laid out, they do not fit.
        let long = "a long message that wraps over several rows of the history pane, ".repeat(3);
        let mut msgs: Vec<(String, String)> = (1..=5)
            .map(|n| (ME.to_string(), format!("our message {n}")))
            .collect();
        msgs.extend((6..=11).map(|n| {
            (
                "alice@video.example.com".to_string(),
                format!("Alice's message {n}: {long}"),
            )
        }));
        let m = project_with(w, h, 6, &msgs);
        let s = screen(&m);
        assert!(
            s.contains("new messages") && s.contains("Alice's message 6:"),
            "{w}x{h}:\n{s}"
        );
        // A few unread that fit: the view follows the newest as before.
        let m = project(w, h, 2, 5, 2);
        let s = screen(&m);
        assert!(
            s.contains("new messages") && s.contains("Alice's message 7"),
            "{s}"
        );
        assert!(m.chat.open.as_ref().unwrap().selected.is_none());
    }
}

#[test]
fn paging_down_to_the_newest_with_the_cursor_clears_the_new_count() {
    let mut m = project(80, 24, 0, 2, 20);
    key(&mut m, KeyCode::PageUp);
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(
            std::sync::Arc::new(env("p", 40, "bob@video.example.com", "are you there?")),
        ))),
    );
    assert!(screen(&m).contains("1 new ↓"), "{}", screen(&m));
    // Ten down from ten up (and one arrived): the cursor on the newest message.
    key(&mut m, KeyCode::PageDown);
    let s = screen(&m);
    let o = m.chat.open.as_ref().unwrap();
    assert_eq!(o.selected_index(), Some(o.messages.len() - 1));
    assert!(!s.contains("new ↓"), "{s}");
}

#[test]
fn a_three_line_draft_with_a_wrapped_line_80x24_and_160x48() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut m = project(w, h, 0, 1, 1);
        key(&mut m, KeyCode::Char('i'));
        typed(&mut m, "First line");
        update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)),
        );
        let mut second = String::from("a second line long enough to wrap at word boundaries");
        second.push_str(if w < 100 {
            " in an eighty column terminal"
        } else {
            " in a terminal of one hundred and sixty columns, where the composer is more than a hundred columns wide"
        });
        typed(&mut m, &second);
        update(&mut m, Msg::Paste("\nthird".into()));
        let s = screen(&m);
        assert!(
            s.contains("First line"),
            "the first line stays visible:\n{s}"
        );
        assert!(s.contains("third"), "{s}");
        // Word wrap: no row of the composer ends inside a word.
        assert!(!s.contains("boundar\n"), "{s}");
        insta::assert_snapshot!(format!("three_line_draft_{w}x{h}"), render(&m).backend());
    }
}

#[test]
fn the_outbox_view_80x24_and_160x48() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut m = project(w, h, 0, 1, 1);
        // Written while the link is down: waits. Then a refused one, and a failed file.
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Status(LinkStatus::Disconnected {
                reason: "cut".into(),
            })),
        );
        key(&mut m, KeyCode::Char('i'));
        typed(&mut m, "See you at the board room at ten");
        key(&mut m, KeyCode::Enter);
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
        );
        let id = m.composer.outbox[0].local_id;
        update(
            &mut m,
            Msg::ChatSent {
                local_id: id,
                outcome: trueconf_console::app::SendOutcome::Refused(
                    "the server refused it (403)".into(),
                ),
            },
        );
        key(&mut m, KeyCode::Char('u'));
        typed(&mut m, "/nonexistent/minutes.pdf");
        key(&mut m, KeyCode::Enter);
        update(
            &mut m,
            Msg::TransferDone {
                id: 1,
                result: Err(trueconf_console::app::AppError::File {
                    what: "cannot open",
                    path: "/nonexistent/minutes.pdf".into(),
                    reason: "no such file".into(),
                }),
            },
        );
        // And one in a chat that is gone.
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Status(LinkStatus::Disconnected {
                reason: "cut".into(),
            })),
        );
        key(&mut m, KeyCode::Enter);
        typed(&mut m, "a message for a chat that will vanish");
        key(&mut m, KeyCode::Enter);
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Event(ChatEvent::ChatRemoved {
                chat_id: "p".into(),
            })),
        );
        key(&mut m, KeyCode::Char('O'));
        let s = screen(&m);
        assert!(s.contains("Outbox · 3 items"), "{s}");
        assert!(s.contains("not in the chat list"), "{s}");
        insta::assert_snapshot!(format!("outbox_view_{w}x{h}"), render(&m).backend());
        // Dropping an item asks over the outbox, which stays in view.
        key(&mut m, KeyCode::Char('d'));
        let s = screen(&m);
        assert!(
            s.contains("from the outbox?") && s.contains("Outbox · 3 items"),
            "{s}"
        );
        key(&mut m, KeyCode::Esc);
    }
}

#[test]
fn a_quote_shows_the_answered_message_as_edited_since() {
    let mut m = project(80, 24, 0, 0, 1);
    let mut reply = env("p", 5, ME, "agreed");
    // The server's copy of the answered message, in the reply, as it was then.
    let mut then = env("p", 1, "alice", "Alice's message 1");
    then.message_id = "m1".into();
    reply.reply_message_id = Some("m1".into());
    reply.reply_message = Some(Box::new(then));
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(
            std::sync::Arc::new(reply),
        ))),
    );
    assert!(screen(&m).contains("↩ alice: Alice's message 1"));
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Event(ChatEvent::Edited {
            chat_id: "p".into(),
            message_id: Some("m1".into()),
            timestamp: None,
            text: "Alice's message, edited".into(),
            parse_mode: "text".into(),
        })),
    );
    let s = screen(&m);
    assert!(s.contains("↩ alice: Alice's message, edited"), "{s}");
}

#[test]
fn a_deleted_message_leaves_no_text_in_quotes_and_stays_deleted_when_reopened() {
    let mut m = project(80, 24, 0, 0, 1);
    let mut reply = env("p", 5, ME, "agreed");
    reply.reply_message_id = Some("m1".into());
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(
            std::sync::Arc::new(reply.clone()),
        ))),
    );
    assert!(screen(&m).contains("↩ alice: Alice's message 1"));
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Event(ChatEvent::Removed {
            chat_id: "p".into(),
            message_id: "m1".into(),
            by: None,
        })),
    );
    let s = screen(&m);
    assert!(!s.contains("Alice's message 1"), "{s}");
    assert!(
        s.contains("(message deleted)") && s.contains("↩ (message deleted)"),
        "{s}"
    );
    // Reopened: the server's page has only the reply; the deleted one is back in its place.
    key(&mut m, KeyCode::BackTab);
    key(&mut m, KeyCode::Enter);
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "p".into(),
            before: None,
            result: Ok(vec![reply]),
        },
    );
    let s = screen(&m);
    assert!(!s.contains("Alice's message 1"), "{s}");
    assert!(
        s.contains("(message deleted)") && s.contains("↩ (message deleted)"),
        "{s}"
    );
}

#[test]
fn the_inspector_scrolled_and_a_frame_opened_80x24_and_160x48() {
    use trueconf_console::room::RoomLinkEvent;
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut m = Model::demo(&Config::default(), (w, h), false);
        m.ui.utc_offset_secs = 0;
        update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Char('t'), KeyModifiers::CONTROL)),
        );
        // A big getAppState reply among small frames.
        let big = json!({"requestId": 2, "method": "getAppState", "result": true,
            "appState": 3, "embeddedHttpPort": 8766, "isLoggedIn": true,
            "devices": {"cameras": ["Logitech Rally", "PTZ Pro 2"], "microphones": ["Ceiling array", "Table mic"],
            "speakers": ["Room speakers"]}, "extra": (0..12).map(|i| format!("field {i}")).collect::<Vec<_>>()})
        .to_string();
        let frames = [
            r#"{"method":"getAppState","requestId":2}"#.to_string(),
            big,
            r#"{"event":"micMuted","mute":false}"#.to_string(),
            r#"{"event":"volumeChanged","volume":60}"#.to_string(),
        ];
        for (i, text) in frames.into_iter().enumerate() {
            update(
                &mut m,
                Msg::Room(
                    0,
                    RoomLinkEvent::Frame {
                        outgoing: i == 0,
                        text,
                        at_ms: T0 + i as u64 * 250,
                    },
                ),
            );
        }
        // Tab to the inspector, up to the big reply.
        while m.ui.focus != trueconf_console::app::Pane::Inspector {
            key(&mut m, KeyCode::Tab);
        }
        key(&mut m, KeyCode::Up);
        key(&mut m, KeyCode::Up);
        key(&mut m, KeyCode::Up);
        let s = screen(&m);
        assert!(s.contains("▶"), "{s}");
        insta::assert_snapshot!(format!("inspector_scrolled_{w}x{h}"), render(&m).backend());
        key(&mut m, KeyCode::Enter);
        let s = screen(&m);
        assert!(s.contains("Frame 2 of 4"), "{s}");
        insta::assert_snapshot!(
            format!("inspector_frame_open_{w}x{h}"),
            render(&m).backend()
        );
        // Scrolled to its end: the last field shows.
        key(&mut m, KeyCode::End);
        assert!(screen(&m).contains("field 11"));
    }
}

#[test]
fn the_message_log_80x24_and_160x48() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut m = project(w, h, 0, 1, 1);
        let notices = [
            (
                trueconf_console::app::NoticeLevel::Info,
                "Sent to Project".to_string(),
            ),
            (
                trueconf_console::app::NoticeLevel::Error,
                format!(
                    "Cannot download minutes.pdf: the server answered 404 for https://video.example.com/files/{}/minutes.pdf",
                    "a1b2c3d4".repeat(6)
                ),
            ),
            (
                trueconf_console::app::NoticeLevel::Warn,
                "No room connected (retrying in 4 s)".to_string(),
            ),
        ];
        for (i, (level, text)) in notices.into_iter().enumerate() {
            m.ui.now_ms = T0 + i as u64 * 61_000;
            m.notify(level, text);
        }
        key(&mut m, KeyCode::Char('L'));
        let s = screen(&m);
        assert!(s.contains("minutes.pdf"), "{s}");
        assert!(s.contains("Message log"), "{s}");
        insta::assert_snapshot!(format!("message_log_{w}x{h}"), render(&m).backend());
    }
}

/// The status bar's last row of the screen.
fn status_row(m: &Model) -> String {
    screen(m).lines().last().unwrap_or_default().to_string()
}

#[test]
fn the_status_bar_names_the_keys_of_what_has_the_keyboard() {
    let mut m = project(80, 24, 0, 2, 2);
    // In a prompt the letters are typed: no "? help", no "q quit".
    key(&mut m, KeyCode::Char('u'));
    let s = status_row(&m);
    assert!(
        s.contains("Enter send the file") && s.contains("Esc cancel"),
        "{s}"
    );
    assert!(!s.contains("quit") && !s.contains("help"), "{s}");
    key(&mut m, KeyCode::Esc);
    // Forwarding the selected message.
    key(&mut m, KeyCode::Up);
    key(&mut m, KeyCode::Char('f'));
    let s = status_row(&m);
    assert!(s.contains("Enter forward") && !s.contains("quit"), "{s}");
    key(&mut m, KeyCode::Esc);
    // A confirmation (deleting one of ours): its answers, and that any other key cancels.
    key(&mut m, KeyCode::Up);
    key(&mut m, KeyCode::Up);
    key(&mut m, KeyCode::Char('d'));
    let s = status_row(&m);
    assert!(s.contains("answer") && s.contains("cancel"), "{s}");
    key(&mut m, KeyCode::Esc);
    // The help's search while its query is typed.
    key(&mut m, KeyCode::Char('?'));
    assert!(status_row(&m).contains("/ search"));
    key(&mut m, KeyCode::Char('/'));
    let s = status_row(&m);
    assert!(
        s.contains("Enter search") && s.contains("Esc cancel"),
        "{s}"
    );
    key(&mut m, KeyCode::Esc);
    key(&mut m, KeyCode::Esc);
    // A ringing call while writing: its keys, which answer it from the composer too.
    key(&mut m, KeyCode::Char('i'));
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    let mut st = m.room.state.clone();
    st.apply_event(&RoomEvent::InviteReceived {
        peer_id: "dave@video.example.com".into(),
        peer_dn: "Dave Brown".into(),
        conf_type: 0,
        conf_id: "c1".into(),
        conf_title: None,
    });
    update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    let s = status_row(&m);
    assert!(s.contains("a accept") && s.contains("r reject"), "{s}");
}

#[test]
fn at_the_start_of_a_chat_newer_messages_fill_the_pane() {
    let mut m = project(80, 24, 0, 2, 30);
    for _ in 0..4 {
        key(&mut m, KeyCode::PageUp);
    }
    let o = m.chat.open.as_ref().unwrap();
    assert_eq!(o.selected_index(), Some(0), "the cursor on the oldest");
    let s = screen(&m);
    assert!(s.contains("The chat starts here"), "{s}");
    // The pane is full: no run of empty history rows below the messages.
    let rows: Vec<&str> = s
        .lines()
        .filter(|l| l.contains("our message") || l.contains("Alice's message"))
        .collect();
    assert!(rows.len() >= 6, "{s}");
    let bottom = s.lines().rev().nth(5).unwrap();
    assert!(
        bottom
            .split('│')
            .nth(3)
            .is_some_and(|r| !r.trim().is_empty()),
        "{s}"
    );
}

#[test]
fn a_search_in_the_open_chat_moves_between_matches_and_highlights_them_80x24() {
    let mut msgs: Vec<(String, String)> = Vec::new();
    for n in 1..=30 {
        let text = if n % 7 == 0 {
            format!("message {n} about the Budget review")
        } else {
            format!("message {n}: nothing to see")
        };
        msgs.push(("alice@video.example.com".to_string(), text));
    }
    let mut m = project_with(80, 24, 0, &msgs);
    key(&mut m, KeyCode::Char('/'));
    assert!(
        status_row(&m).contains("Enter search"),
        "{}",
        status_row(&m)
    );
    typed(&mut m, "budget");
    key(&mut m, KeyCode::Enter);
    // Four matches (7, 14, 21, 28); the cursor on the newest, the count said.
    let s = screen(&m);
    assert!(s.contains("4 matches for “budget”"), "{s}");
    let sel = |m: &Model| {
        let o = m.chat.open.as_ref().unwrap();
        o.selected_message().map(|e| e.message_id.clone())
    };
    let at_28 = sel(&m).unwrap();
    // n goes older, N newer; past the newest match, it says so and stays.
    key(&mut m, KeyCode::Char('n'));
    let at_21 = sel(&m).unwrap();
    assert_ne!(at_21, at_28);
    assert!(screen(&m).contains("message 21 about"), "{}", screen(&m));
    key(&mut m, KeyCode::Char('N'));
    assert_eq!(sel(&m).unwrap(), at_28);
    key(&mut m, KeyCode::Char('N'));
    assert_eq!(sel(&m).unwrap(), at_28);
    assert!(screen(&m).contains("No newer match"), "{}", screen(&m));
    assert!(status_row(&m).contains("n older match") || screen(&m).contains("No newer"));
    insta::assert_snapshot!("history_search_80x24", render(&m).backend());
    // The words found stand out; the rest of the line does not.
    let t = render(&m);
    let buf = t.backend().buffer();
    let (x, y) = {
        let s = screen(&m);
        let (y, row) = s
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains("message 28 about the Budget"))
            .unwrap();
        let i = row.find("Budget").unwrap();
        (
            unicode_width::UnicodeWidthStr::width(&row[..i]) as u16,
            y as u16,
        )
    };
    let found = buf[(x, y)].style();
    let plain = buf[(x - 2, y)].style();
    assert_ne!(found.bg, plain.bg, "Budget is highlighted");
    assert_eq!(buf[(x + 5, y)].style().bg, found.bg, "the whole word");
    assert_ne!(buf[(x + 7, y)].style().bg, found.bg, "and only the word");
    // Esc ends the search and keeps the cursor; a second Esc goes back to the newest.
    key(&mut m, KeyCode::Esc);
    assert!(m.chat.open.as_ref().unwrap().search.is_none());
    assert_eq!(sel(&m).unwrap(), at_28);
    key(&mut m, KeyCode::Esc);
    assert_eq!(sel(&m), None);
}

#[test]
fn the_search_over_every_stored_chat_80x24_and_160x48() {
    use trueconf_console::store::Hit;
    for (w, h) in [(80, 24), (160, 48)] {
        let mut m = project(w, h, 0, 2, 3);
        key(&mut m, KeyCode::Esc);
        typed(&mut m, "S");
        typed(&mut m, "kiwi");
        let hit = |id: &str, chat: &str, n: u64, snippet: &str| Hit {
            chat_id: chat.into(),
            chat_title: Some(chat.into()),
            message_id: id.into(),
            author: "alice@video.example.com".into(),
            author_name: Some("Alice Johnson".into()),
            timestamp: T0 + n * 3_600_000,
            snippet: snippet.into(),
            text: snippet.replace(['\u{2}', '\u{3}'], ""),
        };
        update(
            &mut m,
            Msg::StoreSearched {
                seq: 4,
                result: Ok(vec![
                    hit("m1", "p", 1, "the \u{2}kiwi\u{3} delivery is late again"),
                    hit(
                        "m9",
                        "Ops",
                        30,
                        "…two crates of \u{2}kiwis\u{3} for the \u{1b}[31mlobby\u{1b}[0m",
                    ),
                    hit("m7", "Ops", 50, "\u{202e}kiwi\u{202c} \u{2}kiwi\u{3} kiwi"),
                ]),
            },
        );
        key(&mut m, KeyCode::Down);
        let s = screen(&m);
        assert!(s.contains("Search every stored chat · 3 found"), "{s}");
        assert!(s.contains("Alice Johnson"), "{s}");
        assert!(!s.contains('\u{1b}') && !s.contains('\u{202e}'), "{s}");
        assert!(
            status_row(&m).contains("Enter open  ↑↓ choose  Esc close"),
            "{}",
            status_row(&m)
        );
        insta::assert_snapshot!(format!("search_all_{w}x{h}"), render(&m).backend());
    }
}

#[test]
fn the_store_s_copy_is_said_to_be_one_80x24() {
    use trueconf_console::store::writer::Snapshot;
    let mut m = Model::demo(&Config::default(), (80, 24), false);
    m.ui.utc_offset_secs = 0;
    let chat =
        Chat::from_value(&json!({"chatId": "p", "title": "Project", "chatType": 2})).unwrap();
    let page = vec![
        env("p", 1, ME, "kept from the last run"),
        env("p", 2, "alice@video.example.com", "and read offline"),
    ];
    update(
        &mut m,
        Msg::StoreOpened(Ok(Box::new(Snapshot {
            chats: vec![chat],
            names: vec![],
            open: Some(("p".into(), page)),
            notices: vec![],
            reads: vec![],
        }))),
    );
    let s = screen(&m);
    assert!(s.contains("stored copy · connecting"), "{s}");
    assert!(s.contains("History: Project (stored copy)"), "{s}");
    assert!(s.contains("and read offline"), "{s}");
    insta::assert_snapshot!("stored_copy_80x24", render(&m).backend());
}

#[test]
fn a_search_with_as_many_matches_as_are_shown_says_they_are_the_best_not_all() {
    use trueconf_console::store::{Hit, SEARCH_HITS};
    let mut m = project(80, 24, 0, 1, 1);
    key(&mut m, KeyCode::Esc);
    typed(&mut m, "Sthe");
    let hits: Vec<Hit> = (0..SEARCH_HITS)
        .map(|i| Hit {
            chat_id: "p".into(),
            chat_title: None,
            message_id: format!("m{i}"),
            author: ME.into(),
            author_name: None,
            timestamp: T0,
            snippet: "\u{2}the\u{3} same".into(),
            text: "the same".into(),
        })
        .collect();
    update(
        &mut m,
        Msg::StoreSearched {
            seq: 3,
            result: Ok(hits),
        },
    );
    let s = screen(&m);
    assert!(s.contains(&format!("the best {SEARCH_HITS}")), "{s}");
    assert!(!s.contains("found"), "{s}");
}

#[test]
fn a_window_that_stops_short_of_the_newest_says_what_is_below_80x24() {
    let mut m = project(80, 24, 0, 2, 3);
    key(&mut m, KeyCode::Up);
    {
        // What the window is after reading far up and letting the newer end go.
        let o = m.chat.open.as_mut().unwrap();
        o.newer.detached = true;
        o.newer.chunks = vec!["later".into()];
    }
    let s = screen(&m);
    assert!(
        s.contains("Newer below: Down reads on, End the newest"),
        "{s}"
    );
    // A newer page asked for: said at the border too, where the eye is.
    m.chat.open.as_mut().unwrap().newer.loading = true;
    let s = screen(&m);
    assert!(s.contains("Loading newer messages…"), "{s}");
    assert!(s.contains("loading newer messages…"), "{s}");
    insta::assert_snapshot!("window_detached_loading_80x24", render(&m).backend());
}

/// A selected frame whose name is longer than its row has left is cut with an ellipsis, not
/// clipped at the border into what could read as another method (found by a helper at 80x24
/// with `getConferenceParticipants`).
#[test]
fn a_long_frame_name_in_the_inspector_is_cut_with_an_ellipsis() {
    use trueconf_console::room::RoomLinkEvent;
    let mut m = Model::demo(&Config::default(), (80, 24), false);
    m.ui.utc_offset_secs = 0;
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('t'), KeyModifiers::CONTROL)),
    );
    let name = "getConferenceParticipantsAndEveryOneOfTheirDevicesAndAlsoTheirSettings";
    update(
        &mut m,
        Msg::Room(
            0,
            RoomLinkEvent::Frame {
                outgoing: true,
                text: json!({"method": name, "requestId": 3}).to_string(),
                at_ms: T0,
            },
        ),
    );
    while m.ui.focus != trueconf_console::app::Pane::Inspector {
        key(&mut m, KeyCode::Tab);
    }
    key(&mut m, KeyCode::Up);
    let s = screen(&m);
    let row = s
        .lines()
        .find(|l| l.contains("▶"))
        .unwrap_or_else(|| panic!("no selected row:\n{s}"));
    assert!(row.contains("room getConference"), "{row}");
    assert!(row.contains('…'), "the cut is shown: {row}");
}
