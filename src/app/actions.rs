//! The history's cursor and the actions on the selected message (reply, edit, delete,
//! forward, download), sending files, creating chats, the confirmation and picker overlays,
//! and the Room's hang-up-for-all and volume. Pure, like the rest of `update`.

use serde_json::json;

use super::{
    Answer, ChatOp, Cmd, Confirmed, Mode, Model, Msg, NewChatKind, NoticeLevel, Older,
    TransferState, TransferView,
};
use crate::chat::types::{Content, Envelope};
use crate::keys::Action;
use crate::sanitize;

/// Messages per history page.
pub const HISTORY_PAGE: u64 = 100;

/// How close to the oldest loaded message the cursor gets before the next page is asked for.
const LOAD_AHEAD: usize = 10;

/// Up, Down, Esc and End in the history pane.
pub fn history_move(m: &mut Model, action: Action) -> Vec<Cmd> {
    let Some(o) = m.open_chat.as_mut() else {
        return vec![];
    };
    match action {
        Action::Up => o.step(-1),
        Action::Down => o.step(1),
        Action::PageUp => o.step(-10),
        Action::PageDown => o.step(10),
        _ => o.selected = None,
    }
    m.touch();
    load_older(m)
}

/// Asks for the page before the oldest message once the cursor is near it.
fn load_older(m: &mut Model) -> Vec<Cmd> {
    let Some(o) = m.open_chat.as_mut() else {
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
    result: Result<Vec<Envelope>, String>,
) -> bool {
    let Some(open) = m.open_chat.as_mut().filter(|o| o.chat_id == chat_id) else {
        return false;
    };
    match (result, before) {
        (Ok(page), before) => {
            let n = open.messages.len();
            let got = page.len() as u64;
            open.merge(page);
            let added = open.messages.len() > n;
            if before.is_some() || open.older == Older::More {
                // A short page, or one with nothing new, is the start of the chat.
                open.older = if got < HISTORY_PAGE || (before.is_some() && !added) {
                    Older::Complete
                } else {
                    Older::More
                };
            }
            open.state = super::Loadable::Ready;
            m.chats.mark_read(chat_id);
        }
        (Err(e), None) => open.state = super::Loadable::Failed(sanitize::line(&e).into_owned()),
        (Err(e), Some(_)) => {
            open.older = Older::More;
            m.notify(
                NoticeLevel::Error,
                format!(
                    "Cannot load older messages: {}",
                    sanitize::line(&e).into_owned()
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
        .open_chat
        .as_ref()
        .and_then(|o| o.selected_message())
        .cloned();
    if e.is_none() {
        let up = m.keys.describe(Action::Up);
        m.notify(
            NoticeLevel::Info,
            format!("Select a message first: {up} in the history"),
        );
    }
    e
}

fn is_deleted(m: &Model, id: &str) -> bool {
    m.open_chat.as_ref().is_some_and(|o| o.deleted.contains(id))
}

/// Reply, Edit, Delete, Forward, Download and Upload in the history pane.
pub fn message_action(m: &mut Model, action: Action) -> Vec<Cmd> {
    let Some(chat_id) = m.open_chat.as_ref().map(|o| o.chat_id.clone()) else {
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
            let d = m.drafts.entry(chat_id).or_default();
            d.reply_to = Some(e.message_id);
            d.edit_of = None;
            m.mode = Mode::Composing;
            m.touch();
        }
        Action::Edit => {
            let mine = m.chat_me.as_deref() == Some(e.author.id.as_str());
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
            let d = m.drafts.entry(chat_id).or_default();
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
        Action::Download => return download(m, &chat_id, &e),
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

fn next_transfer_id(m: &Model) -> u64 {
    m.transfers.iter().map(|t| t.id).max().unwrap_or(0) + 1
}

fn download(m: &mut Model, chat_id: &str, e: &Envelope) -> Vec<Cmd> {
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
    if m.transfers.iter().any(|t| {
        t.message_id.as_deref() == Some(e.message_id.as_str()) && t.state == TransferState::Running
    }) {
        m.notify(NoticeLevel::Info, "Already downloading");
        return vec![];
    }
    let id = next_transfer_id(m);
    m.transfers.push(TransferView {
        id,
        chat_id: chat_id.to_string(),
        message_id: Some(e.message_id.clone()),
        name: sanitize::line(name).into_owned(),
        path: None,
        upload: false,
        done: 0,
        total: *size,
        state: TransferState::Running,
    });
    m.touch();
    vec![Cmd::Download {
        id,
        file_id: file_id.clone(),
        dir: m.download_dir.clone(),
        name: name.clone(),
    }]
}

/// A transfer's local path became known.
pub fn transfer_path(m: &mut Model, id: u64, path: std::path::PathBuf, total: u64) {
    if let Some(t) = m.transfers.iter_mut().find(|t| t.id == id) {
        t.path = Some(path);
        t.total = total;
        m.touch();
    }
}

/// Progress from the link, by local path. Redraws only when the shown percentage changes.
pub fn transfer_progress(m: &mut Model, t: &crate::chat::Transfer) {
    let Some(v) = m.transfers.iter_mut().find(|v| {
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

pub fn transfer_done(m: &mut Model, id: u64, result: Result<(), String>) -> Vec<Cmd> {
    let Some(t) = m.transfers.iter_mut().find(|t| t.id == id) else {
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
                if m.open_chat.as_ref().is_some_and(|o| o.chat_id == chat_id) {
                    cmds.push(Cmd::LoadHistory {
                        chat_id,
                        before: None,
                    });
                }
            } else {
                m.notify(NoticeLevel::Info, format!("Saved {path}"));
            }
        }
        Err(e) => {
            let e = sanitize::line(&e).into_owned();
            t.state = TransferState::Failed(e.clone());
            let what = if upload { "send" } else { "download" };
            m.notify(NoticeLevel::Error, format!("Cannot {what} {name}: {e}"));
        }
    }
    m.touch();
    cmds
}

pub fn chat_done(m: &mut Model, op: ChatOp, result: Result<Option<String>, String>) -> Vec<Cmd> {
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
                    if let Some(o) = m.open_chat.as_mut().filter(|o| &o.chat_id == chat_id) {
                        o.mark_deleted(message_id);
                    }
                }
                ChatOp::Forward { to_chat, .. } => {
                    if let Some(c) = m.chats.items.iter().find(|c| &c.id == to_chat) {
                        let shown = m.names.get(&c.title).unwrap_or(&c.title);
                        text = format!("Forwarded to {shown}");
                    }
                }
                ChatOp::Create { kind, arg } => {
                    if let Some(id) = new_id {
                        // Open it; the list reloads with it.
                        m.chats.selected = Some(id.clone());
                        m.open_chat = Some(super::OpenChat {
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
        format!("Cannot {what}: {}", sanitize::line(&e)),
    );
    vec![]
}

/// `H`: end the conference for everyone, after a confirmation.
pub fn hang_up_all(m: &mut Model) -> Vec<Cmd> {
    if m.room.conference.is_none() {
        m.notify(NoticeLevel::Info, "No conference to end");
        return vec![];
    }
    let answers = vec![Answer {
        key: 'y',
        label: "yes, end it for all".into(),
        msg: Msg::Confirmed(Confirmed::Room {
            method: "hangUp".into(),
            params: json!({ "forAll": true }),
        }),
    }];
    super::prompts::confirm(m, "End the conference for everyone?".into(), answers);
    vec![]
}

/// `+`/`-`: the speaker volume in steps of a tenth (`audioPlayLevel`, 0.0–1.0).
pub fn volume(m: &mut Model, up: bool) -> Vec<Cmd> {
    // Presses faster than the Room's answers count from the last one asked for.
    let now = m.volume_asked.or(m.room.volume).unwrap_or(0.5);
    let step = if up { 0.1 } else { -0.1 };
    let next = ((now + step).clamp(0.0, 1.0) * 10.0).round() / 10.0;
    if (next - now).abs() < f64::EPSILON {
        let edge = if up { "full" } else { "zero" };
        m.notify(NoticeLevel::Info, format!("Volume is at {edge}"));
        return vec![];
    }
    m.volume_asked = Some(next);
    vec![Cmd::room(
        "setSettings",
        json!({ "settings": { "audioPlayLevel": next } }),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Confirm, Prompt};
    use crate::app::{LinkStatus, Msg, OutState, Outgoing, Pane, SendOutcome, update};
    use crate::chat::ChatLinkEvent;
    use crate::chat::client::ChatSession;
    use crate::chat::events::ChatEvent;
    use crate::chat::types::Chat;
    use crate::config::Config;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use serde_json::Value;

    const ME: &str = "op@srv";

    fn key(m: &mut Model, code: KeyCode) -> Vec<Cmd> {
        update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    fn ch(m: &mut Model, c: char) -> Vec<Cmd> {
        key(m, KeyCode::Char(c))
    }

    fn typed(m: &mut Model, s: &str) {
        for c in s.chars() {
            ch(m, c);
        }
    }

    fn env(id: &str, bx: u64, author: &str, content: Value, kind: i64) -> Envelope {
        Envelope::from_value(
            &json!({"chatId": "a", "messageId": id, "timestamp": bx * 1000,
            "type": kind, "author": {"id": author, "type": 1}, "box": {"id": bx, "position": ""},
            "content": content}),
        )
        .unwrap()
    }

    fn text(id: &str, bx: u64, author: &str) -> Envelope {
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
    fn open(n: u64) -> Model {
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
        m.chats.selected = Some("a".into());
        m.focus = Pane::Chats;
        key(&mut m, KeyCode::Enter);
        let page: Vec<Envelope> = (0..n)
            .rev()
            .map(|i| {
                let who = if i % 2 == 0 { "alice@srv" } else { ME };
                text(&format!("m{i}"), i + 1, who)
            })
            .collect();
        update(
            &mut m,
            Msg::HistoryLoaded {
                chat_id: "a".into(),
                before: None,
                result: Ok(page),
            },
        );
        m.focus = Pane::History;
        m.notice = None;
        m
    }

    fn sel(m: &Model) -> Option<String> {
        m.open_chat.as_ref().unwrap().selected.clone()
    }

    #[test]
    fn the_cursor_moves_and_older_pages_load_near_the_top() {
        let mut m = open(100);
        assert_eq!(m.open_chat.as_ref().unwrap().older, Older::More);
        let rev = m.revision();
        assert!(key(&mut m, KeyCode::Up).is_empty());
        assert_eq!(sel(&m).as_deref(), Some("m99"), "up lands on the newest");
        assert_ne!(m.revision(), rev);
        ch(&mut m, 'j');
        assert_eq!(sel(&m), None, "down past the newest follows again");
        key(&mut m, KeyCode::PageUp);
        assert_eq!(sel(&m).as_deref(), Some("m90"), "ten up from following");
        key(&mut m, KeyCode::PageDown);
        assert_eq!(sel(&m), None);
        // Up to the tenth message: the page before the oldest is asked for, once.
        let mut asked = vec![];
        for _ in 0..91 {
            asked.extend(key(&mut m, KeyCode::Up));
        }
        assert_eq!(sel(&m).as_deref(), Some("m9"));
        assert_eq!(
            asked,
            vec![Cmd::LoadHistory {
                chat_id: "a".into(),
                before: Some("m0".into())
            }]
        );
        assert_eq!(m.open_chat.as_ref().unwrap().older, Older::Loading);
        assert!(key(&mut m, KeyCode::Up).is_empty(), "not asked twice");
        // A failed page says so and may be asked again.
        update(
            &mut m,
            Msg::HistoryLoaded {
                chat_id: "a".into(),
                before: Some("m0".into()),
                result: Err("operation timeout (301)".into()),
            },
        );
        assert!(m.notice.as_ref().unwrap().text.contains("older messages"));
        assert_eq!(m.open_chat.as_ref().unwrap().older, Older::More);
        assert_eq!(key(&mut m, KeyCode::Up).len(), 1);
        // A short older page is the start of the chat; the cursor stays on its message.
        let older = vec![
            env(
                "o2",
                0,
                "alice@srv",
                json!({"text": "x", "parseMode": "text"}),
                200,
            ),
            text("o1", 0, "alice@srv"),
        ];
        let before = sel(&m);
        update(
            &mut m,
            Msg::HistoryLoaded {
                chat_id: "a".into(),
                before: Some("m0".into()),
                result: Ok(older),
            },
        );
        let o = m.open_chat.as_ref().unwrap();
        assert_eq!(o.messages.len(), 102);
        assert_eq!(o.older, Older::Complete);
        assert_eq!(o.selected, before);
        for _ in 0..20 {
            assert!(key(&mut m, KeyCode::Up).is_empty());
        }
        // End and Esc go back to the newest.
        ch(&mut m, 'G');
        assert_eq!(sel(&m), None);
        key(&mut m, KeyCode::Up);
        key(&mut m, KeyCode::Esc);
        assert_eq!(sel(&m), None);
    }

    #[test]
    fn a_first_page_shorter_than_a_page_is_the_whole_chat() {
        let m = open(5);
        assert_eq!(m.open_chat.as_ref().unwrap().older, Older::Complete);
    }

    #[test]
    fn reply_sends_with_the_answered_message_and_backspace_drops_it() {
        let mut m = open(4);
        assert!(ch(&mut m, 'R').is_empty());
        assert!(m.notice.as_ref().unwrap().text.contains("Select a message"));
        key(&mut m, KeyCode::Up);
        key(&mut m, KeyCode::Up);
        ch(&mut m, 'R');
        assert!(m.mode.is_composing());
        assert_eq!(m.drafts["a"].reply_to.as_deref(), Some("m2"));
        // Backspace in the empty draft drops the reply; R again brings it back.
        key(&mut m, KeyCode::Backspace);
        assert_eq!(m.drafts["a"].reply_to, None);
        key(&mut m, KeyCode::Esc);
        ch(&mut m, 'R');
        typed(&mut m, "yes");
        // Ctrl-P: markdown.
        update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL)),
        );
        let cmds = key(&mut m, KeyCode::Enter);
        let Some(Cmd::SendChat(o)) = cmds.into_iter().find(|c| matches!(c, Cmd::SendChat(_)))
        else {
            panic!("no send");
        };
        assert_eq!(o.reply_to.as_deref(), Some("m2"));
        assert_eq!(o.parse_mode, "markdown");
        assert_eq!(o.text, "yes");
        assert_eq!(o.edit_of, None);
        assert_eq!(sel(&m), None, "after sending the pane follows the newest");
        assert_eq!(m.drafts["a"].reply_to, None);
    }

    #[test]
    fn edit_only_our_text_and_the_sent_edit_shows_at_once() {
        let mut m = open(4);
        key(&mut m, KeyCode::Up); // m3: ours
        key(&mut m, KeyCode::Up); // m2: alice's
        ch(&mut m, 'e');
        assert!(m.notice.as_ref().unwrap().text.contains("your own"));
        assert!(!m.mode.is_composing());
        key(&mut m, KeyCode::Down);
        // A draft in the composer is never overwritten by an edit.
        m.drafts
            .entry("a".into())
            .or_default()
            .editor
            .insert("keep me");
        ch(&mut m, 'e');
        assert_eq!(m.notice.as_ref().unwrap().level, NoticeLevel::Warn);
        assert_eq!(m.drafts["a"].editor.text(), "keep me");
        m.drafts.remove("a");
        ch(&mut m, 'e');
        assert!(m.mode.is_composing());
        assert_eq!(m.drafts["a"].editor.text(), "text m3");
        assert_eq!(m.drafts["a"].edit_of.as_deref(), Some("m3"));
        typed(&mut m, "!");
        let cmds = key(&mut m, KeyCode::Enter);
        let o = cmds
            .iter()
            .find_map(|c| match c {
                Cmd::SendChat(o) => Some(o.clone()),
                _ => None,
            })
            .expect("sent");
        assert_eq!(o.edit_of.as_deref(), Some("m3"));
        assert_eq!(o.text, "text m3!");
        let cmds = update(
            &mut m,
            Msg::ChatSent {
                local_id: o.local_id,
                outcome: SendOutcome::Sent,
            },
        );
        assert!(
            !cmds.iter().any(|c| matches!(c, Cmd::LoadHistory { .. })),
            "an edit needs no reload"
        );
        let e = m.open_chat.as_ref().unwrap().messages.last().unwrap();
        assert!(e.is_edited);
        assert_eq!(e.summary(), "text m3!");
        assert!(m.outbox.is_empty());
    }

    /// What the input that has the keyboard holds.
    fn input_text(m: &Model) -> String {
        use crate::app::explorer::Focus;
        match &m.mode {
            Mode::Composing => m.drafts["a"].editor.text().into(),
            Mode::Filtering => m.chat_filter.query.text().into(),
            Mode::Prompt(Prompt::Call(p)) => p.picker.query.text().into(),
            Mode::Prompt(Prompt::Forward { picker, .. }) => picker.query.text().into(),
            Mode::Prompt(Prompt::Upload { path }) => path.text().into(),
            Mode::Prompt(Prompt::NewChat { input, .. }) => input.text().into(),
            Mode::Explorer(x) if x.focus == Focus::List => x.filter.query.text().into(),
            Mode::Explorer(x) => x.editor.text().into(),
            other => panic!("no input has the keyboard: {other:?}"),
        }
    }

    #[test]
    fn ctrl_w_deletes_the_word_before_the_cursor_in_every_input() {
        let ctrl_w = KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL);
        // (what opens the input, from the history pane with the newest message selected)
        let inputs: &[(&str, &[char])] = &[
            ("composer", &['i']),
            ("chat filter", &['\t', '\t', '/']),
            ("call prompt", &['c']),
            ("forward target", &['f']),
            ("upload path", &['u']),
            ("new chat", &['\t', '\t', 'N']),
            ("explorer list", &['x']),
        ];
        for (what, open_keys) in inputs {
            let mut m = open(2);
            update(
                &mut m,
                Msg::Room(crate::room::RoomLinkEvent::Status(LinkStatus::Authorized)),
            );
            key(&mut m, KeyCode::Up);
            for c in *open_keys {
                if *c == '\t' {
                    key(&mut m, KeyCode::Tab);
                } else {
                    ch(&mut m, *c);
                }
            }
            typed(&mut m, "ab cd");
            assert_eq!(input_text(&m), "ab cd", "{what}");
            update(&mut m, Msg::Key(ctrl_w));
            assert_eq!(input_text(&m), "ab ", "{what}: Ctrl-W");
            update(&mut m, Msg::Key(ctrl_w));
            assert_eq!(input_text(&m), "", "{what}: Ctrl-W again");
        }
        // The explorer's JSON editor: the word typed into the template goes, the rest stays.
        let mut m = open(2);
        update(
            &mut m,
            Msg::Room(crate::room::RoomLinkEvent::Status(LinkStatus::Authorized)),
        );
        ch(&mut m, 'x');
        key(&mut m, KeyCode::Enter);
        let template = input_text(&m);
        typed(&mut m, "ab zz");
        update(&mut m, Msg::Key(ctrl_w));
        assert_eq!(
            input_text(&m),
            template.replacen("\"\"", "\"ab \"", 1),
            "explorer editor: Ctrl-W"
        );
    }

    #[test]
    fn delete_asks_first_and_the_answer_decides_for_whom() {
        let mut m = open(3);
        key(&mut m, KeyCode::Up);
        assert!(ch(&mut m, 'd').is_empty());
        let Mode::Confirm(Confirm {
            question, answers, ..
        }) = m.mode.clone()
        else {
            panic!("no confirmation: {:?}", m.mode);
        };
        assert!(question.contains("text m2"), "{question}");
        assert_eq!(answers.len(), 2);
        // Any other key cancels.
        assert!(ch(&mut m, 'x').is_empty());
        assert_eq!(m.mode, Mode::Normal);
        ch(&mut m, 'd');
        let cmds = ch(&mut m, 'e');
        let op = ChatOp::Delete {
            chat_id: "a".into(),
            message_id: "m2".into(),
            for_all: true,
        };
        assert_eq!(cmds, vec![Cmd::Chat(op.clone())]);
        update(
            &mut m,
            Msg::ChatDone {
                op,
                result: Ok(None),
            },
        );
        assert!(m.open_chat.as_ref().unwrap().deleted.contains("m2"));
        assert_eq!(m.notice.as_ref().unwrap().text, "Deleted for everyone");
        // A deleted message takes no more actions; a refusal is shown.
        ch(&mut m, 'R');
        assert!(m.notice.as_ref().unwrap().text.contains("deleted"));
        key(&mut m, KeyCode::Up);
        ch(&mut m, 'd');
        let cmds = ch(&mut m, 'm');
        let Cmd::Chat(op) = cmds[0].clone() else {
            panic!()
        };
        assert_eq!(
            op,
            ChatOp::Delete {
                chat_id: "a".into(),
                message_id: "m1".into(),
                for_all: false
            }
        );
        update(
            &mut m,
            Msg::ChatDone {
                op,
                result: Err("not enough rights (303)\u{1b}[2J".into()),
            },
        );
        let n = m.notice.clone().unwrap();
        assert_eq!(n.level, NoticeLevel::Error);
        assert!(n.text.contains("303") && !n.text.contains('\u{1b}'));
        // Removed by someone else: marked too.
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Event(ChatEvent::Removed {
                chat_id: "a".into(),
                message_id: "m0".into(),
                by: None,
            })),
        );
        assert!(m.open_chat.as_ref().unwrap().deleted.contains("m0"));
    }

    #[test]
    fn forward_picks_a_chat_by_typing() {
        let mut m = open(2);
        key(&mut m, KeyCode::Up);
        ch(&mut m, 'f');
        let Mode::Prompt(Prompt::Forward { selected, .. }) = &m.mode else {
            panic!()
        };
        assert_eq!(selected.as_deref(), Some("b"), "not the chat it is in");
        typed(&mut m, "alp");
        let Mode::Prompt(Prompt::Forward {
            selected, picker, ..
        }) = &m.mode
        else {
            panic!()
        };
        assert_eq!(
            (picker.query.text(), selected.as_deref()),
            ("alp", Some("a"))
        );
        key(&mut m, KeyCode::Backspace);
        key(&mut m, KeyCode::Backspace);
        key(&mut m, KeyCode::Backspace);
        key(&mut m, KeyCode::Down);
        let cmds = key(&mut m, KeyCode::Enter);
        let op = ChatOp::Forward {
            message_id: "m1".into(),
            to_chat: "b".into(),
        };
        assert_eq!(cmds, vec![Cmd::Chat(op.clone())]);
        assert_eq!(m.mode, Mode::Normal);
        update(
            &mut m,
            Msg::ChatDone {
                op,
                result: Ok(None),
            },
        );
        assert_eq!(m.notice.as_ref().unwrap().text, "Forwarded to Beta");
        // Esc cancels.
        ch(&mut m, 'f');
        assert!(key(&mut m, KeyCode::Esc).is_empty());
        assert_eq!(m.mode, Mode::Normal);
    }

    #[test]
    fn download_shows_progress_and_where_the_file_went() {
        let mut m = open(2);
        m.download_dir = "/tmp/dl".into();
        let file = env(
            "f1",
            9,
            "alice@srv",
            json!({"name": "report.pdf", "mimeType": "application/pdf", "size": 1000, "fileId": "F1"}),
            202,
        );
        update(
            &mut m,
            Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(Box::new(file)))),
        );
        key(&mut m, KeyCode::Up);
        assert_eq!(sel(&m).as_deref(), Some("f1"));
        let cmds = ch(&mut m, 'o');
        assert_eq!(
            cmds,
            vec![Cmd::Download {
                id: 1,
                file_id: "F1".into(),
                dir: "/tmp/dl".into(),
                name: "report.pdf".into()
            }]
        );
        assert!(ch(&mut m, 'o').is_empty(), "not twice at once");
        assert!(m.notice.as_ref().unwrap().text.contains("Already"));
        let path = std::path::PathBuf::from("/tmp/dl/report (1).pdf");
        update(
            &mut m,
            Msg::TransferPath {
                id: 1,
                path: path.clone(),
                total: 0,
            },
        );
        let rev = m.revision();
        let progress = |done| {
            Msg::Chat(ChatLinkEvent::Transfer(crate::chat::Transfer {
                path: path.clone(),
                upload: false,
                done,
                total: 1000,
            }))
        };
        update(&mut m, progress(400));
        assert_eq!(m.transfers[0].done, 400);
        assert_ne!(m.revision(), rev);
        let rev = m.revision();
        update(&mut m, progress(401));
        assert_eq!(m.revision(), rev, "no redraw while the percentage stays");
        update(
            &mut m,
            Msg::TransferDone {
                id: 1,
                result: Ok(()),
            },
        );
        assert_eq!(m.transfers[0].state, TransferState::Done);
        assert!(m.notice.as_ref().unwrap().text.contains("report (1).pdf"));
        // A text message has nothing to download.
        key(&mut m, KeyCode::Up);
        ch(&mut m, 'o');
        assert!(m.notice.as_ref().unwrap().text.contains("no attachment"));
        // A failure keeps its reason.
        key(&mut m, KeyCode::Down);
        ch(&mut m, 'o');
        update(
            &mut m,
            Msg::TransferDone {
                id: 2,
                result: Err("file not found (404)".into()),
            },
        );
        assert_eq!(
            m.transfers[1].state,
            TransferState::Failed("file not found (404)".into())
        );
    }

    #[test]
    fn upload_takes_a_typed_or_pasted_path() {
        let mut m = open(2);
        assert!(ch(&mut m, 'u').is_empty());
        assert_eq!(
            m.mode,
            Mode::Prompt(Prompt::Upload {
                path: Default::default()
            })
        );
        assert!(key(&mut m, KeyCode::Enter).is_empty(), "nothing typed");
        update(&mut m, Msg::Paste("'/tmp/a file.txt'\n".into()));
        let cmds = key(&mut m, KeyCode::Enter);
        assert_eq!(
            cmds,
            vec![Cmd::Upload {
                id: 1,
                chat_id: "a".into(),
                path: "/tmp/a file.txt".into(),
                reply_to: None
            }]
        );
        assert_eq!(m.transfers[0].name, "a file.txt");
        assert!(m.transfers[0].upload);
        update(
            &mut m,
            Msg::TransferPath {
                id: 1,
                path: "/tmp/a file.txt".into(),
                total: 10,
            },
        );
        let cmds = update(
            &mut m,
            Msg::TransferDone {
                id: 1,
                result: Ok(()),
            },
        );
        assert_eq!(
            cmds,
            vec![Cmd::LoadHistory {
                chat_id: "a".into(),
                before: None
            }],
            "the posted file is read back"
        );
        // `~` is the home directory; a reply being written goes with the file.
        key(&mut m, KeyCode::Up);
        ch(&mut m, 'R');
        key(&mut m, KeyCode::Esc);
        ch(&mut m, 'u');
        typed(&mut m, "~/x.bin");
        let cmds = key(&mut m, KeyCode::Enter);
        let Cmd::Upload { path, reply_to, .. } = &cmds[0] else {
            panic!()
        };
        assert_eq!(
            path,
            std::path::Path::new("~/x.bin"),
            "as typed; the effect expands it"
        );
        assert_eq!(reply_to.as_deref(), Some("m1"));
        ch(&mut m, 'u');
        key(&mut m, KeyCode::Esc);
        assert_eq!(m.mode, Mode::Normal);
    }

    #[test]
    fn new_chat_of_each_kind_opens_when_created() {
        let mut m = open(1);
        m.focus = Pane::Chats;
        ch(&mut m, 'N');
        assert!(matches!(
            m.mode,
            Mode::Prompt(Prompt::NewChat {
                kind: NewChatKind::P2p,
                ..
            })
        ));
        key(&mut m, KeyCode::Tab);
        key(&mut m, KeyCode::Tab);
        typed(&mut m, "News");
        let cmds = key(&mut m, KeyCode::Enter);
        let op = ChatOp::Create {
            kind: NewChatKind::Channel,
            arg: "News".into(),
        };
        assert_eq!(cmds, vec![Cmd::Chat(op.clone())]);
        let cmds = update(
            &mut m,
            Msg::ChatDone {
                op,
                result: Ok(Some("new1".into())),
            },
        );
        assert_eq!(
            cmds,
            vec![
                Cmd::LoadChats,
                Cmd::LoadHistory {
                    chat_id: "new1".into(),
                    before: None
                }
            ]
        );
        assert_eq!(m.open_chat.as_ref().unwrap().chat_id, "new1");
        // A personal chat also asks for the other side's name.
        ch(&mut m, 'N');
        typed(&mut m, "bob@srv");
        let cmds = key(&mut m, KeyCode::Enter);
        let Cmd::Chat(op) = cmds[0].clone() else {
            panic!()
        };
        let cmds = update(
            &mut m,
            Msg::ChatDone {
                op,
                result: Ok(Some("p2p".into())),
            },
        );
        assert!(cmds.contains(&Cmd::ResolveNames(vec!["bob@srv".into()])));
    }

    #[test]
    fn hang_up_for_all_asks_and_volume_steps() {
        use crate::room::RoomLinkEvent;
        let mut m = open(1);
        update(
            &mut m,
            Msg::Room(RoomLinkEvent::Status(LinkStatus::Authorized)),
        );
        assert!(ch(&mut m, 'H').is_empty());
        assert!(m.notice.as_ref().unwrap().text.contains("No conference"));
        let mut st = m.room.clone();
        st.conference = Some(crate::room::state::Conference {
            id: "c1".into(),
            title: "Sync".into(),
            conf_type: 1,
            owner: ME.into(),
            participants: vec![],
        });
        st.volume = Some(0.8);
        update(
            &mut m,
            Msg::Room(RoomLinkEvent::State(Box::new(st.clone()))),
        );
        ch(&mut m, 'H');
        assert!(matches!(m.mode, Mode::Confirm(_)));
        assert_eq!(
            ch(&mut m, 'y'),
            vec![Cmd::room("hangUp", json!({"forAll": true}))]
        );
        assert_eq!(
            ch(&mut m, '+'),
            vec![Cmd::room(
                "setSettings",
                json!({"settings": {"audioPlayLevel": 0.9}})
            )]
        );
        // A second press before the Room answers counts from the first.
        assert_eq!(
            ch(&mut m, '+'),
            vec![Cmd::room(
                "setSettings",
                json!({"settings": {"audioPlayLevel": 1.0}})
            )]
        );
        assert_eq!(
            ch(&mut m, '-'),
            vec![Cmd::room(
                "setSettings",
                json!({"settings": {"audioPlayLevel": 0.9}})
            )]
        );
        st.volume = Some(1.0);
        update(&mut m, Msg::Room(RoomLinkEvent::State(Box::new(st))));
        assert!(ch(&mut m, '+').is_empty());
        assert!(m.notice.as_ref().unwrap().text.contains("full"));
    }

    #[test]
    fn server_requests_reach_the_list_and_the_open_chat() {
        use crate::chat::events::Created;
        let mut m = open(3);
        let ev = |m: &mut Model, e: ChatEvent| {
            let rev = m.revision();
            update(m, Msg::Chat(ChatLinkEvent::Event(e)));
            m.revision() != rev
        };
        // A new chat appears in the list; a rename reaches the list and the open chat.
        let c = Chat::from_value(&json!({"chatId": "n", "title": "New", "chatType": 3})).unwrap();
        assert!(ev(
            &mut m,
            ChatEvent::ChatCreated {
                how: Created::Channel,
                chat: Box::new(c)
            }
        ));
        assert!(m.chats.items.iter().any(|c| c.id == "n"));
        assert!(ev(
            &mut m,
            ChatEvent::TitleChanged {
                chat_id: "a".into(),
                title: "Alpha \u{1b}[31m2".into()
            }
        ));
        assert_eq!(m.open_chat.as_ref().unwrap().title, "Alpha 2");
        assert!(m.chats.items.iter().any(|c| c.title == "Alpha 2"));
        // An edit by someone else: new text, marked edited.
        assert!(ev(
            &mut m,
            ChatEvent::Edited {
                chat_id: "a".into(),
                message_id: Some("m0".into()),
                timestamp: None,
                text: "**new**".into(),
                parse_mode: "markdown".into()
            }
        ));
        let e = &m.open_chat.as_ref().unwrap().messages[0];
        assert!(e.is_edited);
        assert_eq!(e.summary(), "**new**");
        // An edit of a message not loaded, or in another chat, changes nothing.
        assert!(!ev(
            &mut m,
            ChatEvent::Edited {
                chat_id: "b".into(),
                message_id: Some("m0".into()),
                timestamp: None,
                text: "x".into(),
                parse_mode: "text".into()
            }
        ));
        // The history cleared: the pane empties and the cursor goes.
        key(&mut m, KeyCode::Up);
        assert!(ev(
            &mut m,
            ChatEvent::HistoryCleared {
                chat_id: "a".into(),
                for_all: true
            }
        ));
        let o = m.open_chat.as_ref().unwrap();
        assert!(o.messages.is_empty() && o.selected.is_none());
        // What the panes do not show changes nothing on screen.
        for e in [
            ChatEvent::Other {
                method: "somethingNew".into(),
                payload: json!({}),
            },
            ChatEvent::Progress {
                file_id: "F".into(),
                progress: 1,
            },
            ChatEvent::AvatarChanged {
                chat_id: "a".into(),
                avatar_url: None,
            },
        ] {
            assert!(!ev(&mut m, e.clone()), "{e:?}");
        }
        // The open chat removed: the pane closes.
        assert!(ev(
            &mut m,
            ChatEvent::ChatRemoved {
                chat_id: "a".into()
            }
        ));
        assert!(m.open_chat.is_none());
    }

    /// Every bindable action, pressed with its default key where it applies, does something:
    /// a command, or a visible change. No key is dead.
    #[test]
    fn every_action_does_something() {
        use crate::keys::Context;
        use crate::room::RoomLinkEvent;
        for &a in Action::ALL {
            let mut m = open(4);
            update(
                &mut m,
                Msg::Room(RoomLinkEvent::Status(LinkStatus::Authorized)),
            );
            let mut st = m.room.clone();
            st.conference = Some(crate::room::state::Conference {
                id: "c1".into(),
                title: "Sync".into(),
                conf_type: 1,
                owner: ME.into(),
                participants: vec![],
            });
            st.volume = Some(0.5);
            if a.context() == Context::CallDialog {
                st.conference = None;
                st.invite = Some(crate::room::state::Invite {
                    peer: crate::room::state::Peer {
                        id: "dave@srv".into(),
                        name: "Dave".into(),
                    },
                    conf_id: "x".into(),
                    conf_type: 0,
                    conf_title: None,
                });
            }
            update(&mut m, Msg::Room(RoomLinkEvent::State(Box::new(st))));
            m.focus = match a.context() {
                Context::Chats => Pane::Chats,
                Context::Room => Pane::Room,
                _ => Pane::History,
            };
            if a == Action::Download {
                let f = env(
                    "f",
                    50,
                    "alice@srv",
                    json!({"name": "a.txt", "size": 1, "fileId": "F"}),
                    202,
                );
                update(
                    &mut m,
                    Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(Box::new(f)))),
                );
            }
            // A message selected (most history actions need one), one failed send to retry.
            key(&mut m, KeyCode::Up);
            if a == Action::Down || a == Action::Newest || a == Action::Back {
                key(&mut m, KeyCode::Up);
            }
            m.outbox.push(Outgoing {
                local_id: 1,
                chat_id: "a".into(),
                text: "t".into(),
                parse_mode: "text".into(),
                reply_to: None,
                edit_of: None,
                state: OutState::Failed("x".into()),
            });
            if a == Action::Open {
                m.focus = Pane::Chats;
            }
            if let Some(b) = m.chats.items.iter_mut().find(|c| c.id == "b") {
                b.unread = 1;
            }
            m.notice = None;
            let before = m.clone();
            let k: crate::keys::KeySpec = m.keys.keys(a)[0];
            let code = match k.to_string().as_str() {
                "Tab" => KeyCode::Tab,
                "Shift-Tab" => KeyCode::BackTab,
                "Enter" => KeyCode::Enter,
                "Esc" => KeyCode::Esc,
                "Up" => KeyCode::Up,
                "Down" => KeyCode::Down,
                "End" => KeyCode::End,
                "PgUp" => KeyCode::PageUp,
                "PgDn" => KeyCode::PageDown,
                s if s.starts_with("Ctrl-") => {
                    KeyCode::Char(s[5..].chars().next().unwrap().to_ascii_lowercase())
                }
                s => KeyCode::Char(s.chars().next().unwrap()),
            };
            let mods = if k.to_string().starts_with("Ctrl-") {
                KeyModifiers::CONTROL
            } else {
                KeyModifiers::NONE
            };
            let cmds = update(&mut m, Msg::Key(KeyEvent::new(code, mods)));
            let changed = m != before;
            assert!(
                !cmds.is_empty() || changed,
                "{} ({k}) did nothing",
                a.name()
            );
            // And a notice alone is not "doing something" for actions that have work here.
            if cmds.is_empty() && a != Action::SwitchRoom {
                let mut quiet = m.clone();
                quiet.notice = before.notice.clone();
                quiet.same_revision_as(&before);
                assert!(
                    quiet != before,
                    "{} ({k}) only said: {:?}",
                    a.name(),
                    m.notice
                );
            }
        }
    }

    #[test]
    fn a_failed_edit_stays_in_the_outbox_with_its_text() {
        let mut m = open(2);
        m.outbox.push(Outgoing {
            local_id: 7,
            chat_id: "a".into(),
            text: "fixed".into(),
            parse_mode: "text".into(),
            reply_to: None,
            edit_of: Some("m1".into()),
            state: OutState::Sending,
        });
        update(
            &mut m,
            Msg::ChatSent {
                local_id: 7,
                outcome: SendOutcome::Failed("message not found (306)".into()),
            },
        );
        assert_eq!(
            m.outbox[0].state,
            OutState::Failed("message not found (306)".into())
        );
        assert_eq!(m.outbox[0].text, "fixed");
    }
}
