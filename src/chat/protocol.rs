//! Chat bot API framing (docs/chat-protocol.md, Framing, Acks, Errors and Ordering):
//! `{"type":1,"id","method","payload"}` requests in both directions, `{"type":2,"id","payload"}`
//! responses, error payloads with `errorCode`, the box order of history, and the timestamp
//! quirks. No I/O.

use std::cmp::Ordering;
use std::fmt;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::lenient::{self, Missing};

/// One WebSocket text frame of the chat bot API.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// `type 1`: a request (from us) or a server request (an event to acknowledge).
    Request {
        id: u64,
        method: String,
        payload: Option<Value>,
    },
    /// `type 2`: a response; acks carry no payload.
    Response { id: u64, payload: Option<Value> },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("not a JSON object")]
    NotObject,
    #[error("no `type` 1 or 2 (got {0})")]
    BadType(String),
    #[error("no integer `id`")]
    BadId,
    #[error("a request without a `method`")]
    NoMethod,
}

impl Frame {
    pub fn id(&self) -> u64 {
        match self {
            Frame::Request { id, .. } | Frame::Response { id, .. } => *id,
        }
    }

    /// Reads one frame. Lenient where the servers differ (key order, a missing payload, an id
    /// sent as a numeric string); strict where a wrong guess would mismatch responses.
    pub fn decode(text: &str) -> Result<Frame, FrameError> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| FrameError::NotJson(e.to_string()))?;
        let Value::Object(mut o) = v else {
            return Err(FrameError::NotObject);
        };
        let id = match o.get("id") {
            Some(Value::Number(n)) => n.as_u64().ok_or(FrameError::BadId)?,
            Some(Value::String(s)) => s.trim().parse().map_err(|_| FrameError::BadId)?,
            _ => return Err(FrameError::BadId),
        };
        let payload = o.remove("payload").filter(|p| !p.is_null());
        match o.get("type").and_then(Value::as_u64) {
            Some(1) => {
                let method = o
                    .get("method")
                    .and_then(Value::as_str)
                    .ok_or(FrameError::NoMethod)?
                    .to_string();
                Ok(Frame::Request {
                    id,
                    method,
                    payload,
                })
            }
            Some(2) => Ok(Frame::Response { id, payload }),
            _ => Err(FrameError::BadType(
                o.get("type")
                    .map(std::string::ToString::to_string)
                    .unwrap_or_else(|| "none".into()),
            )),
        }
    }

    pub fn encode(&self) -> String {
        if let Frame::Response { id, payload: None } = self {
            // The hot path: one ack per server request.
            return format!(r#"{{"type":2,"id":{id}}}"#);
        }
        let mut o = Map::new();
        match self {
            Frame::Request {
                id,
                method,
                payload,
            } => {
                o.insert("type".into(), Value::from(1));
                o.insert("id".into(), Value::from(*id));
                o.insert("method".into(), Value::String(method.clone()));
                if let Some(p) = payload {
                    o.insert("payload".into(), p.clone());
                }
            }
            Frame::Response { id, payload } => {
                o.insert("type".into(), Value::from(2));
                o.insert("id".into(), Value::from(*id));
                if let Some(p) = payload {
                    o.insert("payload".into(), p.clone());
                }
            }
        }
        Value::Object(o).to_string()
    }

    /// The bare acknowledgement of a server request.
    pub fn ack(id: u64) -> Frame {
        Frame::Response { id, payload: None }
    }
}

/// An error a server answered with: `{"errorCode": N, "errorDescription"?: …}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    pub code: u32,
    pub description: Option<String>,
}

/// The error keys of a response payload (docs/chat-protocol.md, Errors): the code as a number
/// or a numeric string, the description only as a string.
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ErrorWire {
    #[serde(deserialize_with = "lenient::uint")]
    error_code: Option<u64>,
    #[serde(deserialize_with = "lenient::only_string")]
    error_description: Option<String>,
}

impl ServerError {
    /// The error in a response payload; None for a success (no `errorCode`, or 0).
    pub fn from_payload(payload: Option<&Value>) -> Option<ServerError> {
        let w: ErrorWire = lenient::from_object(payload?)?;
        let code = w.error_code.filter(|c| *c != 0)?;
        Some(ServerError {
            code: u32::try_from(code).unwrap_or(u32::MAX),
            description: w.error_description,
        })
    }

    /// The code's name from the table (docs/chat-protocol.md, Errors).
    pub fn name(&self) -> &'static str {
        error_name(self.code)
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // "chat not found (304)": the table's name in words, then the code.
        let words = match self.code {
            2 => "request id already used".to_string(),
            _ if self.name() == "UNKNOWN_ERROR" => "unknown error".to_string(),
            _ => self.name().to_ascii_lowercase().replace('_', " "),
        };
        write!(f, "{words} ({})", self.code)?;
        if let Some(d) = &self.description {
            write!(f, ": {}", crate::sanitize::line(d))?;
        }
        Ok(())
    }
}

