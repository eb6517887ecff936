use serde_json::json;

use super::composer::{flush_outbox, retry_failed};
use super::{Cmd, LinkStatus, Mode, Model, Msg, NoticeLevel, Pane};
use crate::keys::Action;
use crate::room::{RoomEvent, RoomLinkEvent};
use crate::sanitize;

/// The one place the model changes. Pure: no I/O, no clock, no randomness.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Cmd> {
    step(m, msg)
}

fn step(m: &mut Model, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Key(k) => super::input::on_key(m, k),
        Msg::Resize(w, h) => {
            if m.size != (w, h) {
                m.size = (w, h);
                m.touch();
            }
            vec![]
        }
        Msg::Paste(text) => super::input::on_paste(m, &text),
        Msg::Mouse(_) => vec![],
        Msg::Name { id, name } => {
            let name = sanitize::line(&name).into_owned();
            if !name.is_empty() && m.names.get(&id) != Some(&name) {
                m.names.insert(id, name);
                m.chats.reindex(&m.names);
                m.touch();
            }
            vec![]
        }
        Msg::Tick => on_tick(m),
        Msg::ChatSent { local_id, outcome } => super::composer::on_sent(m, local_id, outcome),
        Msg::TransferPath { id, path, total } => {
            super::actions::transfer_path(m, id, path, total);
            vec![]
        }
        Msg::TransferDone { id, result } => super::actions::transfer_done(m, id, result),
        Msg::ChatDone { op, result } => super::actions::chat_done(m, op, result),
        Msg::ExplorerReply {
            id,
            sent_at_ms,
            rtt_ms,
            outcome,
        } => {
            super::explorer::replied(m, id, sent_at_ms, rtt_ms, outcome);
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
                Err(e) => m.notify(NoticeLevel::Error, sanitize::line(&e).into_owned()),
            }
            vec![]
        }
        Msg::TerminalLost(_) | Msg::Signal(_) => quit(m),
        Msg::Room(ev) => on_room(m, ev),
        Msg::Chat(ev) => on_chat(m, ev),
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
                    m.chats.set(&list);
                    m.chats.reindex(&m.names);
                }
                Err(e) => m.chats.state = super::Loadable::Failed(sanitize::line(&e).into_owned()),
            }
            m.touch();
            ask_names(m, peers)
        }
        Msg::HistoryLoaded {
            chat_id,
            before,
            result,
        } => {
            if !super::actions::history_loaded(m, &chat_id, before, result) {
                return vec![];
            }
            let authors: Vec<String> = m
                .open_chat
                .iter()
                .flat_map(|o| o.messages.iter())
                .flat_map(|e| e.people())
                .collect();
            ask_names(m, authors)
        }
        Msg::Confirmed(c) => match c {
            super::Confirmed::Chat(op) => vec![Cmd::Chat(op)],
            super::Confirmed::Room { method, params } => vec![Cmd::room(&method, params)],
            super::Confirmed::ExplorerSend {
                api,
                method,
                params,
            } => super::explorer::send_now(m, api, &method, params),
        },
        Msg::RoomFailed(reason) => {
            m.volume_asked = None;
            m.notify(NoticeLevel::Error, sanitize::line(&reason).into_owned());
            vec![]
        }
    }
}

