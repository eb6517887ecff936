//! The explorer's requests before they are sent: a template for each method (valid in form as
//! it stands, with what the session knows filled in), the check that runs as it is edited, and
//! which requests ask first.

use serde_json::{Map, Value, json};

use super::Model;
use super::explorer::Api;
use crate::apispec::{MethodSpec, ParamSpec, ParamType};

/// What the session knows that a template can name: the open chat, a message and a file in
/// it, a user other than us, a Room contact. Unknown ones stay empty strings to fill in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    pub chat_id: Option<String>,
    pub message_id: Option<String>,
    pub user_id: Option<String>,
    pub file_id: Option<String>,
    pub peer_id: Option<String>,
}

impl Known {
    /// What the model shows: the open chat (else the highlighted one), its newest message and
    /// file, someone in it who is not us (else anyone whose name we know), the first contact.
    pub fn of(m: &Model) -> Known {
        let me = m.chat.me.as_deref().unwrap_or("");
        let open = m.chat.open.as_ref();
        let messages: Vec<&crate::chat::types::Envelope> = open
            .map(|o| o.messages.iter().collect())
            .unwrap_or_default();
        let newest = messages.iter().max_by_key(|e| e.timestamp);
        let user_id = messages
            .iter()
            .rev()
            .map(|e| e.author.id.as_str())
            .find(|a| !a.is_empty() && *a != me && a.contains('@'))
            .map(String::from)
            .or_else(|| {
                let mut names: Vec<&String> =
                    m.chat.names.keys().filter(|k| k.as_str() != me).collect();
                names.sort();
                names.first().map(|s| (*s).clone())
            });
        let file_id = messages.iter().rev().find_map(|e| match &e.content {
            crate::chat::types::Content::Attachment { file_id, .. } if !file_id.is_empty() => {
                Some(file_id.clone())
            }
            _ => None,
        });
        Known {
            chat_id: open
                .map(|o| o.chat_id.clone())
                .or_else(|| m.chat.list.selected.clone())
                .or_else(|| m.chat.list.items.first().map(|c| c.id.clone())),
            message_id: newest.map(|e| e.message_id.clone()),
            user_id,
            file_id,
            peer_id: m.room.state.contacts.first().map(|c| c.peer.id.clone()),
        }
    }

    fn for_key(&self, api: Api, key: &str) -> Option<&str> {
        match (api, key) {
            (Api::Chat, "chatId") => self.chat_id.as_deref(),
            (Api::Chat, "messageId") => self.message_id.as_deref(),
            (Api::Chat, "userId") => self.user_id.as_deref(),
            (Api::Chat, "fileId") => self.file_id.as_deref(),
            (Api::Room, "peerId") => self.peer_id.as_deref(),
            _ => None,
        }
    }
}

/// A required parameter's value in a template: what the session knows, else a value valid in
/// form (a first page, a page size, a role or activity the API names), else a placeholder of its
/// type (an empty string is to be filled in: the check says so).
fn example(api: Api, m: &MethodSpec, p: &ParamSpec, known: &Known) -> Value {
    if let Some(v) = known.for_key(api, p.key) {
        return Value::String(v.to_string());
    }
    match (api, m.name, p.key, p.ty) {
        (_, _, "page" | "pageNumber", ParamType::Int) => json!(1),
        (_, _, "count" | "pageSize", ParamType::Int) => json!(20),
        (Api::Chat, _, "role", ParamType::Str) => json!("user"),
        (Api::Chat, _, "activityType", ParamType::Str) => json!("typing"),
        (Api::Room, "setUsedApiVersion", "version", ParamType::Str) => json!("1"),
        _ => p.ty.example(),
    }
}

/// What a message method's `content` holds in its template (the keys the server reads).
fn content_template(api: Api, m: &MethodSpec) -> Option<Value> {
    if api != Api::Chat {
        return None;
    }
    match m.name {
        "sendMessage" | "editMessage" => Some(json!({"text": "", "parseMode": "text"})),
        "sendFile" => Some(json!({"temporalFileId": ""})),
        "sendSurvey" => Some(json!({"url": "", "title": ""})),
        "editSurvey" => Some(json!({"title": ""})),
        _ => None,
    }
}

