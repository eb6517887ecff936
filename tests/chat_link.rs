//! The real chat client against the chat simulator over loopback sockets: every method, every
//! server request, the error cases, reconnect, and files.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_tungstenite::tungstenite::Message;
use trueconf_console::chat::auth::TokenCache;
use trueconf_console::chat::events::{ChatEvent, Created};
use trueconf_console::chat::methods::*;
use trueconf_console::chat::types::{ChatType, Content, ReadyState, Role};
use trueconf_console::chat::{
    self, ChatError, ChatHandle, ChatLinkEvent, ChatLinkOptions, ChatTarget,
};
use trueconf_console::config::Secret;
use trueconf_console::link::{Backoff, LinkStatus};
use trueconf_console::sim::{ChatSim, ChatSimConfig, World};

const WAIT: Duration = Duration::from_secs(10);

async fn sim_with(f: impl FnOnce(&mut ChatSimConfig)) -> ChatSim {
    trueconf_console::tls::init();
    let mut cfg = ChatSimConfig::new(Arc::new(World::demo()));
    cfg.reply_after = Duration::from_millis(20);
    cfg.file_ready_after = Duration::from_millis(200);
    f(&mut cfg);
    ChatSim::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

async fn sim() -> ChatSim {
    sim_with(|_| {}).await
}

fn opts() -> ChatLinkOptions {
    ChatLinkOptions {
        backoff: Backoff {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(200),
            max_retries: None,
        },
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(3),
        frames: true,
        ..ChatLinkOptions::default()
    }
}

struct Client {
    h: ChatHandle,
    rx: UnboundedReceiver<ChatLinkEvent>,
}

impl Client {
    /// Waits for an event `f` picks, skipping others, up to WAIT.
    async fn event<T>(&mut self, what: &str, mut f: impl FnMut(&ChatLinkEvent) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(e)) => {
                    if let Some(t) = f(&e) {
                        return t;
                    }
                }
                Ok(None) => panic!("the link stopped while waiting for {what}"),
                Err(_) => panic!("no {what} within {WAIT:?}"),
            }
        }
    }

    async fn push(&mut self, what: &str, mut f: impl FnMut(&ChatEvent) -> bool) -> ChatEvent {
        self.event(what, |e| match e {
            ChatLinkEvent::Event(ev) if f(ev) => Some(ev.clone()),
            _ => None,
        })
        .await
    }
}

async fn login(sim: &ChatSim, user: &str) -> Client {
    login_with(ChatTarget::loopback(sim.port(), user, user), opts()).await
}

async fn login_with(target: ChatTarget, opts: ChatLinkOptions) -> Client {
    let (h, rx) = chat::spawn(target, opts).unwrap();
    h.wait_status(WAIT, LinkStatus::is_up)
        .await
        .unwrap_or_else(|s| panic!("not authorised: {s:?}"));
    Client { h, rx }
}

fn text(t: &str) -> Value {
    text_content(t, "text")
}

fn code(r: Result<impl std::fmt::Debug, ChatError>) -> u32 {
    match r {
        Err(e) => e
            .code()
            .unwrap_or_else(|| panic!("not a server error: {e}")),
        Ok(v) => panic!("succeeded: {v:?}"),
    }
}

#[tokio::test]
async fn login_session_and_the_pushed_limits() {
    let sim = sim().await;
    let mut op = login(&sim, "operator").await;
    let s = op.h.session().unwrap();
    assert_eq!(s.me, "operator@video.example.com");
    assert!(s.user_id.starts_with("operator@video.example.com/"));
    assert!(s.connection_id.is_some());
    // The server pushes the limits after auth; the client keeps them.
    op.push("the limits push", |e| matches!(e, ChatEvent::Limits(_)))
        .await;
    assert_eq!(op.h.limits().unwrap().max_size, Some(256 * 1024 * 1024));
    let l =
        op.h.get_file_upload_limits(GetFileUploadLimits {})
            .await
            .unwrap();
    assert_eq!(l.mode, None);
    // Login forms: login@server and DOMAIN\login.
    login_with(
        ChatTarget::loopback(sim.port(), "alice@video.example.com", "alice"),
        opts(),
    )
    .await;
    let t = ChatTarget::loopback(sim.port(), "CORP\\bob", "bob");
    login_with(t, opts()).await;
}

