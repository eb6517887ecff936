use super::*;
use crate::app::{LinkStatus, Msg, update};
use crate::config::Config;
use serde_json::json;

pub(super) fn key(m: &mut Model, code: KeyCode) -> Vec<Cmd> {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub(super) fn typed(m: &mut Model, s: &str) {
    for c in s.chars() {
        key(m, KeyCode::Char(c));
    }
}

pub(super) fn online() -> Model {
    let mut m = Model::demo(&Config::default(), (120, 36), false);
    update(
        &mut m,
        Msg::Room(
            0,
            crate::room::RoomLinkEvent::Status(LinkStatus::Authorized),
        ),
    );
    update(
        &mut m,
        Msg::Chat(crate::chat::ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    m
}

pub(super) fn x(m: &Model) -> &Explorer {
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
    // One Esc leaves, filter and all; x comes back to the same place.
    key(&mut m, KeyCode::Esc);
    assert!(m.mode.explorer().is_none());
    key(&mut m, KeyCode::Char('x'));
    assert_eq!(x(&m).selected.as_deref(), Some("hangUp"));
    assert_eq!(x(&m).filter.query.text(), "hangu");
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    assert!(x(&m).filter.is_empty(), "Ctrl-U clears the filter");
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
    // An empty peerId is the template's placeholder: it must be filled in.
    assert_eq!(
        check(x(&m).method.unwrap(), x(&m).editor.text()).unwrap_err(),
        ["`peerId` is empty: fill it in"]
    );
    // A broken JSON is named first.
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
        lines.last().unwrap().text.contains("more lines"),
        "{:?}",
        lines.last()
    );
    assert!(lines.iter().all(|l| !l.text.contains('\u{1b}')));
    // The pane shows it all the same, a page at a time.
    let view = &x(&m).exchange.as_ref().unwrap().view;
    assert_eq!(view.lines().len(), REPLY_LINES + 2, "and the events line");
    assert!(view.height() > 0 && view.width() > 0);
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

pub(super) fn ctrl(m: &mut Model, c: char) -> Vec<Cmd> {
    update(
        m,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

/// The reply to request `id`: a success, or a refusal with a chat code.
pub(super) fn answer(m: &mut Model, id: u64, outcome: Result<Value, Option<u32>>) {
    let outcome = outcome.map_err(|code| crate::script::Refusal {
        code,
        text: "refused".into(),
        reply: Value::Null,
    });
    update(
        m,
        Msg::ExplorerReply {
            id,
            sent_at_ms: 1000,
            rtt_ms: 5,
            outcome,
        },
    );
}

#[test]
fn history_recalls_masks_secrets_and_becomes_a_script() {
    let mut m = online();
    key(&mut m, KeyCode::Char('x'));
    // Nothing sent yet: nothing to save.
    typed(&mut m, "getappstate");
    key(&mut m, KeyCode::Enter);
    ctrl(&mut m, 'o');
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("nothing to save")
    );
    key(&mut m, KeyCode::Enter);
    answer(&mut m, 1, Ok(json!({"appState": 3})));
    key(&mut m, KeyCode::Esc);
    ctrl(&mut m, 'u');
    typed(&mut m, "login");
    key(&mut m, KeyCode::Enter);
    let text = r#"{"login": "operator", "password": "s3cret", "encryptPassword": false}"#;
    m.mode.explorer_mut().unwrap().editor = Editor::new(text);
    let cmds = key(&mut m, KeyCode::Enter);
    // Sent as typed; kept masked.
    assert!(matches!(&cmds[0], Cmd::ExplorerSend { params, .. } if params["password"] == "s3cret"));
    let kept = &m.explorer.history[1];
    assert_eq!(kept.method, "login");
    assert!(!kept.params.contains("s3cret") && kept.params.contains("***"));
    // A flag is no secret: kept as it was, so that the request can be sent again.
    assert!(kept.params.contains("false"), "{}", kept.params);
    assert!(!x(&m).exchange.as_ref().unwrap().request.contains("s3cret"));
    // Refused: a script expects that.
    answer(&mut m, 2, Err(None));
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
    // Ctrl-O: this run's requests to this API as script lines: the failure expected, the
    // password read from the environment, never written.
    let cmds = ctrl(&mut m, 'o');
    let Cmd::SaveScript { api, lines } = &cmds[0] else {
        panic!("{cmds:?}")
    };
    assert_eq!(*api, Api::Room);
    assert_eq!(
        lines[0],
        "# Secrets are read from the environment when this runs: TRUECONF_ROOM_PASSWORD"
    );
    assert_eq!(lines[1], "getAppState");
    assert_eq!(
        lines[2],
        r#"! login {"encryptPassword":false,"login":"operator","password":"${TRUECONF_ROOM_PASSWORD}"}"#
    );
    assert!(
        lines
            .iter()
            .all(|l| !l.contains("s3cret") && !l.contains("***"))
    );
    // Every line reads back as a script, with what it expects.
    let steps = crate::script::parse(&lines.join("\n")).unwrap();
    assert_eq!(steps.len(), 2);
    assert!(matches!(
        &steps[1],
        crate::script::Step::Request {
            expect: crate::script::Expect::Failure(None),
            ..
        }
    ));
}

#[test]
fn a_chat_failure_is_saved_with_its_code_and_an_unanswered_request_says_so() {
    let mut m = online();
    key(&mut m, KeyCode::Char('x'));
    key(&mut m, KeyCode::Tab);
    typed(&mut m, "getchatbyid");
    key(&mut m, KeyCode::Enter);
    let text = x(&m)
        .editor
        .text()
        .replace("\"chatId\": \"\"", "\"chatId\": \"nope\"");
    m.mode.explorer_mut().unwrap().editor = Editor::new(&text);
    key(&mut m, KeyCode::Enter);
    answer(&mut m, 1, Err(Some(304)));
    key(&mut m, KeyCode::Enter);
    let cmds = ctrl(&mut m, 'o');
    let Cmd::SaveScript { api, lines } = &cmds[0] else {
        panic!("{cmds:?}")
    };
    assert_eq!(*api, Api::Chat);
    assert_eq!(
        lines,
        &[
            r#"!304 getChatByID {"chatId":"nope"}"#.to_string(),
            "# no answer had come when this was saved:".into(),
            r#"getChatByID {"chatId":"nope"}"#.into(),
        ]
    );
    let steps = crate::script::parse(&lines.join("\n")).unwrap();
    assert!(matches!(
        &steps[0],
        crate::script::Step::Request {
            expect: crate::script::Expect::Failure(Some(304)),
            ..
        }
    ));
    // The Room PIN of an auth goes by the variable the console reads it from.
    let p: Map<String, Value> =
        serde_json::from_value(json!({"type": "secured", "credentials": "1234"})).unwrap();
    let line = crate::script::request_line("auth", &p, |k, v| {
        crate::app::explorer_template::secret_env(Api::Room, "auth", k)
            .filter(|_| crate::app::explorer_template::holds_secret(v))
    });
    assert!(
        line.contains(r#""credentials":"${TRUECONF_ROOM_PIN}""#) && !line.contains("1234"),
        "{line}"
    );
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
        Msg::Room(
            0,
            crate::room::RoomLinkEvent::Status(LinkStatus::Authorized),
        ),
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
        Msg::Room(0, crate::room::RoomLinkEvent::State(Box::new(st))),
    );
    let before = x(&m).editor.text().to_string();
    assert_eq!(
        key(&mut m, KeyCode::Char('a')),
        vec![Cmd::room(0, "accept", json!({}))]
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

#[test]
fn the_filter_finds_groups_and_descriptions_after_names() {
    let mut m = online();
    key(&mut m, KeyCode::Char('x'));
    // No method is named for the volume, but a group is.
    typed(&mut m, "volume");
    let (by_name, by_text) = x(&m).sections();
    assert!(
        by_name.is_empty(),
        "{:?}",
        by_name.iter().map(|s| s.name).collect::<Vec<_>>()
    );
    assert!(!by_text.is_empty());
    assert!(
        by_text
            .iter()
            .all(|s| s.group.to_lowercase().contains("volume")
                || s.summary.to_lowercase().contains("volume"))
    );
    assert!(by_text.iter().any(|s| s.name == "setAudioReceivingLevel"));
    // The highlight is on the first one found, and Enter opens it.
    let first = by_text[0].name;
    assert_eq!(x(&m).selected.as_deref(), Some(first));
    // Names first: "mute" names setMicMute and friends, then methods that only mention it.
    ctrl(&mut m, 'u');
    typed(&mut m, "mute");
    let (by_name, by_text) = x(&m).sections();
    assert!(!by_name.is_empty() && !by_text.is_empty());
    assert!(by_name.iter().any(|s| s.name == "setMicMute"));
    assert!(
        by_text
            .iter()
            .all(|s| !s.name.to_lowercase().contains("mute"))
    );
    let all = x(&m).matching();
    assert_eq!(all.len(), by_name.len() + by_text.len());
    // The highlight is the best name match, a name with "mute" in it.
    let best = x(&m).selected.clone().unwrap();
    assert!(best.to_lowercase().contains("mute"), "{best}");
    key(&mut m, KeyCode::Home);
    key(&mut m, KeyCode::PageUp);
    key(&mut m, KeyCode::PageUp);
    key(&mut m, KeyCode::PageUp);
    key(&mut m, KeyCode::PageUp);
    key(&mut m, KeyCode::PageUp);
    assert_eq!(x(&m).selected.as_deref(), Some(by_name[0].name));
    // Down walks the list as drawn: past the last name match into the others.
    for _ in 0..by_name.len() {
        key(&mut m, KeyCode::Down);
    }
    assert_eq!(x(&m).selected.as_deref(), Some(by_text[0].name));
    key(&mut m, KeyCode::PageUp);
    assert_eq!(
        x(&m).selected.as_deref(),
        Some(all[by_name.len().saturating_sub(10)].name)
    );
}

#[test]
fn templates_are_valid_in_form_and_name_what_the_session_knows() {
    let chat = |name: &str| {
        crate::chat::methods::METHODS
            .iter()
            .find(|s| s.name == name)
            .unwrap()
    };
    let v = |t: String| serde_json::from_str::<Value>(&t).unwrap();
    // Pages count from 1; a page has a size.
    assert_eq!(
        v(template_text(chat("getChats"))),
        json!({"count": 20, "page": 1})
    );
    assert_eq!(v(template_text(chat("getChatHistory")))["count"], 20);
    assert_eq!(
        v(template_text(chat("sendChatActivity")))["activityType"],
        "typing"
    );
    assert_eq!(
        v(template_text(chat("changeParticipantRole")))["role"],
        "user"
    );
    // Ids nobody knows are left empty, and the check asks for them.
    let t = template_text(chat("getChatByID"));
    assert_eq!(
        check(chat("getChatByID"), &t).unwrap_err(),
        ["`chatId` is empty: fill it in (the chat)"]
    );
    let t = template_text(chat("sendMessage"));
    assert!(
        check(chat("sendMessage"), &t)
            .unwrap_err()
            .contains(&"`content.text` is empty: fill it in (the message's text)".to_string())
    );
    // What the session knows fills them: the open chat, its newest message, someone in it.
    let known = Known {
        chat_id: Some("c1".into()),
        message_id: Some("m9".into()),
        user_id: Some("alice@video.example.com".into()),
        ..Known::default()
    };
    let t = template_with(chat("forwardMessage"), &known);
    assert_eq!(
        check(chat("forwardMessage"), &t).unwrap(),
        json!({"chatId": "c1", "messageId": "m9"})
            .as_object()
            .unwrap()
            .clone()
    );
    assert!(
        check(
            chat("createP2PChat"),
            &template_with(chat("createP2PChat"), &known)
        )
        .is_ok()
    );
    // Known from the model: the open chat and its messages.
    let mut m = online();
    m.chat.me = Some("operator@video.example.com".into());
    let mut open = crate::app::OpenChat {
        chat_id: "c7".into(),
        ..Default::default()
    };
    open.messages = vec![
        crate::chat::types::Envelope::from_value(&json!({"chatId": "c7", "messageId": "m1",
            "timestamp": 5, "type": 200, "author": {"id": "bob@video.example.com", "type": 1},
            "content": {"text": "hi", "parseMode": "text"}}))
        .unwrap(),
    ]
    .into();
    m.chat.open = Some(open);
    let k = Known::of(&m);
    assert_eq!(
        (
            k.chat_id.as_deref(),
            k.message_id.as_deref(),
            k.user_id.as_deref()
        ),
        (Some("c7"), Some("m1"), Some("bob@video.example.com"))
    );
}

#[test]
fn a_message_the_explorer_sends_shows_in_the_open_chat() {
    let mut m = online();
    m.chat.open = Some(crate::app::OpenChat {
        chat_id: "c1".into(),
        ..Default::default()
    });
    key(&mut m, KeyCode::Char('x'));
    key(&mut m, KeyCode::Tab);
    typed(&mut m, "sendmessage");
    key(&mut m, KeyCode::Enter);
    let text = x(&m)
        .editor
        .text()
        .replace("\"chatId\": \"\"", "\"chatId\": \"c1\"")
        .replace("\"text\": \"\"", "\"text\": \"hi\"");
    m.mode.explorer_mut().unwrap().editor = Editor::new(&text);
    key(&mut m, KeyCode::Enter);
    let id = m.explorer.session.last().unwrap().id;
    let cmds = update(
        &mut m,
        Msg::ExplorerReply {
            id,
            sent_at_ms: 1000,
            rtt_ms: 5,
            outcome: Ok(json!({"messageId": "m9"})),
        },
    );
    // The server does not echo our own message: the open chat reads its newest page.
    assert_eq!(
        cmds,
        vec![Cmd::LoadHistory {
            chat_id: "c1".into(),
            before: None
        }]
    );
    // A request that writes nothing reads nothing again.
    m.explorer.session.last_mut().unwrap().sent.method = "getChats".into();
    let cmds = update(
        &mut m,
        Msg::ExplorerReply {
            id,
            sent_at_ms: 1000,
            rtt_ms: 5,
            outcome: Ok(json!([])),
        },
    );
    assert!(cmds.is_empty(), "{cmds:?}");
}
