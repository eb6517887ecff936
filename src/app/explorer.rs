//! The API explorer: every method of both APIs from the tables the protocol code uses, a JSON
//! template to edit, validation before sending, the reply (in a [`Viewer`]: scrolled, searched,
//! full screen) with its round-trip time and the events that followed, a persisted history of
//! what was sent, and scripts.
//!
//! Esc goes back one level at a time, always the same way: the full-screen reply → the reply
//! pane → where the reply was entered from (the request, or the list) → the list → out of the
//! explorer (`x` comes back to the same place).
//!
//! Pure data and the pure functions `update` applies; the effects send and save. The requests
//! themselves (templates, checks) are in `explorer_template.rs`, what is kept of them (history,
//! scripts) in `explorer_script.rs`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::viewer::{ViewKey, ViewLine, Viewer};
use super::{
    Answer, Candidate, Cmd, Confirm, Confirmed, Edit, Editor, Lines, Mode, Model, Msg, NoticeLevel,
    Pick, Picker,
};
use crate::apispec::MethodSpec;
use crate::keys::{Action, Context, KeySpec};

pub(super) use super::explorer_layout::sync;
pub use super::explorer_layout::{Panes, esc_hint, hint_view, hints, panes};
pub use super::explorer_reply::{EVENT_WINDOW_MS, REPLY_LINES, events_after, replied};
pub(super) use super::explorer_reply::{refresh, traffic_arrived};
pub use super::explorer_script::{HISTORY_KEEP, HistoryFile, Sent, Tried};
pub use super::explorer_template::{
    Known, check, danger, masked, secret_env, template_text, template_with,
};

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

/// What has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The method list and its filter.
    List,
    /// The request being edited.
    Editor,
    /// The reply: scrolled and searched.
    Reply,
}

/// What came back for the last request.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub id: u64,
    pub api: Api,
    pub method: String,
    /// The request as sent (secrets masked), pretty-printed.
    pub request: String,
    /// None while waiting.
    pub outcome: Option<Result<Value, crate::script::Refusal>>,
    /// The reply pretty-printed, inert, cut to [`REPLY_LINES`] lines: laid out once when it
    /// arrives, not on every frame (a history page can be a megabyte).
    pub reply_lines: Vec<ViewLine>,
    /// What the reply pane shows: the outcome, the reply, the events that followed.
    pub view: Viewer,
    pub sent_at_ms: Option<u64>,
    pub rtt_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Explorer {
    pub api: Api,
    pub focus: Focus,
    /// Where Esc goes back to from the reply (the list or the request).
    pub back: Focus,
    /// The reply takes the whole explorer (with the reply focused).
    pub full: bool,
    /// Typed in the list: narrows it.
    pub filter: Picker,
    /// The API's methods as the filter searches their names.
    pub names: Vec<Candidate>,
    /// The same, searched by their group and description (a piece of either).
    pub texts: Vec<Candidate>,
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
            back: Focus::List,
            full: false,
            filter: Picker::in_list_order(),
            names: api
                .methods()
                .iter()
                .map(|m| Candidate::new(m.name, &[m.name]))
                .collect(),
            texts: api
                .methods()
                .iter()
                .map(|m| Candidate::with_exact(m.name, &[], &[m.group, m.summary]))
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

    /// The methods matching the filter, in two parts: those whose name matches (the
    /// characters in order, any case), then those whose group or description holds the query.
    /// Each part in the table's order (the list is drawn in groups).
    pub fn sections(&self) -> (Vec<&'static MethodSpec>, Vec<&'static MethodSpec>) {
        let methods = self.api.methods();
        let q = self.filter.query.text();
        if q.trim().is_empty() {
            return (methods.iter().collect(), Vec::new());
        }
        let mut by_name = super::rank(q, &self.names);
        by_name.sort_unstable();
        let mut by_text: Vec<usize> = super::rank(q, &self.texts)
            .into_iter()
            .filter(|i| by_name.binary_search(i).is_err())
            .collect();
        by_text.sort_unstable();
        (
            by_name.into_iter().map(|i| &methods[i]).collect(),
            by_text.into_iter().map(|i| &methods[i]).collect(),
        )
    }

    /// Every matching method, as the list shows them (name matches first).
    pub fn matching(&self) -> Vec<&'static MethodSpec> {
        let (mut a, b) = self.sections();
        a.extend(b);
        a
    }

    /// The best match of the filter: the best by name, else by group or description.
    fn best(&self) -> Option<String> {
        let q = self.filter.query.text();
        let i = super::rank(q, &self.names)
            .first()
            .copied()
            .or_else(|| super::rank(q, &self.texts).first().copied())?;
        Some(self.names[i].id.clone())
    }

    /// Whether the reply fills the explorer.
    pub fn reply_full(&self) -> bool {
        self.focus == Focus::Reply && self.full
    }
}

