use super::composer::{flush_outbox, retry_failed};
use super::{Cmd, LinkStatus, Mode, Model, Msg, NoticeLevel, Pane, SignalKind};
use crate::keys::{Action, Context};
use crate::sanitize;

/// The one place the model changes. Pure: no I/O, no clock, no randomness.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Cmd> {
    step(m, msg)
}

fn step(m: &mut Model, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Key(k) => super::input::on_key(m, k),
        Msg::Resize(w, h) => {
            if m.ui.size != (w, h) {
                m.ui.size = (w, h);
                super::explorer::sync(m);
                super::pager::resize(m);
                m.touch();
                let mut cmds = super::picture::resized(m);
                cmds.extend(super::live::resized(m));
                return cmds;
            }
            vec![]
        }
        Msg::Paste(text) => super::input::on_paste(m, &text),
        Msg::Mouse(_) => vec![],
        Msg::Click(t) => super::pointer::on_click(m, t),
        Msg::Wheel { target, up } => super::pointer::on_wheel(m, target, up),
        Msg::Name { id, name } => {
            let name = sanitize::line(&name).into_owned();
            if !name.is_empty() && m.chat.names.get(&id) != Some(&name) {
                m.chat.names.insert(id, name);
                m.chat.list.reindex(&m.chat.names);
                m.touch();
            }
            vec![]
        }
        Msg::Tick => super::room::on_tick(m),
        Msg::LiveFrame { room, peer, result } => {
            super::live::frame(m, room, peer, result);
            vec![]
        }
        Msg::StoreOpened(r) => super::stored::store_opened(m, r),
        Msg::StoreSearched { seq, result } => super::stored::searched(m, seq, result),
        Msg::Backfilled {
            chat_id,
            read,
            done,
        } => super::stored::backfilled(m, &chat_id, read, done),
        Msg::StoredAround {
            chat_id,
            message_id,
            result,
        } => super::stored::around(m, &chat_id, &message_id, result),
        Msg::StoredPage {
            chat_id,
            before,
            result,
        } => {
            let ok = result.is_ok();
            let mut cmds = super::stored::stored_page(m, &chat_id, before, result);
            cmds.extend(pay_owed(m, ok));
            cmds
        }
        Msg::ChatSent { local_id, outcome } => super::composer::on_sent(m, local_id, outcome),
        Msg::Checked { local_id, found } => super::composer::on_checked(m, local_id, found),
        Msg::TransferPath { id, path, total } => {
            super::transfers::transfer_path(m, id, path, total);
            vec![]
        }
        Msg::TransferDone { id, result } => super::transfers::transfer_done(m, id, result),
        Msg::UploadSeen { file_id, seen } => super::transfers::upload_seen(m, &file_id, seen),
        Msg::ChatDone { op, result } => super::history::chat_done(m, op, result),
        Msg::ExplorerReply {
            id,
            sent_at_ms,
            rtt_ms,
            outcome,
        } => {
            let ok = outcome.is_ok();
            super::explorer::replied(m, id, sent_at_ms, rtt_ms, outcome);
            if ok {
                explorer_wrote(m, id).into_iter().collect()
            } else {
                vec![]
            }
        }
        Msg::OutboxSaved(r) => {
            super::composer::outbox_saved(m, r);
            vec![]
        }
        Msg::ScriptSaved(r) => {
            match r {
                Ok(p) => m.notify(
                    NoticeLevel::Info,
                    format!(
                        "Script saved: {} (replay with `trueconf-console room|chat run FILE`)",
                        sanitize::line(&p.display().to_string())
                    ),
                ),
                Err(e) => m.notify(
                    NoticeLevel::Error,
                    sanitize::line(&e.to_string()).into_owned(),
                ),
            }
            vec![]
        }
        Msg::TerminalLost(_) => {
            m.ended_by = Some(SignalKind::Hangup);
            quit(m)
        }
        Msg::Signal(s) => {
            m.ended_by = Some(s);
            quit(m)
        }
        Msg::Suspend => vec![Cmd::Suspend],
        Msg::Room(i, ev) => {
            let cmds = super::room::on_room(m, i, ev);
            super::room::track_dialog(m);
            cmds
        }
        Msg::Chat(ev) => on_chat(m, ev),
        Msg::Chats(evs) => evs.into_iter().flat_map(|ev| on_chat(m, ev)).collect(),
        Msg::ChatsLoaded(r) => {
            // p2p chats are titled with the other side's id: ask for their names.
            let peers: Vec<String> = r
                .as_ref()
                .map(|l| {
                    l.iter()
                        .filter(|c| c.chat_type == crate::chat::types::ChatType::P2p)
                        .filter_map(|c| c.title.clone())
                        .collect()
                })
                .unwrap_or_default();
            match r {
                Ok(list) => {
                    m.chat.list.set(&list);
                    m.chat.list.from_store = false;
                    m.chat.list.reindex(&m.chat.names);
                }
                Err(e) => {
                    m.chat.list.state =
                        super::Loadable::Failed(sanitize::line(&e.to_string()).into_owned());
                }
            }
            m.touch();
            ask_names(m, peers.iter().map(String::as_str))
        }
        Msg::HistoryLoaded {
            chat_id,
            before,
            result,
        } => {
            let mut gap = None;
            let pictures = match &result {
                Ok(page) => super::previews::pictures(page),
                Err(_) => vec![],
            };
            let (uploading, authors) = match &result {
                // What this page brings (names asked once each: never a walk over the chat).
                Ok(page) => (
                    super::transfers::uploading_ids(page),
                    page.iter()
                        .filter_map(crate::chat::types::Envelope::person)
                        .map(str::to_owned)
                        .collect(),
                ),
                Err(_) => (vec![], vec![]),
            };
            let ok = result.is_ok();
            if !super::history::history_loaded(m, &chat_id, before, result, &mut gap, false) {
                return vec![];
            }
            let follow = super::transfers::follow_uploads(m, uploading);
            let mut cmds: Vec<Cmd> = gap
                .map(|id| Cmd::LoadHistory {
                    chat_id: chat_id.clone(),
                    before: Some(id),
                })
                .into_iter()
                .collect();
            cmds.extend(ask_names(m, authors.iter().map(String::as_str)));
            cmds.extend(follow);
            cmds.extend(super::previews::want(m, pictures));
            cmds.extend(pay_owed(m, ok));
            cmds
        }
        Msg::NewerLoaded {
            chat_id,
            after,
            stored,
            result,
        } => {
            let authors: Vec<String> = match &result {
                Ok(page) => page
                    .iter()
                    .filter_map(crate::chat::types::Envelope::person)
                    .map(str::to_owned)
                    .collect(),
                Err(_) => vec![],
            };
            let ok = result.is_ok();
            if !super::history::newer_loaded(m, &chat_id, &after, stored, result) {
                return vec![];
            }
            let mut cmds = ask_names(m, authors.iter().map(String::as_str));
            cmds.extend(pay_owed(m, ok));
            cmds.extend(super::history::hand_over_to_the_server(m));
            cmds
        }
        Msg::Confirmed(c) => match c {
            super::Confirmed::Chat(op) => vec![Cmd::Chat(op)],
            super::Confirmed::Discard(item) => super::outbox::discard(m, item),
            super::Confirmed::Room {
                room,
                method,
                params,
            } => {
                // Answered after the link went down: not queued for a later session, where
                // it would act on a Room that may have changed meanwhile.
                if !m.room.slot(room).is_some_and(|s| s.link.is_up()) {
                    let text = super::room::of_room(
                        m,
                        room,
                        format!(
                            "The Room is not connected: {} not sent",
                            sanitize::line(&method)
                        ),
                    );
                    m.notify(NoticeLevel::Warn, text);
                    return vec![];
                }
                vec![Cmd::room(room, &method, params)]
            }
            super::Confirmed::Quit => quit(m),
            super::Confirmed::ExplorerSend {
                api,
                method,
                params,
            } => super::explorer::send_now(m, api, &method, params),
        },
        Msg::CallHistory(i, r) => super::calls::loaded(m, i, r),
        Msg::Preview {
            file_id,
            result,
            graphic,
        } => {
            super::previews::made(m, &file_id, result, graphic);
            vec![]
        }
        Msg::PreviewUnfetched { file_id, why } => {
            super::previews::unfetched(m, &file_id, why);
            vec![]
        }
        Msg::Picture {
            file_id,
            cols,
            rows,
            result,
        } => super::picture::shown(m, &file_id, (cols, rows), result),
        Msg::Opened { path, why, gone } => {
            let shown = sanitize::line(&path.display().to_string()).into_owned();
            let text = if gone {
                // Downloaded, then removed: the next `o` fetches it again.
                for t in m
                    .transfers
                    .items
                    .iter_mut()
                    .filter(|t| t.path.as_ref() == Some(&path))
                {
                    t.path = None;
                }
                format!(
                    "Not opened: {shown} is no longer there ({} downloads it again)",
                    m.ui.keys.describe(crate::keys::Action::Download)
                )
            } else {
                format!(
                    "Not opened: {} (the file is at {shown})",
                    sanitize::line(&why)
                )
            };
            m.notify(NoticeLevel::Warn, text);
            vec![]
        }
        Msg::RoomFailed(i, reason) => {
            if let Some(s) = m.room.slot_mut(i) {
                super::room::forget_volume_requests(s);
            }
            let text = sanitize::line(&reason.to_string()).into_owned();
            let text = super::room::of_room(m, i, text);
            m.notify(NoticeLevel::Error, text);
            vec![]
        }
    }
}