#[tokio::test]
async fn chats_history_and_participants_of_the_demo_world() {
    let sim = sim().await;
    let op = login(&sim, "operator").await;
    let chats =
        op.h.get_chats(GetChats {
            count: 100,
            page: 1,
        })
        .await
        .unwrap()
        .0;
    let kinds: Vec<ChatType> = chats.iter().map(|c| c.chat_type).collect();
    for k in [
        ChatType::P2p,
        ChatType::Group,
        ChatType::Channel,
        ChatType::Favorites,
    ] {
        assert!(kinds.contains(&k), "{k:?} in {kinds:?}");
    }
    let project = chats
        .iter()
        .find(|c| c.title.as_deref() == Some("Project"))
        .unwrap();
    assert_eq!(project.unread, 3);
    assert!(project.last_message.is_some());
    let p2p = chats.iter().find(|c| c.chat_type == ChatType::P2p).unwrap();
    assert_eq!(p2p.title.as_deref(), Some("alice@video.example.com"));
    // Paging: page 2 of size 2 holds the rest.
    let p1 =
        op.h.get_chats(GetChats { count: 2, page: 1 })
            .await
            .unwrap()
            .0;
    let p2 =
        op.h.get_chats(GetChats { count: 2, page: 2 })
            .await
            .unwrap()
            .0;
    assert_eq!(p1.len() + p2.len(), chats.len().min(4));
    assert!(p1.iter().all(|a| p2.iter().all(|b| a.chat_id != b.chat_id)));
    let one =
        op.h.get_chat_by_id(GetChatById {
            chat_id: project.chat_id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(one.title.as_deref(), Some("Project"));

    // History: newest first, pages backwards without overlap, every kind of message.
    let h1 =
        op.h.get_chat_history(GetChatHistory {
            chat_id: project.chat_id.clone(),
            count: 50,
            from_message_id: None,
        })
        .await
        .unwrap();
    assert_eq!(h1.messages.len(), 50);
    assert!(h1.messages.windows(2).all(|w| w[0].box_pos > w[1].box_pos));
    let h2 =
        op.h.get_chat_history(GetChatHistory {
            chat_id: project.chat_id.clone(),
            count: 400,
            from_message_id: Some(h1.messages.last().unwrap().message_id.clone()),
        })
        .await
        .unwrap();
    assert!(h2.messages[0].box_pos < h1.messages.last().unwrap().box_pos);
    let all: Vec<_> = h1.messages.iter().chain(&h2.messages).collect();
    let has =
        |f: &dyn Fn(&trueconf_console::chat::types::Envelope) -> bool| all.iter().any(|e| f(e));
    assert!(has(
        &|e| matches!(&e.content, Content::Text { parse_mode, .. } if parse_mode == "markdown")
    ));
    assert!(has(
        &|e| matches!(&e.content, Content::Text { parse_mode, .. } if parse_mode == "html")
    ));
    assert!(has(&|e| e.reply_message.is_some()));
    assert!(has(&|e| e.is_edited));
    assert!(has(&|e| matches!(e.content, Content::Forward(_))));
    assert!(has(&|e| matches!(e.content, Content::Attachment { .. })));
    assert!(has(&|e| matches!(e.content, Content::Survey { .. })));
    assert!(has(&|e| e.is_system()));
    assert!(all.iter().all(|e| {
        e.chat
            .as_ref()
            .is_some_and(|c| c.chat_id == project.chat_id)
    }));
    // Reading the history clears the unread count.
    let again =
        op.h.get_chat_by_id(GetChatById {
            chat_id: project.chat_id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(again.unread, 0);
    let first = &h1.messages[0];
    let same =
        op.h.get_message_by_id(GetMessageById {
            message_id: first.message_id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(same.message_id, first.message_id);
    assert_eq!(same.box_pos, first.box_pos);

    // Participants and names.
    let ps =
        op.h.get_chat_participants(GetChatParticipants {
            chat_id: project.chat_id.clone(),
            page_size: 100,
            page_number: 1,
        })
        .await
        .unwrap()
        .0;
    assert_eq!(ps.len(), 4);
    assert_eq!(ps[0].role, Some(Role::Owner));
    // Pages count from 1; 0 is the first page too (docs/chat-protocol.md, Choices C12).
    let page = |n| {
        op.h.get_chat_participants(GetChatParticipants {
            chat_id: project.chat_id.clone(),
            page_size: 3,
            page_number: n,
        })
    };
    let (p0, p1, p2, p3) = (
        page(0).await.unwrap().0,
        page(1).await.unwrap().0,
        page(2).await.unwrap().0,
        page(3).await.unwrap().0,
    );
    assert_eq!(p1.len(), 3, "page 1 is the first");
    assert_eq!(p0, p1, "page 0 is the first too");
    assert_eq!(p2.len(), 1, "page 2 is the rest");
    assert_eq!(p2[0].user_id, ps[3].user_id);
    assert!(p3.is_empty());
    let alice =
        op.h.get_chat_participant(GetChatParticipant {
            chat_id: project.chat_id.clone(),
            user_id: "alice@video.example.com".into(),
        })
        .await
        .unwrap();
    assert_eq!((alice.role, alice.kind), (Some(Role::User), Some(1)));
    assert!(
        op.h.has_chat_participant(HasChatParticipant {
            chat_id: project.chat_id.clone(),
            user_id: "bob".into()
        })
        .await
        .unwrap()
        .result
    );
    assert!(
        !op.h
            .has_chat_participant(HasChatParticipant {
                chat_id: project.chat_id.clone(),
                user_id: "carol".into()
            })
            .await
            .unwrap()
            .result
    );
    let name =
        op.h.get_user_display_name(GetUserDisplayName {
            user_id: "alice".into(),
        })
        .await
        .unwrap();
    assert_eq!(name.display_name, "Alice Johnson");
}

#[tokio::test]
async fn messages_reach_the_other_side_and_alice_answers() {
    let sim = sim().await;
    let op = login(&sim, "operator").await;
    let mut bob = login(&sim, "bob").await;
    let p2p =
        op.h.create_p2p_chat(CreateP2pChat {
            user_id: "bob@video.example.com".into(),
        })
        .await
        .unwrap()
        .chat_id;
    // Idempotent.
    assert_eq!(
        op.h.create_p2p_chat(CreateP2pChat {
            user_id: "bob".into()
        })
        .await
        .unwrap()
        .chat_id,
        p2p
    );
    bob.push("createP2PChat", |e| matches!(e, ChatEvent::ChatCreated { how: Created::P2p, chat } if chat.chat_id == p2p && chat.title.as_deref() == Some("operator@video.example.com"))).await;

    let sent =
        op.h.send_message(SendMessage {
            chat_id: p2p.clone(),
            reply_message_id: None,
            content: text("hello bob"),
        })
        .await
        .unwrap();
    let mid = sent.message_id.clone().unwrap();
    let got = bob
        .push(
            "the message",
            |e| matches!(e, ChatEvent::Message(m) if m.message_id == mid),
        )
        .await;
    let ChatEvent::Message(env) = got else {
        unreachable!()
    };
    assert_eq!(env.author.id, "operator@video.example.com");
    assert_eq!(env.chat.as_ref().unwrap().chat_type, ChatType::P2p);

    // Reply with markdown; the reply carries the replied-to message.
    let r = bob
        .h
        .send_message(SendMessage {
            chat_id: p2p.clone(),
            reply_message_id: Some(mid.clone()),
            content: text_content("**hi**", "markdown"),
        })
        .await
        .unwrap();
    let m =
        op.h.get_message_by_id(GetMessageById {
            message_id: r.message_id.unwrap(),
        })
        .await
        .unwrap();
    assert_eq!(m.reply_message.unwrap().message_id, mid);

    // Edit: only the author; the other side hears of it.
    op.h.edit_message(EditMessage {
        message_id: mid.clone(),
        content: text("hello, bob"),
    })
    .await
    .unwrap();
    bob.push("editMessage", |e| matches!(e, ChatEvent::Edited { message_id: Some(m), text, chat_id, .. } if *m == mid && text == "hello, bob" && *chat_id == p2p)).await;
    assert_eq!(
        code(
            bob.h
                .edit_message(EditMessage {
                    message_id: mid.clone(),
                    content: text("x")
                })
                .await
        ),
        303
    );
    assert!(
        op.h.get_message_by_id(GetMessageById {
            message_id: mid.clone()
        })
        .await
        .unwrap()
        .is_edited
    );

    // Forward into Project.
    let project = sim.chat_id("Project").unwrap();
    let f =
        op.h.forward_message(ForwardMessage {
            chat_id: project.clone(),
            message_id: mid.clone(),
        })
        .await
        .unwrap();
    let fm =
        op.h.get_message_by_id(GetMessageById {
            message_id: f.message_id.unwrap(),
        })
        .await
        .unwrap();
    match fm.content {
        Content::Forward(orig) => assert_eq!(orig.message_id, mid),
        other => panic!("{other:?}"),
    }

    // Delete for all: the other side hears; then it is gone.
    op.h.remove_message(RemoveMessage {
        message_id: mid.clone(),
        for_all: true,
    })
    .await
    .unwrap();
    bob.push("removeMessage", |e| matches!(e, ChatEvent::Removed { message_id, by: Some(a), .. } if *message_id == mid && a.id == "operator@video.example.com")).await;
    assert_eq!(
        code(
            bob.h
                .get_message_by_id(GetMessageById {
                    message_id: mid.clone()
                })
                .await
        ),
        306
    );

    // Alice answers whatever she is sent, as the demo world says.
    let mut op2 = login(&sim, "operator").await;
    let alice_chat = sim.chat_id("alice+operator").unwrap();
    let q =
        op.h.send_message(SendMessage {
            chat_id: alice_chat.clone(),
            reply_message_id: None,
            content: text("are you there?"),
        })
        .await
        .unwrap();
    let qid = q.message_id.unwrap();
    // The sender's other session sees its own message, then alice's answer.
    op2.push(
        "own message on the other session",
        |e| matches!(e, ChatEvent::Message(m) if m.message_id == qid),
    )
    .await;
    op2.push("alice's answer", |e| matches!(e, ChatEvent::Message(m) if m.author.id == "alice@video.example.com" && m.reply_message_id.as_deref() == Some(&qid))).await;

    // Activity and surveys.
    let a =
        op.h.send_chat_activity(SendChatActivity {
            chat_id: p2p.clone(),
            activity_type: "typing".into(),
        })
        .await
        .unwrap();
    assert!(a.retry_after_ms > 0);
    let survey = json!({"url": "https://video.example.com/webtools/survey", "appVersion": 1, "path": "c1", "title": "Lunch?",
        "description": "{{Survey}}", "buttonText": "{{Go to survey}}", "secret": "0123456789abcdef0123456789abcdef01234567",
        "alt": "📊 <a href='https://video.example.com/webtools/survey?id=c1'>Lunch?</a>"});
    let s =
        op.h.send_survey(SendSurvey {
            chat_id: project.clone(),
            reply_message_id: None,
            content: survey,
        })
        .await
        .unwrap();
    let sid = s.message_id.unwrap();
    op.h.edit_survey(EditSurvey { message_id: sid.clone(), content: json!({"path": "c1", "title": "Dinner?", "description": "{{Survey}}", "buttonText": "{{Go to survey}}", "alt": "x"}) }).await.unwrap();
    let sm =
        op.h.get_message_by_id(GetMessageById { message_id: sid })
            .await
            .unwrap();
    assert!(matches!(sm.content, Content::Survey { title, .. } if title == "Dinner?"));
}

#[tokio::test]
async fn groups_channels_roles_and_their_events() {
    let sim = sim().await;
    let op = login(&sim, "operator").await;
    let mut op2 = login(&sim, "operator").await;
    let mut alice = login(&sim, "alice").await;

    let g =
        op.h.create_group_chat(CreateGroupChat {
            title: "Lab".into(),
        })
        .await
        .unwrap()
        .chat_id;
    op2.push(
        "createGroupChat on the other session",
        |e| matches!(e, ChatEvent::ChatCreated { how: Created::Group, chat } if chat.chat_id == g),
    )
    .await;
    let ch =
        op.h.create_channel(CreateChannel {
            title: "News".into(),
        })
        .await
        .unwrap()
        .chat_id;
    op2.push("createChannel", |e| matches!(e, ChatEvent::ChatCreated { how: Created::Channel, chat } if chat.chat_id == ch && chat.chat_type == ChatType::Channel)).await;
    // operator has Favorites in the demo world: the same chat comes back.
    let fav =
        op.h.create_favorites_chat(CreateFavoritesChat {})
            .await
            .unwrap()
            .chat_id;
    assert_eq!(
        op.h.create_favorites_chat(CreateFavoritesChat {})
            .await
            .unwrap()
            .chat_id,
        fav
    );
    // alice has none: it is made, and her other session hears of it.
    let mut alice2 = login(&sim, "alice").await;
    let afav = alice
        .h
        .create_favorites_chat(CreateFavoritesChat {})
        .await
        .unwrap()
        .chat_id;
    alice2.push("createFavoritesChat", |e| matches!(e, ChatEvent::ChatCreated { how: Created::Favorites, chat } if chat.chat_id == afav && chat.chat_type == ChatType::Favorites)).await;

    op.h.add_chat_participant(AddChatParticipant {
        chat_id: g.clone(),
        user_id: "alice".into(),
        display_history: Some(true),
    })
    .await
    .unwrap();
    alice.push("addChatParticipant", |e| matches!(e, ChatEvent::ParticipantAdded { chat_id, user_id, .. } if *chat_id == g && user_id == "alice@video.example.com")).await;
    assert_eq!(
        code(
            op.h.add_chat_participant(AddChatParticipant {
                chat_id: g.clone(),
                user_id: "alice".into(),
                display_history: None
            })
            .await
        ),
        309
    );
    // A plain user may not add members.
    assert_eq!(
        code(
            alice
                .h
                .add_chat_participant(AddChatParticipant {
                    chat_id: g.clone(),
                    user_id: "bob".into(),
                    display_history: None
                })
                .await
        ),
        303
    );

    op.h.change_participant_role(ChangeParticipantRole {
        chat_id: g.clone(),
        user_id: "alice".into(),
        role: "admin".into(),
    })
    .await
    .unwrap();
    alice
        .push("changeParticipantRole", |e| {
            matches!(
                e,
                ChatEvent::RoleChanged {
                    role: Role::Admin,
                    ..
                }
            )
        })
        .await;
    assert_eq!(
        code(
            op.h.change_participant_role(ChangeParticipantRole {
                chat_id: g.clone(),
                user_id: "alice".into(),
                role: "emperor".into()
            })
            .await
        ),
        312
    );
    // Now an admin, alice may add bob.
    alice
        .h
        .add_chat_participant(AddChatParticipant {
            chat_id: g.clone(),
            user_id: "bob".into(),
            display_history: None,
        })
        .await
        .unwrap();

    op.h.edit_chat_title(EditChatTitle {
        chat_id: g.clone(),
        title: "Lab 2".into(),
    })
    .await
    .unwrap();
    alice
        .push(
            "editChatTitle",
            |e| matches!(e, ChatEvent::TitleChanged { title, .. } if title == "Lab 2"),
        )
        .await;

    // Avatar: upload an image, then set it.
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("icon.png");
    std::fs::write(&png, [0x89, b'P', b'N', b'G', 0, 1, 2, 3]).unwrap();
    let task =
        op.h.upload_file(UploadFile {
            file_size: 8,
            file_name: Some("icon.png".into()),
            mime_type: Some("image/png".into()),
        })
        .await
        .unwrap();
    let temporal = raw_upload(
        sim.port(),
        &task.upload_task_id,
        "icon.png",
        std::fs::read(&png).unwrap(),
    )
    .await;
    op.h.edit_chat_avatar(EditChatAvatar {
        chat_id: g.clone(),
        temporal_file_id: temporal,
    })
    .await
    .unwrap();
    alice
        .push("editChatAvatar", |e| {
            matches!(
                e,
                ChatEvent::AvatarChanged {
                    avatar_url: Some(_),
                    ..
                }
            )
        })
        .await;

    alice
        .h
        .send_message(SendMessage {
            chat_id: g.clone(),
            reply_message_id: None,
            content: text("one"),
        })
        .await
        .unwrap();
    op.h.clear_history(ClearHistory {
        chat_id: g.clone(),
        for_all: true,
    })
    .await
    .unwrap();
    alice
        .push("clearHistory", |e| {
            matches!(e, ChatEvent::HistoryCleared { for_all: true, .. })
        })
        .await;
    let left =
        op.h.get_chat_history(GetChatHistory {
            chat_id: g.clone(),
            count: 100,
            from_message_id: None,
        })
        .await
        .unwrap();
    assert!(
        left.messages
            .iter()
            .all(trueconf_console::chat::types::Envelope::is_system),
        "{:?}",
        left.messages
    );

    op.h.remove_chat_participant(RemoveChatParticipant {
        chat_id: g.clone(),
        user_id: "bob".into(),
        clear_history: Some(false),
    })
    .await
    .unwrap();
    alice.push("removeChatParticipant", |e| matches!(e, ChatEvent::ParticipantRemoved { user_id, .. } if user_id == "bob@video.example.com")).await;
    assert_eq!(
        code(
            op.h.get_chat_participant(GetChatParticipant {
                chat_id: g.clone(),
                user_id: "bob".into()
            })
            .await
        ),
        305
    );

    // In the demo channel, operator is a writer: may post, may not rename it.
    let ann = sim.chat_id("Announcements").unwrap();
    op.h.send_message(SendMessage {
        chat_id: ann.clone(),
        reply_message_id: None,
        content: text("news"),
    })
    .await
    .unwrap();
    assert_eq!(
        code(
            op.h.edit_chat_title(EditChatTitle {
                chat_id: ann.clone(),
                title: "x".into()
            })
            .await
        ),
        303
    );
    // alice is a plain user there: may not post.
    assert_eq!(
        code(
            alice
                .h
                .send_message(SendMessage {
                    chat_id: ann,
                    reply_message_id: None,
                    content: text("hi")
                })
                .await
        ),
        303
    );

    op.h.remove_chat(RemoveChat { chat_id: g.clone() })
        .await
        .unwrap();
    alice
        .push(
            "removeChat",
            |e| matches!(e, ChatEvent::ChatRemoved { chat_id } if *chat_id == g),
        )
        .await;
    assert_eq!(
        code(op.h.get_chat_by_id(GetChatById { chat_id: g }).await),
        304
    );

    // Chats other users create with us in them arrive as create* pushes.
    let mut bob = login(&sim, "bob").await;
    let made = sim
        .create_chat_as("dave", 2, "Dave's group", &["bob"])
        .unwrap();
    bob.push("createGroupChat from dave", |e| matches!(e, ChatEvent::ChatCreated { how: Created::Group, chat } if chat.chat_id == made)).await;
    let _ = fav;
}

/// The HTTP upload step on its own (for editChatAvatar).
async fn raw_upload(port: u16, task: &str, name: &str, bytes: Vec<u8>) -> String {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let r = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!(
            "http://127.0.0.1:{port}/bridge/api/client/v1/files"
        ))
        .header("Upload-Task-Id", task)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    r.json::<Value>().await.unwrap()["temporalFileId"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_five_mib_file_goes_up_and_comes_down_byte_identical() {
    let sim = sim().await;
    let mut op = login(&sim, "operator").await;
    let alice = login(&sim, "alice").await;
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("big.bin");
    let data: Vec<u8> = (0..5 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&src, &data).unwrap();
    let chat = sim.chat_id("alice+operator").unwrap();
    let posted =
        op.h.send_file_from_path(&chat, &src, Some(("the dump".into(), "text".into())), None)
            .await
            .unwrap();
    assert!(posted.caption_message_id.is_some());
    let fid = posted.file_id.unwrap();
    // Upload progress reached the whole size.
    op.event("upload progress to the end", |e| match e {
        ChatLinkEvent::Transfer(t)
            if t.upload && t.done == t.total && t.total == data.len() as u64 =>
        {
            Some(())
        }
        _ => None,
    })
    .await;
    let info = alice
        .h
        .get_file_info(GetFileInfo {
            file_id: fid.clone(),
        })
        .await
        .unwrap();
    assert_eq!(
        (info.size, info.ready_state, info.name.as_str()),
        (data.len() as u64, ReadyState::Ready, "big.bin")
    );
    let dest = dir.path().join("copy.bin");
    alice.h.download_to(&fid, &dest).await.unwrap();
    assert!(
        std::fs::read(&dest).unwrap() == data,
        "downloaded bytes differ"
    );
    assert!(!dir.path().join("copy.bin.part").exists());
}

/// Dave posts a 5,000-byte log to Project that stays uploading for `ms`: its file id.
fn dave_posts_log(sim: &ChatSim, ms: u64) -> String {
    let project = sim.chat_id("Project").unwrap();
    sim.post_file(
        "dave",
        &project,
        "log.txt",
        b"line\n".repeat(1000),
        Duration::from_millis(ms),
    )
    .unwrap()
}

#[tokio::test]
async fn a_file_still_uploading_is_awaited_through_progress_events() {
    let sim = sim().await;
    let op = login(&sim, "operator").await;
    let fid = dave_posts_log(&sim, 300);
    let info =
        op.h.get_file_info(GetFileInfo {
            file_id: fid.clone(),
        })
        .await
        .unwrap();
    assert_eq!(info.ready_state, ReadyState::Uploading);
    assert_eq!(info.download_url, None);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("log.txt");
    op.h.download_to(&fid, &dest).await.unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), b"line\n".repeat(1000));
    // Subscribing to a complete file yields one final event; unsubscribe answers too.
    let mut rx = op.h.watch_progress(&fid).await;
    assert!(
        op.h.subscribe_file_progress(SubscribeFileProgress {
            file_id: fid.clone()
        })
        .await
        .unwrap()
        .result
    );
    let p = tokio::time::timeout(WAIT, rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p, 5000);
    assert!(
        op.h.unsubscribe_file_progress(UnsubscribeFileProgress {
            file_id: fid.clone()
        })
        .await
        .unwrap()
        .result
    );
    assert_eq!(
        code(
            op.h.get_file_info(GetFileInfo {
                file_id: "nope".into()
            })
            .await
        ),
        308
    );
}

#[tokio::test]
async fn upload_limits_are_checked_before_sending_and_enforced_by_the_server() {
    let sim = sim_with(|c| {
        c.max_file_size = Some(100);
        c.extensions = Some(("block".into(), vec!["exe".into()]));
    })
    .await;
    let op = login(&sim, "operator").await;
    let chat = sim.chat_id("alice+operator").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    std::fs::write(&big, vec![b'x'; 101]).unwrap();
    let e =
        op.h.send_file_from_path(&chat, &big, None, None)
            .await
            .unwrap_err();
    assert!(
        matches!(e, ChatError::Local(ref m) if m.contains("up to")),
        "{e}"
    );
    let exe = dir.path().join("tool.exe");
    std::fs::write(&exe, b"MZ").unwrap();
    let e =
        op.h.send_file_from_path(&chat, &exe, None, None)
            .await
            .unwrap_err();
    assert!(
        matches!(e, ChatError::Local(ref m) if m.contains(".exe")),
        "{e}"
    );
    // The server refuses too, for clients that do not check.
    assert_eq!(
        code(
            op.h.upload_file(UploadFile {
                file_size: 101,
                file_name: Some("a.txt".into()),
                mime_type: None
            })
            .await
        ),
        406
    );
    assert_eq!(
        code(
            op.h.upload_file(UploadFile {
                file_size: 1,
                file_name: Some("a.exe".into()),
                mime_type: None
            })
            .await
        ),
        403
    );
    // HTTP upload errors: no task id, unknown task, wrong size.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("http://127.0.0.1:{}/bridge/api/client/v1/files", sim.port());
    let form = || {
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(b"abc".to_vec()).file_name("a.txt"),
        )
    };
    let r = http.post(&url).multipart(form()).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], 310);
    let r = http
        .post(&url)
        .header("Upload-Task-Id", "nope")
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["error"], 407);
    let task =
        op.h.upload_file(UploadFile {
            file_size: 5,
            file_name: Some("a.txt".into()),
            mime_type: None,
        })
        .await
        .unwrap();
    let r = http
        .post(&url)
        .header("Upload-Task-Id", task.upload_task_id)
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "size differs from the task's");
    // sendFile with an unknown temporal id.
    assert_eq!(
        code(
            op.h.send_file(SendFile {
                chat_id: chat,
                reply_message_id: None,
                content: json!({"temporalFileId": "nope"})
            })
            .await
        ),
        308
    );
}

