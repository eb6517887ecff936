use super::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use crossterm::event::{KeyEventKind, KeyEventState};

use crate::app::testkit::*;
use crate::chat::ChatError;
use crate::room::RoomLinkEvent;
use serde_json::json;

#[test]
fn q_and_ctrl_c_quit() {
    let mut m = demo();
    assert_eq!(update(&mut m, press('q')), vec![Cmd::Quit]);
    assert!(m.quit);

    // Ctrl-C quits even when `quit` is rebound and the help is open.
    let mut m = model("[ui.keys]\nquit = \"ctrl-q\"\n");
    update(&mut m, press('?'));
    assert_eq!(
        update(&mut m, key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        vec![Cmd::Quit]
    );
    assert!(m.quit);
}

#[test]
fn rebound_quit_replaces_the_default() {
    let mut m = model("[ui.keys]\nquit = \"ctrl-q\"\n");
    assert!(update(&mut m, press('q')).is_empty());
    assert!(!m.quit);
    assert_eq!(
        update(&mut m, key(KeyCode::Char('q'), KeyModifiers::CONTROL)),
        vec![Cmd::Quit]
    );
}

#[test]
fn signals_and_a_lost_terminal_quit() {
    for msg in [
        Msg::Signal(crate::app::SignalKind::Terminate),
        Msg::Signal(crate::app::SignalKind::Hangup),
        Msg::Signal(crate::app::SignalKind::Interrupt),
        Msg::TerminalLost("EIO".into()),
    ] {
        let mut m = demo();
        assert_eq!(update(&mut m, msg.clone()), vec![Cmd::Quit], "{msg:?}");
        assert!(m.quit);
    }
}

#[test]
fn every_end_says_why_and_saves_the_outbox_and_drafts() {
    use crate::app::SignalKind as S;
    for (msg, why) in [
        (press('q'), None),
        (key(KeyCode::Char('c'), KeyModifiers::CONTROL), None),
        (Msg::Signal(S::Terminate), Some(S::Terminate)),
        (Msg::Signal(S::Quit), Some(S::Quit)),
        (Msg::TerminalLost("EIO".into()), Some(S::Hangup)),
    ] {
        let mut m = demo();
        m.composer.persist = true;
        m.composer
            .drafts
            .entry("a".into())
            .or_default()
            .editor
            .insert("half written");
        let cmds = update(&mut m, msg.clone());
        assert_eq!(m.ended_by, why, "{msg:?}");
        assert_eq!(cmds.last(), Some(&Cmd::Quit), "{msg:?}");
        assert!(
            cmds.iter().any(|c| matches!(c, Cmd::SaveOutbox(_))),
            "{msg:?}"
        );
        let drafts = cmds.iter().find_map(|c| match c {
            Cmd::SaveDrafts(d) => Some(d.clone()),
            _ => None,
        });
        assert_eq!(
            drafts.and_then(|d| d.get("a").map(|d| d.text.clone())),
            Some("half written".to_string()),
            "{msg:?}"
        );
    }
    assert_eq!(
        [S::Hangup, S::Interrupt, S::Quit, S::Terminate].map(S::number),
        [1, 2, 3, 15]
    );
}

#[test]
fn ctrl_z_and_sigtstp_suspend_from_any_mode() {
    let mut m = demo();
    update(&mut m, press('?'));
    assert_eq!(
        update(&mut m, key(KeyCode::Char('z'), KeyModifiers::CONTROL)),
        vec![Cmd::Suspend]
    );
    assert_eq!(update(&mut m, Msg::Suspend), vec![Cmd::Suspend]);
    assert!(!m.quit);
}

#[test]
fn key_releases_are_ignored() {
    let mut m = demo();
    let mut ev = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    ev.kind = KeyEventKind::Release;
    ev.state = KeyEventState::NONE;
    let rev = m.revision();
    assert!(update(&mut m, Msg::Key(ev)).is_empty());
    assert!(!m.quit);
    assert_eq!(m.revision(), rev);
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut m = demo();
    let rev = m.revision();
    update(&mut m, press('?'));
    let top = |m: &crate::app::Model| match &m.mode {
        Mode::Pager(p) if p.kind == crate::app::pager::PagerKind::Help => p.viewer.top(),
        other => panic!("not the help: {other:?}"),
    };
    assert_eq!(top(&m), 0);
    assert_ne!(m.revision(), rev);
    update(&mut m, press('j'));
    update(&mut m, key(KeyCode::Down, KeyModifiers::NONE));
    assert_eq!(top(&m), 2);
    update(&mut m, press('k'));
    assert_eq!(top(&m), 1);
    // PgDn and End reach the end; it is clamped there.
    update(&mut m, key(KeyCode::End, KeyModifiers::NONE));
    let end = top(&m);
    update(&mut m, key(KeyCode::PageDown, KeyModifiers::NONE));
    assert_eq!(top(&m), end, "clamped at the end");
    assert!(end > 10, "the help is longer than a 24-row screen");
    // Other keys do nothing while the help is open: no pane change, no quit-by-accident.
    let rev = m.revision();
    update(&mut m, key(KeyCode::Tab, KeyModifiers::NONE));
    assert_eq!(m.ui.focus, Pane::Room);
    assert_eq!(m.revision(), rev);
    update(&mut m, key(KeyCode::Esc, KeyModifiers::NONE));
    assert_eq!(m.mode, Mode::Normal);
    // `?` toggles, and `q` closes the help rather than quitting.
    update(&mut m, press('?'));
    update(&mut m, press('?'));
    assert_eq!(m.mode, Mode::Normal);
    update(&mut m, press('?'));
    assert!(update(&mut m, press('q')).is_empty());
    assert_eq!(m.mode, Mode::Normal);
    assert!(!m.quit);
}

#[test]
fn tab_cycles_panes_both_ways() {
    let mut m = demo();
    let rev = m.revision();
    update(&mut m, key(KeyCode::Tab, KeyModifiers::NONE));
    assert_eq!(m.ui.focus, Pane::Chats);
    update(&mut m, key(KeyCode::Tab, KeyModifiers::NONE));
    assert_eq!(m.ui.focus, Pane::History);
    update(&mut m, key(KeyCode::Tab, KeyModifiers::NONE));
    assert_eq!(m.ui.focus, Pane::Room);
    update(&mut m, key(KeyCode::BackTab, KeyModifiers::SHIFT));
    assert_eq!(m.ui.focus, Pane::History);
    assert_ne!(m.revision(), rev);
}

#[test]
fn inspector_toggles() {
    let mut m = demo();
    update(&mut m, key(KeyCode::Char('t'), KeyModifiers::CONTROL));
    assert!(m.ui.inspector);
    update(&mut m, key(KeyCode::Char('t'), KeyModifiers::CONTROL));
    assert!(!m.ui.inspector);
}

#[test]
fn the_chat_link_status_and_session_reach_the_model() {
    use crate::chat::ChatLinkEvent;
    use crate::chat::client::ChatSession;
    let mut m = demo();
    let rev = m.revision();
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Connecting)),
    );
    assert_eq!(m.chat.link, LinkStatus::Connecting);
    assert_ne!(m.revision(), rev);
    let rev = m.revision();
    // The same status again changes nothing.
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Connecting)),
    );
    assert_eq!(m.revision(), rev);
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Session(ChatSession {
            user_id: "op\u{1b}[31m@srv/1".into(),
            me: "op\u{1b}[31m@srv".into(),
            connection_id: None,
        })),
    );
    let shown = m.chat.account.clone().unwrap();
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    assert!(m.chat.link.is_up());
}

