//! The effects `update` asks for, carried out: the Room link (connect, switch, requests) and
//! the chat link.
//! Link events come back as messages on the channel the event loop reads.

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{AppError, Cmd, Msg};

#[path = "effects_store.rs"]
mod store;

#[path = "effects_files.rs"]
mod files;
#[path = "effects_live.rs"]
mod live;
#[path = "effects_room.rs"]
mod room;
use crate::room::link::RoomTarget;
use room::RoomLink;

/// Events taken from the chat link at most at once into one [`Msg::Chats`].
const FORWARD_BATCH: usize = 256;

/// Events the chat link may have handed on that the loop has not yet taken: at this bound
/// the link stops reading its socket until the loop catches up (crate::backlog). Some
/// thousand times what the loop takes at once, so met only when a server sends faster than
/// the console can take for good.
pub const CHAT_BACKLOG: usize = 64 * FORWARD_BATCH;

/// Starts the chat link as the console runs it: frames on, its events counted against
/// [`CHAT_BACKLOG`] and carried into the loop's channel by [`forward_chat`].
pub fn start_chat(
    target: crate::chat::ChatTarget,
    opts: crate::chat::ChatLinkOptions,
    store: Option<crate::store::writer::StoreWriter>,
    tx: mpsc::Sender<Msg>,
) -> Result<(crate::chat::ChatHandle, JoinHandle<()>), crate::tls::TlsError> {
    let backlog = std::sync::Arc::new(crate::backlog::Backlog::new(CHAT_BACKLOG));
    let opts = crate::chat::ChatLinkOptions {
        frames: true,
        backlog: Some(backlog.clone()),
        ..opts
    };
    let (handle, events) = crate::chat::spawn(target, opts)?;
    let forward = tokio::spawn(forward_chat(events, Some(backlog), store, tx));
    Ok((handle, forward))
}

/// Carries the chat link's events into the loop: each chat event handed to the store's
/// writer (when there is one) on its way, and whatever has piled up sent as one message, in
/// order (a flood costs the loop's channel one send per burst, not three per message: the
/// message, its frame and its ack's). What it has passed on is taken off the link's
/// `backlog`; while the store's writer is at its bound it waits before taking more.
pub async fn forward_chat(
    mut events: mpsc::UnboundedReceiver<crate::chat::ChatLinkEvent>,
    backlog: Option<std::sync::Arc<crate::backlog::Backlog>>,
    store: Option<crate::store::writer::StoreWriter>,
    tx: mpsc::Sender<Msg>,
) {
    let mut burst = Vec::with_capacity(FORWARD_BATCH);
    while events.recv_many(&mut burst, FORWARD_BATCH).await > 0 {
        let n = burst.len();
        if let Some(s) = &store {
            s.room().await;
            for ev in &burst {
                if let crate::chat::ChatLinkEvent::Event(e) = ev
                    && let Some(w) = crate::store::write_for(e)
                {
                    s.write(w);
                }
            }
        }
        // The burst goes in a vector of its own size; this one is kept for the next.
        let msg = if burst.len() > 1 {
            let mut out = Vec::with_capacity(burst.len());
            out.append(&mut burst);
            Msg::Chats(out)
        } else if let Some(ev) = burst.pop() {
            Msg::Chat(ev)
        } else {
            continue;
        };
        if tx.send(msg).await.is_err() {
            break;
        }
        if let Some(b) = &backlog {
            b.taken(n);
        }
    }
}

