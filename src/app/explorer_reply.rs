//! The reply pane's text: the outcome of the explorer's last request, the reply laid out once
//! (inert, cut to a size the screen can hold), and the events that followed within a window.

use serde_json::Value;

use super::Model;
use super::explorer::{Api, Exchange, sync};
use super::viewer::{Tone, ViewLine};

/// Lines of a reply kept for the screen.
pub const REPLY_LINES: usize = 10_000;

/// Characters of a reply line kept for the screen (the view wraps them).
const LINE_CHARS: usize = 4000;

/// How long after the reply events still count as caused by the request.
pub const EVENT_WINDOW_MS: u64 = 2000;

/// The reply (or failure) of the explorer's request.
pub fn replied(
    m: &mut Model,
    id: u64,
    sent_at_ms: u64,
    rtt_ms: u64,
    outcome: Result<Value, crate::script::Refusal>,
) {
    super::explorer_script::answered(m, id, outcome.as_ref().map(|_| ()).map_err(|r| r.code));
    let Some(e) = m
        .mode
        .explorer_mut()
        .or(m.explorer.kept.as_mut())
        .and_then(|x| x.exchange.as_mut())
        .filter(|e| e.id == id)
    else {
        return;
    };
    let reply = match &outcome {
        Ok(v) => v,
        Err(r) => &r.reply,
    };
    e.reply_lines = if reply.is_null() {
        Vec::new()
    } else {
        reply_lines(reply)
    };
    e.outcome = Some(outcome);
    e.sent_at_ms = Some(sent_at_ms);
    e.rtt_ms = Some(rtt_ms);
    refresh(m);
    sync(m);
    m.touch();
}

/// A frame came: if it is an event within the window of the explorer's last request, the
/// reply pane shows it.
pub(super) fn traffic_arrived(m: &mut Model) {
    let Some(t) = m.ui.traffic.back() else {
        return;
    };
    let within = m
        .mode
        .explorer()
        .or(m.explorer.kept.as_ref())
        .and_then(|x| x.exchange.as_ref())
        .is_some_and(|e| match (e.sent_at_ms, e.rtt_ms) {
            (Some(from), Some(rtt)) => {
                !t.outgoing
                    && t.link == e.api.link()
                    && t.at_ms >= from
                    && t.at_ms <= from + rtt + EVENT_WINDOW_MS
            }
            _ => false,
        });
    if within {
        refresh(m);
    }
}

/// Lays the reply pane's text out again from the exchange and the traffic.
pub(super) fn refresh(m: &mut Model) {
    let x = m.mode.explorer().or(m.explorer.kept.as_ref());
    let Some(lines) = x
        .and_then(|x| x.exchange.as_ref())
        .map(|e| view_lines(m, e))
    else {
        return;
    };
    if let Some(e) = m
        .mode
        .explorer_mut()
        .or(m.explorer.kept.as_mut())
        .and_then(|x| x.exchange.as_mut())
    {
        e.view.set_lines(lines);
    }
}

/// What the reply pane shows: the outcome, the reply, and the events that followed.
fn view_lines(m: &Model, e: &Exchange) -> Vec<ViewLine> {
    let mut out = Vec::new();
    match &e.outcome {
        None => {
            let compact = serde_json::from_str::<Value>(&e.request)
                .map(|v| v.to_string())
                .unwrap_or_else(|_| e.request.clone());
            out.push(ViewLine::new(
                format!("sent: {}", crate::sanitize::line(&compact)),
                Tone::Dim,
            ));
            out.push(ViewLine::new("waiting for the reply…", Tone::Dim));
            return out;
        }
        Some(Ok(_)) => out.extend(e.reply_lines.iter().cloned()),
        Some(Err(r)) => {
            let code = r
                .code
                .map(|c| format!("{c} {} · ", crate::chat::protocol::error_name(c)))
                .unwrap_or_default();
            out.push(ViewLine::new(
                format!("✗ {code}{}", crate::sanitize::line(&r.text)),
                Tone::Error,
            ));
            out.extend(
                e.reply_lines
                    .iter()
                    .map(|l| ViewLine::new(l.text.clone(), Tone::Dim)),
            );
        }
    }
    let events = events_after(m, e);
    out.push(ViewLine::new(
        format!(
            "Events within {} s: {}",
            EVENT_WINDOW_MS / 1000,
            if events.is_empty() {
                "none".to_string()
            } else {
                events.len().to_string()
            }
        ),
        Tone::Heading,
    ));
    for (at, name, body) in events {
        let body: String = body.chars().take(LINE_CHARS).collect();
        out.push(ViewLine::plain(format!(
            "{} {} {}",
            clock(at, m.ui.utc_offset_secs),
            crate::sanitize::line(&name),
            crate::sanitize::line(&body)
        )));
    }
    out
}

/// `08:09:10.123`, local time.
fn clock(ms: u64, offset_secs: i64) -> String {
    let secs = (ms / 1000) as i64 + offset_secs;
    let day = secs.rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        day / 3600,
        (day % 3600) / 60,
        day % 60,
        ms % 1000
    )
}

/// A reply as inert lines for the screen: pretty-printed, at most [`REPLY_LINES`] lines of at
/// most [`LINE_CHARS`] characters, with a last line saying what was left out.
fn reply_lines(v: &Value) -> Vec<ViewLine> {
    let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
    let total = pretty.lines().count();
    let mut out: Vec<ViewLine> = pretty
        .lines()
        .take(REPLY_LINES)
        .map(|l| {
            let l: String = l.chars().take(LINE_CHARS).collect();
            ViewLine::plain(crate::sanitize::line(&l).into_owned())
        })
        .collect();
    if total > REPLY_LINES {
        out.push(ViewLine::new(
            format!(
                "… {} more lines ({} in all)",
                total - REPLY_LINES,
                crate::chat::types::human_size(pretty.len() as u64)
            ),
            Tone::Dim,
        ));
    }
    out
}

/// Incoming events on the exchange's link from its sending until the window after the reply:
/// (time, name, fields as compact JSON).
pub fn events_after(m: &Model, e: &Exchange) -> Vec<(u64, String, String)> {
    let (Some(from), Some(rtt)) = (e.sent_at_ms, e.rtt_ms) else {
        return vec![];
    };
    let until = from + rtt + EVENT_WINDOW_MS;
    m.ui.traffic
        .iter()
        .filter(|t| !t.outgoing && t.link == e.api.link() && t.at_ms >= from && t.at_ms <= until)
        .filter_map(|t| {
            let v: serde_json::Value = serde_json::from_str(&t.text).ok()?;
            match e.api {
                Api::Room => {
                    let name = v.get("event")?.as_str()?.to_string();
                    let mut o = v.as_object()?.clone();
                    o.remove("event");
                    o.remove("method");
                    Some((t.at_ms, name, serde_json::Value::Object(o).to_string()))
                }
                Api::Chat => {
                    if v.get("type")?.as_u64()? != 1 {
                        return None;
                    }
                    let name = v.get("method")?.as_str()?.to_string();
                    let body = v
                        .get("payload")
                        .map(std::string::ToString::to_string)
                        .unwrap_or_default();
                    Some((t.at_ms, name, body))
                }
            }
        })
        .collect()
}