/// The chat link's state and session; the chat panes (console issue) will take its events.
fn on_chat(m: &mut Model, ev: crate::chat::ChatLinkEvent) -> Vec<Cmd> {
    use crate::chat::ChatLinkEvent as E;
    match ev {
        E::Status(s) => {
            if m.chat.link != s {
                let up = s.is_up();
                m.chat.link = s;
                m.touch();
                let tick = super::room::sync_ticks(m);
                if up {
                    // (Re)load what is on screen: the list, and the open chat's latest page.
                    m.chat.list.state = super::Loadable::Loading;
                    let mut cmds = vec![Cmd::LoadChats];
                    // The store's copy someone is reading in (a search result, a place scrolled
                    // to), and a window that stops short of the newest, stay until End (or
                    // scrolling down) asks for the newest; otherwise it is replaced now.
                    if let Some(o) =
                        m.chat.open.as_ref().filter(|o| {
                            !(o.newer.detached || (o.from_store && o.selected.is_some()))
                        })
                    {
                        cmds.push(Cmd::LoadHistory {
                            chat_id: o.chat_id.clone(),
                            before: None,
                        });
                    }
                    cmds.extend(flush_outbox(m));
                    cmds.extend(tick);
                    return cmds;
                }
                return tick.into_iter().collect();
            }
        }
        E::Session(s) => {
            let me = sanitize::line(&s.me).into_owned();
            m.chat.me = Some(s.me.clone());
            if m.chat.account.as_deref() != Some(me.as_str()) {
                m.chat.account = Some(me);
                m.touch();
            }
        }
        E::Event(ev) => {
            let mut cmds = match &ev {
                crate::chat::events::ChatEvent::Message(e) => ask_names(m, e.person()),
                _ => vec![],
            };
            if let crate::chat::events::ChatEvent::Message(e) = &ev
                && m.chat.open.as_ref().is_some_and(|o| o.chat_id == e.chat_id)
            {
                let ids = super::transfers::uploading_ids([e.as_ref()]);
                cmds.extend(super::transfers::follow_uploads(m, ids));
                let pics = super::previews::pictures(std::slice::from_ref(e.as_ref()));
                cmds.extend(super::previews::want(m, pics));
            }
            let open = m.chat.open.as_ref().map(|o| o.chat_id.clone());
            if let crate::chat::events::ChatEvent::Message(e) = &ev {
                cmds.extend(message_notification(m, e, open.as_deref()));
            }
            if m.chat
                .list
                .apply(&ev, open.as_deref(), m.chat.me.as_deref())
            {
                use crate::chat::events::ChatEvent as C;
                if matches!(ev, C::ChatCreated { .. } | C::TitleChanged { .. }) {
                    m.chat.list.reindex(&m.chat.names);
                }
                m.touch();
            }
            if let crate::chat::events::ChatEvent::ChatRemoved { chat_id } = &ev
                && m.chat.open.as_ref().is_some_and(|o| &o.chat_id == chat_id)
            {
                m.chat.open = None;
                m.touch();
            }
            if let crate::chat::events::ChatEvent::TitleChanged { chat_id, title } = &ev
                && let Some(o) = m.chat.open.as_mut().filter(|o| &o.chat_id == chat_id)
            {
                o.title = sanitize::line(title).into_owned();
                m.touch();
            }
            // Last: the open chat takes the event (a new message moves in, not copied).
            if let Some(o) = m.chat.open.as_mut() {
                if let crate::chat::events::ChatEvent::Message(e) = &ev
                    && !o.messages.contains(&e.message_id)
                {
                    o.note_arrival(e, m.chat.me.as_deref());
                }
                if o.apply(ev, &mut m.chat.removed) {
                    m.touch();
                }
            }
            return cmds;
        }
        E::Frame {
            outgoing,
            text,
            at_ms,
        } => record(m, super::model::Traffic::new("chat", outgoing, text, at_ms)),
        E::Transfer(t) => super::transfers::transfer_progress(m, &t),
    }
    vec![]
}

