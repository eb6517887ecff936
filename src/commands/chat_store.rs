//! `chat search` (the local message store, no server) and `chat sync` (older history from the
//! server into the store).

use std::io::IsTerminal;
use std::path::PathBuf;

use serde_json::json;

use super::chat::{Failure, utc};
use crate::chat::ChatHandle;
use crate::chat::types::Chat;
use crate::sanitize::line;
use crate::store::{self, MARK_END, MARK_START, Store, Write};

/// The store of the account a target names: `store/ACCOUNT@HOST_PORT-HASH.sqlite3` in the data
/// dir.
pub fn store_path(target: &crate::chat::ChatTarget) -> Option<PathBuf> {
    crate::dirs::data_dir().map(|d| store::path_for_target(&d, target))
}

fn open(path: &std::path::Path, create: bool) -> Result<Store, Failure> {
    let opened = if create {
        Store::open(path)
    } else {
        Store::open_existing_only(path)
    };
    let (s, notice) = opened.map_err(|e| Failure(e.to_string(), 1))?;
    if let Some(n) = notice {
        eprintln!("warning: {n}");
    }
    Ok(s)
}

/// A chat named by id or title among those stored; a personal chat also by its peer's id
/// (with or without `@server`) or display name, as `chat history` takes it.
fn stored_chat(chats: &[Chat], names: &[(String, String)], arg: &str) -> Option<String> {
    let short = |s: &str| s.split('@').next().unwrap_or(s).to_lowercase();
    let by = |f: &dyn Fn(&Chat) -> bool| chats.iter().find(|c| f(c)).map(|c| c.chat_id.clone());
    by(&|c| c.chat_id == arg)
        .or_else(|| {
            by(&|c| {
                c.title
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case(arg))
            })
        })
        .or_else(|| {
            by(&|c| {
                c.chat_type == crate::chat::types::ChatType::P2p
                    && c.title.as_deref().is_some_and(|t| {
                        short(t) == short(arg)
                            || names
                                .iter()
                                .any(|(id, n)| id == t && n.eq_ignore_ascii_case(arg))
                    })
            })
        })
}

pub fn search(
    path: &std::path::Path,
    query: &str,
    chat: Option<&str>,
    limit: usize,
    json: bool,
) -> Result<(), Failure> {
    if limit == 0 {
        return Err(Failure("--limit must be at least 1".into(), 2));
    }
    if limit > store::RANKED {
        eprintln!(
            "note: a search ranks its {} newest matches: at most that many results",
            store::RANKED
        );
    }
    // Searched as shown: a pasted escape sequence taken out whole.
    let clean = line(query);
    let query = clean.as_ref();
    if store::fts_query(query).is_none() {
        return Err(Failure(
            "nothing to search for: give at least one word".into(),
            2,
        ));
    }
    let s = open(path, false)?;
    let chat_id = match chat {
        None => None,
        Some(arg) => {
            let chats = s.chats().map_err(|e| Failure(e.to_string(), 1))?;
            let names = s.names().map_err(|e| Failure(e.to_string(), 1))?;
            Some(
                stored_chat(&chats, &names, arg)
                    .ok_or_else(|| Failure(format!("no stored chat called “{}”", line(arg)), 1))?,
            )
        }
    };
    let hits = s
        .search(query, chat_id.as_deref(), limit)
        .map_err(|e| Failure(e.to_string(), 1))?;
    if json {
        let list: Vec<_> = hits
            .iter()
            .map(|h| {
                json!({"chatId": h.chat_id, "chatTitle": h.chat_title, "messageId": h.message_id,
                    "author": h.author, "authorName": h.author_name, "timestamp": h.timestamp,
                    "time": utc(h.timestamp), "text": line(&h.text),
                    "snippet": plain(&h.snippet)})
            })
            .collect();
        match serde_json::to_string(&list) {
            Ok(s) => outln!("{}", crate::sanitize::json_for_terminal(s)),
            Err(e) => return Err(Failure(format!("cannot print JSON: {e}"), 1)),
        }
        return Ok(());
    }
    if hits.is_empty() {
        eprintln!("no stored message matches “{}”", line(query));
        return Err(Failure(String::new(), 1));
    }
    let bold = std::io::stdout().is_terminal();
    for h in &hits {
        let chat = h
            .chat_title
            .as_deref()
            .map_or_else(|| line(&h.chat_id).into_owned(), |t| line(t).into_owned());
        let who = h.author_name.as_deref().unwrap_or(&h.author);
        outln!(
            "{}  {}  {}: {}",
            utc(h.timestamp),
            chat,
            line(who),
            marked(&h.snippet, bold)
        );
    }
    Ok(())
}

