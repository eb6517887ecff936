//! The history's cursor and the actions on the selected message (reply, edit, delete,
//! forward, download), sending files, creating chats, the confirmation and picker overlays,
//! and the Room's hang-up-for-all and volume. Pure, like the rest of `update`.

use super::{Answer, ChatOp, Cmd, Confirmed, Mode, Model, Msg, NewChatKind, NoticeLevel, Older};
use crate::chat::types::{Content, Envelope};
use crate::keys::Action;
use crate::sanitize;

/// Messages per history page.
pub const HISTORY_PAGE: u64 = 100;

/// How close to the oldest loaded message the cursor gets before the next page is asked for.
const LOAD_AHEAD: usize = 10;

/// A chat opened with more unread messages than the pane shows: the cursor goes to the
/// first of them (the "new messages" line above it in view) rather than following the newest,
/// which would scroll the line and the oldest unread messages off the top.
fn open_at_unread(m: &mut Model) {
    let Some(o) = m.chat.open.as_ref() else {
        return;
    };
    let Some(first) = o.first_unread.clone() else {
        return;
    };
    if o.selected.is_some() {
        return;
    }
    let Some(at) = o.messages.position(&first) else {
        return;
    };
    // Laid out as the history draws them (wrapped, with their headers).
    if !crate::ui::fits_from(m, at)
        && let Some(o) = m.chat.open.as_mut()
    {
        o.selected = Some(first);
    }
}

/// `/` in the history: asks what to search for in the open chat.
pub fn open_search(m: &mut Model) {
    if m.chat.open.is_none() {
        return;
    }
    m.mode = super::Mode::Prompt(super::Prompt::Search {
        query: Default::default(),
    });
    m.touch();
}

/// Runs a search over the loaded messages: the cursor goes to the nearest match above it
/// (the newest, when following the newest); what was searched says how far it reached.
pub fn run_search(m: &mut Model, query: &str) {
    let Some(o) = m.chat.open.as_mut() else {
        return;
    };
    let query = query.trim();
    if query.is_empty() {
        o.search = None;
        m.touch();
        return;
    }
    o.search = Some(if query.chars().any(char::is_uppercase) {
        query.to_string()
    } else {
        query.to_lowercase()
    });
    let count = o.search_count();
    let loaded = o.messages.len();
    let reach = if o.older == Older::Complete {
        format!("the {loaded} messages of the chat")
    } else {
        format!("the {loaded} loaded messages (older ones are read as you scroll up)")
    };
    let shown = sanitize::line(query).into_owned();
    let found = o
        .search_from_cursor(true)
        .or_else(|| o.search_from_cursor(false));
    if let Some(i) = found {
        o.selected = Some(o.messages[i].message_id.clone());
    }
    let text = match count {
        0 => format!("No match for “{shown}” in {reach}"),
        n => format!(
            "{n} match{} for “{shown}” in {reach}: {} older, {} newer",
            if n == 1 { "" } else { "es" },
            m.ui.keys.describe(Action::SearchOlder),
            m.ui.keys.describe(Action::SearchNewer),
        ),
    };
    m.notify(NoticeLevel::Info, text);
    m.touch();
}

/// `n` / `N`: the cursor to the next older / newer match.
pub fn search_step(m: &mut Model, older: bool) -> Vec<Cmd> {
    let Some(o) = m.chat.open.as_mut() else {
        return vec![];
    };
    if o.search.is_none() {
        m.notify(
            NoticeLevel::Info,
            format!(
                "No search: {} searches this chat",
                m.ui.keys.describe(Action::Search)
            ),
        );
        return vec![];
    }
    match o.search_from_cursor(older) {
        Some(i) => {
            o.selected = Some(o.messages[i].message_id.clone());
            m.touch();
            load_older(m)
        }
        None => {
            let more = o.older == Older::More && older;
            m.notify(
                NoticeLevel::Info,
                if !older {
                    "No newer match".to_string()
                } else if more {
                    "No older match among the loaded messages: scroll up to read more, then search again".to_string()
                } else {
                    "No older match: this is the start of the chat".to_string()
                },
            );
            vec![]
        }
    }
}

/// Up, Down, Esc and End in the history pane.
pub fn history_move(m: &mut Model, action: Action) -> Vec<Cmd> {
    let Some(o) = m.chat.open.as_mut() else {
        return vec![];
    };
    match action {
        Action::Up => o.step(-1),
        Action::Down => o.step(1),
        Action::PageUp => o.step(-10),
        Action::PageDown => o.step(10),
        _ => {
            o.selected = None;
            o.new_below = 0;
            o.owed = 0;
            // The store's copy (a search result opened, say) is left for the server's newest
            // page when the link is up; a window that stops short of the newest is let go for
            // the newest page (from the store when the link is down).
            if (o.from_store && m.chat.link.is_up()) || o.newer.detached {
                if o.newer.detached {
                    o.messages.clear();
                    o.newer = super::Newer::default();
                    o.gap_top = None;
                    o.older = Older::More;
                }
                o.state = super::Loadable::Loading;
                let chat_id = o.chat_id.clone();
                m.touch();
                return vec![Cmd::LoadHistory {
                    chat_id,
                    before: None,
                }];
            }
        }
    }
    m.touch();
    load_older(m)
}

