//! The chat protocol for the link supervisor ([`crate::link::supervisor`]): a token (given,
//! cached or by OAuth), the socket offering `json.v1`, `auth` as request 1, requests numbered
//! 2, 3 … per connection and matched by id in any order, and server requests (pushes), which
//! the supervisor acknowledges the moment they are read (docs/chat-protocol.md, Transport,
//! Authentication, Framing, Acks).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::auth::{self, AuthError, Token};
use super::client::{
    ChatError, ChatLinkEvent, ChatLinkOptions, ChatSession, ChatTarget, mask_frame,
};
use super::events::ChatEvent;
use super::methods::{self, ChatMethod, FromPayload};
use super::protocol::{Frame, ServerError};
use super::types::UploadLimits;
use crate::link::supervisor::{Ctx, Inbound, Opened, Protocol, Ws};
use crate::link::{Down, LinkError, LinkStatus};

/// Progress events of a file go to `tx` until it is dropped.
pub(super) struct Watch {
    pub file_id: String,
    pub tx: mpsc::UnboundedSender<u64>,
}

/// A response, by id.
pub(super) struct Answer {
    id: u64,
    payload: Option<Value>,
}

pub(super) struct ChatLink {
    pub target: Arc<ChatTarget>,
    pub opts: ChatLinkOptions,
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// What the TLS verifier last refused (the HTTP client and the socket share it).
    pub refused: Option<crate::tls::Refused>,
    pub http: reqwest::Client,
    pub session: watch::Sender<Option<ChatSession>>,
    pub limits: watch::Sender<Option<UploadLimits>>,
    pub watchers: HashMap<String, Vec<mpsc::UnboundedSender<u64>>>,
    /// The server said the token expired: get a new one before the next auth.
    pub stale_token: bool,
    /// The token being tried came from the cache.
    pub from_cache: bool,
}

impl ChatLink {
    fn forget_token(&self) {
        if let Some(c) = &self.opts.token_cache
            && let Err(e) = c.forget(&self.target.cache_key())
        {
            tracing::warn!(target: "trueconf_console::chat", "token cache {}: {e}", c.path().display());
        }
    }
}

/// A server request as the link read it.
#[derive(Debug)]
pub enum Push {
    /// A new message, read straight from the frame's text.
    Read(ChatEvent),
    /// Any other request: its method and payload, read into an event by
    /// [`ChatEvent::parse_owned`].
    Raw(String, Option<Value>),
}

/// The hot path of a flood: a `sendMessage` request read from its text into the envelope in
/// one pass, without the JSON tree [`Frame::decode`] builds. Anything unusual (an id as a
/// string, a key twice, a frame or payload that is not an object, another method, deep
/// nesting) gives None and the frame takes the general path, which reads every form the
/// protocol allows; where this path reads a frame at all, it reads it exactly as that one
/// does.
fn new_message(text: &str) -> Option<(u64, crate::chat::types::Envelope)> {
    // A derived struct would also read an array (its fields in order): the general path
    // reads only an object.
    if !text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with('{')
    {
        return None;
    }
    // The general path stops at serde_json's nesting limit, counted from the frame; read
    // apart, the payload would be allowed a level more. A frame that could come near it (a
    // hundred brackets, counted fast) is left to the general path.
    if memchr::memchr2_iter(b'[', b'{', text.as_bytes())
        .nth(99)
        .is_some()
    {
        return None;
    }
    let h: Head = serde_json::from_str(text).ok()?;
    if h.kind != 1 || !h.send_message {
        return None;
    }
    let e = match h.payload {
        Payload::Read(e) => *e,
        Payload::Later(raw) if raw.get().starts_with('{') => {
            serde_json::from_str(raw.get()).ok()?
        }
        Payload::Later(_) => return None,
    };
    Some((h.id, e))
}

/// A request's frame, read in one pass: when `method` and `type` come before `payload` (as
/// servers write them) and say a new message, the payload is read as the envelope there and
/// then; otherwise it is kept as written and read after, if at all. Reads what a derived
/// struct of `method`, `type`, `id` and `payload` would, and fails where it would fail (a
/// field twice or missing, a wrong type), so that such a frame goes the general way.
struct Head<'a> {
    send_message: bool,
    kind: u64,
    id: u64,
    payload: Payload<'a>,
}

