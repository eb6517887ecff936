//! The outbox view: everything written or sent that has not reached the server — messages
//! waiting, being checked or refused, files going up or failed — in every chat, including
//! chats no longer in the list. Each can be tried again (`t`) or dropped (`d`, asks first).

use super::composer::{OutState, save_outbox};
use super::{Answer, Cmd, Confirmed, Mode, Model, Msg, NoticeLevel, TransferState};
use crate::keys::{Action, Context, KeySpec};
use crate::sanitize;

/// One row of the outbox view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxItem {
    /// A message in the composer's outbox, by its local id.
    Message(u64),
    /// A file transfer that is running or failed, by its id.
    Transfer(u64),
}

/// A row as the view draws it (every text cleaned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub item: OutboxItem,
    /// The chat's title, or its id and "(not in the chat list)".
    pub chat: String,
    /// Where it stands: "waiting for the link", "not sent: …".
    pub state: String,
    /// Something went wrong with it (refused, failed, or its fate unknown).
    pub trouble: bool,
    /// The message's text or the file's name, on one line.
    pub what: String,
}

/// The rows, messages first in the order they will go, then transfers.
pub fn rows(m: &Model) -> Vec<OutboxRow> {
    let chat = |id: &str| match m.chat.list.items.iter().find(|c| c.id == id) {
        Some(c) => m
            .chat
            .names
            .get(&c.title)
            .cloned()
            .unwrap_or(c.title.clone()),
        None => format!("{} (not in the chat list)", sanitize::line(id)),
    };
    let mut out: Vec<OutboxRow> = m
        .composer
        .outbox
        .iter()
        .map(|o| {
            let (state, trouble) = match &o.state {
                OutState::Pending if m.chat.link.is_up() => ("waiting its turn".to_string(), false),
                OutState::Pending => ("waiting for the link".to_string(), false),
                OutState::Sending => ("sending".to_string(), false),
                OutState::Uncertain if o.checking => ("checking whether it arrived".into(), true),
                OutState::Uncertain => match &o.stuck {
                    Some(why) => (format!("not known whether it arrived: {why}"), true),
                    None => ("to be checked whether it arrived".into(), true),
                },
                OutState::Failed(e) => (format!("not sent: {e}"), true),
            };
            let kind = if o.edit_of.is_some() { "edit: " } else { "" };
            OutboxRow {
                item: OutboxItem::Message(o.local_id),
                chat: chat(&o.chat_id),
                state,
                trouble,
                what: format!("{kind}{}", one_line(&o.text)),
            }
        })
        .collect();
    for t in &m.transfers.items {
        let (state, trouble) = match &t.state {
            TransferState::Done => continue,
            TransferState::Running if t.upload => ("sending the file".to_string(), false),
            TransferState::Running => ("downloading".to_string(), false),
            TransferState::Failed(e) if t.upload => (format!("not sent: {e}"), true),
            TransferState::Failed(e) => (format!("not downloaded: {e}"), true),
        };
        out.push(OutboxRow {
            item: OutboxItem::Transfer(t.id),
            chat: chat(&t.chat_id),
            state,
            trouble,
            what: format!("📎 {}", t.name),
        });
    }
    out
}

/// At most `n` characters of `s`, with "…" when cut.
fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn one_line(s: &str) -> String {
    sanitize::line(&s.split_whitespace().collect::<Vec<_>>().join(" ")).into_owned()
}

/// Opens the view on its first row.
pub(super) fn open(m: &mut Model) {
    m.mode = Mode::Outbox { selected: 0 };
    m.touch();
}

