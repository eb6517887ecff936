//! Scripts of API requests: what the explorer saves and what `room run` / `chat run` replay.
//!
//! One step per line:
//!
//! ```text
//! # a comment
//! getAppState
//! call {"peerId": "alice"}
//! wait appStateChanged {"appState": 5} 10
//! createGroupChat {"title": "Tour"} -> chat = chatId
//! sendMessage {"chatId": "${chat}", "content": {"text": "hi", "parseMode": "text"}}
//! ! removeChat {"chatId": "no-such-chat"}
//! !304 getChatByID {"chatId": "no-such-chat"}
//! ```
//!
//! A request is a method name and its parameters as a JSON object (none: `{}`). `-> name = key`
//! keeps a key of the reply (a dotted path for nested keys) for later steps, where `${name}`
//! stands for it. `${TRUECONF_…}` (a name starting with `TRUECONF_`) is read from the
//! environment instead: that is how a script holds a secret (the explorer saves the Room PIN as
//! `${TRUECONF_ROOM_PIN}`, the chat password as `${TRUECONF_PASSWORD}`); a variable that is not set stops
//! the script before anything is sent, and no other environment variable is ever read. A
//! leading `!` says the request is expected to fail; `!CODE` names the chat error code it must
//! fail with. `wait EVENT [FIELDS] [SECONDS]` waits (10 s by default) for an event, or a chat
//! server request, whose fields include FIELDS; events that arrived since the previous step
//! count. The run stops at the first unexpected result.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

/// What a request step expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    Success,
    /// Any failure, or one with this chat error code.
    Failure(Option<u32>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Request {
        line: usize,
        method: String,
        /// The parameters as written, `${name}` not yet filled in.
        params: String,
        expect: Expect,
        /// (name, dotted key of the reply).
        keep: Vec<(String, String)>,
    },
    Wait {
        line: usize,
        event: String,
        /// The fields to match, as written (`${name}` filled in when the step runs).
        fields: String,
        timeout: Duration,
    },
}

impl Step {
    pub fn line(&self) -> usize {
        match self {
            Step::Request { line, .. } | Step::Wait { line, .. } => *line,
        }
    }
}

/// A script that cannot be read: the line and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct ParseError {
    pub line: usize,
    pub problem: String,
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@' || c == '.')
}

/// Names starting with this are read from the environment, never kept from a reply.
pub const ENV_PREFIX: &str = "TRUECONF_";

/// Whether `${name}` is read from the environment.
pub fn is_env_name(name: &str) -> bool {
    name.starts_with(ENV_PREFIX)
}

/// The names of every `${…}` in `text`.
fn names_in(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else { break };
        out.push(&after[..j]);
        rest = &after[j + 1..];
    }
    out
}

/// The environment variables a script reads, each with the line that first does.
pub fn env_names(steps: &[Step]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for step in steps {
        let (text, line) = match step {
            Step::Request { params, line, .. } => (params, *line),
            Step::Wait { fields, line, .. } => (fields, *line),
        };
        for n in names_in(text) {
            if is_env_name(n) && !out.iter().any(|(o, _)| o == n) {
                out.push((n.to_string(), line));
            }
        }
    }
    out
}

/// A variable the script reads is not set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line} reads ${{{name}}}, but the environment variable {name} is not set")]
pub struct MissingEnv {
    pub name: String,
    pub line: usize,
}

/// Checks that every variable the script reads is set (before anything is sent); returns
/// their values, to be kept out of the log.
pub fn check_env(
    steps: &[Step],
    env: impl Fn(&str) -> Option<String>,
) -> Result<Vec<String>, MissingEnv> {
    env_names(steps)
        .into_iter()
        .map(|(name, line)| env(&name).ok_or(MissingEnv { name, line }))
        .collect()
}