/// The chat link's state and session; the chat panes (console issue) will take its events.
fn on_chat(m: &mut Model, ev: crate::chat::ChatLinkEvent) -> Vec<Cmd> {
    use crate::chat::ChatLinkEvent as E;
    match ev {
        E::Status(s) => {
            if m.chat_link != s {
                let up = s.is_up();
                m.chat_link = s;
                m.touch();
                let tick = sync_ticks(m);
                if up {
                    // (Re)load what is on screen: the list, and the open chat's latest page.
                    m.chats.state = super::Loadable::Loading;
                    let mut cmds = vec![Cmd::LoadChats];
                    if let Some(o) = &m.open_chat {
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
            m.chat_me = Some(s.me.clone());
            if m.chat_account.as_deref() != Some(me.as_str()) {
                m.chat_account = Some(me);
                m.touch();
            }
        }
        E::Event(ev) => {
            let cmds = match &ev {
                crate::chat::events::ChatEvent::Message(e) => ask_names(m, e.people()),
                _ => vec![],
            };
            let open = m.open_chat.as_ref().map(|o| o.chat_id.clone());
            if m.chats.apply(&ev, open.as_deref(), m.chat_me.as_deref()) {
                use crate::chat::events::ChatEvent as C;
                if matches!(ev, C::ChatCreated { .. } | C::TitleChanged { .. }) {
                    m.chats.reindex(&m.names);
                }
                m.touch();
            }
            if let Some(o) = m.open_chat.as_mut()
                && o.apply(&ev)
            {
                m.touch();
            }
            if let crate::chat::events::ChatEvent::ChatRemoved { chat_id } = &ev
                && m.open_chat.as_ref().is_some_and(|o| &o.chat_id == chat_id)
            {
                m.open_chat = None;
                m.touch();
            }
            if let crate::chat::events::ChatEvent::TitleChanged { chat_id, title } = &ev
                && let Some(o) = m.open_chat.as_mut().filter(|o| &o.chat_id == chat_id)
            {
                o.title = sanitize::line(title).into_owned();
                m.touch();
            }
            return cmds;
        }
        E::Frame {
            outgoing,
            text,
            at_ms,
        } => record(
            m,
            super::model::Traffic::new("chat", outgoing, &text, at_ms),
        ),
        E::Transfer(t) => super::actions::transfer_progress(m, &t),
    }
    vec![]
}

fn on_room(m: &mut Model, ev: RoomLinkEvent) -> Vec<Cmd> {
    match ev {
        RoomLinkEvent::Status(s) => {
            m.room_link = s;
            m.touch();
            return sync_ticks(m).into_iter().collect();
        }
        RoomLinkEvent::State(s) => {
            // The call's duration is counted from a join this console saw; a conference
            // already under way at the first snapshot has no known start.
            match (m.room.conference.is_some(), s.conference.is_some()) {
                (false, true) => {
                    m.conf_secs = m.room.login.is_some().then_some(0);
                }
                (_, false) => m.conf_secs = None,
                (true, true) => {}
            }
            // How a call ended (or was refused) also goes to the status bar.
            let outcome = s
                .last_outcome
                .clone()
                .filter(|o| m.room.last_outcome.as_ref() != Some(o));
            let joined = match (&m.room.conference, &s.conference) {
                (None, Some(c)) => Some(if c.title.is_empty() {
                    c.id.clone()
                } else {
                    c.title.clone()
                }),
                _ => None,
            };
            if s.volume != m.room.volume {
                m.volume_asked = None;
            }
            if m.room != *s {
                m.room = *s;
                m.touch();
            }
            if let Some(o) = outcome {
                m.notify(NoticeLevel::Info, format!("Call: {}", short(&o)));
            } else if let Some(t) = joined {
                m.notify(NoticeLevel::Info, format!("In a call: {}", short(&t)));
            }
            return sync_ticks(m).into_iter().collect();
        }
        RoomLinkEvent::Event(RoomEvent::InviteReceived {
            peer_dn,
            peer_id,
            conf_title,
            ..
        }) => {
            let who = if peer_dn.is_empty() { peer_id } else { peer_dn };
            let what = match conf_title {
                Some(t) => format!("Invitation to {} from {}", short(&t), short(&who)),
                None => format!("Incoming call from {}", short(&who)),
            };
            let keys = format!(
                "{} accepts, {} rejects",
                m.keys.describe(Action::Accept),
                m.keys.describe(Action::Reject)
            );
            m.notify(NoticeLevel::Info, format!("{what}: {keys}"));
            if m.bell {
                return vec![Cmd::Bell];
            }
        }
        RoomLinkEvent::Event(RoomEvent::RejectReceived { .. } | RoomEvent::StopCalling { .. }) => {
            // The outcome is in the state snapshot that follows; say it once it is there.
        }
        RoomLinkEvent::Frame {
            outgoing,
            text,
            at_ms,
        } => record(
            m,
            super::model::Traffic::new("room", outgoing, &text, at_ms),
        ),
        RoomLinkEvent::Event(_) | RoomLinkEvent::Session(_) => {}
    }
    vec![]
}

/// Keeps a frame for the inspector (bounded); redraws only when the inspector is shown.
fn record(m: &mut Model, t: super::model::Traffic) {
    if m.traffic.len() >= super::model::Traffic::KEEP {
        m.traffic.pop_front();
    }
    m.traffic.push_back(t);
    // The inspector shows every frame; the explorer the events after its request.
    if m.inspector || m.mode.explorer().is_some() {
        m.touch();
    }
}

/// A server string made inert and cut to a length any status line can show.
fn short(s: &str) -> String {
    let clean = sanitize::line(s);
    if clean.chars().count() <= 120 {
        return clean.into_owned();
    }
    let mut t: String = clean.chars().take(119).collect();
    t.push('…');
    t
}

pub(super) fn quit(m: &mut Model) -> Vec<Cmd> {
    m.quit = true;
    vec![Cmd::Quit]
}

pub(super) fn on_action(m: &mut Model, action: Action) -> Vec<Cmd> {
    match action {
        Action::Quit => return quit(m),
        Action::Help => {
            m.mode = Mode::Help { scroll: 0 };
            m.touch();
        }
        Action::NextPane | Action::PrevPane => {
            let order = Pane::ORDER;
            let i = order.iter().position(|p| *p == m.focus).unwrap_or(0);
            let step = if action == Action::NextPane {
                1
            } else {
                order.len() - 1
            };
            m.focus = order[(i + step) % order.len()];
            m.touch();
        }
        Action::Inspector => {
            m.inspector = !m.inspector;
            m.touch();
        }
        Action::Explorer => return super::explorer::toggle(m),
        Action::SwitchRoom => return switch_room(m),
        Action::Call
        | Action::HangUp
        | Action::HangUpAll
        | Action::VolumeUp
        | Action::VolumeDown
        | Action::Mic
        | Action::Camera
        | Action::Accept
        | Action::Reject => {
            if !m.room_link.is_up() {
                let what = match &m.room_link {
                    LinkStatus::NotConfigured => {
                        "No room is configured: add a [[room]] to the config, or run with --demo"
                            .to_string()
                    }
                    other => format!("No room connected ({})", other.label()),
                };
                m.notify(NoticeLevel::Warn, what);
                return vec![];
            }
            return room_action(m, action);
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
            if !m.chat_link.is_up() {
                let what = match &m.chat_link {
                    LinkStatus::NotConfigured => {
                        "No chat server is configured: add [chat] to the config, or run with --demo"
                            .to_string()
                    }
                    other => format!("No chat server connected ({})", other.label()),
                };
                m.notify(NoticeLevel::Warn, what);
            } else if action == Action::Filter {
                m.mode = Mode::Filtering;
                m.focus = Pane::Chats;
                m.touch();
            } else if action == Action::NewChat {
                super::prompts::open_new_chat(m);
            } else if action != Action::NextUnread {
                return super::actions::message_action(m, action);
            } else {
                match m.chats.next_unread() {
                    Some(id) => {
                        m.chats.selected = Some(id);
                        return open_selected(m);
                    }
                    None => m.notify(NoticeLevel::Info, "No unread messages".to_string()),
                }
            }
        }
        Action::Compose => {
            if m.open_chat.is_some() {
                m.mode = Mode::Composing;
                m.touch();
            } else if m.chat_account.is_some() {
                m.notify(
                    NoticeLevel::Info,
                    format!(
                        "Open a chat first: {} in the chat list",
                        m.keys.describe(Action::Open)
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
        Action::Up | Action::Down if m.focus == Pane::Chats => {
            let delta = if action == Action::Up { -1 } else { 1 };
            m.chats.step_in(delta, m.chat_filter.query.text());
            m.touch();
        }
        Action::Open if m.focus == Pane::Chats && m.chat_link.is_up() => return open_selected(m),
        Action::Up
        | Action::Down
        | Action::Back
        | Action::Newest
        | Action::PageUp
        | Action::PageDown
            if m.focus == Pane::History =>
        {
            return super::actions::history_move(m, action);
        }
        Action::Newest | Action::PageUp | Action::PageDown => {}
        // Nothing else to move, open or close yet.
        Action::Up | Action::Down | Action::Open | Action::Back => {}
    }
    vec![]
}

/// Asks once for the display names of ids not yet known.
fn ask_names(m: &mut Model, ids: Vec<String>) -> Vec<Cmd> {
    let mut new: Vec<String> = Vec::new();
    for id in ids {
        if !id.is_empty() && m.names_asked.insert(id.clone()) {
            new.push(id);
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
    let Some(i) = m.chats.selected_index() else {
        return vec![];
    };
    let entry = &m.chats.items[i];
    let chat_id = entry.id.clone();
    m.open_chat = Some(super::OpenChat {
        chat_id: chat_id.clone(),
        title: entry.title.clone(),
        state: super::Loadable::Loading,
        ..Default::default()
    });
    m.touch();
    vec![Cmd::LoadHistory {
        chat_id,
        before: None,
    }]
}

/// An action on a Room whose link is up.
fn room_action(m: &mut Model, action: Action) -> Vec<Cmd> {
    let r = &m.room;
    match action {
        Action::Mic => vec![Cmd::room("setMicMute", json!({ "mute": !r.mic_muted }))],
        Action::Camera => vec![Cmd::room(
            "setVideoMute",
            json!({ "mute": !r.camera_muted }),
        )],
        Action::Accept if r.invite.is_some() => vec![Cmd::room("accept", json!({}))],
        Action::Reject if r.invite.is_some() => vec![Cmd::room("reject", json!({}))],
        Action::Accept | Action::Reject => vec![],
        // Hanging up a ringing incoming call rejects it (docs/room-protocol.md, Choices R26).
        Action::HangUp if r.invite.is_some() => vec![Cmd::room("reject", json!({}))],
        Action::HangUp if r.conference.is_some() || r.calling.is_some() => {
            vec![Cmd::room("hangUp", json!({ "forAll": false }))]
        }
        Action::HangUp => {
            m.notify(NoticeLevel::Info, "No call to hang up");
            vec![]
        }
        Action::HangUpAll => super::actions::hang_up_all(m),
        Action::VolumeUp => super::actions::volume(m, true),
        Action::VolumeDown => super::actions::volume(m, false),
        Action::Call => {
            super::prompts::open_call(m);
            vec![]
        }
        _ => vec![],
    }
}

fn retrying(s: &LinkStatus) -> bool {
    matches!(s, LinkStatus::Retrying { in_secs, .. } if *in_secs > 0)
}

/// Runs the one-second ticks only while something on screen counts: a call dialog's
/// seconds, a call's duration, a link's retry countdown. Idle, nothing ticks.
fn sync_ticks(m: &mut Model) -> Option<Cmd> {
    let dialog = m.room.invite.is_some() || m.room.calling.is_some();
    if dialog != m.dialog_open {
        m.dialog_open = dialog;
        if dialog {
            m.ring_secs = 0;
        }
    }
    let want = dialog || m.conf_secs.is_some() || retrying(&m.room_link) || retrying(&m.chat_link);
    if want == m.ticking {
        return None;
    }
    m.ticking = want;
    Some(Cmd::Ticks(want))
}

fn on_tick(m: &mut Model) -> Vec<Cmd> {
    if !m.ticking {
        return vec![];
    }
    if m.dialog_open {
        m.ring_secs += 1;
        m.touch();
    }
    if let Some(s) = m.conf_secs.as_mut() {
        *s += 1;
        m.touch();
    }
    let mut counted = false;
    for link in [&mut m.room_link, &mut m.chat_link] {
        if let LinkStatus::Retrying { in_secs, .. } = link
            && *in_secs > 0
        {
            *in_secs -= 1;
            counted = true;
        }
    }
    if counted {
        m.touch();
    }
    sync_ticks(m).into_iter().collect()
}

fn switch_room(m: &mut Model) -> Vec<Cmd> {
    match (m.rooms.len(), m.active_room) {
        (0, _) => m.notify(
            NoticeLevel::Warn,
            "No room is configured: add a [[room]] to the config",
        ),
        (1, _) => m.notify(NoticeLevel::Info, "Only one room is configured"),
        (n, cur) => {
            let next = cur.map(|i| (i + 1) % n).unwrap_or(0);
            m.active_room = Some(next);
            m.room_link = LinkStatus::Offline;
            m.room = crate::room::RoomState::default();
            m.conf_secs = None;
            let name = m.rooms[next].name.clone();
            m.notify(NoticeLevel::Info, format!("Room: {name}"));
            return vec![Cmd::ConnectRoom(next)];
        }
    }
    vec![]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Notice, Session};
    use crate::config::Config;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use crossterm::event::{KeyEventKind, KeyEventState};
    use std::path::Path;

    fn config(text: &str) -> Config {
        Config::parse(text, Path::new("test.toml"), |_| None).unwrap()
    }

    fn model(text: &str) -> Model {
        let c = config(text);
        Model::from_config(
            &c,
            Session::Configured {
                path: None,
                found: true,
            },
            None,
            (80, 24),
            false,
        )
    }

    fn demo() -> Model {
        Model::demo(&Config::default(), (80, 24), false)
    }

    fn press(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    fn key(code: KeyCode, mods: KeyModifiers) -> Msg {
        Msg::Key(KeyEvent::new(code, mods))
    }

    const TWO_ROOMS: &str = "[[room]]\nname = \"Hall\"\nhost = \"10.0.0.1\"\n[[room]]\nname = \"Lab\"\nhost = \"10.0.0.2\"\n";

    #[test]
    fn q_and_ctrl_c_quit() {
        let mut m = demo();
        assert_eq!(update(&mut m, press('q')), vec![Cmd::Quit]);
        assert!(m.quit);

        // Ctrl-C quits even when `quit` is rebound and the help is open.
        let mut m = model("[ui.keys]\nquit = \"ctrl-q\"\n");
        update(&mut m, press('?'));
        assert_eq!(
            update(&mut m, key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            vec![Cmd::Quit]
        );
        assert!(m.quit);
    }

    #[test]
    fn rebound_quit_replaces_the_default() {
        let mut m = model("[ui.keys]\nquit = \"ctrl-q\"\n");
        assert!(update(&mut m, press('q')).is_empty());
        assert!(!m.quit);
        assert_eq!(
            update(&mut m, key(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            vec![Cmd::Quit]
        );
    }

    #[test]
    fn signals_and_a_lost_terminal_quit() {
        for msg in [
            Msg::Signal(crate::app::SignalKind::Terminate),
            Msg::Signal(crate::app::SignalKind::Hangup),
            Msg::Signal(crate::app::SignalKind::Interrupt),
            Msg::TerminalLost("EIO".into()),
        ] {
            let mut m = demo();
            assert_eq!(update(&mut m, msg.clone()), vec![Cmd::Quit], "{msg:?}");
            assert!(m.quit);
        }
    }

    #[test]
    fn key_releases_are_ignored() {
        let mut m = demo();
        let mut ev = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        ev.kind = KeyEventKind::Release;
        ev.state = KeyEventState::NONE;
        let rev = m.revision();
        assert!(update(&mut m, Msg::Key(ev)).is_empty());
        assert!(!m.quit);
        assert_eq!(m.revision(), rev);
    }

    #[test]
    fn help_opens_scrolls_and_closes() {
        let mut m = demo();
        let rev = m.revision();
        update(&mut m, press('?'));
        assert_eq!(m.mode, Mode::Help { scroll: 0 });
        assert_ne!(m.revision(), rev);
        update(&mut m, press('j'));
        update(&mut m, key(KeyCode::Down, KeyModifiers::NONE));
        assert_eq!(m.mode, Mode::Help { scroll: 2 });
        update(&mut m, press('k'));
        assert_eq!(m.mode, Mode::Help { scroll: 1 });
        // Other keys do nothing while the help is open: no pane change, no quit-by-accident.
        let rev = m.revision();
        update(&mut m, key(KeyCode::Tab, KeyModifiers::NONE));
        assert_eq!(m.focus, Pane::Room);
        assert_eq!(m.revision(), rev);
        update(&mut m, key(KeyCode::Esc, KeyModifiers::NONE));
        assert_eq!(m.mode, Mode::Normal);
        // `?` toggles, and `q` closes the help rather than quitting.
        update(&mut m, press('?'));
        update(&mut m, press('?'));
        assert_eq!(m.mode, Mode::Normal);
        update(&mut m, press('?'));
        assert!(update(&mut m, press('q')).is_empty());
        assert_eq!(m.mode, Mode::Normal);
        assert!(!m.quit);
    }

    #[test]
    fn tab_cycles_panes_both_ways() {
        let mut m = demo();
        let rev = m.revision();
        update(&mut m, key(KeyCode::Tab, KeyModifiers::NONE));
        assert_eq!(m.focus, Pane::Chats);
        update(&mut m, key(KeyCode::Tab, KeyModifiers::NONE));
        assert_eq!(m.focus, Pane::History);
        update(&mut m, key(KeyCode::Tab, KeyModifiers::NONE));
        assert_eq!(m.focus, Pane::Room);
        update(&mut m, key(KeyCode::BackTab, KeyModifiers::SHIFT));
        assert_eq!(m.focus, Pane::History);
        assert_ne!(m.revision(), rev);
    }

    #[test]
    fn inspector_toggles() {
        let mut m = demo();
        update(&mut m, key(KeyCode::Char('t'), KeyModifiers::CONTROL));
        assert!(m.inspector);
        update(&mut m, key(KeyCode::Char('t'), KeyModifiers::CONTROL));
        assert!(!m.inspector);
    }

    #[test]
    fn switch_room_cycles_configured_rooms() {
        let mut m = model(TWO_ROOMS);
        assert_eq!(m.active_room().unwrap().name, "Hall");
        update(&mut m, key(KeyCode::Char('r'), KeyModifiers::CONTROL));
        assert_eq!(m.active_room().unwrap().name, "Lab");
        assert_eq!(
            m.notice,
            Some(Notice {
                level: NoticeLevel::Info,
                text: "Room: Lab".into()
            })
        );
        update(&mut m, key(KeyCode::Char('r'), KeyModifiers::CONTROL));
        assert_eq!(m.active_room().unwrap().name, "Hall");

        let mut m = model("");
        update(&mut m, key(KeyCode::Char('r'), KeyModifiers::CONTROL));
        assert_eq!(m.active_room, None);
        assert_eq!(m.notice.as_ref().map(|n| n.level), Some(NoticeLevel::Warn));
    }

    #[test]
    fn start_room_comes_from_the_command_line() {
        let c = config(TWO_ROOMS);
        let m = Model::from_config(&c, Session::Demo, Some(1), (80, 24), false);
        assert_eq!(m.active_room().unwrap().name, "Lab");
    }

    #[test]
    fn room_actions_without_a_room_link_explain_why() {
        for c in ['c', 'h', 'm', 'v'] {
            let mut m = demo();
            assert!(update(&mut m, press(c)).is_empty());
            let n = m.notice.clone().expect("a notice");
            assert_eq!(n.level, NoticeLevel::Warn);
            assert!(n.text.starts_with("No room connected"), "{c}: {}", n.text);
        }
        let mut m = model("");
        update(&mut m, press('c'));
        assert!(m.notice.unwrap().text.contains("add a [[room]]"));
    }

    #[test]
    fn the_chat_link_status_and_session_reach_the_model() {
        use crate::chat::ChatLinkEvent;
        use crate::chat::client::ChatSession;
        let mut m = demo();
        let rev = m.revision();
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Status(LinkStatus::Connecting)),
        );
        assert_eq!(m.chat_link, LinkStatus::Connecting);
        assert_ne!(m.revision(), rev);
        let rev = m.revision();
        // The same status again changes nothing.
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Status(LinkStatus::Connecting)),
        );
        assert_eq!(m.revision(), rev);
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Session(ChatSession {
                user_id: "op\u{1b}[31m@srv/1".into(),
                me: "op\u{1b}[31m@srv".into(),
                connection_id: None,
            })),
        );
        let shown = m.chat_account.clone().unwrap();
        assert!(!shown.contains('\u{1b}'), "{shown:?}");
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
        );
        assert!(m.chat_link.is_up());
    }

    #[test]
    fn the_chat_list_loads_opens_and_follows_events() {
        use crate::chat::ChatLinkEvent;
        use crate::chat::events::ChatEvent;
        use crate::chat::types::{Chat, Envelope};
        let mut m = demo();
        // The link coming up asks for the list.
        let cmds = update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
        );
        assert_eq!(cmds, vec![Cmd::LoadChats]);
        assert_eq!(m.chats.state, crate::app::Loadable::Loading);
        let chat = |id: &str, unread: u64| {
            Chat::from_value(
                &json!({"chatId": id, "title": id, "chatType": 2, "unreadMessages": unread}),
            )
            .unwrap()
        };
        update(
            &mut m,
            Msg::ChatsLoaded(Ok(vec![chat("a", 0), chat("b", 2)])),
        );
        assert_eq!(m.chats.items[0].id, "b", "unread first");
        // Down, Enter in the chat list: open `a` and ask for its history.
        m.focus = Pane::Chats;
        update(&mut m, press('j'));
        let cmds = update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
        assert_eq!(
            cmds,
            vec![Cmd::LoadHistory {
                chat_id: "a".into(),
                before: None
            }]
        );
        assert_eq!(
            m.open_chat.as_ref().unwrap().state,
            crate::app::Loadable::Loading
        );
        let env = |chat: &str, id: &str, bx: u64| {
            Envelope::from_value(
                &json!({"chatId": chat, "messageId": id, "timestamp": bx, "type": 200,
                "author": {"id": "alice@srv", "type": 1}, "box": {"id": bx, "position": ""},
                "content": {"text": id, "parseMode": "text"}}),
            )
            .unwrap()
        };
        update(
            &mut m,
            Msg::HistoryLoaded {
                chat_id: "a".into(),
                before: None,
                result: Ok(vec![env("a", "2", 2), env("a", "1", 1)]),
            },
        );
        let open = m.open_chat.as_ref().unwrap();
        assert_eq!(
            open.messages
                .iter()
                .map(|e| e.message_id.as_str())
                .collect::<Vec<_>>(),
            ["1", "2"]
        );
        // A push in the open chat is appended and not counted unread; one elsewhere is.
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(Box::new(env(
                "a", "3", 3,
            ))))),
        );
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(Box::new(env(
                "b", "x", 9,
            ))))),
        );
        assert_eq!(m.open_chat.as_ref().unwrap().messages.len(), 3);
        assert_eq!(
            m.chats.items.iter().find(|i| i.id == "a").unwrap().unread,
            0
        );
        assert_eq!(
            m.chats.items.iter().find(|i| i.id == "b").unwrap().unread,
            3
        );
        // `n` jumps to the next unread chat and opens it.
        let cmds = update(&mut m, press('n'));
        assert_eq!(
            cmds,
            vec![Cmd::LoadHistory {
                chat_id: "b".into(),
                before: None
            }]
        );
        // A failed load is an error state, not an empty list.
        update(&mut m, Msg::ChatsLoaded(Err("chat not found (304)".into())));
        assert_eq!(
            m.chats.state,
            crate::app::Loadable::Failed("chat not found (304)".into())
        );
        // The chat removed under us closes.
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Event(ChatEvent::ChatRemoved {
                chat_id: "b".into(),
            })),
        );
        assert!(m.open_chat.is_none());
    }

    #[test]
    fn the_composer_keeps_drafts_and_the_outbox_delivers_across_a_link_drop() {
        use crate::chat::ChatLinkEvent;
        use crate::chat::types::Chat;
        let enter = || Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        let mut m = demo();
        m.persist_outbox = true;
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
        );
        let chat = |id: &str| {
            Chat::from_value(&json!({"chatId": id, "title": id, "chatType": 2})).unwrap()
        };
        update(&mut m, Msg::ChatsLoaded(Ok(vec![chat("a"), chat("b")])));
        // `i` without an open chat explains; with one, keys go to the draft.
        update(&mut m, press('i'));
        assert!(!m.mode.is_composing());
        assert!(
            m.notice
                .as_ref()
                .unwrap()
                .text
                .starts_with("Open a chat first")
        );
        m.focus = Pane::Chats;
        update(&mut m, enter());
        update(&mut m, press('i'));
        assert!(m.mode.is_composing());
        for c in "hi q".chars() {
            update(&mut m, press(c));
        }
        assert!(!m.quit, "q is text while composing");
        update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)),
        );
        update(&mut m, Msg::Paste("there\r\n".into()));
        let open = m.open_chat.as_ref().unwrap().chat_id.clone();
        assert_eq!(m.drafts[&open].editor.text(), "hi q\nthere\n");
        // Esc leaves and keeps the draft; another chat has its own.
        update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        );
        assert!(!m.mode.is_composing());
        assert_eq!(m.drafts[&open].editor.text(), "hi q\nthere\n");
        // Enter sends: saved to the outbox first, then handed to the link.
        update(&mut m, press('i'));
        let cmds = update(&mut m, enter());
        assert!(
            matches!(&cmds[..], [Cmd::SaveOutbox(v), Cmd::SendChat(o)] if v.len() == 1 && o.text == "hi q\nthere\n")
        );
        assert!(m.drafts[&open].editor.is_empty());
        // The link drops: what is written now waits.
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Status(LinkStatus::Disconnected {
                reason: "gone".into(),
            })),
        );
        for c in "later".chars() {
            update(&mut m, press(c));
        }
        let cmds = update(&mut m, enter());
        assert!(matches!(&cmds[..], [Cmd::SaveOutbox(_)]), "{cmds:?}");
        assert_eq!(m.outbox[1].state, crate::app::OutState::Pending);
        // The first one's send was cut by the drop: it may or may not have arrived.
        let first = m.outbox[0].local_id;
        update(
            &mut m,
            Msg::ChatSent {
                local_id: first,
                outcome: crate::app::SendOutcome::Failed("dropped".into()),
            },
        );
        assert!(matches!(m.outbox[0].state, crate::app::OutState::Failed(_)));
        // The link returns: the pending one goes out; the failed one waits for the user.
        let cmds = update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
        );
        let sent: Vec<_> = cmds
            .iter()
            .filter_map(|c| match c {
                Cmd::SendChat(o) => Some(o.text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(sent, ["later"]);
        update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        );
        m.focus = Pane::History;
        let cmds = update(&mut m, press('t'));
        assert!(
            cmds.iter()
                .any(|c| matches!(c, Cmd::SendChat(o) if o.local_id == first))
        );
        // Delivered: gone from the outbox, and the open chat reloads to show it.
        let second = m.outbox[1].local_id;
        let cmds = update(
            &mut m,
            Msg::ChatSent {
                local_id: second,
                outcome: crate::app::SendOutcome::Sent,
            },
        );
        assert!(cmds.contains(&Cmd::LoadHistory {
            chat_id: open.clone(),
            before: None
        }));
        assert_eq!(m.outbox.len(), 1);
    }

    #[test]
    fn retry_countdowns_and_call_durations_tick_and_idle_does_not() {
        use crate::chat::ChatLinkEvent;
        let mut m = online_demo();
        assert!(!m.ticking);
        // A link waiting to reconnect counts down, then the ticks stop.
        let cmds = update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Status(LinkStatus::Retrying {
                in_secs: 2,
                reason: "connection refused".into(),
            })),
        );
        assert_eq!(cmds, vec![Cmd::Ticks(true)]);
        update(&mut m, Msg::Tick);
        assert!(
            m.chat_link.label().ends_with("retrying in 1 s"),
            "{}",
            m.chat_link.label()
        );
        let cmds = update(&mut m, Msg::Tick);
        assert!(m.chat_link.label().ends_with("retrying in 0 s"));
        assert_eq!(cmds, vec![Cmd::Ticks(false)], "nothing left to count");
        let rev = m.revision();
        assert!(update(&mut m, Msg::Tick).is_empty());
        assert_eq!(m.revision(), rev, "a stray tick changes nothing");
        // A conference this console saw start counts its duration until it ends.
        let mut st = m.room.clone();
        st.login = Some(crate::room::state::Peer {
            id: "op@srv".into(),
            name: "Op".into(),
        });
        update(
            &mut m,
            Msg::Room(RoomLinkEvent::State(Box::new(st.clone()))),
        );
        st.conference = Some(crate::room::state::Conference {
            id: "c".into(),
            title: "Sync".into(),
            conf_type: 1,
            owner: "op@srv".into(),
            participants: vec![],
        });
        let cmds = update(
            &mut m,
            Msg::Room(RoomLinkEvent::State(Box::new(st.clone()))),
        );
        assert_eq!(cmds, vec![Cmd::Ticks(true)]);
        assert_eq!(m.notice.as_ref().unwrap().text, "In a call: Sync");
        update(&mut m, Msg::Tick);
        update(&mut m, Msg::Tick);
        assert_eq!(m.conf_secs, Some(2));
        st.conference = None;
        st.last_outcome = Some("call ended".into());
        let cmds = update(&mut m, Msg::Room(RoomLinkEvent::State(Box::new(st))));
        assert_eq!(cmds, vec![Cmd::Ticks(false)]);
        assert_eq!(m.conf_secs, None);
        assert_eq!(
            m.notice.as_ref().unwrap().text,
            "Call: call ended",
            "the result shows in the status bar"
        );
        // Already in a conference at the first snapshot: no duration to invent.
        let mut m = online_demo();
        let mut st = m.room.clone();
        st.conference = Some(crate::room::state::Conference {
            id: "c".into(),
            title: "Sync".into(),
            conf_type: 1,
            owner: "x".into(),
            participants: vec![],
        });
        assert!(update(&mut m, Msg::Room(RoomLinkEvent::State(Box::new(st)))).is_empty());
        assert_eq!(m.conf_secs, None);
    }

    #[test]
    fn the_call_prompt_completes_from_the_address_book_and_the_dialog_counts_seconds() {
        use crate::room::state::{Contact, Invite, Peer, RoomState};
        let mut m = demo();
        update(
            &mut m,
            Msg::Room(RoomLinkEvent::Status(LinkStatus::Authorized)),
        );
        let mut s = RoomState {
            contacts: vec![],
            ..RoomState::default()
        };
        s.contacts = vec![
            Contact {
                peer: Peer {
                    id: "alice@srv".into(),
                    name: "Alice".into(),
                },
                status: 1,
            },
            Contact {
                peer: Peer {
                    id: "bob@srv".into(),
                    name: "Bob".into(),
                },
                status: 1,
            },
        ];
        update(&mut m, Msg::Room(RoomLinkEvent::State(Box::new(s.clone()))));
        update(&mut m, press('c'));
        assert!(matches!(m.mode, Mode::Prompt(crate::app::Prompt::Call(_))));
        for c in "BO".chars() {
            update(&mut m, press(c));
        }
        let Mode::Prompt(crate::app::Prompt::Call(p)) = &m.mode else {
            panic!("no call prompt")
        };
        assert_eq!(
            crate::app::call_matches(p).len(),
            1,
            "case-insensitive, by name or id"
        );
        let cmds = update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
        assert_eq!(cmds, vec![Cmd::room("call", json!({"peerId": "bob@srv"}))]);
        assert_eq!(m.mode, Mode::Normal);
        // A typed id that is not in the book is called as typed.
        update(&mut m, press('c'));
        for c in "zed@srv".chars() {
            update(&mut m, press(c));
        }
        let cmds = update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
        assert_eq!(cmds, vec![Cmd::room("call", json!({"peerId": "zed@srv"}))]);
        // Esc closes without calling.
        update(&mut m, press('c'));
        let cmds = update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        );
        assert!(cmds.is_empty() && m.mode == Mode::Normal);
        // The dialog: ticks start when a call rings and stop when it ends; Esc cancels ours.
        s.calling = Some("bob@srv".into());
        let cmds = update(&mut m, Msg::Room(RoomLinkEvent::State(Box::new(s.clone()))));
        assert_eq!(cmds, vec![Cmd::Ticks(true)]);
        update(&mut m, Msg::Tick);
        update(&mut m, Msg::Tick);
        assert_eq!(m.ring_secs, 2);
        let cmds = update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        );
        assert_eq!(cmds, vec![Cmd::room("hangUp", json!({"forAll": false}))]);
        s.calling = None;
        s.invite = Some(Invite {
            peer: Peer {
                id: "dave@srv".into(),
                name: "Dave".into(),
            },
            conf_id: "x".into(),
            conf_type: 0,
            conf_title: None,
        });
        let cmds = update(&mut m, Msg::Room(RoomLinkEvent::State(Box::new(s.clone()))));
        assert!(cmds.is_empty(), "still ringing: the ticks go on");
        s.invite = None;
        let cmds = update(&mut m, Msg::Room(RoomLinkEvent::State(Box::new(s))));
        assert_eq!(cmds, vec![Cmd::Ticks(false)]);
        update(&mut m, Msg::Tick);
        assert_eq!(m.ring_secs, 2, "no counting without a dialog");
    }

    #[test]
    fn the_inspector_keeps_a_bounded_record_and_redraws_only_when_shown() {
        let mut m = demo();
        let rev = m.revision();
        let frame = |i: usize| {
            Msg::Room(RoomLinkEvent::Frame {
                outgoing: i.is_multiple_of(2),
                text: format!(r#"{{"method":"m{i}","requestId":"{i}"}}"#),
                at_ms: i as u64,
            })
        };
        update(&mut m, frame(0));
        assert_eq!(m.revision(), rev, "hidden inspector: no redraw");
        assert_eq!(m.traffic.back().unwrap().what, "m0");
        for i in 1..(crate::app::Traffic::KEEP + 50) {
            update(&mut m, frame(i));
        }
        assert_eq!(m.traffic.len(), crate::app::Traffic::KEEP);
        assert_eq!(m.traffic.front().unwrap().what, "m50");
        m.inspector = true;
        update(&mut m, frame(9999));
        assert_ne!(m.revision(), rev);
        // A huge frame is cut (on a character boundary), never kept whole.
        let big = format!("{{\"method\":\"x\",\"t\":\"{}\"}}", "é".repeat(1_000_000));
        update(
            &mut m,
            Msg::Room(RoomLinkEvent::Frame {
                outgoing: false,
                text: big,
                at_ms: 0,
            }),
        );
        assert!(m.traffic.back().unwrap().text.len() <= crate::app::Traffic::MAX_TEXT);
    }

    #[test]
    fn display_names_are_asked_once_and_shown_inert() {
        use crate::chat::ChatLinkEvent;
        use crate::chat::events::ChatEvent;
        use crate::chat::types::{Chat, Envelope};
        let mut m = demo();
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
        );
        let p2p =
            Chat::from_value(&json!({"chatId": "p", "title": "alice@srv", "chatType": 1})).unwrap();
        let cmds = update(&mut m, Msg::ChatsLoaded(Ok(vec![p2p.clone()])));
        assert_eq!(cmds, vec![Cmd::ResolveNames(vec!["alice@srv".into()])]);
        assert!(
            update(&mut m, Msg::ChatsLoaded(Ok(vec![p2p]))).is_empty(),
            "asked once"
        );
        let msg = |author: &str| {
            ChatEvent::Message(Box::new(
                Envelope::from_value(&json!({"chatId": "p", "messageId": author,
                "timestamp": 1, "type": 200, "author": {"id": author, "type": 1},
                "content": {"text": "x", "parseMode": "text"}}))
                .unwrap(),
            ))
        };
        let cmds = update(&mut m, Msg::Chat(ChatLinkEvent::Event(msg("bob@srv"))));
        assert_eq!(cmds, vec![Cmd::ResolveNames(vec!["bob@srv".into()])]);
        assert!(update(&mut m, Msg::Chat(ChatLinkEvent::Event(msg("bob@srv")))).is_empty());
        update(
            &mut m,
            Msg::Name {
                id: "bob@srv".into(),
                name: "Bob \u{1b}[31mSmith".into(),
            },
        );
        assert_eq!(m.names["bob@srv"], "Bob Smith");
    }

    #[test]
    fn slash_filters_the_chat_list_and_enter_opens_the_match() {
        use crate::chat::ChatLinkEvent;
        use crate::chat::types::Chat;
        let mut m = demo();
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
        );
        let chat = |id: &str, title: &str| {
            Chat::from_value(&json!({"chatId": id, "title": title, "chatType": 2})).unwrap()
        };
        update(
            &mut m,
            Msg::ChatsLoaded(Ok(vec![chat("a", "Project"), chat("b", "Announcements")])),
        );
        m.focus = Pane::Chats;
        update(&mut m, press('/'));
        assert!(m.mode.is_filtering());
        for c in "ann".chars() {
            update(&mut m, press(c));
        }
        assert_eq!(m.chats.selected.as_deref(), Some("b"));
        assert!(
            !m.quit && m.mode.is_filtering(),
            "keys are text while filtering"
        );
        let cmds = update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
        assert_eq!(
            cmds,
            vec![Cmd::LoadHistory {
                chat_id: "b".into(),
                before: None
            }]
        );
        assert!(!m.mode.is_filtering());
        assert_eq!(m.chat_filter.query.text(), "ann", "the list stays filtered");
        update(&mut m, press('/'));
        update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        );
        assert!(m.chat_filter.is_empty() && !m.mode.is_filtering());
    }

    #[test]
    fn chat_actions_without_a_chat_link_explain_why() {
        // Pane keys work in their pane: history keys with the history focused.
        let mut m = demo();
        m.focus = Pane::History;
        for c in ['R', 'e', 'd', 'f', 'u', 'o'] {
            m.notice = None;
            update(&mut m, press(c));
            let text = m
                .notice
                .as_ref()
                .map(|n| n.text.clone())
                .unwrap_or_default();
            assert!(text.starts_with("No chat server connected"), "{c}: {text}");
        }
        let mut m = model("");
        m.focus = Pane::Chats;
        update(&mut m, press('/'));
        assert!(m.notice.unwrap().text.contains("add [chat]"));
    }

    #[test]
    fn pane_keys_only_act_in_their_pane() {
        let mut m = demo();
        m.focus = Pane::Chats;
        let rev = m.revision();
        update(&mut m, press('e')); // `e` edits in the history, nothing in the chat list
        assert_eq!(m.notice, None);
        assert_eq!(m.revision(), rev);
    }

    #[test]
    fn the_next_key_clears_a_notice() {
        let mut m = demo();
        update(&mut m, press('c'));
        assert!(m.notice.is_some());
        let rev = m.revision();
        update(&mut m, press('x')); // unbound
        assert_eq!(m.notice, None);
        assert_ne!(m.revision(), rev);
    }

    #[test]
    fn an_unbound_key_in_the_explorer_still_redraws_the_notice_it_cleared() {
        let mut m = demo();
        update(&mut m, press('x'));
        assert!(m.mode.explorer().is_some());
        for code in [KeyCode::F(5), KeyCode::Insert] {
            m.notify(NoticeLevel::Warn, "stale");
            let rev = m.revision();
            update(&mut m, key(code, KeyModifiers::NONE));
            assert_eq!(m.notice, None);
            assert_ne!(
                m.revision(),
                rev,
                "{code:?}: the cleared notice must be redrawn"
            );
        }
        // The same in the explorer's editor.
        update(&mut m, key(KeyCode::Enter, KeyModifiers::NONE));
        m.notify(NoticeLevel::Warn, "stale");
        let rev = m.revision();
        update(&mut m, key(KeyCode::F(5), KeyModifiers::NONE));
        assert_eq!(m.notice, None);
        assert_ne!(m.revision(), rev);
    }

    #[test]
    fn a_later_message_in_a_batch_never_cancels_an_earlier_redraw() {
        // The runtime applies a batch of messages and then draws if the revision moved.
        let mut m = demo();
        let drawn = m.revision();
        let batch = vec![
            Msg::Resize(100, 30),
            press('x'),
            key(KeyCode::F(5), KeyModifiers::NONE),
            Msg::Tick,
            Msg::Resize(100, 30),
        ];
        for msg in batch {
            update(&mut m, msg);
        }
        assert_ne!(
            m.revision(),
            drawn,
            "the batch changed the screen: it must be drawn"
        );
    }

    #[test]
    fn unbound_keys_and_pastes_change_nothing() {
        let mut m = demo();
        let before = m.clone();
        update(&mut m, press('z'));
        update(&mut m, Msg::Paste("hello".into()));
        update(&mut m, key(KeyCode::Up, KeyModifiers::NONE));
        assert_eq!(m, before);
    }

    #[test]
    fn resize_redraws_only_on_change() {
        let mut m = demo();
        let rev = m.revision();
        update(&mut m, Msg::Resize(80, 24));
        assert_eq!(m.revision(), rev);
        update(&mut m, Msg::Resize(120, 40));
        assert_eq!(m.size, (120, 40));
        assert_ne!(m.revision(), rev);
    }

    fn online_demo() -> Model {
        let mut m = demo();
        update(
            &mut m,
            Msg::Room(RoomLinkEvent::Status(LinkStatus::Authorized)),
        );
        m
    }

    fn ringing(m: &mut Model) {
        let mut st = m.room.clone();
        st.apply_event(&RoomEvent::InviteReceived {
            peer_id: "dave@video.example.com".into(),
            peer_dn: "Dave Brown".into(),
            conf_type: 0,
            conf_id: "c1".into(),
            conf_title: None,
        });
        update(m, Msg::Room(RoomLinkEvent::State(Box::new(st))));
    }

    #[test]
    fn link_status_and_state_snapshots_update_the_model() {
        let mut m = demo();
        let rev = m.revision();
        update(
            &mut m,
            Msg::Room(RoomLinkEvent::Status(LinkStatus::Connecting)),
        );
        assert_eq!(m.room_link, LinkStatus::Connecting);
        assert_ne!(m.revision(), rev);
        let mut st = crate::room::RoomState::default();
        st.apply_event(&RoomEvent::MicMuted(true));
        let rev = m.revision();
        update(
            &mut m,
            Msg::Room(RoomLinkEvent::State(Box::new(st.clone()))),
        );
        assert!(m.room.mic_muted);
        assert_ne!(m.revision(), rev);
        // The same state again draws nothing.
        let rev = m.revision();
        update(&mut m, Msg::Room(RoomLinkEvent::State(Box::new(st))));
        assert_eq!(m.revision(), rev);
    }

    #[test]
    fn an_incoming_call_rings_the_bell_and_says_who() {
        let mut m = online_demo();
        let cmds = update(
            &mut m,
            Msg::Room(RoomLinkEvent::Event(RoomEvent::InviteReceived {
                peer_id: "dave@video.example.com".into(),
                peer_dn: "Dave \x1b[31mBrown".into(),
                conf_type: 0,
                conf_id: "c1".into(),
                conf_title: None,
            })),
        );
        assert_eq!(cmds, vec![Cmd::Bell]);
        assert_eq!(
            m.notice.unwrap().text,
            "Incoming call from Dave Brown: a accepts, r rejects"
        );
        // No bell when it is off.
        let mut m = online_demo();
        m.bell = false;
        let cmds = update(
            &mut m,
            Msg::Room(RoomLinkEvent::Event(RoomEvent::InviteReceived {
                peer_id: "x".into(),
                peer_dn: String::new(),
                conf_type: 1,
                conf_id: "c".into(),
                conf_title: Some("Board".into()),
            })),
        );
        assert!(cmds.is_empty());
        assert!(
            m.notice
                .unwrap()
                .text
                .starts_with("Invitation to Board from x")
        );
    }

    #[test]
    fn a_huge_caller_name_is_cut_in_the_notice() {
        let mut m = online_demo();
        update(
            &mut m,
            Msg::Room(RoomLinkEvent::Event(RoomEvent::InviteReceived {
                peer_id: "x".into(),
                peer_dn: "D".repeat(1 << 20),
                conf_type: 0,
                conf_id: "c".into(),
                conf_title: None,
            })),
        );
        let text = m.notice.unwrap().text;
        assert!(
            text.chars().count() < 200 && text.contains("DDD…"),
            "{} chars",
            text.len()
        );
    }

    #[test]
    fn call_dialog_keys_answer_a_ringing_call() {
        let mut m = online_demo();
        // Without a ringing call, `a` and `r` do nothing.
        assert!(update(&mut m, press('a')).is_empty());
        ringing(&mut m);
        assert_eq!(
            update(&mut m, press('a')),
            vec![Cmd::room("accept", json!({}))]
        );
        assert_eq!(
            update(&mut m, press('r')),
            vec![Cmd::room("reject", json!({}))]
        );
        // Hanging up a ringing call rejects it.
        assert_eq!(
            update(&mut m, press('h')),
            vec![Cmd::room("reject", json!({}))]
        );
    }

    #[test]
    fn room_keys_send_requests_when_the_link_is_up() {
        let mut m = online_demo();
        assert_eq!(
            update(&mut m, press('m')),
            vec![Cmd::room("setMicMute", json!({"mute": true}))]
        );
        m.room.mic_muted = true;
        assert_eq!(
            update(&mut m, press('m')),
            vec![Cmd::room("setMicMute", json!({"mute": false}))]
        );
        assert_eq!(
            update(&mut m, press('v')),
            vec![Cmd::room("setVideoMute", json!({"mute": true}))]
        );
        // No call: hang-up says so and sends nothing.
        assert!(update(&mut m, press('h')).is_empty());
        assert_eq!(m.notice.as_ref().unwrap().text, "No call to hang up");
        m.room.calling = Some("carol".into());
        assert_eq!(
            update(&mut m, press('h')),
            vec![Cmd::room("hangUp", json!({"forAll": false}))]
        );
        // Placing a call opens the call prompt.
        assert!(update(&mut m, press('c')).is_empty());
        assert!(matches!(m.mode, Mode::Prompt(crate::app::Prompt::Call(_))));
    }

    #[test]
    fn a_failed_request_is_shown_inert() {
        let mut m = online_demo();
        update(
            &mut m,
            Msg::RoomFailed("the Room refused `x`: \x1b]0;t\x07bad".into()),
        );
        let n = m.notice.unwrap();
        assert_eq!(
            (n.level, n.text.as_str()),
            (NoticeLevel::Error, "the Room refused `x`: bad")
        );
    }

    #[test]
    fn switching_rooms_reconnects() {
        let mut m = model(TWO_ROOMS);
        m.room.mic_muted = true;
        let cmds = update(&mut m, key(KeyCode::Char('r'), KeyModifiers::CONTROL));
        assert_eq!(cmds, vec![Cmd::ConnectRoom(1)]);
        assert_eq!(
            m.room,
            crate::room::RoomState::default(),
            "the old room's state is dropped"
        );
    }
}