/// The wheel over the history: the cursor moves `delta` messages (and older pages load as
/// it nears the top), without taking the keyboard from where it is.
pub fn scroll(m: &mut Model, delta: isize) -> Vec<Cmd> {
    let Some(o) = m.chat.open.as_mut() else {
        return vec![];
    };
    o.step(delta);
    m.touch();
    load_older(m)
}

/// Asks for the page before the oldest message held once the cursor is near it, or for the
/// page after the newest held when the window stops short of the chat's newest.
pub(super) fn load_older(m: &mut Model) -> Vec<Cmd> {
    let mut cmds = load_newer(m);
    cmds.extend(load_before(m));
    cmds
}

/// The page after the window's last message, once the cursor is near it (see `window.rs`).
fn load_newer(m: &mut Model) -> Vec<Cmd> {
    let up = m.chat.link.is_up();
    let Some(o) = m.chat.open.as_mut() else {
        return vec![];
    };
    let n = o.messages.len();
    let near = o.selected_index().is_some_and(|i| i + LOAD_AHEAD >= n);
    if !near || !o.newer.detached || o.newer.loading || o.state != super::Loadable::Ready {
        return vec![];
    }
    let Some(last) = o.messages.last().map(|e| e.message_id.clone()) else {
        return vec![];
    };
    o.newer.loading = true;
    let chat_id = o.chat_id.clone();
    match o.newer_source(up) {
        Some(source) => vec![Cmd::LoadNewer {
            chat_id,
            after: last,
            source,
        }],
        // The chunks are all back: the newest page, which meets the window or fills the gap
        // down to it.
        None => vec![Cmd::LoadHistory {
            chat_id,
            before: None,
        }],
    }
}

/// A newer page arrived (or could not be read).
pub fn newer_loaded(
    m: &mut Model,
    chat_id: &str,
    after: &str,
    stored: bool,
    result: Result<Vec<Envelope>, super::AppError>,
) -> bool {
    let Some(open) = m.chat.open.as_mut().filter(|o| o.chat_id == chat_id) else {
        return false;
    };
    // The window moved on since it was asked for (End, a new page): it no longer fits.
    if !open.newer.loading || open.messages.last().map(|e| e.message_id.as_str()) != Some(after) {
        return false;
    }
    match result {
        Ok(page) => {
            let got = page.len();
            open.merge(page);
            open.newer_arrived(got, stored);
            open.restore_removed(&m.chat.removed);
        }
        Err(e) => {
            open.newer.loading = false;
            m.notify(
                NoticeLevel::Error,
                format!(
                    "Cannot load newer messages: {} ({} goes to the newest)",
                    sanitize::line(&e.to_string()),
                    m.ui.keys.describe(Action::Newest)
                ),
            );
        }
    }
    m.touch();
    true
}

/// The store's copy read down to its newest with the link up: the server's newest page
/// takes over (as End would), so that the title stops saying "stored copy" over messages that
/// arrive live, and what was edited or deleted meanwhile shows as the server has it. The
/// cursor stays on its message when the page holds it.
pub fn hand_over_to_the_server(m: &mut Model) -> Vec<Cmd> {
    let up = m.chat.link.is_up();
    let Some(o) = m.chat.open.as_mut() else {
        return vec![];
    };
    if !up
        || !o.from_store
        || o.newer.detached
        || o.newer.loading
        || o.state != super::Loadable::Ready
    {
        return vec![];
    }
    o.state = super::Loadable::Loading;
    vec![Cmd::LoadHistory {
        chat_id: o.chat_id.clone(),
        before: None,
    }]
}

/// Asks for the page before the oldest message once the cursor is near it.
fn load_before(m: &mut Model) -> Vec<Cmd> {
    let Some(o) = m.chat.open.as_mut() else {
        return vec![];
    };
    let near = o.selected_index().is_some_and(|i| i < LOAD_AHEAD);
    if !near || o.older != Older::More || o.state != super::Loadable::Ready {
        return vec![];
    }
    let Some(first) = o.messages.first() else {
        return vec![];
    };
    o.older = Older::Loading;
    vec![Cmd::LoadHistory {
        chat_id: o.chat_id.clone(),
        before: Some(first.message_id.clone()),
    }]
}