/// Which API a method belongs to (by its table).
fn api_of(m: &MethodSpec) -> Api {
    if Api::Chat
        .methods()
        .iter()
        .any(|c| c.name == m.name && std::ptr::eq(c.params, m.params))
    {
        Api::Chat
    } else {
        Api::Room
    }
}

/// A template to edit: every parameter (required ones with a value as [`example`] gives it,
/// optional ones `null`), pretty-printed.
pub fn template_with(m: &MethodSpec, known: &Known) -> String {
    let api = api_of(m);
    let mut t = Map::new();
    for p in m.params {
        let v = if !p.required {
            Value::Null
        } else if p.key == "content"
            && let Some(c) = content_template(api, m)
        {
            c
        } else {
            example(api, m, p, known)
        };
        t.insert(p.key.to_string(), v);
    }
    serde_json::to_string_pretty(&Value::Object(t)).unwrap_or_else(|_| "{}".into())
}

/// The template with nothing known (what the tests and the docs show).
pub fn template_text(m: &MethodSpec) -> String {
    template_with(m, &Known::default())
}

/// Where typing should start in a template (a byte offset): inside the first empty string
/// (between its quotes), else at the start of the first required parameter's value (inside
/// its quotes for a string), else the end.
pub fn first_value(m: &MethodSpec, text: &str) -> usize {
    if let Some(at) = text.find(": \"\"") {
        return at + 3;
    }
    let key = m
        .params
        .iter()
        .find(|p| p.required)
        .or_else(|| m.params.first())
        .map(|p| format!("\"{}\": ", p.key));
    let Some(at) = key
        .as_deref()
        .and_then(|k| text.find(k).map(|i| i + k.len()))
    else {
        return text.len();
    };
    if text[at..].starts_with('"') {
        at + 1
    } else {
        at
    }
}

/// The strings a template leaves to fill in: the required string parameters, and the keys of
/// a message's content. Each as (path, what it is).
fn placeholders(m: &MethodSpec) -> Vec<(Vec<&'static str>, &'static str)> {
    let mut out: Vec<(Vec<&'static str>, &'static str)> = m
        .params
        .iter()
        .filter(|p| p.required && p.ty == ParamType::Str)
        .map(|p| (vec![p.key], p.note))
        .collect();
    let content: &[(&str, &str)] = match (api_of(m), m.name) {
        (Api::Chat, "sendMessage" | "editMessage") => &[("text", "the message's text")],
        (Api::Chat, "sendFile") => &[("temporalFileId", "from the HTTP upload")],
        (Api::Chat, "sendSurvey") => &[("url", "the survey's address"), ("title", "its title")],
        (Api::Chat, "editSurvey") => &[("title", "its title")],
        _ => &[],
    };
    for (k, note) in content {
        out.push((vec!["content", k], note));
    }
    out
}

/// The editor's request checked: the parameters to send, or every problem found. A parameter
/// left `null` (as the template has the optional ones) is left out; a string the template left
/// empty must be filled in.
pub fn check(m: &MethodSpec, text: &str) -> Result<Map<String, Value>, Vec<String>> {
    let v: Value =
        serde_json::from_str(if text.trim().is_empty() { "{}" } else { text }).map_err(|e| {
            vec![format!(
                "not JSON, line {} column {}: {e}",
                e.line(),
                e.column()
            )]
        })?;
    let Value::Object(mut params) = v else {
        return Err(vec!["the request must be a JSON object: { … }".into()]);
    };
    let mut problems: Vec<String> = m
        .validate(&params)
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    for (path, note) in placeholders(m) {
        let mut at = params.get(path[0]);
        for k in &path[1..] {
            at = at.and_then(|v| v.get(k));
        }
        if at.and_then(Value::as_str) == Some("") {
            let what = if note.is_empty() {
                String::new()
            } else {
                format!(" ({note})")
            };
            problems.push(format!("`{}` is empty: fill it in{what}", path.join(".")));
        }
    }
    if problems.is_empty() {
        params.retain(|_, v| !v.is_null());
        Ok(params)
    } else {
        Err(problems)
    }
}

