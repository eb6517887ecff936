use super::*;
use crate::app::testkit::*;
use crate::app::{AppError, Mode, Msg, OutState, update};
use crate::chat::ChatLinkEvent;
use crate::chat::events::ChatEvent;
use crate::link::LinkStatus;
use crossterm::event::KeyCode;

/// A failed upload of `/tmp/a.txt` in the open chat `a`.
fn failed_upload(m: &mut Model) {
    ch(m, 'u');
    typed(m, "/tmp/a.txt");
    kc(m, KeyCode::Enter);
    update(
        m,
        Msg::TransferDone {
            id: 1,
            result: Err(AppError::ChatOffline),
        },
    );
    assert!(matches!(
        m.transfers.items[0].state,
        TransferState::Failed(_)
    ));
}

#[test]
fn t_in_the_history_sends_a_failed_file_again() {
    let mut m = crate::app::testkit::open(2);
    failed_upload(&mut m);
    let cmds = ch(&mut m, 't');
    assert_eq!(
        cmds,
        vec![Cmd::Upload {
            id: 1,
            chat_id: "a".into(),
            path: "/tmp/a.txt".into(),
            reply_to: None
        }]
    );
    assert_eq!(m.transfers.items[0].state, TransferState::Running);
}

#[test]
fn the_outbox_lists_a_message_whose_chat_is_gone_and_drops_it_when_asked() {
    let mut m = crate::app::testkit::open(2);
    m.composer.persist = true;
    // Written while the link is down, then the chat disappears.
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Disconnected {
            reason: "gone".into(),
        })),
    );
    ch(&mut m, 'i');
    typed(&mut m, "into the void");
    kc(&mut m, KeyCode::Enter);
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Event(ChatEvent::ChatRemoved {
            chat_id: "a".into(),
        })),
    );
    assert!(m.chat.open.is_none());
    failed_upload_elsewhere(&mut m);
    ch(&mut m, 'O');
    assert_eq!(m.mode, Mode::Outbox { selected: 0 });
    let rows = rows(&m);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].chat, "a (not in the chat list)");
    assert_eq!(rows[0].what, "into the void");
    assert_eq!(rows[0].state, "waiting for the link");
    assert!(rows[1].trouble && rows[1].state.starts_with("not sent"));
    // d asks; any other key keeps it.
    assert!(ch(&mut m, 'd').is_empty());
    assert!(matches!(&m.mode, Mode::Confirm(c) if c.question.contains("into the void")));
    ch(&mut m, 'n');
    assert_eq!(m.mode, Mode::Outbox { selected: 0 });
    assert_eq!(m.composer.outbox.len(), 1);
    // y drops it, and the saved outbox no longer holds it.
    ch(&mut m, 'd');
    let cmds = ch(&mut m, 'y');
    assert!(m.composer.outbox.is_empty());
    assert!(
        matches!(&cmds[..], [Cmd::SaveOutbox(f)] if f.items.is_empty()),
        "{cmds:?}"
    );
    assert_eq!(m.mode, Mode::Outbox { selected: 0 });
    // The failed file is the only row left; it can be dropped too.
    assert_eq!(rows_len(&m), 1);
    ch(&mut m, 'd');
    ch(&mut m, 'y');
    assert_eq!(rows_len(&m), 0);
    kc(&mut m, KeyCode::Esc);
    assert_eq!(m.mode, Mode::Normal);
}

fn rows_len(m: &Model) -> usize {
    rows(m).len()
}

/// A failed upload in chat `b`, as if started there earlier.
fn failed_upload_elsewhere(m: &mut Model) {
    m.transfers.items.push(crate::app::TransferView {
        id: 7,
        chat_id: "b".into(),
        message_id: None,
        name: "plan.pdf".into(),
        path: None,
        upload: true,
        done: 0,
        total: 0,
        state: TransferState::Failed("no such file".into()),
        source: crate::app::TransferSource::Upload {
            path: "plan.pdf".into(),
            reply_to: None,
        },
    });
}

