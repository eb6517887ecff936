//! The Elm core: one [`Model`], one [`Msg`] type, a pure [`update`] that returns [`Cmd`]s, and
//! the runtime ([`run`]) that feeds it terminal, link and signal events and draws on change.

mod account;
mod aim;
mod book;
#[cfg(test)]
mod book_tests;
mod calls;
mod chats;
mod cmd;
mod composer;
mod conference;
pub mod devices;
mod drafts;
mod editor;
mod effects;
pub mod explorer;
mod explorer_layout;
mod explorer_reply;
mod explorer_script;
mod explorer_template;
#[cfg(test)]
mod faults_tests;
mod form;
mod history;
mod input;
mod inspector;
pub mod live;
mod messages;
mod mode;
mod model;
mod msg;
mod notify;
#[cfg(test)]
mod notify_tests;
mod outbox;
pub mod pager;
mod picker;
mod picture;
#[cfg(test)]
mod picture_tests;
mod pointer;
mod previews;
mod prompts;
mod room;
mod run;
mod stored;
#[cfg(test)]
mod testkit;
mod transfers;
mod update;
pub mod viewer;
mod window;

pub use chats::{ChatEntry, ChatList, Loadable, Older, OpenChat};
pub use cmd::{ChatOp, Cmd};
pub use composer::COMPOSER_KEYS;
pub use composer::{
    CLAIMED_KEPT, Checked, Draft, OutState, OutboxFile, Outgoing, ParseMode, SendOutcome,
};
pub use drafts::{DraftsFile, SavedDraft};
pub use editor::{Edit, Editor, KEYS as EDITING_KEYS, Lines};
pub use effects::{CHAT_BACKLOG, Effects, forward_chat, start_chat};
pub use form::{Choice, Field, Form, FormKind};
pub use live::{LiveFeed, LiveTrouble, LiveView, Tile};
pub use messages::Messages;
pub use mode::{
    Answer, CallPrompt, CallsState, CallsView, Confirm, Mode, Prompt, SearchAll, SearchState,
};
pub use model::{
    ChatModel, ComposerModel, ExplorerMemory, LinkStatus, MIN_HEIGHT, MIN_WIDTH, Model,
    NewChatKind, Notice, NoticeLevel, Pane, RoomEntry, RoomModel, RoomSlot, Session, Traffic,
    TransferSource, TransferState, TransferView, Transfers, Ui,
};
pub use msg::{AppError, Confirmed, Msg, SignalKind};
pub use outbox::{OutboxItem, OutboxRow, rows as outbox_rows};
pub use picker::{Candidate, Pick, Picker, rank};
pub use picture::{PictureState, PictureView, selected_picture};
pub use pointer::Target;
pub use previews::{Preview, Previews, is_picture as previews_is_picture};
pub use prompts::call_matches;
pub use room::{control_refusal, percent};
pub use run::{Signals, run};
pub use update::update;
pub use viewer::{Tone, ViewKey, ViewLine, Viewer, hang as viewer_hang};
pub use window::{Newer, NewerSource, WINDOW};
