//! trueconf-console: a terminal console for TrueConf Room meeting rooms and TrueConf Server
//! chats. See README.md for what it does and docs/architecture.md for how it is built.
//!
//! Layers: [`ui`] draws the [`app`] model; [`app`] holds the Elm core; protocol code never
//! imports UI code.

/// `println!` for what the commands print: a write that fails (a full disk, a terminal that
/// went away) ends the command with exit 1 and says why on stderr, instead of panicking with
/// 101; a reader that went away (`| head -1`) ends it quietly with 0.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($t)*) {
            $crate::output_failed(&e)
        }
    }};
}

/// Ends the program after its output could not be written (see `outln!`).
pub fn output_failed(e: &std::io::Error) -> ! {
    use std::io::Write as _;
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    let _ = writeln!(std::io::stderr(), "error: cannot write the output: {e}");
    std::process::exit(1)
}

pub mod alloc;
pub mod apispec;
pub mod app;
pub mod backlog;
pub mod chat;
pub mod cli;
pub mod commands;
pub mod config;
pub mod dirs;
pub mod graphics;
pub mod keys;
pub mod link;
pub mod logging;
pub mod osc;
pub mod preview;
pub mod room;
pub mod sanitize;
pub mod script;
pub mod sim;
pub mod store;
pub mod tls;
pub mod tui;
pub mod ui;
