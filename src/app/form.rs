//! Small forms over the panes: a few one-line fields (one may be masked, for a password) and
//! at most one choice, each sending one Room request when Enter submits it: adding a contact,
//! creating a conference, connecting the Room to a server, logging it in.
//!
//! Tab, Shift-Tab, ↑ and ↓ move between the rows; ← and → (or Space) change the choice;
//! Enter submits from any row; Esc returns to where the form was opened from.

use crossterm::event::{KeyCode, KeyEvent};
use serde_json::{Value, json};

use super::{Cmd, Edit, Editor, Lines, Mode, Model, NoticeLevel, Prompt};
use crate::sanitize;

/// What a form is for, and what it acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum FormKind {
    /// `addToAbook` on room `room`: an id, and a display name.
    AddContact { room: usize },
    /// `createConference` on room `room` inviting `invite` (ids): a title, and the type.
    NewConference { room: usize, invite: Vec<String> },
    /// `connectToServer` on room `room`: a server, and a port.
    Connect { room: usize },
    /// `login` on room `room`: a login, and a password (masked).
    Login { room: usize },
}

/// One line to type in.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub label: &'static str,
    pub input: Editor,
    /// Drawn as dots, never as what was typed (a password).
    pub masked: bool,
}

/// A choice among a few values: the labels and the one chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub label: &'static str,
    pub options: Vec<(&'static str, &'static str)>,
    pub chosen: usize,
}

impl Choice {
    /// The chosen option's value (what the request carries).
    pub fn value(&self) -> &'static str {
        self.options[self.chosen].0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<Field>,
    /// Shown after the fields, changed with ← and →.
    pub choice: Option<Choice>,
    /// The row with the focus: a field's index, or `fields.len()` for the choice.
    pub focus: usize,
    /// Lines under the rows (who is invited, what the server answers).
    pub notes: Vec<String>,
    /// Where Esc and a submitted form return.
    pub back: Box<Mode>,
}

impl Form {
    fn rows(&self) -> usize {
        self.fields.len() + usize::from(self.choice.is_some())
    }

    fn field(&self, i: usize) -> &str {
        self.fields
            .get(i)
            .map(|f| f.input.text().trim())
            .unwrap_or("")
    }

    /// The room the form acts on.
    pub fn room(&self) -> usize {
        match &self.kind {
            FormKind::AddContact { room }
            | FormKind::NewConference { room, .. }
            | FormKind::Connect { room }
            | FormKind::Login { room } => *room,
        }
    }
}

fn field(label: &'static str, text: &str, masked: bool) -> Field {
    Field {
        label,
        input: Editor::new(text),
        masked,
    }
}

/// Opens `form` over the mode now on screen (where it returns).
fn open(
    m: &mut Model,
    kind: FormKind,
    title: String,
    fields: Vec<Field>,
    choice: Option<Choice>,
    notes: Vec<String>,
) {
    let back = Box::new(std::mem::take(&mut m.mode));
    m.mode = Mode::Prompt(Prompt::Form(Form {
        kind,
        title,
        fields,
        choice,
        focus: 0,
        notes,
        back,
    }));
    m.touch();
}

/// The address book's add: the id typed in its filter, when it looks like one, filled in.
pub(super) fn open_add_contact(m: &mut Model, room: usize, typed: &str) {
    let id = if !typed.is_empty() && !typed.contains(char::is_whitespace) {
        typed
    } else {
        ""
    };
    let title = super::room::of_room(m, room, "Add to the address book".into());
    open(
        m,
        FormKind::AddContact { room },
        title,
        vec![field("TrueConf ID", id, false), field("Name", "", false)],
        None,
        vec![
            "A user of the Room's server by id, or user@server for another's; the name is \
              optional."
                .into(),
        ],
    );
}

/// A new conference with the contacts marked in the address book (`invite`, ids; `names`,
/// as they are shown).
pub(super) fn open_new_conference(
    m: &mut Model,
    room: usize,
    invite: Vec<String>,
    names: Vec<String>,
) {
    let title = super::room::of_room(m, room, "New conference".into());
    let default_title = format!("{} meeting", sanitize::line(m.room.name(room)));
    let who = match names.len() {
        0 => "Nobody invited yet (mark contacts with Tab in the address book).".to_string(),
        _ => format!("Invites {}", names.join(", ")),
    };
    open(
        m,
        FormKind::NewConference { room, invite },
        title,
        vec![field("Title", &default_title, false)],
        Some(Choice {
            label: "Type",
            options: vec![
                ("symmetric", "all on screen"),
                ("role", "role-based (podium)"),
                ("asymmetric", "video lecture"),
            ],
            chosen: 0,
        }),
        vec![who],
    );
}

/// Connecting the Room to a server: the one it knows, if any, filled in.
pub(super) fn open_connect(m: &mut Model, room: usize) {
    let known = m
        .room
        .slot(room)
        .and_then(|s| s.state.server.info())
        .map(|i| (i.server.clone(), i.port));
    let (server, port) = match known {
        Some((s, p)) => (s, p.map(|p| p.to_string()).unwrap_or_default()),
        None => (String::new(), String::new()),
    };
    let title = super::room::of_room(m, room, "Connect to a server".into());
    open(
        m,
        FormKind::Connect { room },
        title,
        vec![field("Server", &server, false), field("Port", &port, false)],
        None,
        vec!["The port may stay empty: the Room uses the server's default (4307).".into()],
    );
}