pub struct Effects {
    rooms: Vec<RoomTarget>,
    tx: mpsc::Sender<Msg>,
    /// Each configured room's link, by index (None until connected).
    links: Vec<Option<RoomLink>>,
    /// The room shown (the one the explorer talks to).
    active: Option<usize>,
    chat: Option<(crate::chat::ChatHandle, JoinHandle<()>)>,
    outbox_path: Option<std::path::PathBuf>,
    drafts_path: Option<std::path::PathBuf>,
    /// The data dir: the explorer's history and saved scripts go there.
    data_dir: Option<std::path::PathBuf>,
    ticks: Option<JoinHandle<()>>,
    /// Each configured room's liveness (the default where none is given).
    room_liveness: Vec<std::time::Duration>,
    /// The local message store: what the chat link brings is written to it; pages are read
    /// from it while the link is down.
    store: Option<crate::store::writer::StoreWriter>,
    /// What draws pictures (chosen at start, crate::graphics).
    graphics: crate::graphics::Graphics,
    /// Its encoder, made once: making one asks the environment (and, inside tmux, runs
    /// `tmux set -p allow-passthrough on`), which is not for every picture.
    picker: Option<ratatui_image::picker::Picker>,
    /// Inside tmux, the pane's passthrough as it was before the encoder turned it on; put
    /// back when the effects end.
    passthrough: Option<crate::graphics::TmuxPassthrough>,
    /// Pictures are decoded one at a time (a decode may take tens of MB for a moment): the
    /// memory they take at once is one picture's, however fast they are asked for.
    decoding: std::sync::Arc<tokio::sync::Semaphore>,
    /// How many times the picture view asked: a making whose turn comes after a newer ask is
    /// dropped (the view waits for the newest only).
    picture_asks: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The live camera view's feed, while the view is open.
    live: Option<live::LiveTask>,
    /// Each room's broadcast switches, sent one after another in the order asked (and waited
    /// for by `settle` at exit).
    broadcasts: std::collections::HashMap<usize, live::Switches>,
}

impl Effects {
    /// `rooms` are the targets of the configured rooms, by index; `tx` feeds the event loop.
    pub fn new(rooms: Vec<RoomTarget>, tx: mpsc::Sender<Msg>) -> Effects {
        Effects {
            links: rooms.iter().map(|_| None).collect(),
            rooms,
            tx,
            active: None,
            chat: None,
            outbox_path: None,
            drafts_path: None,
            data_dir: None,
            ticks: None,
            room_liveness: Vec::new(),
            store: None,
            graphics: crate::graphics::Graphics::default(),
            picker: None,
            passthrough: None,
            decoding: std::sync::Arc::new(tokio::sync::Semaphore::new(1)),
            picture_asks: std::sync::Arc::default(),
            live: None,
            broadcasts: std::collections::HashMap::new(),
        }
    }

    /// The store the chat link's events, lists and pages are written to.
    pub fn set_store(&mut self, store: Option<crate::store::writer::StoreWriter>) {
        self.store = store;
    }

    /// The chat link's handle, or None after reporting `fail` (the link is not there).
    fn chat_or(&self, fail: Msg) -> Option<crate::chat::ChatHandle> {
        match &self.chat {
            Some((h, _)) => Some(h.clone()),
            None => {
                let _ = self.tx.try_send(fail);
                None
            }
        }
    }

    /// Where the explorer's history and scripts are written (None: not written).
    pub fn set_data_dir(&mut self, dir: Option<std::path::PathBuf>) {
        self.data_dir = dir;
    }

    /// How long each room (by index) may be silent before its link counts it gone.
    pub fn set_room_liveness(&mut self, liveness: Vec<std::time::Duration>) {
        self.room_liveness = liveness;
    }

    /// Where `Cmd::SaveOutbox` writes.
    pub fn set_outbox_path(&mut self, path: Option<std::path::PathBuf>) {
        self.outbox_path = path;
    }

    /// Where `Cmd::SaveDrafts` writes.
    pub fn set_drafts_path(&mut self, path: Option<std::path::PathBuf>) {
        self.drafts_path = path;
    }

    /// Connects the chat link; its events come back as [`Msg::Chat`]. A target that cannot
    /// be used (a bad `ca_file`) shows as a link that is down, with the reason.
    pub fn connect_chat(
        &mut self,
        target: crate::chat::ChatTarget,
        opts: crate::chat::ChatLinkOptions,
    ) {
        if let Some((_, forward)) = self.chat.take() {
            forward.abort();
        }
        let tx = self.tx.clone();
        match start_chat(target, opts, self.store.clone(), tx.clone()) {
            Ok(chat) => self.chat = Some(chat),
            Err(reason) => {
                let _ = tx.try_send(Msg::Chat(crate::chat::ChatLinkEvent::Status(
                    crate::link::LinkStatus::Disconnected {
                        reason: reason.to_string(),
                    },
                )));
            }
        }
    }

