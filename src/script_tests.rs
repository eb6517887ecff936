use super::*;
use serde_json::json;

#[test]
fn reads_every_kind_of_line() {
    let s = parse(
        "# tour\n\ngetAppState\ncall {\"peerId\": \"alice\"}\nwait appStateChanged {\"appState\": 5} 2.5\n\
         createGroupChat {\"title\": \"T\"} -> chat = chatId, n = a.b\n! removeChat {\"chatId\": \"${chat}\"}\n\
         !304 getChatByID {\"chatId\": \"x\"}\nwait sendMessage\n",
    )
    .unwrap();
    assert_eq!(s.len(), 7);
    assert!(
        matches!(&s[0], Step::Request { method, params, expect: Expect::Success, .. } if method == "getAppState" && params == "{}")
    );
    assert!(
        matches!(&s[2], Step::Wait { event, fields, timeout, line: 5 } if event == "appStateChanged" && fields == "{\"appState\": 5}" && *timeout == Duration::from_millis(2500))
    );
    assert!(
        matches!(&s[3], Step::Request { keep, .. } if keep == &[("chat".to_string(), "chatId".to_string()), ("n".to_string(), "a.b".to_string())])
    );
    assert!(matches!(
        &s[4],
        Step::Request {
            expect: Expect::Failure(None),
            ..
        }
    ));
    assert!(matches!(
        &s[5],
        Step::Request {
            expect: Expect::Failure(Some(304)),
            ..
        }
    ));
    assert!(
        matches!(&s[6], Step::Wait { fields, timeout, .. } if fields == "{}" && *timeout == Duration::from_secs(10))
    );
}

#[test]
fn mistakes_name_their_line() {
    for (text, want) in [
        (
            "getAppState\ncall {\"peerId\": }",
            "line 2: the parameters are not JSON",
        ),
        ("call [1]", "line 1: the parameters must be a JSON object"),
        ("wait", "line 1: `wait` needs an event name"),
        (
            "wait ev {\"a\": 1} soon",
            "line 1: “soon” is not a number of seconds",
        ),
        ("x -> nope", "line 1: write what to keep as `name = key`"),
        ("! {\"a\": 1}", "line 1: “{\"a\":” is not a method name"),
        ("get state", "line 1: the parameters are not JSON"),
    ] {
        let e = parse(text).unwrap_err().to_string();
        assert!(e.starts_with(want), "{text:?}: {e}");
    }
}

