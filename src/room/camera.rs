//! The Room's camera as the live view fetches it (docs/room-protocol.md, Video frames): a
//! frame is one `GET /frames/?peerId=…&token=…` on the Room's built-in HTTP server, on the
//! port the Room reports as `embeddedHttpPort`, or while it has not, the `http` port its
//! config.json names (where TrueConf's Python library takes it from). The token comes from `getTokenForHttpServer`
//! and lives about five minutes: it is asked for again after [`TOKEN_REFRESH`], and a frame
//! refused with 401 or 403 asks for one fresh token and tries once more. A second refusal is
//! reported, never looped on.
//!
//! The token is a secret: it is registered with the log's masking, and no error carries the
//! URL it is in.

use std::time::{Duration, Instant};

use crate::config::Secret;

use super::RoomHandle;

/// The room's own camera, as the frames URL names it.
pub const SELF_PEER: &str = "#self:0";
/// A token is used this long, then a fresh one is asked for (a Room's lives five minutes).
pub const TOKEN_REFRESH: Duration = Duration::from_secs(240);
/// The largest frame accepted (a 4K JPEG is far smaller).
pub const MAX_FRAME_BYTES: usize = 8 * 1024 * 1024;

/// Why there is no frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoFrame {
    #[error(
        "the Room has not said its HTTP port (no embeddedHttpPort yet, none in its config.json)"
    )]
    NoPort,
    #[error("the Room gave no token for its HTTP server: {0}")]
    Token(String),
    #[error("the Room's HTTP server refused a fresh token too ({status})")]
    Refused { status: u16 },
    /// Another answer than a picture: 404 with the broadcast off, a peer it has no frames of.
    #[error("the Room's HTTP server answered {status}: {why}")]
    Status { status: u16, why: String },
    /// Not reached, no answer in time, or an answer that broke off.
    #[error("the Room's HTTP server at {addr}: {why}")]
    Unreachable { addr: String, why: String },
    #[error("the frame is larger than {} MiB", MAX_FRAME_BYTES / 1024 / 1024)]
    TooLarge,
}

impl NoFrame {
    /// 404 from the frames URL: the broadcast is off, or the Room has no frames of the peer.
    pub fn not_found(&self) -> bool {
        matches!(self, NoFrame::Status { status: 404, .. })
    }
}

/// Fetches frames from one Room, keeping its token between them.
pub struct Camera {
    handle: RoomHandle,
    host: String,
    target: super::RoomTarget,
    /// The `http` port config.json named, once asked (None inside: it named none).
    discovered: Option<Option<u16>>,
    client: reqwest::Client,
    token: Option<(Secret, Instant)>,
    timeout: Duration,
    /// How many tokens were asked for (a test's and the log's measure).
    pub tokens_asked: u64,
}

impl Camera {
    /// The camera of the Room that `handle` is linked to, as `target` configures it.
    pub fn new(handle: RoomHandle, target: &super::RoomTarget) -> Result<Camera, NoFrame> {
        let host = target.host.as_str();
        crate::tls::init();
        let client =
            reqwest::Client::builder()
                .no_proxy()
                .build()
                .map_err(|e| NoFrame::Unreachable {
                    addr: host.to_string(),
                    why: e.without_url().to_string(),
                })?;
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        Ok(Camera {
            handle,
            host,
            target: target.clone(),
            discovered: None,
            client,
            token: None,
            timeout: Duration::from_secs(5),
            tokens_asked: 0,
        })
    }

    /// A token for the HTTP server: the one held while it is younger than [`TOKEN_REFRESH`]
    /// (and `fresh` is false), else a new one from the Room.
    async fn token(&mut self, fresh: bool) -> Result<String, NoFrame> {
        if !fresh
            && let Some((t, at)) = &self.token
            && at.elapsed() < TOKEN_REFRESH
        {
            return Ok(t.expose().to_string());
        }
        self.token = None;
        self.tokens_asked += 1;
        let reply = self
            .handle
            .request("getTokenForHttpServer", serde_json::Map::new())
            .await
            .map_err(|e| NoFrame::Token(e.to_string()))?;
        let token = reply
            .get("token")
            .and_then(serde_json::Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| NoFrame::Token("the reply has no `token`".into()))?
            .to_string();
        crate::logging::register_secret(&token);
        self.token = Some((Secret::new(token.clone()), Instant::now()));
        Ok(token)
    }

