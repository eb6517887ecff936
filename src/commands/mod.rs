//! The subcommands that are not the TUI: `simulate`, `room` and `chat`.

pub mod chat;
pub mod chat_print;
pub mod chat_store;
pub mod room;
pub mod send;
pub mod simulate;
