//! The API explorer: every method of both APIs from the tables the protocol code uses, a JSON
//! template to edit, validation before sending, the reply with its round-trip time and the
//! events that followed, a persisted history of what was sent, and scripts.
//! Pure data and the pure functions `update` applies; the effects send and save.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    Answer, Candidate, Cmd, Confirm, Confirmed, Edit, Editor, Lines, Mode, Model, Msg, NoticeLevel,
    Pick, Picker,
};
use crate::apispec::MethodSpec;

/// Which API the explorer shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    Room,
    Chat,
}

impl Api {
    pub fn methods(self) -> &'static [MethodSpec] {
        match self {
            Api::Room => crate::room::catalog::METHODS,
            Api::Chat => crate::chat::methods::METHODS,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Api::Room => "TrueConf Room",
            Api::Chat => "Chat bot API",
        }
    }

    pub fn other(self) -> Api {
        match self {
            Api::Room => Api::Chat,
            Api::Chat => Api::Room,
        }
    }

    /// The link's name in the inspector's records.
    pub fn link(self) -> &'static str {
        match self {
            Api::Room => "room",
            Api::Chat => "chat",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Editor,
}

/// A request as sent (and as the history keeps it). Secrets are masked before it is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    pub api: Api,
    pub method: String,
    /// The parameters, compact JSON.
    pub params: String,
}

/// What came back for the last request.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub id: u64,
    pub api: Api,
    pub method: String,
    /// The request as sent, pretty-printed.
    pub request: String,
    /// None while waiting.
    pub outcome: Option<Result<Value, crate::script::Refusal>>,
    /// The reply pretty-printed, inert, cut to [`REPLY_LINES`] lines: laid out once when it
    /// arrives, not on every frame (a history page can be a megabyte).
    pub reply_lines: Vec<String>,
    pub sent_at_ms: Option<u64>,
    pub rtt_ms: Option<u64>,
}

/// Lines of a reply kept for the screen.
pub const REPLY_LINES: usize = 400;

/// How long after the reply events still count as caused by the request.
pub const EVENT_WINDOW_MS: u64 = 2000;

/// At most this many requests are kept in the history.
pub const HISTORY_KEEP: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct Explorer {
    pub api: Api,
    pub focus: Focus,
    /// Typed in the list: narrows it.
    pub filter: Picker,
    /// The API's methods as the filter searches them.
    pub candidates: Vec<Candidate>,
    /// The highlighted method, by name.
    pub selected: Option<String>,
    /// The method in the editor.
    pub method: Option<&'static MethodSpec>,
    pub editor: Editor,
    /// What is wrong with the editor's request (shown there; nothing is sent until fixed).
    pub problems: Vec<String>,
    pub exchange: Option<Exchange>,
    pub next_id: u64,
    /// Where Up/Down are in the history while recalling (an index into it).
    pub recall: Option<usize>,
}

impl Explorer {
    pub fn new(api: Api) -> Explorer {
        Explorer {
            api,
            focus: Focus::List,
            filter: Picker::in_list_order(),
            candidates: api
                .methods()
                .iter()
                .map(|m| Candidate::new(m.name, &[m.name]))
                .collect(),
            selected: api.methods().first().map(|m| m.name.to_string()),
            method: None,
            editor: Editor::default(),
            problems: Vec::new(),
            exchange: None,
            next_id: 1,
            recall: None,
        }
    }

    /// The methods matching the filter (the characters in order, any case, in the name), in
    /// the table's order (the list is drawn in groups).
    pub fn matching(&self) -> Vec<&'static MethodSpec> {
        let methods = self.api.methods();
        self.filter
            .matches(&self.candidates)
            .into_iter()
            .map(|i| &methods[i])
            .collect()
    }
}