    /// The built-in HTTP server's port: what the Room said (`embeddedHttpPort`), else what its
    /// config.json names (asked once).
    async fn port(&mut self) -> Result<u16, NoFrame> {
        if let Some(p) = self.handle.http_port() {
            return Ok(p);
        }
        if self.discovered.is_none() {
            let t = &self.target;
            let found =
                super::discovery::discover(&t.host, t.http_port, &t.instance, self.timeout).await;
            match found {
                Ok(ports) => self.discovered = Some(ports.http),
                // Not reachable now: asked again next time.
                Err(_) => return Err(NoFrame::NoPort),
            }
        }
        self.discovered.flatten().ok_or(NoFrame::NoPort)
    }

    /// One frame of `peer` (JPEG or whatever picture the Room serves), as bytes.
    pub async fn fetch(&mut self, peer: &str) -> Result<bytes::Bytes, NoFrame> {
        let port = self.port().await?;
        let token = self.token(false).await?;
        match self.get(port, peer, &token).await {
            Err(NoFrame::Refused { .. }) => {
                // Expired or revoked: one fresh token, one more try.
                let token = self.token(true).await?;
                let got = self.get(port, peer, &token).await;
                if matches!(got, Err(NoFrame::Refused { .. })) {
                    self.token = None;
                }
                got
            }
            got => got,
        }
    }

