//! What the keyboard is doing: one [`Mode`] at a time. Key and paste routing is one match
//! on it (app/input.rs); views read it to know what has the focus.

use super::explorer::Explorer;
use super::{Candidate, Editor, Msg, NewChatKind, Picker};

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Mode {
    /// Keys are the bindings of the focused pane (and the Room's, and the global ones).
    #[default]
    Normal,
    /// Keys edit the open chat's draft.
    Composing,
    /// Keys edit the chat-list filter.
    Filtering,
    /// A long text to read: the help, the message log, a frame (see [`super::pager`]).
    Pager(Box<super::pager::Pager>),
    /// Everyone in the call, listed in full over the screen (the Room pane has room for a
    /// few); `selected` is the row the cursor is on (the owner's actions act on it).
    Participants { selected: u16 },
    /// A one-line question: a call's peer, a forward's target, a file, a new chat.
    Prompt(Prompt),
    /// A question with one key per answer; any other key cancels and returns to `back`.
    Confirm(Confirm),
    /// The outbox view over the panes, the cursor on row `selected`.
    Outbox { selected: usize },
    /// A room's call history over the panes.
    Calls(CallsView),
    /// Room `room`'s microphones, speakers and cameras, the cursor on row `selected`.
    Devices { room: usize, selected: usize },
    /// Aiming room `room`'s camera: the keys pan, tilt and zoom (app/aim.rs).
    Aim { room: usize },
    /// Room `room`'s server and account (app/account.rs).
    Account { room: usize },
    /// The API explorer, full screen.
    Explorer(Box<Explorer>),
    /// A picture over the whole screen (app/picture.rs).
    Picture(super::picture::PictureView),
    /// The shown room's camera, live, over the whole screen (app/live.rs).
    Live(super::live::LiveView),
}

/// A room's call history as the view shows it: loading, the calls, or why not.
#[derive(Debug, Clone, PartialEq)]
pub struct CallsView {
    /// The room (an index into the configured rooms).
    pub room: usize,
    pub state: CallsState,
    /// The row the cursor is on.
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CallsState {
    Loading,
    Ready(Vec<crate::room::history::CallRecord>),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    /// Placing a call: the address book, filtered by what was typed.
    Call(CallPrompt),
    /// Forwarding a message: the chats, filtered by what was typed.
    Forward {
        message_id: String,
        picker: Picker,
        selected: Option<String>,
    },
    /// Sending a file: its path as typed.
    Upload { path: Editor },
    /// Creating a chat: its kind, and the user id or title typed.
    NewChat { kind: NewChatKind, input: Editor },
    /// Searching the open chat: the words typed.
    Search { query: Editor },
    /// Searching every chat in the local store.
    SearchAll(SearchAll),
    /// A few fields for one Room request (see [`super::form`]).
    Form(super::form::Form),
}

/// The search over every stored chat: the words typed, and the matches of the last search
/// answered.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchAll {
    pub query: Editor,
    pub hits: Vec<crate::store::Hit>,
    pub selected: usize,
    /// Which search the hits answer; an answer to an older one is dropped.
    pub seq: u64,
    pub state: SearchState,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum SearchState {
    /// Nothing typed yet.
    #[default]
    Empty,
    Searching,
    Done,
    Failed(String),
}

/// The call prompt: the address book as it was when the prompt opened (its search keys
/// lowercased once), the query, and the highlighted entry. Nothing is highlighted until the
/// user types or moves: Enter calls only someone chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct CallPrompt {
    pub picker: Picker,
    pub contacts: Vec<Candidate>,
    /// What each contact shows as, in `contacts`' order (cleaned).
    pub labels: Vec<String>,
    pub selected: Option<String>,
    /// The highlight was moved with the arrows since the query last changed.
    pub moved: bool,
    /// Opened as the address book (`b`) rather than to call (`c`): the same list, titled so.
    pub book: bool,
    /// Opened from the participants list (`c` there): Enter invites the one chosen into the
    /// running conference (`inviteToConference`) instead of calling.
    pub invite: bool,
    /// Contacts marked with Tab (ids, in the order marked): Enter creates a conference with
    /// them (invites them, from the participants list).
    pub marked: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub question: String,
    pub answers: Vec<Answer>,
    /// The mode to return to, whatever the answer.
    pub back: Box<Mode>,
}

/// One answer of a confirmation: the key, what it says, and the message it sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub key: char,
    pub label: String,
    pub msg: Msg,
}

impl Mode {
    /// The explorer, when it is on screen (under a confirmation, too).
    pub fn explorer(&self) -> Option<&Explorer> {
        match self {
            Mode::Explorer(x) => Some(x),
            Mode::Confirm(c) => c.back.explorer(),
            _ => None,
        }
    }

    pub fn explorer_mut(&mut self) -> Option<&mut Explorer> {
        match self {
            Mode::Explorer(x) => Some(x),
            Mode::Confirm(c) => c.back.explorer_mut(),
            _ => None,
        }
    }

    pub fn is_composing(&self) -> bool {
        matches!(self, Mode::Composing)
    }

    pub fn is_filtering(&self) -> bool {
        matches!(self, Mode::Filtering)
    }

    /// A pop-up (help, the participants, prompt, confirmation) is over the screen.
    /// A pop-up whose keys are typed into it (a prompt, a confirmation, a viewer's search as
    /// it is typed): a ringing call's keys wait until it is closed.
    pub fn is_typed_popup(&self) -> bool {
        match self {
            Mode::Prompt(_) | Mode::Confirm(_) => true,
            Mode::Pager(p) => p.viewer.search().typing.is_some(),
            _ => false,
        }
    }

    pub fn is_popup(&self) -> bool {
        matches!(
            self,
            Mode::Pager(_)
                | Mode::Participants { .. }
                | Mode::Prompt(_)
                | Mode::Confirm(_)
                | Mode::Outbox { .. }
                | Mode::Calls(_)
                | Mode::Devices { .. }
                | Mode::Aim { .. }
                | Mode::Picture(_)
                | Mode::Live(_)
        )
    }
}
