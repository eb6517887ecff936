//! How `chat` prints for a person: the chat list as a table with a header and personal chats
//! under the other side's display name; messages as readable text, their Markdown or HTML read
//! (a link keeps its address after a label that differs) rather than shown as markup. Every
//! string from the server is made inert first.

use crate::chat::types::{Chat, ChatType, Content, Envelope};
use crate::sanitize::line;
use crate::ui::text::{truncate, width};

/// `s` padded with spaces (or cut, with `…`) to `w` columns.
pub fn pad(s: &str, w: usize) -> String {
    let s = truncate(s, w);
    let fill = w.saturating_sub(width(&s));
    format!("{s}{}", " ".repeat(fill))
}

/// The header of [`chat_row`]s.
pub fn chats_header() -> String {
    format!(
        "{:>6}  {} {}  ID",
        "UNREAD",
        pad("TYPE", 9),
        pad("TITLE", 32)
    )
}

/// One chat: unread count, type, title (for a personal chat, the display name when known),
/// id.
pub fn chat_row(c: &Chat, shown_title: Option<&str>) -> String {
    let title = shown_title.or(c.title.as_deref()).unwrap_or("(untitled)");
    format!(
        "{:>6}  {} {}  {}",
        c.unread,
        pad(c.chat_type.name(), 9),
        pad(&line(title), 32),
        line(&c.chat_id)
    )
}

/// The user a personal chat is with, when its title is their id (as the API sends it).
pub fn p2p_peer(c: &Chat) -> Option<&str> {
    let t = c.title.as_deref()?;
    (c.chat_type == ChatType::P2p && t.contains('@') && !t.contains(char::is_whitespace))
        .then_some(t)
}

/// A message's text as a reader sees it, line by line: the markup read into plain text.
pub fn plain(text: &str, mode: &str) -> Vec<String> {
    crate::ui::rich::parse(text, mode)
        .iter()
        .map(|runs| runs.iter().map(|r| r.text.as_str()).collect::<String>())
        .collect()
}

/// The lines of a message's body: readable text, or (`raw`) the server's markup on one line.
fn body(e: &Envelope, raw: bool) -> Vec<String> {
    match &e.content {
        Content::Text {
            text, parse_mode, ..
        } if !raw => plain(text, parse_mode),
        Content::Forward(inner) if !raw => {
            let mut lines = body(inner, false);
            if let Some(first) = lines.first_mut() {
                *first = format!("↪ {first}");
            }
            lines
        }
        _ => vec![line(&e.summary()).into_owned()],
    }
}

/// A message as `chat history` and `chat watch` print it: time, id, author, then its text;
/// a text of several lines goes on under the first, indented.
pub fn message_line(e: &Envelope, raw: bool) -> String {
    let who = e.author.id.split('@').next().unwrap_or_default();
    let edited = if e.is_edited { " (edited)" } else { "" };
    let reply = e
        .reply_message
        .as_ref()
        .map(|r| {
            let quoted = body(r, raw).join(" ");
            format!("↳ {}: ", quoted.chars().take(30).collect::<String>())
        })
        .unwrap_or_default();
    let head = format!(
        "{}  {}  {:<10} ",
        super::chat::utc(e.timestamp),
        line(&e.message_id),
        line(who)
    );
    let indent = " ".repeat(width(&head));
    let mut lines = body(e, raw).into_iter();
    let mut out = format!("{head}{reply}{}", lines.next().unwrap_or_default());
    for l in lines {
        out.push('\n');
        out.push_str(&indent);
        out.push_str(&l);
    }
    out.push_str(edited);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(text: &str, mode: &str) -> Envelope {
        Envelope::from_value(
            &json!({"chatId": "c", "messageId": "m1", "timestamp": 1_735_330_912_000u64,
            "type": 200, "author": {"id": "alice@video.example.com", "type": 1},
            "content": {"text": text, "parseMode": mode}}),
        )
        .unwrap()
    }

    #[test]
    fn markup_is_read_into_plain_text() {
        let e = envelope(
            "<b>Build</b> is <i>green</i><br>see <a href=\"https://ci.example.com/1\">the run</a> &amp; \u{1b}[2Jrelax",
            "html",
        );
        let shown = message_line(&e, false);
        let head = "2024-12-27 20:21  m1  alice      ";
        assert_eq!(
            shown.replace('\u{1b}', "?"),
            format!(
                "{head}Build is green\n{}see the run ‹https://ci.example.com/1› & {}relax",
                " ".repeat(head.len()),
                crate::sanitize::line("\u{1b}[2J")
            )
        );
        assert!(!shown.contains('\u{1b}'));
        // --raw: the markup as the server sent it, on one line, still inert.
        let raw = message_line(&e, true);
        assert!(
            raw.contains("<b>Build</b>") && !raw.contains('\u{1b}'),
            "{raw}"
        );
        assert_eq!(
            plain("**bold** and [docs](https://x.example)", "markdown"),
            ["bold and docs ‹https://x.example›"]
        );
        assert_eq!(plain("a\nb", "text"), ["a", "b"]);
    }

    #[test]
    fn chats_are_a_table_with_names() {
        let c = Chat::from_value(&json!({"chatId": "c3", "title": "alice@video.example.com",
            "chatType": 1, "unreadMessages": 2}))
        .unwrap();
        assert_eq!(p2p_peer(&c), Some("alice@video.example.com"));
        let row = chat_row(&c, Some("Alice Johnson"));
        assert_eq!(
            row,
            format!("     2  {} {}  c3", pad("p2p", 9), pad("Alice Johnson", 32))
        );
        assert!(chats_header().starts_with("UNREAD  TYPE"));
        assert_eq!(
            chats_header().find("TITLE"),
            row.find("Alice"),
            "the columns line up"
        );
        assert_eq!(pad("日本", 5), "日本 ");
    }
}
