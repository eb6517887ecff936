use super::*;

#[test]
fn the_outbox_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sub/outbox.json");
    let item = |id, state| Outgoing {
        local_id: id,
        state,
        created_ms: 5,
        ..Outgoing::new("c".into(), format!("t{id}"), "text")
    };
    let file = OutboxFile {
        items: vec![
            item(1, OutState::Pending),
            item(2, OutState::Sending),
            item(3, OutState::Uncertain),
            item(4, OutState::Failed("refused".into())),
        ],
        claimed: vec!["m9".into()],
    };
    OutboxFile::save(&p, &file).unwrap();
    let back = OutboxFile::load(&p).unwrap();
    assert_eq!(back.items[0], item(1, OutState::Pending));
    // What was on its way when the program stopped may have arrived: it is checked.
    assert_eq!(back.items[1], item(2, OutState::Uncertain));
    assert_eq!(back.items[2], item(3, OutState::Uncertain));
    assert_eq!(back.items[3], item(4, OutState::Failed("refused".into())));
    assert_eq!(back.claimed, ["m9"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // An outbox written before `claimed` existed still reads.
    std::fs::write(&p, r#"{"items":[{"local_id":1,"chat_id":"c","text":"x","parse_mode":"text","reply_to":null,"state":"Sending"}]}"#).unwrap();
    let old = OutboxFile::load(&p).unwrap();
    assert_eq!(old.items[0].state, OutState::Uncertain);
    std::fs::write(&p, "garbage").unwrap();
    assert!(
        OutboxFile::load(&p)
            .unwrap_err()
            .to_string()
            .contains("not an outbox file")
    );
    assert_eq!(
        OutboxFile::load(&dir.path().join("none.json")).unwrap(),
        OutboxFile::default()
    );
}

fn up(m: &mut Model) -> Vec<Cmd> {
    super::super::update(
        m,
        super::super::Msg::Chat(crate::chat::ChatLinkEvent::Status(
            crate::link::LinkStatus::Authorized,
        )),
    )
}

fn sends(cmds: &[Cmd]) -> Vec<String> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::SendChat(o) => Some(o.text.clone()),
            _ => None,
        })
        .collect()
}

fn local(m: &Model, text: &str) -> u64 {
    m.composer
        .outbox
        .iter()
        .find(|o| o.text == text)
        .unwrap()
        .local_id
}

#[test]
fn one_message_per_chat_is_on_its_way_at_a_time_in_the_order_written() {
    let mut m = super::super::testkit::demo();
    m.composer.persist = true;
    for (chat, text) in [
        ("a", "a1"),
        ("a", "a2"),
        ("b", "b1"),
        ("a", "a3"),
        ("b", "b2"),
    ] {
        let cmds = send(&mut m, Outgoing::new(chat.into(), text.into(), "text"));
        // Down: saved, nothing leaves.
        assert!(matches!(&cmds[..], [Cmd::SaveOutbox(_)]), "{cmds:?}");
    }
    let cmds = up(&mut m);
    assert_eq!(sends(&cmds), ["a1", "b1"]);
    // Saved as Sending before any request leaves.
    let save = cmds
        .iter()
        .position(|c| matches!(c, Cmd::SaveOutbox(f) if f.items.iter().filter(|o| o.state == OutState::Sending).count() == 2))
        .expect("saved as sending");
    let first_send = cmds
        .iter()
        .position(|c| matches!(c, Cmd::SendChat(_)))
        .unwrap();
    assert!(save < first_send, "{cmds:?}");
    // The link comes up again (a second status) while they are on their way: nothing doubles.
    assert!(sends(&up(&mut m)).is_empty());
    let a1 = local(&m, "a1");
    let cmds = on_sent(
        &mut m,
        a1,
        SendOutcome::Sent {
            message_id: Some("s1".into()),
        },
    );
    assert_eq!(sends(&cmds), ["a2"]);
    // A refusal does not hold the chat up; the refused one stays for the user.
    let a2 = local(&m, "a2");
    let cmds = on_sent(&mut m, a2, SendOutcome::Refused("too long (400)".into()));
    assert_eq!(sends(&cmds), ["a3"]);
    assert_eq!(
        m.composer
            .outbox
            .iter()
            .find(|o| o.text == "a2")
            .unwrap()
            .state,
        OutState::Failed("too long (400)".into())
    );
    // Never left (the link was down when it got there): pending, and out again when up.
    let b1 = local(&m, "b1");
    m.chat.link = crate::link::LinkStatus::Disconnected { reason: "x".into() };
    let cmds = on_sent(&mut m, b1, SendOutcome::NotSent);
    assert!(sends(&cmds).is_empty());
    assert_eq!(
        m.composer
            .outbox
            .iter()
            .find(|o| o.text == "b1")
            .unwrap()
            .state,
        OutState::Pending
    );
    let cmds = up(&mut m);
    assert_eq!(sends(&cmds), ["b1"], "b2 still waits behind b1");
}