/// Reads a script.
pub fn parse(text: &str) -> Result<Vec<Step>, ParseError> {
    let mut steps = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let err = |problem: String| ParseError { line, problem };
        let s = raw.trim();
        if s.is_empty() || s.starts_with('#') {
            continue;
        }
        if s == "wait" {
            return Err(err("`wait` needs an event name".into()));
        }
        if let Some(rest) = s.strip_prefix("wait ") {
            let rest = rest.trim();
            let (event, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            if !is_name(event) {
                return Err(err(format!("`wait` needs an event name, not “{event}”")));
            }
            let after = after.trim();
            let (fields, after) = match after.starts_with('{') {
                true => {
                    let (text, rest) = json_extent(after).map_err(err)?;
                    let probe = fill(&text, &HashMap::new(), true);
                    if !matches!(leading_json(&probe).map_err(err)?.0, Some(Value::Object(_))) {
                        return Err(err("the fields to wait for must be a JSON object".into()));
                    }
                    (text, rest)
                }
                false => ("{}".to_string(), after),
            };
            let secs = match after.trim() {
                "" => 10.0,
                t => t
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x > 0.0 && *x <= 3600.0)
                    .ok_or_else(|| err(format!("“{t}” is not a number of seconds (up to 3600)")))?,
            };
            steps.push(Step::Wait {
                line,
                event: event.to_string(),
                fields,
                timeout: Duration::from_secs_f64(secs),
            });
            continue;
        }
        let (expect, s) = match s.strip_prefix('!') {
            Some(rest) => {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let code = if digits.is_empty() {
                    None
                } else {
                    Some(
                        digits
                            .parse::<u32>()
                            .map_err(|_| err(format!("“{digits}” is not an error code")))?,
                    )
                };
                (Expect::Failure(code), rest[digits.len()..].trim())
            }
            None => (Expect::Success, s),
        };
        let (s, keep) = match s.rsplit_once(" -> ") {
            Some((req, k)) => (req.trim(), parse_keep(k).map_err(err)?),
            None => (s, vec![]),
        };
        let (method, rest) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
        if !is_name(method) {
            return Err(err(format!("“{method}” is not a method name")));
        }
        let rest = rest.trim();
        let params = if rest.is_empty() { "{}" } else { rest };
        // Check the shape now (with placeholders filled by a stand-in), so a typo fails
        // before anything is sent.
        let probe = fill(params, &HashMap::new(), true);
        match serde_json::from_str::<Value>(&probe) {
            Ok(Value::Object(_)) => {}
            Ok(_) => return Err(err("the parameters must be a JSON object".into())),
            Err(e) => return Err(err(format!("the parameters are not JSON: {e}"))),
        }
        steps.push(Step::Request {
            line,
            method: method.to_string(),
            params: params.to_string(),
            expect,
            keep,
        });
    }
    Ok(steps)
}

/// `name = key, name2 = a.b`.
fn parse_keep(s: &str) -> Result<Vec<(String, String)>, String> {
    s.split(',')
        .map(|part| {
            let (name, key) = part.split_once('=').ok_or_else(|| {
                format!("write what to keep as `name = key`, not “{}”", part.trim())
            })?;
            let (name, key) = (name.trim(), key.trim());
            if !is_name(name) || !is_name(key) {
                return Err(format!("“{}” is not `name = key`", part.trim()));
            }
            if is_env_name(name) {
                return Err(format!(
                    "`{name}` is read from the environment ({ENV_PREFIX}…): keep the value under \
                     another name"
                ));
            }
            Ok((name.to_string(), key.to_string()))
        })
        .collect()
}

/// The balanced `{…}` at the start of `s` (strings and escapes respected), and what follows.
fn json_extent(s: &str) -> Result<(String, &str), String> {
    let (mut depth, mut in_str, mut esc) = (0usize, false, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if esc => esc = false,
            '\\' if in_str => esc = true,
            '"' => in_str = !in_str,
            '{' if !in_str => depth += 1,
            '}' if !in_str => {
                depth -= 1;
                if depth == 0 {
                    return Ok((s[..=i].to_string(), &s[i + 1..]));
                }
            }
            _ => {}
        }
    }
    Err("an unclosed `{`".into())
}

/// A JSON value at the start of `s`, and what follows it.
fn leading_json(s: &str) -> Result<(Option<Value>, &str), String> {
    if !s.starts_with('{') {
        return Ok((None, s));
    }
    let mut it = serde_json::Deserializer::from_str(s).into_iter::<Value>();
    match it.next() {
        Some(Ok(v)) => Ok((Some(v), &s[it.byte_offset()..])),
        Some(Err(e)) => Err(format!("not JSON: {e}")),
        None => Ok((None, s)),
    }
}

