//! One request of an authorised user: checked against the client's method table
//! (src/chat/methods.rs), then handed to its handler, looked up by name.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::state::Inner;
use crate::chat::methods::{self, ChatMethod};

pub(super) type Res = Result<(Value, Vec<(String, Value)>), u32>;

pub(super) fn ok(v: Value) -> Res {
    Ok((v, Vec::new()))
}

/// A request as a handler sees it.
#[derive(Clone, Copy)]
pub(super) struct Req<'a> {
    pub conn: u64,
    pub user: &'a str,
    pub method: &'a str,
    pub p: &'a Map<String, Value>,
}

impl Req<'_> {
    /// A string parameter ("" when absent).
    pub fn st(&self, k: &str) -> String {
        self.p
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }
    pub fn flag(&self, k: &str) -> bool {
        self.p.get(k).and_then(Value::as_bool).unwrap_or(false)
    }
    pub fn num(&self, k: &str) -> u64 {
        self.p.get(k).and_then(Value::as_u64).unwrap_or(0)
    }
}

/// Answered, though the client's method table does not list it.
const PING: &str = "ping";

type Handler = fn(&Arc<Inner>, &Req) -> Res;

/// Every method the simulator answers, by name.
#[rustfmt::skip]
static HANDLERS: &[(&str, Handler)] = &[
    (PING, ping),
    (methods::Auth::NAME, auth_again),
    (methods::GetUserDisplayName::NAME, Inner::get_user_display_name),
    (methods::CreateP2pChat::NAME, Inner::create_p2p_chat),
    (methods::CreateGroupChat::NAME, Inner::create_group_chat),
    (methods::CreateChannel::NAME, Inner::create_group_chat),
    (methods::CreateFavoritesChat::NAME, Inner::create_favorites_chat),
    (methods::GetChatById::NAME, Inner::get_chat_by_id),
    (methods::GetChats::NAME, Inner::get_chats),
    (methods::RemoveChat::NAME, Inner::remove_chat),
    (methods::EditChatTitle::NAME, Inner::edit_chat_title),
    (methods::EditChatAvatar::NAME, Inner::edit_chat_avatar),
    (methods::ClearHistory::NAME, Inner::clear_history),
    (methods::AddChatParticipant::NAME, Inner::add_chat_participant),
    (methods::RemoveChatParticipant::NAME, Inner::remove_chat_participant),
    (methods::HasChatParticipant::NAME, Inner::has_chat_participant),
    (methods::GetChatParticipant::NAME, Inner::get_chat_participant),
    (methods::GetChatParticipants::NAME, Inner::get_chat_participants),
    (methods::ChangeParticipantRole::NAME, Inner::change_participant_role),
    (methods::SendMessage::NAME, Inner::send_message),
    (methods::SendSurvey::NAME, Inner::send_message),
    (methods::EditMessage::NAME, Inner::edit_message),
    (methods::EditSurvey::NAME, Inner::edit_message),
    (methods::ForwardMessage::NAME, Inner::forward_message),
    (methods::GetMessageById::NAME, Inner::get_message_by_id),
    (methods::GetChatHistory::NAME, Inner::get_chat_history),
    (methods::RemoveMessage::NAME, Inner::remove_message),
    (methods::UploadFile::NAME, Inner::upload_file),
    (methods::SendFile::NAME, Inner::send_file),
    (methods::GetFileInfo::NAME, Inner::get_file_info),
    (methods::SubscribeFileProgress::NAME, Inner::subscribe_file_progress),
    (methods::UnsubscribeFileProgress::NAME, Inner::unsubscribe_file_progress),
    (methods::GetFileUploadLimits::NAME, Inner::get_file_upload_limits),
    (methods::SendChatActivity::NAME, Inner::send_chat_activity),
];

fn ping(_: &Arc<Inner>, _: &Req) -> Res {
    ok(json!({}))
}

/// `auth` on an authorised connection.
fn auth_again(_: &Arc<Inner>, _: &Req) -> Res {
    Err(2)
}

impl Inner {
    /// Runs one request of an authorised user. Ok: the response payload and pushes for the
    /// calling connection (after the response); Err: the error code.
    pub(super) fn command(
        self: &Arc<Self>,
        conn: u64,
        user: &str,
        method: &str,
        p: &Map<String, Value>,
    ) -> Res {
        let mut p = p.clone();
        if method == methods::CreateGroupChat::NAME && !p.contains_key("title") {
            // An older reference calls it `name` (docs/chat-protocol.md, Choices C2).
            if let Some(n) = p.remove("name") {
                p.insert("title".into(), n);
            }
        }
        if let Some(spec) = methods::method(method) {
            let bad = spec
                .validate(&p)
                .into_iter()
                .any(|e| !matches!(e, methods::ParamError::Unknown { .. }));
            if bad {
                return Err(399);
            }
        } else if method != PING {
            return Err(307);
        }
        let r = Req {
            conn,
            user,
            method,
            p: &p,
        };
        match HANDLERS.iter().find(|(name, _)| *name == method) {
            Some((_, handler)) => handler(self, &r),
            None => Err(307),
        }
    }
}
