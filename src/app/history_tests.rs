use super::*;
use crate::app::testkit::*;
use crate::app::{LinkStatus, Msg, OutState, Outgoing, Pane, SendOutcome, update};
use crate::chat::ChatError;
use crate::chat::ChatLinkEvent;
use crate::chat::events::ChatEvent;
use crate::chat::types::Chat;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

#[test]
fn the_cursor_moves_and_older_pages_load_near_the_top() {
    let mut m = open(100);
    assert_eq!(m.chat.open.as_ref().unwrap().older, Older::More);
    let rev = m.revision();
    assert!(kc(&mut m, KeyCode::Up).is_empty());
    assert_eq!(sel(&m).as_deref(), Some("m99"), "up lands on the newest");
    assert_ne!(m.revision(), rev);
    ch(&mut m, 'j');
    assert_eq!(sel(&m), None, "down past the newest follows again");
    kc(&mut m, KeyCode::PageUp);
    assert_eq!(sel(&m).as_deref(), Some("m90"), "ten up from following");
    kc(&mut m, KeyCode::PageDown);
    assert_eq!(sel(&m), None);
    // Up to the tenth message: the page before the oldest is asked for, once.
    let mut asked = vec![];
    for _ in 0..91 {
        asked.extend(kc(&mut m, KeyCode::Up));
    }
    assert_eq!(sel(&m).as_deref(), Some("m9"));
    assert_eq!(
        asked,
        vec![Cmd::LoadHistory {
            chat_id: "a".into(),
            before: Some("m0".into())
        }]
    );
    assert_eq!(m.chat.open.as_ref().unwrap().older, Older::Loading);
    assert!(kc(&mut m, KeyCode::Up).is_empty(), "not asked twice");
    // A failed page says so and may be asked again.
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "a".into(),
            before: Some("m0".into()),
            result: Err(ChatError::Local("operation timeout (301)".into()).into()),
        },
    );
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("older messages")
    );
    assert_eq!(m.chat.open.as_ref().unwrap().older, Older::More);
    assert_eq!(kc(&mut m, KeyCode::Up).len(), 1);
    // A short older page is the start of the chat; the cursor stays on its message.
    let older = vec![
        env(
            "o2",
            0,
            "alice@srv",
            json!({"text": "x", "parseMode": "text"}),
            200,
        ),
        text("o1", 0, "alice@srv"),
    ];
    let before = sel(&m);
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "a".into(),
            before: Some("m0".into()),
            result: Ok(older),
        },
    );
    let o = m.chat.open.as_ref().unwrap();
    assert_eq!(o.messages.len(), 102);
    assert_eq!(o.older, Older::Complete);
    assert_eq!(o.selected, before);
    for _ in 0..20 {
        assert!(kc(&mut m, KeyCode::Up).is_empty());
    }
    // End and Esc go back to the newest.
    ch(&mut m, 'G');
    assert_eq!(sel(&m), None);
    kc(&mut m, KeyCode::Up);
    kc(&mut m, KeyCode::Esc);
    assert_eq!(sel(&m), None);
}

#[test]
fn a_first_page_shorter_than_a_page_is_the_whole_chat() {
    let m = open(5);
    assert_eq!(m.chat.open.as_ref().unwrap().older, Older::Complete);
}

#[test]
fn reply_sends_with_the_answered_message_and_backspace_drops_it() {
    let mut m = open(4);
    assert!(ch(&mut m, 'R').is_empty());
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("Select a message")
    );
    kc(&mut m, KeyCode::Up);
    kc(&mut m, KeyCode::Up);
    ch(&mut m, 'R');
    assert!(m.mode.is_composing());
    assert_eq!(m.composer.drafts["a"].reply_to.as_deref(), Some("m2"));
    // Backspace in the empty draft drops the reply; R again brings it back.
    kc(&mut m, KeyCode::Backspace);
    assert_eq!(m.composer.drafts["a"].reply_to, None);
    kc(&mut m, KeyCode::Esc);
    ch(&mut m, 'R');
    typed(&mut m, "yes");
    // Ctrl-P: markdown.
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL)),
    );
    let cmds = kc(&mut m, KeyCode::Enter);
    let Some(Cmd::SendChat(o)) = cmds.into_iter().find(|c| matches!(c, Cmd::SendChat(_))) else {
        panic!("no send");
    };
    assert_eq!(o.reply_to.as_deref(), Some("m2"));
    assert_eq!(o.parse_mode, "markdown");
    assert_eq!(o.text, "yes");
    assert_eq!(o.edit_of, None);
    assert_eq!(sel(&m), None, "after sending the pane follows the newest");
    assert_eq!(m.composer.drafts["a"].reply_to, None);
}