pub(super) fn on_key(m: &mut Model, key: KeySpec, selected: usize) -> Vec<Cmd> {
    let rows = rows(m);
    let n = rows.len();
    let action = m.ui.keys.lookup(key, &[Context::History, Context::Global]);
    let sel = selected.min(n.saturating_sub(1));
    match action {
        Some(Action::Up) => {
            m.mode = Mode::Outbox {
                selected: sel.saturating_sub(1),
            }
        }
        Some(Action::Down) => {
            m.mode = Mode::Outbox {
                selected: (sel + 1).min(n.saturating_sub(1)),
            }
        }
        Some(Action::Back | Action::Outbox | Action::Quit) => m.mode = Mode::Normal,
        Some(Action::Retry) => {
            let Some(row) = rows.get(sel) else {
                return vec![];
            };
            return retry(m, row.item);
        }
        Some(Action::Delete) => {
            let Some(row) = rows.get(sel) else {
                return vec![];
            };
            let what = match row.item {
                OutboxItem::Message(_) => "this message",
                OutboxItem::Transfer(_) => "this file",
            };
            let question = format!("Drop {what} from the outbox? “{}”", clip(&row.what, 40));
            m.mode = Mode::Outbox { selected: sel };
            super::prompts::confirm(
                m,
                question,
                vec![Answer {
                    key: 'y',
                    label: "drop it".into(),
                    msg: Msg::Confirmed(Confirmed::Discard(row.item)),
                }],
            );
            return vec![];
        }
        _ => return vec![],
    }
    m.touch();
    vec![]
}

/// Tries one item again: a refused message is sent again, one whose fate is unknown is
/// checked again, a failed transfer starts over.
fn retry(m: &mut Model, item: OutboxItem) -> Vec<Cmd> {
    match item {
        OutboxItem::Message(id) => {
            let Some(o) = m.composer.outbox.iter_mut().find(|o| o.local_id == id) else {
                return vec![];
            };
            match o.state {
                OutState::Failed(_) => o.state = OutState::Pending,
                OutState::Uncertain if !o.checking => o.stuck = None,
                _ => {
                    m.notify(NoticeLevel::Info, "It is on its way already");
                    return vec![];
                }
            }
            m.notify(NoticeLevel::Info, "Trying it again");
            let mut cmds: Vec<Cmd> = save_outbox(m).into_iter().collect();
            cmds.extend(super::composer::flush_outbox(m));
            cmds.dedup();
            cmds
        }
        OutboxItem::Transfer(id) => {
            let failed = m
                .transfers
                .items
                .iter()
                .any(|t| t.id == id && matches!(t.state, TransferState::Failed(_)));
            if !failed {
                m.notify(NoticeLevel::Info, "It is on its way already");
                return vec![];
            }
            m.notify(NoticeLevel::Info, "Trying it again");
            super::transfers::restart(m, id).into_iter().collect()
        }
    }
}

/// The answer "drop it": the item leaves the outbox (and the saved outbox).
pub(super) fn discard(m: &mut Model, item: OutboxItem) -> Vec<Cmd> {
    m.touch();
    match item {
        OutboxItem::Message(id) => {
            let before = m.composer.outbox.len();
            m.composer
                .outbox
                .retain(|o| o.local_id != id || o.state == OutState::Sending);
            if m.composer.outbox.len() == before {
                m.notify(
                    NoticeLevel::Info,
                    "It is being sent: it cannot be dropped now",
                );
                return vec![];
            }
            m.notify(NoticeLevel::Info, "Dropped from the outbox");
            // What waited behind it in its chat may go now.
            let mut cmds: Vec<Cmd> = save_outbox(m).into_iter().collect();
            cmds.extend(super::composer::flush_outbox(m));
            cmds
        }
        OutboxItem::Transfer(id) => {
            let before = m.transfers.items.len();
            m.transfers
                .items
                .retain(|t| t.id != id || t.state == TransferState::Running);
            if m.transfers.items.len() == before {
                m.notify(
                    NoticeLevel::Info,
                    "It is being sent: it cannot be dropped now",
                );
                return vec![];
            }
            m.notify(NoticeLevel::Info, "Dropped from the outbox");
            vec![]
        }
    }
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