#[test]
fn the_chat_list_loads_opens_and_follows_events() {
    use crate::chat::ChatLinkEvent;
    use crate::chat::events::ChatEvent;
    use crate::chat::types::{Chat, Envelope};
    let mut m = demo();
    // The link coming up asks for the list.
    let cmds = update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    assert_eq!(cmds, vec![Cmd::LoadChats]);
    assert_eq!(m.chat.list.state, crate::app::Loadable::Loading);
    let chat = |id: &str, unread: u64| {
        Chat::from_value(
            &json!({"chatId": id, "title": id, "chatType": 2, "unreadMessages": unread}),
        )
        .unwrap()
    };
    update(
        &mut m,
        Msg::ChatsLoaded(Ok(vec![chat("a", 0), chat("b", 2)])),
    );
    assert_eq!(m.chat.list.items[0].id, "b", "unread first");
    // Down, Enter in the chat list: open `a` and ask for its history.
    m.ui.focus = Pane::Chats;
    update(&mut m, press('j'));
    let cmds = update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert_eq!(
        cmds,
        vec![Cmd::LoadHistory {
            chat_id: "a".into(),
            before: None
        }]
    );
    assert_eq!(
        m.chat.open.as_ref().unwrap().state,
        crate::app::Loadable::Loading
    );
    let env = |chat: &str, id: &str, bx: u64| {
        Envelope::from_value(
            &json!({"chatId": chat, "messageId": id, "timestamp": bx, "type": 200,
            "author": {"id": "alice@srv", "type": 1}, "box": {"id": bx, "position": ""},
            "content": {"text": id, "parseMode": "text"}}),
        )
        .unwrap()
    };
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "a".into(),
            before: None,
            result: Ok(vec![env("a", "2", 2), env("a", "1", 1)]),
        },
    );
    let open = m.chat.open.as_ref().unwrap();
    assert_eq!(
        open.messages
            .iter()
            .map(|e| e.message_id.as_str())
            .collect::<Vec<_>>(),
        ["1", "2"]
    );
    // A push in the open chat is appended and not counted unread; one elsewhere is.
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(
            std::sync::Arc::new(env("a", "3", 3)),
        ))),
    );
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(
            std::sync::Arc::new(env("b", "x", 9)),
        ))),
    );
    assert_eq!(m.chat.open.as_ref().unwrap().messages.len(), 3);
    assert_eq!(
        m.chat
            .list
            .items
            .iter()
            .find(|i| i.id == "a")
            .unwrap()
            .unread,
        0
    );
    assert_eq!(
        m.chat
            .list
            .items
            .iter()
            .find(|i| i.id == "b")
            .unwrap()
            .unread,
        3
    );
    // Opening moved the keyboard to the history; in the list, `n` jumps to the next unread
    // chat and opens it.
    assert_eq!(
        m.ui.focus,
        Pane::History,
        "opening a chat focuses its history"
    );
    m.ui.focus = Pane::Chats;
    let cmds = update(&mut m, press('n'));
    assert_eq!(
        cmds,
        vec![Cmd::LoadHistory {
            chat_id: "b".into(),
            before: None
        }]
    );
    // A failed load is an error state, not an empty list.
    update(
        &mut m,
        Msg::ChatsLoaded(Err(ChatError::Local("chat not found (304)".into()).into())),
    );
    assert_eq!(
        m.chat.list.state,
        crate::app::Loadable::Failed("chat not found (304)".into())
    );
    // The chat removed under us closes.
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Event(ChatEvent::ChatRemoved {
            chat_id: "b".into(),
        })),
    );
    assert!(m.chat.open.is_none());
}