/// A page arrived. The newest page, or an older one (`before`).
pub fn history_loaded(
    m: &mut Model,
    chat_id: &str,
    before: Option<String>,
    result: Result<Vec<Envelope>, super::AppError>,
    gap_below: &mut Option<String>,
    stored: bool,
) -> bool {
    let Some(open) = m.chat.open.as_mut().filter(|o| o.chat_id == chat_id) else {
        return false;
    };
    // The window let go of the message this page is older than (it moved on, or was read
    // again): the page no longer meets it.
    if before.as_ref().is_some_and(|b| !open.messages.contains(b)) {
        if open.older == Older::Loading {
            open.older = Older::More;
        }
        return false;
    }
    match (result, before) {
        (Ok(page), before) => {
            if before.is_none() {
                // The newest page: the window reaches the newest again.
                open.newer = super::Newer::default();
                if !stored && open.from_store {
                    // The server's newest page after the store's copy: what the store showed
                    // is dropped (it may hold messages edited or deleted since), and older
                    // pages come from the server again.
                    open.messages.clear();
                    open.older = Older::More;
                }
                open.from_store = stored;
            }
            let n = open.messages.len();
            let got = page.len() as u64;
            // A full page that meets nothing held (none of its messages is held), with older
            // messages held below it (the newest page after a reconnect, say), may leave a
            // gap: the page before it is read too, and so on until they meet. (By id, through
            // the index: never a walk over what is held.)
            let lo = page.iter().map(|e| e.timestamp).min();
            *gap_below = match lo {
                Some(lo)
                    if got >= HISTORY_PAGE
                        && open.messages.oldest_time().is_some_and(|t| t < lo)
                        && !page.iter().any(|e| open.messages.contains(&e.message_id)) =>
                {
                    page.iter()
                        .min_by_key(|e| e.timestamp)
                        .map(|e| e.message_id.clone())
                }
                _ => None,
            };
            // A page before the oldest held (not one filling a gap higher up, which says
            // nothing of where the chat starts).
            let at_front = before
                .as_ref()
                .is_some_and(|b| open.messages.first().is_some_and(|f| f.message_id == *b));
            open.gap_top = gap_below.clone();
            open.merge(page);
            let added = open.messages.len() > n;
            if at_front || (before.is_none() && open.older == Older::More) {
                // A short page, or one with nothing new, is the start of the chat.
                open.older = if got < HISTORY_PAGE || (before.is_some() && !added) {
                    Older::Complete
                } else {
                    Older::More
                };
            }
            let first_page = open.state != super::Loadable::Ready;
            open.state = super::Loadable::Ready;
            open.restore_removed(&m.chat.removed);
            open.fit_window();
            open.mark_unread_from_open(
                m.chat.me.as_deref(),
                m.chat.read_marks.get(chat_id).copied(),
            );
            if before.is_none()
                && !stored
                && let Some(t) = open.messages.iter().map(|e| e.timestamp).max()
            {
                // The newest page read (the store records it as read too).
                let mark = m.chat.read_marks.entry(chat_id.to_string()).or_insert(t);
                *mark = (*mark).max(t);
            }
            m.chat.list.mark_read(chat_id);
            if first_page {
                open_at_unread(m);
            }
        }
        (Err(e), None) => {
            open.state = super::Loadable::Failed(sanitize::line(&e.to_string()).into_owned());
        }
        (Err(e), Some(_)) => {
            open.older = Older::More;
            m.notify(
                NoticeLevel::Error,
                format!(
                    "Cannot load older messages: {}",
                    sanitize::line(&e.to_string()).into_owned()
                ),
            );
        }
    }
    m.touch();
    true
}

/// The message the history cursor is on, or a notice saying how to pick one.
fn selected(m: &mut Model) -> Option<Envelope> {
    let e = m
        .chat
        .open
        .as_ref()
        .and_then(|o| o.selected_message())
        .cloned();
    if e.is_none() {
        let up = m.ui.keys.describe(Action::Up);
        m.notify(
            NoticeLevel::Info,
            format!("Select a message first: {up} in the history"),
        );
    }
    e
}

fn is_deleted(m: &Model, id: &str) -> bool {
    m.chat.open.as_ref().is_some_and(|o| o.deleted.contains(id))
}