#[test]
fn placeholders_are_filled_escaped() {
    let vars = HashMap::from([("t".to_string(), "a \"quoted\" \\ title".to_string())]);
    let filled = fill(r#"{"title": "${t}", "n": "${u}"}"#, &vars, false);
    let v: Value = serde_json::from_str(&filled).unwrap();
    assert_eq!(v["title"], "a \"quoted\" \\ title");
    assert_eq!(v["n"], "${u}");
    assert_eq!(unknown_names(&filled, &vars), ["u"]);
    assert_eq!(at_path(&json!({"a": [{"b": 7}]}), "a.0.b"), Some(&json!(7)));
    assert!(includes(
        &json!({"a": 1, "b": {"c": 2, "d": 3}}),
        &json!({"b": {"c": 2}})
    ));
    assert!(!includes(&json!({"a": 1}), &json!({"a": 2})));
}

/// A backend that answers from a list and has events queued.
struct Fake {
    replies: Vec<Result<Value, Refusal>>,
    events: Vec<(String, Value)>,
    sent: Vec<(String, Map<String, Value>)>,
}

impl Backend for Fake {
    async fn request(
        &mut self,
        method: &str,
        params: Map<String, Value>,
    ) -> Result<Value, Refusal> {
        self.sent.push((method.to_string(), params));
        self.replies.remove(0)
    }
    async fn event(&mut self, _until: Instant) -> Option<(String, Value)> {
        (!self.events.is_empty()).then(|| self.events.remove(0))
    }
}

#[tokio::test]
async fn runs_keeps_waits_and_stops_at_the_unexpected() {
    let steps = parse(
        "createGroupChat {\"title\": \"T\"} -> chat = chatId\nwait created {\"chatId\": \"${chat}\"} 1\n\
         sendMessage {\"chatId\": \"${chat}\"}\n!304 getChatByID {\"chatId\": \"${chat}\"}\nwait never 0.05\nnotReached",
    )
    .unwrap();
    let mut b = Fake {
        replies: vec![
            Ok(json!({"chatId": "C1"})),
            Ok(json!({"messageId": "M"})),
            Err(Refusal {
                code: Some(304),
                text: "chat not found (304)".into(),
                reply: Value::Null,
            }),
        ],
        events: vec![
            ("created".into(), json!({"chatId": "C0"})),
            ("created".into(), json!({"chatId": "C1", "more": true})),
        ],
        sent: vec![],
    };
    let mut seen = vec![];
    let r = run(&mut b, &steps, |r| seen.push(r.clone())).await;
    let failed = r.unwrap_err();
    assert_eq!(failed.what, "wait never");
    assert_eq!(seen.len(), 5);
    assert!(seen[..4].iter().all(|r| r.expected), "{seen:#?}");
    assert_eq!(b.sent[1].1["chatId"], "C1", "the kept id is filled in");
    assert!(describe(&seen[3]).contains("failed (304), as expected"));
    // Success where a failure was expected is a failure of the script.
    let steps = parse("! removeChat").unwrap();
    let mut b = Fake {
        replies: vec![Ok(json!({}))],
        events: vec![],
        sent: vec![],
    };
    let r = run(&mut b, &steps, |_| {}).await.unwrap_err();
    assert!(describe(&r).contains("a failure was expected"));
}

#[tokio::test]
async fn secrets_come_from_the_environment_and_a_missing_one_is_never_sent() {
    let steps = parse(
        "getAppState\n! kickPeer {\"peerId\": \"nobody\"}\n\
         auth {\"type\": \"secured\", \"credentials\": \"${TRUECONF_ROOM_PIN}\"}\n",
    )
    .unwrap();
    assert_eq!(env_names(&steps), [("TRUECONF_ROOM_PIN".to_string(), 3)]);
    let fake = || Fake {
        replies: vec![
            Ok(json!({"appState": 3})),
            Err(Refusal {
                code: None,
                text: "no user `nobody`".into(),
                reply: Value::Null,
            }),
            Ok(json!({"result": true})),
        ],
        events: vec![],
        sent: vec![],
    };
    // Set: filled in where the script names it, the run goes as expected.
    let env = |k: &str| (k == "TRUECONF_ROOM_PIN").then(|| "12\"34".to_string());
    assert_eq!(check_env(&steps, env).unwrap(), ["12\"34"]);
    let mut b = fake();
    assert_eq!(run_with_env(&mut b, &steps, env, |_| {}).await, Ok(3));
    assert_eq!(b.sent[2].1["credentials"], "12\"34");
    // Not set: named, with its line, before anything is sent…
    let none = |_: &str| None;
    assert_eq!(
        check_env(&steps, none).unwrap_err().to_string(),
        "line 3 reads ${TRUECONF_ROOM_PIN}, but the environment variable TRUECONF_ROOM_PIN is not set"
    );
    // … and a run that goes ahead anyway stops at that step without sending it.
    let mut b = fake();
    let r = run_with_env(&mut b, &steps, none, |_| {})
        .await
        .unwrap_err();
    assert_eq!((r.line, r.ok), (3, false));
    assert_eq!(
        r.error.as_deref(),
        Some("the environment variable TRUECONF_ROOM_PIN is not set")
    );
    assert_eq!(b.sent.len(), 2, "the auth never went out");
    assert!(
        b.sent
            .iter()
            .all(|(_, p)| !Value::Object(p.clone()).to_string().contains("TRUECONF"))
    );
    // Only TRUECONF_ names are read from the environment; others are kept names.
    let steps = parse("x {\"a\": \"${HOME}\"}").unwrap();
    assert!(env_names(&steps).is_empty());
    let mut b = fake();
    let r = run_with_env(&mut b, &steps, |_| Some("/root".into()), |_| {})
        .await
        .unwrap_err();
    assert_eq!(r.error.as_deref(), Some("nothing was kept as ${HOME}"));
    assert!(b.sent.is_empty());
    // A reply's value cannot be kept under an environment name.
    let e = parse("createGroupChat {\"title\": \"T\"} -> TRUECONF_TOKEN = chatId").unwrap_err();
    assert!(e.problem.contains("read from the environment"), "{e}");
}

#[tokio::test]
async fn a_saved_line_replays_its_text_as_written_and_only_the_secret_is_read() {
    // A message that quotes placeholders: the explorer saves it, the runner sends it back
    // exactly, and reads the environment only for the password it holds back.
    let text = "set ${TRUECONF_PASSWORD} and ${HOME}, see ${chat}; $${x} ${";
    let params: Map<String, Value> = serde_json::from_value(json!({
        "content": {"text": text, "${TRUECONF_TOKEN}": 1},
        "password": "s3cret",
    }))
    .unwrap();
    let line = request_line("sendMessage", &params, |k, _| {
        (k == "password").then(|| "TRUECONF_PASSWORD".to_string())
    });
    assert!(!line.contains("s3cret"), "{line}");
    let steps = parse(&line).unwrap();
    assert_eq!(env_names(&steps), [("TRUECONF_PASSWORD".to_string(), 1)]);
    let mut b = Fake {
        replies: vec![Ok(json!({}))],
        events: vec![],
        sent: vec![],
    };
    let env = |k: &str| Some(format!("<{k}>"));
    assert_eq!(run_with_env(&mut b, &steps, env, |_| {}).await, Ok(1));
    let sent = &b.sent[0].1;
    assert_eq!(
        sent["content"]["text"], text,
        "the text is replayed as written"
    );
    assert_eq!(sent["content"]["${TRUECONF_TOKEN}"], 1);
    assert_eq!(sent["password"], "<TRUECONF_PASSWORD>");
}

#[tokio::test]
async fn a_result_never_shows_a_secret_the_script_read() {
    // A hand-written script that puts the password where the server quotes it back.
    let steps = parse(r#"x {"${TRUECONF_PASSWORD}": 1}"#).unwrap();
    let mut b = Fake {
        replies: vec![Err(Refusal {
            code: None,
            text: "has no parameter `leak-me`".into(),
            reply: json!({"echo": "leak-me"}),
        })],
        events: vec![],
        sent: vec![],
    };
    let env = |k: &str| (k == "TRUECONF_PASSWORD").then(|| "leak-me".to_string());
    let mut printed = Vec::new();
    let r = run_with_env(&mut b, &steps, env, |r| printed.push(describe(r)))
        .await
        .unwrap_err();
    assert_eq!(r.error.as_deref(), Some("has no parameter `***`"));
    assert_eq!(r.reply, json!({"echo": "***"}));
    assert!(
        printed.iter().all(|p| !p.contains("leak-me")),
        "{printed:?}"
    );
}
