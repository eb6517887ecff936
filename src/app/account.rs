//! The server and account view (`A`): the Room's application state, its server and its
//! account as the Room said them, the transitions as they happen, and the actions that move
//! it along: connect to a server (`s`), log in (`l`, the password masked), log out (`o`,
//! after asking). Connecting and logging in are an administrator's: a Room that refuses says
//! why, and the notice shows it.

use std::collections::VecDeque;

use crossterm::event::{KeyCode, KeyEvent};
use serde_json::json;

use super::{Answer, Cmd, Confirmed, Mode, Model, Msg, NoticeLevel};
use crate::room::protocol::RoomEvent;
use crate::sanitize;

/// How many transitions a room keeps for the view.
pub const KEPT: usize = 12;

/// One transition: when (ms since the epoch) and what happened.
pub type Transition = (u64, String);

/// A `login` event's `result` in words (docs/room-protocol.md, Enumerations).
pub fn login_result(code: i64) -> String {
    match code {
        0 => "logged in".into(),
        1 => "already logged in".into(),
        2 => "no such login".into(),
        3 => "wrong login or password".into(),
        4 => "login rejected by the server".into(),
        5 => "the server's limit of online users is reached".into(),
        6 => "the account is not activated".into(),
        7 => "the server is busy".into(),
        8 => "this kind of application may not log in".into(),
        9 => "the account awaits e-mail confirmation".into(),
        10 => "the account is locked".into(),
        11 => "the e-mail address is blacklisted".into(),
        65213 => "the password has expired".into(),
        n => format!("login failed (code {n})"),
    }
}

/// Records what an event of room `i` says about its server and account, and says a failed
/// login (whatever room is shown).
pub(super) fn on_event(m: &mut Model, i: usize, e: &RoomEvent) {
    let text = match e {
        RoomEvent::AppStateChanged { state, .. } => {
            format!("state {}: {}", state.code(), state.describe())
        }
        RoomEvent::ServerConnected { server, port, .. } => match port {
            Some(p) => format!("connected to {}:{p}", short(server)),
            None => format!("connected to {}", short(server)),
        },
        RoomEvent::ServerDisconnected { server } => match server {
            Some(s) => format!("disconnected from {}", short(s)),
            None => "disconnected from the server".into(),
        },
        RoomEvent::Login {
            result,
            peer_id,
            peer_dn,
        } => {
            let who = if peer_dn.is_empty() { peer_id } else { peer_dn };
            if *result == 0 {
                // Said, so "Logging in as …" does not stand as the last word.
                let text = super::room::of_room(m, i, format!("Logged in as {}", short(who)));
                m.notify(NoticeLevel::Info, text);
                format!("logged in as {}", short(who))
            } else {
                let why = login_result(*result);
                let text = super::room::of_room(m, i, format!("Login failed: {why}"));
                m.notify(NoticeLevel::Warn, text);
                format!("login failed: {why}")
            }
        }
        RoomEvent::Logout { .. } => {
            let text = super::room::of_room(m, i, "Logged out".into());
            m.notify(NoticeLevel::Info, text);
            "logged out".into()
        }
        _ => return,
    };
    let now = m.ui.now_ms;
    if let Some(s) = m.room.slot_mut(i) {
        push(&mut s.account_log, (now, text));
        m.touch();
    }
}

fn push(log: &mut VecDeque<Transition>, t: Transition) {
    if log.len() == KEPT {
        log.pop_front();
    }
    log.push_back(t);
}

/// `A`: the view of the active room.
pub(super) fn open(m: &mut Model) {
    if let Some(room) = m.room.active {
        m.mode = Mode::Account { room };
        m.touch();
    }
}

/// Keys in the view: `s` connect, `l` log in, `o` log out; Esc (or `A`) closes.
pub(super) fn on_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    let Mode::Account { room } = m.mode else {
        return vec![];
    };
    match k.code {
        KeyCode::Esc | KeyCode::Char('A' | 'q') => {
            m.mode = Mode::Normal;
            m.touch();
        }
        KeyCode::Char('s') => super::form::open_connect(m, room),
        KeyCode::Char('l') => super::form::open_login(m, room),
        KeyCode::Char('o') => {
            let logged_in = m
                .room
                .slot(room)
                .is_some_and(|s| s.state.login != crate::room::state::Login::LoggedOut);
            if !logged_in {
                m.notify(NoticeLevel::Info, "No account is logged in");
                return vec![];
            }
            let where_ = sanitize::line(m.room.name(room)).into_owned();
            let answers = vec![Answer {
                key: 'y',
                label: "yes, log out".into(),
                msg: Msg::Confirmed(Confirmed::Room {
                    room,
                    method: "logout".into(),
                    params: json!({}),
                }),
            }];
            super::prompts::confirm(
                m,
                format!("Log {where_} out? (no calls until it logs in)"),
                answers,
            );
        }
        _ => {}
    }
    vec![]
}

fn short(s: &str) -> String {
    super::update::short(&sanitize::line(s))
}
