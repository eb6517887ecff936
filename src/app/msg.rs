use crossterm::event::{Event, KeyEvent, MouseEvent};

/// A signal that ends the program. The program ends with 128 + its number, as a shell
/// reports a command killed by it, after restoring the terminal and saving what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalKind {
    /// SIGTERM: asked to stop.
    Terminate,
    /// SIGHUP: the terminal went away (a dropped SSH session).
    Hangup,
    /// SIGINT sent from outside (inside the TUI Ctrl-C arrives as a key).
    Interrupt,
    /// SIGQUIT sent from outside (inside the TUI Ctrl-\\ arrives as a key).
    Quit,
}

impl SignalKind {
    /// The signal's number (Linux and the BSDs agree on these four).
    pub fn number(self) -> u8 {
        match self {
            SignalKind::Hangup => 1,
            SignalKind::Interrupt => 2,
            SignalKind::Quit => 3,
            SignalKind::Terminate => 15,
        }
    }
}

/// Every input the console reacts to.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    /// The terminal's mouse report, before the runtime finds what it points at.
    Mouse(MouseEvent),
    /// A left click on what the last frame drew there.
    Click(super::Target),
    /// A wheel notch over what the last frame drew there (`up`: towards older).
    Wheel {
        target: super::Target,
        up: bool,
    },
    Paste(String),
    Resize(u16, u16),
    /// The terminal can no longer be read (closed, or an I/O error).
    TerminalLost(String),
    Signal(SignalKind),
    /// SIGTSTP from outside: suspend as Ctrl-Z does.
    Suspend,
    /// Something from the link to configured room `.0` (an index into the room list).
    Room(usize, crate::room::RoomLinkEvent),
    /// A request to room `.0` failed (the reason, ready to show).
    RoomFailed(usize, AppError),
    /// Room `.0`'s call history (`getCallHistory`), as asked by `Cmd::CallHistory`.
    CallHistory(usize, Result<crate::room::history::CallHistory, AppError>),
    /// Something from the chat link.
    Chat(crate::chat::ChatLinkEvent),
    /// Several things from the chat link, in the order it sent them: a burst forwarded at
    /// once (see [`super::effects::forward_chat`]).
    Chats(Vec<crate::chat::ChatLinkEvent>),
    /// The chat list, or why it could not be read.
    ChatsLoaded(Result<Vec<crate::chat::types::Chat>, AppError>),
    /// A page of a chat's history (newest first as the server sends it), or why not.
    HistoryLoaded {
        chat_id: String,
        /// The page asked for: None for the newest, else older than this message.
        before: Option<String>,
        result: Result<Vec<crate::chat::types::Envelope>, AppError>,
    },
    /// The page after the window's last message (`after`), or why not; `stored`: read from
    /// the local store.
    NewerLoaded {
        chat_id: String,
        after: String,
        stored: bool,
        result: Result<Vec<crate::chat::types::Envelope>, AppError>,
    },
    /// A download's local file was chosen (the link's transfer events name it).
    TransferPath {
        id: u64,
        path: std::path::PathBuf,
        total: u64,
    },
    /// What the server says of a file that was uploading when it was posted.
    UploadSeen {
        file_id: String,
        seen: crate::chat::files::UploadSeen,
    },
    /// A transfer ended.
    TransferDone {
        id: u64,
        result: Result<(), AppError>,
    },
    /// The explorer's request was answered (or failed) `rtt_ms` after `sent_at_ms`.
    ExplorerReply {
        id: u64,
        sent_at_ms: u64,
        rtt_ms: u64,
        outcome: Result<serde_json::Value, crate::script::Refusal>,
    },
    /// Where a script was saved, or why not.
    ScriptSaved(Result<std::path::PathBuf, AppError>),
    /// The outbox file was written (or why not).
    OutboxSaved(Result<(), String>),
    /// A chat request ended: Ok with the new chat's id for a create.
    ChatDone {
        op: super::cmd::ChatOp,
        result: Result<Option<String>, AppError>,
    },
    /// A user's display name.
    Name {
        id: String,
        name: String,
    },
    /// A second passed (sent only while something on screen counts: a call dialog, a call's
    /// duration, a retry countdown).
    Tick,
    /// The system's opener failed on a file: its path, why, and whether the file is gone
    /// (then the next `o` downloads it again).
    Opened {
        path: std::path::PathBuf,
        why: String,
        gone: bool,
    },
    /// A picture's preview, or why there is none.
    Preview {
        file_id: String,
        result: Result<crate::preview::Thumb, String>,
        /// The same picture for the terminal's graphics protocol, when it has one.
        graphic: Option<crate::graphics::Graphic>,
    },
    /// A picture's file could not be fetched for its preview (the link down, the download
    /// failed): said, and asked for again when its chat's pages come again.
    PreviewUnfetched {
        file_id: String,
        why: String,
    },
    /// A picture made for the picture view at `cols`×`rows` cells, or why not.
    Picture {
        file_id: String,
        cols: u16,
        rows: u16,
        result: Result<crate::graphics::Whole, String>,
    },
    /// A frame of room `room`'s camera (or a participant's) for the live view, made to fit the cells asked for,
    /// with when it was fetched (Unix ms); or why there is none.
    LiveFrame {
        room: usize,
        /// None: the room's own camera; else the participant's peer id.
        peer: Option<String>,
        result: Result<(crate::graphics::Whole, u64), super::LiveTrouble>,
    },
    /// The local message store is open: what it held at the start, or why it is not there.
    StoreOpened(Result<Box<crate::store::writer::Snapshot>, String>),
    /// How far a backfill has come: messages read so far; `done` once it ended.
    Backfilled {
        chat_id: String,
        read: usize,
        done: Option<Result<(), String>>,
    },
    /// The answer to `Cmd::SearchStore`.
    StoreSearched {
        seq: u64,
        result: Result<Vec<crate::store::Hit>, String>,
    },
    /// The stored messages around a search result, oldest first.
    StoredAround {
        chat_id: String,
        message_id: String,
        result: Result<Vec<crate::chat::types::Envelope>, String>,
    },
    /// A page of a chat read from the local store (the link is down).
    StoredPage {
        chat_id: String,
        before: Option<String>,
        result: Result<Vec<crate::chat::types::Envelope>, String>,
    },
    /// How sending an outbox message ended.
    ChatSent {
        local_id: u64,
        outcome: super::SendOutcome,
    },
    /// What checking an uncertain outbox message found.
    Checked {
        local_id: u64,
        found: super::Checked,
    },
    /// A confirmation was answered yes: what it confirmed.
    Confirmed(Confirmed),
}