/// Keeps a frame for the inspector (bounded); redraws only when the inspector is shown.
pub(super) fn record(m: &mut Model, t: super::model::Traffic) {
    if m.ui.traffic.len() >= super::model::Traffic::KEEP {
        m.ui.traffic.pop_front();
        // The selected frame keeps its place as the oldest goes.
        m.ui.inspector_sel = m.ui.inspector_sel.and_then(|i| i.checked_sub(1));
    }
    m.ui.traffic.push_back(t);
    super::explorer::traffic_arrived(m);
    // The inspector shows every frame; the explorer the events after its request.
    if m.ui.inspector || m.mode.explorer().is_some() {
        m.touch();
    }
}

/// A server string made inert and cut to a length any status line can show.
pub(super) fn short(s: &str) -> String {
    let clean = sanitize::line(s);
    if clean.chars().count() <= 120 {
        return clean.into_owned();
    }
    let mut t: String = clean.chars().take(119).collect();
    t.push('…');
    t
}

/// Ends the program: what it holds that a restart should find (the outbox, the drafts) is
/// saved first, whatever asked for the end (a key, a signal, a terminal that went away).
/// Chat methods by which the explorer writes to a chat: the server does not push our own
/// messages back to us, so the open chat reads its newest page again to show what was done.
const EXPLORER_WRITES: &[&str] = &[
    "sendMessage",
    "editMessage",
    "removeMessage",
    "sendFile",
    "forwardMessage",
    "replyMessage",
    "clearHistory",
    "sendSurvey",
];

