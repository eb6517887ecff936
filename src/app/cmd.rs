use serde_json::{Map, Value};

/// Effects that `update` asks the runtime to perform. `update` itself does no I/O.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Leave the program (the runtime restores the terminal).
    Quit,
    /// Ring the terminal bell (only emitted when `[ui] bell` is on).
    Bell,
    /// Write one of the console's own escape sequences (crate::osc: a notification, a copy
    /// to the clipboard), made of cleaned text, between two frames.
    Terminal(String),
    /// Open a downloaded file with the system's opener (xdg-open, or open on macOS); a
    /// failure comes back as `Msg::Opened`.
    OpenFile(std::path::PathBuf),
    /// Fetch picture `file_id` and make its preview off the UI thread; back as
    /// `Msg::Preview`.
    Preview { file_id: String },
    /// Fetch picture `file_id` and make it fill `cols`×`rows` cells off the UI thread; back
    /// as `Msg::Picture`.
    ShowPicture {
        file_id: String,
        cols: u16,
        rows: u16,
    },
    /// Fetch a room's camera frames as `LiveFeed` says (a new one replaces the last), back
    /// as `Msg::LiveFrame`; None stops it.
    LiveFeed(Option<super::LiveFeed>),
    /// Turn room `room`'s self-view broadcast on at `fps` frames a second, or off (None).
    /// A room's switches reach it in the order asked; the runtime waits a moment for them at
    /// exit.
    Broadcast { room: usize, fps: Option<u32> },
    /// Clear the screen and draw the next frame whole (what a graphics protocol drew outside
    /// the cells goes with it).
    Repaint,
    /// Suspend the program as a shell's job control does (Ctrl-Z, SIGTSTP): the runtime
    /// restores the terminal, stops, and takes the terminal back with a full redraw on `fg`.
    Suspend,
    /// The configured room with this index is now the active one (the one the explorer
    /// talks to). Every room stays linked; nothing reconnects.
    SelectRoom(usize),
    /// Send a request to configured room `room`; a failure comes back as `Msg::RoomFailed`.
    RoomRequest {
        room: usize,
        method: String,
        params: Map<String, Value>,
    },
    /// Read room `.0`'s call history; back as `Msg::CallHistory`.
    CallHistory(usize),
    /// Load every chat; the result comes back as `Msg::ChatsLoaded`.
    LoadChats,
    /// A search over every chat in the local store (answered as `Msg::StoreSearched`).
    SearchStore { seq: u64, query: String },
    /// Copy a chat's history from the server into the store (progress as
    /// `Msg::Backfilled`).
    Backfill { chat_id: String },
    /// A change for the local store that the model learnt of (not one the chat link
    /// delivers, which the forwarder writes): dropped when there is no store.
    StoreWrite(Box<crate::store::Write>),
    /// The stored messages around one (answered as `Msg::StoredAround`).
    LoadAround { chat_id: String, message_id: String },
    /// Load the page of a chat's history after the window's last message (`after`), from
    /// where `source` says; back as `Msg::NewerLoaded`.
    LoadNewer {
        chat_id: String,
        after: String,
        source: super::NewerSource,
    },
    /// Load a page of a chat's history (older than `before`); back as `Msg::HistoryLoaded`.
    LoadHistory {
        chat_id: String,
        before: Option<String>,
    },
    /// Send an outbox message; the outcome comes back as `Msg::ChatSent`.
    SendChat(super::Outgoing),
    /// Ask the chat server for these users' display names; each comes back as `Msg::Name`.
    ResolveNames(Vec<String>),
    /// Start or stop the one-second ticks.
    Ticks(bool),
    /// Ask the server whether an uncertain outbox message arrived (ignoring our messages in
    /// `claimed`); the answer comes back as `Msg::Checked`.
    CheckSent {
        item: super::Outgoing,
        claimed: Vec<String>,
    },
    /// Write the outbox to disk.
    SaveOutbox(super::OutboxFile),
    /// Write the drafts to disk (`drafts.json` in the data dir), by chat id.
    SaveDrafts(std::collections::BTreeMap<String, super::SavedDraft>),
    /// Download an attachment into `dir` (under a name no other file there has); progress
    /// comes back as `Msg::TransferPath`, link transfer events and `Msg::TransferDone`.
    Download {
        id: u64,
        file_id: String,
        dir: std::path::PathBuf,
        name: String,
    },
    /// Follow a file that was still uploading when it was posted: what the server says of it
    /// comes back as `Msg::UploadSeen` (progress, then READY or why not).
    FollowUpload { file_id: String },
    /// Send a file to a chat; progress as for a download.
    Upload {
        id: u64,
        chat_id: String,
        path: std::path::PathBuf,
        reply_to: Option<String>,
    },
    /// A chat request whose result comes back as `Msg::ChatDone`.
    Chat(ChatOp),
    /// The explorer's request; the reply comes back as `Msg::ExplorerReply`.
    ExplorerSend {
        id: u64,
        api: super::explorer::Api,
        method: String,
        params: Map<String, Value>,
    },
    /// Write the explorer's history to disk.
    SaveExplorerHistory(Vec<super::explorer::Sent>),
    /// Write script lines to a new file; back as `Msg::ScriptSaved`.
    SaveScript {
        api: super::explorer::Api,
        lines: Vec<String>,
    },
}

/// Chat requests the panes make (sending goes through the outbox instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatOp {
    Delete {
        chat_id: String,
        message_id: String,
        for_all: bool,
    },
    Forward {
        message_id: String,
        to_chat: String,
    },
    Create {
        kind: super::NewChatKind,
        arg: String,
    },
}

impl ChatOp {
    /// What it did, for the status bar.
    pub fn describe(&self) -> &'static str {
        match self {
            ChatOp::Delete { for_all: true, .. } => "Deleted for everyone",
            ChatOp::Delete { .. } => "Deleted for you",
            ChatOp::Forward { .. } => "Forwarded",
            ChatOp::Create { .. } => "Chat created",
        }
    }
}

impl Cmd {
    /// A request to room `room` (an index into the configured rooms).
    pub fn room(room: usize, method: &str, params: Value) -> Cmd {
        let params = match params {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        Cmd::RoomRequest {
            room,
            method: method.to_string(),
            params,
        }
    }
}
