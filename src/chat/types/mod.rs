//! The chat bot API's data (docs/chat-protocol.md, Message content, Methods and Files): chats,
//! envelopes and their content, participants, files. Every reader is lenient in the ways real
//! servers differ (a number sent as a string, `chat.chatId` or `chatId`, `fileId` or `id`,
//! seconds or milliseconds) and keeps what it does not know as raw JSON: unknown types, unknown
//! enum values, unknown keys.
//!
//! Each type reads through a derived wire struct (`…Wire`) whose fields use the helpers of
//! `chat::lenient` and whose `#[serde(flatten)] extra` keeps the unknown keys; the
//! wire struct reads every JSON object, and the conversion into the public type decides what is
//! required. The public types' `Serialize` is left as it was: it is the CLI's `--json` output.

mod chat;
mod content;
mod enums;
mod envelope;
mod file;
#[cfg(test)]
mod tests;

pub use chat::{Chat, Participant};
pub use content::{Content, envelope_type_name, human_size};
pub use enums::{ChatType, ReadyState, Role};
pub use envelope::{Author, ChatRef, Envelope};
pub use file::{FileInfo, Preview, UploadLimits};
