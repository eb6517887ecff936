//! The subcommands that are not the TUI: `simulate` and `room` (and later `chat`).

pub mod room;
pub mod simulate;
