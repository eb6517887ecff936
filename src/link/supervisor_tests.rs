//! The supervisor with a toy protocol against a scripted peer: acks go out before a push is
//! read, answers find their requests in any order, timeouts, a drop, and a request made while
//! the link is down going out on the next connection.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use super::supervisor::{self, Ctx, Inbound, LinkOptions, Opened, Protocol};
use super::{Backoff, Down, LinkError, LinkStatus, RequestFailure};

#[derive(Debug)]
enum Ev {
    Status,
    Frame(bool, String),
    Push(Value),
}

#[derive(Debug, PartialEq)]
struct Failed(RequestFailure);

impl From<RequestFailure> for Failed {
    fn from(f: RequestFailure) -> Failed {
        Failed(f)
    }
}

/// Requests `{"id","m"}`, answers `{"re","v"}`, pushes `{"push","v"}` acked by `{"ack"}`,
/// auth `{"auth":true}` answered by `{"re":0}`.
struct Toy {
    port: u16,
}

impl Protocol for Toy {
    type Body = ();
    type Reply = Value;
    type Error = Failed;
    type Event = Ev;
    type Command = ();
    type Conn = ();
    type Answer = Value;
    type Push = Value;

    const FIRST_ID: u64 = 1;
    const PEER: &'static str = "the peer";

    fn status_event(_s: LinkStatus) -> Ev {
        Ev::Status
    }

    fn frame_event(outgoing: bool, text: String, _at_ms: u64) -> Ev {
        Ev::Frame(outgoing, text)
    }

    fn mask(text: &str) -> String {
        text.to_string()
    }

    fn connect(
        &mut self,
    ) -> impl std::future::Future<Output = Result<Opened<()>, Down>> + Send + 'static {
        let url = format!("ws://127.0.0.1:{}/", self.port);
        async move {
            let (ws, _) = tokio_tungstenite::connect_async(&url)
                .await
                .map_err(|source| LinkError::Open { url, source })?;
            Ok(Opened {
                ws,
                sent: Vec::new(),
                conn: (),
            })
        }
    }

    fn auth_frame(&mut self, _conn: ()) -> String {
        json!({"auth": true}).to_string()
    }

    fn on_auth_answer(&mut self, a: Value, _ctx: &mut Ctx<Self>) -> Option<Result<(), Down>> {
        (a["re"] == 0).then_some(Ok(()))
    }

    fn on_authorized(&mut self, _ctx: &mut Ctx<Self>) {}

    fn on_down(&mut self, _reason: &str) {}

    fn encode(&self, id: u64, method: &str, _body: ()) -> String {
        json!({"id": id, "m": method}).to_string()
    }

    fn decode(&mut self, text: &str) -> Inbound<Self> {
        let v: Value = serde_json::from_str(text).unwrap();
        if let Some(k) = v["push"].as_u64() {
            Inbound::Push {
                ack: Some(json!({ "ack": k }).to_string()),
                push: v,
            }
        } else {
            Inbound::Answer {
                id: v["re"].as_u64(),
                fallback: None,
                answer: v,
            }
        }
    }

    fn on_answer(
        &mut self,
        _method: &str,
        _awaited: bool,
        a: Value,
        _ctx: &mut Ctx<Self>,
    ) -> Result<Value, Failed> {
        Ok(a["v"].clone())
    }

    fn on_stray_answer(&mut self, _a: Value, _ctx: &mut Ctx<Self>) {}

    fn on_push(&mut self, push: Value, ctx: &mut Ctx<Self>) {
        ctx.emit(Ev::Push(push));
    }

    fn on_command(&mut self, _c: ()) {}
}

type Peer = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

