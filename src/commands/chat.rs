//! `trueconf-console chat …`: the chat client for scripts. Text by default, `--json` for
//! machines; a failure prints one line (`error: chat not found (304)`) and exits non-zero.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};

use crate::chat::auth::TokenCache;
use crate::chat::catchup::{Seen, all_chats};
use crate::chat::events::ChatEvent;
use crate::chat::methods::*;
use crate::chat::types::{ChatType, human_size};
use crate::chat::{self, ChatError, ChatHandle, ChatLinkEvent, ChatLinkOptions, ChatTarget};
use crate::cli::{ChatArgs, ChatCommand};
use crate::config::{Config, DEFAULT_CHAT_PORT, DEFAULT_CHAT_TLS_PORT, Secret};
use crate::link::{Backoff, LinkStatus};
use crate::sanitize::line;

use super::chat_print::{chat_row, chats_header, message_line, p2p_peer};

/// A failure: the one-line reason and the exit code.
pub struct Failure(pub String, pub u8);

impl From<ChatError> for Failure {
    fn from(e: ChatError) -> Failure {
        let code = if matches!(e, ChatError::Params(_)) {
            2
        } else {
            1
        };
        Failure(line(&e.to_string()).into_owned(), code)
    }
}

/// Where to connect and as whom: the flags win over the config, the environment over both.
pub fn target(args: &ChatArgs, config: &Config) -> Result<ChatTarget, Failure> {
    let conf = config.chat.as_ref();
    let host = args
        .server
        .clone()
        .or_else(|| conf.map(|c| c.server.to_string()))
        .ok_or_else(|| {
            Failure(
                "no server to talk to: pass --server HOST (and --user), or add [chat] to the config"
                    .into(),
                2,
            )
        })?;
    let user = args
        .user
        .clone()
        .or_else(|| conf.map(|c| c.username.clone()))
        .ok_or_else(|| {
            Failure(
                "no account: pass --user NAME or set [chat] username".into(),
                2,
            )
        })?;
    let tls = if args.no_tls {
        false
    } else if args.tls {
        true
    } else {
        conf.is_some_and(|c| c.tls)
    };
    let port = args
        .port
        .or_else(|| conf.and_then(|c| c.port.map(|p| p.0)))
        .unwrap_or(if tls {
            DEFAULT_CHAT_TLS_PORT
        } else {
            DEFAULT_CHAT_PORT
        });
    Ok(ChatTarget {
        host,
        port,
        tls,
        ca_file: args
            .ca_file
            .clone()
            .or_else(|| conf.and_then(|c| c.ca_file.clone())),
        pin_sha256: args.pin_sha256.or_else(|| conf.and_then(|c| c.pin_sha256)),
        insecure: args.insecure || conf.is_some_and(|c| c.insecure),
        username: user,
        password: config.chat_password().cloned(),
        token: config.chat_token().cloned(),
        token_type: conf
            .map(|c| c.token_type.clone())
            .unwrap_or_else(|| "JWT".into()),
        receive_unread: false,
        receive_system: false,
    })
}

pub async fn run(args: &ChatArgs, config: &Config) -> ExitCode {
    match execute(args, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg, code)) => {
            if !msg.is_empty() {
                eprintln!("error: {msg}");
            }
            ExitCode::from(code)
        }
    }
}

fn print_json(v: &impl Serialize) {
    match serde_json::to_string(v) {
        Ok(s) => outln!("{}", crate::sanitize::json_for_terminal(s)),
        Err(e) => eprintln!("error: cannot print JSON: {e}"),
    }
}

/// `2026-11-22 08:09` (UTC) from milliseconds.
pub fn utc(ms: u64) -> String {
    let secs = (ms / 1000) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// A CHAT argument: an id, a title, or a user's p2p chat.
async fn resolve_chat(h: &ChatHandle, arg: &str) -> Result<String, Failure> {
    if arg.len() >= 32 && arg.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Ok(arg.to_string());
    }
    let chats = all_chats(h).await?;
    let short = |s: &str| s.split('@').next().unwrap_or(s).to_ascii_lowercase();
    if let Some(c) = chats.iter().find(|c| {
        c.chat_id == arg
            || c.title
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case(arg))
            || (c.chat_type == ChatType::P2p
                && c.title.as_deref().is_some_and(|t| short(t) == short(arg)))
    }) {
        return Ok(c.chat_id.clone());
    }
    Err(Failure(
        format!(
            "no chat called “{}” (give a chat id, a title, or a user with a personal chat)",
            line(arg)
        ),
        1,
    ))
}

