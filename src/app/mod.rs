//! The Elm core: one [`Model`], one [`Msg`] type, a pure [`update`] that returns [`Cmd`]s, and
//! the runtime ([`run`]) that feeds it terminal, link and signal events and draws on change.

mod actions;
mod chats;
mod cmd;
mod composer;
mod editor;
mod effects;
pub mod explorer;
mod model;
mod msg;
mod run;
mod update;

pub use chats::{ChatEntry, ChatList, Loadable, Older, OpenChat};
pub use cmd::{ChatOp, Cmd};
pub use composer::{Draft, OutState, OutboxFile, Outgoing, ParseMode, SendOutcome};
pub use editor::{Edit, Editor, KEYS as EDITING_KEYS, Lines};
pub use effects::Effects;
pub use model::{
    Answer, LinkStatus, Model, NewChatKind, Notice, NoticeLevel, Overlay, Pane, RoomEntry, Session,
    Traffic, TransferState, TransferView,
};
pub use msg::{Msg, SignalKind};
pub use run::run;
pub use update::{COMPOSER_KEYS, call_matches, update};