/// Opens or closes the explorer.
pub fn toggle(m: &mut Model) -> Vec<Cmd> {
    if m.mode.explorer().is_some() {
        leave(m);
    } else {
        let api = if m.room.link.is_up() || !m.chat.link.is_up() {
            Api::Room
        } else {
            Api::Chat
        };
        let x = m.explorer.kept.take().unwrap_or_else(|| Explorer::new(api));
        m.mode = Mode::Explorer(Box::new(x));
        sync(m);
    }
    m.touch();
    vec![]
}

/// Closes the explorer, keeping it as it is for the next `x`.
fn leave(m: &mut Model) {
    if let Mode::Explorer(x) = std::mem::take(&mut m.mode) {
        m.explorer.kept = Some(*x);
    }
}

/// Pasted text: into the method filter, the request, or the reply's search, whichever has
/// the focus.
pub fn paste(x: &mut Explorer, text: &str) {
    match x.focus {
        Focus::List => {
            x.filter.paste(text, &x.names, &mut x.selected);
            x.selected = x.best().or_else(|| x.selected.take());
        }
        Focus::Editor => {
            x.editor.insert(text);
            // Problems are shown as the request changes, pasted or typed.
            if let Some(spec) = x.method {
                x.problems = check(spec, x.editor.text()).err().unwrap_or_default();
            }
        }
        Focus::Reply => {
            if let Some(q) = x.exchange.as_mut().and_then(|e| e.view.search_input_mut()) {
                q.insert_line(text);
            }
        }
    }
}

/// Whether `k` is the inspector's key and may be taken from the text inputs (a control or
/// function key: a plain letter is typed, whatever it is bound to).
fn is_inspector_key(m: &Model, k: &KeyEvent) -> bool {
    let typed = matches!(k.code, KeyCode::Char(_))
        && !k
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    !typed
        && KeySpec::from_event(k)
            .is_some_and(|key| m.ui.keys.lookup(key, &[Context::Global]) == Some(Action::Inspector))
}

/// Every key while the explorer has the keyboard (Ctrl-C and a ringing call's keys are
/// handled before: app/input.rs).
pub fn on_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    let Some(focus) = m.mode.explorer().map(|x| x.focus) else {
        return vec![];
    };
    m.touch();
    let cmds = if is_inspector_key(m, k) {
        super::inspector::toggle(m);
        vec![]
    } else if k.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(k.code, KeyCode::Char('r'))
        && focus != Focus::Reply
    {
        to_reply(m);
        vec![]
    } else {
        match focus {
            Focus::List => list_key(m, k),
            Focus::Editor => editor_key(m, k),
            Focus::Reply => reply_key(m, k),
        }
    };
    sync(m);
    cmds
}

/// The mouse wheel, anywhere over the explorer: the reply scrolls.
pub(super) fn wheel(m: &mut Model, delta: isize) {
    if let Some(e) = m.mode.explorer_mut().and_then(|x| x.exchange.as_mut()) {
        e.view.scroll_by(delta);
        m.touch();
    }
}

/// Ctrl-R: the reply gets the keys (Esc gives them back).
fn to_reply(m: &mut Model) {
    let Some(x) = m.mode.explorer_mut() else {
        return;
    };
    if x.exchange.is_none() {
        m.notify(
            NoticeLevel::Info,
            "Nothing sent yet: there is no reply to read",
        );
        return;
    }
    x.back = x.focus;
    x.focus = Focus::Reply;
    x.full = false;
}