/// After the explorer's request `id` succeeded: the open chat's newest page again, when the
/// request wrote to a chat (which the server does not echo to its author).
fn explorer_wrote(m: &Model, id: u64) -> Option<Cmd> {
    let t = m.explorer.session.iter().rev().find(|t| t.id == id)?;
    if t.sent.api != super::explorer::Api::Chat
        || !EXPLORER_WRITES.contains(&t.sent.method.as_str())
    {
        return None;
    }
    let open = m.chat.open.as_ref()?;
    Some(Cmd::LoadHistory {
        chat_id: open.chat_id.clone(),
        before: None,
    })
}

pub(super) fn quit(m: &mut Model) -> Vec<Cmd> {
    m.quit = true;
    // A broadcast the live view turned on is turned off (the runtime waits for it a moment).
    let mut cmds: Vec<Cmd> = match &m.mode {
        Mode::Live(v) if v.turned_on => vec![Cmd::Broadcast {
            room: v.room,
            fps: None,
        }],
        _ => vec![],
    };
    cmds.extend(super::composer::save_outbox(m));
    cmds.extend(super::drafts::save_drafts(m));
    cmds.push(Cmd::Quit);
    cmds
}

pub(super) fn on_action(m: &mut Model, action: Action) -> Vec<Cmd> {
    match action {
        // During a call `q` asks first (app/room.rs); Ctrl-C and signals never do.
        Action::Quit => return super::room::quit_key(m),
        Action::Help => {
            let lines = super::pager::help_lines(m);
            super::pager::open(m, super::pager::PagerKind::Help, "Help".into(), lines);
        }
        Action::NextPane | Action::PrevPane => {
            // The inspector takes its turn while it is shown.
            let order: Vec<Pane> = Pane::ORDER
                .into_iter()
                .chain(m.ui.inspector.then_some(Pane::Inspector))
                .collect();
            let i = order.iter().position(|p| *p == m.ui.focus).unwrap_or(0);
            let step = if action == Action::NextPane {
                1
            } else {
                order.len() - 1
            };
            m.ui.focus = order[(i + step) % order.len()];
            m.touch();
        }
        Action::Inspector => super::inspector::toggle(m),
        Action::Explorer => return super::explorer::toggle(m),
        Action::SwitchRoom => return super::room::switch_room(m),
        // Every Room action (keys.rs: context Room or CallDialog) needs the Room's link; what
        // each does is app/room.rs's room_action.
        a if matches!(a.context(), Context::Room | Context::CallDialog) => {
            return super::room::room_action(m, action);
        }
        Action::Filter
        | Action::NextUnread
        | Action::NewChat
        | Action::Reply
        | Action::Edit
        | Action::Delete
        | Action::Forward
        | Action::Upload
        | Action::Download => {
            if !m.chat.link.is_up() {
                let what = match &m.chat.link {
                    LinkStatus::NotConfigured => {
                        "No chat server is configured: add [chat] to the config, or run with --demo"
                            .to_string()
                    }
                    other => format!("No chat server connected ({})", other.label()),
                };
                m.notify(NoticeLevel::Warn, what);
            } else if action == Action::Filter {
                m.mode = Mode::Filtering;
                m.ui.focus = Pane::Chats;
                m.touch();
            } else if action == Action::NewChat {
                super::prompts::open_new_chat(m);
            } else if action != Action::NextUnread {
                return super::history::message_action(m, action);
            } else {
                match m.chat.list.next_unread() {
                    Some(id) => {
                        m.chat.list.selected = Some(id);
                        return open_selected(m);
                    }
                    None => m.notify(NoticeLevel::Info, "No unread messages".to_string()),
                }
            }
        }
        Action::Compose => {
            if m.chat.open.is_some() {
                m.mode = Mode::Composing;
                m.touch();
            } else if m.chat.account.is_some() {
                m.notify(
                    NoticeLevel::Info,
                    format!(
                        "Open a chat first: {} in the chat list",
                        m.ui.keys.describe(Action::Open)
                    ),
                );
            } else {
                m.notify(
                    NoticeLevel::Warn,
                    "No chat server is configured: add [chat] to the config, or run with --demo"
                        .to_string(),
                );
            }
        }
        Action::Retry => return retry_failed(m),
        // What is on screen is copied: no link needed.
        Action::Copy => return super::history::message_action(m, action),
        Action::Outbox => super::outbox::open(m),
        Action::Log => super::pager::open_log(m),
        Action::SearchAll => super::stored::open_search(m),
        Action::Backfill => return super::stored::backfill(m),
        Action::Up | Action::Down if m.ui.focus == Pane::Chats => {
            let delta = if action == Action::Up { -1 } else { 1 };
            m.chat.list.step_in(delta, m.chat.filter.query.text());
            m.touch();
        }
        // Offline, a chat opens on the store's copy (or says it cannot be loaded).
        Action::Open
            if m.ui.focus == Pane::Chats
                && (m.chat.link.is_up() || m.chat.list.state == super::Loadable::Ready) =>
        {
            return open_selected(m);
        }
        // Esc in the chat list drops a filter left from `/`, so every chat shows again.
        Action::Back if m.ui.focus == Pane::Chats && !m.chat.filter.query.is_empty() => {
            m.chat.filter = Default::default();
            m.touch();
        }
        Action::Search if m.ui.focus == Pane::History => super::history::open_search(m),
        Action::SearchOlder | Action::SearchNewer if m.ui.focus == Pane::History => {
            return super::history::search_step(m, action == Action::SearchOlder);
        }
        // Esc in the history ends a search first (the cursor stays on its match).
        Action::Back
            if m.ui.focus == Pane::History
                && m.chat.open.as_ref().is_some_and(|o| o.search.is_some()) =>
        {
            if let Some(o) = m.chat.open.as_mut() {
                o.search = None;
            }
            m.touch();
        }
        // Enter on a picture shows it over the screen; elsewhere in the history it writes in
        // the open chat (as `i` does).
        Action::Open if m.ui.focus == Pane::History && m.chat.open.is_some() => {
            if let Some((file_id, name)) = super::picture::selected_picture(m) {
                return super::picture::open(m, file_id, name);
            }
            return on_action(m, Action::Compose);
        }
        Action::Up
        | Action::Down
        | Action::Back
        | Action::Newest
        | Action::PageUp
        | Action::PageDown
            if m.ui.focus == Pane::History =>
        {
            return super::history::history_move(m, action);
        }
        Action::Newest | Action::PageUp | Action::PageDown => {}
        // Nothing else to move, open or close yet. (The Room's actions are all taken above;
        // the test `every_action_does_something` fails for an action that lands here.)
        _ => {}
    }
    vec![]
}

