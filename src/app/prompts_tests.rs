use super::*;
use crate::app::testkit::*;
use crate::app::{Confirm, LinkStatus, Mode, Msg, Pane, Prompt, update};
use crate::chat::ChatError;
use crate::chat::ChatLinkEvent;
use crate::chat::events::ChatEvent;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

#[test]
fn ctrl_w_deletes_the_word_before_the_cursor_in_every_input() {
    let ctrl_w = KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL);
    // (what opens the input, from the history pane with the newest message selected)
    let inputs: &[(&str, &[char])] = &[
        ("composer", &['i']),
        ("chat filter", &['\t', '\t', '/']),
        ("call prompt", &['c']),
        ("forward target", &['f']),
        ("upload path", &['u']),
        ("new chat", &['\t', '\t', 'N']),
        ("explorer list", &['x']),
    ];
    for (what, open_keys) in inputs {
        let mut m = open(2);
        update(
            &mut m,
            Msg::Room(
                0,
                crate::room::RoomLinkEvent::Status(LinkStatus::Authorized),
            ),
        );
        kc(&mut m, KeyCode::Up);
        for c in *open_keys {
            if *c == '\t' {
                kc(&mut m, KeyCode::Tab);
            } else {
                ch(&mut m, *c);
            }
        }
        typed(&mut m, "ab cd");
        assert_eq!(input_text(&m), "ab cd", "{what}");
        update(&mut m, Msg::Key(ctrl_w));
        assert_eq!(input_text(&m), "ab ", "{what}: Ctrl-W");
        update(&mut m, Msg::Key(ctrl_w));
        assert_eq!(input_text(&m), "", "{what}: Ctrl-W again");
    }
    // The explorer's JSON editor: the word typed into the template goes, the rest stays (the
    // first method's template says which API version: the cursor waits inside its quotes).
    let mut m = open(2);
    update(
        &mut m,
        Msg::Room(
            0,
            crate::room::RoomLinkEvent::Status(LinkStatus::Authorized),
        ),
    );
    ch(&mut m, 'x');
    kc(&mut m, KeyCode::Enter);
    let template = input_text(&m);
    typed(&mut m, "ab zz");
    update(&mut m, Msg::Key(ctrl_w));
    assert_eq!(
        input_text(&m),
        template.replacen("\"1\"", "\"ab 1\"", 1),
        "explorer editor: Ctrl-W"
    );
}

#[test]
fn delete_asks_first_and_the_answer_decides_for_whom() {
    let mut m = open(3);
    kc(&mut m, KeyCode::Up);
    assert!(ch(&mut m, 'd').is_empty());
    let Mode::Confirm(Confirm {
        question, answers, ..
    }) = m.mode.clone()
    else {
        panic!("no confirmation: {:?}", m.mode);
    };
    assert!(question.contains("text m2"), "{question}");
    assert_eq!(answers.len(), 2);
    // Any other key cancels.
    assert!(ch(&mut m, 'x').is_empty());
    assert_eq!(m.mode, Mode::Normal);
    ch(&mut m, 'd');
    let cmds = ch(&mut m, 'e');
    let op = ChatOp::Delete {
        chat_id: "a".into(),
        message_id: "m2".into(),
        for_all: true,
    };
    assert_eq!(cmds, vec![Cmd::Chat(op.clone())]);
    update(
        &mut m,
        Msg::ChatDone {
            op,
            result: Ok(None),
        },
    );
    assert!(m.chat.open.as_ref().unwrap().deleted.contains("m2"));
    assert_eq!(m.ui.notice.as_ref().unwrap().text, "Deleted for everyone");
    // A deleted message takes no more actions; a refusal is shown.
    ch(&mut m, 'R');
    assert!(m.ui.notice.as_ref().unwrap().text.contains("deleted"));
    kc(&mut m, KeyCode::Up);
    ch(&mut m, 'd');
    let cmds = ch(&mut m, 'm');
    let Cmd::Chat(op) = cmds[0].clone() else {
        panic!()
    };
    assert_eq!(
        op,
        ChatOp::Delete {
            chat_id: "a".into(),
            message_id: "m1".into(),
            for_all: false
        }
    );
    update(
        &mut m,
        Msg::ChatDone {
            op,
            result: Err(ChatError::Local("not enough rights (303)\u{1b}[2J".into()).into()),
        },
    );
    let n = m.ui.notice.clone().unwrap();
    assert_eq!(n.level, NoticeLevel::Error);
    assert!(n.text.contains("303") && !n.text.contains('\u{1b}'));
    // Removed by someone else: marked too.
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Event(ChatEvent::Removed {
            chat_id: "a".into(),
            message_id: "m0".into(),
            by: None,
        })),
    );
    assert!(m.chat.open.as_ref().unwrap().deleted.contains("m0"));
}

