//! The link supervisor: one task owns the WebSocket of a link, whichever the protocol.
//!
//! It connects (the protocol's [`Protocol::connect`]), sends the protocol's auth frame and
//! waits for its answer, then runs the session: requests go out numbered per connection and
//! are matched to their answers ([`Correlation`]) with a timeout each; a server push is
//! acknowledged (when the protocol acknowledges pushes) before anything else happens to it.
//! When the link drops, every request in flight fails (it may or may not have been carried
//! out; it is never sent again behind the user's back); the supervisor reports the reason,
//! waits a backoff with jitter (status `Retrying { in_secs, reason }`, which the UI counts
//! down) and connects again. A request made while the link is down waits for it, up to its
//! own timeout ([`Waiting`]). Every frame in and out can be tapped for the traffic inspector,
//! secrets masked by the protocol.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Sink, SinkExt, StreamExt};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{self, Message, Utf8Bytes};

use super::LinkStatus;
use super::backoff::Backoff;
use super::error::{Down, LinkError, RequestFailure};
use super::pending::{Call, Correlation, Waiting};
use super::session::{Check, Events, Liveness};
use crate::backlog::Backlog;

/// The socket both links use.
pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A request of protocol `P`, with where its answer goes.
pub type CallOf<P> = Call<<P as Protocol>::Body, <P as Protocol>::Reply, <P as Protocol>::Error>;

/// An open socket, before auth.
pub struct Opened<C> {
    pub ws: Ws,
    /// Frames the connect step already sent (for the tap), in order.
    pub sent: Vec<String>,
    /// What the protocol needs for auth (a token, the port it found).
    pub conn: C,
}

/// What a frame from the peer is, as the protocol reads it.
pub enum Inbound<P: Protocol> {
    /// An answer to a request: the one with `id`, or else (when `fallback` names a method) the
    /// oldest request of that method.
    Answer {
        id: Option<u64>,
        fallback: Option<String>,
        answer: P::Answer,
    },
    /// A push from the peer; `ack`, when there is one, is written before anything else
    /// happens to it.
    Push { ack: Option<String>, push: P::Push },
    /// Nothing to act on (the protocol has logged it).
    Other,
}

/// What a protocol hook may do: emit events, and queue internal requests (no one awaits
/// their answers; the protocol reads them in [`Protocol::on_answer`]).
pub struct Ctx<'a, P: Protocol> {
    events: &'a Events<P::Event>,
    out: &'a mut Vec<CallOf<P>>,
}

impl<P: Protocol> Ctx<'_, P> {
    pub fn emit(&self, e: P::Event) {
        self.events.send(e);
    }

    /// Queues an internal request, sent as soon as the session runs.
    pub fn call(&mut self, method: &str, body: P::Body, timeout: Duration) {
        self.out.push(Call {
            method: method.to_string(),
            body,
            reply: None,
            deadline: Instant::now() + timeout,
        });
    }
}

