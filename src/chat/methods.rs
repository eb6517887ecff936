//! Every client method of the chat bot API (docs/chat-protocol.md, Methods), defined
//! once: the `chat_methods!` table below makes, for each method, a typed request struct, its
//! typed reply, its entry in [`METHODS`] (parameters with JSON types and required, group,
//! summary, minimum server version, reply keys) for validation and the API explorer, and one
//! async fn on [`ChatHandle`](super::client::ChatHandle).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;
use super::types::{Chat, Envelope, FileInfo, Participant, UploadLimits};
pub use crate::apispec::{MethodSpec, ParamError, ParamSpec, ParamType};

/// A Rust field type and the JSON type the table advertises for it.
pub trait Param {
    const TY: ParamType;
    const REQUIRED: bool = true;
    fn is_absent(&self) -> bool {
        false
    }
}

impl Param for String {
    const TY: ParamType = ParamType::Str;
}
impl Param for u64 {
    const TY: ParamType = ParamType::Int;
}
impl Param for bool {
    const TY: ParamType = ParamType::Bool;
}
impl Param for Value {
    const TY: ParamType = ParamType::Object;
}
impl<T: Param> Param for Option<T> {
    const TY: ParamType = T::TY;
    const REQUIRED: bool = false;
    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

/// A typed request.
pub trait ChatMethod: Serialize {
    const NAME: &'static str;
    type Reply: FromPayload;

    fn payload(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        }
    }
}

/// Reads a success payload into a typed reply. `Err` says what was missing.
pub trait FromPayload: Sized {
    fn from_payload(p: &Value) -> Result<Self, ReplyError>;
}

/// Why a success payload could not be read as the method's reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// A key the reply cannot do without.
    #[error("no `{0}` in the reply")]
    NoKey(&'static str),
    /// The same, in the words the display name and upload replies always used.
    #[error("no `{0}`")]
    No(&'static str),
    #[error("no `userId` in the auth reply")]
    NoAuthUser,
    /// The reply is not the object the method answers with (a chat, a message, …).
    #[error("the reply is not {0}")]
    NotA(&'static str),
    #[error("the reply is neither a list of chats nor {{chats}}")]
    NotChats,
}

/// The keys of the replies that are not a chat, a message or a file (docs/chat-protocol.md,
/// Methods), each read leniently; which ones a reply needs is decided by its
/// [`FromPayload`]. Reads every JSON object; a payload that is not one reads as none of them.
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ReplyKeys {
    #[serde(deserialize_with = "lenient::string")]
    chat_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    message_id: Option<String>,
    #[serde(deserialize_with = "lenient::millis")]
    timestamp: Option<u64>,
    #[serde(deserialize_with = "lenient::string")]
    file_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    caption_message_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    display_name: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    upload_task_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    user_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    connection_id: Option<String>,
    #[serde(deserialize_with = "lenient::flag")]
    result: Option<bool>,
    #[serde(deserialize_with = "lenient::uint")]
    retry_after: Option<u64>,
}

impl ReplyKeys {
    fn of(p: &Value) -> ReplyKeys {
        lenient::from_object(p).unwrap_or_default()
    }
}

/// A reply whose content nobody needs (`{}`; `removeChat` may also send `{chatId}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Done {
    pub raw: Value,
}

impl FromPayload for Done {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        Ok(Done { raw: p.clone() })
    }
}

/// `{chatId}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatId {
    pub chat_id: String,
}

impl FromPayload for ChatId {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        Ok(ChatId {
            chat_id: ReplyKeys::of(p)
                .chat_id
                .ok_or(ReplyError::NoKey("chatId"))?,
        })
    }
}

impl FromPayload for Chat {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        Chat::from_value(p).ok_or(ReplyError::NotA("a chat object"))
    }
}

/// `getChats`: a bare array (the vendor guide), or `{"chats": […]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chats(pub Vec<Chat>);

impl FromPayload for Chats {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        let list = p
            .as_array()
            .or_else(|| p.get("chats").and_then(Value::as_array))
            .ok_or(ReplyError::NotChats)?;
        Ok(Chats(list.iter().filter_map(Chat::from_value).collect()))
    }
}

/// `getChatParticipants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participants(pub Vec<Participant>);