#[tokio::test]
async fn errors_carry_their_code_and_name() {
    let sim = sim().await;
    let op = login(&sim, "operator").await;
    let e =
        op.h.get_chat_by_id(GetChatById {
            chat_id: "0".repeat(40),
        })
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "chat not found (304)");
    assert_eq!(
        code(
            op.h.get_message_by_id(GetMessageById {
                message_id: "nope".into()
            })
            .await
        ),
        306
    );
    let e = op.h.request("noSuchMethod", json!({})).await.unwrap_err();
    assert_eq!(e.code(), Some(307));
    // A chat operator is not in.
    let dave_only = sim.create_chat_as("dave", 2, "Secret", &["bob"]).unwrap();
    assert_eq!(
        code(
            op.h.get_chat_by_id(GetChatById { chat_id: dave_only })
                .await
        ),
        305
    );
    // Local validation: a wrong type never leaves the client.
    let e =
        op.h.request("getChats", json!({"count": "ten", "page": 1}))
            .await
            .unwrap_err();
    assert!(matches!(e, ChatError::Params(_)), "{e}");
    assert!(e.to_string().contains("`count`"), "{e}");
    // An unknown user.
    assert_eq!(
        code(
            op.h.create_p2p_chat(CreateP2pChat {
                user_id: "zed".into()
            })
            .await
        ),
        399
    );
}