/// Where typing should start in a template (a byte offset): inside the first required parameter's value
/// (between the quotes of a string), else the first parameter's, else the end.
fn first_value(m: &MethodSpec, text: &str) -> usize {
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

/// A template to edit: every parameter (required ones with a placeholder of their type,
/// optional ones `null`), pretty-printed. A message's `content` gets its text and parse mode.
pub fn template_text(m: &MethodSpec) -> String {
    let mut t = m.template();
    if let Some(c) = t.get_mut("content")
        && c.as_object().is_some_and(Map::is_empty)
        && m.params
            .iter()
            .any(|p| p.key == "content" && p.note.contains("parseMode"))
    {
        *c = serde_json::json!({"text": "", "parseMode": "text"});
    }
    serde_json::to_string_pretty(&Value::Object(t)).unwrap_or_else(|_| "{}".into())
}

/// The editor's request checked: the parameters to send, or every problem found. A parameter
/// left `null` (as the template has the optional ones) is left out.
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
    let problems: Vec<String> = m
        .validate(&params)
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
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
        (Api::Room, "auth") => {
            Some("the link authenticates by itself; a failed auth ends this session's rights")
        }
        (Api::Chat, "removeChat") => Some("removes the chat"),
        (Api::Chat, "removeMessage") if for_all => Some("deletes the message for everyone"),
        (Api::Chat, "clearHistory") if for_all => Some("clears the chat's history for everyone"),
        (Api::Chat, "auth") => Some("the link authenticates by itself"),
        _ => None,
    }
}