#[test]
fn t_in_the_outbox_sends_a_refused_message_again() {
    let mut m = crate::app::testkit::open(2);
    ch(&mut m, 'i');
    typed(&mut m, "hello");
    let cmds = kc(&mut m, KeyCode::Enter);
    assert!(cmds.iter().any(|c| matches!(c, Cmd::SendChat(_))));
    let id = m.composer.outbox[0].local_id;
    update(
        &mut m,
        Msg::ChatSent {
            local_id: id,
            outcome: crate::app::SendOutcome::Refused("too long (399)".into()),
        },
    );
    assert!(matches!(m.composer.outbox[0].state, OutState::Failed(_)));
    ch(&mut m, 'O');
    let cmds = ch(&mut m, 't');
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::SendChat(o) if o.text == "hello")),
        "{cmds:?}"
    );
    assert_eq!(m.composer.outbox[0].state, OutState::Sending);
    // A message on its way cannot be dropped.
    ch(&mut m, 'd');
    ch(&mut m, 'y');
    assert_eq!(m.composer.outbox.len(), 1);
}

#[test]
fn a_file_on_its_way_is_not_said_to_be_dropped() {
    let mut m = crate::app::testkit::open(2);
    ch(&mut m, 'u');
    typed(&mut m, "/tmp/big.bin");
    kc(&mut m, KeyCode::Enter);
    assert_eq!(m.transfers.items[0].state, TransferState::Running);
    ch(&mut m, 'O');
    ch(&mut m, 'd');
    ch(&mut m, 'y');
    assert_eq!(m.transfers.items.len(), 1, "still going");
    let notice = &m.ui.notice.as_ref().unwrap().text;
    assert!(notice.contains("cannot be dropped now"), "{notice}");
}

#[test]
fn quitting_with_unsent_messages_no_file_keeps_asks_first() {
    let mut m = model("");
    m.composer
        .outbox
        .push(crate::app::Outgoing::new("a".into(), "hi".into(), "text"));
    // Another console owns the data directory: nothing keeps the message.
    m.composer.persist = false;
    let cmds = ch(&mut m, 'q');
    assert!(!cmds.contains(&Cmd::Quit), "{cmds:?}");
    let Mode::Confirm(c) = &m.mode else {
        panic!("{:?}", m.mode)
    };
    assert!(
        c.question
            .contains("1 unsent message is kept only in memory"),
        "{}",
        c.question
    );
    assert!(ch(&mut m, 'y').contains(&Cmd::Quit));
    // Kept in the outbox file: quits at once (the message is sent on the next start).
    let mut m = model("");
    m.composer
        .outbox
        .push(crate::app::Outgoing::new("a".into(), "hi".into(), "text"));
    m.composer.persist = true;
    assert!(ch(&mut m, 'q').contains(&Cmd::Quit));
    // The file could not be written (a read-only directory, a full disk): said once, and
    // quitting asks, until a save succeeds again.
    let mut m = model("");
    m.composer
        .outbox
        .push(crate::app::Outgoing::new("a".into(), "hi".into(), "text"));
    m.composer.persist = true;
    let failed = || Msg::OutboxSaved(Err("Cannot save the outbox to /x: denied".into()));
    update(&mut m, failed());
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("kept in memory only")
    );
    let logged = m.ui.log.len();
    update(&mut m, failed());
    assert_eq!(m.ui.log.len(), logged, "said once");
    assert!(!ch(&mut m, 'q').contains(&Cmd::Quit));
    let Mode::Confirm(c) = &m.mode else {
        panic!("{:?}", m.mode)
    };
    assert!(c.question.contains("cannot be written"), "{}", c.question);
    ch(&mut m, 'n');
    update(&mut m, Msg::OutboxSaved(Ok(())));
    assert!(ch(&mut m, 'q').contains(&Cmd::Quit));
}