#[test]
fn the_composer_keeps_drafts_and_the_outbox_delivers_across_a_link_drop() {
    use crate::chat::ChatLinkEvent;
    use crate::chat::types::Chat;
    let enter = || Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let mut m = demo();
    m.composer.persist = true;
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    let chat =
        |id: &str| Chat::from_value(&json!({"chatId": id, "title": id, "chatType": 2})).unwrap();
    update(&mut m, Msg::ChatsLoaded(Ok(vec![chat("a"), chat("b")])));
    // `i` without an open chat explains; with one, keys go to the draft.
    update(&mut m, press('i'));
    assert!(!m.mode.is_composing());
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("Open a chat first")
    );
    m.ui.focus = Pane::Chats;
    update(&mut m, enter());
    update(&mut m, press('i'));
    assert!(m.mode.is_composing());
    for c in "hi q".chars() {
        update(&mut m, press(c));
    }
    assert!(!m.quit, "q is text while composing");
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)),
    );
    update(&mut m, Msg::Paste("there\r\n".into()));
    let open = m.chat.open.as_ref().unwrap().chat_id.clone();
    assert_eq!(m.composer.drafts[&open].editor.text(), "hi q\nthere\n");
    // Esc leaves and keeps the draft; another chat has its own.
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    assert!(!m.mode.is_composing());
    assert_eq!(m.composer.drafts[&open].editor.text(), "hi q\nthere\n");
    // Plain text over the server's limit is not sent: said, and kept as written.
    update(&mut m, press('i'));
    let long = "x".repeat(crate::app::composer::MAX_TEXT + 1);
    update(&mut m, Msg::Paste(long.clone()));
    assert!(update(&mut m, enter()).is_empty());
    assert!(m.mode.is_composing());
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("4108 characters; the server takes at most 4096"),
        "{:?}",
        m.ui.notice
    );
    let d = &mut m.composer.drafts.get_mut(&open).unwrap().editor;
    assert!(d.text().ends_with(&long));
    *d = crate::app::Editor::new("hi q\nthere\n");
    // Enter sends: saved to the outbox first, then handed to the link.
    let cmds = update(&mut m, enter());
    assert!(
        matches!(&cmds[..], [Cmd::SaveOutbox(f), Cmd::SendChat(o)]
            if f.items.len() == 1 && f.items[0].state == crate::app::OutState::Sending && o.text == "hi q\nthere\n"),
        "{cmds:?}"
    );
    assert!(m.composer.drafts[&open].editor.is_empty());
    assert!(
        !m.mode.is_composing() && m.ui.focus == Pane::History,
        "sending leaves the composer: the next keys are commands"
    );
    // The link drops: what is written now waits.
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Disconnected {
            reason: "gone".into(),
        })),
    );
    update(&mut m, enter()); // Enter in the history writes again
    assert!(m.mode.is_composing());
    for c in "later".chars() {
        update(&mut m, press(c));
    }
    let cmds = update(&mut m, enter());
    assert!(matches!(&cmds[..], [Cmd::SaveOutbox(_)]), "{cmds:?}");
    assert_eq!(m.composer.outbox[1].state, crate::app::OutState::Pending);
    // The first one's send was cut by the drop: it may or may not have arrived.
    let first = m.composer.outbox[0].local_id;
    update(
        &mut m,
        Msg::ChatSent {
            local_id: first,
            outcome: crate::app::SendOutcome::Unknown("dropped".into()),
        },
    );
    assert_eq!(m.composer.outbox[0].state, crate::app::OutState::Uncertain);
    // The link returns: the uncertain one is checked before anything is sent, and the later
    // one waits behind it (order).
    let cmds = update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::CheckSent { item, .. } if item.local_id == first)),
        "{cmds:?}"
    );
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::SendChat(_))),
        "{cmds:?}"
    );
    // Not on the server: it goes out again, saved as Sending first; still nothing else.
    let cmds = update(
        &mut m,
        Msg::Checked {
            local_id: first,
            found: crate::app::Checked::Absent,
        },
    );
    assert!(
        matches!(&cmds[..], [Cmd::SaveOutbox(f), Cmd::SendChat(o)]
            if o.local_id == first && f.items[0].state == crate::app::OutState::Sending),
        "{cmds:?}"
    );
    // Delivered: gone from the outbox, claimed, the open chat reloads to show it, and the
    // next one goes.
    let cmds = update(
        &mut m,
        Msg::ChatSent {
            local_id: first,
            outcome: crate::app::SendOutcome::Sent {
                message_id: Some("srv1".into()),
            },
        },
    );
    assert!(cmds.contains(&Cmd::LoadHistory {
        chat_id: open.clone(),
        before: None
    }));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::SendChat(o) if o.text == "later"))
    );
    assert_eq!(m.composer.claimed, ["srv1"]);
    assert_eq!(m.composer.outbox.len(), 1);
}

