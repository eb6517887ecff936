//! Every method of both method tables, sent with the explorer's template for it (checked as
//! the explorer checks it; optional parameters left null are left out), gets an
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
        // The explorer's template is valid JSON that passes the method's own validation.
        let text = explorer::template_text(m);
        let template = explorer::check(m, &text).unwrap_or_else(|p| panic!("{}: {p:?}", m.name));
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
        let template = explorer::check(m, &text).unwrap_or_else(|p| panic!("{}: {p:?}", m.name));
        match h.request(m.name, Value::Object(template)).await {
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