#[test]
fn edit_only_our_text_and_the_sent_edit_shows_at_once() {
    let mut m = open(4);
    kc(&mut m, KeyCode::Up); // m3: ours
    kc(&mut m, KeyCode::Up); // m2: alice's
    ch(&mut m, 'e');
    assert!(m.ui.notice.as_ref().unwrap().text.contains("your own"));
    assert!(!m.mode.is_composing());
    kc(&mut m, KeyCode::Down);
    // A draft in the composer is never overwritten by an edit.
    m.composer
        .drafts
        .entry("a".into())
        .or_default()
        .editor
        .insert("keep me");
    ch(&mut m, 'e');
    assert_eq!(m.ui.notice.as_ref().unwrap().level, NoticeLevel::Warn);
    assert_eq!(m.composer.drafts["a"].editor.text(), "keep me");
    m.composer.drafts.remove("a");
    ch(&mut m, 'e');
    assert!(m.mode.is_composing());
    assert_eq!(m.composer.drafts["a"].editor.text(), "text m3");
    assert_eq!(m.composer.drafts["a"].edit_of.as_deref(), Some("m3"));
    typed(&mut m, "!");
    let cmds = kc(&mut m, KeyCode::Enter);
    let o = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::SendChat(o) => Some(o.clone()),
            _ => None,
        })
        .expect("sent");
    assert_eq!(o.edit_of.as_deref(), Some("m3"));
    assert_eq!(o.text, "text m3!");
    let cmds = update(
        &mut m,
        Msg::ChatSent {
            local_id: o.local_id,
            outcome: SendOutcome::Sent { message_id: None },
        },
    );
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::LoadHistory { .. })),
        "an edit needs no reload"
    );
    let e = m.chat.open.as_ref().unwrap().messages.last().unwrap();
    assert!(e.is_edited);
    assert_eq!(e.summary(), "text m3!");
    assert!(m.composer.outbox.is_empty());
}

