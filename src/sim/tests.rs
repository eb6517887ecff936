//! The simulators as a shared sandbox needs them: limits and switches, seen from raw clients
//! over loopback.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use super::testkit::*;

/// How long a test watches for something that must not happen.
const QUIET: Duration = Duration::from_millis(300);

/// Sends a plain HTTP GET on a fresh connection (the kernel accepts it even when nobody
/// serves it).
async fn http_get(port: u16, path: &str) -> TcpStream {
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    tcp.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    tcp
}

/// What the server answers on `tcp` (read to its end), or None if nothing comes within `d`.
async fn http_answer(tcp: &mut TcpStream, d: Duration) -> Option<String> {
    let mut buf = Vec::new();
    match tokio::time::timeout(d, tcp.read_to_end(&mut buf)).await {
        Ok(r) => {
            r.unwrap();
            Some(String::from_utf8_lossy(&buf).into_owned())
        }
        Err(_) => None,
    }
}

/// Collects frames until `done` says all expected ones came (pongs included as "pong").
async fn collect(ws: &mut Ws, mut done: impl FnMut(&[Value]) -> bool) -> Vec<Value> {
    let mut got = Vec::new();
    while !done(&got) {
        match tokio::time::timeout(WAIT, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => got.push(serde_json::from_str(&t).unwrap()),
            Ok(Some(Ok(Message::Pong(_)))) => got.push(json!("pong")),
            Ok(Some(Ok(_))) => {}
            other => panic!("waiting, got {other:?} after {got:?}"),
        }
    }
    got
}