    /// One GET of the frames URL; 401 and 403 are `Refused`.
    async fn get(&self, port: u16, peer: &str, token: &str) -> Result<bytes::Bytes, NoFrame> {
        let addr = format!("{}:{port}", self.host);
        let secs = self.timeout.as_secs();
        let unreachable = |e: reqwest::Error| NoFrame::Unreachable {
            addr: addr.clone(),
            why: failure(&e, secs),
        };
        let url = reqwest::Url::parse_with_params(
            &format!("http://{addr}/frames/"),
            &[("peerId", peer), ("token", token)],
        )
        .map_err(|e| NoFrame::Unreachable {
            addr: addr.clone(),
            why: format!("not an address: {e}"),
        })?;
        let mut resp = self
            .client
            .get(url)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(unreachable)?;
        let status = resp.status().as_u16();
        if status == 401 || status == 403 {
            return Err(NoFrame::Refused { status });
        }
        if resp
            .content_length()
            .is_some_and(|n| n > MAX_FRAME_BYTES as u64)
        {
            return Err(NoFrame::TooLarge);
        }
        let mut body = bytes::BytesMut::new();
        while let Some(chunk) = resp.chunk().await.map_err(unreachable)? {
            if body.len() + chunk.len() > MAX_FRAME_BYTES {
                return Err(NoFrame::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        if !(200..300).contains(&status) {
            // What the server says why, cleaned and short (it is shown).
            let text = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
            let why = crate::sanitize::line(&text).trim().to_string();
            let why = if why.is_empty() {
                "no reason given".to_string()
            } else {
                why.chars().take(160).collect()
            };
            return Err(NoFrame::Status { status, why });
        }
        Ok(body.freeze())
    }
}

/// What went wrong with a request, in words: no answer in time, no connection, an answer that
/// broke off, with the deepest cause (never the URL: it holds the token).
fn failure(e: &reqwest::Error, secs: u64) -> String {
    if e.is_timeout() {
        return format!("no answer within {secs} s");
    }
    let mut cause = String::new();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        cause = s.to_string();
        src = s.source();
    }
    let kind = if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else {
        "the request failed"
    };
    // A cause that quotes a URL is left out.
    if cause.is_empty() || cause.contains("token=") {
        kind.to_string()
    } else {
        format!("{kind}: {}", crate::sanitize::line(&cause))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::room::{RoomLinkOptions, RoomTarget};
    use crate::sim::testkit::room_sim;

    /// A Room simulator with `lifetime` tokens, its broadcast `on`, and a camera on it.
    async fn camera(lifetime: Duration, on: bool) -> (crate::sim::RoomSim, Camera) {
        let sim = room_sim(|c| c.http_token_lifetime = lifetime).await;
        let (h, _events) = crate::room::link::spawn(
            RoomTarget::loopback(sim.http_port()),
            RoomLinkOptions::default(),
        );
        h.wait_state(Duration::from_secs(10), |s| s.http_port.is_some())
            .await
            .unwrap();
        if on {
            let p = serde_json::json!({"enabled": true, "fps": 2});
            h.request("setBroadcastSelfie", p.as_object().unwrap().clone())
                .await
                .unwrap();
        }
        let cam = Camera::new(h, &RoomTarget::loopback(sim.http_port())).unwrap();
        (sim, cam)
    }

    fn name_in(frame: &[u8]) -> String {
        let img = image::load_from_memory(frame).unwrap();
        crate::sim::room::frames::read_strip(&img).unwrap().0
    }

    #[tokio::test]
    async fn a_frame_of_the_room_and_one_token_for_many_frames() {
        let (sim, mut cam) = camera(Duration::from_secs(300), true).await;
        for _ in 0..5 {
            let f = cam.fetch(SELF_PEER).await.unwrap();
            assert_eq!(name_in(&f), sim.name());
        }
        assert_eq!(cam.tokens_asked, 1);
    }

    #[tokio::test]
    async fn an_expired_token_is_refreshed_once_and_frames_go_on() {
        let (sim, mut cam) = camera(Duration::from_millis(300), true).await;
        let started = Instant::now();
        let mut frames = 0;
        while started.elapsed() < Duration::from_millis(1500) {
            let f = cam.fetch(SELF_PEER).await.unwrap();
            assert_eq!(name_in(&f), sim.name());
            frames += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // A token per lifetime, give or take one: refreshed when refused, not per frame.
        let lifetimes = started.elapsed().as_millis() as u64 / 300 + 2;
        assert!(
            cam.tokens_asked >= 2 && cam.tokens_asked <= lifetimes,
            "{} tokens for {frames} frames",
            cam.tokens_asked
        );
        assert!(frames > cam.tokens_asked as usize);
    }

    #[tokio::test]
    async fn a_token_refused_again_is_reported_after_one_retry() {
        let (_sim, mut cam) = camera(Duration::ZERO, true).await;
        let got = cam.fetch(SELF_PEER).await;
        assert_eq!(got, Err(NoFrame::Refused { status: 401 }));
        assert_eq!(cam.tokens_asked, 2, "one token, then one fresh one");
        // The next try starts over with a new token: two again, no more.
        let _ = cam.fetch(SELF_PEER).await;
        assert_eq!(cam.tokens_asked, 4);
    }

    #[tokio::test]
    async fn without_embedded_http_port_the_port_config_json_names_is_used() {
        let sim = room_sim(|c| c.refuse = vec!["getAppState".into()]).await;
        let (h, _events) = crate::room::link::spawn(
            RoomTarget::loopback(sim.http_port()),
            RoomLinkOptions::default(),
        );
        // The state is built (the camera's controls came) without the port.
        let s = h
            .wait_state(Duration::from_secs(10), |s| s.ptz.is_some())
            .await
            .unwrap();
        assert_eq!(s.http_port, None);
        let p = serde_json::json!({"enabled": true, "fps": 2});
        h.request("setBroadcastSelfie", p.as_object().unwrap().clone())
            .await
            .unwrap();
        let mut cam = Camera::new(h, &RoomTarget::loopback(sim.http_port())).unwrap();
        let f = cam.fetch(SELF_PEER).await.unwrap();
        assert_eq!(name_in(&f), sim.name());
    }

    #[tokio::test]
    async fn a_silent_server_and_a_closed_port_are_told_apart() {
        crate::tls::init();
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        // Accepts, reads, never answers.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = silent.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = silent.accept().await {
                held.push(s);
            }
        });
        let e = client
            .get(format!("http://{addr}/frames/?token=SECRET"))
            .timeout(Duration::from_millis(300))
            .send()
            .await
            .unwrap_err();
        assert_eq!(failure(&e, 5), "no answer within 5 s");
        // Nobody listens.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = closed.local_addr().unwrap();
        drop(closed);
        let e = client
            .get(format!("http://{addr}/frames/?token=SECRET"))
            .send()
            .await
            .unwrap_err();
        let why = failure(&e, 5);
        assert!(why.starts_with("cannot connect"), "{why}");
        assert!(!why.contains("SECRET"), "{why}");
    }

    #[tokio::test]
    async fn the_broadcast_off_and_another_peer_say_why() {
        let (_sim, mut cam) = camera(Duration::from_secs(300), false).await;
        let got = cam.fetch(SELF_PEER).await.unwrap_err();
        assert!(got.not_found(), "{got:?}");
        assert!(got.to_string().contains("broadcast is off"), "{got}");
        assert!(!got.to_string().contains("token="), "{got}");
    }
}