#[test]
fn forward_picks_a_chat_by_typing() {
    let mut m = open(2);
    kc(&mut m, KeyCode::Up);
    ch(&mut m, 'f');
    let Mode::Prompt(Prompt::Forward { selected, .. }) = &m.mode else {
        panic!()
    };
    assert_eq!(selected.as_deref(), Some("b"), "not the chat it is in");
    typed(&mut m, "alp");
    let Mode::Prompt(Prompt::Forward {
        selected, picker, ..
    }) = &m.mode
    else {
        panic!()
    };
    assert_eq!(
        (picker.query.text(), selected.as_deref()),
        ("alp", Some("a"))
    );
    kc(&mut m, KeyCode::Backspace);
    kc(&mut m, KeyCode::Backspace);
    kc(&mut m, KeyCode::Backspace);
    kc(&mut m, KeyCode::Down);
    let cmds = kc(&mut m, KeyCode::Enter);
    let op = ChatOp::Forward {
        message_id: "m1".into(),
        to_chat: "b".into(),
    };
    assert_eq!(cmds, vec![Cmd::Chat(op.clone())]);
    assert_eq!(m.mode, Mode::Normal);
    update(
        &mut m,
        Msg::ChatDone {
            op,
            result: Ok(None),
        },
    );
    assert_eq!(m.ui.notice.as_ref().unwrap().text, "Forwarded to Beta");
    // Esc cancels.
    ch(&mut m, 'f');
    assert!(kc(&mut m, KeyCode::Esc).is_empty());
    assert_eq!(m.mode, Mode::Normal);
}

#[test]
fn new_chat_of_each_kind_opens_when_created() {
    let mut m = open(1);
    m.ui.focus = Pane::Chats;
    ch(&mut m, 'N');
    assert!(matches!(
        m.mode,
        Mode::Prompt(Prompt::NewChat {
            kind: NewChatKind::P2p,
            ..
        })
    ));
    kc(&mut m, KeyCode::Tab);
    kc(&mut m, KeyCode::Tab);
    typed(&mut m, "News");
    let cmds = kc(&mut m, KeyCode::Enter);
    let op = ChatOp::Create {
        kind: NewChatKind::Channel,
        arg: "News".into(),
    };
    assert_eq!(cmds, vec![Cmd::Chat(op.clone())]);
    let cmds = update(
        &mut m,
        Msg::ChatDone {
            op,
            result: Ok(Some("new1".into())),
        },
    );
    assert_eq!(
        cmds,
        vec![
            Cmd::LoadChats,
            Cmd::LoadHistory {
                chat_id: "new1".into(),
                before: None
            }
        ]
    );
    assert_eq!(m.chat.open.as_ref().unwrap().chat_id, "new1");
    assert_eq!(m.ui.focus, Pane::History, "the new chat has the keyboard");
    // A personal chat also asks for the other side's name.
    m.ui.focus = Pane::Chats;
    ch(&mut m, 'N');
    typed(&mut m, "bob@srv");
    let cmds = kc(&mut m, KeyCode::Enter);
    let Cmd::Chat(op) = cmds[0].clone() else {
        panic!()
    };
    let cmds = update(
        &mut m,
        Msg::ChatDone {
            op,
            result: Ok(Some("p2p".into())),
        },
    );
    assert!(cmds.contains(&Cmd::ResolveNames(vec!["bob@srv".into()])));
}

/// The call prompt with the demo's address book, the Room online.
fn call_prompt() -> crate::app::Model {
    use crate::room::state::{Contact, Peer, RoomState};
    let mut m = online_demo();
    let s = RoomState {
        contacts: ["alice", "bob"]
            .iter()
            .map(|n| Contact {
                peer: Peer {
                    id: format!("{n}@video.example.com"),
                    name: n.to_uppercase(),
                },
                status: 1,
                presence: Default::default(),
            })
            .collect(),
        ..RoomState::default()
    };
    update(
        &mut m,
        Msg::Room(0, crate::room::RoomLinkEvent::State(Box::new(s))),
    );
    ch(&mut m, 'c');
    m
}

#[test]
fn enter_in_the_call_prompt_calls_only_someone_chosen() {
    // `c` then Enter: nothing is highlighted, nobody is called, the prompt stays and says why.
    let mut m = call_prompt();
    let Mode::Prompt(Prompt::Call(p)) = &m.mode else {
        panic!("no call prompt: {:?}", m.mode)
    };
    assert_eq!(p.selected, None, "nothing preselected");
    assert!(kc(&mut m, KeyCode::Enter).is_empty());
    assert!(matches!(m.mode, Mode::Prompt(Prompt::Call(_))));
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("Type a name or id, or pick one")
    );
    // Typed, then erased: nothing chosen again.
    typed(&mut m, "b");
    kc(&mut m, KeyCode::Backspace);
    assert!(kc(&mut m, KeyCode::Enter).is_empty());
    // Moving the highlight is a choice: ↓ picks the first, Enter calls it.
    kc(&mut m, KeyCode::Down);
    assert_eq!(
        kc(&mut m, KeyCode::Enter),
        vec![Cmd::room(
            0,
            "call",
            json!({"peerId": "alice@video.example.com"})
        )]
    );
    assert_eq!(m.mode, Mode::Normal);
    // Typing is a choice too: the best match is called.
    ch(&mut m, 'c');
    typed(&mut m, "bo");
    assert_eq!(
        kc(&mut m, KeyCode::Enter),
        vec![Cmd::room(
            0,
            "call",
            json!({"peerId": "bob@video.example.com"})
        )]
    );
}