    /// Carries out the link commands; returns false for the ones the event loop handles.
    pub fn run(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::SelectRoom(i) => self.active = Some(i),
            Cmd::RoomRequest {
                room,
                method,
                params,
            } => self.room_request(room, method, params),
            Cmd::CallHistory(room) => self.call_history(room),
            Cmd::LoadChats => {
                let Some((h, _)) = &self.chat else { return };
                let (h, tx, store) = (h.clone(), self.tx.clone(), self.store.clone());
                tokio::spawn(async move {
                    let r = crate::chat::catchup::all_chats(&h)
                        .await
                        .map_err(AppError::from);
                    if let (Some(s), Ok(list)) = (&store, &r) {
                        s.write(crate::store::Write::Chats(list.clone()));
                    }
                    let _ = tx.send(Msg::ChatsLoaded(r)).await;
                });
            }
            Cmd::SearchStore { seq, query } => self.search_store(seq, query),
            Cmd::StoreWrite(w) => {
                if let Some(s) = &self.store {
                    s.write(*w);
                }
            }
            Cmd::Backfill { chat_id } => self.backfill(chat_id),
            Cmd::LoadAround {
                chat_id,
                message_id,
            } => self.load_around(chat_id, message_id),
            Cmd::LoadHistory { chat_id, before } => {
                let Some((h, _)) = &self.chat else { return };
                let (h, tx, store) = (h.clone(), self.tx.clone(), self.store.clone());
                if let Some(s) = store.clone().filter(|_| !h.status().is_up()) {
                    // Offline: the store's copy, marked as such.
                    self.stored_page(s, chat_id, before);
                    return;
                }
                tokio::spawn(async move {
                    let r = store::server_page(&h, store.as_ref(), &chat_id, before.clone()).await;
                    let _ = tx
                        .send(Msg::HistoryLoaded {
                            chat_id,
                            before,
                            result: r,
                        })
                        .await;
                });
            }
            Cmd::LoadNewer {
                chat_id,
                after,
                source,
            } => match source {
                super::NewerSource::Store => self.stored_newer(chat_id, after),
                super::NewerSource::Server(from) => {
                    let Some((h, _)) = &self.chat else { return };
                    let (h, tx, store) = (h.clone(), self.tx.clone(), self.store.clone());
                    tokio::spawn(async move {
                        let r = store::server_page(&h, store.as_ref(), &chat_id, from).await;
                        let _ = tx
                            .send(Msg::NewerLoaded {
                                chat_id,
                                after,
                                stored: false,
                                result: r,
                            })
                            .await;
                    });
                }
            },
            Cmd::SendChat(o) => {
                let tx = self.tx.clone();
                let Some((h, _)) = &self.chat else {
                    let _ = tx.try_send(Msg::ChatSent {
                        local_id: o.local_id,
                        outcome: super::SendOutcome::NotSent,
                    });
                    return;
                };
                let h = h.clone();
                let store = self.store.clone();
                tokio::spawn(async move {
                    let content = crate::chat::methods::text_content(&o.text, &o.parse_mode);
                    let r = match &o.edit_of {
                        Some(id) => h
                            .edit_message(crate::chat::methods::EditMessage {
                                message_id: id.clone(),
                                content,
                            })
                            .await
                            .map(|_| {
                                // The server tells everyone else of the edit, not us: the
                                // store takes it from here, as a push would have said it.
                                if let Some(s) = &store {
                                    s.write(crate::store::Write::Edited {
                                        chat_id: o.chat_id.clone(),
                                        message_id: id.clone(),
                                        text: o.text.clone(),
                                        parse_mode: o.parse_mode.clone(),
                                    });
                                }
                                None
                            }),
                        None => h
                            .send_message(crate::chat::methods::SendMessage {
                                chat_id: o.chat_id.clone(),
                                reply_message_id: o.reply_to.clone(),
                                content,
                            })
                            .await
                            .map(|p| p.message_id),
                    };
                    let _ = tx
                        .send(Msg::ChatSent {
                            local_id: o.local_id,
                            outcome: send_outcome(r),
                        })
                        .await;
                });
            }
            Cmd::CheckSent { item, claimed } => {
                let tx = self.tx.clone();
                let Some((h, _)) = &self.chat else {
                    let _ = tx.try_send(Msg::Checked {
                        local_id: item.local_id,
                        found: super::Checked::Unknown("no chat link".into()),
                    });
                    return;
                };
                let h = h.clone();
                tokio::spawn(async move {
                    let probe = crate::chat::delivery::Probe {
                        chat_id: &item.chat_id,
                        text: &item.text,
                        reply_to: item.reply_to.as_deref(),
                        since_ms: item.created_ms,
                        claimed: &claimed,
                        after_ms: item.after_ms,
                    };
                    let found = check_outcome(crate::chat::delivery::reconcile(&h, &probe).await);
                    let _ = tx
                        .send(Msg::Checked {
                            local_id: item.local_id,
                            found,
                        })
                        .await;
                });
            }
            Cmd::SaveOutbox(file) => {
                if let Some(p) = &self.outbox_path {
                    let result = super::OutboxFile::save(p, &file).map_err(|e| {
                        tracing::error!("cannot save the outbox to {}: {e}", p.display());
                        format!("Cannot save the outbox to {}: {e}", p.display())
                    });
                    let _ = self.tx.try_send(Msg::OutboxSaved(result));
                }
            }
            Cmd::ResolveNames(ids) => {
                let Some((h, _)) = &self.chat else { return };
                let (h, tx, store) = (h.clone(), self.tx.clone(), self.store.clone());
                tokio::spawn(async move {
                    for id in ids {
                        let r = h
                            .get_user_display_name(crate::chat::methods::GetUserDisplayName {
                                user_id: id.clone(),
                            })
                            .await;
                        if let (Some(s), Ok(n)) = (&store, &r) {
                            s.write(crate::store::Write::Name {
                                user_id: id.clone(),
                                name: n.display_name.clone(),
                            });
                        }
                        if let Ok(n) = r
                            && tx
                                .send(Msg::Name {
                                    id,
                                    name: n.display_name,
                                })
                                .await
                                .is_err()
                        {
                            break;
                        }
                    }
                });
            }
            Cmd::LiveFeed(feed) => self.live_feed(feed),
            Cmd::Broadcast { room, fps } => self.broadcast(room, fps),
            Cmd::Ticks(on) => {
                if let Some(t) = self.ticks.take() {
                    t.abort();
                }
                if on {
                    let tx = self.tx.clone();
                    self.ticks = Some(tokio::spawn(async move {
                        let mut i = tokio::time::interval(std::time::Duration::from_secs(1));
                        i.tick().await;
                        loop {
                            i.tick().await;
                            if tx.send(Msg::Tick).await.is_err() {
                                break;
                            }
                        }
                    }));
                }
            }
            Cmd::Download {
                id,
                file_id,
                dir,
                name,
            } => self.download(id, file_id, dir, name),
            Cmd::FollowUpload { file_id } => self.follow_upload(file_id),
            Cmd::Upload {
                id,
                chat_id,
                path,
                reply_to,
            } => self.upload(id, chat_id, path, reply_to),
            Cmd::Chat(op) => {
                let tx = self.tx.clone();
                let Some(h) = self.chat_or(Msg::ChatDone {
                    op: op.clone(),
                    result: Err(AppError::ChatOffline),
                }) else {
                    return;
                };
                let store = self.store.clone();
                tokio::spawn(async move {
                    let result = chat_op(&h, &op).await.map_err(AppError::from);
                    // Our own deletion is not pushed back to us: the store hears it here
                    // (also one "for me": it is gone from what this account sees).
                    if let (
                        Ok(_),
                        Some(s),
                        super::ChatOp::Delete {
                            chat_id,
                            message_id,
                            ..
                        },
                    ) = (&result, &store, &op)
                    {
                        s.write(crate::store::Write::Removed {
                            chat_id: chat_id.clone(),
                            message_id: message_id.clone(),
                        });
                    }
                    let _ = tx.send(Msg::ChatDone { op, result }).await;
                });
            }
            Cmd::ExplorerSend {
                id,
                api,
                method,
                params,
            } => {
                let tx = self.tx.clone();
                let room = self
                    .active
                    .and_then(|i| self.links.get(i))
                    .and_then(Option::as_ref)
                    .map(|l| l.handle.clone());
                let chat = self.chat.as_ref().map(|(h, _)| h.clone());
                tokio::spawn(async move {
                    let sent_at_ms = crate::link::now_ms();
                    let t = std::time::Instant::now();
                    let not_connected = |what: &str| crate::script::Refusal {
                        code: None,
                        text: format!("{what} is not connected"),
                        reply: serde_json::Value::Null,
                    };
                    let outcome = match (api, room, chat) {
                        (super::explorer::Api::Room, Some(h), _) => h
                            .request(&method, params)
                            .await
                            .map(|r| serde_json::Value::Object(r.body))
                            .map_err(crate::script::room_refusal),
                        (super::explorer::Api::Chat, _, Some(h)) => h
                            .request(&method, serde_json::Value::Object(params))
                            .await
                            .map_err(crate::script::chat_refusal),
                        (super::explorer::Api::Room, None, _) => Err(not_connected("the Room")),
                        (super::explorer::Api::Chat, _, None) => {
                            Err(not_connected("the chat server"))
                        }
                    };
                    let _ = tx
                        .send(Msg::ExplorerReply {
                            id,
                            sent_at_ms,
                            rtt_ms: t.elapsed().as_millis() as u64,
                            outcome,
                        })
                        .await;
                });
            }
            Cmd::SaveExplorerHistory(sent) => {
                if let Some(d) = &self.data_dir {
                    let p = d.join("explorer-history.json");
                    if let Err(e) = super::explorer::HistoryFile::save(&p, &sent) {
                        tracing::error!("cannot save the explorer history to {}: {e}", p.display());
                    }
                }
            }
            Cmd::SaveScript { api, lines } => {
                let result = match &self.data_dir {
                    None => Err(AppError::NoDataDir),
                    Some(d) => save_script(&d.join("scripts"), api, &lines),
                };
                let _ = self.tx.try_send(Msg::ScriptSaved(result));
            }
            Cmd::SaveDrafts(drafts) => {
                if let Some(p) = &self.drafts_path
                    && let Err(e) = super::DraftsFile::save(p, &drafts)
                {
                    tracing::error!("cannot save the drafts to {}: {e}", p.display());
                }
            }
            Cmd::Preview { file_id } => self.preview(file_id),
            Cmd::ShowPicture {
                file_id,
                cols,
                rows,
            } => self.show_picture(file_id, cols, rows),
            Cmd::OpenFile(path) => files::open_file(path, self.tx.clone()),
            Cmd::Quit | Cmd::Bell | Cmd::Suspend | Cmd::Terminal(_) | Cmd::Repaint => {}
        }
    }
}

