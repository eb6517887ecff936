use super::*;

#[test]
fn the_outbox_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sub/outbox.json");
    let item = |id, state| Outgoing {
        local_id: id,
        chat_id: "c".into(),
        text: format!("t{id}"),
        parse_mode: "text".into(),
        reply_to: None,
        edit_of: None,
        state,
    };
    OutboxFile::save(
        &p,
        &[item(1, OutState::Pending), item(2, OutState::Sending)],
    )
    .unwrap();
    let back = OutboxFile::load(&p).unwrap();
    assert_eq!(back[0], item(1, OutState::Pending));
    assert!(matches!(back[1].state, OutState::Failed(_)));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    std::fs::write(&p, "garbage").unwrap();
    assert!(
        OutboxFile::load(&p)
            .unwrap_err()
            .to_string()
            .contains("not an outbox file")
    );
    assert_eq!(
        OutboxFile::load(&dir.path().join("none.json")).unwrap(),
        vec![]
    );
}