impl FromPayload for Participants {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        let list = p
            .get("participants")
            .and_then(Value::as_array)
            .or_else(|| p.as_array());
        Ok(Participants(
            list.map(|l| l.iter().filter_map(Participant::from_value).collect())
                .unwrap_or_default(),
        ))
    }
}

impl FromPayload for Participant {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        Participant::from_value(p).ok_or(ReplyError::NoKey("userId"))
    }
}

/// `getUserDisplayName`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisplayName {
    pub display_name: String,
}

impl FromPayload for DisplayName {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        Ok(DisplayName {
            display_name: ReplyKeys::of(p)
                .display_name
                .ok_or(ReplyError::No("displayName"))?,
        })
    }
}

/// A message that was posted: `sendMessage`, `forwardMessage`, `sendSurvey`, `sendFile`, and
/// the edits (which carry no `chatId`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Posted {
    pub chat_id: Option<String>,
    pub message_id: Option<String>,
    pub timestamp: Option<u64>,
    /// `sendFile`: the permanent file id.
    pub file_id: Option<String>,
    /// `sendFile` with a caption: the caption's own message (5.5.6).
    pub caption_message_id: Option<String>,
}

impl FromPayload for Posted {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        let k = ReplyKeys::of(p);
        Ok(Posted {
            chat_id: k.chat_id,
            message_id: k.message_id,
            timestamp: k.timestamp,
            file_id: k.file_id,
            caption_message_id: k.caption_message_id,
        })
    }
}

impl FromPayload for Envelope {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        Envelope::from_value(p).ok_or(ReplyError::NotA("a message"))
    }
}

/// `getChatHistory`: newest first as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct History {
    #[serde(
        rename(deserialize = "chatId"),
        default,
        deserialize_with = "lenient::string"
    )]
    pub chat_id: Option<String>,
    /// The objects of `messages`; anything else in it is skipped.
    #[serde(default, deserialize_with = "lenient::objects")]
    pub messages: Vec<Envelope>,
}

impl FromPayload for History {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        Ok(lenient::from_object(p).unwrap_or_default())
    }
}

/// `{result: bool}` (a missing `result` counts as true: oc's fake server leaves it out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub result: bool,
}

impl FromPayload for Answer {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        Ok(Answer {
            result: ReplyKeys::of(p).result.unwrap_or(true),
        })
    }
}

/// `uploadFile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadTask {
    pub upload_task_id: String,
}

impl FromPayload for UploadTask {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        Ok(UploadTask {
            upload_task_id: ReplyKeys::of(p)
                .upload_task_id
                .ok_or(ReplyError::No("uploadTaskId"))?,
        })
    }
}

impl FromPayload for FileInfo {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        FileInfo::from_value(p).ok_or(ReplyError::NotA("file information"))
    }
}

impl FromPayload for UploadLimits {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        Ok(UploadLimits::from_value(p))
    }
}

/// `sendChatActivity`: how long the activity shows, in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Activity {
    pub retry_after_ms: u64,
}

impl FromPayload for Activity {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        Ok(Activity {
            retry_after_ms: ReplyKeys::of(p).retry_after.unwrap_or(0),
        })
    }
}

/// `auth`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthReply {
    /// `login@server/instance` as sent.
    pub user_id: String,
    pub connection_id: Option<String>,
}

impl FromPayload for AuthReply {
    fn from_payload(p: &Value) -> Result<Self, ReplyError> {
        let k = ReplyKeys::of(p);
        Ok(AuthReply {
            user_id: k.user_id.ok_or(ReplyError::NoAuthUser)?,
            connection_id: k.connection_id,
        })
    }
}