/// A snippet without its marks, cleaned for the terminal.
fn plain(snippet: &str) -> String {
    line(&snippet.replace([MARK_START, MARK_END], "")).into_owned()
}

/// A snippet with its matches in bold (on a terminal), every piece cleaned.
fn marked(snippet: &str, bold: bool) -> String {
    let mut out = String::new();
    for (i, piece) in snippet.split([MARK_START, MARK_END]).enumerate() {
        let clean = line(piece);
        if i % 2 == 1 && bold {
            out.push_str("\x1b[1m");
            out.push_str(&clean);
            out.push_str("\x1b[22m");
        } else {
            out.push_str(&clean);
        }
    }
    out
}

/// Progress on stderr: one line rewritten on a terminal, a line per chat otherwise.
struct Progress {
    tty: bool,
    total: usize,
}

impl Progress {
    fn show(&self, done: usize, title: &str, messages: usize, finished: bool) {
        const WIDTH: usize = 20;
        let filled = (done * WIDTH).checked_div(self.total).unwrap_or(WIDTH);
        let bar: String = "█".repeat(filled) + &"░".repeat(WIDTH - filled);
        let title: String = line(title).chars().take(30).collect();
        if self.tty {
            eprint!(
                "\r\x1b[2K{bar} {done}/{} chats · {title}: {messages} messages",
                self.total
            );
            if finished && done == self.total {
                eprintln!();
            }
        } else if finished {
            eprintln!("{done}/{} {title}: {messages} messages", self.total);
        }
    }
}

pub async fn sync(
    h: &ChatHandle,
    path: &std::path::Path,
    chat: Option<&str>,
    max_pages: usize,
    json: bool,
) -> Result<(), Failure> {
    let mut s = open(path, true)?;
    let chats = crate::chat::catchup::all_chats(h).await?;
    s.apply(&[Write::Chats(chats.clone())])
        .map_err(|e| Failure(e.to_string(), 1))?;
    let todo: Vec<&Chat> = match chat {
        None => chats.iter().collect(),
        Some(arg) => {
            let id = stored_chat(&chats, &[], arg)
                .ok_or_else(|| Failure(format!("no chat called “{}”", line(arg)), 1))?;
            chats.iter().filter(|c| c.chat_id == id).collect()
        }
    };
    let progress = Progress {
        tty: std::io::stderr().is_terminal() && !json,
        total: todo.len(),
    };
    let mut total = 0usize;
    for (i, c) in todo.iter().enumerate() {
        let title = c.title.clone().unwrap_or_else(|| c.chat_id.clone());
        let got = store::backfill::chat(
            h,
            &c.chat_id,
            max_pages,
            |w| s.apply(&[w]).map_err(|e| e.to_string()),
            |n| progress.show(i, &title, n, false),
            None,
        )
        .await
        .map_err(|e| match e {
            store::backfill::BackfillError::Chat(e) => Failure::from(e),
            store::backfill::BackfillError::Store(e) => Failure(e, 1),
        })?;
        total += got;
        progress.show(i + 1, &title, got, true);
    }
    let counts = s.counts().map_err(|e| Failure(e.to_string(), 1))?;
    if json {
        outln!(
            "{}",
            json!({"chats": todo.len(), "read": total, "stored": counts, "store": path.display().to_string()})
        );
    } else {
        outln!(
            "read {total} messages in {} chats; the store holds {} messages in {} chats ({})",
            todo.len(),
            counts.messages,
            counts.chats,
            path.display()
        );
    }
    Ok(())
}
