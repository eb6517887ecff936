//! Every method of both method tables, sent with the explorer's template for it (exactly as it
//! opens; optional parameters left null are left out, as the explorer leaves them out), gets an
//! answer from the simulator: success, or an error in the shape the protocol docs give (a Room
//! `result:false` with an `error` text, docs/room-protocol.md, Errors; a chat `errorCode` the
//! table in docs/chat-protocol.md, Errors, names). Never silence, never a dropped connection.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use trueconf_console::app::explorer;
use trueconf_console::chat::{self, ChatError, ChatLinkOptions, ChatTarget};
use trueconf_console::config::ApiVersion;
use trueconf_console::link::{Backoff, LinkStatus};
use trueconf_console::room::{self, RoomError, RoomLinkOptions, RoomTarget};
use trueconf_console::sim::{ChatSim, ChatSimConfig, RoomSim, RoomSimConfig, World};

const WAIT: Duration = Duration::from_secs(10);

fn backoff() -> Backoff {
    Backoff {
        initial: Duration::from_millis(20),
        max: Duration::from_millis(200),
        max_retries: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_room_method_is_answered() {
    let mut cfg = RoomSimConfig::new(Arc::new(World::demo()));
    cfg.logged_in = true;
    cfg.time_scale = 0.02;
    let any = "127.0.0.1:0".parse().unwrap();
    let sim = RoomSim::start(cfg, any, any).await.unwrap();
    let target = RoomTarget {
        host: "127.0.0.1".into(),
        http_port: sim.http_port(),
        ws_port: None,
        instance: "default".into(),
        api_version: ApiVersion::V1,
        pin: None,
    };
    let opts = RoomLinkOptions {
        backoff: backoff(),
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        frames: false,
        ..RoomLinkOptions::default()
    };
    let (h, _events) = room::link::spawn(target, opts);
    h.wait_status(WAIT, trueconf_console::app::LinkStatus::is_up)
        .await
        .unwrap();
    let methods = trueconf_console::room::catalog::METHODS;
    let (mut ok, mut refused) = (0, 0);
    // `auth` last: a failed re-authentication ends this session's rights.
    let order = methods
        .iter()
        .filter(|m| m.name != "auth")
        .chain(methods.iter().filter(|m| m.name == "auth"));
    for m in order {
        // The explorer's template is valid JSON that passes the method's own validation (the
        // explorer's check asks only for its blanks to be filled in).
        let text = explorer::template_text(m);
        assert!(only_blanks(m, &text), "{}: {text}", m.name);
        let template = as_given(&text);
        match h.request(m.name, template).await {
            Ok(_) => ok += 1,
            Err(RoomError::Refused { error, reply, .. }) => {
                assert!(!error.trim().is_empty(), "{}: an empty error", m.name);
                assert!(
                    !error.contains("unknown method") && !error.contains("not simulated"),
                    "{}: {error}",
                    m.name
                );
                assert_eq!(
                    reply.body.get("result"),
                    Some(&Value::Bool(false)),
                    "{}",
                    m.name
                );
                refused += 1;
            }
            Err(e) => panic!("{}: {e}", m.name),
        }
        assert!(h.status().is_up(), "{} dropped the link", m.name);
    }
    assert_eq!(ok + refused, methods.len());
    // Most methods succeed from their bare template; the refusals are the ones whose
    // placeholders name nothing (no user "", no call to accept) or need another state.
    assert!(
        ok > methods.len() * 3 / 4,
        "{ok} of {} succeeded",
        methods.len()
    );
    println!("room: {ok} answered with success, {refused} refused");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_chat_method_is_answered() {
    trueconf_console::tls::init();
    let cfg = ChatSimConfig::new(Arc::new(World::demo()));
    let sim = ChatSim::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let opts = ChatLinkOptions {
        backoff: backoff(),
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(3),
        ..ChatLinkOptions::default()
    };
    let (h, _events) = chat::spawn(
        ChatTarget::loopback(sim.port(), "operator", "operator"),
        opts,
    )
    .unwrap();
    h.wait_status(WAIT, LinkStatus::is_up).await.unwrap();
    let methods = trueconf_console::chat::methods::METHODS;
    let (mut ok, mut refused) = (0, 0);
    for m in methods {
        let text = explorer::template_text(m);
        assert!(only_blanks(m, &text), "{}: {text}", m.name);
        match h.request(m.name, Value::Object(as_given(&text))).await {
            Ok(_) => ok += 1,
            Err(ChatError::Server { error, .. }) => {
                assert_ne!(
                    trueconf_console::chat::protocol::error_name(error.code),
                    "UNKNOWN_ERROR",
                    "{}: code {} is not in the reference's table",
                    m.name,
                    error.code
                );
                refused += 1;
            }
            Err(e) => panic!("{}: {e}", m.name),
        }
        assert!(h.status().is_up(), "{} dropped the link", m.name);
    }
    assert_eq!(ok + refused, methods.len());
    println!("chat: {ok} answered with success, {refused} refused");
}

/// A template as the explorer opens it, sent unchanged (optional parameters left `null` are
/// left out, as the explorer leaves them out).
fn as_given(text: &str) -> serde_json::Map<String, Value> {
    let mut v: serde_json::Map<String, Value> = serde_json::from_str(text).unwrap();
    v.retain(|_, v| !v.is_null());
    v
}

/// What the explorer's check says of a template: nothing, or only blanks to fill in.
fn only_blanks(m: &trueconf_console::apispec::MethodSpec, text: &str) -> bool {
    match explorer::check(m, text) {
        Ok(_) => true,
        Err(problems) => problems.iter().all(|p| p.contains("is empty: fill it in")),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_room_template_as_given_has_no_parameter_error() {
    let mut cfg = RoomSimConfig::new(Arc::new(World::demo()));
    cfg.logged_in = true;
    cfg.time_scale = 0.02;
    let any = "127.0.0.1:0".parse().unwrap();
    let sim = RoomSim::start(cfg, any, any).await.unwrap();
    let target = RoomTarget {
        host: "127.0.0.1".into(),
        http_port: sim.http_port(),
        ws_port: None,
        instance: "default".into(),
        api_version: ApiVersion::V1,
        pin: None,
    };
    let opts = RoomLinkOptions {
        backoff: backoff(),
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        frames: false,
        ..RoomLinkOptions::default()
    };
    let (h, _events) = room::link::spawn(target, opts);
    h.wait_status(WAIT, trueconf_console::app::LinkStatus::is_up)
        .await
        .unwrap();
    let methods = trueconf_console::room::catalog::METHODS;
    let order = methods
        .iter()
        .filter(|m| m.name != "auth")
        .chain(methods.iter().filter(|m| m.name == "auth"));
    let mut ok = 0;
    for m in order {
        let text = explorer::template_text(m);
        assert!(only_blanks(m, &text), "{}: {text}", m.name);
        match h.request(m.name, as_given(&text)).await {
            Ok(_) => ok += 1,
            Err(RoomError::Refused { error, .. }) => {
                for bad in [
                    "bad parameters",
                    "unknown method",
                    "not simulated",
                    "not supported",
                ] {
                    assert!(!error.contains(bad), "{} {text}: {error}", m.name);
                }
            }
            Err(e) => panic!("{}: {e}", m.name),
        }
        assert!(h.status().is_up(), "{} dropped the link", m.name);
    }
    assert!(ok > methods.len() * 3 / 4, "{ok} of {}", methods.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_chat_template_as_given_is_well_formed() {
    use trueconf_console::chat::methods::{GetChatHistory, GetChats};
    trueconf_console::tls::init();
    let cfg = ChatSimConfig::new(Arc::new(World::demo()));
    let sim = ChatSim::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let opts = ChatLinkOptions {
        backoff: backoff(),
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(3),
        ..ChatLinkOptions::default()
    };
    let (h, _events) = chat::spawn(
        ChatTarget::loopback(sim.port(), "operator", "operator"),
        opts,
    )
    .unwrap();
    h.wait_status(WAIT, LinkStatus::is_up).await.unwrap();
    let methods = trueconf_console::chat::methods::METHODS;
    // Malformed (399) or unknown (307): what no template may get.
    let well_formed = |name: &str, text: &str, r: Result<Value, ChatError>| match r {
        Ok(_) => true,
        Err(ChatError::Server { error, .. }) => {
            assert!(
                error.code != 399 && error.code != 307,
                "{name} {text}: {}",
                error.code
            );
            false
        }
        Err(e) => panic!("{name}: {e}"),
    };
    // Nothing known: every template is right but for its blanks, and one with none left is
    // never refused as malformed.
    for m in methods.iter().filter(|m| m.name != "auth") {
        let text = explorer::template_text(m);
        assert!(only_blanks(m, &text), "{}: {text}", m.name);
        if explorer::check(m, &text).is_ok() {
            let r = h.request(m.name, Value::Object(as_given(&text))).await;
            well_formed(m.name, &text, r);
        }
    }
    // What a demo session knows (a chat of ours, its newest message, a user): each template
    // sent exactly as it opens is well formed, and most succeed.
    let chats = h
        .get_chats(GetChats { count: 20, page: 1 })
        .await
        .unwrap()
        .0;
    let chat = chats
        .iter()
        .find(|c| c.title.as_deref() == Some("Project"))
        .or(chats.first())
        .unwrap();
    let newest = h
        .get_chat_history(GetChatHistory {
            chat_id: chat.chat_id.clone(),
            count: 1,
            from_message_id: None,
        })
        .await
        .unwrap()
        .messages;
    let known = explorer::Known {
        chat_id: Some(chat.chat_id.clone()),
        message_id: newest.first().map(|e| e.message_id.clone()),
        user_id: Some("alice@video.example.com".into()),
        ..explorer::Known::default()
    };
    // Those that remove things last, so the others find them.
    let last = ["removeMessage", "clearHistory", "removeChat", "auth"];
    let order = methods.iter().filter(|m| !last.contains(&m.name)).chain(
        last.iter()
            .filter_map(|n| methods.iter().find(|m| m.name == *n)),
    );
    let mut ok = 0;
    for m in order {
        let text = explorer::template_with(m, &known);
        let r = h.request(m.name, Value::Object(as_given(&text))).await;
        if well_formed(m.name, &text, r) {
            ok += 1;
        }
        assert!(h.status().is_up(), "{} dropped the link", m.name);
    }
    assert!(
        ok >= methods.len() / 2,
        "{ok} of {} succeeded",
        methods.len()
    );
    println!(
        "chat templates as given: {ok} of {} succeeded",
        methods.len()
    );
}