/// Logging the Room in: the login it last had, if any, filled in.
pub(super) fn open_login(m: &mut Model, room: usize) {
    let last = m
        .room
        .slot(room)
        .and_then(|s| s.state.me().or(s.state.last_account.as_ref()))
        .map(|p| p.id.split('@').next().unwrap_or("").to_string())
        .unwrap_or_default();
    let title = super::room::of_room(m, room, "Log in".into());
    // Nothing filled in, the login first: a password typed in the order the fields are
    // read never lands in the visible login field.
    let fields = vec![field("Login", "", false), field("Password", "", true)];
    let notes = if last.is_empty() {
        vec![]
    } else {
        vec![format!("The Room's last account: {last}")]
    };
    open(m, FormKind::Login { room }, title, fields, None, notes);
}

/// Every key while a form is open.
pub(super) fn on_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    let Mode::Prompt(Prompt::Form(f)) = &mut m.mode else {
        return vec![];
    };
    let rows = f.rows();
    let on_choice = f.focus >= f.fields.len();
    match k.code {
        KeyCode::Esc => {
            m.mode = *std::mem::replace(&mut f.back, Box::new(Mode::Normal));
            m.touch();
            return vec![];
        }
        KeyCode::Enter => return submit(m),
        KeyCode::Tab | KeyCode::Down => f.focus = (f.focus + 1) % rows,
        KeyCode::BackTab | KeyCode::Up => f.focus = (f.focus + rows - 1) % rows,
        KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') if on_choice => {
            if let Some(c) = &mut f.choice {
                let n = c.options.len();
                c.chosen = if k.code == KeyCode::Left {
                    (c.chosen + n - 1) % n
                } else {
                    (c.chosen + 1) % n
                };
            }
        }
        _ if on_choice => return vec![],
        _ => {
            let Some(fl) = f.fields.get_mut(f.focus) else {
                return vec![];
            };
            if fl.input.key(k, Lines::One) == Edit::Unchanged {
                return vec![];
            }
        }
    }
    m.touch();
    vec![]
}

/// Pasted text goes into the focused field (on one line).
pub(super) fn paste(f: &mut Form, text: &str) {
    if let Some(fl) = f.fields.get_mut(f.focus) {
        fl.input.insert_line(text.trim());
    }
}

/// Enter: the request, when what was typed is enough (else a notice says what is missing and
/// the form stays).
fn submit(m: &mut Model) -> Vec<Cmd> {
    let Mode::Prompt(Prompt::Form(f)) = &m.mode else {
        return vec![];
    };
    let room = f.room();
    let checked: Result<(&str, Value, String), String> = match &f.kind {
        FormKind::AddContact { .. } => {
            let id = f.field(0);
            if id.is_empty() {
                Err("Type the contact's TrueConf ID".into())
            } else if id.contains(char::is_whitespace) {
                Err("A TrueConf ID has no spaces".into())
            } else {
                // `peerDn` is required; an empty one leaves the name to the server (the
                // user's own).
                let p = json!({ "peerId": id, "peerDn": f.field(1) });
                Ok((
                    "addToAbook",
                    p,
                    format!("Adding {} to the address book", short(id)),
                ))
            }
        }
        FormKind::NewConference { invite, .. } => {
            let title = f.field(0);
            let kind = f.choice.as_ref().map_or("symmetric", Choice::value);
            if title.is_empty() {
                Err("Give the conference a title".into())
            } else {
                Ok((
                    "createConference",
                    json!({ "title": title, "confType": kind, "autoAccept": false, "inviteList": invite }),
                    format!("Creating “{}”", short(title)),
                ))
            }
        }
        FormKind::Connect { .. } => {
            let server = f.field(0);
            let port = f.field(1);
            match (server.is_empty(), port.parse::<u16>()) {
                (true, _) => Err("Type the server's address".into()),
                (false, _) if server.contains(char::is_whitespace) => {
                    Err("A server address has no spaces".into())
                }
                (false, Ok(0) | Err(_)) if !port.is_empty() => {
                    Err(format!("`{}` is not a port (1–65535)", short(port)))
                }
                (false, Ok(p)) => Ok((
                    "connectToServer",
                    json!({ "server": server, "port": p }),
                    format!("Connecting to {}:{p}", short(server)),
                )),
                (false, Err(_)) => Ok((
                    "connectToServer",
                    json!({ "server": server }),
                    format!("Connecting to {}", short(server)),
                )),
            }
        }
        FormKind::Login { .. } => {
            let login = f.field(0);
            // The password as typed: spaces may belong to it.
            let password = f.fields.get(1).map(|x| x.input.text()).unwrap_or("");
            if login.is_empty() {
                Err("Type the login".into())
            } else if password.is_empty() {
                Err("Type the password".into())
            } else {
                Ok((
                    "login",
                    json!({ "login": login, "password": password, "encryptPassword": true }),
                    format!("Logging in as {}", short(login)),
                ))
            }
        }
    };
    let (method, params, doing) = match checked {
        Ok(x) => x,
        Err(why) => {
            m.notify(NoticeLevel::Warn, why);
            return vec![];
        }
    };
    let up = m.room.slot(room).is_some_and(|s| s.link.is_up());
    if !up {
        let text = super::room::of_room(m, room, "The Room is not connected: nothing sent".into());
        m.notify(NoticeLevel::Warn, text);
        return vec![];
    }
    let Mode::Prompt(Prompt::Form(f)) = std::mem::take(&mut m.mode) else {
        return vec![];
    };
    // A new conference leaves the address book it was made from; the others go back to
    // where they were opened (the address book, the account view) to see the outcome there.
    m.mode = match f.kind {
        FormKind::NewConference { .. } => Mode::Normal,
        _ => *f.back,
    };
    let doing = super::room::of_room(m, room, doing);
    m.notify(NoticeLevel::Info, doing);
    m.touch();
    vec![Cmd::room(room, method, params)]
}

fn short(s: &str) -> String {
    super::update::short(&sanitize::line(s))
}