/// One link protocol: how to connect, authenticate, frame requests and read what arrives.
/// The supervisor does the rest.
pub trait Protocol: Send + Sized + 'static {
    /// A request's parameters.
    type Body: Send + 'static;
    /// A successful answer, as the caller gets it.
    type Reply: Send + 'static;
    /// The caller's error.
    type Error: From<RequestFailure> + Send + 'static;
    /// What the link reports on its event channel.
    type Event: Send + 'static;
    /// Commands other than requests (e.g. watching a file's progress).
    type Command: Send + 'static;
    /// What connecting hands to auth.
    type Conn: Send + 'static;
    /// An answer, as read.
    type Answer: Send;
    /// A push, as read.
    type Push: Send;

    /// The id of the first request of a connection (auth may take an id before it).
    const FIRST_ID: u64;
    /// Who is at the other end, for messages ("the Room", "the server").
    const PEER: &'static str;

    fn status_event(s: LinkStatus) -> Self::Event;
    fn frame_event(outgoing: bool, text: String, at_ms: u64) -> Self::Event;
    /// A frame with its secrets replaced, for the tap.
    fn mask(text: &str) -> String;

    /// Opens a socket (an owned future: requests keep being queued meanwhile).
    fn connect(
        &mut self,
    ) -> impl Future<Output = Result<Opened<Self::Conn>, Down>> + Send + 'static;
    /// The auth frame for a socket just opened.
    fn auth_frame(&mut self, conn: Self::Conn) -> String;
    /// Reads an answer that arrives before auth is done: None when it is not auth's; else
    /// whether auth succeeded (the protocol reports the session itself).
    fn on_auth_answer(
        &mut self,
        answer: Self::Answer,
        ctx: &mut Ctx<Self>,
    ) -> Option<Result<(), Down>>;
    /// Auth succeeded: queue the requests that build the initial state.
    fn on_authorized(&mut self, ctx: &mut Ctx<Self>);
    /// The link went down (or an attempt failed) for `reason`.
    fn on_down(&mut self, reason: &str);

    fn encode(&self, id: u64, method: &str, body: Self::Body) -> String;
    fn decode(&mut self, text: &str) -> Inbound<Self>;
    /// The answer to a request of `method` (`awaited` false for an internal one): what its
    /// caller gets.
    fn on_answer(
        &mut self,
        method: &str,
        awaited: bool,
        answer: Self::Answer,
        ctx: &mut Ctx<Self>,
    ) -> Result<Self::Reply, Self::Error>;
    /// An answer to no request in flight.
    fn on_stray_answer(&mut self, answer: Self::Answer, ctx: &mut Ctx<Self>);
    fn on_push(&mut self, push: Self::Push, ctx: &mut Ctx<Self>);
    /// A push before the auth answer (after its ack): by default read like any other.
    fn on_push_before_auth(&mut self, push: Self::Push, ctx: &mut Ctx<Self>) {
        self.on_push(push, ctx);
    }
    fn on_command(&mut self, cmd: Self::Command);
}

#[derive(Debug, Clone)]
pub struct LinkOptions {
    pub backoff: Backoff,
    /// How long a request may wait for its answer (including waiting for the link).
    pub request_timeout: Duration,
    /// Auth, waiting for its answer (connect steps are the protocol's).
    pub connect_timeout: Duration,
    /// Emit every frame in and out through [`Protocol::frame_event`] (masked).
    pub frames: bool,
    /// A peer silent this long is gone: the session ends and the link reconnects. Silent for a
    /// third of it, the peer is pinged (a WebSocket ping, which every server answers while it
    /// reads); for half of it, the link shows as not answering. None: never checked.
    pub liveness: Option<Duration>,
    /// The bound on events sent and not yet taken by their reader, who says what it takes
    /// ([`Backlog::taken`]): at the bound, the session stops reading the socket until the
    /// reader has taken some. None: no bound (a reader that does not count).
    pub backlog: Option<Arc<Backlog>>,
}

/// Writes a frame, giving up after `limit`: a peer that stopped reading fills the socket's
/// buffers, and a write must not hold the session (and its timers) past that.
async fn send_within<S>(sink: &mut S, msg: Message, limit: Duration) -> Result<(), LinkError>
where
    S: Sink<Message, Error = tungstenite::Error> + Unpin,
{
    match tokio::time::timeout(limit, sink.send(msg)).await {
        Ok(r) => r.map_err(LinkError::Send),
        Err(_) => Err(LinkError::SendStalled {
            secs: limit.as_secs(),
        }),
    }
}

enum Command<P: Protocol> {
    Call(CallOf<P>),
    Other(P::Command),
}

/// The sending side of a link: requests, commands and its status. Dropping every clone stops
/// the link.
pub struct Link<P: Protocol> {
    tx: mpsc::Sender<Command<P>>,
    status: watch::Receiver<LinkStatus>,
    request_timeout: Duration,
}

impl<P: Protocol> Clone for Link<P> {
    fn clone(&self) -> Self {
        Link {
            tx: self.tx.clone(),
            status: self.status.clone(),
            request_timeout: self.request_timeout,
        }
    }
}

/// Starts the supervisor for `proto`; it reports on `events`.
pub fn spawn<P: Protocol>(
    proto: P,
    opts: LinkOptions,
    events: mpsc::UnboundedSender<P::Event>,
) -> Link<P> {
    let (tx, rx) = mpsc::channel(256);
    let (status_tx, status) = watch::channel(LinkStatus::Offline);
    let link = Link {
        tx,
        status,
        request_timeout: opts.request_timeout,
    };
    let events = Events {
        tx: events,
        backlog: opts.backlog.clone(),
    };
    let sup = Supervisor {
        proto,
        opts,
        rx,
        events,
        status: status_tx,
        waiting: Waiting::default(),
        frames: VecDeque::new(),
        frames_due: None,
    };
    tokio::spawn(sup.run());
    link
}

