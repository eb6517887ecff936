//! The built-in HTTP server's video frames (docs/room-protocol.md, Video frames): `GET
//! /frames/?peerId=%23self%3A0&token=<tokenForHttpServer>` answers the room's own camera as
//! a JPEG picture while the self-view broadcast is on (`setBroadcastSelfie`).
//!
//! The simulated camera shows a test card: a wall and a table, a yellow mark where the PTZ
//! camera points (pan moves it across, tilt up and down, zoom makes it larger), and at the
//! top a strip of black and white squares that carries the room's name and the time the
//! frame was made, for a program to read back ([`read_strip`]).
//!
//! The token is the one `auth` gave or a fresh one from `getTokenForHttpServer`, valid for
//! the configured lifetime (5 minutes, as a Room's). A missing, unknown or expired token is
//! answered 401; a peer other than the room itself 404; the broadcast off 404 with the reason.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::state::Inner;

/// The room's own camera, as the frames URL names it.
pub const SELF_PEER: &str = "#self:0";
/// A frame's size in pixels.
pub const FRAME_W: u32 = 320;
pub const FRAME_H: u32 = 180;
/// The strip: squares of CELL pixels, STRIP_COLS a row, STRIP_ROWS rows (20 bytes: the
/// name's length, at most MAX_NAME bytes of it, the time as 4 bytes, big-endian).
const CELL: u32 = 8;
const STRIP_COLS: u32 = FRAME_W / CELL;
const STRIP_ROWS: u32 = 4;
const STRIP_BYTES: usize = (STRIP_COLS * STRIP_ROWS / 8) as usize;
pub const MAX_NAME: usize = STRIP_BYTES - 5;
/// The mark's colour.
pub const MARK: [u8; 3] = [255, 215, 40];

impl Inner {
    /// A new token for the HTTP server, valid for the configured lifetime (expired ones are
    /// forgotten).
    pub(super) fn new_http_token(&self, s: &mut super::state::SimState) -> String {
        let token = format!(
            "4*sim{:x}*{}",
            rand::random::<u64>(),
            super::state::now_secs()
        );
        let now = Instant::now();
        s.http_tokens.retain(|_, until| *until > now);
        s.http_tokens
            .insert(token.clone(), now + self.cfg.http_token_lifetime);
        token
    }
}