#[tokio::test]
async fn a_raw_client_sees_the_protocol_enforced() {
    let sim = sim_with(|c| c.ack_timeout = Duration::from_millis(300)).await;
    let url = format!("ws://127.0.0.1:{}/websocket/chat_bot", sim.port());
    let (mut ws, resp) = tokio_tungstenite::connect_async(&url).await.unwrap();
    assert!(
        resp.headers().get("sec-websocket-protocol").is_none(),
        "no offer, no echo"
    );
    async fn next(
        ws: &mut (impl StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin),
    ) -> Value {
        loop {
            match tokio::time::timeout(WAIT, ws.next()).await.unwrap() {
                Some(Ok(Message::Text(t))) => return serde_json::from_str(&t).unwrap(),
                Some(Ok(Message::Close(f))) => {
                    return json!({"closed": f.map(|f| f.reason.to_string())});
                }
                Some(Ok(_)) => {}
                other => panic!("{other:?}"),
            }
        }
    }
    // Before auth: 200, socket kept.
    ws.send(Message::text(
        r#"{"type":1,"id":1,"method":"getChats","payload":{"count":1,"page":1}}"#,
    ))
    .await
    .unwrap();
    assert_eq!(
        next(&mut ws).await,
        json!({"type": 2, "id": 1, "payload": {"errorCode": 200}})
    );
    // A token nobody issued: 201.
    ws.send(Message::text(
        r#"{"type":1,"id":2,"method":"auth","payload":{"token":"a.b.c","tokenType":"JWT"}}"#,
    ))
    .await
    .unwrap();
    assert_eq!(next(&mut ws).await["payload"]["errorCode"], 201);
    // A real token; ids may skip.
    let token = reqwest::Client::builder().no_proxy().build().unwrap()
        .post(format!("http://127.0.0.1:{}/bridge/api/client/v1/oauth/token", sim.port()))
        .json(&json!({"client_id": "chat_bot", "grant_type": "password", "username": "bob", "password": "bob"}))
        .send().await.unwrap().json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    ws.send(Message::text(json!({"type":1,"id":10,"method":"auth","payload":{"token": token, "tokenType":"JWT","receiveUnread":false,"receiveSystemMessageEnvelopes":false}}).to_string())).await.unwrap();
    let auth = next(&mut ws).await;
    assert_eq!(auth["id"], 10);
    assert!(auth["payload"]["connectionId"].is_string());
    // The limits push follows the auth answer; ack it.
    let push = next(&mut ws).await;
    assert_eq!(
        (push["type"].as_u64(), push["method"].as_str()),
        (Some(1), Some("getFileUploadLimits"))
    );
    assert!(
        push["payload"].as_object().unwrap().contains_key("maxSize")
            && push["payload"]
                .as_object()
                .unwrap()
                .contains_key("extensions")
    );
    ws.send(Message::text(
        json!({"type": 2, "id": push["id"]}).to_string(),
    ))
    .await
    .unwrap();
    // A reused or lower id: 2, not executed.
    ws.send(Message::text(
        r#"{"type":1,"id":10,"method":"createGroupChat","payload":{"title":"dup"}}"#,
    ))
    .await
    .unwrap();
    assert_eq!(
        next(&mut ws).await,
        json!({"type": 2, "id": 10, "payload": {"errorCode": 2}})
    );
    // Missing fields (a flat payload): 399. The vendor guide's `name` alias works
    // (docs/chat-protocol.md, Choices C3 and C2).
    ws.send(Message::text(
        r#"{"type":1,"id":11,"method":"sendMessage","payload":{"chatId":"x","text":"flat"}}"#,
    ))
    .await
    .unwrap();
    assert_eq!(next(&mut ws).await["payload"]["errorCode"], 399);
    ws.send(Message::text(
        r#"{"type":1,"id":12,"method":"createGroupChat","payload":{"name":"Seed"}}"#,
    ))
    .await
    .unwrap();
    assert!(next(&mut ws).await["payload"]["chatId"].is_string());
    // ping answers {}.
    ws.send(Message::text(r#"{"type":1,"id":13,"method":"ping"}"#))
        .await
        .unwrap();
    assert_eq!(
        next(&mut ws).await,
        json!({"type": 2, "id": 13, "payload": {}})
    );
    // A push we do not acknowledge closes the connection after the ack timeout.
    let project = sim.chat_id("Project").unwrap();
    sim.post_text("dave", &project, "unacked").unwrap();
    let push = next(&mut ws).await;
    assert_eq!(push["method"], "sendMessage");
    assert_eq!(push["payload"]["chat"]["chatTitle"], "Project");
    // (alice answers dave in Project; those pushes go unacknowledged too.)
    let mut closed = next(&mut ws).await;
    while closed.get("closed").is_none() {
        closed = next(&mut ws).await;
    }
    assert!(
        closed["closed"]
            .as_str()
            .is_some_and(|r| r.contains("not acknowledged")),
        "{closed}"
    );
}

#[tokio::test]
async fn oauth_failures_are_clear_and_terminal() {
    let sim = sim().await;
    let t = ChatTarget::loopback(sim.port(), "operator", "wrong");
    let (h, _rx) = chat::spawn(t, opts()).unwrap();
    let s = h
        .wait_status(WAIT, |s| matches!(s, LinkStatus::Disconnected { .. }))
        .await
        .unwrap();
    assert!(
        s.label()
            .contains("wrong user name or password (invalid_grant"),
        "{}",
        s.label()
    );
    // Terminal: no retry; requests fail with the reason.
    let e = h
        .get_chats(GetChats { count: 1, page: 1 })
        .await
        .unwrap_err();
    assert!(
        matches!(e, ChatError::LinkDown { ref reason, .. } if reason.contains("wrong user name")),
        "{e}"
    );
    assert!(matches!(h.status(), LinkStatus::Disconnected { .. }));
    // The OAuth endpoint's other errors.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!(
        "http://127.0.0.1:{}/bridge/api/client/v1/oauth/token",
        sim.port()
    );
    for (body, status, err) in [
        (
            json!({"client_id": "x", "grant_type": "password", "username": "a", "password": "a"}),
            400,
            "invalid_client",
        ),
        (
            json!({"client_id": "chat_bot", "grant_type": "code", "username": "a", "password": "a"}),
            400,
            "unsupported_grant_type",
        ),
        (json!({"client_id": "chat_bot"}), 400, "invalid_request"),
        (
            json!({"client_id": "chat_bot", "grant_type": "password", "username": "alice", "password": "bad"}),
            401,
            "invalid_grant",
        ),
    ] {
        let r = http.post(&url).json(&body).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{body}");
        assert_eq!(r.json::<Value>().await.unwrap()["error"], err);
    }
    let ok = http.post(&url).json(&json!({"client_id": "chat_bot", "grant_type": "password", "username": "alice", "password": "alice"})).send().await.unwrap();
    assert_eq!(ok.status().as_u16(), 201);
    assert_eq!(ok.json::<Value>().await.unwrap()["expires_in"], 31_536_000);
    // A given token the server does not know: terminal too.
    let mut t = ChatTarget::loopback(sim.port(), "operator", "x");
    t.password = None;
    t.token = Some(Secret::new("a.b.c"));
    let (h, _rx) = chat::spawn(t, opts()).unwrap();
    let s = h
        .wait_status(WAIT, |s| matches!(s, LinkStatus::Disconnected { .. }))
        .await
        .unwrap();
    assert!(
        s.label().contains("invalid credentials (201)"),
        "{}",
        s.label()
    );
}

#[tokio::test]
async fn the_token_is_cached_reused_and_replaced_when_refused() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let cache = TokenCache::new(dir.path().join("tokens.json"));
    let o = ChatLinkOptions {
        token_cache: Some(cache.clone()),
        ..opts()
    };
    let c = login_with(
        ChatTarget::loopback(sim.port(), "operator", "operator"),
        o.clone(),
    )
    .await;
    let key = c.h.target().cache_key();
    let first = cache.load(&key).expect("cached");
    drop(c);
    // Without a password, the cached token is enough.
    let mut t = ChatTarget::loopback(sim.port(), "operator", "x");
    t.password = None;
    login_with(t, o.clone()).await;
    // A cached token the server refuses is replaced with a fresh one.
    cache
        .store(
            &key,
            &trueconf_console::chat::auth::Token {
                access: Secret::new("stale.tok.en"),
                expires_at: None,
            },
        )
        .unwrap();
    login_with(ChatTarget::loopback(sim.port(), "operator", "operator"), o).await;
    let now = cache.load(&key).unwrap();
    assert_ne!(now.access.expose(), "stale.tok.en");
    assert_ne!(now.access.expose(), first.access.expose());
}