#[tokio::test(flavor = "multi_thread")]
async fn a_frozen_chat_server_says_nothing_until_the_thaw() {
    let sim = chat_sim(|_| {}).await;
    let mut ws = chat_login(&sim, "operator").await;
    send(
        &mut ws,
        json!({"type":1,"id":2,"method":"getChats","payload":{"count":5,"page":1}}),
    )
    .await;
    chat_answer(&mut ws, &json!(2)).await;
    let chat = sim.chat_id("alice+operator").unwrap();

    sim.set_frozen(true);
    assert!(sim.is_frozen());
    send(
        &mut ws,
        json!({"type":1,"id":3,"method":"getChats","payload":{"count":5,"page":1}}),
    )
    .await;
    ws.send(Message::Ping(b"are you there".to_vec().into()))
        .await
        .unwrap();
    sim.post_text("alice", &chat, "said while frozen").unwrap();
    let mut fresh = http_get(sim.port(), "/api/v4/server").await;
    silent_for(&mut ws, QUIET).await;
    assert_eq!(
        http_answer(&mut fresh, QUIET).await,
        None,
        "a new connection is not served"
    );

    sim.set_frozen(false);
    let got = collect(&mut ws, |g| {
        g.contains(&json!("pong"))
            && g.iter().any(|v| v["id"] == 3 && v["type"] == 2)
            && g.iter().any(|v| v["method"] == "sendMessage")
    })
    .await;
    assert!(
        got.iter()
            .any(|v| v["payload"]["content"]["text"] == "said while frozen"),
        "{got:?}"
    );
    let answer = http_answer(&mut fresh, WAIT).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_frozen_room_says_nothing_until_the_thaw() {
    let sim = room_sim(|_| {}).await;
    let mut ws = room_connect(&sim).await;
    send(
        &mut ws,
        json!({"method":"auth","requestId":"a","type":"unsecured"}),
    )
    .await;
    assert_eq!(room_reply(&mut ws).await["result"], true);

    sim.set_frozen(true);
    assert!(sim.is_frozen());
    send(&mut ws, json!({"method":"getAppState","requestId":"f"})).await;
    ws.send(Message::Ping(b"are you there".to_vec().into()))
        .await
        .unwrap();
    sim.chat_from("alice", "said while frozen").unwrap();
    let mut fresh = http_get(sim.http_port(), "/public/default/config.json").await;
    let mut ws2 = tokio::spawn({
        let port = sim.ws_port();
        async move { tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/")).await }
    });
    silent_for(&mut ws, QUIET).await;
    assert_eq!(
        http_answer(&mut fresh, QUIET).await,
        None,
        "a new connection is not served"
    );
    assert!(
        tokio::time::timeout(QUIET, &mut ws2).await.is_err(),
        "no WebSocket handshake while frozen"
    );

    sim.set_frozen(false);
    let got = collect(&mut ws, |g| {
        g.contains(&json!("pong"))
            && g.iter().any(|v| v["requestId"] == "f")
            && g.iter().any(|v| v["event"] == "incomingChatMessage")
    })
    .await;
    assert!(
        got.iter()
            .any(|v| v["requestId"] == "f" && v["result"] == true),
        "{got:?}"
    );
    let answer = http_answer(&mut fresh, WAIT).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (mut ws2, _) = tokio::time::timeout(WAIT, ws2)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    send(&mut ws2, json!({"method":"getAppState","requestId":"2"})).await;
    assert_eq!(room_reply(&mut ws2).await["requestId"], "2");
    sim.shutdown();
}

/// Runs `make` (which makes pushes) over and over until the simulator has no client left,
/// or fails after a minute.
async fn until_disconnected(
    wait: impl std::future::Future<Output = ()>,
    mut make: impl FnMut() + Send + 'static,
) {
    let maker = tokio::spawn(async move {
        loop {
            make();
            tokio::task::yield_now().await;
        }
    });
    let done = tokio::time::timeout(Duration::from_secs(60), wait).await;
    maker.abort();
    assert!(
        done.is_ok(),
        "a client that stopped reading was never disconnected"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chat_client_that_stops_reading_is_disconnected_with_its_queue_bounded() {
    const BOUND: usize = 64;
    let sim = chat_sim(|c| c.max_queued = BOUND).await;
    let _ws = chat_login(&sim, "operator").await; // and never read again
    sim.wait_connections(1).await;
    let project = sim.chat_id("Project").unwrap();
    let flood = sim.clone();
    until_disconnected(sim.wait_connections(0), move || {
        flood.flood("dave", &project, 100).unwrap();
    })
    .await;
    let peak = sim.queue_peak();
    assert!(peak <= BOUND, "the queue grew to {peak}, over {BOUND}");
    assert!(
        peak >= BOUND / 2,
        "the queue never filled ({peak}): what closed the client?"
    );
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_room_client_that_stops_reading_is_disconnected_with_its_queue_bounded() {
    const BOUND: usize = 64;
    let sim = room_sim(|c| c.max_queued = BOUND).await;
    let mut ws = room_connect(&sim).await;
    send(
        &mut ws,
        json!({"method":"auth","requestId":"a","type":"unsecured"}),
    )
    .await;
    assert_eq!(room_reply(&mut ws).await["result"], true);
    // From here on the client never reads.
    let chatter = sim.clone();
    until_disconnected(sim.wait_connections(0), move || {
        for _ in 0..100 {
            chatter.chat_from("alice", &"hello ".repeat(20)).unwrap();
        }
    })
    .await;
    let peak = sim.queue_peak();
    assert!(peak <= BOUND, "the queue grew to {peak}, over {BOUND}");
    assert!(
        peak >= BOUND / 2,
        "the queue never filled ({peak}): what closed the client?"
    );
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn five_wrong_room_pins_lock_the_address_out_for_a_while() {
    let sim = room_sim(|c| {
        c.pin = Some("4242".into());
        c.pin_lockout = Duration::from_millis(1500);
    })
    .await;
    async fn auth(ws: &mut Ws, pin: &str) -> Value {
        send(
            ws,
            json!({"method":"auth","requestId":"a","type":"secured","credentials":pin}),
        )
        .await;
        room_reply(ws).await
    }
    let mut ws = room_connect(&sim).await;
    for n in 1..=5 {
        let r = auth(&mut ws, &format!("000{n}")).await;
        assert_eq!(
            (&r["result"], &r["error"]),
            (&json!(false), &json!("wrong PIN")),
            "try {n}"
        );
    }
    // Locked out: even the right PIN is refused, and the answer says why and for how long.
    let r = auth(&mut ws, "4242").await;
    assert_eq!(r["result"], false);
    assert_eq!(r["error"], "too many wrong PINs: try again in 1 s", "{r}");
    // A new connection from the same address does not start afresh.
    let mut again = room_connect(&sim).await;
    let r = auth(&mut again, "4242").await;
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .starts_with("too many wrong PINs"),
        "{r}"
    );
    // The lockout ends by itself.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let r = auth(&mut again, "4242").await;
        if r["result"] == true {
            break;
        }
        assert!(
            r["error"]
                .as_str()
                .unwrap()
                .starts_with("too many wrong PINs"),
            "{r}"
        );
        assert!(
            tokio::time::Instant::now() < deadline,
            "still locked out after {WAIT:?}"
        );
        tokio::task::yield_now().await;
    }
    // And a success starts the count again: one wrong PIN is only a wrong PIN.
    let r = auth(&mut ws, "0000").await;
    assert_eq!(r["error"], "wrong PIN");
    sim.shutdown();
}

/// Opens a connection and sends `part` of a request, then nothing more.
async fn half_open(port: u16, part: &str) -> TcpStream {
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    tcp.write_all(part.as_bytes()).await.unwrap();
    tcp
}

/// Waits until the server closes `tcp` (whatever it says before), failing after [`WAIT`].
async fn closed_by_server(tcp: &mut TcpStream, what: &str) -> String {
    http_answer(tcp, WAIT)
        .await
        .unwrap_or_else(|| panic!("{what}: still open after {WAIT:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn half_open_http_requests_are_closed_after_the_timeout() {
    const T: Duration = Duration::from_millis(300);
    let chat = chat_sim(|c| c.http_timeout = T).await;
    let room = room_sim(|c| c.http_timeout = T).await;
    let partial = "GET /api/v4/server HTTP/1.1\r\nHost: x\r\nAccept: ";
    // An upload that stalls in its body: the task is real, so the server reads the body.
    let mut ws = chat_login(&chat, "operator").await;
    send(
        &mut ws,
        json!({"type":1,"id":2,"method":"uploadFile","payload":{"fileSize":100000,"fileName":"a.bin"}}),
    )
    .await;
    let task = chat_answer(&mut ws, &json!(2)).await["payload"]["uploadTaskId"]
        .as_str()
        .unwrap()
        .to_string();
    let upload = format!(
        "POST /bridge/api/client/v1/files HTTP/1.1\r\nHost: x\r\nUpload-Task-Id: {task}\r\n\
         Content-Type: multipart/form-data; boundary=XX\r\nContent-Length: 100000\r\n\r\n\
         --XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\nabc"
    );
    let mut open = vec![
        ("chat: nothing sent", half_open(chat.port(), "").await),
        (
            "chat: part of the headers",
            half_open(chat.port(), partial).await,
        ),
        (
            "chat: headers, then part of the body",
            half_open(chat.port(), &upload).await,
        ),
        (
            "room http: part of the headers",
            half_open(room.http_port(), partial).await,
        ),
        (
            "room ws: part of the upgrade",
            half_open(room.ws_port(), "GET / HTTP/1.1\r\n").await,
        ),
    ];
    // A complete request on a keep-alive connection is answered, then the idle connection is
    // closed too.
    let mut idle = half_open(
        chat.port(),
        "GET /api/v4/server HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .await;
    let started = tokio::time::Instant::now();
    for (what, tcp) in &mut open {
        closed_by_server(tcp, what).await;
    }
    let answered = closed_by_server(&mut idle, "an idle keep-alive connection").await;
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");
    assert!(
        started.elapsed() >= T / 2,
        "closed before the timeout: not the timeout's doing"
    );
    chat.shutdown();
    room.shutdown();
}

/// The next frame's raw text that is not a server request (those are acknowledged).
async fn next_answer_text(ws: &mut Ws) -> String {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["type"] == 1 {
                    send(ws, json!({"type": 2, "id": v["id"]})).await;
                } else {
                    return t.to_string();
                }
            }
            Ok(Some(Ok(_))) => {}
            other => panic!("no answer within {WAIT:?}: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chat_server_answers_every_frame_even_unreadable_ones() {
    let sim = chat_sim(|_| {}).await;
    let mut ws = chat_login(&sim, "operator").await;
    let cases = [
        (
            r#"{"type":1,"id":-1,"method":"getChats","payload":{}}"#,
            "-1",
        ),
        (
            r#"{"type":1,"id":1180591620717411303424,"method":"getChats","payload":{}}"#,
            "1180591620717411303424",
        ),
        (r#"{"type":1,"id":"abc","method":"getChats"}"#, r#""abc""#),
        (r#"{"type":1,"id":2.5,"method":"getChats"}"#, "2.5"),
        (r#"{"type":1,"id":5}"#, "5"),
        (r#"{"id":6,"method":"getChats"}"#, "6"),
        (r#"{"type":1,"method":"getChats"}"#, "null"),
        (r#"{"type":1,"id":null,"method":"getChats"}"#, "null"),
        ("[1, 2]", "null"),
        ("not json at all", "null"),
        ("", "null"),
    ];
    for (frame, id) in cases {
        ws.send(Message::text(frame)).await.unwrap();
        let got = next_answer_text(&mut ws).await;
        assert_eq!(
            got,
            format!(r#"{{"type":2,"id":{id},"payload":{{"errorCode":399}}}}"#),
            "for {frame}"
        );
    }
    // None of it counted as a request id: the next one is carried out.
    send(
        &mut ws,
        json!({"type":1,"id":2,"method":"getChats","payload":{"count":1,"page":1}}),
    )
    .await;
    let r = chat_answer(&mut ws, &json!(2)).await;
    assert!(r["payload"].is_array(), "{r}");
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_room_answers_every_frame_with_its_request_id_as_sent() {
    let sim = room_sim(|_| {}).await;
    let mut ws = room_connect(&sim).await;
    send(
        &mut ws,
        json!({"method":"auth","requestId":"a","type":"unsecured"}),
    )
    .await;
    assert_eq!(room_reply(&mut ws).await["result"], true);
    async fn raw_reply(ws: &mut Ws, frame: &str) -> String {
        ws.send(Message::text(frame)).await.unwrap();
        loop {
            match tokio::time::timeout(WAIT, ws.next()).await {
                Ok(Some(Ok(Message::Text(t)))) if !t.contains(r#""method":"event""#) => {
                    return t.to_string();
                }
                Ok(Some(Ok(_))) => {}
                other => panic!("no reply to {frame} within {WAIT:?}: {other:?}"),
            }
        }
    }
    for id in ["-1", "1180591620717411303424", r#""x""#, "2.5", "{\"a\":1}"] {
        let got = raw_reply(
            &mut ws,
            &format!(r#"{{"method":"getAppState","requestId":{id}}}"#),
        )
        .await;
        assert!(got.starts_with(&format!(r#"{{"requestId":{id},"#)), "{got}");
        let v: Value = serde_json::from_str(&got).unwrap();
        assert_eq!(v["result"], true, "{got}");
    }
    let got = raw_reply(&mut ws, r#"{"requestId":7}"#).await;
    let v: Value = serde_json::from_str(&got).unwrap();
    assert_eq!(
        (&v["requestId"], &v["result"]),
        (&json!(7), &json!(false)),
        "{got}"
    );
    for garbage in ["not json", "[1]", ""] {
        let v: Value = serde_json::from_str(&raw_reply(&mut ws, garbage).await).unwrap();
        assert_eq!(
            (&v["requestId"], &v["result"]),
            (&json!(""), &json!(false)),
            "{v}"
        );
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .starts_with("malformed request"),
            "{v}"
        );
    }
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversize_chat_message_closes_the_connection_with_1009() {
    let sim = chat_sim(|c| c.max_message_size = 4096).await;
    let mut ws = chat_login(&sim, "operator").await;
    let big = json!({"type":1,"id":2,"method":"sendMessage","payload":{"chatId":"x","text":"a".repeat(8192)}});
    send(&mut ws, big).await;
    let close = closed(&mut ws).await.expect("a close frame");
    assert_eq!(u16::from(close.code), 1009, "{close:?}");
    sim.shutdown();
}