fn reply_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    let Some(x) = m.mode.explorer_mut() else {
        return vec![];
    };
    let Some(e) = x.exchange.as_mut() else {
        x.focus = x.back;
        return vec![];
    };
    if e.view.key(k) == ViewKey::Handled {
        return vec![];
    }
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match k.code {
        KeyCode::Esc if x.full => x.full = false,
        KeyCode::Esc => x.focus = x.back,
        KeyCode::Enter => x.full = !x.full,
        KeyCode::Char('r') if ctrl => {
            x.full = false;
            x.focus = x.back;
        }
        _ => {}
    }
    vec![]
}

fn list_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    let known = (k.code == KeyCode::Enter).then(|| Known::of(m));
    let Mode::Explorer(x) = &mut m.mode else {
        return vec![];
    };
    let x = x.as_mut();
    let step: isize = match k.code {
        KeyCode::Up => -1,
        KeyCode::Down => 1,
        KeyCode::PageUp => -10,
        KeyCode::PageDown => 10,
        _ => 0,
    };
    if step != 0 {
        // Up/Down follow the list as drawn: name matches, then the others.
        let ids: Vec<&str> = x.matching().into_iter().map(|s| s.name).collect();
        if let Some(last) = ids.len().checked_sub(1) {
            let at = x
                .selected
                .as_deref()
                .and_then(|s| ids.iter().position(|i| *i == s));
            let next = at.map_or(0, |i| (i as isize + step).clamp(0, last as isize) as usize);
            x.selected = Some(ids[next].to_string());
        }
        return vec![];
    }
    match x.filter.key(k, &x.names, &mut x.selected) {
        Pick::Changed => x.selected = x.best(),
        // One Esc leaves, whatever is typed (the filter stays for the way back).
        Pick::Esc => leave(m),
        Pick::Enter => {
            let name = x
                .selected
                .as_deref()
                .and_then(|s| x.matching().into_iter().find(|m| m.name == s))
                .map(|m| m.name);
            if let Some(name) = name {
                open_method(x, name, &known.unwrap_or_default());
            }
        }
        Pick::NotMine if matches!(k.code, KeyCode::Tab | KeyCode::BackTab) => {
            // Request ids go on rising across the switch, so a late reply to the other API's
            // request is never taken for this one's.
            let next_id = x.next_id;
            *x = Explorer::new(x.api.other());
            x.next_id = next_id;
        }
        Pick::Unchanged | Pick::NotMine => {}
    }
    vec![]
}

/// Puts a method's template in the editor (or keeps what was edited for it).
fn open_method(x: &mut Explorer, name: &'static str, known: &Known) {
    let Some(spec) = x.api.methods().iter().find(|s| s.name == name) else {
        return;
    };
    if x.method.map(|s| s.name) != Some(name) {
        x.method = Some(spec);
        x.editor = Editor::new(&template_with(spec, known));
        let at = super::explorer_template::first_value(spec, x.editor.text());
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
        KeyCode::Char('o') if ctrl => {
            let api = x.api;
            return super::explorer_script::save_script(m, api);
        }
        KeyCode::PageUp | KeyCode::PageDown => {
            // The reply scrolls from the request, a page at a time.
            if let Some(e) = x.exchange.as_mut() {
                e.view.key(k);
            }
            return vec![];
        }
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
    let shown = masked(api, method, &params);
    x.exchange = Some(Exchange {
        id,
        api,
        method: method.to_string(),
        request: serde_json::to_string_pretty(&Value::Object(shown.clone())).unwrap_or_default(),
        outcome: None,
        reply_lines: Vec::new(),
        view: Viewer::default(),
        sent_at_ms: None,
        rtt_ms: None,
    });
    refresh(m);
    sync(m);
    let sent = Sent {
        api,
        method: method.to_string(),
        params: Value::Object(shown).to_string(),
    };
    let mut cmds = vec![Cmd::ExplorerSend {
        id,
        api,
        method: method.to_string(),
        params,
    }];
    cmds.extend(super::explorer_script::keep(m, id, sent));
    m.touch();
    cmds
}

#[cfg(test)]
#[path = "explorer_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "explorer_reply_tests.rs"]
mod reply_tests;
