//! Who may do what in a chat: the role matrices (docs/chat-protocol.md, Rights), membership.

use super::state::{ChatState, SimChat};

pub(super) const ROLE_NAMES: [&str; 7] = [
    "owner",
    "admin",
    "user",
    "conf_owner",
    "conf_moderator",
    "favorites_owner",
    "writer",
];

/// What a role may do (docs/chat-protocol.md, Rights): one letter per role, in ROLE_NAMES
/// order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Right {
    Send,
    Reply,
    Files,
    Polls,
    Forward,
    EditOwn,
    DeleteOwnSelf,
    DeleteOwnAll,
    DeleteOthersSelf,
    DeleteOthersAll,
    ClearSelf,
    ClearAll,
    AddMembers,
    RemoveMembers,
    Title,
    Icon,
    Roles,
    ChangeOwner,
}

impl Right {
    /// (group row, channel row): O A U CO CM FO [W].
    fn rows(self) -> (&'static str, &'static str) {
        match self {
            Right::Send => ("YYYYYY", "YY.YYYY"),
            Right::Reply => ("YYYYYY", "YY.YYYY"),
            Right::Files => ("YYYYYY", "YY.YYYY"),
            Right::Polls => ("YYY...", "YY....Y"),
            Right::Forward => ("YYYYYY", "YYYYYYY"),
            Right::EditOwn => ("YYYYYY", "YY.YYYY"),
            Right::DeleteOwnSelf => ("YYYYYY", "YY.YYY."),
            Right::DeleteOwnAll => ("YYYYYY", "YY.YYYY"),
            Right::DeleteOthersSelf => ("YYYYY.", "YY.YY.."),
            Right::DeleteOthersAll => ("YY.YY.", "YY.YY.."),
            Right::ClearSelf => ("YYYYYY", "YY.YYY."),
            Right::ClearAll => ("YY.YY.", "YY.YY.."),
            Right::AddMembers | Right::RemoveMembers => ("YY....", "YY....."),
            Right::Title | Right::Icon => ("YY....", "YY....."),
            Right::Roles => ("YY.YY.", "YY....."),
            Right::ChangeOwner => ("Y.....", "Y......"),
        }
    }

    /// P2P chats: every messaging right, no membership rights (docs/chat-protocol.md, Rights).
    fn in_p2p(self) -> bool {
        !matches!(
            self,
            Right::AddMembers
                | Right::RemoveMembers
                | Right::Title
                | Right::Icon
                | Right::Roles
                | Right::ChangeOwner
        )
    }
}

pub(super) fn allowed(chat_type: i64, role: usize, right: Right) -> bool {
    if chat_type == 1 {
        return right.in_p2p();
    }
    let (group, channel) = right.rows();
    let row = if chat_type == 6 { channel } else { group };
    row.as_bytes().get(role) == Some(&b'Y')
}

pub(super) fn member_chat<'a>(s: &'a ChatState, id: &str, user: &str) -> Result<&'a SimChat, u32> {
    let c = s.chats.get(id).ok_or(304u32)?;
    if c.role_of(user).is_none() {
        return Err(305);
    }
    Ok(c)
}

pub(super) fn check(c: &SimChat, user: &str, right: Right) -> Result<(), u32> {
    let role = c.role_of(user).ok_or(305u32)?;
    if allowed(c.kind, role, right) {
        Ok(())
    } else {
        Err(303)
    }
}