impl<P: Protocol> Link<P> {
    /// Sends a request and awaits its answer, up to the request timeout.
    pub async fn call(&self, method: &str, body: P::Body) -> Result<P::Reply, P::Error> {
        self.submit(method, body).await?.await
    }

    /// Queues a request and returns, once it is queued, its answer to await (up to the
    /// request timeout). Requests one task submits go out in the order it submitted them,
    /// however their answers are awaited.
    pub async fn submit(
        &self,
        method: &str,
        body: P::Body,
    ) -> Result<impl Future<Output = Result<P::Reply, P::Error>> + Send + 'static, P::Error> {
        let (reply, rx) = oneshot::channel();
        let deadline = Instant::now() + self.request_timeout;
        self.tx
            .send(Command::Call(Call {
                method: method.to_string(),
                body,
                reply: Some(reply),
                deadline,
            }))
            .await
            .map_err(|_| RequestFailure::Stopped)?;
        Ok(async move {
            rx.await
                .unwrap_or_else(|_| Err(RequestFailure::Stopped.into()))
        })
    }

    /// Hands the protocol a command; false when the link has stopped.
    pub async fn command(&self, c: P::Command) -> bool {
        self.tx.send(Command::Other(c)).await.is_ok()
    }

    pub fn status(&self) -> LinkStatus {
        self.status.borrow().clone()
    }

    /// The status as it changes.
    pub fn subscribe_status(&self) -> watch::Receiver<LinkStatus> {
        self.status.clone()
    }

    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// Waits until the link status satisfies `f`, up to `timeout`.
    pub async fn wait_status(
        &self,
        timeout: Duration,
        f: impl Fn(&LinkStatus) -> bool,
    ) -> Result<LinkStatus, LinkStatus> {
        let mut rx = self.status.clone();
        match tokio::time::timeout(timeout, rx.wait_for(|s| f(s))).await {
            Ok(Ok(s)) => Ok(s.clone()),
            _ => Err(self.status()),
        }
    }
}

/// A session's frames are reported at least this often (see [`Supervisor::tap_later`]).
const FRAMES_EVERY: Duration = Duration::from_millis(20);

#[derive(Clone, Copy)]
enum Phase {
    Auth,
    Session,
}

struct Supervisor<P: Protocol> {
    proto: P,
    opts: LinkOptions,
    rx: mpsc::Receiver<Command<P>>,
    events: Events<P::Event>,
    status: watch::Sender<LinkStatus>,
    /// Requests waiting for the link.
    waiting: Waiting<P::Body, P::Reply, P::Error>,
    /// A session's frames not reported yet (see [`Supervisor::tap_later`]).
    frames: VecDeque<(bool, Utf8Bytes, u64)>,
    /// When they are reported, at the latest.
    frames_due: Option<Instant>,
}

impl<P: Protocol> Supervisor<P> {
    fn emit(&self, e: P::Event) {
        self.events.send(e);
    }

    fn set_status(&self, s: LinkStatus) {
        if *self.status.borrow() != s {
            self.status.send_replace(s.clone());
            self.emit(P::status_event(s));
        }
    }

    /// The frame tap for the traffic inspector, outside a session (connect and auth): the
    /// frame is reported at once.
    fn tap(&self, outgoing: bool, text: &str) {
        if self.opts.frames {
            self.emit(P::frame_event(outgoing, P::mask(text), super::now_ms()));
        }
    }

    /// The frame tap in a session: the frame is held (no copy: the socket's own buffer) and
    /// reported, in order, within [`FRAMES_EVERY`], with only the newest
    /// [`super::FRAMES_KEPT`] of those held, which is all a reader keeping that many would
    /// have kept of them. A flood's frames are thus mostly let go unread: masking and copying
    /// every one, and sending each through the event channel, cost a third of the console's
    /// rate in a flood. Frames come after the events they carried, by up to [`FRAMES_EVERY`].
    fn tap_later(&mut self, outgoing: bool, text: &Utf8Bytes) {
        if !self.opts.frames {
            return;
        }
        if self.frames.len() >= super::FRAMES_KEPT {
            self.frames.pop_front();
        }
        self.frames
            .push_back((outgoing, text.clone(), super::now_ms()));
        self.frames_due
            .get_or_insert_with(|| Instant::now() + FRAMES_EVERY);
    }