#[test]
fn server_requests_reach_the_list_and_the_open_chat() {
    use crate::chat::events::Created;
    let mut m = open(3);
    let ev = |m: &mut Model, e: ChatEvent| {
        let rev = m.revision();
        update(m, Msg::Chat(ChatLinkEvent::Event(e)));
        m.revision() != rev
    };
    // A new chat appears in the list; a rename reaches the list and the open chat.
    let c = Chat::from_value(&json!({"chatId": "n", "title": "New", "chatType": 3})).unwrap();
    assert!(ev(
        &mut m,
        ChatEvent::ChatCreated {
            how: Created::Channel,
            chat: Box::new(c)
        }
    ));
    assert!(m.chat.list.items.iter().any(|c| c.id == "n"));
    assert!(ev(
        &mut m,
        ChatEvent::TitleChanged {
            chat_id: "a".into(),
            title: "Alpha \u{1b}[31m2".into()
        }
    ));
    assert_eq!(m.chat.open.as_ref().unwrap().title, "Alpha 2");
    assert!(m.chat.list.items.iter().any(|c| c.title == "Alpha 2"));
    // An edit by someone else: new text, marked edited.
    assert!(ev(
        &mut m,
        ChatEvent::Edited {
            chat_id: "a".into(),
            message_id: Some("m0".into()),
            timestamp: None,
            text: "**new**".into(),
            parse_mode: "markdown".into()
        }
    ));
    let e = &m.chat.open.as_ref().unwrap().messages[0];
    assert!(e.is_edited);
    assert_eq!(e.summary(), "**new**");
    // An edit of a message not loaded, or in another chat, changes nothing.
    assert!(!ev(
        &mut m,
        ChatEvent::Edited {
            chat_id: "b".into(),
            message_id: Some("m0".into()),
            timestamp: None,
            text: "x".into(),
            parse_mode: "text".into()
        }
    ));
    // The history cleared: the pane empties and the cursor goes.
    kc(&mut m, KeyCode::Up);
    assert!(ev(
        &mut m,
        ChatEvent::HistoryCleared {
            chat_id: "a".into(),
            for_all: true
        }
    ));
    let o = m.chat.open.as_ref().unwrap();
    assert!(o.messages.is_empty() && o.selected.is_none());
    // What the panes do not show changes nothing on screen.
    for e in [
        ChatEvent::Other {
            method: "somethingNew".into(),
            payload: json!({}),
        },
        ChatEvent::Progress {
            file_id: "F".into(),
            progress: 1,
        },
        ChatEvent::AvatarChanged {
            chat_id: "a".into(),
            avatar_url: None,
        },
    ] {
        assert!(!ev(&mut m, e.clone()), "{e:?}");
    }
    // The open chat removed: the pane closes.
    assert!(ev(
        &mut m,
        ChatEvent::ChatRemoved {
            chat_id: "a".into()
        }
    ));
    assert!(m.chat.open.is_none());
}

/// Every bindable action, pressed with its default key where it applies, does something:
/// a command, or a visible change. No key is dead.
#[test]
fn every_action_does_something() {
    use crate::keys::Context;
    use crate::room::RoomLinkEvent;
    for &a in Action::ALL {
        let mut m = open(4);
        update(
            &mut m,
            Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Authorized)),
        );
        let mut st = m.room.state.clone();
        st.conference = Some(crate::room::state::Conference {
            id: "c1".into(),
            title: "Sync".into(),
            conf_type: 1,
            owner: ME.into(),
            participants: vec![],
        });
        st.volume = Some(0.5);
        if a.context() == Context::CallDialog {
            st.conference = None;
            st.invite = Some(crate::room::state::Invite {
                peer: crate::room::state::Peer {
                    id: "dave@srv".into(),
                    name: "Dave".into(),
                },
                conf_id: "x".into(),
                conf_type: 0,
                conf_title: None,
            });
        }
        update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
        m.ui.focus = match a.context() {
            Context::Chats => Pane::Chats,
            Context::Room => Pane::Room,
            _ => Pane::History,
        };
        if a == Action::Download {
            let f = env(
                "f",
                50,
                "alice@srv",
                json!({"name": "a.txt", "size": 1, "fileId": "F"}),
                202,
            );
            update(
                &mut m,
                Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(
                    std::sync::Arc::new(f),
                ))),
            );
        }
        // A message selected (most history actions need one), one failed send to retry.
        kc(&mut m, KeyCode::Up);
        if a == Action::Down || a == Action::Newest || a == Action::Back {
            kc(&mut m, KeyCode::Up);
        }
        m.composer.outbox.push(Outgoing {
            local_id: 1,
            state: OutState::Failed("x".into()),
            ..Outgoing::new("a".into(), "t".into(), "text")
        });
        if a == Action::Open {
            m.ui.focus = Pane::Chats;
        }
        if let Some(b) = m.chat.list.items.iter_mut().find(|c| c.id == "b") {
            b.unread = 1;
        }
        m.ui.notice = None;
        let before = m.clone();
        let k: crate::keys::KeySpec = m.ui.keys.keys(a)[0];
        let code = match k.to_string().as_str() {
            "Tab" => KeyCode::Tab,
            "Shift-Tab" => KeyCode::BackTab,
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Up" => KeyCode::Up,
            "Down" => KeyCode::Down,
            "End" => KeyCode::End,
            "PgUp" => KeyCode::PageUp,
            "PgDn" => KeyCode::PageDown,
            s if s.starts_with("Ctrl-") => {
                KeyCode::Char(s[5..].chars().next().unwrap().to_ascii_lowercase())
            }
            s => KeyCode::Char(s.chars().next().unwrap()),
        };
        let mods = if k.to_string().starts_with("Ctrl-") {
            KeyModifiers::CONTROL
        } else {
            KeyModifiers::NONE
        };
        let cmds = update(&mut m, Msg::Key(KeyEvent::new(code, mods)));
        let changed = m != before;
        assert!(
            !cmds.is_empty() || changed,
            "{} ({k}) did nothing",
            a.name()
        );
        // And a notice alone is not "doing something" for actions that have work here.
        if cmds.is_empty() && a != Action::SwitchRoom {
            let mut quiet = m.clone();
            quiet.ui.notice = before.ui.notice.clone();
            quiet.same_revision_as(&before);
            assert!(
                quiet != before,
                "{} ({k}) only said: {:?}",
                a.name(),
                m.ui.notice
            );
        }
    }
}