/// Reply, Edit, Delete, Forward, Download and Upload in the history pane.
pub fn message_action(m: &mut Model, action: Action) -> Vec<Cmd> {
    let Some(chat_id) = m.chat.open.as_ref().map(|o| o.chat_id.clone()) else {
        m.notify(NoticeLevel::Info, "Open a chat first");
        return vec![];
    };
    if action == Action::Upload {
        super::prompts::open_upload(m);
        return vec![];
    }
    let Some(e) = selected(m) else {
        return vec![];
    };
    if is_deleted(m, &e.message_id) {
        m.notify(NoticeLevel::Info, "That message was deleted");
        return vec![];
    }
    match action {
        Action::Reply => {
            let d = m.composer.drafts.entry(chat_id).or_default();
            d.reply_to = Some(e.message_id);
            d.edit_of = None;
            m.mode = Mode::Composing;
            m.touch();
        }
        Action::Edit => {
            let mine = m.chat.me.as_deref() == Some(e.author.id.as_str());
            let Content::Text {
                text, parse_mode, ..
            } = &e.content
            else {
                m.notify(NoticeLevel::Info, "Only text messages can be edited");
                return vec![];
            };
            if !mine {
                m.notify(NoticeLevel::Info, "Only your own messages can be edited");
                return vec![];
            }
            let d = m.composer.drafts.entry(chat_id).or_default();
            if !d.editor.is_blank() && d.edit_of.as_deref() != Some(e.message_id.as_str()) {
                m.notify(
                    NoticeLevel::Warn,
                    "The composer holds a draft: send it or clear it before editing",
                );
                return vec![];
            }
            d.editor.set(text);
            d.parse_mode = super::ParseMode::from_wire(parse_mode);
            d.edit_of = Some(e.message_id);
            d.reply_to = None;
            m.mode = Mode::Composing;
            m.touch();
        }
        Action::Delete => {
            let op = |for_all| {
                Msg::Confirmed(Confirmed::Chat(ChatOp::Delete {
                    chat_id: chat_id.clone(),
                    message_id: e.message_id.clone(),
                    for_all,
                }))
            };
            let answers = vec![
                Answer {
                    key: 'm',
                    label: "for me".into(),
                    msg: op(false),
                },
                Answer {
                    key: 'e',
                    label: "for everyone".into(),
                    msg: op(true),
                },
            ];
            super::prompts::confirm(m, format!("Delete “{}”?", preview(&e)), answers);
        }
        Action::Forward => {
            super::prompts::open_forward(m, e.message_id, &chat_id);
        }
        Action::Copy => {
            let text = match &e.content {
                Content::Text { text, .. } => text.clone(),
                _ => e.summary(),
            };
            return super::notify::copy(m, &text, "message");
        }
        Action::Download => return super::transfers::download(m, &chat_id, &e),
        _ => {}
    }
    vec![]
}

/// A message's text on one short line, inert.
fn preview(e: &Envelope) -> String {
    let s = sanitize::line(&e.summary()).into_owned();
    match s.char_indices().nth(40) {
        Some((b, _)) => format!("{}…", &s[..b]),
        None => s,
    }
}

pub fn chat_done(
    m: &mut Model,
    op: ChatOp,
    result: Result<Option<String>, super::AppError>,
) -> Vec<Cmd> {
    let e = match result {
        Err(e) => e,
        Ok(new_id) => {
            let mut cmds = vec![];
            let mut text = op.describe().to_string();
            match &op {
                ChatOp::Delete {
                    chat_id,
                    message_id,
                    ..
                } => {
                    if let Some(o) = m.chat.open.as_mut().filter(|o| &o.chat_id == chat_id) {
                        o.mark_deleted(message_id, &mut m.chat.removed);
                    }
                }
                ChatOp::Forward { to_chat, .. } => {
                    if let Some(c) = m.chat.list.items.iter().find(|c| &c.id == to_chat) {
                        let shown = m.chat.names.get(&c.title).unwrap_or(&c.title);
                        text = format!("Forwarded to {shown}");
                    }
                }
                ChatOp::Create { kind, arg } => {
                    if let Some(id) = new_id {
                        // Open it; the list reloads with it, unfiltered so that it shows.
                        m.chat.filter = Default::default();
                        m.chat.list.selected = Some(id.clone());
                        m.ui.focus = super::Pane::History;
                        m.chat.open = Some(super::OpenChat {
                            chat_id: id.clone(),
                            title: sanitize::line(arg).into_owned(),
                            state: super::Loadable::Loading,
                            ..Default::default()
                        });
                        cmds.push(Cmd::LoadChats);
                        cmds.push(Cmd::LoadHistory {
                            chat_id: id,
                            before: None,
                        });
                        if *kind == NewChatKind::P2p {
                            cmds.extend(vec![Cmd::ResolveNames(vec![arg.clone()])]);
                        }
                    }
                }
            }
            m.notify(NoticeLevel::Info, text);
            return cmds;
        }
    };
    let what = match op {
        ChatOp::Delete { .. } => "delete",
        ChatOp::Forward { .. } => "forward",
        ChatOp::Create { .. } => "create the chat",
    };
    m.notify(
        NoticeLevel::Error,
        format!("Cannot {what}: {}", sanitize::line(&e.to_string())),
    );
    vec![]
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
