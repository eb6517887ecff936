//! The real Room client against the Room simulator over loopback sockets.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::Duration;
use trueconf_console::room::history::Direction;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use trueconf_console::config::{ApiVersion, Secret};
use trueconf_console::link::{Backoff, LinkStatus};
use trueconf_console::room::catalog::{
    Accept, Call, ConnectToServer, CreateConference, HangUp, InviteToConference, Login, Reject,
    SetAudioCapturer, SetMicMute, SetSettings, SetVideoMute,
};
use trueconf_console::room::discovery::{self, DiscoveryError};
use trueconf_console::room::protocol::DeviceState;
use trueconf_console::room::{
    self, AppState, RoomError, RoomEvent, RoomHandle, RoomLinkEvent, RoomLinkOptions, RoomTarget,
};
use trueconf_console::sim::{RoomSim, RoomSimConfig, World};

const WAIT: Duration = Duration::from_secs(10);

fn loopback() -> std::net::SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn sim_with(f: impl FnOnce(&mut RoomSimConfig)) -> RoomSim {
    let mut cfg = RoomSimConfig::new(Arc::new(World::demo()));
    cfg.time_scale = 0.02; // alice answers in 40 ms, bob rejects in 20 ms
    cfg.call_timeout = Duration::from_millis(300);
    f(&mut cfg);
    RoomSim::start(cfg, loopback(), loopback()).await.unwrap()
}

fn target(sim: &RoomSim, pin: Option<&str>) -> RoomTarget {
    RoomTarget {
        host: "127.0.0.1".into(),
        http_port: sim.http_port(),
        ws_port: None,
        instance: "default".into(),
        api_version: ApiVersion::V1,
        pin: pin.map(Secret::new),
    }
}

fn opts() -> RoomLinkOptions {
    RoomLinkOptions {
        backoff: Backoff {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(200),
            max_retries: None,
        },
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        frames: true,
        ..RoomLinkOptions::default()
    }
}

async fn connect(
    sim: &RoomSim,
    pin: Option<&str>,
) -> (
    RoomHandle,
    tokio::sync::mpsc::UnboundedReceiver<RoomLinkEvent>,
) {
    let (h, rx) = room::link::spawn(target(sim, pin), opts());
    h.wait_status(WAIT, trueconf_console::app::LinkStatus::is_up)
        .await
        .unwrap_or_else(|s| panic!("link not up: {s:?}"));
    (h, rx)
}

async fn state(
    h: &RoomHandle,
    what: &str,
    f: impl Fn(&room::RoomState) -> bool,
) -> room::RoomState {
    h.wait_state(WAIT, f)
        .await
        .unwrap_or_else(|s| panic!("timed out waiting for {what}; state is {s:#?}"))
}

/// Connects the Room to the demo server and logs in as operator: app state 3.
async fn ready(
    sim: &RoomSim,
) -> (
    RoomHandle,
    tokio::sync::mpsc::UnboundedReceiver<RoomLinkEvent>,
) {
    let (h, rx) = connect(sim, None).await;
    h.send(&ConnectToServer {
        server: "video.example.com".into(),
        port: Some(4307),
    })
    .await
    .unwrap();
    state(&h, "state 2", |s| s.app_state == Some(AppState::Login)).await;
    h.send(&Login {
        login: "operator".into(),
        password: "operator".into(),
        encrypt_password: Some(true),
    })
    .await
    .unwrap();
    let s = state(&h, "state 3", |s| {
        s.app_state == Some(AppState::Normal) && s.login.peer().is_some()
    })
    .await;
    assert_eq!(s.login.peer().unwrap().id, "operator@video.example.com");
    (h, rx)
}

fn event_name(e: &RoomEvent) -> String {
    match e {
        RoomEvent::AppStateChanged { state, .. } => format!("appStateChanged {}", state.code()),
        other => other.name().to_string(),
    }
}

