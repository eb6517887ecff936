//! The catalog's methods the simulator does not model one by one (docs/room-protocol.md,
//! Catalog).

use serde_json::{Map, Value};

use super::state::{Outcome, SimState, event};

/// A method this simulator does not model one by one (most of the catalog's 260: PTZ, slides,
/// layouts, branding, …) answers from a generic store, so an administrator trying the API gets
/// what a Room would give in shape: a command's parameters are kept under its subject
/// (`setCrop` and `getCrop` share "Crop"), a `get…` reads them back with the catalog's reply
/// keys (neutral values where nothing was set yet), and a command announces the catalog's
/// follow-up event with its parameters.
pub(super) fn generic(s: &mut SimState, method: &str, p: &Map<String, Value>) -> Outcome {
    let Some(spec) = crate::room::spec::method(method) else {
        return Outcome::err(format!("unknown method `{method}`"));
    };
    let getter = method.starts_with("get");
    let subject = method
        .strip_prefix("get")
        .or_else(|| method.strip_prefix("set"))
        .unwrap_or(method)
        .to_string();
    let params: Map<String, Value> = p
        .iter()
        .filter(|(k, _)| *k != "method" && *k != "requestId")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let stored = s.generic.entry(subject).or_default();
    if !getter {
        for (k, v) in &params {
            stored.insert(k.clone(), v.clone());
        }
    }
    let mut reply = Map::new();
    for &key in spec.response {
        let v = stored.get(key).cloned().unwrap_or_else(|| neutral(key));
        reply.insert(key.to_string(), v);
    }
    let mut events = Vec::new();
    if !getter {
        // The follow-up column may name several events, with prose around them.
        for word in spec
            .follow_up
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            if word != "appStateChanged" && crate::room::spec::event(word).is_some() {
                events.push(event(word, Value::Object(params.clone())));
            }
        }
    }
    Outcome {
        reply,
        events,
        ..Default::default()
    }
}

/// A reply key's value when nothing was stored: a list for plural names, false for flags,
/// 0 for counts and measures, else an empty string.
fn neutral(key: &str) -> Value {
    let k = key.to_ascii_lowercase();
    let ends = |suffixes: &[&str]| suffixes.iter().any(|x| k.ends_with(x));
    if ends(&[
        "list",
        "slots",
        "participants",
        "groups",
        "files",
        "requests",
        "cameras",
        "devices",
        "presets",
        "names",
        "calls",
        "chats",
        "messages",
        "contacts",
        "monitors",
        "modes",
        "controls",
    ]) {
        Value::Array(vec![])
    } else if k.starts_with("is")
        || k.starts_with("has")
        || k.starts_with("can")
        || ends(&["enabled", "state", "available", "muted", "active"])
    {
        Value::Bool(false)
    } else if ends(&[
        "count", "width", "height", "time", "level", "angle", "pos", "bitrate", "type", "port",
        "number", "size", "index", "id",
    ]) && !k.ends_with("peerid")
    {
        Value::from(0)
    } else if k == "properties" || k == "settings" {
        Value::Object(Map::new())
    } else {
        Value::String(String::new())
    }
}
