//! `chat send` across a cut: never twice, never "not sent" when it was.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::chat::{ChatLinkOptions, ChatTarget};
use crate::link::Backoff;
use crate::sim::{ChatSim, ChatSimConfig, World};

/// A link to a fresh simulator that reconnects up to `retries` times.
async fn rig(retries: u32) -> (ChatSim, ChatHandle, String) {
    let mut cfg = ChatSimConfig::new(Arc::new(World::demo()));
    cfg.reply_after = Duration::from_secs(3600);
    let sim = ChatSim::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let opts = ChatLinkOptions {
        backoff: Backoff {
            initial: Duration::from_millis(10),
            max: Duration::from_millis(50),
            max_retries: Some(retries),
        },
        request_timeout: Duration::from_secs(5),
        ..ChatLinkOptions::default()
    };
    let (h, _events) = chat::spawn(
        ChatTarget::loopback(sim.port(), "operator", "operator"),
        opts,
    )
    .unwrap();
    h.wait_status(Duration::from_secs(5), LinkStatus::is_up)
        .await
        .unwrap();
    let project = sim.chat_id("Project").unwrap();
    (sim, h, project)
}

fn count(sim: &ChatSim, chat: &str, text: &str) -> usize {
    sim.texts_by(chat, "operator")
        .iter()
        .filter(|t| *t == text)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_whose_answer_was_lost_is_found_not_sent_again() {
    let (sim, h, project) = rig(5).await;
    let t = Duration::from_secs(5);
    // The same words were sent before: that message is never taken for the new one.
    let first = deliver(&h, &project, "same words", None, "text", t)
        .await
        .ok()
        .unwrap();
    sim.cut_next("sendMessage", true);
    let second = deliver(&h, &project, "same words", None, "text", t)
        .await
        .ok()
        .unwrap();
    assert_eq!(
        count(&sim, &project, "same words"),
        2,
        "posted once more, not twice"
    );
    assert_ne!(first.message_id, second.message_id);
    assert!(second.message_id.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_cut_before_it_arrived_is_sent_again_once() {
    let (sim, h, project) = rig(5).await;
    sim.cut_next("sendMessage", false);
    let p = deliver(
        &h,
        &project,
        "only once",
        None,
        "text",
        Duration::from_secs(5),
    )
    .await
    .ok()
    .unwrap();
    assert!(p.message_id.is_some());
    assert_eq!(count(&sim, &project, "only once"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_whose_fate_cannot_be_learned_says_so_with_its_own_exit_code() {
    // A link that does not reconnect: after the cut nobody can say whether it arrived.
    let (sim, h, project) = rig(0).await;
    sim.cut_next("sendMessage", true);
    let Err(Failure(msg, code)) =
        deliver(&h, &project, "lost", None, "text", Duration::from_secs(2)).await
    else {
        panic!("delivered while the server was down");
    };
    assert_eq!(code, EXIT_UNKNOWN, "{msg}");
    assert!(
        msg.starts_with("not known whether the message arrived"),
        "{msg}"
    );
    assert_eq!(count(&sim, &project, "lost"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_identical_message_beyond_the_newest_page_is_not_taken_for_a_lost_one() {
    let (sim, h, project) = rig(5).await;
    let t = Duration::from_secs(5);
    let first = deliver(&h, &project, "X-same", None, "text", t)
        .await
        .ok()
        .unwrap();
    // More than a page of others' messages pushes it off the newest page.
    for i in 0..(chat::delivery::PAGE + 5) {
        sim.post_text("alice", &project, &format!("filler {i}"))
            .unwrap();
    }
    // The request is lost before the server carries it out: it must go out again.
    sim.cut_next("sendMessage", false);
    let second = deliver(&h, &project, "X-same", None, "text", t)
        .await
        .ok()
        .unwrap();
    assert_eq!(count(&sim, &project, "X-same"), 2, "sent again, once");
    assert_ne!(first.message_id, second.message_id);
}