#[test]
fn an_uncertain_message_is_checked_before_anything_of_its_chat_is_sent() {
    let mut m = super::super::testkit::demo();
    m.composer.persist = true;
    up(&mut m);
    let cmds = send(&mut m, Outgoing::new("a".into(), "hello".into(), "text"));
    assert_eq!(sends(&cmds), ["hello"]);
    send(&mut m, Outgoing::new("a".into(), "after".into(), "text"));
    let id = local(&m, "hello");
    // The link dropped after it left.
    m.chat.link = crate::link::LinkStatus::Disconnected {
        reason: "cut".into(),
    };
    let cmds = on_sent(&mut m, id, SendOutcome::Unknown("dropped".into()));
    assert!(
        cmds.iter().all(|c| matches!(c, Cmd::SaveOutbox(_))),
        "{cmds:?}"
    );
    assert_eq!(m.composer.outbox[0].state, OutState::Uncertain);
    // Back: a check, not a send; "after" waits.
    let cmds = up(&mut m);
    assert!(sends(&cmds).is_empty(), "{cmds:?}");
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::CheckSent { item, .. } if item.local_id == id))
    );
    // While the check runs, nothing more is asked.
    assert!(
        !up(&mut m)
            .iter()
            .any(|c| matches!(c, Cmd::CheckSent { .. }))
    );
    // No answer to the check either: asked again next time the link is up.
    m.chat.link = crate::link::LinkStatus::Disconnected {
        reason: "cut".into(),
    };
    on_checked(&mut m, id, Checked::Unknown("dropped".into()));
    assert!(
        up(&mut m)
            .iter()
            .any(|c| matches!(c, Cmd::CheckSent { .. }))
    );
    // It did arrive: delivered with the server's id, never sent again; the next goes.
    let cmds = on_checked(
        &mut m,
        id,
        Checked::Arrived {
            message_id: "srv7".into(),
        },
    );
    assert_eq!(sends(&cmds), ["after"]);
    assert_eq!(m.composer.claimed, ["srv7"]);
    assert!(m.composer.outbox.iter().all(|o| o.text != "hello"));
}

#[test]
fn a_check_the_server_refuses_waits_for_the_user_and_t_asks_again() {
    let mut m = super::super::testkit::open(2);
    m.composer.persist = true;
    let chat = m.chat.open.as_ref().unwrap().chat_id.clone();
    let cmds = send(&mut m, Outgoing::new(chat.clone(), "hi".into(), "text"));
    assert_eq!(sends(&cmds), ["hi"]);
    let id = local(&m, "hi");
    // The link is still up (the answer was late): checked at once.
    let cmds = on_sent(
        &mut m,
        id,
        SendOutcome::Unknown("no answer within 10 s".into()),
    );
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::CheckSent { .. })),
        "{cmds:?}"
    );
    assert!(sends(&cmds).is_empty());
    on_checked(&mut m, id, Checked::CannotCheck("no rights (403)".into()));
    assert_eq!(
        m.composer.outbox[0].stuck.as_deref(),
        Some("no rights (403)")
    );
    // Not checked again on its own, and never sent.
    let cmds = up(&mut m);
    assert!(cmds.is_empty(), "{cmds:?}");
    // `t`: checked again, not resent.
    let cmds = retry_failed(&mut m);
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::CheckSent { .. })),
        "{cmds:?}"
    );
    assert!(sends(&cmds).is_empty());
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("Checking whether 1 arrived")
    );
}

#[test]
fn an_uncertain_edit_is_made_again_without_a_check() {
    let mut m = super::super::testkit::demo();
    up(&mut m);
    let mut e = Outgoing::new("a".into(), "fixed".into(), "text");
    e.edit_of = Some("m1".into());
    send(&mut m, e);
    let id = m.composer.outbox[0].local_id;
    let cmds = on_sent(&mut m, id, SendOutcome::Unknown("dropped".into()));
    assert_eq!(sends(&cmds), ["fixed"]);
}