/// Writes a script of `api` requests to a new file named by the local time.
fn save_script(
    dir: &std::path::Path,
    api: super::explorer::Api,
    lines: &[String],
) -> Result<std::path::PathBuf, AppError> {
    crate::dirs::create_private(dir).map_err(|e| AppError::file("cannot create", dir, e))?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let name = api.link();
    let path = (0..100)
        .map(|n| {
            let suffix = if n == 0 {
                String::new()
            } else {
                format!("-{n}")
            };
            dir.join(format!("{name}-{stamp}{suffix}.tcs"))
        })
        .find(|p| !p.exists())
        .ok_or_else(|| AppError::NoFreeName {
            name: format!("{name}-{stamp}.tcs"),
            dir: dir.to_path_buf(),
        })?;
    let mut text = format!(
        "# Saved by the trueconf-console explorer: {} requests, one per line.\n\
         # Replay with `trueconf-console {name} run {}`.\n",
        api.title(),
        path.display()
    );
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    crate::dirs::write_private(&path, &text)
        .map_err(|e| AppError::file("cannot write", &path, e))?;
    Ok(path)
}

/// Carries out a chat request; a create returns the new chat's id.
async fn chat_op(
    h: &crate::chat::ChatHandle,
    op: &super::ChatOp,
) -> Result<Option<String>, crate::chat::ChatError> {
    use super::{ChatOp, NewChatKind};
    use crate::chat::methods as M;
    Ok(match op.clone() {
        ChatOp::Delete {
            message_id,
            for_all,
            ..
        } => {
            h.remove_message(M::RemoveMessage {
                message_id,
                for_all,
            })
            .await?;
            None
        }
        ChatOp::Forward {
            message_id,
            to_chat,
        } => {
            h.forward_message(M::ForwardMessage {
                chat_id: to_chat,
                message_id,
            })
            .await?;
            None
        }
        ChatOp::Create { kind, arg } => Some(
            match kind {
                NewChatKind::P2p => h.create_p2p_chat(M::CreateP2pChat { user_id: arg }).await?,
                NewChatKind::Group => {
                    h.create_group_chat(M::CreateGroupChat { title: arg })
                        .await?
                }
                NewChatKind::Channel => h.create_channel(M::CreateChannel { title: arg }).await?,
            }
            .chat_id,
        ),
    })
}

