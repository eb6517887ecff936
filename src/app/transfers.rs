//! Files going up and down: the transfers the history shows, from the request to the end.

use super::{Cmd, Mode, Model, NoticeLevel, TransferState, TransferView};
use crate::chat::types::{Content, Envelope};
use crate::sanitize;

pub(super) fn next_transfer_id(m: &Model) -> u64 {
    m.transfers.items.iter().map(|t| t.id).max().unwrap_or(0) + 1
}

pub(super) fn download(m: &mut Model, chat_id: &str, e: &Envelope) -> Vec<Cmd> {
    let Content::Attachment {
        name,
        size,
        file_id,
        ..
    } = &e.content
    else {
        m.notify(NoticeLevel::Info, "This message has no attachment");
        return vec![];
    };
    // Downloaded already: opened (the effect says so if the file has gone since), or, over
    // SSH, said where it was saved.
    let saved = m
        .transfers
        .items
        .iter()
        .rev()
        .find(|t| {
            t.message_id.as_deref() == Some(e.message_id.as_str())
                && t.state == TransferState::Done
                && !t.upload
        })
        .and_then(|t| t.path.clone());
    if let Some(path) = saved {
        let shown = sanitize::line(&path.display().to_string()).into_owned();
        if m.ui.term.remote {
            m.notify(
                NoticeLevel::Info,
                format!("Downloaded to {shown} (over SSH: nothing is opened on this machine)"),
            );
            return vec![];
        }
        m.notify(NoticeLevel::Info, format!("Opening {shown}"));
        return vec![Cmd::OpenFile(path)];
    }
    if m.transfers.items.iter().any(|t| {
        t.message_id.as_deref() == Some(e.message_id.as_str()) && t.state == TransferState::Running
    }) {
        m.notify(NoticeLevel::Info, "Already downloading");
        return vec![];
    }
    let id = next_transfer_id(m);
    m.transfers.items.push(TransferView {
        id,
        chat_id: chat_id.to_string(),
        message_id: Some(e.message_id.clone()),
        name: sanitize::line(name).into_owned(),
        path: None,
        upload: false,
        done: 0,
        total: *size,
        state: TransferState::Running,
        source: super::TransferSource::Download {
            file_id: file_id.clone(),
            name: name.clone(),
        },
    });
    m.touch();
    vec![Cmd::Download {
        id,
        file_id: file_id.clone(),
        dir: m.transfers.download_dir.clone(),
        name: name.clone(),
    }]
}

/// A transfer's local path became known.
pub(super) fn transfer_path(m: &mut Model, id: u64, path: std::path::PathBuf, total: u64) {
    if let Some(t) = m.transfers.items.iter_mut().find(|t| t.id == id) {
        t.path = Some(path);
        t.total = total;
        m.touch();
    }
}

/// Progress from the link, by local path. Redraws only when the shown percentage changes.
pub(super) fn transfer_progress(m: &mut Model, t: &crate::chat::Transfer) {
    let Some(v) = m.transfers.items.iter_mut().find(|v| {
        v.state == TransferState::Running
            && v.upload == t.upload
            && v.path.as_deref() == Some(t.path.as_path())
    }) else {
        return;
    };
    let pct = |done: u64, total: u64| (done * 100).checked_div(total).unwrap_or(0);
    let before = pct(v.done, v.total);
    v.done = t.done;
    if t.total > 0 {
        v.total = t.total;
    }
    if pct(v.done, v.total) != before {
        m.touch();
    }
}

pub(super) fn transfer_done(
    m: &mut Model,
    id: u64,
    result: Result<(), super::AppError>,
) -> Vec<Cmd> {
    let Some(t) = m.transfers.items.iter_mut().find(|t| t.id == id) else {
        return vec![];
    };
    let path = t
        .path
        .as_ref()
        .map(|p| sanitize::line(&p.display().to_string()).into_owned())
        .unwrap_or_default();
    let (upload, chat_id, name) = (t.upload, t.chat_id.clone(), t.name.clone());
    let mut cmds = vec![];
    match result {
        Ok(()) => {
            t.state = TransferState::Done;
            t.done = t.total;
            if upload {
                m.notify(NoticeLevel::Info, format!("Sent {name}"));
                if m.chat.open.as_ref().is_some_and(|o| o.chat_id == chat_id) {
                    cmds.push(Cmd::LoadHistory {
                        chat_id,
                        before: None,
                    });
                }
            } else {
                m.notify(NoticeLevel::Info, format!("Downloaded to {path}"));
            }
        }
        Err(e) => {
            let e = sanitize::line(&e.to_string()).into_owned();
            t.state = TransferState::Failed(e.clone());
            let what = if upload { "send" } else { "download" };
            m.notify(NoticeLevel::Error, format!("Cannot {what} {name}: {e}"));
        }
    }
    m.touch();
    cmds
}

