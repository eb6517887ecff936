//! What the explorer keeps of what it sent: the history (every request, secrets masked, saved
//! across runs) and this run's requests with their outcomes, which `Ctrl-O` saves as a script
//! that `room run` / `chat run` replay (src/script.rs): a request that failed is saved as
//! expected to fail, and a secret as a reference to the environment variable it is read from.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::explorer::Api;
use super::explorer_template::secret_env;
use super::{Cmd, Model, NoticeLevel};

/// A request as sent (and as the history keeps it). Secrets are masked before it is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    pub api: Api,
    pub method: String,
    /// The parameters, compact JSON.
    pub params: String,
}

/// A request of this run and how it went, for a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tried {
    /// The explorer's request id.
    pub id: u64,
    pub sent: Sent,
    /// None while no answer came; Some(Ok) for a success; Some(Err(code)) for a failure, with
    /// the chat error code when there was one.
    pub outcome: Option<Result<(), Option<u32>>>,
}

/// At most this many requests are kept in the history.
pub const HISTORY_KEEP: usize = 200;

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

/// A request was handed to the link: kept in the history (saved) and in this run's list.
pub(super) fn keep(m: &mut Model, id: u64, sent: Sent) -> Vec<Cmd> {
    m.explorer.session.push(Tried {
        id,
        sent: sent.clone(),
        outcome: None,
    });
    m.explorer.history.push(sent);
    let over = m.explorer.history.len().saturating_sub(HISTORY_KEEP);
    m.explorer.history.drain(..over);
    vec![Cmd::SaveExplorerHistory(m.explorer.history.clone())]
}

/// The answer to request `id`, for its script line.
pub(super) fn answered(m: &mut Model, id: u64, outcome: Result<(), Option<u32>>) {
    if let Some(t) = m.explorer.session.iter_mut().rev().find(|t| t.id == id) {
        t.outcome = Some(outcome);
    }
}

/// A request of this run as script lines: `!` (or `!CODE`) before one that failed, a comment
/// above one that had no answer yet.
pub fn script_lines(t: &Tried) -> Vec<String> {
    let params = serde_json::from_str::<Value>(&t.sent.params)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    // Each secret goes by the variable the script runner reads it from (its value was never
    // kept).
    let line = crate::script::request_line(&t.sent.method, &params, |k, v| {
        secret_env(t.sent.api, &t.sent.method, k)
            .filter(|_| crate::app::explorer_template::holds_secret(v))
    });
    match t.outcome {
        Some(Err(Some(code))) => vec![format!("!{code} {line}")],
        Some(Err(None)) => vec![format!("! {line}")],
        Some(Ok(())) => vec![line],
        None => vec!["# no answer had come when this was saved:".into(), line],
    }
}

/// Ctrl-O: this run's requests to the shown API, as a script file.
pub(super) fn save_script(m: &mut Model, api: Api) -> Vec<Cmd> {
    let mut lines: Vec<String> = m
        .explorer
        .session
        .iter()
        .filter(|t| t.sent.api == api)
        .flat_map(script_lines)
        .collect();
    if lines.is_empty() {
        m.notify(
            NoticeLevel::Info,
            "Nothing sent to this API yet: nothing to save",
        );
        return vec![];
    }
    // The variables the lines read (every other `${` was written so as not to be one).
    let vars: Vec<String> = crate::script::parse(&lines.join("\n"))
        .map(|steps| {
            let mut v: Vec<String> = crate::script::env_names(&steps)
                .into_iter()
                .map(|(n, _)| n)
                .collect();
            v.sort_unstable();
            v
        })
        .unwrap_or_default();
    if !vars.is_empty() {
        lines.insert(
            0,
            format!(
                "# Secrets are read from the environment when this runs: {}",
                vars.join(", ")
            ),
        );
    }
    vec![Cmd::SaveScript { api, lines }]
}

#[cfg(test)]
#[path = "explorer_script_tests.rs"]
mod tests;