/// `GET /frames/`.
pub(super) async fn frames(
    State(inner): State<Arc<Inner>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let token = q.get("token").map_or("", String::as_str);
    let peer = q.get("peerId").map_or("", String::as_str);
    let (name, ptz, on, participant) = {
        let s = inner.lock();
        let valid = s
            .http_tokens
            .get(token)
            .is_some_and(|until| *until > Instant::now());
        if !valid {
            return (
                StatusCode::UNAUTHORIZED,
                "no valid token: ask getTokenForHttpServer for a fresh one",
            )
                .into_response();
        }
        let on = s
            .generic
            .get("BroadcastSelfie")
            .and_then(|m| m.get("enabled"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        // A participant of the conference the Room is in, with their camera on: what the
        // Room receives of them (the simulator's choice, docs/room-protocol.md); muted or
        // without a camera: none.
        let participant = match &s.call {
            super::state::Call::Conference(c) => c
                .position_of(peer)
                .map(|i| &c.participants[i])
                .filter(|p| p.video == 2)
                .map(|p| p.name.clone()),
            _ => None,
        };
        (inner.room_name(&s), s.ptz, on, participant)
    };
    let now = u32::try_from(super::state::now_secs()).unwrap_or(0);
    let noise = inner.cfg.camera_noise.then(rand::random::<u32>);
    if peer != SELF_PEER {
        let Some(who) = participant else {
            return (StatusCode::NOT_FOUND, "no frames for this peer").into_response();
        };
        return jpeg(move || camera_frame(&who, [0, 0, 0], now, noise)).await;
    }
    if !on {
        return (
            StatusCode::NOT_FOUND,
            "the self-view broadcast is off (setBroadcastSelfie)",
        )
            .into_response();
    }
    jpeg(move || camera_frame(&name, ptz, now, noise)).await
}

/// A frame made off the async threads, as the HTTP answer.
async fn jpeg(make: impl FnOnce() -> Result<Vec<u8>, String> + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(make).await {
        Ok(Ok(jpeg)) => (
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            jpeg,
        )
            .into_response(),
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// The camera's picture: the room `name`, the PTZ camera's pan, tilt and zoom, the time
/// (Unix seconds), as JPEG; with `noise`, every pixel under the strip shifted by up to 24
/// levels, differently for each seed.
pub fn camera_frame(
    name: &str,
    ptz: [i64; 3],
    unix_secs: u32,
    noise: Option<u32>,
) -> Result<Vec<u8>, String> {
    let mut img = image::RgbImage::new(FRAME_W, FRAME_H);
    // The wall above, the table below.
    for (x, y, p) in img.enumerate_pixels_mut() {
        *p = if y > FRAME_H * 2 / 3 {
            image::Rgb([110, 70, 40])
        } else {
            image::Rgb([(40 + y / 3) as u8, (60 + x / 8) as u8, (110 + y / 4) as u8])
        };
    }
    // The mark, where the camera points: the middle at pan 0, tilt 0.
    let (cx, cy, r) = mark_at(ptz);
    for (x, y, p) in img.enumerate_pixels_mut() {
        let (dx, dy) = (f64::from(x) - cx, f64::from(y) - cy);
        if dx * dx + dy * dy <= r * r {
            *p = image::Rgb(MARK);
        }
    }
    if let Some(seed) = noise {
        for (x, y, p) in img.enumerate_pixels_mut() {
            // A cheap hash of the place and the seed.
            let h = (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663) ^ seed)
                .wrapping_mul(2_654_435_761);
            let d = (h >> 24) as u8 % 25;
            p.0 = p.0.map(|c| c.saturating_add(d));
        }
    }
    // The strip.
    let mut bytes = [0u8; STRIP_BYTES];
    let name = truncate_bytes(name, MAX_NAME);
    bytes[0] = name.len() as u8;
    bytes[1..=name.len()].copy_from_slice(name.as_bytes());
    bytes[STRIP_BYTES - 4..].copy_from_slice(&unix_secs.to_be_bytes());
    for (i, byte) in bytes.iter().enumerate() {
        for bit in 0..8 {
            let n = i as u32 * 8 + bit;
            let (col, row) = (n % STRIP_COLS, n / STRIP_COLS);
            let on = byte & (0x80 >> bit) != 0;
            let v = if on { 255 } else { 0 };
            for y in row * CELL..(row + 1) * CELL {
                for x in col * CELL..(col + 1) * CELL {
                    img.put_pixel(x, y, image::Rgb([v, v, v]));
                }
            }
        }
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// Where the mark is drawn for `ptz`: its centre (x, y) and radius, in pixels.
pub fn mark_at(ptz: [i64; 3]) -> (f64, f64, f64) {
    let [pan, tilt, zoom] = ptz.map(|v| v as f64);
    let top = f64::from(STRIP_ROWS * CELL);
    let cx = f64::from(FRAME_W) / 2.0 + pan / 100.0 * (f64::from(FRAME_W) / 2.0 - 30.0);
    let middle = (top + f64::from(FRAME_H)) / 2.0;
    let cy = middle - tilt / 100.0 * (f64::from(FRAME_H) - top) / 2.0 * 0.7;
    (cx, cy, 8.0 + zoom * 0.12)
}

/// At most `max` bytes of `s`, cut at a character's boundary.
fn truncate_bytes(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// How much larger `img` is than a frame (less than 1: smaller), when it has a frame's
/// proportions and is large enough to read (a square at least 3 pixels wide).
fn scale_of(img: &image::DynamicImage) -> Option<f64> {
    let s = f64::from(img.width()) / f64::from(FRAME_W);
    let aspect = f64::from(FRAME_H) * s / f64::from(img.height().max(1));
    (s * f64::from(CELL) >= 3.0 && (0.95..=1.05).contains(&aspect)).then_some(s)
}

/// The name and the time a frame's strip carries (None when it is not a frame of ours). The
/// frame may have been resized (as drawn on a terminal's cells), keeping its proportions.
pub fn read_strip(img: &image::DynamicImage) -> Option<(String, u32)> {
    let s = scale_of(img)?;
    let img = img.to_luma8();
    let mut bytes = [0u8; STRIP_BYTES];
    for (i, byte) in bytes.iter_mut().enumerate() {
        for bit in 0..8 {
            let n = i as u32 * 8 + bit;
            let (col, row) = (n % STRIP_COLS, n / STRIP_COLS);
            // The square's middle (JPEG and resizing blur its edges).
            let at = |c: u32| ((f64::from(c * CELL) + f64::from(CELL) / 2.0) * s) as u32;
            let (x, y) = (at(col), at(row));
            if x >= img.width() || y >= img.height() {
                return None;
            }
            let v = img.get_pixel(x, y).0[0];
            if v > 128 {
                *byte |= 0x80 >> bit;
            }
        }
    }
    let len = usize::from(bytes[0]);
    let name = std::str::from_utf8(bytes.get(1..=len)?).ok()?.to_string();
    let secs = u32::from_be_bytes(bytes[STRIP_BYTES - 4..].try_into().ok()?);
    Some((name, secs))
}

/// The mark's centre in a frame: the middle of the pixels of its colour (None: not seen), in
/// a frame's pixels (a resized frame's are scaled back).
pub fn find_mark(img: &image::DynamicImage) -> Option<(f64, f64)> {
    let s = scale_of(img)?;
    let img = img.to_rgb8();
    let top = f64::from(STRIP_ROWS * CELL) * s;
    let (mut sx, mut sy, mut n) = (0f64, 0f64, 0f64);
    for (x, y, p) in img.enumerate_pixels() {
        let [r, g, b] = p.0;
        if f64::from(y) >= top && r > 200 && g > 170 && b < 110 {
            sx += f64::from(x);
            sy += f64::from(y);
            n += 1.0;
        }
    }
    (n > 0.0).then(|| (sx / n / s, sy / n / s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_carries_the_name_and_time_and_shows_the_mark_where_the_camera_points() {
        for (name, ptz) in [
            ("Board room", [0, 0, 0]),
            ("Переговорная №2", [100, -100, 100]),
            ("A name longer than the strip holds", [-100, 100, 50]),
        ] {
            let jpeg = camera_frame(name, ptz, 1_795_000_000, None).unwrap();
            let img = image::load_from_memory(&jpeg).unwrap();
            assert_eq!((img.width(), img.height()), (FRAME_W, FRAME_H));
            let (got, secs) = read_strip(&img).unwrap();
            assert!(name.starts_with(&got) && !got.is_empty(), "{got:?}");
            assert_eq!(secs, 1_795_000_000);
            let (x, y) = find_mark(&img).unwrap();
            let (cx, cy, _) = mark_at(ptz);
            assert!(
                (x - cx).abs() < 2.0 && (y - cy).abs() < 2.0,
                "{x},{y} vs {cx},{cy}"
            );
        }
        // Pan to the right moves the mark right; tilt up moves it up; zoom makes it larger.
        assert!(mark_at([10, 0, 0]).0 > mark_at([0, 0, 0]).0);
        assert!(mark_at([0, 10, 0]).1 < mark_at([0, 0, 0]).1);
        assert!(mark_at([0, 0, 10]).2 > mark_at([0, 0, 0]).2);
    }

    #[test]
    fn a_frame_drawn_in_half_blocks_still_reads() {
        let jpeg = camera_frame("Board room", [40, 20, 0], 1_795_000_123, Some(7)).unwrap();
        let img = image::load_from_memory(&jpeg).unwrap();
        // The live view's cells at 160×48 and at 140×40 (smaller squares blur together).
        for (cols, rows) in [(158, 44), (138, 36)] {
            let t = crate::preview::fill(&img, cols, rows);
            let drawn = image::DynamicImage::ImageRgb8(
                image::RgbImage::from_raw(t.w, t.h, t.rgb.iter().flatten().copied().collect())
                    .unwrap(),
            );
            assert_eq!(
                read_strip(&drawn),
                Some(("Board room".to_string(), 1_795_000_123)),
                "{cols}x{rows}"
            );
            let (x, y) = find_mark(&drawn).unwrap();
            let (cx, cy, _) = mark_at([40, 20, 0]);
            assert!((x - cx).abs() < 4.0 && (y - cy).abs() < 4.0, "{x},{y}");
        }
    }

    mod served {
        use std::time::Duration;

        use serde_json::{Value, json};

        use super::super::{FRAME_W, SELF_PEER, find_mark, read_strip};
        use crate::sim::testkit::{Ws, room_connect, room_reply, room_sim, send};

        async fn call(ws: &mut Ws, v: Value) -> Value {
            send(ws, v).await;
            room_reply(ws).await
        }

        async fn get(port: u16, token: Option<&str>, peer: &str) -> (u16, Vec<u8>) {
            crate::tls::init();
            let mut url = reqwest::Url::parse(&format!("http://127.0.0.1:{port}/frames/")).unwrap();
            url.query_pairs_mut().append_pair("peerId", peer);
            if let Some(t) = token {
                url.query_pairs_mut().append_pair("token", t);
            }
            let r = reqwest::get(url).await.unwrap();
            let status = r.status().as_u16();
            (status, r.bytes().await.unwrap().to_vec())
        }

        #[tokio::test(flavor = "multi_thread")]
        async fn a_participants_frames_while_in_the_call_with_the_camera_on() {
            let sim = room_sim(|c| c.logged_in = true).await;
            let port = sim.http_port();
            let mut ws = room_connect(&sim).await;
            let auth = call(
                &mut ws,
                json!({"method":"auth","requestId":"a","type":"unsecured"}),
            )
            .await;
            let token = auth["tokenForHttpServer"].as_str().unwrap().to_string();
            let dave = "dave@video.example.com";
            // Not in a call with the Room: nothing.
            assert_eq!(get(port, Some(&token), dave).await.0, 404);
            sim.incoming_call("dave").unwrap();
            let r = call(&mut ws, json!({"method":"accept","requestId":"c"})).await;
            assert_eq!(r["result"], true, "{r}");
            // Dave joins as the call starts: his picture comes (waited for, up to 10 s).
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            let body = loop {
                let (status, body) = get(port, Some(&token), dave).await;
                if status == 200 {
                    break body;
                }
                assert!(std::time::Instant::now() < deadline, "no frame of dave");
                tokio::time::sleep(Duration::from_millis(20)).await;
            };
            let img = image::load_from_memory(&body).unwrap();
            let want = sim.world().user("dave").unwrap().name.clone();
            assert_eq!(read_strip(&img).unwrap().0, want);
            // His camera muted: no picture of him; and none without a token.
            sim.peer_devices("dave", 2, 1).unwrap();
            assert_eq!(get(port, Some(&token), dave).await.0, 404);
            assert_eq!(get(port, None, dave).await.0, 401);
        }

        #[tokio::test(flavor = "multi_thread")]
        async fn frames_follow_the_token_the_broadcast_switch_and_the_camera() {
            let sim = room_sim(|_| {}).await;
            let port = sim.http_port();
            let mut ws = room_connect(&sim).await;
            let auth = call(
                &mut ws,
                json!({"method":"auth","requestId":"a","type":"unsecured"}),
            )
            .await;
            let token = auth["tokenForHttpServer"].as_str().unwrap().to_string();
            // The broadcast is off to begin with: no picture, and the answer says why.
            let (status, body) = get(port, Some(&token), SELF_PEER).await;
            assert_eq!(status, 404);
            assert!(String::from_utf8_lossy(&body).contains("broadcast is off"));
            let r = call(
                &mut ws,
                json!({"method":"setBroadcastSelfie","requestId":"b","enabled":true,"fps":2}),
            )
            .await;
            assert_eq!(r["result"], true, "{r}");
            let (status, body) = get(port, Some(&token), SELF_PEER).await;
            assert_eq!(status, 200);
            let img = image::load_from_memory(&body).unwrap();
            assert_eq!(img.width(), FRAME_W);
            let name = call(&mut ws, json!({"method":"getLogin","requestId":"l"})).await;
            let (got, _) = read_strip(&img).unwrap();
            let want = name["peerDn"]
                .as_str()
                .filter(|s| !s.is_empty())
                .unwrap_or("TrueConf Room");
            assert_eq!(got, want);
            let before = find_mark(&img).unwrap();
            // Pan right: the next frame's mark is further right.
            let r = call(&mut ws, json!({"method":"ptzRight","requestId":"p"})).await;
            assert_eq!(r["result"], true, "{r}");
            call(&mut ws, json!({"method":"ptzStop","requestId":"s"})).await;
            let (_, body) = get(port, Some(&token), SELF_PEER).await;
            let after = find_mark(&image::load_from_memory(&body).unwrap()).unwrap();
            assert!(after.0 > before.0 + 5.0, "{before:?} then {after:?}");
            // Wrong, missing tokens; another peer.
            assert_eq!(get(port, Some("4*forged"), SELF_PEER).await.0, 401);
            assert_eq!(get(port, None, SELF_PEER).await.0, 401);
            assert_eq!(
                get(port, Some(&token), "bob@video.example.com").await.0,
                404
            );
            // A fresh token works as well.
            let r = call(
                &mut ws,
                json!({"method":"getTokenForHttpServer","requestId":"t"}),
            )
            .await;
            let fresh = r["token"].as_str().unwrap();
            assert_ne!(fresh, token);
            assert_eq!(get(port, Some(fresh), SELF_PEER).await.0, 200);
            // Off again: no picture.
            call(
                &mut ws,
                json!({"method":"setBroadcastSelfie","requestId":"o","enabled":false}),
            )
            .await;
            assert_eq!(get(port, Some(fresh), SELF_PEER).await.0, 404);
            sim.shutdown();
        }

        #[tokio::test(flavor = "multi_thread")]
        async fn an_expired_token_is_refused() {
            // Tokens that live no time at all: each is expired when it is used.
            let sim = room_sim(|c| c.http_token_lifetime = Duration::ZERO).await;
            let mut ws = room_connect(&sim).await;
            let auth = call(
                &mut ws,
                json!({"method":"auth","requestId":"a","type":"unsecured"}),
            )
            .await;
            call(
                &mut ws,
                json!({"method":"setBroadcastSelfie","requestId":"b","enabled":true,"fps":2}),
            )
            .await;
            let token = auth["tokenForHttpServer"].as_str().unwrap();
            let (status, body) = get(sim.http_port(), Some(token), SELF_PEER).await;
            assert_eq!(status, 401);
            assert!(String::from_utf8_lossy(&body).contains("getTokenForHttpServer"));
            sim.shutdown();
        }
    }
}
