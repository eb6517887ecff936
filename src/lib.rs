//! trueconf-console: a terminal console for TrueConf Room meeting rooms and TrueConf Server
//! chats. See README.md for what it does and docs/architecture.md for how it is built.
//!
//! Layers: [`ui`] draws the [`app`] model; [`app`] holds the Elm core; protocol code never
//! imports UI code.

pub mod apispec;
pub mod app;
pub mod chat;
pub mod cli;
pub mod commands;
pub mod config;
pub mod dirs;
pub mod keys;
pub mod link;
pub mod logging;
pub mod room;
pub mod sanitize;
pub mod script;
pub mod sim;
pub mod tls;
pub mod tui;
pub mod ui;