#[tokio::test]
async fn reconnect_after_a_drop_loses_no_request() {
    let sim = sim().await;
    let mut op = login(&sim, "operator").await;
    sim.wait_connections(1).await;
    sim.drop_connections();
    op.event("the drop", |e| {
        matches!(e, ChatLinkEvent::Status(LinkStatus::Disconnected { .. })).then_some(())
    })
    .await;
    // Made while down: waits for the link and goes out once it is back.
    let chat = sim.chat_id("alice+operator").unwrap();
    let before = sim.message_count(&chat);
    let sent =
        op.h.send_message(SendMessage {
            chat_id: chat.clone(),
            reply_message_id: None,
            content: text("sent across a reconnect"),
        })
        .await
        .unwrap();
    assert!(sent.message_id.is_some());
    assert!(op.h.status().is_up());
    // Exactly once.
    let h =
        op.h.get_chat_history(GetChatHistory {
            chat_id: chat.clone(),
            count: 10,
            from_message_id: None,
        })
        .await
        .unwrap();
    assert_eq!(
        h.messages
            .iter()
            .filter(|m| m.summary() == "sent across a reconnect")
            .count(),
        1
    );
    assert!(sim.message_count(&chat) > before);
    // Frames seen by the inspector never show the token.
    let mut saw_auth = false;
    while let Ok(e) = op.rx.try_recv() {
        if let ChatLinkEvent::Frame { text, .. } = e
            && text.contains("\"auth\"")
        {
            saw_auth = true;
            assert!(text.contains("***"), "{text}");
        }
    }
    assert!(saw_auth);
}

