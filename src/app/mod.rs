//! The Elm core: one [`Model`], one [`Msg`] type, a pure [`update`] that returns [`Cmd`]s, and
//! the runtime ([`run`]) that feeds it terminal, link and signal events and draws on change.

mod chats;
mod cmd;
mod composer;
mod effects;
mod model;
mod msg;
mod run;
mod update;

pub use chats::{ChatEntry, ChatList, Loadable, OpenChat};
pub use cmd::Cmd;
pub use composer::{Draft, OutState, OutboxFile, Outgoing, SendOutcome};
pub use effects::Effects;
pub use model::{
    LinkStatus, Model, Notice, NoticeLevel, Overlay, Pane, RoomEntry, Session, Traffic,
};
pub use msg::{Msg, SignalKind};
pub use run::run;
pub use update::{call_matches, update};
