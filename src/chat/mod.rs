//! TrueConf Server's API for chat bots (docs/chat-protocol.md): frames and error codes
//! ([`protocol`]), chats, envelopes and files ([`types`]), the method table ([`methods`]), server
//! requests ([`events`]), OAuth and the token cache ([`auth`]), the handle ([`client`]), the
//! protocol the link supervisor runs ([`link`]) and file transfer ([`files`]). No UI code.

pub mod auth;
pub mod catchup;
pub mod client;
pub mod delivery;
pub mod events;
pub mod files;
pub(crate) mod lenient;
mod link;
pub mod methods;
pub mod protocol;
pub mod types;

pub use client::{
    ChatError, ChatHandle, ChatLinkEvent, ChatLinkOptions, ChatTarget, Transfer, spawn,
};