/// `${name}` replaced by what was kept (JSON-escaped, for use inside a string). With `probe`,
/// an unknown name becomes a stand-in instead of staying as written.
fn fill(text: &str, vars: &HashMap<String, String>, probe: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find('}') {
            Some(j) => {
                let name = &after[..j];
                match vars.get(name) {
                    Some(v) => {
                        let quoted = Value::String(v.clone()).to_string();
                        out.push_str(&quoted[1..quoted.len() - 1]);
                    }
                    None if probe => out.push('x'),
                    None => out.push_str(&rest[i..i + 3 + j]),
                }
                rest = &after[j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The names a step's parameters use that nothing kept yet.
fn unknown_names(text: &str, vars: &HashMap<String, String>) -> Vec<String> {
    names_in(text)
        .into_iter()
        .filter(|n| !vars.contains_key(*n))
        .map(String::from)
        .collect()
}

/// The kept values, and the environment variables `text` reads (those that are set).
fn with_env(
    text: &str,
    vars: &HashMap<String, String>,
    env: &impl Fn(&str) -> Option<String>,
) -> HashMap<String, String> {
    let mut all = vars.clone();
    for n in names_in(text) {
        if is_env_name(n)
            && let Some(v) = env(n)
        {
            all.insert(n.to_string(), v);
        }
    }
    all
}

/// Why a step could not be sent: the names it uses that have no value.
fn missing_text(missing: &[String]) -> String {
    let (env, kept): (Vec<&String>, Vec<&String>) = missing.iter().partition(|n| is_env_name(n));
    let mut parts = Vec::new();
    if !kept.is_empty() {
        parts.push(format!(
            "nothing was kept as ${{{}}}",
            kept.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("}, ${")
        ));
    }
    if !env.is_empty() {
        parts.push(format!(
            "the environment variable {} is not set",
            env.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    parts.join("; ")
}

/// A value at a dotted path (`a.b.0.c`).
pub fn at_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| match v {
        Value::Object(o) => o.get(k),
        Value::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Whether `have` includes every field of `want` (objects compared recursively).
pub fn includes(have: &Value, want: &Value) -> bool {
    match (have, want) {
        (Value::Object(h), Value::Object(w)) => w
            .iter()
            .all(|(k, wv)| h.get(k).is_some_and(|hv| includes(hv, wv))),
        _ => have == want,
    }
}

/// A refused request, as a backend reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The chat error code, when there is one.
    pub code: Option<u32>,
    pub text: String,
    /// The whole reply, when one came (a Room's `result:false` frame).
    pub reply: Value,
}

/// Where the steps go: the Room link or the chat link.
#[allow(async_fn_in_trait)]
pub trait Backend {
    /// Sends a request; the reply, or why it failed.
    async fn request(&mut self, method: &str, params: Map<String, Value>)
    -> Result<Value, Refusal>;
    /// The next event (name, fields) before `until`, or None.
    async fn event(&mut self, until: Instant) -> Option<(String, Value)>;
}

/// One step's result, as `run` prints it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StepResult {
    pub step: usize,
    pub line: usize,
    /// The method, or `wait EVENT`.
    pub what: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub ms: u64,
    pub reply: Value,
    /// Whether this result was what the script expected.
    pub expected: bool,
}

/// Runs the steps in order, handing each result to `report`; stops at the first result the
/// script did not expect and returns it. `${TRUECONF_…}` is read from the process environment.
pub async fn run<B: Backend>(
    b: &mut B,
    steps: &[Step],
    report: impl FnMut(&StepResult),
) -> Result<usize, StepResult> {
    run_with_env(b, steps, |k| std::env::var(k).ok(), report).await
}

/// [`run`], with the environment given.
pub async fn run_with_env<B: Backend>(
    b: &mut B,
    steps: &[Step],
    env: impl Fn(&str) -> Option<String>,
    mut report: impl FnMut(&StepResult),
) -> Result<usize, StepResult> {
    let mut vars: HashMap<String, String> = HashMap::new();
    // The secrets the script reads: never in what a result says (a server's error may quote
    // what it was sent, a name or a path made with one).
    let secrets: Vec<String> = env_names(steps)
        .into_iter()
        .filter_map(|(n, _)| env(&n))
        .filter(|v| v.chars().count() >= crate::logging::MIN_REDACTED_LEN)
        .collect();
    // Events seen since the previous wait was satisfied.
    let mut seen: Vec<(String, Value)> = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        let started = Instant::now();
        let r = match step {
            Step::Request {
                line,
                method,
                params,
                expect,
                keep,
            } => {
                let all = with_env(params, &vars, &env);
                let missing = unknown_names(params, &all);
                let result = if missing.is_empty() {
                    let text = fill(params, &all, false);
                    match serde_json::from_str::<Value>(&text) {
                        Ok(Value::Object(o)) => b.request(method, o).await,
                        _ => Err(Refusal {
                            code: None,
                            text: "the parameters are not a JSON object once filled in".into(),
                            reply: Value::Null,
                        }),
                    }
                } else {
                    // Never sent with a name where a value should be.
                    Err(Refusal {
                        code: None,
                        text: missing_text(&missing),
                        reply: Value::Null,
                    })
                };
                let ms = started.elapsed().as_millis() as u64;
                // Events that came with this request count for the next wait.
                while let Some(e) = b.event(Instant::now()).await {
                    seen.push(e);
                }
                match result {
                    Ok(reply) => {
                        let mut kept_all = true;
                        for (name, key) in keep {
                            match at_path(&reply, key) {
                                Some(Value::String(s)) => {
                                    vars.insert(name.clone(), s.clone());
                                }
                                Some(v) => {
                                    vars.insert(name.clone(), v.to_string());
                                }
                                None => kept_all = false,
                            }
                        }
                        StepResult {
                            step: n + 1,
                            line: *line,
                            what: method.clone(),
                            ok: true,
                            code: None,
                            error: (!kept_all)
                                .then(|| "the reply lacks a key this step keeps".to_string()),
                            ms,
                            reply,
                            expected: *expect == Expect::Success && kept_all,
                        }
                    }
                    Err(f) => StepResult {
                        step: n + 1,
                        line: *line,
                        what: method.clone(),
                        ok: false,
                        code: f.code,
                        expected: match expect {
                            Expect::Success => false,
                            Expect::Failure(None) => true,
                            Expect::Failure(Some(c)) => f.code == Some(*c),
                        },
                        error: Some(f.text),
                        ms,
                        reply: f.reply,
                    },
                }
            }
            Step::Wait {
                line,
                event,
                fields,
                timeout,
            } => {
                let want: Value =
                    serde_json::from_str(&fill(fields, &with_env(fields, &vars, &env), false))
                        .unwrap_or(Value::Null);
                let matches = |(name, v): &(String, Value)| name == event && includes(v, &want);
                let until = started + *timeout;
                let mut found = seen.iter().position(matches).map(|i| {
                    let e = seen[i].1.clone();
                    seen.drain(..=i);
                    e
                });
                while found.is_none() {
                    match b.event(until).await {
                        Some(e) if matches(&e) => {
                            seen.clear();
                            found = Some(e.1);
                        }
                        Some(e) => seen.push(e),
                        None => break,
                    }
                }
                let ms = started.elapsed().as_millis() as u64;
                let ok = found.is_some();
                StepResult {
                    step: n + 1,
                    line: *line,
                    what: format!("wait {event}"),
                    ok,
                    code: None,
                    error: (!ok).then(|| format!("no {event} within {} s", timeout.as_secs_f64())),
                    ms,
                    reply: found.unwrap_or(Value::Null),
                    expected: ok,
                }
            }
        };
        let r = hidden(r, &secrets);
        report(&r);
        if !r.expected {
            return Err(r);
        }
    }
    Ok(steps.len())
}

/// A result with every secret the script read masked in its error and its reply.
fn hidden(mut r: StepResult, secrets: &[String]) -> StepResult {
    if secrets.is_empty() {
        return r;
    }
    let mask = |s: &str| {
        secrets
            .iter()
            .fold(s.to_string(), |acc, v| acc.replace(v.as_str(), "***"))
    };
    r.error = r.error.as_deref().map(mask);
    let text = r.reply.to_string();
    if secrets.iter().any(|v| text.contains(v.as_str())) {
        r.reply = serde_json::from_str(&mask(&text)).unwrap_or(Value::Null);
    }
    r
}

/// One line for a step's result, as a person reads it.
pub fn describe(r: &StepResult) -> String {
    let mark = if r.expected { "✓" } else { "✗" };
    let what = crate::sanitize::line(&r.what);
    let body = if r.reply.is_null() {
        String::new()
    } else {
        let mut s = crate::sanitize::line(&r.reply.to_string()).into_owned();
        if s.chars().count() > 200 {
            s = s.chars().take(199).collect::<String>() + "…";
        }
        format!(" {s}")
    };
    match (&r.error, r.ok) {
        (Some(e), false) => {
            let code = r.code.map(|c| format!(" ({c})")).unwrap_or_default();
            let want = if r.expected { ", as expected" } else { "" };
            format!(
                "{mark} [{}] line {}: {what} failed{code}{want}: {}{body}",
                r.step,
                r.line,
                crate::sanitize::line(e)
            )
        }
        (Some(e), true) => format!(
            "{mark} [{}] line {}: {what}: {}{body}",
            r.step,
            r.line,
            crate::sanitize::line(e)
        ),
        (None, _) => {
            let surprise = if r.expected {
                ""
            } else {
                " (a failure was expected)"
            };
            format!(
                "{mark} [{}] line {}: {what} ok in {} ms{surprise}{body}",
                r.step, r.line, r.ms
            )
        }
    }
}

mod backends;
pub use backends::{ChatBackend, RoomBackend, chat_refusal, room_refusal};

/// A script line for a request (what the explorer saves). A key `secret` names a variable for
/// (at any depth) is written as `${VARIABLE}` in place of its value (which is never written).
/// Every other `${` is written `\u0024{`: the same text once the line is read as JSON, but
/// never taken for a name, so a message that quotes `${TRUECONF_PASSWORD}` or `${HOME}` is
/// replayed as written instead of being filled in from the environment.
pub fn request_line(
    method: &str,
    params: &Map<String, Value>,
    secret: impl Fn(&str, &Value) -> Option<String>,
) -> String {
    if params.is_empty() {
        return method.to_string();
    }
    format!("{method} {}", object_text(params, &secret))
}

/// An object as script text: each key `secret` names a variable for (at any depth) written as
/// `${VARIABLE}`, every other `${` escaped.
fn object_text(o: &Map<String, Value>, secret: &dyn Fn(&str, &Value) -> Option<String>) -> String {
    let fields: Vec<String> = o
        .iter()
        .map(|(k, v)| {
            let key = literal(&Value::String(k.clone()).to_string());
            match secret(k, v) {
                Some(var) => format!("{key}:\"${{{var}}}\""),
                None => format!("{key}:{}", value_text(v, secret)),
            }
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

fn value_text(v: &Value, secret: &dyn Fn(&str, &Value) -> Option<String>) -> String {
    match v {
        Value::Object(o) => object_text(o, secret),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(|x| value_text(x, secret)).collect();
            format!("[{}]", items.join(","))
        }
        other => literal(&other.to_string()),
    }
}

/// JSON text with every `${` written so that it is not read as a name.
fn literal(json: &str) -> String {
    json.replace("${", "\\u0024{")
}

/// Reads a script file (before any connection is made, so a mistake costs nothing).
pub fn load(path: &std::path::Path) -> Result<Vec<Step>, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| crate::dirs::FileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text).map_err(|source| LoadError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

/// A script file that cannot be run.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    File(#[from] crate::dirs::FileError),
    #[error("{}, {source}", path.display())]
    Parse {
        path: std::path::PathBuf,
        source: ParseError,
    },
}

/// Runs a loaded script, printing each step (as text or JSON lines). The exit code: 0 when
/// every step went as expected, 1 at the first that did not.
pub async fn run_steps<B: Backend>(
    b: &mut B,
    path: &std::path::Path,
    steps: &[Step],
    json: bool,
) -> u8 {
    let print = |r: &StepResult| {
        if json {
            match serde_json::to_string(r) {
                Ok(s) => outln!("{s}"),
                Err(e) => eprintln!("error: cannot print JSON: {e}"),
            }
        } else {
            outln!("{}", describe(r));
        }
    };
    match run(b, steps, print).await {
        Ok(n) => {
            if !json {
                outln!("{n} steps, each as expected");
            }
            0
        }
        Err(r) => {
            eprintln!(
                "error: {} stopped at line {} ({})",
                path.display(),
                r.line,
                crate::sanitize::line(&r.what)
            );
            1
        }
    }
}

#[cfg(test)]
#[path = "script_tests.rs"]
mod tests;