    /// Reports the frames held, masked.
    fn report_frames(&mut self) {
        self.frames_due = None;
        for (outgoing, text, at_ms) in std::mem::take(&mut self.frames) {
            self.emit(P::frame_event(outgoing, P::mask(&text), at_ms));
        }
    }

    /// Takes a command while no session runs: a request waits for the link.
    fn take(&mut self, cmd: Command<P>) {
        match cmd {
            Command::Call(c) => self.waiting.push(c),
            Command::Other(c) => self.proto.on_command(c),
        }
    }

    /// Runs a future while still taking commands (requests wait for the session; those
    /// overdue fail with `reason`). None when every handle is gone.
    async fn while_taking<T>(&mut self, fut: impl Future<Output = T>, reason: &str) -> Option<T> {
        tokio::pin!(fut);
        loop {
            let deadline = self.waiting.next_deadline();
            tokio::select! {
                r = &mut fut => return Some(r),
                cmd = self.rx.recv() => match cmd {
                    Some(c) => self.take(c),
                    None => return None,
                },
                _ = sleep_until(deadline) => self.waiting.expire(Instant::now(), reason),
            }
        }
    }

    async fn run(mut self) {
        let mut attempt = 0u32;
        loop {
            self.set_status(LinkStatus::Connecting);
            let connecting = self.proto.connect();
            let Some(result) = self.while_taking(connecting, "still connecting").await else {
                return;
            };
            let down = match result {
                Ok(Opened { ws, sent, conn }) => {
                    for text in &sent {
                        self.tap(true, text);
                    }
                    match self.authenticate(ws, conn).await {
                        Ok((ws, early)) => {
                            attempt = 0;
                            let end = self.session(ws, early).await;
                            self.report_frames();
                            match end {
                                Some(d) => d,
                                None => return,
                            }
                        }
                        Err(d) if d.again_now => continue,
                        Err(d) => d,
                    }
                }
                Err(d) => d,
            };
            let reason = down.error.to_string();
            self.proto.on_down(&reason);
            self.set_status(LinkStatus::Disconnected {
                reason: reason.clone(),
            });
            let delay = if down.terminal {
                None
            } else {
                self.opts.backoff.delay(attempt)
            };
            let Some(delay) = delay else {
                self.give_up(&reason).await;
                return;
            };
            attempt = attempt.saturating_add(1);
            self.set_status(LinkStatus::Retrying {
                in_secs: delay.as_secs_f64().ceil() as u64,
                reason: reason.clone(),
            });
            if self
                .while_taking(tokio::time::sleep(delay), &reason)
                .await
                .is_none()
            {
                return;
            }
        }
    }

    /// No more attempts: everything waiting fails with the reason, and so does everything
    /// asked from now on, until every handle is gone.
    async fn give_up(&mut self, reason: &str) {
        self.waiting.fail_all(reason);
        while let Some(cmd) = self.rx.recv().await {
            if let Command::Call(c) = cmd {
                let method = c.method.clone();
                c.fail(RequestFailure::LinkDown {
                    method,
                    reason: reason.to_string(),
                });
            }
        }
    }