#[tokio::test]
async fn server_requests_are_acknowledged_and_unknown_ones_kept() {
    // A short ack timeout: a client that failed to ack would be dropped.
    let sim = sim_with(|c| c.ack_timeout = Duration::from_millis(300)).await;
    let mut op = login(&sim, "operator").await;
    let project = sim.chat_id("Project").unwrap();
    for i in 0..20 {
        sim.post_text("dave", &project, &format!("m{i}")).unwrap();
    }
    op.push(
        "the last message",
        |e| matches!(e, ChatEvent::Message(m) if m.summary() == "m19"),
    )
    .await;
    // A button press reaches the message's author as `command`.
    let mine = op.h.send_message(SendMessage { chat_id: project.clone(), reply_message_id: None,
        content: json!({"text": "pick", "parseMode": "text", "buttons": [[{"label": "Yes", "command": "/yes"}]]}) }).await.unwrap();
    sim.press_button("dave", mine.message_id.as_deref().unwrap(), "/yes")
        .unwrap();
    op.push(
        "command",
        |e| matches!(e, ChatEvent::Command(v) if v["commandPayload"]["command"] == "/yes"),
    )
    .await;
    // Well past the ack timeout, the link is still the same session.
    let sid = op.h.session().unwrap().connection_id;
    sim.post_text("dave", &project, "later").unwrap();
    op.push(
        "a later message",
        |e| matches!(e, ChatEvent::Message(m) if m.summary() == "later"),
    )
    .await;
    let again = op.h.get_chats(GetChats { count: 1, page: 1 }).await;
    assert!(again.is_ok());
    assert_eq!(op.h.session().unwrap().connection_id, sid);
}