/// Error codes (docs/chat-protocol.md, Errors): the vendor guide's names, oc's for 2, py-bot
/// 1.5.4's wording for its own codes.
pub const ERROR_CODES: &[(u32, &str)] = &[
    (2, "DUPLICATE_ID"),
    (100, "CONNECTION_ERROR"),
    (101, "CONNECTION_TIMEOUT"),
    (102, "TLS_ERROR"),
    (103, "UNSUPPORTED_PROTOCOL"),
    (104, "ROUTE_NOT_FOUND"),
    (200, "NOT_AUTHORIZED"),
    (201, "INVALID_CREDENTIALS"),
    (202, "USER_DISABLED"),
    (203, "CREDENTIALS_EXPIRED"),
    (204, "UNSUPPORTED_CREDENTIALS"),
    (300, "INTERNAL_ERROR"),
    (301, "TIMEOUT"),
    (302, "ACCESS_DENIED"),
    (303, "NOT_ENOUGH_RIGHTS"),
    (304, "CHAT_NOT_FOUND"),
    (305, "USER_IS_NOT_CHAT_PARTICIPANT"),
    (306, "MESSAGE_NOT_FOUND"),
    (307, "UNKNOWN_MESSAGE"),
    (308, "FILE_NOT_FOUND"),
    (309, "USER_ALREADY_IN_CHAT"),
    (310, "FILE_UPLOAD_FAILED"),
    (311, "FILE_NOT_READY"),
    (312, "ROLE_NOT_FOUND"),
    (399, "WRONG_PAYLOAD_FORMAT"),
    (400, "UNKNOWN_FILE_ERROR"),
    (401, "NOT_ENOUGH_SPACE"),
    (402, "BAD_FILE_NAME"),
    (403, "FILE_UPLOAD_FORBIDDEN"),
    (404, "STORAGE_FILE_NOT_FOUND"),
    (405, "STORAGE_FILE_NOT_READY"),
    (406, "MAX_FILE_SIZE_EXCEEDED"),
    (407, "UPLOAD_TASK_NOT_FOUND"),
    (408, "INVALID_FILE"),
];

pub fn error_name(code: u32) -> &'static str {
    ERROR_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
        .unwrap_or("UNKNOWN_ERROR")
}

/// Where a message sits in its chat: the box, then the position inside it, compared as ASCII
/// strings where a longer string that extends a shorter one is greater (docs/chat-protocol.md,
/// Ordering).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize, Deserialize)]
#[serde(try_from = "BoxPosWire")]
pub struct BoxPos {
    pub id: u64,
    pub position: String,
}

impl Ord for BoxPos {
    fn cmp(&self, other: &Self) -> Ordering {
        // Byte-wise lexicographic order is exactly the rule: first differing byte, else the
        // longer is greater.
        self.id
            .cmp(&other.id)
            .then_with(|| self.position.as_bytes().cmp(other.position.as_bytes()))
    }
}

impl PartialOrd for BoxPos {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `{"id": number, "position": string}` as sent: numbers as strings, a missing position as "".
#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct BoxPosWire {
    #[serde(deserialize_with = "lenient::uint")]
    id: Option<u64>,
    #[serde(deserialize_with = "lenient::string")]
    position: Option<String>,
}

impl TryFrom<BoxPosWire> for BoxPos {
    type Error = Missing;
    fn try_from(w: BoxPosWire) -> Result<BoxPos, Missing> {
        Ok(BoxPos {
            id: w.id.ok_or(Missing("id"))?,
            position: w.position.unwrap_or_default(),
        })
    }
}

impl BoxPos {
    /// Reads `{"id": number, "position": string}` leniently (numbers as strings, a missing
    /// position as "").
    pub fn from_value(v: &Value) -> Option<BoxPos> {
        lenient::from_object(v)
    }
}