    /// Sends auth and waits for its answer. Pushes before it are acknowledged and read (as the
    /// protocol wants); other frames are answers to nothing. Returns the socket and any
    /// internal requests queued meanwhile.
    async fn authenticate(
        &mut self,
        mut ws: Ws,
        conn: P::Conn,
    ) -> Result<(Ws, Vec<CallOf<P>>), Down> {
        self.set_status(LinkStatus::Connected);
        let text = self.proto.auth_frame(conn);
        self.tap(true, &text);
        ws.send(Message::text(text))
            .await
            .map_err(LinkError::SendAuth)?;
        let deadline = Instant::now() + self.opts.connect_timeout;
        let mut early = Vec::new();
        loop {
            let msg = tokio::time::timeout_at(deadline, ws.next())
                .await
                .map_err(|_| LinkError::AuthTimeout)?;
            let text = match msg {
                Some(Ok(Message::Text(t))) => t.to_string(),
                Some(Ok(Message::Close(_))) | None => {
                    return Err(LinkError::ClosedDuringAuth { peer: P::PEER }.into());
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(LinkError::AuthConnection(e).into()),
            };
            self.tap(false, &text);
            match self.proto.decode(&text) {
                Inbound::Push { ack, push } => {
                    // Best effort: a socket that cannot take the ack fails auth next.
                    let _ = self
                        .on_push(&mut ws, ack, push, Phase::Auth, &mut early)
                        .await;
                }
                Inbound::Answer { answer, .. } => {
                    let mut ctx = Ctx {
                        events: &self.events,
                        out: &mut early,
                    };
                    if let Some(done) = self.proto.on_auth_answer(answer, &mut ctx) {
                        done?;
                        self.set_status(LinkStatus::Authorized);
                        return Ok((ws, early));
                    }
                }
                Inbound::Other => {}
            }
        }
    }

    /// A push: its ack (when the protocol has one) is written first, on this socket, before
    /// anything else happens to it; then the protocol reads it. In a session the ack is only
    /// queued, and flushed as soon as no further frame is waiting, so a burst of pushes costs
    /// one write, not one per push; before auth it is flushed at once. Ok(true) when an ack
    /// awaits a flush.
    async fn on_push<S>(
        &mut self,
        sink: &mut S,
        ack: Option<String>,
        push: P::Push,
        phase: Phase,
        out: &mut Vec<CallOf<P>>,
    ) -> Result<bool, tungstenite::Error>
    where
        S: Sink<Message, Error = tungstenite::Error> + Unpin,
    {
        let mut fed = false;
        if let Some(ack) = ack {
            match phase {
                Phase::Auth => {
                    self.tap(true, &ack);
                    let _ = sink.send(Message::text(ack)).await;
                }
                Phase::Session => {
                    let ack = Utf8Bytes::from(ack);
                    self.tap_later(true, &ack);
                    sink.feed(Message::Text(ack)).await?;
                    fed = true;
                }
            }
        }
        let mut ctx = Ctx {
            events: &self.events,
            out,
        };
        match phase {
            Phase::Auth => self.proto.on_push_before_auth(push, &mut ctx),
            Phase::Session => self.proto.on_push(push, &mut ctx),
        }
        Ok(fed)
    }

    /// Runs an authorised session. Returns why it ended, or None when every handle is gone.
    async fn session(&mut self, ws: Ws, early: Vec<CallOf<P>>) -> Option<Down> {
        let (mut sink, mut stream) = ws.split();
        let mut sent: Correlation<P::Reply, P::Error> = Correlation::new(P::FIRST_ID);
        let mut out = Vec::new();
        self.proto.on_authorized(&mut Ctx {
            events: &self.events,
            out: &mut out,
        });
        out.extend(early);
        out.extend(self.waiting.take_all());
        let mut unflushed = false;
        let mut alive = self.opts.liveness.map(Liveness::new);
        // A write may take this long before the peer counts as gone.
        let write_limit = self.opts.liveness.unwrap_or(self.opts.request_timeout);
        let secs = self.opts.request_timeout.as_secs();
        loop {
            for Call {
                method,
                body,
                reply,
                deadline,
            } in out.drain(..)
            {
                let id = sent.next_id();
                let text = Utf8Bytes::from(self.proto.encode(id, &method, body));
                self.tap_later(true, &text);
                if let Err(e) = send_within(&mut sink, Message::Text(text), write_limit).await {
                    if let Some(r) = reply {
                        let _ = r.send(Err(RequestFailure::Dropped(method).into()));
                    }
                    sent.fail_all();
                    return Some(e.into());
                }
                sent.insert(id, method, reply, deadline);
            }
            let deadline = sent.next_deadline();
            // The reader has not taken what it was given: the socket waits (and the peer's
            // silence meanwhile is ours, not its own: not counted).
            let paused = self.events.full();
            let check_at = alive.as_ref().map(Liveness::deadline).filter(|_| !paused);
            tokio::select! {
                biased;
                cmd = self.rx.recv() => match cmd {
                    Some(Command::Call(c)) => out.push(c),
                    Some(Command::Other(c)) => self.proto.on_command(c),
                    None => {
                        let _ = sink.send(Message::Close(None)).await;
                        return None;
                    }
                },
                _ = self.events.room(), if paused => {
                    if let Some(a) = alive.as_mut() {
                        a.excuse();
                    }
                }
                msg = stream.next(), if !paused => {
                    if alive.as_mut().is_some_and(Liveness::heard) {
                        self.set_status(LinkStatus::Authorized);
                    }
                    let end = self.on_message(msg, &mut sink, &mut sent, &mut out, &mut unflushed).await;
                    if end.is_some() {
                        return end;
                    }
                }
                r = sink.flush(), if unflushed => {
                    unflushed = false;
                    if let Err(e) = r {
                        sent.fail_all();
                        return Some(LinkError::Send(e).into());
                    }
                }
                _ = sleep_until(check_at) => {
                    let check = alive.as_mut().and_then(|a| a.check(Instant::now()));
                    match check {
                        Some(Check::Ping) => {
                            let ping = Message::Ping(Vec::new().into());
                            if let Err(e) = send_within(&mut sink, ping, write_limit).await {
                                sent.fail_all();
                                return Some(e.into());
                            }
                        }
                        Some(Check::Flag(secs)) => {
                            self.set_status(LinkStatus::Unresponsive { secs });
                        }
                        Some(Check::Dead(secs)) => {
                            sent.fail_all();
                            return Some(LinkError::Unresponsive { peer: P::PEER, secs }.into());
                        }
                        None => {}
                    }
                }
                _ = sleep_until(deadline) => sent.expire(Instant::now(), secs),
                _ = sleep_until(self.frames_due), if self.frames_due.is_some() => {
                    self.report_frames();
                }
            }
        }
    }

    /// Handles one read from the socket: a push is acked and read, an answer goes to its
    /// request. Some(why) when the session is over.
    async fn on_message<S>(
        &mut self,
        msg: Option<Result<Message, tungstenite::Error>>,
        sink: &mut S,
        sent: &mut Correlation<P::Reply, P::Error>,
        out: &mut Vec<CallOf<P>>,
        unflushed: &mut bool,
    ) -> Option<Down>
    where
        S: Sink<Message, Error = tungstenite::Error> + Unpin,
    {
        let msg = match msg {
            Some(Ok(m)) => m,
            Some(Err(e)) => {
                sent.fail_all();
                return Some(LinkError::Lost(e).into());
            }
            None => {
                sent.fail_all();
                return Some(LinkError::Ended.into());
            }
        };
        let bin;
        let text: &Utf8Bytes = match &msg {
            Message::Text(t) => t,
            Message::Binary(b) => {
                bin = Utf8Bytes::from(String::from_utf8_lossy(b).into_owned());
                &bin
            }
            Message::Close(frame) => {
                sent.fail_all();
                let reason = frame
                    .as_ref()
                    .filter(|f| !f.reason.is_empty())
                    .map(|f| crate::sanitize::line(&f.reason).into_owned());
                return Some(
                    LinkError::Closed {
                        peer: P::PEER,
                        reason,
                    }
                    .into(),
                );
            }
            _ => return None,
        };
        self.tap_later(false, text);
        match self.proto.decode(text) {
            Inbound::Push { ack, push } => {
                match self.on_push(sink, ack, push, Phase::Session, out).await {
                    Ok(fed) => *unflushed |= fed,
                    Err(e) => {
                        sent.fail_all();
                        return Some(LinkError::Send(e).into());
                    }
                }
            }
            Inbound::Answer {
                id,
                fallback,
                answer,
            } => {
                let mut ctx = Ctx {
                    events: &self.events,
                    out,
                };
                match sent.take(id, fallback.as_deref()) {
                    Some(o) => {
                        let res =
                            self.proto
                                .on_answer(&o.method, o.reply.is_some(), answer, &mut ctx);
                        if let Some(r) = o.reply {
                            let _ = r.send(res);
                        }
                    }
                    None => self.proto.on_stray_answer(answer, &mut ctx),
                }
            }
            Inbound::Other => {}
        }
        None
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