async fn execute(args: &ChatArgs, config: &Config) -> Result<(), Failure> {
    // A blank message is refused before anything connects (the server would post it, or
    // refuse it with a less helpful code).
    if let ChatCommand::Send { text, .. } | ChatCommand::Edit { text, .. } = &args.command
        && text.trim().is_empty()
    {
        return Err(Failure(
            "the message is empty: give the text to send (quote it if it has spaces)".into(),
            2,
        ));
    }
    let script = match &args.command {
        ChatCommand::Run { file } => Some(load_script(file)?),
        _ => None,
    };
    let mut target = target(args, config)?;
    if let ChatCommand::Search { query, chat, limit } = &args.command {
        let path = super::chat_store::store_path(&target)
            .ok_or_else(|| Failure("no data directory on this system".into(), 1))?;
        return super::chat_store::search(
            &path,
            &query.join(" "),
            chat.as_deref(),
            *limit,
            args.json,
        );
    }
    if target.tls && target.insecure {
        eprintln!(
            "warning: insecure: the server's certificate is not checked; anyone on the way can \
             read and change this session (pin it instead: --pin-sha256, or --ca-file)"
        );
    }
    let timeout = Duration::from_secs(args.timeout.max(1));
    let cache = TokenCache::default_location();
    // Nothing to log in with: ask, when someone is there to answer.
    let cached = cache
        .as_ref()
        .and_then(|c| c.load(&target.cache_key()))
        .is_some();
    if target.password.is_none() && target.token.is_none() && !cached {
        if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
            let p = rpassword::prompt_password(format!(
                "Password for {} at {}: ",
                target.username,
                target.base_url()
            ))
            .map_err(|e| Failure(format!("cannot read the password: {e}"), 1))?;
            target.password = Some(Secret::new(p));
        } else {
            return Err(Failure(
                format!(
                    "no password for {}: set TRUECONF_PASSWORD or TRUECONF_TOKEN (no terminal to ask on)",
                    target.username
                ),
                2,
            ));
        }
    }
    let watching = matches!(args.command, ChatCommand::Watch);
    let opts = ChatLinkOptions {
        backoff: if watching {
            match &config.chat {
                Some(c) => ChatLinkOptions::from_config(c).backoff,
                None => ChatLinkOptions::default().backoff,
            }
        } else if matches!(args.command, ChatCommand::Send { .. }) {
            // A send cut by a drop reconnects to ask whether it arrived.
            Backoff {
                max_retries: Some(3),
                max: Duration::from_secs(2),
                ..Backoff::default()
            }
        } else {
            Backoff {
                max_retries: Some(0),
                ..Backoff::default()
            }
        },
        request_timeout: timeout,
        connect_timeout: timeout.min(Duration::from_secs(10)),
        frames: matches!(args.command, ChatCommand::Run { .. }),
        token_cache: cache.clone(),
        ..ChatLinkOptions::default()
    };
    let (h, mut events) = chat::spawn(target, opts).map_err(|e| Failure(e.to_string(), 2))?;
    if watching {
        return watch(&h, &mut events, args.json).await;
    }
    match h
        .wait_status(timeout, |s| {
            s.is_up()
                || matches!(
                    s,
                    LinkStatus::Disconnected { .. } | LinkStatus::Retrying { .. }
                )
        })
        .await
    {
        Ok(LinkStatus::Authorized) => {}
        // The first attempt failed: no waiting for retries (`send` retries only after a cut).
        Ok(LinkStatus::Disconnected { reason } | LinkStatus::Retrying { reason, .. }) => {
            return Err(Failure(line(&reason).into(), 1));
        }
        Ok(other) | Err(other) => {
            return Err(Failure(
                format!(
                    "the server did not answer within {} s ({})",
                    timeout.as_secs(),
                    other.label()
                ),
                1,
            ));
        }
    }
    let json = args.json;
    if let ChatCommand::Run { file } = &args.command {
        let base = file
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        let mut b = crate::script::ChatBackend { h, events, base };
        let steps = script.unwrap_or_default();
        return match crate::script::run_steps(&mut b, file, &steps, json).await {
            0 => Ok(()),
            // The script said what went wrong; the exit code says how.
            code => Err(Failure(String::new(), code)),
        };
    }
    match &args.command {
        ChatCommand::Login => {
            let s = h.session().unwrap_or_else(|| chat::client::ChatSession {
                user_id: String::new(),
                me: String::new(),
                connection_id: None,
            });
            // The link stored the token (or found it cached): say where only if it is there.
            let not_cached = cache.as_ref().and_then(|c| {
                c.store_error().map(|e| {
                    format!(
                        "the token could not be cached in {}: {e}",
                        c.path().display()
                    )
                })
            });
            if json {
                print_json(
                    &json!({"userId": s.user_id, "me": s.me, "connectionId": s.connection_id,
                    "tokenCache": cache.as_ref().filter(|_| not_cached.is_none()).map(|c| c.path().display().to_string()),
                    "tokenCacheError": not_cached}),
                );
            } else {
                outln!("logged in as {}", line(&s.me));
                if let Some(c) = cache.as_ref().filter(|_| not_cached.is_none()) {
                    outln!("token cached in {}", c.path().display());
                }
            }
            // Logged in, but what `login` is for (later commands without the password) failed.
            if let Some(e) = not_cached {
                return Err(Failure(e, 1));
            }
        }
        ChatCommand::Chats => {
            let mut chats = all_chats(&h).await?;
            chats.sort_by(|a, b| {
                (b.unread > 0).cmp(&(a.unread > 0)).then_with(|| {
                    let t = |c: &crate::chat::types::Chat| {
                        c.last_message.as_ref().map(|m| m.timestamp).unwrap_or(0)
                    };
                    t(b).cmp(&t(a))
                })
            });
            if json {
                print_json(&chats);
            } else {
                // A personal chat's title is the other side's id: shown by their name.
                let mut names = std::collections::HashMap::new();
                for peer in chats.iter().filter_map(p2p_peer) {
                    if names.contains_key(peer) {
                        continue;
                    }
                    let req = GetUserDisplayName {
                        user_id: peer.to_string(),
                    };
                    if let Ok(n) = h.get_user_display_name(req).await
                        && !n.display_name.trim().is_empty()
                    {
                        names.insert(peer, n.display_name);
                    }
                }
                outln!("{}", chats_header());
                for c in &chats {
                    let name = p2p_peer(c).and_then(|p| names.get(p)).map(String::as_str);
                    outln!("{}", chat_row(c, name));
                }
            }
        }
        ChatCommand::Sync { chat, max_pages } => {
            if !config.store.enabled {
                return Err(Failure(
                    "the message store is turned off ([store] enabled = false)".into(),
                    2,
                ));
            }
            let path = super::chat_store::store_path(h.target())
                .ok_or_else(|| Failure("no data directory on this system".into(), 1))?;
            super::chat_store::sync(&h, &path, chat.as_deref(), *max_pages, json).await?;
        }
        ChatCommand::History {
            chat,
            count,
            before,
            raw,
        } => {
            let id = resolve_chat(&h, chat).await?;
            let mut hist = h
                .get_chat_history(GetChatHistory {
                    chat_id: id,
                    count: (*count).max(1),
                    from_message_id: before.clone(),
                })
                .await?;
            hist.messages.sort_by(|a, b| a.box_pos.cmp(&b.box_pos));
            if json {
                print_json(&hist.messages);
            } else {
                for m in &hist.messages {
                    outln!("{}", message_line(m, *raw));
                }
            }
        }
        ChatCommand::Send {
            chat,
            text,
            reply,
            format,
        } => {
            let id = resolve_chat(&h, chat).await?;
            let r = super::send::deliver(&h, &id, text, reply.as_deref(), format.mode(), timeout)
                .await?;
            posted(&r, json, "sent");
        }
        ChatCommand::Edit {
            message,
            text,
            format,
        } => {
            let r = h
                .edit_message(EditMessage {
                    message_id: message.clone(),
                    content: text_content(text, format.mode()),
                })
                .await?;
            let r = Posted {
                message_id: r.message_id.or_else(|| Some(message.clone())),
                ..r
            };
            posted(&r, json, "edited");
        }
        ChatCommand::Delete { message, for_all } => {
            h.remove_message(RemoveMessage {
                message_id: message.clone(),
                for_all: *for_all,
            })
            .await?;
            done(json, &format!("deleted {}", line(message)));
        }
        ChatCommand::Forward { message, chat } => {
            let id = resolve_chat(&h, chat).await?;
            let r = h
                .forward_message(ForwardMessage {
                    chat_id: id,
                    message_id: message.clone(),
                })
                .await?;
            posted(&r, json, "forwarded as");
        }
        ChatCommand::Upload {
            chat,
            file,
            caption,
            reply,
        } => {
            let id = resolve_chat(&h, chat).await?;
            let r = h
                .send_file_from_path(
                    &id,
                    file,
                    caption.clone().map(|c| (c, "text".to_string())),
                    reply.clone(),
                )
                .await?;
            posted(&r, json, "sent");
        }
        ChatCommand::Download { file_id, path } => {
            let info = h.download_to(file_id, path).await?;
            if json {
                print_json(&info);
            } else {
                outln!(
                    "saved {} ({}) to {}",
                    line(&info.name),
                    human_size(info.size),
                    path.display()
                );
            }
        }
        ChatCommand::CreateP2p { peer } => {
            let r = h
                .create_p2p_chat(CreateP2pChat {
                    user_id: full_user(&h, peer),
                })
                .await?;
            chat_id(&r, json);
        }
        ChatCommand::CreateGroup { title } => {
            let r = h
                .create_group_chat(CreateGroupChat {
                    title: title.clone(),
                })
                .await?;
            chat_id(&r, json);
        }
        ChatCommand::CreateChannel { title } => {
            let r = h
                .create_channel(CreateChannel {
                    title: title.clone(),
                })
                .await?;
            chat_id(&r, json);
        }
        ChatCommand::Members { chat } => {
            let id = resolve_chat(&h, chat).await?;
            let mut all = Vec::new();
            let mut seen = std::collections::HashSet::new();
            // Pages count from 1, as the API's worked example does; stop on a short or
            // repeated page (docs/chat-protocol.md, Choices C12).
            for page in 1..10_000 {
                let got = h
                    .get_chat_participants(GetChatParticipants {
                        chat_id: id.clone(),
                        page_size: 100,
                        page_number: page,
                    })
                    .await?
                    .0;
                let n = got.len();
                let fresh: Vec<_> = got
                    .into_iter()
                    .filter(|p| seen.insert(p.user_id.clone()))
                    .collect();
                let stop = n < 100 || fresh.is_empty();
                all.extend(fresh);
                if stop {
                    break;
                }
            }
            if json {
                print_json(&all);
            } else {
                for p in &all {
                    outln!(
                        "{:<16} {}",
                        p.role
                            .as_ref()
                            .map(crate::chat::types::Role::as_str)
                            .unwrap_or("?"),
                        line(&p.user_id)
                    );
                }
            }
        }
        ChatCommand::AddMember {
            chat,
            peer: user,
            history,
        } => {
            let id = resolve_chat(&h, chat).await?;
            h.add_chat_participant(AddChatParticipant {
                chat_id: id,
                user_id: full_user(&h, user),
                display_history: Some(*history),
            })
            .await?;
            done(json, &format!("added {}", line(user)));
        }
        ChatCommand::RemoveMember { chat, peer: user } => {
            let id = resolve_chat(&h, chat).await?;
            h.remove_chat_participant(RemoveChatParticipant {
                chat_id: id,
                user_id: full_user(&h, user),
                clear_history: None,
            })
            .await?;
            done(json, &format!("removed {}", line(user)));
        }
        ChatCommand::Watch | ChatCommand::Run { .. } | ChatCommand::Search { .. } => {
            unreachable!("handled above")
        }
    }
    Ok(())
}

