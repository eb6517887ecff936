//! Helpers the app's tests share: models as a run starts them, and keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};
use std::path::Path;

use super::{Cmd, LinkStatus, Mode, Model, Msg, Pane, Prompt, Session, update};
use crate::chat::ChatLinkEvent;
use crate::chat::client::ChatSession;
use crate::chat::types::{Chat, Envelope};
use crate::config::Config;
use crate::room::{RoomEvent, RoomLinkEvent};

pub fn config(text: &str) -> Config {
    Config::parse(text, Path::new("test.toml"), |_| None).unwrap()
}

pub fn model(text: &str) -> Model {
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

pub fn demo() -> Model {
    Model::demo(&Config::default(), (80, 24), false)
}

pub fn press(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn key(code: KeyCode, mods: KeyModifiers) -> Msg {
    Msg::Key(KeyEvent::new(code, mods))
}

pub fn online_demo() -> Model {
    let mut m = demo();
    update(
        &mut m,
        Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Authorized)),
    );
    m
}

pub fn ringing(m: &mut Model) {
    ringing_at(m, 0);
}

/// Dave's call rings on room `i` (its link's state snapshot says so).
pub fn ringing_at(m: &mut Model, i: usize) {
    let mut st = m.room.slot(i).expect("the room").state.clone();
    st.apply_event(&RoomEvent::InviteReceived {
        peer_id: "dave@video.example.com".into(),
        peer_dn: "Dave Brown".into(),
        conf_type: 0,
        conf_id: "c1".into(),
        conf_title: None,
    });
    update(m, Msg::Room(i, RoomLinkEvent::State(Box::new(st))));
}

/// Our chat id in the chat fixtures.
pub const ME: &str = "op@srv";

pub fn kc(m: &mut Model, code: KeyCode) -> Vec<Cmd> {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn ch(m: &mut Model, c: char) -> Vec<Cmd> {
    kc(m, KeyCode::Char(c))
}

pub fn typed(m: &mut Model, s: &str) {
    for c in s.chars() {
        ch(m, c);
    }
}

pub fn env(id: &str, bx: u64, author: &str, content: Value, kind: i64) -> Envelope {
    Envelope::from_value(
        &json!({"chatId": "a", "messageId": id, "timestamp": bx * 1000,
        "type": kind, "author": {"id": author, "type": 1}, "box": {"id": bx, "position": ""},
        "content": content}),
    )
    .unwrap()
}

pub fn text(id: &str, bx: u64, author: &str) -> Envelope {
    env(
        id,
        bx,
        author,
        json!({"text": format!("text {id}"), "parseMode": "text"}),
        200,
    )
}

/// A console with the chat link up, chats `a` (open, with `n` messages) and `b`, and the
/// history pane focused. Messages alternate between alice and us; `m0` is the oldest.
pub fn open(n: u64) -> Model {
    let page: Vec<Envelope> = (0..n)
        .rev()
        .map(|i| {
            let who = if i % 2 == 0 { "alice@srv" } else { ME };
            text(&format!("m{i}"), i + 1, who)
        })
        .collect();
    open_with(page)
}

/// As [`open`], with chat `a`'s first page (newest first) given.
pub fn open_with(page: Vec<Envelope>) -> Model {
    let mut m = Model::demo(&Config::default(), (80, 24), false);
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Session(ChatSession {
            user_id: format!("{ME}/1"),
            me: ME.into(),
            connection_id: None,
        })),
    );
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Status(LinkStatus::Authorized)),
    );
    let chat = |id: &str, title: &str| {
        Chat::from_value(&json!({"chatId": id, "title": title, "chatType": 2})).unwrap()
    };
    update(
        &mut m,
        Msg::ChatsLoaded(Ok(vec![chat("a", "Alpha"), chat("b", "Beta")])),
    );
    m.chat.list.selected = Some("a".into());
    m.ui.focus = Pane::Chats;
    kc(&mut m, KeyCode::Enter);
    update(
        &mut m,
        Msg::HistoryLoaded {
            chat_id: "a".into(),
            before: None,
            result: Ok(page),
        },
    );
    m.ui.focus = Pane::History;
    m.ui.notice = None;
    m
}

pub fn sel(m: &Model) -> Option<String> {
    m.chat.open.as_ref().unwrap().selected.clone()
}

/// What the input that has the keyboard holds.
pub fn input_text(m: &Model) -> String {
    use crate::app::explorer::Focus;
    match &m.mode {
        Mode::Composing => m.composer.drafts["a"].editor.text().into(),
        Mode::Filtering => m.chat.filter.query.text().into(),
        Mode::Prompt(Prompt::Call(p)) => p.picker.query.text().into(),
        Mode::Prompt(Prompt::Forward { picker, .. }) => picker.query.text().into(),
        Mode::Prompt(Prompt::Upload { path }) => path.text().into(),
        Mode::Prompt(Prompt::NewChat { input, .. }) => input.text().into(),
        Mode::Explorer(x) if x.focus == Focus::List => x.filter.query.text().into(),
        Mode::Explorer(x) => x.editor.text().into(),
        other => panic!("no input has the keyboard: {other:?}"),
    }
}