async fn read(ws: &mut Peer) -> Value {
    loop {
        if let Message::Text(t) = ws.next().await.unwrap().unwrap() {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

async fn accept_and_auth(l: &TcpListener) -> Peer {
    let (tcp, _) = l.accept().await.unwrap();
    let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
    assert_eq!(read(&mut ws).await, json!({"auth": true}));
    ws.send(Message::text(json!({"re": 0}).to_string()))
        .await
        .unwrap();
    ws
}

/// A quick backoff, frames on, no liveness checks.
fn toy_options() -> LinkOptions {
    LinkOptions {
        backoff: Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(200),
            max_retries: None,
        },
        request_timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(2),
        frames: true,
        liveness: None,
        backlog: None,
    }
}

#[tokio::test]
async fn the_supervisor_acks_first_correlates_times_out_and_queues_while_down() {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel();
    let opts = LinkOptions {
        request_timeout: Duration::from_millis(400),
        ..toy_options()
    };
    let link = supervisor::spawn(Toy { port }, opts, ev_tx);
    let mut ws = accept_and_auth(&l).await;
    link.wait_status(Duration::from_secs(2), LinkStatus::is_up)
        .await
        .unwrap();

    // A push: it is acked and read; the inspector's frames come (within FRAMES_EVERY, after
    // the events they carried) in the order they crossed the socket: the push, its ack.
    ws.send(Message::text(json!({"push": 7, "v": "hi"}).to_string()))
        .await
        .unwrap();
    assert_eq!(read(&mut ws).await, json!({"ack": 7}));
    let (mut pushed, mut frames) = (false, Vec::new());
    while !(pushed && frames.len() == 2) {
        match tokio::time::timeout(Duration::from_secs(2), ev_rx.recv()).await {
            Ok(Some(Ev::Frame(out, t))) if t.contains('7') => frames.push((out, t)),
            Ok(Some(Ev::Push(v))) => {
                assert_eq!(v["v"], "hi");
                pushed = true;
            }
            Ok(Some(_)) => {}
            other => panic!("no push or frames: {other:?} (frames so far {frames:?})"),
        }
    }
    assert!(!frames[0].0 && frames[0].1.contains("push"), "{frames:?}");
    assert!(frames[1].0 && frames[1].1.contains("ack"), "{frames:?}");

    // Answers in reverse order still find their requests; an unanswered one times out.
    let (a, b, never, script) = tokio::join!(
        link.call("a", ()),
        link.call("b", ()),
        link.call("never", ()),
        async {
            let mut ids = std::collections::HashMap::new();
            for _ in 0..3 {
                let r = read(&mut ws).await;
                ids.insert(r["m"].as_str().unwrap().to_string(), r["id"].clone());
            }
            for m in ["b", "a"] {
                let frame = json!({"re": ids[m], "v": m.to_uppercase()});
                ws.send(Message::text(frame.to_string())).await.unwrap();
            }
        }
    );
    let () = script;
    assert_eq!(a, Ok(json!("A")));
    assert_eq!(b, Ok(json!("B")));
    assert!(
        matches!(never, Err(Failed(RequestFailure::Timeout { ref method, .. })) if method == "never"),
        "{never:?}"
    );

    // A drop fails what is in flight, and the reason stays in the status while retrying.
    let (late, ()) = tokio::join!(link.call("late", ()), async {
        assert_eq!(read(&mut ws).await["m"], "late");
        ws.close(None).await.unwrap();
    });
    assert_eq!(late, Err(Failed(RequestFailure::Dropped("late".into()))));
    let st = link
        .wait_status(Duration::from_secs(2), |s| !s.is_up())
        .await
        .unwrap();
    assert!(
        st.label().contains("the peer closed the connection"),
        "{st:?}"
    );

    // Asked while down: it waits for the next connection, where ids start again.
    let (queued, ()) = tokio::join!(link.call("queued", ()), async {
        let mut ws = accept_and_auth(&l).await;
        let r = read(&mut ws).await;
        assert_eq!(
            (r["m"].as_str(), r["id"].as_u64()),
            (Some("queued"), Some(1))
        );
        ws.send(Message::text(json!({"re": 1, "v": "ok"}).to_string()))
            .await
            .unwrap();
        // Keep the socket open until the answer is read.
        tokio::time::sleep(Duration::from_millis(100)).await;
    });
    assert_eq!(queued, Ok(json!("ok")));
}

#[tokio::test]
async fn a_silent_peer_is_flagged_then_dropped_and_a_live_one_is_kept() {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let (ev_tx, _ev_rx) = mpsc::unbounded_channel();
    let opts = LinkOptions {
        backoff: Backoff {
            initial: Duration::from_millis(10),
            max: Duration::from_millis(20),
            max_retries: None,
        },
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        frames: false,
        liveness: Some(Duration::from_millis(900)),
        backlog: None,
    };
    let link = supervisor::spawn(Toy { port }, opts, ev_tx);
    // A live peer: it reads (and so answers pings); the link pings it when idle and stays up.
    let mut ws = accept_and_auth(&l).await;
    link.wait_status(Duration::from_secs(2), LinkStatus::is_up)
        .await
        .unwrap();
    let mut status = link.subscribe_status();
    status.mark_unchanged();
    for _ in 0..4 {
        match ws.next().await.unwrap().unwrap() {
            Message::Ping(_) => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(!status.has_changed().unwrap(), "{:?}", link.status());
    // The peer stops reading (a frozen server): no pong. Flagged as not answering first...
    let flagged = link
        .wait_status(Duration::from_secs(5), |s| {
            matches!(s, LinkStatus::Unresponsive { .. })
        })
        .await
        .unwrap();
    assert!(!flagged.is_up());
    assert!(
        flagged.label().starts_with("not answering"),
        "{}",
        flagged.label()
    );
    // ...then dropped with the reason, and connected again.
    let down = link
        .wait_status(Duration::from_secs(5), |s| {
            matches!(
                s,
                LinkStatus::Disconnected { .. } | LinkStatus::Retrying { .. }
            )
        })
        .await
        .unwrap();
    assert!(
        down.label().contains("stopped answering"),
        "{}",
        down.label()
    );
    let _again = accept_and_auth(&l).await;
    link.wait_status(Duration::from_secs(2), LinkStatus::is_up)
        .await
        .unwrap();
    drop(ws);
}

/// A flood of pushes: the frames reported are fewer than went over the socket, in order, and
/// the newest `FRAMES_KEPT` of them are exactly the newest that crossed it (what a reader
/// keeping that many, as the console's inspector does, would have kept of every frame).
#[tokio::test]
async fn a_flood_reports_in_order_the_newest_frames_a_reader_keeps() {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel();
    let opts = toy_options();
    let link = supervisor::spawn(Toy { port }, opts, ev_tx);
    let mut ws = accept_and_auth(&l).await;
    link.wait_status(Duration::from_secs(2), LinkStatus::is_up)
        .await
        .unwrap();
    const N: u64 = 3_000;
    for k in 0..N {
        ws.feed(Message::text(json!({"push": k}).to_string()))
            .await
            .unwrap();
    }
    ws.flush().await.unwrap();
    // Every ack read, so the last frame has crossed the socket.
    let mut acks = 0;
    while acks < N {
        if let Some(Ok(Message::Text(_))) = ws.next().await {
            acks += 1;
        }
    }
    let last_ack = json!({ "ack": N - 1 }).to_string();
    let mut frames: Vec<(bool, u64)> = Vec::new();
    let mut pushes = 0;
    while frames.last() != Some(&(true, N - 1)) {
        match tokio::time::timeout(Duration::from_secs(3), ev_rx.recv()).await {
            Ok(Some(Ev::Frame(out, t))) => {
                // (The auth frames, before the session, are not counted.)
                let v: Value = serde_json::from_str(&t).unwrap();
                if let Some(k) = v[if out { "ack" } else { "push" }].as_u64() {
                    frames.push((out, k));
                }
            }
            Ok(Some(Ev::Push(_))) => pushes += 1,
            Ok(Some(_)) => {}
            other => panic!(
                "waiting for {last_ack}: {other:?} after {} frames",
                frames.len()
            ),
        }
    }
    assert_eq!(pushes, N, "every push was read");
    // As they crossed the socket: push k, then its ack.
    let all: Vec<(bool, u64)> = (0..N).flat_map(|k| [(false, k), (true, k)]).collect();
    let kept = super::FRAMES_KEPT;
    assert_eq!(frames[frames.len() - kept..], all[all.len() - kept..]);
    assert!(
        frames
            .windows(2)
            .all(|w| all.iter().position(|f| *f == w[0]) < all.iter().position(|f| *f == w[1])),
        "in order"
    );
    assert!(frames.len() < all.len(), "a flood's frames are let go");
}

/// A reader that falls behind holds the link at the backlog's bound: it stops reading (and so
/// acking) pushes, without counting the pause as the peer's silence; once the reader takes
/// what waits, every push comes, once and in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_behind_holds_the_link_at_the_bound_and_nothing_is_lost() {
    const BOUND: usize = 20;
    const PUSHES: u64 = 300;
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel();
    let backlog = std::sync::Arc::new(crate::backlog::Backlog::new(BOUND));
    let opts = LinkOptions {
        frames: false,
        liveness: Some(Duration::from_millis(600)),
        backlog: Some(backlog.clone()),
        ..toy_options()
    };
    let link = supervisor::spawn(Toy { port }, opts, ev_tx);
    let mut ws = accept_and_auth(&l).await;
    link.wait_status(Duration::from_secs(2), LinkStatus::is_up)
        .await
        .unwrap();
    for k in 1..=PUSHES {
        ws.send(Message::text(json!({"push": k, "v": k}).to_string()))
            .await
            .unwrap();
    }
    // Nobody takes the events: the acks stop at the bound. Watched for two and a half times
    // the liveness period, in which a link that counted its own pause as the peer's silence
    // would have dropped the session.
    let mut acked = 0u64;
    let until = tokio::time::Instant::now() + Duration::from_millis(1_500);
    while let Ok(Some(m)) = tokio::time::timeout_at(until, ws.next()).await {
        if let Message::Text(t) = m.unwrap() {
            let v: Value = serde_json::from_str(&t).unwrap();
            acked = v["ack"].as_u64().unwrap();
        }
    }
    assert!(acked > 0 && acked <= BOUND as u64, "acked {acked}");
    assert!(backlog.queued() >= BOUND, "{}", backlog.queued());
    assert!(link.status().is_up(), "{:?}", link.status());
    // The reader takes what waits, saying so: the rest comes, in order.
    let peer = tokio::spawn(async move {
        while acked < PUSHES {
            acked = read(&mut ws).await["ack"].as_u64().unwrap();
        }
        ws
    });
    let mut got = Vec::new();
    while got.len() < PUSHES as usize {
        let ev = tokio::time::timeout(Duration::from_secs(5), ev_rx.recv())
            .await
            .expect("the link stayed held")
            .unwrap();
        backlog.taken(1);
        if let Ev::Push(v) = ev {
            got.push(v["v"].as_u64().unwrap());
        }
    }
    assert_eq!(got, (1..=PUSHES).collect::<Vec<_>>());
    let _ws = tokio::time::timeout(Duration::from_secs(5), peer)
        .await
        .expect("every push acked")
        .unwrap();
    assert!(link.status().is_up(), "{:?}", link.status());
}
