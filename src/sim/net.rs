//! What the servers of both simulators share: serving routes until shutdown (with a header
//! timeout, and the freeze switch under every socket), reading a WebSocket message, and a
//! state lock that outlives a panicked holder.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::extract::ws::Message;
use futures_util::StreamExt;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The freeze switch of one simulator (all its servers): while frozen, no socket of it reads
/// or writes and no new connection is taken from the kernel's backlog, as if the process
/// were stopped (SIGSTOP). Its own clock keeps running (timers, actors).
pub(super) struct Freeze {
    state: Mutex<FreezeState>,
    tx: watch::Sender<bool>,
}

struct FreezeState {
    frozen: bool,
    /// Socket operations waiting for the thaw.
    wakers: Vec<Waker>,
}

impl Freeze {
    pub(super) fn new() -> Arc<Freeze> {
        Arc::new(Freeze {
            state: Mutex::new(FreezeState {
                frozen: false,
                wakers: Vec::new(),
            }),
            tx: watch::channel(false).0,
        })
    }

    pub(super) fn set(&self, frozen: bool) {
        let wake = {
            let mut s = lock(&self.state);
            s.frozen = frozen;
            if frozen {
                Vec::new()
            } else {
                std::mem::take(&mut s.wakers)
            }
        };
        self.tx.send_replace(frozen);
        for w in wake {
            w.wake();
        }
    }

    pub(super) fn is_frozen(&self) -> bool {
        lock(&self.state).frozen
    }

    /// Ready when not frozen; otherwise wakes the task at the thaw.
    fn poll_thawed(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut s = lock(&self.state);
        if !s.frozen {
            return Poll::Ready(());
        }
        if !s.wakers.iter().any(|w| w.will_wake(cx.waker())) {
            s.wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }

    /// Waits until the simulator is not frozen.
    pub(super) async fn thawed(&self) {
        let _ = self.tx.subscribe().wait_for(|f| !*f).await;
    }

    /// Waits until the simulator is frozen.
    pub(super) async fn frozen(&self) {
        let _ = self.tx.subscribe().wait_for(|f| *f).await;
    }
}

/// A connection's socket under the freeze switch: while frozen, reads and writes wait.
struct SimIo {
    io: TcpStream,
    freeze: Arc<Freeze>,
}

impl AsyncRead for SimIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        std::task::ready!(self.freeze.poll_thawed(cx));
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for SimIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        std::task::ready!(self.freeze.poll_thawed(cx));
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        std::task::ready!(self.freeze.poll_thawed(cx));
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        std::task::ready!(self.freeze.poll_thawed(cx));
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        std::task::ready!(self.freeze.poll_thawed(cx));
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// How a simulator's HTTP server treats its connections.
#[derive(Clone)]
pub(super) struct ServeOptions {
    /// A request's headers must arrive within this (it also closes a keep-alive connection
    /// idle this long between requests), and a request body that stalls this long fails.
    pub timeout: Duration,
    pub freeze: Arc<Freeze>,
}

/// Serves `app` on `listener` in a task of its own until `stop` turns true. Each request
/// carries its peer's address as `ConnectInfo<SocketAddr>`.
pub(super) fn serve(
    listener: TcpListener,
    app: Router,
    mut stop: watch::Receiver<bool>,
    opts: ServeOptions,
) {
    tokio::spawn(async move {
        loop {
            // Frozen: leave new connections in the kernel's backlog.
            tokio::select! {
                () = opts.freeze.thawed() => {}
                () = stopped(&mut stop) => return,
            }
            let (tcp, peer) = tokio::select! {
                r = listener.accept() => match r {
                    Ok(ok) => ok,
                    Err(e) => {
                        // Out of descriptors, say: let some close before trying again.
                        tracing::debug!(target: "trueconf_console::sim", "accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = stopped(&mut stop) => return,
            };
            let _ = tcp.set_nodelay(true);
            let io = SimIo {
                io: tcp,
                freeze: opts.freeze.clone(),
            };
            tokio::spawn(serve_connection(
                io,
                peer,
                app.clone(),
                stop.clone(),
                opts.timeout,
            ));
        }
    });
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

async fn serve_connection(
    io: SimIo,
    peer: SocketAddr,
    app: Router,
    mut stop: watch::Receiver<bool>,
    timeout: Duration,
) {
    let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        let req = req.map(|b| idle_timeout(Body::new(b), timeout));
        tower_service::Service::call(&mut app.clone(), req)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeout);
    let conn = builder
        .serve_connection(TokioIo::new(io), svc)
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        () = stopped(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// A request body that fails when no data comes for `idle` (a client that sent its headers
/// and stopped).
fn idle_timeout(body: Body, idle: Duration) -> Body {
    let chunks = body.into_data_stream();
    Body::from_stream(futures_util::stream::unfold(
        Some(chunks),
        move |chunks| async move {
            let mut chunks = chunks?;
            match tokio::time::timeout(idle, chunks.next()).await {
                Ok(Some(chunk)) => Some((chunk, Some(chunks))),
                Ok(None) => None,
                Err(_) => {
                    let e = std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body stalled",
                    );
                    Some((Err(axum::Error::new(e)), None))
                }
            }
        },
    ))
}

/// One WebSocket message as the simulators read it.
pub(super) enum Incoming {
    /// A text frame, or a binary one read as UTF-8.
    Text(String),
    Ping,
    Pong,
    /// A message over the size limit (the connection closes with 1009).
    TooBig,
    /// A close frame, an error or the end of the stream.
    Closed,
}

impl Incoming {
    pub(super) fn read(msg: Option<Result<Message, axum::Error>>) -> Incoming {
        match msg {
            Some(Ok(Message::Text(t))) => Incoming::Text(t.to_string()),
            Some(Ok(Message::Binary(b))) => {
                Incoming::Text(String::from_utf8_lossy(&b).into_owned())
            }
            Some(Ok(Message::Ping(_))) => Incoming::Ping,
            Some(Ok(Message::Pong(_))) => Incoming::Pong,
            // axum hides tungstenite's error type (another version than ours), not its text.
            Some(Err(e)) if e.to_string().starts_with("Space limit exceeded") => Incoming::TooBig,
            Some(Ok(Message::Close(_)) | Err(_)) | None => Incoming::Closed,
        }
    }
}

/// The `id` (chat) or `requestId` (Room) of a frame exactly as it came (any number, however
/// large, or a string), if the frame is a JSON object that has one.
pub(super) fn raw_id<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let o: std::collections::HashMap<String, &serde_json::value::RawValue> =
        serde_json::from_str(text).ok()?;
    let raw = o.get(key)?.get();
    (raw != "null").then_some(raw)
}

/// Locks a simulator's state, even if a holder panicked.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