/// `alice` → `alice@<our server's domain>` (the domain of our own id), as py-bot does.
fn full_user(h: &ChatHandle, user: &str) -> String {
    if user.contains('@') {
        return user.to_string();
    }
    match h
        .session()
        .and_then(|s| s.me.split_once('@').map(|(_, d)| d.to_string()))
    {
        Some(domain) => format!("{user}@{domain}"),
        None => user.to_string(),
    }
}

/// What was posted: `sent ID`, `edited ID`, … (`verb` says which).
fn posted(r: &Posted, json: bool, verb: &str) {
    if json {
        print_json(r);
    } else {
        let mut s = format!("{verb} {}", line(r.message_id.as_deref().unwrap_or("?")));
        if let Some(f) = &r.file_id {
            s.push_str(&format!(" (file {f})"));
        }
        outln!("{s}");
    }
}

fn chat_id(r: &ChatId, json: bool) {
    if json {
        print_json(r);
    } else {
        outln!("{}", r.chat_id);
    }
}

fn done(json: bool, text: &str) {
    if json {
        print_json(&json!({"result": true}));
    } else {
        outln!("{text}");
    }
}

/// Prints events until Ctrl-C; link status goes to stderr.
/// `chat watch`: every server request as it comes; after a reconnect, the messages posted
/// while the link was down (read from the chats with activity), each message once.
async fn watch(
    h: &ChatHandle,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<ChatLinkEvent>,
    json: bool,
) -> Result<(), Failure> {
    let mut seen = Seen::default();
    let show = |e: &ChatEvent| {
        if json {
            print_json(&event_json(e));
        } else {
            outln!("{}", event_text(e));
        }
    };
    loop {
        let ev = tokio::select! {
            e = events.recv() => e,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        match ev {
            None => return Ok(()),
            Some(ChatLinkEvent::Status(s)) => {
                eprintln!("[link] {}", s.label());
                if s.is_up() {
                    match seen.on_up(h).await {
                        Ok(missed) => {
                            if !missed.is_empty() {
                                eprintln!("[link] {} missed while disconnected", missed.len());
                            }
                            for e in missed {
                                show(&ChatEvent::Message(std::sync::Arc::new(e)));
                            }
                        }
                        Err(e) => eprintln!("[link] cannot catch up: {}", line(&e.to_string())),
                    }
                }
            }
            Some(ChatLinkEvent::Event(e)) => {
                if let ChatEvent::Message(m) = &e {
                    if !seen.is_new(&m.message_id) {
                        continue;
                    }
                    seen.saw(m);
                }
                show(&e);
            }
            Some(_) => {}
        }
    }
}

fn event_json(e: &ChatEvent) -> Value {
    serde_json::to_value(e).unwrap_or(Value::Null)
}

fn event_text(e: &ChatEvent) -> String {
    match e {
        ChatEvent::Message(m) => format!("message   {}", message_line(m, false)),
        ChatEvent::Edited {
            message_id, text, ..
        } => format!(
            "edited    {}: {}",
            message_id.as_deref().unwrap_or("?"),
            line(text)
        ),
        ChatEvent::Removed { message_id, .. } => format!("removed   {message_id}"),
        ChatEvent::ChatCreated { chat, .. } => format!(
            "new chat  {} {} {}",
            chat.chat_type.name(),
            line(chat.title.as_deref().unwrap_or("")),
            chat.chat_id
        ),
        ChatEvent::ChatRemoved { chat_id } => format!("chat gone {chat_id}"),
        ChatEvent::TitleChanged { chat_id, title } => {
            format!("renamed   {chat_id} → {}", line(title))
        }
        ChatEvent::AvatarChanged { chat_id, .. } => format!("avatar    {chat_id}"),
        ChatEvent::HistoryCleared { chat_id, for_all } => {
            format!(
                "cleared   {chat_id}{}",
                if *for_all { " for all" } else { "" }
            )
        }
        ChatEvent::ParticipantAdded {
            chat_id, user_id, ..
        } => {
            format!("joined    {chat_id} {}", line(user_id))
        }
        ChatEvent::ParticipantRemoved {
            chat_id, user_id, ..
        } => {
            format!("left      {chat_id} {}", line(user_id))
        }
        ChatEvent::RoleChanged {
            chat_id,
            user_id,
            role,
            ..
        } => format!("role      {chat_id} {} {}", line(user_id), role.as_str()),
        ChatEvent::Progress { file_id, progress } => format!("progress  {file_id} {progress}"),
        ChatEvent::Limits(l) => format!(
            "limits    max {} {}",
            l.max_size.map(human_size).unwrap_or_else(|| "none".into()),
            l.mode.as_deref().unwrap_or("")
        ),
        ChatEvent::Command(v) => format!("button    {}", line(&v.to_string())),
        ChatEvent::Other { method, payload } => {
            format!("{method:<9} {}", line(&payload.to_string()))
        }
    }
}

/// Reads a script and checks, before anything connects, that every environment variable it
/// reads (`${TRUECONF_…}`) is set; their values are kept out of the log.
fn load_script(file: &std::path::Path) -> Result<Vec<crate::script::Step>, Failure> {
    let steps = crate::script::load(file).map_err(|e| Failure(e.to_string(), 2))?;
    let secrets = crate::script::check_env(&steps, |k| std::env::var(k).ok())
        .map_err(|e| Failure(format!("{}, {e}", file.display()), 2))?;
    for s in &secrets {
        crate::logging::register_secret(s);
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00");
        assert_eq!(utc(1_735_330_912_000), "2024-12-27 20:21");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00");
    }
}
