use super::*;
use crate::app::{LinkStatus, Msg, update};
use crate::config::Config;
use serde_json::json;

fn key(m: &mut Model, code: KeyCode) -> Vec<Cmd> {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(m: &mut Model, s: &str) {
    for c in s.chars() {
        key(m, KeyCode::Char(c));
    }
}

fn online() -> Model {
    let mut m = Model::demo(&Config::default(), (120, 36), false);
    update(
        &mut m,
        Msg::Room(crate::room::RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    update(
        &mut m,
        Msg::Chat(crate::chat::ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    m
}

fn x(m: &Model) -> &Explorer {
    m.mode.explorer().expect("the explorer is open")
}

#[test]
fn opens_filters_switches_and_comes_back_where_it_was() {
    let mut m = online();
    key(&mut m, KeyCode::Char('x'));
    assert_eq!(x(&m).api, Api::Room);
    assert_eq!(x(&m).matching().len(), crate::room::catalog::METHODS.len());
    typed(&mut m, "hangu");
    assert_eq!(x(&m).selected.as_deref(), Some("hangUp"));
    assert!(
        x(&m).matching().iter().all(|s| !crate::app::rank(
            "hangu",
            &[Candidate::new(s.name, &[s.name])]
        )
        .is_empty())
    );
    // Esc clears the filter, then leaves; x comes back to the same place.
    key(&mut m, KeyCode::Esc);
    assert!(x(&m).filter.is_empty());
    assert_eq!(x(&m).selected.as_deref(), Some("hangUp"));
    key(&mut m, KeyCode::Esc);
    assert!(m.mode.explorer().is_none());
    key(&mut m, KeyCode::Char('x'));
    assert_eq!(x(&m).selected.as_deref(), Some("hangUp"));
    // Tab: the other API's table.
    key(&mut m, KeyCode::Tab);
    assert_eq!(x(&m).api, Api::Chat);
    assert_eq!(x(&m).matching().len(), crate::chat::methods::METHODS.len());
    key(&mut m, KeyCode::Down);
    assert_eq!(
        x(&m).selected.as_deref(),
        Some(crate::chat::methods::METHODS[1].name)
    );
}

#[test]
fn a_template_is_checked_as_it_is_edited_and_sent_only_when_right() {
    let mut m = online();
    key(&mut m, KeyCode::Char('x'));
    typed(&mut m, "call");
    key(&mut m, KeyCode::Enter);
    assert_eq!(x(&m).focus, Focus::Editor);
    assert_eq!(x(&m).method.map(|s| s.name), Some("call"));
    // The cursor waits inside the required peerId's quotes.
    let e = &x(&m).editor;
    let before = &e.text()[..e.cursor()];
    assert!(before.ends_with("\"peerId\": \""), "{before:?}");
    // An empty peerId is a string, so it validates; a broken JSON does not.
    key(&mut m, KeyCode::Char('"'));
    assert!(
        x(&m).problems[0].starts_with("not JSON"),
        "{:?}",
        x(&m).problems
    );
    assert!(key(&mut m, KeyCode::Enter).is_empty(), "not sent");
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("Not sent: 1 problem")
    );
    key(&mut m, KeyCode::Backspace);
    // A wrong type is named.
    let text = x(&m)
        .editor
        .text()
        .replace("\"peerId\": \"\"", "\"peerId\": 5");
    m.mode.explorer_mut().unwrap().editor = Editor::new(&text);
    key(&mut m, KeyCode::End);
    assert!(
        x(&m)
            .problems
            .iter()
            .any(|p| p.contains("`peerId` of `call` must be string")),
        "{:?}",
        x(&m).problems
    );
    let text = text.replace("\"peerId\": 5", "\"peerId\": \"alice\"");
    m.mode.explorer_mut().unwrap().editor = Editor::new(&text);
    let cmds = key(&mut m, KeyCode::Enter);
    let Cmd::ExplorerSend {
        id,
        api,
        method,
        params,
    } = &cmds[0]
    else {
        panic!("{cmds:?}")
    };
    assert_eq!((*id, *api, method.as_str()), (1, Api::Room, "call"));
    assert_eq!(params["peerId"], "alice");
    assert!(
        !params.contains_key("pin"),
        "an optional parameter left null is left out"
    );
    assert!(matches!(&cmds[1], Cmd::SaveExplorerHistory(h) if h.len() == 1));
    let ex = x(&m).exchange.clone().unwrap();
    assert_eq!(ex.outcome, None, "waiting");
    // The reply arrives with its round-trip time.
    update(
        &mut m,
        Msg::ExplorerReply {
            id: 1,
            sent_at_ms: 1000,
            rtt_ms: 7,
            outcome: Ok(json!({"result": true})),
        },
    );
    let ex = x(&m).exchange.clone().unwrap();
    assert_eq!(ex.rtt_ms, Some(7));
    assert_eq!(ex.outcome, Some(Ok(json!({"result": true}))));
    // A stale reply (another id) changes nothing.
    update(
        &mut m,
        Msg::ExplorerReply {
            id: 9,
            sent_at_ms: 0,
            rtt_ms: 1,
            outcome: Ok(json!({})),
        },
    );
    assert_eq!(x(&m).exchange.as_ref().unwrap().rtt_ms, Some(7));
}

#[test]
fn a_megabyte_reply_is_laid_out_once_cut_and_inert() {
    let mut m = online();
    key(&mut m, KeyCode::Char('x'));
    key(&mut m, KeyCode::Tab);
    typed(&mut m, "getchathistory");
    key(&mut m, KeyCode::Enter);
    let text = x(&m)
        .editor
        .text()
        .replace("\"chatId\": \"\"", "\"chatId\": \"c\"");
    m.mode.explorer_mut().unwrap().editor = Editor::new(&text);
    key(&mut m, KeyCode::Enter);
    let messages: Vec<Value> = (0..5000)
        .map(|i| json!({"messageId": i, "content": {"text": format!("\u{1b}[2J{}", "x".repeat(200))}}))
        .collect();
    let reply = json!({"chatId": "c", "messages": messages});
    assert!(reply.to_string().len() > 1_000_000);
    update(
        &mut m,
        Msg::ExplorerReply {
            id: 1,
            sent_at_ms: 0,
            rtt_ms: 30,
            outcome: Ok(reply),
        },
    );
    let lines = &x(&m).exchange.as_ref().unwrap().reply_lines;
    assert_eq!(lines.len(), REPLY_LINES + 1);
    assert!(
        lines.last().unwrap().contains("more lines"),
        "{:?}",
        lines.last()
    );
    assert!(lines.iter().all(|l| !l.contains('\u{1b}')));
}

#[test]
fn dangerous_requests_ask_first() {
    let mut m = online();
    key(&mut m, KeyCode::Char('x'));
    typed(&mut m, "hangup");
    key(&mut m, KeyCode::Enter);
    let text = x(&m).editor.text().replace("null", "true");
    m.mode.explorer_mut().unwrap().editor = Editor::new(&text);
    assert!(key(&mut m, KeyCode::Enter).is_empty());
    let Mode::Confirm(Confirm { question, .. }) = &m.mode else {
        panic!("no confirmation")
    };
    assert!(question.contains("everyone"), "{question}");
    let cmds = key(&mut m, KeyCode::Char('y'));
    assert!(matches!(&cmds[0], Cmd::ExplorerSend { method, .. } if method == "hangUp"));
    assert_eq!(x(&m).exchange.as_ref().unwrap().method, "hangUp");
    // hangUp for oneself needs no confirmation.
    let text = x(&m).editor.text().replace("true", "false");
    m.mode.explorer_mut().unwrap().editor = Editor::new(&text);
    assert!(matches!(
        &key(&mut m, KeyCode::Enter)[0],
        Cmd::ExplorerSend { .. }
    ));
    assert!(!m.mode.is_popup());
    assert_eq!(
        danger(Api::Chat, "removeChat", &Map::new()),
        Some("removes the chat")
    );
}

#[test]
fn history_recalls_masks_secrets_and_becomes_a_script() {
    let mut m = online();
    key(&mut m, KeyCode::Char('x'));
    // Nothing sent yet: nothing to save.
    typed(&mut m, "getappstate");
    key(&mut m, KeyCode::Enter);
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL)),
    );
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("nothing to save")
    );
    key(&mut m, KeyCode::Enter);
    key(&mut m, KeyCode::Esc);
    key(&mut m, KeyCode::Esc);
    typed(&mut m, "login");
    key(&mut m, KeyCode::Enter);
    let text = r#"{"login": "operator", "password": "s3cret", "encryptPassword": null}"#;
    m.mode.explorer_mut().unwrap().editor = Editor::new(text);
    let cmds = key(&mut m, KeyCode::Enter);
    // Sent as typed; kept masked.
    assert!(matches!(&cmds[0], Cmd::ExplorerSend { params, .. } if params["password"] == "s3cret"));
    let kept = &m.explorer.history[1];
    assert_eq!(kept.method, "login");
    assert!(!kept.params.contains("s3cret") && kept.params.contains("***"));
    assert!(!x(&m).exchange.as_ref().unwrap().request.contains("s3cret"));
    // Up on the first line walks back through what was sent.
    m.mode.explorer_mut().unwrap().editor.set_cursor(0);
    key(&mut m, KeyCode::Up);
    assert_eq!(x(&m).method.map(|s| s.name), Some("login"));
    key(&mut m, KeyCode::Up);
    assert_eq!(x(&m).method.map(|s| s.name), Some("getAppState"));
    let len = x(&m).editor.text().len();
    m.mode.explorer_mut().unwrap().editor.set_cursor(len);
    key(&mut m, KeyCode::Down);
    assert_eq!(x(&m).method.map(|s| s.name), Some("login"));
    // Ctrl-O: this run's requests to this API as script lines.
    let cmds = update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL)),
    );
    let Cmd::SaveScript { api, lines } = &cmds[0] else {
        panic!("{cmds:?}")
    };
    assert_eq!(*api, Api::Room);
    assert_eq!(lines[0], "getAppState");
    assert!(lines[1].starts_with("login {") && lines[1].contains("\"***\""));
    // Every line reads back as a script.
    let steps = crate::script::parse(&lines.join("\n")).unwrap();
    assert_eq!(steps.len(), 2);
}