/// The cursor's steps owed at an edge, taken now that a page came (and the next page asked
/// for if they reach the edge again); forgotten when the page could not be read (the keys
/// are not replayed against a failing server).
fn pay_owed(m: &mut Model, ok: bool) -> Vec<Cmd> {
    match m.chat.open.as_mut() {
        Some(o) if o.owed != 0 && !ok => {
            o.owed = 0;
            return vec![];
        }
        Some(o) if o.owed != 0 => o.pay_owed(),
        _ => return vec![],
    }
    m.touch();
    super::history::load_older(m)
}

/// Asks once for the display names of ids not yet known.
fn ask_names<'a>(m: &mut Model, ids: impl IntoIterator<Item = &'a str>) -> Vec<Cmd> {
    let mut new: Vec<String> = Vec::new();
    for id in ids {
        // Looked up before it is copied: nearly every message is by someone already asked.
        if !id.is_empty() && !m.chat.names_asked.contains(id) {
            m.chat.names_asked.insert(id.to_owned());
            new.push(id.to_owned());
        }
    }
    if new.is_empty() {
        vec![]
    } else {
        vec![Cmd::ResolveNames(new)]
    }
}

/// Opens the selected chat in the history pane and asks for its latest page.
pub(super) fn open_selected(m: &mut Model) -> Vec<Cmd> {
    let Some(i) = m.chat.list.selected_index() else {
        return vec![];
    };
    let entry = &m.chat.list.items[i];
    let chat_id = entry.id.clone();
    m.chat.open = Some(super::OpenChat {
        chat_id: chat_id.clone(),
        title: entry.title.clone(),
        state: super::Loadable::Loading,
        unread_at_open: entry.unread,
        ..Default::default()
    });
    // Opening a chat is to read it: the keyboard goes with it.
    m.ui.focus = Pane::History;
    m.touch();
    vec![Cmd::LoadHistory {
        chat_id,
        before: None,
    }]
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;

/// A desktop notification for a message from someone else: one that mentions us (`@user`),
/// wherever it is, or any in a chat not on screen (at most one each few seconds, see
/// app/notify.rs). None when notifications are off.
fn message_notification(
    m: &mut Model,
    e: &crate::chat::types::Envelope,
    open: Option<&str>,
) -> Option<Cmd> {
    m.ui.term.notify?;
    let me = m.chat.me.as_deref()?;
    if e.is_system() || e.author.id == me {
        return None;
    }
    let user = me.split('@').next().unwrap_or(me);
    let in_open = open == Some(e.chat_id.as_str());
    // In the open chat only a mention notifies, and a text without an `@` mentions no one:
    // the common case (a flood into the chat being read) costs no copy of the text.
    if in_open
        && (user.is_empty()
            || matches!(&e.content, crate::chat::types::Content::Text { text, .. }
                if memchr::memchr(b'@', text.as_bytes()).is_none()))
    {
        return None;
    }
    let summary = e.summary();
    let mention = !user.is_empty()
        && summary
            .to_lowercase()
            .contains(&format!("@{}", user.to_lowercase()));
    if !mention && in_open {
        return None;
    }
    let chat = m
        .chat
        .list
        .items
        .iter()
        .find(|i| i.id == e.chat_id)
        .map(|i| m.chat.names.get(&i.title).unwrap_or(&i.title).clone())
        .unwrap_or_default();
    let author = m
        .chat
        .names
        .get(&e.author.id)
        .cloned()
        .unwrap_or_else(|| e.author.id.clone());
    let title = if mention {
        format!("Mentioned in {chat}")
    } else {
        format!("New message in {chat}")
    };
    super::notify::message(m, &title, &format!("{author}: {summary}"))
}