enum Payload<'a> {
    Read(Box<crate::chat::types::Envelope>),
    Later(&'a serde_json::value::RawValue),
}

/// An envelope, from a JSON object only (a derived struct would also read an array).
struct ObjectEnvelope(crate::chat::types::Envelope);

impl<'de> serde::Deserialize<'de> for ObjectEnvelope {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ObjectEnvelope;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an envelope object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                a: A,
            ) -> Result<Self::Value, A::Error> {
                serde::Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(a))
                    .map(ObjectEnvelope)
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Head<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Head<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a request")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Self::Value, A::Error> {
                use serde::de::Error;
                let mut method: Option<bool> = None;
                let mut kind: Option<u64> = None;
                let mut id: Option<u64> = None;
                let mut payload: Option<Payload<'a>> = None;
                while let Some(key) = a.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "method" if method.is_some() => {
                            return Err(A::Error::duplicate_field("method"));
                        }
                        "method" => {
                            let m: std::borrow::Cow<'de, str> = a.next_value()?;
                            method = Some(m == "sendMessage");
                        }
                        "type" if kind.is_some() => return Err(A::Error::duplicate_field("type")),
                        "type" => kind = Some(a.next_value()?),
                        "id" if id.is_some() => return Err(A::Error::duplicate_field("id")),
                        "id" => id = Some(a.next_value()?),
                        "payload" if payload.is_some() => {
                            return Err(A::Error::duplicate_field("payload"));
                        }
                        "payload" if method == Some(true) && kind == Some(1) => {
                            let e: ObjectEnvelope = a.next_value()?;
                            payload = Some(Payload::Read(Box::new(e.0)));
                        }
                        "payload" => payload = Some(Payload::Later(a.next_value()?)),
                        _ => {
                            a.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(Head {
                    send_message: method.ok_or_else(|| A::Error::missing_field("method"))?,
                    kind: kind.ok_or_else(|| A::Error::missing_field("type"))?,
                    id: id.ok_or_else(|| A::Error::missing_field("id"))?,
                    payload: payload.ok_or_else(|| A::Error::missing_field("payload"))?,
                })
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl Protocol for ChatLink {
    type Body = Option<Value>;
    type Reply = Value;
    type Error = ChatError;
    type Event = ChatLinkEvent;
    type Command = Watch;
    type Conn = (Token, bool);
    type Answer = Answer;
    type Push = Push;

    /// Auth is request 1.
    const FIRST_ID: u64 = 2;
    const PEER: &'static str = "the server";

    fn status_event(s: LinkStatus) -> ChatLinkEvent {
        ChatLinkEvent::Status(s)
    }

    fn frame_event(outgoing: bool, text: String, at_ms: u64) -> ChatLinkEvent {
        ChatLinkEvent::Frame {
            outgoing,
            text,
            at_ms,
        }
    }

    fn mask(text: &str) -> String {
        mask_frame(text)
    }

    /// The token, then the socket.
    fn connect(
        &mut self,
    ) -> impl std::future::Future<Output = Result<Opened<(Token, bool)>, Down>> + Send + 'static
    {
        let target = self.target.clone();
        let opts = self.opts.clone();
        let http = self.http.clone();
        let tls = self.tls.clone();
        let stale = self.stale_token;
        let refused = self.refused.clone();
        async move {
            let opened = async {
                let (token, from_cache) = get_token(&target, &opts, &http, stale).await?;
                let ws = open_socket(&target, &opts, tls).await?;
                Ok(Opened {
                    ws,
                    sent: Vec::new(),
                    conn: (token, from_cache),
                })
            }
            .await;
            // A refused certificate: say what the server presented and how to trust it.
            opened.map_err(|mut down: Down| {
                if let Some(presented) = refused.as_ref().and_then(crate::tls::Refused::take) {
                    down.error = LinkError::other(crate::tls::CertificateRefused {
                        detail: down.error.to_string(),
                        presented,
                    });
                }
                down
            })
        }
    }

    fn auth_frame(&mut self, (token, from_cache): (Token, bool)) -> String {
        self.stale_token = false;
        self.from_cache = from_cache;
        let req = methods::Auth {
            token: token.access.expose().to_string(),
            token_type: Some(self.target.token_type.clone()),
            receive_unread: Some(self.target.receive_unread),
            receive_system: Some(self.target.receive_system),
        };
        Frame::Request {
            id: 1,
            method: "auth".into(),
            payload: Some(Value::Object(req.payload())),
        }
        .encode()
    }

    fn on_auth_answer(&mut self, a: Answer, ctx: &mut Ctx<Self>) -> Option<Result<(), Down>> {
        if a.id != 1 {
            return None;
        }
        if let Some(err) = ServerError::from_payload(a.payload.as_ref()) {
            // 201/202: this token or user will not do; 203: expired, get another
            // (docs/chat-protocol.md, Authentication).
            let code = err.code;
            let given_only = self.target.token.is_some() && self.target.password.is_none();
            let mut down = Down {
                terminal: (matches!(code, 201 | 202 | 204) && given_only) || code == 202,
                ..Down::from(LinkError::AuthRefused(err.to_string()))
            };
            if code == 203 || (self.from_cache && code == 201) {
                self.stale_token = true;
                self.forget_token();
            }
            if self.from_cache && matches!(code, 201 | 203) && self.target.password.is_some() {
                // A cached token the server no longer takes: retry at once with a fresh one.
                down.again_now = true;
            }
            return Some(Err(down));
        }
        let p = a.payload.unwrap_or(Value::Null);
        let reply = match methods::AuthReply::from_payload(&p) {
            Ok(r) => r,
            Err(e) => return Some(Err(LinkError::AuthUnreadable(e.to_string()).into())),
        };
        let me = reply
            .user_id
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let s = ChatSession {
            user_id: reply.user_id,
            me,
            connection_id: reply.connection_id,
        };
        self.session.send_replace(Some(s.clone()));
        ctx.emit(ChatLinkEvent::Session(s));
        Some(Ok(()))
    }

    fn on_authorized(&mut self, ctx: &mut Ctx<Self>) {
        ctx.call(
            "getFileUploadLimits",
            Some(Value::Object(Map::new())),
            self.opts.request_timeout,
        );
    }

    fn on_down(&mut self, reason: &str) {
        self.session.send_replace(None);
        tracing::info!(target: "trueconf_console::chat", "chat link down: {reason}");
    }

    fn encode(&self, id: u64, method: &str, payload: Option<Value>) -> String {
        Frame::Request {
            id,
            method: method.to_string(),
            payload,
        }
        .encode()
    }

    /// Responses are matched by id alone; a server request is a push, acked by a response
    /// with its id and no payload (docs/chat-protocol.md, Framing, Acks).
    fn decode(&mut self, text: &str) -> Inbound<Self> {
        if let Some((id, e)) = new_message(text) {
            return Inbound::Push {
                ack: Some(Frame::ack(id).encode()),
                push: Push::Read(ChatEvent::Message(std::sync::Arc::new(e))),
            };
        }
        match Frame::decode(text) {
            Ok(Frame::Request {
                id,
                method,
                payload,
            }) => Inbound::Push {
                ack: Some(Frame::ack(id).encode()),
                push: Push::Raw(method, payload),
            },
            Ok(Frame::Response { id, payload }) => Inbound::Answer {
                id: Some(id),
                fallback: None,
                answer: Answer { id, payload },
            },
            Err(e) => {
                tracing::warn!(target: "trueconf_console::chat", "unreadable frame from the server: {e}");
                Inbound::Other
            }
        }
    }

    fn on_answer(
        &mut self,
        method: &str,
        awaited: bool,
        a: Answer,
        _ctx: &mut Ctx<Self>,
    ) -> Result<Value, ChatError> {
        if let Some(error) = ServerError::from_payload(a.payload.as_ref()) {
            if error.code == 203 {
                // The next connection fetches a new token (docs/chat-protocol.md, Choices C40).
                self.stale_token = true;
            }
            return Err(ChatError::Server {
                method: method.to_string(),
                error,
            });
        }
        let v = a.payload.unwrap_or_else(|| Value::Object(Map::new()));
        if !awaited && method == "getFileUploadLimits" {
            self.limits.send_replace(Some(UploadLimits::from_value(&v)));
        }
        Ok(v)
    }

    fn on_stray_answer(&mut self, a: Answer, _ctx: &mut Ctx<Self>) {
        tracing::debug!(target: "trueconf_console::chat", "a response to no request: id {}", a.id);
    }

    fn on_push(&mut self, push: Push, ctx: &mut Ctx<Self>) {
        let ev = match push {
            Push::Read(ev) => ev,
            Push::Raw(method, payload) => ChatEvent::parse_owned(&method, payload),
        };
        match &ev {
            ChatEvent::Progress { file_id, progress } => {
                if let Some(list) = self.watchers.get_mut(file_id) {
                    list.retain(|tx| tx.send(*progress).is_ok());
                    if list.is_empty() {
                        self.watchers.remove(file_id);
                    }
                }
            }
            ChatEvent::Limits(l) => {
                self.limits.send_replace(Some(l.clone()));
            }
            ChatEvent::Other { method, .. } if method == "sendMessage" => {
                tracing::warn!(target: "trueconf_console::chat", "a message push could not be read; kept raw");
            }
            _ => {}
        }
        ctx.emit(ChatLinkEvent::Event(ev));
    }

    fn on_command(&mut self, w: Watch) {
        self.watchers.entry(w.file_id).or_default().push(w.tx);
    }
}

/// The token to authenticate with: given, cached, or fetched (and cached).
async fn get_token(
    target: &ChatTarget,
    opts: &ChatLinkOptions,
    http: &reqwest::Client,
    stale: bool,
) -> Result<(Token, bool), Down> {
    if let Some(t) = &target.token
        && (target.password.is_none() || !stale)
    {
        return Ok((Token::given(t.clone()), false));
    }
    let key = target.cache_key();
    if !stale && let Some(t) = opts.token_cache.as_ref().and_then(|c| c.load(&key)) {
        return Ok((t, true));
    }
    let Some(password) = &target.password else {
        return Err(Down::terminal(LinkError::other(AuthError::NoPassword(
            target.username.clone(),
        ))));
    };
    let token = tokio::time::timeout(
        opts.connect_timeout,
        auth::fetch_token(http, &target.base_url(), &target.username, password),
    )
    .await
    .map_err(|_| LinkError::NoAnswer {
        url: target.base_url(),
        secs: opts.connect_timeout.as_secs(),
    })?
    .map_err(|e| Down {
        terminal: e.is_terminal(),
        ..Down::from(LinkError::other(e))
    })?;
    if let Some(c) = &opts.token_cache
        && let Err(e) = c.store(&key, &token)
    {
        tracing::warn!(target: "trueconf_console::chat", "cannot cache the token in {}: {e}", c.path().display());
    }
    Ok((token, false))
}

/// Opens the WebSocket, offering `json.v1`; a server (or proxy) that answers without it is
/// tried again without the offer.
async fn open_socket(
    target: &ChatTarget,
    opts: &ChatLinkOptions,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<Ws, LinkError> {
    let url = target.ws_url();
    let mut offer = true;
    loop {
        let mut req = url
            .as_str()
            .into_client_request()
            .map_err(|source| LinkError::Address {
                url: url.clone(),
                source,
            })?;
        if offer {
            req.headers_mut().insert(
                "Sec-WebSocket-Protocol",
                tokio_tungstenite::tungstenite::http::HeaderValue::from_static("json.v1"),
            );
        }
        let connector = tls
            .clone()
            .map(tokio_tungstenite::Connector::Rustls)
            .unwrap_or(tokio_tungstenite::Connector::Plain);
        let fut =
            tokio_tungstenite::connect_async_tls_with_config(req, None, false, Some(connector));
        match tokio::time::timeout(opts.connect_timeout, fut).await {
            Err(_) => {
                return Err(LinkError::OpenTimeout {
                    url,
                    secs: opts.connect_timeout.as_secs(),
                });
            }
            Ok(Ok((ws, _))) => return Ok(ws),
            Ok(Err(tokio_tungstenite::tungstenite::Error::Protocol(p)))
                if offer && p.to_string().to_ascii_lowercase().contains("subprotocol") =>
            {
                offer = false;
            }
            Ok(Err(source)) => return Err(LinkError::Open { url, source }),
        }
    }
}

#[cfg(test)]
#[path = "link_tests.rs"]
mod tests;