macro_rules! chat_methods {
    ($(
        $(#[doc = $doc:literal])+
        $name:ident = $wire:literal in $group:literal since $since:literal,
        fn $fname:ident -> $reply:ty [$($rk:literal),*] follows $follow:literal {
            $( $field:ident : $fty:ty => $key:literal, $note:literal; )*
        }
    )*) => {
        $(
            $(#[doc = $doc])+
            #[derive(Debug, Clone, PartialEq, Default, Serialize)]
            pub struct $name {
                $(
                    #[doc = $note]
                    #[serde(rename = $key, skip_serializing_if = "Param::is_absent")]
                    pub $field: $fty,
                )*
            }

            impl ChatMethod for $name {
                const NAME: &'static str = $wire;
                type Reply = $reply;
            }
        )*

        /// Every client method, in the order of docs/chat-protocol.md, Methods.
        pub static METHODS: &[MethodSpec] = &[$(
            MethodSpec {
                name: $wire,
                group: $group,
                admin_only: false,
                summary: concat!($($doc),+),
                params: &[$(ParamSpec {
                    key: $key,
                    ty: <$fty as Param>::TY,
                    required: <$fty as Param>::REQUIRED,
                    note: $note,
                }),*],
                open_params: false,
                response: &[$($rk),*],
                follow_up: $follow,
            }
        ),*];

        /// The minimum server version of each method, by name.
        pub static SINCE: &[(&str, &str)] = &[$(($wire, $since)),*];

        impl super::client::ChatHandle {
            $(
                $(#[doc = $doc])+
                pub async fn $fname(&self, req: $name) -> Result<$reply, super::client::ChatError> {
                    self.call(&req).await
                }
            )*
        }
    };
}

chat_methods! {
    /// Authenticates the socket with an OAuth token; must be the first request.
    Auth = "auth" in "Connection" since "5.5.0",
    fn auth -> AuthReply ["userId", "connectionId"] follows "getFileUploadLimits" {
        token: String => "token", "the access_token from OAuth";
        token_type: Option<String> => "tokenType", "\"JWT\" (vendor clients) or \"JWE\" (seed)";
        receive_unread: Option<bool> => "receiveUnread", "deliver unread messages after login";
        receive_system: Option<bool> => "receiveSystemMessageEnvelopes", "also push system envelopes";
    }
    /// Opens (or finds) the personal chat with a user.
    CreateP2pChat = "createP2PChat" in "Chats" since "5.5.0",
    fn create_p2p_chat -> ChatId ["chatId"] follows "createP2PChat" {
        user_id: String => "userId", "TrueConf ID, e.g. alice@video.example.com";
    }
    /// Creates a new group chat; the caller becomes its owner.
    CreateGroupChat = "createGroupChat" in "Chats" since "5.5.0",
    fn create_group_chat -> ChatId ["chatId"] follows "createGroupChat" {
        title: String => "title", "up to 256 characters";
    }
    /// Creates a new channel; the caller becomes its owner.
    CreateChannel = "createChannel" in "Chats" since "5.5.0",
    fn create_channel -> ChatId ["chatId"] follows "createChannel" {
        title: String => "title", "up to 256 characters";
    }
    /// Creates or returns the caller's Favorites chat.
    CreateFavoritesChat = "createFavoritesChat" in "Chats" since "5.5.2",
    fn create_favorites_chat -> ChatId ["chatId"] follows "createFavoritesChat" {
    }
    /// One chat: title, type, unread count, last message.
    GetChatById = "getChatByID" in "Chats" since "5.5.0",
    fn get_chat_by_id -> Chat ["chatId", "title", "chatType", "unreadMessages", "avatarUrl", "lastMessage"] follows "" {
        chat_id: String => "chatId", "the chat";
    }
    /// A page of the caller's chats (the reply is a bare array).
    GetChats = "getChats" in "Chats" since "5.5.0",
    fn get_chats -> Chats ["[chat]"] follows "" {
        count: u64 => "count", "chats per page";
        page: u64 => "page", "page number, from 1";
    }
    /// Deletes a chat (owner of a group or channel; either side of a p2p chat).
    RemoveChat = "removeChat" in "Chats" since "5.5.0",
    fn remove_chat -> Done [] follows "removeChat" {
        chat_id: String => "chatId", "the chat";
    }
    /// Renames a group chat or channel (owner or admin).
    EditChatTitle = "editChatTitle" in "Chats" since "5.5.3",
    fn edit_chat_title -> Posted ["chatId", "timestamp"] follows "editChatTitle" {
        chat_id: String => "chatId", "the chat";
        title: String => "title", "the new title";
    }
    /// Sets a chat's icon from an uploaded image (owner or admin).
    EditChatAvatar = "editChatAvatar" in "Chats" since "5.5.3",
    fn edit_chat_avatar -> Done [] follows "editChatAvatar" {
        chat_id: String => "chatId", "the chat";
        temporal_file_id: String => "temporalFileId", "from the HTTP upload";
    }
    /// Clears a chat's history, for the caller or for everyone.
    ClearHistory = "clearHistory" in "Chats" since "5.5.3",
    fn clear_history -> Done [] follows "clearHistory" {
        chat_id: String => "chatId", "the chat";
        for_all: bool => "forAll", "true: for every member (needs the right)";
    }
    /// Adds a member to a group chat or channel.
    AddChatParticipant = "addChatParticipant" in "Participants" since "5.5.0",
    fn add_chat_participant -> Done [] follows "addChatParticipant" {
        chat_id: String => "chatId", "the chat";
        user_id: String => "userId", "TrueConf ID";
        display_history: Option<bool> => "displayHistory", "let the new member see earlier messages (5.5.2)";
    }
    /// Removes a member from a group chat or channel.
    RemoveChatParticipant = "removeChatParticipant" in "Participants" since "5.5.0",
    fn remove_chat_participant -> Done [] follows "removeChatParticipant" {
        chat_id: String => "chatId", "the chat";
        user_id: String => "userId", "TrueConf ID";
        clear_history: Option<bool> => "clearHistory", "also clear the history for them (5.5.3)";
    }
    /// Whether a user is a member (deprecated in favour of getChatParticipant).
    HasChatParticipant = "hasChatParticipant" in "Participants" since "5.5.0",
    fn has_chat_participant -> Answer ["result"] follows "" {
        chat_id: String => "chatId", "the chat";
        user_id: String => "userId", "TrueConf ID";
    }
    /// One member with their role.
    GetChatParticipant = "getChatParticipant" in "Participants" since "5.5.4",
    fn get_chat_participant -> Participant ["userId", "role", "type"] follows "" {
        chat_id: String => "chatId", "the chat";
        user_id: String => "userId", "TrueConf ID";
    }
    /// A page of members with their roles.
    GetChatParticipants = "getChatParticipants" in "Participants" since "5.5.0",
    fn get_chat_participants -> Participants ["participants"] follows "" {
        chat_id: String => "chatId", "the chat";
        page_size: u64 => "pageSize", "members per page";
        page_number: u64 => "pageNumber", "page number, from 1 (0 is the first page too)";
    }
    /// Changes a member's role: owner, admin, user, writer, … (owner or admin).
    ChangeParticipantRole = "changeParticipantRole" in "Participants" since "5.5.2",
    fn change_participant_role -> Done [] follows "changeParticipantRole" {
        chat_id: String => "chatId", "the chat";
        user_id: String => "userId", "TrueConf ID";
        role: String => "role", "owner, admin, user, conf_owner, conf_moderator, favorites_owner, writer";
    }
    /// A user's display name.
    GetUserDisplayName = "getUserDisplayName" in "Contacts" since "5.5.0",
    fn get_user_display_name -> DisplayName ["displayName"] follows "" {
        user_id: String => "userId", "TrueConf ID";
    }
    /// Posts a text message (text, markdown or html), optionally as a reply.
    SendMessage = "sendMessage" in "Messages" since "5.5.0",
    fn send_message -> Posted ["chatId", "messageId", "timestamp"] follows "sendMessage" {
        chat_id: String => "chatId", "the chat";
        reply_message_id: Option<String> => "replyMessageId", "the message answered";
        content: Value => "content", "{text, parseMode: text|markdown|html, buttons?}";
    }
    /// Replaces the text of one's own message.
    EditMessage = "editMessage" in "Messages" since "5.5.0",
    fn edit_message -> Posted ["messageId", "timestamp"] follows "editMessage" {
        message_id: String => "messageId", "the message";
        content: Value => "content", "{text, parseMode, buttons?}";
    }
    /// Forwards a message to a chat.
    ForwardMessage = "forwardMessage" in "Messages" since "5.5.0",
    fn forward_message -> Posted ["chatId", "messageId", "timestamp"] follows "sendMessage" {
        chat_id: String => "chatId", "the target chat";
        message_id: String => "messageId", "the message to forward";
    }
    /// One message, whole.
    GetMessageById = "getMessageById" in "Messages" since "5.5.0",
    fn get_message_by_id -> Envelope ["messageId", "chatId", "timestamp", "type", "author", "box", "content"] follows "" {
        message_id: String => "messageId", "the message";
    }
    /// Messages of a chat, newest first, older than fromMessageId.
    GetChatHistory = "getChatHistory" in "Messages" since "5.5.0",
    fn get_chat_history -> History ["chatId", "count", "messages"] follows "" {
        chat_id: String => "chatId", "the chat";
        count: u64 => "count", "at most this many";
        from_message_id: Option<String> => "fromMessageId", "page backwards from this message";
    }
    /// Deletes a message for the caller, or for everyone.
    RemoveMessage = "removeMessage" in "Messages" since "5.5.0",
    fn remove_message -> Done [] follows "removeMessage" {
        message_id: String => "messageId", "the message";
        for_all: bool => "forAll", "true: for every member (needs the right)";
    }
    /// Step 1 of sending a file: an upload task for the HTTP upload.
    UploadFile = "uploadFile" in "Files" since "5.5.0",
    fn upload_file -> UploadTask ["uploadTaskId"] follows "" {
        file_size: u64 => "fileSize", "bytes";
        file_name: Option<String> => "fileName", "required from 5.5.3";
        mime_type: Option<String> => "mimeType", "the file's type";
    }
    /// Step 3 of sending a file: posts the uploaded file, with an optional caption.
    SendFile = "sendFile" in "Files" since "5.5.0",
    fn send_file -> Posted ["chatId", "messageId", "timestamp", "fileId", "captionMessageId"] follows "sendMessage" {
        chat_id: String => "chatId", "the chat";
        reply_message_id: Option<String> => "replyMessageId", "the message answered";
        content: Value => "content", "{temporalFileId, caption?: {text, parseMode}}";
    }
    /// A file's name, size, state and download URL.
    GetFileInfo = "getFileInfo" in "Files" since "5.5.0",
    fn get_file_info -> FileInfo ["name", "size", "mimeType", "readyState", "downloadUrl", "previews", "fileId"] follows "" {
        file_id: String => "fileId", "the file";
    }
    /// Asks for upload progress events of a file that is still uploading.
    SubscribeFileProgress = "subscribeFileProgress" in "Files" since "5.5.0",
    fn subscribe_file_progress -> Answer ["result"] follows "uploadFileProgress" {
        file_id: String => "fileId", "the file";
    }
    /// Stops the progress events of a file.
    UnsubscribeFileProgress = "unsubscribeFileProgress" in "Files" since "5.5.0",
    fn unsubscribe_file_progress -> Answer ["result"] follows "" {
        file_id: String => "fileId", "the file";
    }
    /// The server's file size cap and extension filter.
    GetFileUploadLimits = "getFileUploadLimits" in "Files" since "5.5.3",
    fn get_file_upload_limits -> UploadLimits ["maxSize", "extensions"] follows "" {
    }
    /// Posts a survey card linking to a campaign in the server's web tools.
    SendSurvey = "sendSurvey" in "Surveys" since "5.5.0",
    fn send_survey -> Posted ["chatId", "messageId", "timestamp"] follows "sendMessage" {
        chat_id: String => "chatId", "the chat";
        reply_message_id: Option<String> => "replyMessageId", "the message answered";
        content: Value => "content", "{url, appVersion, path, title, description, buttonText, secret, alt}";
    }
    /// Changes a survey card.
    EditSurvey = "editSurvey" in "Surveys" since "5.5.0",
    fn edit_survey -> Posted ["messageId", "timestamp"] follows "editMessage" {
        message_id: String => "messageId", "the survey message";
        content: Value => "content", "{path, title, description, buttonText, alt}";
    }
    /// Shows "typing…" (or choosing a sticker, uploading a file) to the chat.
    SendChatActivity = "sendChatActivity" in "Messages" since "5.5.6",
    fn send_chat_activity -> Activity ["chatId", "activityType", "retryAfter"] follows "" {
        chat_id: String => "chatId", "the chat";
        activity_type: String => "activityType", "typing, choosing_sticker or uploading_file";
    }
}

/// The table entry of a method, by its exact JSON name.
pub fn method(name: &str) -> Option<&'static MethodSpec> {
    METHODS.iter().find(|m| m.name == name)
}

/// Text content for sendMessage/editMessage.
pub fn text_content(text: &str, parse_mode: &str) -> Value {
    serde_json::json!({"text": text, "parseMode": parse_mode})
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_table_lists_each_reference_method_once() {
        assert_eq!(METHODS.len(), 33);
        let mut names: Vec<_> = METHODS.iter().map(|m| m.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 33);
        assert_eq!(method("getChatByID").unwrap().params[0].key, "chatId");
        assert_eq!(SINCE.len(), METHODS.len());
    }

    #[test]
    fn typed_requests_serialise_to_the_wire_keys_and_drop_unset_options() {
        let m = SendMessage {
            chat_id: "c".into(),
            reply_message_id: None,
            content: text_content("hi", "markdown"),
        };
        assert_eq!(
            Value::Object(m.payload()),
            json!({"chatId": "c", "content": {"text": "hi", "parseMode": "markdown"}})
        );
        let spec = method("sendMessage").unwrap();
        assert!(spec.validate(&m.payload()).is_empty());
        let p = spec
            .params
            .iter()
            .find(|p| p.key == "replyMessageId")
            .unwrap();
        assert!(!p.required && p.ty == ParamType::Str);
        let errs = spec.validate(json!({"chatId": 5}).as_object().unwrap());
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    #[test]
    fn replies_accept_every_reading() {
        let c =
            Chats::from_payload(&json!([{"chatId": "a", "title": "t", "chatType": 1}])).unwrap();
        assert_eq!(c.0.len(), 1);
        let c = Chats::from_payload(&json!({"chats": [{"chatId": "a"}, {"chatId": "b"}]})).unwrap();
        assert_eq!(c.0.len(), 2);
        assert!(Done::from_payload(&json!({})).is_ok());
        assert!(Answer::from_payload(&json!({})).unwrap().result);
        assert!(ChatId::from_payload(&json!({})).is_err());
    }

    #[test]
    fn unreadable_replies_say_what_is_missing() {
        let e = |r: Result<(), ReplyError>| r.unwrap_err().to_string();
        assert_eq!(
            e(ChatId::from_payload(&json!({"chatId": [1]})).map(drop)),
            "no `chatId` in the reply"
        );
        assert_eq!(
            e(Chat::from_payload(&json!({"title": "t"})).map(drop)),
            "the reply is not a chat object"
        );
        assert_eq!(
            e(Chats::from_payload(&json!({"items": []})).map(drop)),
            "the reply is neither a list of chats nor {chats}"
        );
        assert_eq!(
            e(Participant::from_payload(&json!({})).map(drop)),
            "no `userId` in the reply"
        );
        assert_eq!(
            e(DisplayName::from_payload(&json!({})).map(drop)),
            "no `displayName`"
        );
        assert_eq!(
            e(Envelope::from_payload(&json!([])).map(drop)),
            "the reply is not a message"
        );
        assert_eq!(
            e(UploadTask::from_payload(&json!({"uploadTaskId": null})).map(drop)),
            "no `uploadTaskId`"
        );
        assert_eq!(
            e(FileInfo::from_payload(&json!({"size": "big"})).map(drop)),
            "the reply is not file information"
        );
        assert_eq!(
            e(AuthReply::from_payload(&json!({"connectionId": "c"})).map(drop)),
            "no `userId` in the auth reply"
        );
        // Numbers as strings and seconds are read; a wrong type leaves only that key out.
        let p =
            Posted::from_payload(&json!({"chatId": 7, "messageId": {}, "timestamp": "1735370776"}))
                .unwrap();
        assert_eq!(p.chat_id.as_deref(), Some("7"));
        assert_eq!(p.message_id, None);
        assert_eq!(p.timestamp, Some(1_735_370_776_000));
        assert!(
            !Answer::from_payload(&json!({"result": "false"}))
                .unwrap()
                .result
        );
        assert!(
            Answer::from_payload(&json!({"result": [false]}))
                .unwrap()
                .result
        );
        let h = History::from_payload(&json!({"chatId": "c", "messages": [{"type": 200,
            "content": {"text": "x"}}, 5, null]}))
        .unwrap();
        assert_eq!((h.chat_id.as_deref(), h.messages.len()), (Some("c"), 1));
    }
}