#[test]
fn the_inspector_keeps_a_bounded_record_and_redraws_only_when_shown() {
    let mut m = demo();
    let rev = m.revision();
    let frame = |i: usize| {
        Msg::Room(
            0,
            RoomLinkEvent::Frame {
                outgoing: i.is_multiple_of(2),
                text: format!(r#"{{"method":"m{i}","requestId":"{i}"}}"#),
                at_ms: i as u64,
            },
        )
    };
    update(&mut m, frame(0));
    assert_eq!(m.revision(), rev, "hidden inspector: no redraw");
    assert_eq!(m.ui.traffic.back().unwrap().what(), "m0");
    for i in 1..(crate::app::Traffic::KEEP + 50) {
        update(&mut m, frame(i));
    }
    assert_eq!(m.ui.traffic.len(), crate::app::Traffic::KEEP);
    assert_eq!(m.ui.traffic.front().unwrap().what(), "m50");
    m.ui.inspector = true;
    update(&mut m, frame(9999));
    assert_ne!(m.revision(), rev);
    // A huge frame is cut (on a character boundary), never kept whole.
    let big = format!("{{\"method\":\"x\",\"t\":\"{}\"}}", "é".repeat(1_000_000));
    update(
        &mut m,
        Msg::Room(
            0,
            RoomLinkEvent::Frame {
                outgoing: false,
                text: big,
                at_ms: 0,
            },
        ),
    );
    assert!(m.ui.traffic.back().unwrap().text.len() <= crate::app::Traffic::MAX_TEXT);
}

#[test]
fn display_names_are_asked_once_and_shown_inert() {
    use crate::chat::ChatLinkEvent;
    use crate::chat::events::ChatEvent;
    use crate::chat::types::{Chat, Envelope};
    let mut m = demo();
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    let p2p =
        Chat::from_value(&json!({"chatId": "p", "title": "alice@srv", "chatType": 1})).unwrap();
    let cmds = update(&mut m, Msg::ChatsLoaded(Ok(vec![p2p.clone()])));
    assert_eq!(cmds, vec![Cmd::ResolveNames(vec!["alice@srv".into()])]);
    assert!(
        update(&mut m, Msg::ChatsLoaded(Ok(vec![p2p]))).is_empty(),
        "asked once"
    );
    let msg = |author: &str| {
        ChatEvent::Message(std::sync::Arc::new(
            Envelope::from_value(&json!({"chatId": "p", "messageId": author,
            "timestamp": 1, "type": 200, "author": {"id": author, "type": 1},
            "content": {"text": "x", "parseMode": "text"}}))
            .unwrap(),
        ))
    };
    let cmds = update(&mut m, Msg::Chat(ChatLinkEvent::Event(msg("bob@srv"))));
    assert_eq!(cmds, vec![Cmd::ResolveNames(vec!["bob@srv".into()])]);
    assert!(update(&mut m, Msg::Chat(ChatLinkEvent::Event(msg("bob@srv")))).is_empty());
    update(
        &mut m,
        Msg::Name {
            id: "bob@srv".into(),
            name: "Bob \u{1b}[31mSmith".into(),
        },
    );
    assert_eq!(m.chat.names["bob@srv"], "Bob Smith");
}

#[test]
fn slash_filters_the_chat_list_and_enter_opens_the_match() {
    use crate::chat::ChatLinkEvent;
    use crate::chat::types::Chat;
    let mut m = demo();
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    let chat = |id: &str, title: &str| {
        Chat::from_value(&json!({"chatId": id, "title": title, "chatType": 2})).unwrap()
    };
    update(
        &mut m,
        Msg::ChatsLoaded(Ok(vec![chat("a", "Project"), chat("b", "Announcements")])),
    );
    m.ui.focus = Pane::Chats;
    update(&mut m, press('/'));
    assert!(m.mode.is_filtering());
    for c in "ann".chars() {
        update(&mut m, press(c));
    }
    assert_eq!(m.chat.list.selected.as_deref(), Some("b"));
    assert!(
        !m.quit && m.mode.is_filtering(),
        "keys are text while filtering"
    );
    let cmds = update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert_eq!(
        cmds,
        vec![Cmd::LoadHistory {
            chat_id: "b".into(),
            before: None
        }]
    );
    assert!(!m.mode.is_filtering());
    assert_eq!(m.chat.filter.query.text(), "ann", "the list stays filtered");
    assert_eq!(
        m.ui.focus,
        Pane::History,
        "the opened chat has the keyboard"
    );
    // Back in the list, Esc drops the filter that stuck.
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    assert_eq!(m.ui.focus, Pane::Chats);
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    assert!(
        m.chat.filter.is_empty(),
        "Esc in the list clears the filter"
    );
    update(&mut m, press('/'));
    for c in "zz".chars() {
        update(&mut m, press(c));
    }
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    assert!(m.chat.filter.is_empty() && !m.mode.is_filtering());
}

#[test]
fn chat_actions_without_a_chat_link_explain_why() {
    // Pane keys work in their pane: history keys with the history focused.
    let mut m = demo();
    m.ui.focus = Pane::History;
    for c in ['R', 'e', 'd', 'f', 'u', 'o'] {
        m.ui.notice = None;
        update(&mut m, press(c));
        let text =
            m.ui.notice
                .as_ref()
                .map(|n| n.text.clone())
                .unwrap_or_default();
        assert!(text.starts_with("No chat server connected"), "{c}: {text}");
    }
    let mut m = model("");
    m.ui.focus = Pane::Chats;
    update(&mut m, press('/'));
    assert!(m.ui.notice.unwrap().text.contains("add [chat]"));
}

#[test]
fn pane_keys_only_act_in_their_pane() {
    let mut m = demo();
    m.ui.focus = Pane::Chats;
    let rev = m.revision();
    update(&mut m, press('e')); // `e` edits in the history, nothing in the chat list
    assert_eq!(m.ui.notice, None);
    assert_eq!(m.revision(), rev);
}

#[test]
fn the_next_key_clears_a_notice() {
    let mut m = demo();
    update(&mut m, press('c'));
    assert!(m.ui.notice.is_some());
    let rev = m.revision();
    update(&mut m, press('x')); // unbound
    assert_eq!(m.ui.notice, None);
    assert_ne!(m.revision(), rev);
}

#[test]
fn an_unbound_key_in_the_explorer_still_redraws_the_notice_it_cleared() {
    let mut m = demo();
    update(&mut m, press('x'));
    assert!(m.mode.explorer().is_some());
    for code in [KeyCode::F(5), KeyCode::Insert] {
        m.notify(NoticeLevel::Warn, "stale");
        let rev = m.revision();
        update(&mut m, key(code, KeyModifiers::NONE));
        assert_eq!(m.ui.notice, None);
        assert_ne!(
            m.revision(),
            rev,
            "{code:?}: the cleared notice must be redrawn"
        );
    }
    // The same in the explorer's editor.
    update(&mut m, key(KeyCode::Enter, KeyModifiers::NONE));
    m.notify(NoticeLevel::Warn, "stale");
    let rev = m.revision();
    update(&mut m, key(KeyCode::F(5), KeyModifiers::NONE));
    assert_eq!(m.ui.notice, None);
    assert_ne!(m.revision(), rev);
}

#[test]
fn a_later_message_in_a_batch_never_cancels_an_earlier_redraw() {
    // The runtime applies a batch of messages and then draws if the revision moved.
    let mut m = demo();
    let drawn = m.revision();
    let batch = vec![
        Msg::Resize(100, 30),
        press('x'),
        key(KeyCode::F(5), KeyModifiers::NONE),
        Msg::Tick,
        Msg::Resize(100, 30),
    ];
    for msg in batch {
        update(&mut m, msg);
    }
    assert_ne!(
        m.revision(),
        drawn,
        "the batch changed the screen: it must be drawn"
    );
}

#[test]
fn unbound_keys_and_pastes_change_nothing() {
    let mut m = demo();
    let before = m.clone();
    update(&mut m, press('Z'));
    update(&mut m, Msg::Paste("hello".into()));
    update(&mut m, key(KeyCode::Up, KeyModifiers::NONE));
    assert_eq!(m, before);
}

#[test]
fn resize_redraws_only_on_change() {
    let mut m = demo();
    let rev = m.revision();
    update(&mut m, Msg::Resize(80, 24));
    assert_eq!(m.revision(), rev);
    update(&mut m, Msg::Resize(120, 40));
    assert_eq!(m.ui.size, (120, 40));
    assert_ne!(m.revision(), rev);
}