/// Every chat, page by page (`getChats` pages count from 1).
impl Drop for Effects {
    fn drop(&mut self) {
        self.links.clear();
        if let Some((_, forward)) = self.chat.take() {
            forward.abort();
        }
        if let Some(t) = self.ticks.take() {
            t.abort();
        }
    }
}

/// How a send ended, read from the request's result: only a request that never left is "not
/// sent"; one that left and got no readable answer is unknown (it may have been posted).
fn send_outcome(r: Result<Option<String>, crate::chat::ChatError>) -> super::SendOutcome {
    use super::SendOutcome;
    use crate::chat::ChatError as E;
    match r {
        Ok(message_id) => SendOutcome::Sent { message_id },
        Err(E::LinkDown { .. }) => SendOutcome::NotSent,
        Err(e @ (E::Dropped(_) | E::Timeout { .. } | E::Stopped | E::BadReply { .. })) => {
            SendOutcome::Unknown(e.to_string())
        }
        Err(e @ (E::Server { .. } | E::Params(_) | E::Local(_) | E::Http(_))) => {
            SendOutcome::Refused(e.to_string())
        }
    }
}

/// What a check found, read from its result: a question that got no answer is asked again
/// later; one the server refused waits for the user.
fn check_outcome(
    r: Result<Option<crate::chat::types::Envelope>, crate::chat::ChatError>,
) -> super::Checked {
    use super::Checked;
    use crate::chat::ChatError as E;
    match r {
        Ok(Some(e)) => Checked::Arrived {
            message_id: e.message_id,
        },
        Ok(None) => Checked::Absent,
        Err(e @ (E::LinkDown { .. } | E::Dropped(_) | E::Timeout { .. } | E::Stopped)) => {
            Checked::Unknown(e.to_string())
        }
        Err(e) => Checked::CannotCheck(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use crate::app::Msg;
    use crate::chat::ChatLinkEvent;

    /// A burst through `forward_chat` into a loop channel far smaller than it, read slowly:
    /// every event arrives once, in the order sent, some of them together.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn forwarded_bursts_keep_every_event_once_and_in_order() {
        let (link_tx, link_rx) = tokio::sync::mpsc::unbounded_channel();
        let (tx, mut rx) = tokio::sync::mpsc::channel(4);
        let n = 5_000u64;
        for i in 0..n {
            link_tx
                .send(ChatLinkEvent::Frame {
                    outgoing: i % 2 == 0,
                    text: i.to_string(),
                    at_ms: i,
                })
                .unwrap();
        }
        drop(link_tx);
        // As the link counts what it sends: the forwarder counts off what the loop got.
        let backlog = std::sync::Arc::new(crate::backlog::Backlog::new(1_000));
        backlog.sent(n as usize);
        let forward = tokio::spawn(super::forward_chat(
            link_rx,
            Some(backlog.clone()),
            None,
            tx,
        ));
        let (mut seen, mut bursts) = (Vec::new(), 0);
        while let Some(msg) = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
            .await
            .expect("the forwarder went quiet")
        {
            let evs = match msg {
                Msg::Chat(e) => vec![e],
                Msg::Chats(es) => {
                    assert!(es.len() > 1 && es.len() <= super::FORWARD_BATCH);
                    bursts += 1;
                    es
                }
                other => panic!("not from the chat link: {other:?}"),
            };
            for e in evs {
                let ChatLinkEvent::Frame { at_ms, .. } = e else {
                    panic!("not a frame: {e:?}");
                };
                seen.push(at_ms);
            }
        }
        forward.await.unwrap();
        assert_eq!(seen, (0..n).collect::<Vec<_>>());
        assert!(bursts > 0, "what piled up went together");
        assert_eq!(backlog.queued(), 0);
    }
}