#[tokio::test]
async fn an_expired_token_is_refused_with_203() {
    let sim = sim_with(|c| c.token_lifetime = Duration::ZERO).await;
    let token = reqwest::Client::builder().no_proxy().build().unwrap()
        .post(format!("http://127.0.0.1:{}/bridge/api/client/v1/oauth/token", sim.port()))
        .json(&json!({"client_id": "chat_bot", "grant_type": "password", "username": "bob", "password": "bob"}))
        .send().await.unwrap().json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    let (mut ws, _) = tokio_tungstenite::connect_async(format!(
        "ws://127.0.0.1:{}/websocket/chat_bot/",
        sim.port()
    ))
    .await
    .unwrap();
    ws.send(Message::text(
        json!({"type":1,"id":1,"method":"auth","payload":{"token": token}}).to_string(),
    ))
    .await
    .unwrap();
    let reply = loop {
        if let Some(Ok(Message::Text(t))) = tokio::time::timeout(WAIT, ws.next()).await.unwrap() {
            break serde_json::from_str::<Value>(&t).unwrap();
        }
    };
    assert_eq!(reply["payload"]["errorCode"], 203);
}

#[tokio::test]
async fn a_preview_part_is_stored_and_served() {
    let sim = sim().await;
    let op = login(&sim, "operator").await;
    let chat = sim.chat_id("alice+operator").unwrap();
    let task =
        op.h.upload_file(UploadFile {
            file_size: 6,
            file_name: Some("p.png".into()),
            mime_type: Some("image/png".into()),
        })
        .await
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"PNGPNG".to_vec())
                .file_name("p.png")
                .mime_str("image/png")
                .unwrap(),
        )
        // Same file name as the main part (py-bot's stickers do this).
        .part(
            "preview",
            reqwest::multipart::Part::bytes(b"WEBP".to_vec())
                .file_name("p.png")
                .mime_str("image/webp")
                .unwrap(),
        );
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = http
        .post(format!(
            "http://127.0.0.1:{}/bridge/api/client/v1/files",
            sim.port()
        ))
        .header("Upload-Task-Id", task.upload_task_id)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let temporal = r.json::<Value>().await.unwrap()["temporalFileId"]
        .as_str()
        .unwrap()
        .to_string();
    let sent =
        op.h.send_file(SendFile {
            chat_id: chat,
            reply_message_id: None,
            content: json!({"temporalFileId": temporal}),
        })
        .await
        .unwrap();
    let info =
        op.h.get_file_info(GetFileInfo {
            file_id: sent.file_id.unwrap(),
        })
        .await
        .unwrap();
    assert_eq!(info.previews.len(), 1);
    assert_eq!(info.previews[0].mime_type, "image/webp");
    let body = http
        .get(info.previews[0].download_url.clone().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&body[..], b"WEBP");
    // A temporal id is good for one send only.
    assert_eq!(
        code(
            op.h.send_file(SendFile {
                chat_id: sim.chat_id("Project").unwrap(),
                reply_message_id: None,
                content: json!({"temporalFileId": temporal})
            })
            .await
        ),
        308
    );
}

