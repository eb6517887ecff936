use super::*;
use crate::app::testkit::*;
use crate::app::{Mode, Msg, Prompt, update};
use crate::chat::ChatError;
use crate::chat::ChatLinkEvent;
use crate::chat::events::ChatEvent;
use crossterm::event::KeyCode;
use serde_json::json;

#[test]
fn download_shows_progress_and_where_the_file_went() {
    let mut m = open(2);
    m.transfers.download_dir = "/tmp/dl".into();
    let file = env(
        "f1",
        9,
        "alice@srv",
        json!({"name": "report.pdf", "mimeType": "application/pdf", "size": 1000, "fileId": "F1"}),
        202,
    );
    update(
        &mut m,
        Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(
            std::sync::Arc::new(file),
        ))),
    );
    kc(&mut m, KeyCode::Up);
    assert_eq!(sel(&m).as_deref(), Some("f1"));
    let cmds = ch(&mut m, 'o');
    assert_eq!(
        cmds,
        vec![Cmd::Download {
            id: 1,
            file_id: "F1".into(),
            dir: "/tmp/dl".into(),
            name: "report.pdf".into()
        }]
    );
    assert!(ch(&mut m, 'o').is_empty(), "not twice at once");
    assert!(m.ui.notice.as_ref().unwrap().text.contains("Already"));
    let path = std::path::PathBuf::from("/tmp/dl/report (1).pdf");
    update(
        &mut m,
        Msg::TransferPath {
            id: 1,
            path: path.clone(),
            total: 0,
        },
    );
    let rev = m.revision();
    let progress = |done| {
        Msg::Chat(ChatLinkEvent::Transfer(crate::chat::Transfer {
            path: path.clone(),
            upload: false,
            done,
            total: 1000,
        }))
    };
    update(&mut m, progress(400));
    assert_eq!(m.transfers.items[0].done, 400);
    assert_ne!(m.revision(), rev);
    let rev = m.revision();
    update(&mut m, progress(401));
    assert_eq!(m.revision(), rev, "no redraw while the percentage stays");
    update(
        &mut m,
        Msg::TransferDone {
            id: 1,
            result: Ok(()),
        },
    );
    assert_eq!(m.transfers.items[0].state, TransferState::Done);
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("report (1).pdf")
    );
    // A text message has nothing to download.
    kc(&mut m, KeyCode::Up);
    ch(&mut m, 'o');
    assert!(m.ui.notice.as_ref().unwrap().text.contains("no attachment"));
    // Back on it, `o` opens the file; the effect finds it gone, so the next `o` downloads
    // again.
    kc(&mut m, KeyCode::Down);
    assert_eq!(ch(&mut m, 'o'), vec![Cmd::OpenFile(path.clone())]);
    update(
        &mut m,
        Msg::Opened {
            path: path.clone(),
            why: "the file is no longer there".into(),
            gone: true,
        },
    );
    assert!(
        m.ui.notice
            .as_ref()
            .unwrap()
            .text
            .contains("no longer there")
    );
    // A failure keeps its reason.
    ch(&mut m, 'o');
    update(
        &mut m,
        Msg::TransferDone {
            id: 2,
            result: Err(ChatError::Local("file not found (404)".into()).into()),
        },
    );
    assert_eq!(
        m.transfers.items[1].state,
        TransferState::Failed("file not found (404)".into())
    );
}

