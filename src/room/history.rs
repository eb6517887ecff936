//! The Room's call history (`getCallHistory`): each call's direction, peer, start and
//! duration, read tolerantly — numbers or numeric strings, fields missing — and never
//! guessed: what the Room did not say stays unknown.

use serde_json::{Map, Value};

use super::protocol::Fields;

/// Which way a call went (`type`: 0 incoming, 1 outgoing, 2 missed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Incoming,
    Outgoing,
    Missed,
    /// A `type` this console does not know, or none.
    Unknown(Option<i64>),
}

impl Direction {
    fn from_type(t: Option<i64>) -> Direction {
        match t {
            Some(0) => Direction::Incoming,
            Some(1) => Direction::Outgoing,
            Some(2) => Direction::Missed,
            other => Direction::Unknown(other),
        }
    }

    /// How a list says it.
    pub fn label(self) -> &'static str {
        match self {
            Direction::Incoming => "in",
            Direction::Outgoing => "out",
            Direction::Missed => "missed",
            Direction::Unknown(_) => "?",
        }
    }
}

/// One call as the Room's history keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub direction: Direction,
    /// The peer's TrueConf ID (empty when the Room gave none).
    pub peer_id: String,
    /// The peer's display name (empty when the Room gave none).
    pub peer_name: String,
    /// When the call started (Unix seconds), if said.
    pub start_secs: Option<i64>,
    /// How long it lasted in seconds, if said.
    pub duration_secs: Option<i64>,
    /// A group conference (`confType` 1) rather than a one-to-one call, if said.
    pub group: Option<bool>,
    /// Whether the call was marked viewed (`viewed`), if said.
    pub viewed: Option<bool>,
}

/// A `getCallHistory` reply: the calls, and when the history was last marked viewed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallHistory {
    pub calls: Vec<CallRecord>,
    /// `lastView` (Unix seconds), if said.
    pub last_view: Option<i64>,
}

impl CallHistory {
    /// Missed calls not yet viewed: a missed call is unviewed when it says so (`viewed`), or,
    /// where it does not, when it started after `lastView`. None when that cannot be told
    /// for some missed call (neither is known).
    pub fn unseen_missed(&self) -> Option<usize> {
        let mut n = 0;
        for c in self
            .calls
            .iter()
            .filter(|c| c.direction == Direction::Missed)
        {
            let unseen = match (c.viewed, c.start_secs, self.last_view) {
                (Some(viewed), _, _) => !viewed,
                (None, Some(start), Some(last)) => start > last,
                _ => return None,
            };
            n += usize::from(unseen);
        }
        Some(n)
    }
}

impl CallRecord {
    /// The peer as a list names it: the name, else the id.
    pub fn who(&self) -> &str {
        if self.peer_name.is_empty() {
            &self.peer_id
        } else {
            &self.peer_name
        }
    }
}

/// A `getCallHistory` reply: the calls in the order the Room gave them (newest first in
/// TrueConf Room and the simulator; entries that are not objects are skipped) and `lastView`.
pub fn parse(body: &Map<String, Value>) -> CallHistory {
    CallHistory {
        calls: parse_calls(body),
        last_view: body.i64_of("lastView").filter(|t| *t > 0),
    }
}

fn parse_calls(body: &Map<String, Value>) -> Vec<CallRecord> {
    body.get("calls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|c| CallRecord {
            direction: Direction::from_type(c.i64_of("type")),
            peer_id: c.str_of("peerId").unwrap_or_default(),
            peer_name: c.str_of("peerDn").unwrap_or_default(),
            // Before 10000 AD, and at most ten years long: beyond is no time at all.
            start_secs: c
                .i64_of("startTime")
                .filter(|t| (1..253_402_300_800).contains(t)),
            duration_secs: c
                .i64_of("duration")
                .filter(|d| (0..=315_360_000).contains(d)),
            group: c.i64_of("confType").map(|t| t == 1),
            viewed: c.bool_of("viewed"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_reading_of_a_call_is_taken_and_nothing_is_guessed() {
        let body = json!({"calls": [
            {"type": 2, "peerId": "carol@s", "peerDn": "Carol", "startTime": 1700000000, "duration": 0, "confType": 0},
            {"type": "1", "peerId": "bob@s", "startTime": "1700000100", "duration": "65"},
            {"type": 7},
            "not a call",
            {"peerDn": "Nobody", "startTime": 0, "duration": -3}
        ]});
        let h = parse(body.as_object().unwrap());
        assert_eq!(h.last_view, None);
        let calls = &h.calls;
        assert_eq!(calls.len(), 4);
        assert_eq!(calls[0].direction, Direction::Missed);
        assert_eq!(calls[0].who(), "Carol");
        assert_eq!(calls[0].group, Some(false));
        assert_eq!(calls[1].direction, Direction::Outgoing);
        assert_eq!(calls[1].who(), "bob@s");
        assert_eq!(calls[1].start_secs, Some(1_700_000_100));
        assert_eq!(calls[1].duration_secs, Some(65));
        assert_eq!(calls[1].group, None, "not said: unknown");
        assert_eq!(calls[2].direction, Direction::Unknown(Some(7)));
        assert_eq!(calls[3].direction, Direction::Unknown(None));
        assert_eq!(calls[3].start_secs, None, "0 is no time");
        assert_eq!(calls[3].duration_secs, None);
        let absurd = parse(
            json!({"calls": [{"type": 0, "startTime": 1e300, "duration": 1e308}]})
                .as_object()
                .unwrap(),
        );
        assert_eq!(absurd.calls[0].start_secs, None);
        assert_eq!(absurd.calls[0].duration_secs, None);
        assert!(parse(json!({}).as_object().unwrap()).calls.is_empty());
        // A missed call with neither `viewed` nor a `lastView` to compare: unknown.
        assert_eq!(h.unseen_missed(), None);
    }

    #[test]
    fn unseen_missed_calls_are_counted_from_viewed_or_last_view() {
        let body = json!({"lastView": 1000, "calls": [
            {"type": 2, "startTime": 1500},
            {"type": 2, "startTime": 900},
            {"type": 2, "startTime": 100, "viewed": false},
            {"type": 2, "startTime": 2000, "viewed": true},
            {"type": 0, "startTime": 3000, "viewed": false}
        ]});
        assert_eq!(parse(body.as_object().unwrap()).unseen_missed(), Some(2));
    }
}