#[test]
fn nothing_goes_out_on_a_link_that_is_down_and_a_ringing_call_keeps_its_keys() {
    let mut m = Model::demo(&Config::default(), (120, 36), false);
    key(&mut m, KeyCode::Char('x'));
    typed(&mut m, "getappstate");
    key(&mut m, KeyCode::Enter);
    assert!(key(&mut m, KeyCode::Enter).is_empty());
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("No Room connected")
    );
    // A call rings while the explorer is open: `a` answers it, not the editor.
    update(
        &mut m,
        Msg::Room(crate::room::RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    let mut st = m.room.state.clone();
    st.invite = Some(crate::room::state::Invite {
        peer: crate::room::state::Peer {
            id: "dave@srv".into(),
            name: "Dave".into(),
        },
        conf_id: "c".into(),
        conf_type: 0,
        conf_title: None,
    });
    update(
        &mut m,
        Msg::Room(crate::room::RoomLinkEvent::State(Box::new(st))),
    );
    let before = x(&m).editor.text().to_string();
    assert_eq!(
        key(&mut m, KeyCode::Char('a')),
        vec![Cmd::room("accept", json!({}))]
    );
    assert_eq!(x(&m).editor.text(), before);
}

#[test]
fn pastes_reach_the_filter_and_the_request_and_ids_survive_a_switch() {
    let mut m = online();
    key(&mut m, KeyCode::Char('x'));
    update(&mut m, Msg::Paste("hangU".into()));
    assert_eq!(x(&m).filter.query.text(), "hangU");
    assert_eq!(x(&m).selected.as_deref(), Some("hangUp"));
    key(&mut m, KeyCode::Enter);
    update(&mut m, Msg::Paste("\"oops".into()));
    assert!(
        x(&m)
            .problems
            .first()
            .is_some_and(|p| p.starts_with("not JSON")),
        "checked as pasted: {:?}",
        x(&m).problems
    );
    // A request's id is not reused by the other API's explorer.
    m.mode.explorer_mut().unwrap().next_id = 7;
    key(&mut m, KeyCode::Esc);
    key(&mut m, KeyCode::Tab);
    assert_eq!(x(&m).api, Api::Chat);
    assert_eq!(x(&m).next_id, 7);
}