#[test]
fn a_failed_edit_stays_in_the_outbox_with_its_text() {
    let mut m = open(2);
    m.composer.outbox.push(Outgoing {
        local_id: 7,
        edit_of: Some("m1".into()),
        state: OutState::Sending,
        ..Outgoing::new("a".into(), "fixed".into(), "text")
    });
    update(
        &mut m,
        Msg::ChatSent {
            local_id: 7,
            outcome: SendOutcome::Refused("message not found (306)".into()),
        },
    );
    assert_eq!(
        m.composer.outbox[0].state,
        OutState::Failed("message not found (306)".into())
    );
    assert_eq!(m.composer.outbox[0].text, "fixed");
}

#[test]
fn a_reconnect_that_missed_more_than_a_page_reads_back_until_it_meets_what_is_held() {
    let mut m = open(10);
    let page = |from: u64| -> Vec<Envelope> {
        (from..from + HISTORY_PAGE)
            .rev()
            .map(|i| text(&format!("n{i}"), i, "alice@srv"))
            .collect()
    };
    let load = |m: &mut Model, before: Option<&str>, p: Vec<Envelope>| {
        update(
            m,
            Msg::HistoryLoaded {
                chat_id: "a".into(),
                before: before.map(str::to_string),
                result: Ok(p),
            },
        )
    };
    let gap = |cmds: &[Cmd]| {
        cmds.iter().find_map(|c| match c {
            Cmd::LoadHistory { before, .. } => Some(before.clone()),
            _ => None,
        })
    };
    // The newest page after a reconnect: full, and nothing in it is held: read below it.
    let cmds = load(&mut m, None, page(1000));
    assert_eq!(gap(&cmds), Some(Some("n1000".into())));
    // Still nothing met: on.
    let cmds = load(&mut m, Some("n1000"), page(900));
    assert_eq!(gap(&cmds), Some(Some("n900".into())));
    // This one reaches what was held (m0…m9): done, every message once.
    let meet: Vec<Envelope> = (810..900)
        .rev()
        .map(|i| text(&format!("n{i}"), i, "alice@srv"))
        .chain((0..10).rev().map(|i| {
            let who = if i % 2 == 0 { "alice@srv" } else { ME };
            text(&format!("m{i}"), i + 1, who)
        }))
        .collect();
    let cmds = load(&mut m, Some("n900"), meet);
    assert_eq!(gap(&cmds), None);
    let o = m.chat.open.as_ref().unwrap();
    let mut ids: Vec<&str> = o.messages.iter().map(|e| e.message_id.as_str()).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "no message twice");
    assert_eq!(n, 10 + 90 + 2 * HISTORY_PAGE as usize);
    // Scrolling up loads older pages as before: no gap below the oldest.
    let mut m = open(10);
    let older: Vec<Envelope> = Vec::new();
    let cmds = load(&mut m, Some("m0"), older);
    assert_eq!(gap(&cmds), None);
}