/// The parameters with secrets masked, for the history and scripts.
pub fn masked(params: &Map<String, Value>) -> Map<String, Value> {
    params
        .iter()
        .map(|(k, v)| {
            let secret = matches!(
                k.to_ascii_lowercase().as_str(),
                "password" | "pin" | "token" | "credentials" | "secret" | "access_token"
            );
            let v = if secret && !v.is_null() {
                Value::String("***".into())
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect()
}

/// The history file: what was sent, newest last.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct HistoryFile {
    pub sent: Vec<Sent>,
}

impl HistoryFile {
    pub fn load(path: &std::path::Path) -> Result<Vec<Sent>, crate::dirs::FileError> {
        use crate::dirs::FileError;
        match std::fs::read_to_string(path) {
            Ok(t) => serde_json::from_str::<HistoryFile>(&t)
                .map(|f| f.sent)
                .map_err(|e| FileError::Invalid {
                    path: path.to_path_buf(),
                    what: "an explorer history",
                    reason: e.to_string(),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(FileError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    pub fn save(path: &std::path::Path, sent: &[Sent]) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(&HistoryFile {
            sent: sent.to_vec(),
        })
        .map_err(std::io::Error::other)?;
        crate::dirs::write_private(path, &text)
    }
}

/// Opens or closes the explorer.
pub fn toggle(m: &mut Model) -> Vec<Cmd> {
    if m.mode.explorer().is_some() {
        m.mode = Mode::Normal;
    } else {
        let api = if m.room.link.is_up() || !m.chat.link.is_up() {
            Api::Room
        } else {
            Api::Chat
        };
        let x = m.explorer.kept.take().unwrap_or_else(|| Explorer::new(api));
        m.mode = Mode::Explorer(Box::new(x));
    }
    m.touch();
    vec![]
}

/// Pasted text: into the method filter or the request, whichever has the focus.
pub fn paste(x: &mut Explorer, text: &str) {
    match x.focus {
        Focus::List => x.filter.paste(text, &x.candidates, &mut x.selected),
        Focus::Editor => {
            x.editor.insert(text);
            // Problems are shown as the request changes, pasted or typed.
            if let Some(spec) = x.method {
                x.problems = check(spec, x.editor.text()).err().unwrap_or_default();
            }
        }
    }
}

/// Every key while the explorer has the keyboard (Ctrl-C and a ringing call's keys are
/// handled before: app/input.rs).
pub fn on_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    let Some(focus) = m.mode.explorer().map(|x| x.focus) else {
        return vec![];
    };
    m.touch();
    match focus {
        Focus::List => list_key(m, k),
        Focus::Editor => editor_key(m, k),
    }
}

fn list_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    let Mode::Explorer(x) = &mut m.mode else {
        return vec![];
    };
    let x = x.as_mut();
    match x.filter.key(k, &x.candidates, &mut x.selected) {
        Pick::Esc if !x.filter.is_empty() => {
            x.filter = Picker::in_list_order();
            if x.selected.is_none() {
                x.selected = x.api.methods().first().map(|m| m.name.to_string());
            }
        }
        Pick::Esc => {
            if let Mode::Explorer(x) = std::mem::take(&mut m.mode) {
                m.explorer.kept = Some(*x);
            }
        }
        Pick::Enter => {
            let name = x
                .selected
                .as_deref()
                .and_then(|s| x.matching().into_iter().find(|m| m.name == s))
                .map(|m| m.name);
            if let Some(name) = name {
                open_method(x, name);
            }
        }
        Pick::NotMine if matches!(k.code, KeyCode::Tab | KeyCode::BackTab) => {
            // Request ids go on rising across the switch, so a late reply to the other API's
            // request is never taken for this one's.
            let next_id = x.next_id;
            *x = Explorer::new(x.api.other());
            x.next_id = next_id;
        }
        Pick::Changed | Pick::Unchanged | Pick::NotMine => {}
    }
    vec![]
}

/// Puts a method's template in the editor (or keeps what was edited for it).
fn open_method(x: &mut Explorer, name: &'static str) {
    let Some(spec) = x.api.methods().iter().find(|s| s.name == name) else {
        return;
    };
    if x.method.map(|s| s.name) != Some(name) {
        x.method = Some(spec);
        x.editor = Editor::new(&template_text(spec));
        let at = first_value(spec, x.editor.text());
        x.editor.set_cursor(at);
        x.problems.clear();
    }
    x.focus = Focus::Editor;
    x.recall = None;
}

fn editor_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let alt = k
        .modifiers
        .intersects(KeyModifiers::ALT | KeyModifiers::SHIFT);
    let history = m.explorer.history.clone();
    let Some(x) = m.mode.explorer_mut() else {
        return vec![];
    };
    match k.code {
        KeyCode::Esc => {
            x.focus = Focus::List;
            return vec![];
        }
        KeyCode::Enter if alt => x.editor.insert("\n"),
        KeyCode::Enter => return send(m),
        KeyCode::Char('o') if ctrl => return save_script(m),
        KeyCode::Up if !ctrl && !alt => {
            if x.editor.up() == Edit::Unchanged {
                recall(x, &history, -1);
            }
            return vec![];
        }
        KeyCode::Down if !ctrl && !alt => {
            if x.editor.down() == Edit::Unchanged {
                recall(x, &history, 1);
            }
            return vec![];
        }
        KeyCode::Tab => x.editor.insert("  "),
        _ => {
            if x.editor.key(k, Lines::Many) == Edit::NotMine {
                return vec![];
            }
        }
    }
    // Problems are shown as one types (and block sending until fixed).
    if let Some(spec) = x.method {
        x.problems = check(spec, x.editor.text()).err().unwrap_or_default();
    }
    vec![]
}

/// Up on the editor's first line goes back through what was sent to this API; Down on its
/// last line comes forward again (past the newest: the template).
fn recall(x: &mut Explorer, history: &[Sent], dir: isize) {
    let mine: Vec<&Sent> = history.iter().filter(|s| s.api == x.api).collect();
    if mine.is_empty() {
        return;
    }
    let next = match (x.recall, dir < 0) {
        (None, true) => Some(mine.len() - 1),
        (None, false) => return,
        (Some(i), true) => Some(i.saturating_sub(1)),
        (Some(i), false) if i + 1 < mine.len() => Some(i + 1),
        (Some(_), false) => None,
    };
    x.recall = next;
    match next {
        Some(i) => {
            let s = mine[i];
            let Some(spec) = x.api.methods().iter().find(|m| m.name == s.method) else {
                return;
            };
            x.method = Some(spec);
            x.selected = Some(spec.name.to_string());
            let pretty = serde_json::from_str::<Value>(&s.params)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| s.params.clone());
            x.editor = Editor::new(&pretty);
            // On the first line, so Up keeps walking back.
            x.editor.set_cursor(0);
        }
        None => {
            if let Some(spec) = x.method {
                x.editor = Editor::new(&template_text(spec));
            }
        }
    }
    x.problems = x
        .method
        .and_then(|s| check(s, x.editor.text()).err())
        .unwrap_or_default();
}

/// Enter in the editor: checks the request, asks first for a dangerous one, then sends.
fn send(m: &mut Model) -> Vec<Cmd> {
    let Some(x) = m.mode.explorer_mut() else {
        return vec![];
    };
    let Some(spec) = x.method else {
        return vec![];
    };
    let params = match check(spec, x.editor.text()) {
        Ok(p) => p,
        Err(problems) => {
            let n = problems.len();
            x.problems = problems;
            m.notify(
                NoticeLevel::Warn,
                format!(
                    "Not sent: {n} problem{} in the request",
                    if n == 1 { "" } else { "s" }
                ),
            );
            return vec![];
        }
    };
    let api = x.api;
    if let Some(why) = danger(api, spec.name, &params) {
        let back = Box::new(std::mem::take(&mut m.mode));
        m.mode = Mode::Confirm(Confirm {
            question: format!("Send {}? It {why}.", spec.name),
            answers: vec![Answer {
                key: 'y',
                label: "yes, send it".into(),
                msg: Msg::Confirmed(Confirmed::ExplorerSend {
                    api,
                    method: spec.name.to_string(),
                    params,
                }),
            }],
            back,
        });
        return vec![];
    }
    send_now(m, api, spec.name, params)
}

/// Sends a checked request (Enter, or the confirmation of a dangerous one), notes it and
/// keeps it in the history.
pub fn send_now(m: &mut Model, api: Api, method: &str, params: Map<String, Value>) -> Vec<Cmd> {
    let up = match api {
        Api::Room => m.room.link.is_up(),
        Api::Chat => m.chat.link.is_up(),
    };
    if !up {
        let which = match api {
            Api::Room => "No Room connected",
            Api::Chat => "No chat server connected",
        };
        m.notify(NoticeLevel::Warn, format!("{which}: not sent"));
        return vec![];
    }
    let Some(x) = m.mode.explorer_mut() else {
        return vec![];
    };
    let id = x.next_id;
    x.next_id += 1;
    x.problems.clear();
    x.recall = None;
    let mut cmds = sending(m, id, api, method, &params);
    cmds.insert(
        0,
        Cmd::ExplorerSend {
            id,
            api,
            method: method.to_string(),
            params,
        },
    );
    cmds
}

/// The explorer's send was handed to the link: note it, keep it in the history.
fn sending(
    m: &mut Model,
    id: u64,
    api: Api,
    method: &str,
    params: &Map<String, Value>,
) -> Vec<Cmd> {
    let shown = masked(params);
    if let Some(x) = m.mode.explorer_mut() {
        x.exchange = Some(Exchange {
            id,
            api,
            method: method.to_string(),
            request: serde_json::to_string_pretty(&Value::Object(shown.clone()))
                .unwrap_or_default(),
            outcome: None,
            reply_lines: Vec::new(),
            sent_at_ms: None,
            rtt_ms: None,
        });
    }
    let sent = Sent {
        api,
        method: method.to_string(),
        params: Value::Object(shown).to_string(),
    };
    m.explorer.session.push(sent.clone());
    m.explorer.history.push(sent);
    let over = m.explorer.history.len().saturating_sub(HISTORY_KEEP);
    m.explorer.history.drain(..over);
    m.touch();
    vec![Cmd::SaveExplorerHistory(m.explorer.history.clone())]
}

/// The reply (or failure) of the explorer's request.
pub fn replied(
    m: &mut Model,
    id: u64,
    sent_at_ms: u64,
    rtt_ms: u64,
    outcome: Result<Value, crate::script::Refusal>,
) {
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
    m.touch();
}

/// A reply as inert lines for the screen: pretty-printed, at most [`REPLY_LINES`] lines of at
/// most 1000 characters, with a last line saying what was left out.
fn reply_lines(v: &Value) -> Vec<String> {
    let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
    let total = pretty.lines().count();
    let mut out: Vec<String> = pretty
        .lines()
        .take(REPLY_LINES)
        .map(|l| {
            let l: String = l.chars().take(1000).collect();
            crate::sanitize::line(&l).into_owned()
        })
        .collect();
    if total > REPLY_LINES {
        out.push(format!(
            "… {} more lines ({} in all)",
            total - REPLY_LINES,
            crate::chat::types::human_size(pretty.len() as u64)
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

/// Ctrl-O: this run's requests to the shown API, as a script file.
fn save_script(m: &mut Model) -> Vec<Cmd> {
    let Some(api) = m.mode.explorer().map(|x| x.api) else {
        return vec![];
    };
    let lines: Vec<String> = m
        .explorer
        .session
        .iter()
        .filter(|s| s.api == api)
        .map(|s| {
            let params = serde_json::from_str::<Value>(&s.params)
                .ok()
                .and_then(|v| v.as_object().cloned())
                .unwrap_or_default();
            crate::script::request_line(&s.method, &params)
        })
        .collect();
    if lines.is_empty() {
        m.notify(
            NoticeLevel::Info,
            "Nothing sent to this API yet: nothing to save",
        );
        return vec![];
    }
    vec![Cmd::SaveScript { api, lines }]
}

#[cfg(test)]
#[path = "explorer_tests.rs"]
mod tests;