/// What a confirmation carries out once answered (a dangerous or irreversible request).
#[derive(Debug, Clone, PartialEq)]
pub enum Confirmed {
    /// A chat request (deleting a message).
    Chat(super::ChatOp),
    /// A Room request (ending the conference for everyone).
    Room {
        room: usize,
        method: String,
        params: serde_json::Value,
    },
    /// Dropping an item from the outbox.
    Discard(super::OutboxItem),
    /// Quitting while a call is in progress or ringing.
    Quit,
    /// The explorer's request, checked and ready to go.
    ExplorerSend {
        api: super::explorer::Api,
        method: String,
        params: serde_json::Map<String, serde_json::Value>,
    },
}

impl Msg {
    /// The message for a terminal event, if it is one the console reacts to.
    pub fn from_terminal(ev: Event) -> Option<Msg> {
        match ev {
            Event::Key(k) => Some(Msg::Key(k)),
            Event::Mouse(m) => Some(Msg::Mouse(m)),
            Event::Paste(s) => Some(Msg::Paste(s)),
            Event::Resize(w, h) => Some(Msg::Resize(w, h)),
            Event::FocusGained | Event::FocusLost => None,
        }
    }
}

/// Why an effect failed, as it comes back to `update` (shown, after cleaning, as a notice).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Chat(#[from] crate::chat::ChatError),
    #[error(transparent)]
    Room(#[from] crate::room::RoomError),
    #[error("no room is connected")]
    NoRoom,
    #[error("the chat link is not connected")]
    ChatOffline,
    /// A local file or directory could not be used.
    #[error("{what} {}: {reason}", path.display())]
    File {
        what: &'static str,
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("no free file name for {name} in {}", dir.display())]
    NoFreeName {
        name: String,
        dir: std::path::PathBuf,
    },
    #[error("no data directory on this system to save scripts in")]
    NoDataDir,
    /// The local message store could not answer.
    #[error("{0}")]
    Store(String),
}

impl AppError {
    /// A local file error (`what`: "cannot create", "cannot write"…).
    pub fn file(what: &'static str, path: &std::path::Path, e: impl std::fmt::Display) -> AppError {
        AppError::File {
            what,
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    }
}