/// Enter in the upload prompt: the file goes up to the open chat (replying, if the draft was).
pub(super) fn upload(m: &mut Model, typed: &str) -> Vec<Cmd> {
    let Some(chat_id) = m.chat.open.as_ref().map(|o| o.chat_id.clone()) else {
        m.mode = Mode::Normal;
        m.touch();
        return vec![];
    };
    if typed.is_empty() {
        return vec![];
    }
    // A path pasted from a file manager may come quoted.
    let typed = typed.trim_matches(|c| c == '\'' || c == '"');
    // As typed: the effect expands `~` (reading the environment is not update's job) and
    // reports the path it opened.
    let path = std::path::PathBuf::from(typed);
    let name = path
        .file_name()
        .map(|n| sanitize::line(&n.to_string_lossy()).into_owned())
        .unwrap_or_else(|| sanitize::line(typed).into_owned());
    let reply_to = m
        .composer
        .drafts
        .get_mut(&chat_id)
        .and_then(|d| d.reply_to.take());
    let id = next_transfer_id(m);
    m.transfers.items.push(TransferView {
        id,
        chat_id: chat_id.clone(),
        message_id: None,
        name,
        path: None,
        upload: true,
        done: 0,
        total: 0,
        state: TransferState::Running,
        source: super::TransferSource::Upload {
            path: path.clone(),
            reply_to: reply_to.clone(),
        },
    });
    m.mode = Mode::Normal;
    m.touch();
    vec![Cmd::Upload {
        id,
        chat_id,
        path,
        reply_to,
    }]
}

/// The command that starts transfer `id` again from its source (a failed one, retried).
pub(super) fn restart(m: &mut Model, id: u64) -> Option<Cmd> {
    let dir = m.transfers.download_dir.clone();
    let t = m.transfers.items.iter_mut().find(|t| t.id == id)?;
    t.state = TransferState::Running;
    t.done = 0;
    m.touch();
    let t = m.transfers.items.iter().find(|t| t.id == id)?;
    Some(match &t.source {
        super::TransferSource::Upload { path, reply_to } => Cmd::Upload {
            id,
            chat_id: t.chat_id.clone(),
            path: path.clone(),
            reply_to: reply_to.clone(),
        },
        super::TransferSource::Download { file_id, name } => Cmd::Download {
            id,
            file_id: file_id.clone(),
            dir,
            name: name.clone(),
        },
    })
}

#[cfg(test)]
#[path = "transfers_tests.rs"]
mod tests;

/// The files among `msgs` that were still uploading when they were posted.
pub(super) fn uploading_ids<'a>(msgs: impl IntoIterator<Item = &'a Envelope>) -> Vec<String> {
    msgs.into_iter()
        .filter_map(|e| match &e.content {
            Content::Attachment {
                file_id,
                ready_state: Some(crate::chat::types::ReadyState::Uploading),
                ..
            } if !file_id.is_empty() => Some(file_id.clone()),
            _ => None,
        })
        .collect()
}

/// Follows the files among `ids` not followed yet (or whose fate the console could not learn
/// last time): what the server says of each comes back as `Msg::UploadSeen`.
pub(super) fn follow_uploads(m: &mut Model, ids: Vec<String>) -> Vec<Cmd> {
    use crate::chat::files::UploadSeen;
    let mut cmds = Vec::new();
    for file_id in ids {
        let again = matches!(
            m.chat.uploads.get(&file_id),
            None | Some(Some(UploadSeen::Unknown(_)))
        );
        if again {
            m.chat.uploads.insert(file_id.clone(), None);
            cmds.push(Cmd::FollowUpload { file_id });
        }
    }
    cmds
}

/// What the server says of a followed file: kept for the label; READY or gone also change the
/// file's state in the open chat's messages.
pub(super) fn upload_seen(
    m: &mut Model,
    file_id: &str,
    seen: crate::chat::files::UploadSeen,
) -> Vec<Cmd> {
    use crate::chat::files::UploadSeen;
    use crate::chat::types::ReadyState;
    let now = match seen {
        UploadSeen::Ready => Some(ReadyState::Ready),
        UploadSeen::Gone => Some(ReadyState::NotAvailable),
        _ => None,
    };
    let mut changed = Vec::new();
    if let (Some(now), Some(o)) = (now, m.chat.open.as_mut()) {
        let holding: Vec<usize> = (0..o.messages.len())
            .rev()
            .filter(|&i| {
                o.messages.get(i).is_some_and(|e| {
                    matches!(&e.content, Content::Attachment { file_id: f, .. } if f == file_id)
                })
            })
            .collect();
        for i in holding {
            if let Some(Content::Attachment { ready_state, .. }) =
                o.messages.get_mut(i).map(|e| &mut e.content)
            {
                *ready_state = Some(now);
            }
            changed.extend(o.messages.get(i).cloned());
        }
    }
    m.chat.uploads.insert(file_id.to_string(), Some(seen));
    m.touch();
    // The store keeps the file as it is now: read offline after a restart it is not shown
    // as still uploading.
    if changed.is_empty() {
        return vec![];
    }
    vec![Cmd::StoreWrite(Box::new(crate::store::Write::Messages(
        changed,
    )))]
}