#[tokio::test]
async fn a_file_posted_while_uploading_is_followed_until_the_server_says_ready() {
    use trueconf_console::chat::files::UploadSeen;
    let sim = sim().await;
    let op = login(&sim, "operator").await;
    let fid = dave_posts_log(&sim, 400);
    let seen = std::sync::Mutex::new(Vec::new());
    tokio::time::timeout(
        WAIT,
        op.h.follow_upload(&fid, |s| seen.lock().unwrap().push(s)),
    )
    .await
    .unwrap();
    let seen = seen.into_inner().unwrap();
    // Half-way, then whole, then READY (the last word, once).
    assert_eq!(seen.last(), Some(&UploadSeen::Ready), "{seen:?}");
    assert!(
        seen.contains(&UploadSeen::Progress(2500)) && seen.contains(&UploadSeen::Progress(5000)),
        "{seen:?}"
    );
    assert_eq!(
        seen.iter()
            .filter(|s| !matches!(s, UploadSeen::Progress(_)))
            .count(),
        1
    );
    // A file that is not there: why, never "ready".
    let seen = std::sync::Mutex::new(Vec::new());
    op.h.follow_upload("nope", |s| seen.lock().unwrap().push(s))
        .await;
    let seen = seen.into_inner().unwrap();
    assert!(
        matches!(seen.as_slice(), [UploadSeen::Unknown(_)]),
        "{seen:?}"
    );
}