/// A timestamp in milliseconds from a number or a numeric string; 10-digit values (seconds,
/// seen in the vendor guide's member-push samples) are scaled to milliseconds
/// (docs/chat-protocol.md, Choices C21).
pub fn timestamp_ms(v: &Value) -> Option<u64> {
    lenient::millis(v).ok().flatten()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn requests_responses_and_acks_round_trip() {
        let f =
            Frame::decode(r#"{"method":"sendMessage","type":1,"id":7,"payload":{"chatId":"c"}}"#)
                .unwrap();
        assert_eq!(
            f,
            Frame::Request {
                id: 7,
                method: "sendMessage".into(),
                payload: Some(json!({"chatId":"c"}))
            }
        );
        assert_eq!(Frame::decode(&f.encode()).unwrap(), f);
        let ack: Value = serde_json::from_str(&Frame::ack(12).encode()).unwrap();
        assert_eq!(
            ack,
            json!({"type": 2, "id": 12}),
            "a bare ack: no payload key at all"
        );
        assert_eq!(
            Frame::decode(r#"{"type":2,"id":12}"#).unwrap(),
            Frame::Response {
                id: 12,
                payload: None
            }
        );
        // A request may leave its payload out.
        assert_eq!(
            Frame::decode(r#"{"type":1,"id":1,"method":"getChats"}"#)
                .unwrap()
                .id(),
            1
        );
    }

    #[test]
    fn malformed_frames_say_why() {
        assert_eq!(Frame::decode("[]"), Err(FrameError::NotObject));
        assert_eq!(
            Frame::decode(r#"{"type":0,"id":1}"#),
            Err(FrameError::BadType("0".into()))
        );
        assert_eq!(
            Frame::decode(r#"{"type":1,"id":-1,"method":"x"}"#),
            Err(FrameError::BadId)
        );
        assert_eq!(
            Frame::decode(r#"{"type":1,"id":1}"#),
            Err(FrameError::NoMethod)
        );
        assert!(matches!(Frame::decode("{"), Err(FrameError::NotJson(_))));
    }

    #[test]
    fn error_payloads_carry_the_name() {
        let e = ServerError::from_payload(Some(&json!({"errorCode": 304}))).unwrap();
        assert_eq!(e.to_string(), "chat not found (304)");
        assert_eq!(e.name(), "CHAT_NOT_FOUND");
        let e = ServerError::from_payload(Some(
            &json!({"errorCode": 2, "errorDescription": "dup\u{1b}[2J"}),
        ))
        .unwrap();
        assert_eq!(e.to_string(), "request id already used (2): dup");
        assert_eq!(
            ServerError::from_payload(Some(&json!({"errorCode": 0}))),
            None
        );
        assert_eq!(
            ServerError::from_payload(Some(&json!({"chatId": "c"}))),
            None
        );
        assert_eq!(ServerError::from_payload(None), None);
        assert_eq!(error_name(999), "UNKNOWN_ERROR");
    }

    #[test]
    fn box_order_follows_the_specs_worked_example() {
        // docs/chat-protocol.md, Ordering: box 15 holds m1 "A", m2 "B", m3 "AAA"; the order is
        // m1, m3, m2.
        let m = |p: &str| BoxPos {
            id: 15,
            position: p.into(),
        };
        let mut v = [("m2", m("B")), ("m3", m("AAA")), ("m1", m("A"))];
        v.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            v.iter().map(|x| x.0).collect::<Vec<_>>(),
            ["m1", "m3", "m2"]
        );
        // The box decides first; "" sorts before "0"; long positions compare byte-wise.
        assert!(
            BoxPos {
                id: 14,
                position: "z".into()
            } < m("")
        );
        assert!(m("") < m("0"));
        assert!(m("COFFEE") < m("a"));
        assert_eq!(
            BoxPos::from_value(&json!({"id": "15", "position": "AAA"})),
            Some(m("AAA"))
        );
        assert_eq!(
            BoxPos::from_value(&json!({"id": 3})),
            Some(BoxPos {
                id: 3,
                position: String::new()
            })
        );
    }

    #[test]
    fn timestamps_accept_both_forms() {
        assert_eq!(timestamp_ms(&json!(1735330912123u64)), Some(1735330912123));
        assert_eq!(timestamp_ms(&json!("1735370776")), Some(1735370776000));
        assert_eq!(timestamp_ms(&json!(1735330912)), Some(1735330912000));
        assert_eq!(timestamp_ms(&json!(null)), None);
    }

    /// Arbitrary JSON whose objects often use the protocol's keys.
    pub(crate) fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            ".{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("type".to_string()),
                        Just("id".to_string()),
                        Just("method".to_string()),
                        Just("payload".to_string()),
                        Just("errorCode".to_string()),
                        prop::sample::select(vec![
                            "chatId",
                            "messageId",
                            "content",
                            "text",
                            "box",
                            "author",
                            "chat",
                            "timestamp",
                            "fileId",
                            "progress",
                            "role",
                            "userId",
                            "title",
                            "size",
                            "lastMessage",
                            "replyMessage",
                            "messages",
                            "chats",
                            "participants",
                            "readyState",
                            "extensions",
                            "maxSize",
                            "list",
                            "mode",
                        ])
                        .prop_map(String::from),
                        ".{0,6}"
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = Frame::decode(&text);
        }

        #[test]
        fn arbitrary_json_never_panics_and_decoded_frames_round_trip(v in arb_json()) {
            if let Ok(f) = Frame::decode(&v.to_string()) {
                prop_assert_eq!(Frame::decode(&f.encode()).unwrap(), f);
            }
            let _ = ServerError::from_payload(Some(&v));
            let _ = BoxPos::from_value(&v);
            let _ = timestamp_ms(&v);
        }

        #[test]
        fn box_order_is_a_total_order(a in (0u64..4, "[0-9A-Za-z{}]{0,4}"), b in (0u64..4, "[0-9A-Za-z{}]{0,4}"), c in (0u64..4, "[0-9A-Za-z{}]{0,4}")) {
            let (a, b, c) = (BoxPos { id: a.0, position: a.1 }, BoxPos { id: b.0, position: b.1 }, BoxPos { id: c.0, position: c.1 });
            prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            if a <= b && b <= c { prop_assert!(a <= c); }
        }
    }
}