#[test]
fn upload_takes_a_typed_or_pasted_path() {
    let mut m = open(2);
    assert!(ch(&mut m, 'u').is_empty());
    assert_eq!(
        m.mode,
        Mode::Prompt(Prompt::Upload {
            path: Default::default()
        })
    );
    assert!(kc(&mut m, KeyCode::Enter).is_empty(), "nothing typed");
    update(&mut m, Msg::Paste("'/tmp/a file.txt'\n".into()));
    let cmds = kc(&mut m, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![Cmd::Upload {
            id: 1,
            chat_id: "a".into(),
            path: "/tmp/a file.txt".into(),
            reply_to: None
        }]
    );
    assert_eq!(m.transfers.items[0].name, "a file.txt");
    assert!(m.transfers.items[0].upload);
    update(
        &mut m,
        Msg::TransferPath {
            id: 1,
            path: "/tmp/a file.txt".into(),
            total: 10,
        },
    );
    let cmds = update(
        &mut m,
        Msg::TransferDone {
            id: 1,
            result: Ok(()),
        },
    );
    assert_eq!(
        cmds,
        vec![Cmd::LoadHistory {
            chat_id: "a".into(),
            before: None
        }],
        "the posted file is read back"
    );
    // `~` is the home directory; a reply being written goes with the file.
    kc(&mut m, KeyCode::Up);
    ch(&mut m, 'R');
    kc(&mut m, KeyCode::Esc);
    ch(&mut m, 'u');
    typed(&mut m, "~/x.bin");
    let cmds = kc(&mut m, KeyCode::Enter);
    let Cmd::Upload { path, reply_to, .. } = &cmds[0] else {
        panic!()
    };
    assert_eq!(
        path,
        std::path::Path::new("~/x.bin"),
        "as typed; the effect expands it"
    );
    assert_eq!(reply_to.as_deref(), Some("m1"));
    ch(&mut m, 'u');
    kc(&mut m, KeyCode::Esc);
    assert_eq!(m.mode, Mode::Normal);
}

#[test]
fn a_file_posted_while_uploading_is_followed_once_and_its_state_follows_the_server() {
    use crate::chat::files::UploadSeen;
    use crate::chat::types::{Content, ReadyState};
    let mut m = open(2);
    let file = env(
        "f1",
        9,
        "alice@srv",
        json!({"name": "r.pdf", "mimeType": "application/pdf", "size": 1000, "fileId": "F1",
            "readyState": 1}),
        202,
    );
    let push = |f: &crate::chat::types::Envelope| {
        Msg::Chat(ChatLinkEvent::Event(ChatEvent::Message(
            std::sync::Arc::new(f.clone()),
        )))
    };
    let cmds = update(&mut m, push(&file));
    assert!(
        cmds.contains(&Cmd::FollowUpload {
            file_id: "F1".into()
        }),
        "{cmds:?}"
    );
    // Seen again (a page, a repeat): not followed twice.
    let cmds = update(&mut m, push(&file));
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::FollowUpload { .. })));
    let state = |m: &crate::app::Model| {
        m.chat
            .open
            .as_ref()
            .unwrap()
            .messages
            .iter()
            .find_map(|e| match &e.content {
                Content::Attachment { ready_state, .. } => *ready_state,
                _ => None,
            })
    };
    update(
        &mut m,
        Msg::UploadSeen {
            file_id: "F1".into(),
            seen: UploadSeen::Progress(500),
        },
    );
    assert_eq!(state(&m), Some(ReadyState::Uploading));
    assert_eq!(
        m.chat.uploads.get("F1"),
        Some(&Some(UploadSeen::Progress(500)))
    );
    let cmds = update(
        &mut m,
        Msg::UploadSeen {
            file_id: "F1".into(),
            seen: UploadSeen::Ready,
        },
    );
    assert_eq!(state(&m), Some(ReadyState::Ready));
    // The store is told too (read offline after a restart, the file is not "uploading").
    let written: Vec<_> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::StoreWrite(w) => match &**w {
                crate::store::Write::Messages(ms) => Some(ms.clone()),
                _ => None,
            },
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(written.len(), 1, "{cmds:?}");
    assert!(matches!(
        &written[0].content,
        crate::chat::types::Content::Attachment {
            ready_state: Some(ReadyState::Ready),
            ..
        }
    ));
    // A file whose fate the console could not learn is asked about again when seen again.
    let other = env(
        "f2",
        10,
        "alice@srv",
        json!({"name": "s.pdf", "mimeType": "application/pdf", "size": 10, "fileId": "F2",
            "readyState": 1}),
        202,
    );
    update(&mut m, push(&other));
    update(
        &mut m,
        Msg::UploadSeen {
            file_id: "F2".into(),
            seen: UploadSeen::Unknown("the chat link is down".into()),
        },
    );
    let cmds = update(&mut m, push(&other));
    assert!(cmds.contains(&Cmd::FollowUpload {
        file_id: "F2".into()
    }));
}