/// Why a request needs a confirmation, if it does.
pub fn danger(api: Api, method: &str, params: &Map<String, Value>) -> Option<&'static str> {
    let for_all = params.get("forAll") == Some(&Value::Bool(true));
    match (api, method) {
        (Api::Room, "shutdown") => Some("closes the TrueConf Room application"),
        (Api::Room, "shutdownSystem") => Some("shuts the room's computer down"),
        (Api::Room, "rebootSystem") => Some("restarts the room's computer"),
        (Api::Room, "hangUp") if for_all => Some("ends the conference for everyone"),
        (Api::Room, "logout") => Some("logs the Room out of its server"),
        (Api::Room, "auth") => Some(
            "is not needed (the link authenticates by itself), and a failed one ends this session's rights",
        ),
        (Api::Chat, "removeChat") => Some("removes the chat"),
        (Api::Chat, "removeMessage") if for_all => Some("deletes the message for everyone"),
        (Api::Chat, "clearHistory") if for_all => Some("clears the chat's history for everyone"),
        (Api::Chat, "auth") => Some("is not needed: the link authenticates by itself"),
        _ => None,
    }
}

/// The environment variable a secret parameter is read from in a saved script, or None for a
/// parameter that is no secret (at any depth of the request). The console's own names where
/// it reads one (the Room PIN, the chat password and token); otherwise a name made from the
/// key (`newPin` → `TRUECONF_NEW_PIN`), so that a replay never sends one secret for another.
pub fn secret_env(api: Api, method: &str, key: &str) -> Option<String> {
    let k = key.to_ascii_lowercase();
    let fixed = match (api, method, k.as_str()) {
        (Api::Room, "auth", "credentials" | "pin") => Some(crate::config::ENV_ROOM_PIN),
        (_, _, "pin") => Some("TRUECONF_CONFERENCE_PIN"),
        (Api::Chat, _, "password") => Some(crate::config::ENV_PASSWORD),
        (Api::Room, _, "password") => Some("TRUECONF_ROOM_PASSWORD"),
        (_, _, "token" | "access_token") => Some(crate::config::ENV_TOKEN),
        (_, _, "credentials") => Some("TRUECONF_CREDENTIALS"),
        (_, _, "secret") => Some("TRUECONF_SECRET"),
        _ => None,
    };
    if let Some(f) = fixed {
        return Some(f.to_string());
    }
    let secret = k.ends_with("pin")
        || ["password", "passwd", "token", "secret", "credential"]
            .iter()
            .any(|w| k.contains(w));
    secret.then(|| format!("{}{}", crate::script::ENV_PREFIX, screaming(key)))
}

/// `newPin` → `NEW_PIN`: words split at capitals and at anything not a letter or digit.
fn screaming(key: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    out.trim_end_matches('_').to_string()
}

/// Whether a secret parameter's value is one: a string or a number. A flag
/// (`encryptPassword: false`) or nothing is kept as it is, so that the request can be sent
/// again as it was.
pub fn holds_secret(v: &Value) -> bool {
    v.is_string() || v.is_number()
}

/// The parameters with secrets masked (at any depth), for the history and the screen.
pub fn masked(api: Api, method: &str, params: &Map<String, Value>) -> Map<String, Value> {
    params
        .iter()
        .map(|(k, v)| {
            let v = if secret_env(api, method, k).is_some() && holds_secret(v) {
                Value::String("***".into())
            } else {
                masked_value(api, method, v)
            };
            (k.clone(), v)
        })
        .collect()
}

fn masked_value(api: Api, method: &str, v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(masked(api, method, o)),
        Value::Array(a) => Value::Array(a.iter().map(|x| masked_value(api, method, x)).collect()),
        other => other.clone(),
    }
}