/// Event names, in order, up to and including the first one named `last`.
async fn events_until(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<RoomLinkEvent>,
    last: &str,
) -> Vec<String> {
    let mut v = Vec::new();
    loop {
        match tokio::time::timeout(WAIT, rx.recv()).await {
            Ok(Some(RoomLinkEvent::Event(e))) => {
                let n = event_name(&e);
                v.push(n.clone());
                if n == last {
                    return v;
                }
            }
            Ok(Some(_)) => {}
            _ => panic!("timed out waiting for {last}; saw {v:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_finds_the_websocket_port_and_explains_failures() {
    let sim = sim_with(|c| c.instance = Some("lobby".into())).await;
    let p = discovery::discover("127.0.0.1", sim.http_port(), "default", WAIT)
        .await
        .unwrap();
    assert_eq!(
        (p.websocket, p.http),
        (sim.ws_port(), Some(sim.http_port()))
    );
    // The -t NAME instance path.
    assert_eq!(
        discovery::discover("127.0.0.1", sim.http_port(), "lobby", WAIT)
            .await
            .unwrap()
            .websocket,
        sim.ws_port()
    );
    match discovery::discover("127.0.0.1", sim.http_port(), "nope", WAIT).await {
        Err(DiscoveryError::Status { status: 404, .. }) => {}
        other => panic!("{other:?}"),
    }
    // Wrong port: the WebSocket port is not the web manager.
    let e = discovery::discover("127.0.0.1", sim.ws_port(), "default", WAIT)
        .await
        .unwrap_err();
    assert!(matches!(e, DiscoveryError::Status { .. }), "{e:?}");
    // Nothing listening.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = discovery::discover("127.0.0.1", free, "default", WAIT)
        .await
        .unwrap_err();
    assert!(matches!(e, DiscoveryError::NotRunning { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("TrueConf Room is not running at http://127.0.0.1:"),
        "{e}"
    );
    // Something that is not a Room.
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut s, _)) = l.accept().await {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<html></html>").await;
        }
    });
    let e = discovery::discover("127.0.0.1", port, "default", WAIT)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "http://127.0.0.1:{port}/public/default/config.json is not the Room's config.json: the answer is not JSON"
        )
    );
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn unsecured_auth_builds_the_room_state() {
    let sim = sim_with(|_| {}).await;
    let (h, _rx) = connect(&sim, None).await;
    assert_eq!(h.session().unwrap().admin, Some(true));
    let s = state(&h, "devices and contacts", |s| {
        !s.devices.cameras.is_empty() && !s.contacts.is_empty()
    })
    .await;
    assert_eq!(s.app_state, Some(AppState::None));
    assert_eq!(s.devices.camera.as_deref(), Some("Simulated PTZ camera"));
    assert!(s.contacts.iter().any(|c| c.peer.name == "Alice Johnson"));
    assert_eq!(s.volume, Some(0.8));
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn secured_auth_with_the_pin_and_a_wrong_pin() {
    let sim = sim_with(|c| c.pin = Some("8642".into())).await;
    let (h, mut rx) = connect(&sim, Some("8642")).await;
    assert_eq!(h.session().unwrap().admin, Some(true));
    // The inspector's copy of the auth frame hides the PIN.
    let mut saw_auth = false;
    while let Ok(e) = rx.try_recv() {
        if let RoomLinkEvent::Frame {
            outgoing: true,
            text,
            ..
        } = e
            && text.contains("\"auth\"")
        {
            assert!(!text.contains("8642"), "{text}");
            saw_auth = true;
        }
    }
    assert!(saw_auth);
    drop(h);

    let mut o = opts();
    o.backoff.max_retries = Some(0);
    let (h, _rx) = room::link::spawn(target(&sim, Some("0000")), o.clone());
    let st = h
        .wait_status(WAIT, |s| matches!(s, LinkStatus::Disconnected { .. }))
        .await
        .unwrap();
    assert_eq!(
        st,
        LinkStatus::Disconnected {
            reason: "authentication failed: wrong PIN".into()
        }
    );
    let e = h.send(&room::catalog::GetAppState {}).await.unwrap_err();
    assert!(
        matches!(&e, RoomError::LinkDown { reason, .. } if reason == "authentication failed: wrong PIN"),
        "{e:?}"
    );

    // Unsecured auth against a PIN-protected Room is refused too.
    let (h, _rx) = room::link::spawn(target(&sim, None), o);
    let st = h
        .wait_status(WAIT, |s| matches!(s, LinkStatus::Disconnected { .. }))
        .await
        .unwrap();
    assert!(st.label().contains("protected by a PIN"), "{st:?}");
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_only_methods_are_refused_to_a_user_session() {
    let sim = sim_with(|c| {
        c.pin = Some("9999".into());
        c.user_pin = Some("1111".into());
    })
    .await;
    let (h, _rx) = connect(&sim, Some("1111")).await;
    assert_eq!(h.session().unwrap().admin, Some(false));
    let e = h
        .send(&ConnectToServer {
            server: "video.example.com".into(),
            port: None,
        })
        .await
        .unwrap_err();
    assert_eq!(e, RoomError::AdminOnly("connectToServer".into()));
    assert!(e.to_string().contains("needs administrator rights"));
    // Ordinary methods still work.
    h.send(&SetMicMute { mute: true }).await.unwrap();
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn outgoing_call_answered_then_hung_up() {
    let sim = sim_with(|_| {}).await;
    let (h, mut rx) = ready(&sim).await;
    events_until(&mut rx, "abReceivedAfterLogin").await;
    h.send(&Call {
        peer_id: "alice".into(),
        pin: None,
    })
    .await
    .unwrap();
    let s = state(&h, "the call to be answered", |s| {
        s.app_state == Some(AppState::Conference)
            && s.conference
                .as_ref()
                .is_some_and(|c| !c.participants.is_empty())
    })
    .await;
    let c = s.conference.unwrap();
    assert_eq!(c.conf_type, 0);
    assert!(
        c.participants
            .iter()
            .any(|p| p.peer.name == "Alice Johnson")
    );
    h.send(&HangUp { for_all: None }).await.unwrap();
    state(&h, "state 3 after hang-up", |s| {
        s.app_state == Some(AppState::Normal) && s.conference.is_none()
    })
    .await;
    let names = events_until(&mut rx, "appStateChanged 3").await;
    let order: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| {
            n.starts_with("appState") || *n == "conferenceCreated" || *n == "conferenceDeleted"
        })
        .collect();
    assert_eq!(
        order,
        [
            "appStateChanged 4",
            "conferenceCreated",
            "appStateChanged 5",
            "appStateChanged 6",
            "conferenceDeleted",
            "appStateChanged 3"
        ],
        "{names:?}"
    );
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn outgoing_call_rejected_and_unanswered() {
    let sim = sim_with(|_| {}).await;
    let (h, _rx) = ready(&sim).await;
    h.send(&Call {
        peer_id: "bob@video.example.com".into(),
        pin: None,
    })
    .await
    .unwrap();
    let s = state(&h, "bob to reject", |s| {
        s.app_state == Some(AppState::Normal) && s.last_outcome.is_some()
    })
    .await;
    assert_eq!(s.last_outcome.as_deref(), Some("Bob Smith: rejected"));

    h.send(&Call {
        peer_id: "carol".into(),
        pin: None,
    })
    .await
    .unwrap();
    state(&h, "carol to ring", |s| s.app_state == Some(AppState::Wait)).await;
    let s = state(&h, "carol to time out", |s| {
        s.app_state == Some(AppState::Normal)
    })
    .await;
    assert_eq!(s.last_outcome.as_deref(), Some("Carol White: no answer"));

    // Calling someone who does not exist.
    h.send(&Call {
        peer_id: "zed".into(),
        pin: None,
    })
    .await
    .unwrap();
    state(&h, "the unknown user", |s| {
        s.app_state == Some(AppState::Normal)
            && s.last_outcome
                .as_deref()
                .is_some_and(|o| o.contains("user does not exist"))
    })
    .await;

    // A call while not idle is refused with a reason.
    let sim2 = sim_with(|_| {}).await;
    let (h2, _rx2) = connect(&sim2, None).await;
    match h2
        .send(&Call {
            peer_id: "alice".into(),
            pin: None,
        })
        .await
    {
        Err(RoomError::Refused { error, .. }) => {
            assert!(error.contains("application state 0"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    sim.shutdown();
    sim2.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn outgoing_call_cancelled_by_the_room() {
    let sim = sim_with(|c| c.call_timeout = Duration::from_secs(30)).await;
    let (h, _rx) = ready(&sim).await;
    h.send(&Call {
        peer_id: "carol".into(),
        pin: None,
    })
    .await
    .unwrap();
    state(&h, "ringing", |s| {
        s.app_state == Some(AppState::Wait) && s.calling.is_some()
    })
    .await;
    h.send(&HangUp { for_all: None }).await.unwrap();
    let s = state(&h, "cancelled", |s| s.app_state == Some(AppState::Normal)).await;
    assert_eq!(s.calling, None);
    assert!(s.last_outcome.unwrap().contains("cancelled"));
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn incoming_call_accepted_then_the_caller_hangs_up() {
    let sim = sim_with(|_| {}).await;
    let (h, _rx) = ready(&sim).await;
    sim.incoming_call("dave").unwrap();
    let s = state(&h, "the invite", |s| {
        s.invite.is_some() && s.app_state == Some(AppState::Wait)
    })
    .await;
    let inv = s.invite.unwrap();
    assert!(inv.is_call());
    assert_eq!(
        (inv.peer.id.as_str(), inv.peer.name.as_str()),
        ("dave@video.example.com", "Dave Brown")
    );
    h.send(&Accept {}).await.unwrap();
    let s = state(&h, "in the call", |s| {
        s.app_state == Some(AppState::Conference)
            && s.conference
                .as_ref()
                .is_some_and(|c| !c.participants.is_empty())
    })
    .await;
    assert_eq!(s.invite, None);
    sim.peer_hangs_up("dave").unwrap();
    let s = state(&h, "the caller to hang up", |s| {
        s.app_state == Some(AppState::Normal)
    })
    .await;
    assert_eq!(s.conference, None);
    // The call is in the history, incoming, with its duration once it ended.
    let mut p = serde_json::Map::new();
    p.insert("count".into(), serde_json::json!(1));
    let calls =
        trueconf_console::room::history::parse(&h.request("getCallHistory", p).await.unwrap().body);
    assert_eq!(calls.calls[0].direction, Direction::Incoming);
    assert!(calls.calls[0].duration_secs.is_some());
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn incoming_call_rejected_and_one_that_stops_ringing() {
    let sim = sim_with(|_| {}).await;
    let (h, _rx) = ready(&sim).await;
    sim.incoming_call("alice").unwrap();
    state(&h, "the invite", |s| s.invite.is_some()).await;
    h.send(&Reject {}).await.unwrap();
    let s = state(&h, "rejected", |s| {
        s.app_state == Some(AppState::Normal) && s.invite.is_none()
    })
    .await;
    assert_eq!(s.conference, None);
    // A second reject has nothing to reject.
    assert!(matches!(
        h.send(&Reject {}).await,
        Err(RoomError::Refused { .. })
    ));
    // An incoming call nobody answers stops ringing after the timeout.
    sim.incoming_call("bob").unwrap();
    state(&h, "the invite", |s| s.invite.is_some()).await;
    let s = state(&h, "the caller to give up", |s| {
        s.invite.is_none() && s.app_state == Some(AppState::Normal)
    })
    .await;
    assert!(s.last_outcome.unwrap().contains("stopped calling"));
    // Both are in the call history, newest first: the unanswered one missed, the rejected one
    // incoming (declined, not missed); marking the history viewed marks them and says when.
    let history = |h: RoomHandle| async move {
        let mut p = serde_json::Map::new();
        p.insert("count".into(), serde_json::json!(10));
        trueconf_console::room::history::parse(&h.request("getCallHistory", p).await.unwrap().body)
    };
    let calls = history(h.clone()).await;
    let who: Vec<(&str, Direction)> = calls
        .calls
        .iter()
        .map(|c| (c.peer_id.as_str(), c.direction))
        .collect();
    assert_eq!(
        who,
        vec![
            ("bob@video.example.com", Direction::Missed),
            ("alice@video.example.com", Direction::Incoming)
        ]
    );
    assert_eq!(calls.unseen_missed(), Some(1));
    h.request("setLastCallsViewed", serde_json::Map::new())
        .await
        .unwrap();
    let calls = history(h.clone()).await;
    assert_eq!(calls.unseen_missed(), Some(0));
    assert!(calls.last_view.is_some());
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn conference_with_invites_joined_left_and_ended_for_all() {
    let sim = sim_with(|_| {}).await;
    let (h, mut rx) = ready(&sim).await;
    events_until(&mut rx, "abReceivedAfterLogin").await;
    h.send(&CreateConference {
        title: "Weekly sync".into(),
        conf_type: Some("symmetric".into()),
        auto_accept: Some(false),
        invite_list: Some(vec!["alice".into(), "bob".into()]),
        ..Default::default()
    })
    .await
    .unwrap();
    let s = state(&h, "alice to join", |s| {
        s.conference.as_ref().is_some_and(|c| {
            c.participants
                .iter()
                .any(|p| p.peer.name == "Alice Johnson")
        })
    })
    .await;
    let c = s.conference.unwrap();
    assert_eq!(
        (c.title.as_str(), c.conf_type, c.owner.as_str()),
        ("Weekly sync", 1, "operator@video.example.com")
    );
    state(&h, "bob to decline", |s| {
        s.last_outcome.as_deref() == Some("Bob Smith: rejected")
    })
    .await;
    h.send(&InviteToConference {
        peer_id: "dave".into(),
    })
    .await
    .unwrap();
    state(&h, "dave to join", |s| {
        s.conference
            .as_ref()
            .is_some_and(|c| c.participants.len() >= 2)
    })
    .await;
    sim.peer_devices("alice", 1, 0).unwrap();
    let s = state(&h, "alice to mute", |s| {
        s.conference
            .as_ref()
            .and_then(|c| {
                c.participants
                    .iter()
                    .find(|p| p.peer.name == "Alice Johnson")
            })
            .is_some_and(|p| p.mic == DeviceState::Muted)
    })
    .await;
    assert_eq!(
        s.conference
            .unwrap()
            .participants
            .iter()
            .find(|p| p.peer.name == "Alice Johnson")
            .unwrap()
            .video,
        DeviceState::Absent
    );
    sim.peer_hangs_up("alice").unwrap();
    let s = state(&h, "alice to leave", |s| {
        s.conference.as_ref().is_some_and(|c| {
            c.participants
                .iter()
                .all(|p| p.peer.name != "Alice Johnson")
        })
    })
    .await;
    assert_eq!(
        s.app_state,
        Some(AppState::Conference),
        "a participant leaving does not end a group conference"
    );
    h.send(&HangUp {
        for_all: Some(true),
    })
    .await
    .unwrap();
    state(&h, "the end for all", |s| {
        s.app_state == Some(AppState::Normal) && s.conference.is_none()
    })
    .await;
    let names = events_until(&mut rx, "conferenceDeleted").await;
    for n in [
        "inviteSent",
        "newParticipantInConference",
        "rejectReceived",
        "deviceStatusReceived",
        "participantLeftConference",
        "conferenceDeleted",
    ] {
        assert!(names.iter().any(|x| x == n), "{n} missing from {names:?}");
    }
    // Ending a 1:1 call "for all" is refused: only a group conference's owner may.
    h.send(&Call {
        peer_id: "alice".into(),
        pin: None,
    })
    .await
    .unwrap();
    state(&h, "in a call", |s| {
        s.app_state == Some(AppState::Conference)
    })
    .await;
    assert!(matches!(
        h.send(&HangUp {
            for_all: Some(true)
        })
        .await,
        Err(RoomError::Refused { .. })
    ));
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn mute_volume_and_device_changes() {
    let sim = sim_with(|_| {}).await;
    let (h, _rx) = connect(&sim, None).await;
    state(&h, "devices", |s| !s.devices.microphones.is_empty()).await;
    h.send(&SetMicMute { mute: true }).await.unwrap();
    h.send(&SetVideoMute { mute: true }).await.unwrap();
    state(&h, "muted", |s| {
        s.mic_muted == Some(true) && s.camera_muted == Some(true)
    })
    .await;
    h.send(&SetMicMute { mute: false }).await.unwrap();
    state(&h, "unmuted", |s| s.mic_muted == Some(false)).await;
    h.send(&SetAudioCapturer {
        name: "USB conference speakerphone".into(),
        description: "sim-mic-1".into(),
    })
    .await
    .unwrap();
    state(&h, "the new microphone", |s| {
        s.devices.microphone.as_deref() == Some("USB conference speakerphone")
    })
    .await;
    let mut settings = serde_json::Map::new();
    settings.insert("audioPlayLevel".into(), json!(0.35));
    h.send(&SetSettings { settings }).await.unwrap();
    state(&h, "the volume", |s| s.volume == Some(0.35)).await;
    match h
        .send(&SetAudioCapturer {
            name: "No such mic".into(),
            description: "x".into(),
        })
        .await
    {
        Err(RoomError::Refused { error, .. }) => {
            assert!(error.contains("no device named"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn reconnects_after_the_simulator_drops_the_link_and_loses_no_request() {
    let sim = sim_with(|_| {}).await;
    let (h, _rx) = ready(&sim).await;
    sim.wait_connections(1).await;
    let mut status = h.clone();
    sim.drop_connections();
    h.wait_status(WAIT, |s| !s.is_up()).await.unwrap();
    // Sent while the link is down: it waits, and goes out once the link is back.
    let r = h.send(&SetMicMute { mute: true }).await;
    assert!(r.is_ok(), "{r:?}");
    status
        .wait_status(WAIT, trueconf_console::app::LinkStatus::is_up)
        .await
        .unwrap();
    state(&status, "the mute", |s| s.mic_muted == Some(true)).await;
    // The state was rebuilt after the reconnect: still logged in.
    assert_eq!(status.state().app_state, Some(AppState::Normal));
    status = h;
    drop(status);
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_made_while_the_room_is_unreachable_fails_after_its_timeout() {
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t = RoomTarget {
        host: "127.0.0.1".into(),
        http_port: free,
        ws_port: None,
        instance: "default".into(),
        api_version: ApiVersion::V1,
        pin: None,
    };
    let mut o = opts();
    o.request_timeout = Duration::from_millis(300);
    let (h, _rx) = room::link::spawn(t, o);
    let e = h.send(&room::catalog::GetAppState {}).await.unwrap_err();
    match e {
        RoomError::LinkDown { method, reason } => {
            assert_eq!(method, "getAppState");
            assert!(!reason.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let st = h.status();
    assert!(
        matches!(
            st,
            LinkStatus::Retrying { .. } | LinkStatus::Disconnected { .. } | LinkStatus::Connecting
        ),
        "{st:?}"
    );
}

/// The simulator itself enforces the protocol, as a raw client sees it.
#[tokio::test(flavor = "multi_thread")]
async fn the_simulator_enforces_the_protocol() {
    let sim = sim_with(|c| {
        c.pin = Some("4242".into());
        c.user_pin = Some("1111".into());
    })
    .await;
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{}/", sim.ws_port()))
            .await
            .unwrap();
    async fn ask(
        ws: &mut (
                 impl SinkExt<Message, Error = impl std::fmt::Debug>
                 + StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>>
                 + Unpin
             ),
        v: Value,
    ) -> Value {
        ws.send(Message::text(v.to_string())).await.unwrap();
        loop {
            let m = tokio::time::timeout(WAIT, ws.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            if let Message::Text(t) = m {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v.get("event").is_none() {
                    return v;
                }
            }
        }
    }
    // Before auth: an error reply, the socket stays open.
    let r = ask(&mut ws, json!({"method":"getAppState"})).await;
    assert_eq!(
        r,
        json!({"method":"getAppState","requestId":"","result":false,"error":"authorization required: send auth first"})
    );
    let r = ask(
        &mut ws,
        json!({"method":"setUsedApiVersion","requestId":"v","version":"1"}),
    )
    .await;
    assert_eq!(r["result"], true);
    let r = ask(
        &mut ws,
        json!({"method":"auth","requestId":"a","type":"secured","credentials":"nope"}),
    )
    .await;
    assert_eq!(
        (r["result"].clone(), r["error"].clone()),
        (json!(false), json!("wrong PIN"))
    );
    let r = ask(
        &mut ws,
        json!({"method":"auth","type":"secured","credentials":"1111"}),
    )
    .await;
    assert_eq!(
        (
            r["result"].clone(),
            r["previleges"].clone(),
            r["requestId"].clone()
        ),
        (json!(true), json!(1), json!(""))
    );
    assert!(r["tokenForHttpServer"].is_string() && r.get("event").is_none());
    let r = ask(
        &mut ws,
        json!({"method":"login","requestId":7,"login":"operator","password":"operator"}),
    )
    .await;
    assert_eq!(
        (r["result"].clone(), r["requestId"].clone()),
        (json!(false), json!(7)),
        "requestId echoed as sent"
    );
    assert!(r["error"].as_str().unwrap().contains("administrator"));
    let r = ask(&mut ws, json!({"method":"getPtzDeviceList"})).await;
    assert!(
        r["error"].as_str().unwrap().starts_with("unknown method"),
        "{r}"
    );
    // A method without a model of its own answers from the generic store: what a set…
    // stored, the get… reads back.
    let r = ask(&mut ws, json!({"method":"ptzUp","requestId":"p"})).await;
    assert_eq!(r["result"], json!(true), "{r}");
    let r = ask(
        &mut ws,
        json!({"method":"setCrop","requestId":"c1","enabled":true}),
    )
    .await;
    assert_eq!(r["result"], json!(true), "{r}");
    let r = ask(&mut ws, json!({"method":"getCrop","requestId":"c2"})).await;
    assert_eq!(
        (&r["result"], &r["enabled"]),
        (&json!(true), &json!(true)),
        "{r}"
    );
    let r = ask(&mut ws, json!({"method":"call"})).await;
    assert_eq!(r["error"], "bad parameters: `call` needs `peerId` (string)");
    ws.send(Message::text("not json")).await.unwrap();
    // The answer, past any event pushed meanwhile (the simulator's room goes on living).
    let answer = loop {
        let m = tokio::time::timeout(WAIT, ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let t = m.to_text().unwrap().to_string();
        if serde_json::from_str::<Value>(&t).is_ok_and(|v| v.get("event").is_none()) {
            break t;
        }
    };
    assert!(answer.contains("malformed request"), "{answer}");
    // Unknown paths are refused at the upgrade.
    assert!(
        tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{}/v3", sim.ws_port()))
            .await
            .is_err()
    );
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn while_retrying_the_reason_stays_in_the_status() {
    let sim = sim_with(|c| c.pin = Some("8642".into())).await;
    let (h, _rx) = room::link::spawn(target(&sim, Some("0000")), opts());
    let st = h
        .wait_status(WAIT, |s| matches!(s, LinkStatus::Retrying { .. }))
        .await
        .unwrap();
    assert!(
        st.label()
            .starts_with("authentication failed: wrong PIN; retrying in "),
        "{}",
        st.label()
    );
    sim.shutdown();
}

/// Waits until the link's first queries are all answered (replies come in order).
async fn settled(h: &RoomHandle) -> room::RoomState {
    h.send(&trueconf_console::room::catalog::GetAppState {})
        .await
        .unwrap();
    h.state()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_room_refusing_get_login_video_mute_and_conferences_is_inferred_not_guessed() {
    use trueconf_console::commands::room::describe_state;
    use trueconf_console::room::state::{Call as CallState, Login as LoginState, Server};
    let refused = [
        "getLogin",
        "getVideoMute",
        "getConferences",
        "getSystemInfo",
    ];
    let sim = sim_with(|c| {
        c.logged_in = true;
        c.refuse = refused.iter().map(ToString::to_string).collect();
    })
    .await;
    let (h, _rx) = connect(&sim, None).await;
    // The simulator refuses them, as asked.
    for m in refused {
        let e = h.request(m, serde_json::Map::new()).await.unwrap_err();
        assert!(matches!(e, RoomError::Refused { .. }), "{m}: {e}");
    }
    // App state 3: logged in (who, nothing said) and idle; the camera unknown.
    let s = settled(&h).await;
    assert_eq!(s.app_state, Some(AppState::Normal));
    assert_eq!(s.login, LoginState::LoggedIn(None));
    assert_eq!(s.call(), CallState::None);
    assert_eq!(s.camera_muted, None, "never \"camera on\" by default");
    assert_eq!(s.mic_muted, Some(false), "getMicMute was answered");
    assert!(matches!(s.server, Server::Connected(Some(_))));
    let text = describe_state(&s);
    for want in [
        "Account:     logged in (account unknown)",
        "Call:        none",
        "camera unknown",
    ] {
        assert!(text.contains(want), "{want:?} missing:\n{text}");
    }
    assert!(!text.contains("not logged in"), "{text}");
    let v = s.to_json();
    assert_eq!(v["camera_muted"], Value::Null);
    assert_eq!(v["login"]["logged_in"], true);
    assert_eq!(v["call"], "none");

    // A call placed from here: the events fill in what the queries could not.
    h.send(&Call {
        peer_id: "alice".into(),
        pin: None,
    })
    .await
    .unwrap();
    let s = state(
        &h,
        "in the call",
        |s| matches!(s.call(), CallState::InConference(c) if !c.participants.is_empty()),
    )
    .await;
    assert_eq!(s.app_state, Some(AppState::Conference));

    // Another console arriving now, at app state 5, cannot read the conference.
    let (late, _rx2) = connect(&sim, None).await;
    let s = settled(&late).await;
    assert_eq!(s.app_state, Some(AppState::Conference));
    assert_eq!(s.call(), CallState::InConferenceUnknown);
    assert_eq!(s.login, LoginState::LoggedIn(None));
    let text = describe_state(&s);
    assert!(
        text.contains("Call:        in a conference (details unknown)"),
        "{text}"
    );
    assert_eq!(s.to_json()["call"], "conference");
    assert_eq!(s.to_json()["conference"], Value::Null);
    // The call ends: both know there is none.
    h.send(&HangUp { for_all: None }).await.unwrap();
    for x in [&h, &late] {
        let s = state(x, "idle again", |s| s.app_state == Some(AppState::Normal)).await;
        assert_eq!(s.call(), CallState::None);
    }
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn get_system_info_names_the_account_when_get_login_is_refused() {
    use trueconf_console::room::state::Login as LoginState;
    let sim = sim_with(|c| {
        c.logged_in = true;
        c.refuse = vec!["getlogin".into()];
    })
    .await;
    let (h, _rx) = connect(&sim, None).await;
    let s = settled(&h).await;
    let peer = s.login.peer().cloned();
    assert!(
        matches!(s.login, LoginState::LoggedIn(Some(_))),
        "{:?}",
        s.login
    );
    assert_eq!(peer.unwrap().id, "operator@video.example.com");
    assert_eq!(s.camera_muted, Some(false));
    sim.shutdown();
}
