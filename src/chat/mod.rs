//! TrueConf Server's API for chat bots (docs/chat-protocol.md): frames and error codes
//! ([`protocol`]), chats, envelopes and files ([`types`]), the method table ([`methods`]), server
//! requests ([`events`]), OAuth and the token cache ([`auth`]), and the link actor with file
//! transfer ([`client`]). No UI code.

pub mod auth;
pub mod client;
pub mod events;
pub mod methods;
pub mod protocol;
pub mod types;

pub use client::{
    ChatError, ChatHandle, ChatLinkEvent, ChatLinkOptions, ChatTarget, Transfer, spawn,
};
