use super::rights::{Right, allowed};
use super::transport::issue_token;

#[test]
fn rights_follow_the_matrices() {
    // Group: a user may send but not add members; an admin may.
    assert!(allowed(2, 2, Right::Send));
    assert!(!allowed(2, 2, Right::AddMembers));
    assert!(allowed(2, 1, Right::AddMembers));
    // Channel: a plain user may not post; a writer may, and may delete own for all only.
    assert!(!allowed(6, 2, Right::Send));
    assert!(allowed(6, 6, Right::Send));
    assert!(allowed(6, 6, Right::DeleteOwnAll));
    assert!(!allowed(6, 6, Right::DeleteOwnSelf));
    // P2P: messaging yes, membership no.
    assert!(allowed(1, 2, Right::DeleteOthersAll));
    assert!(!allowed(1, 2, Right::AddMembers));
    // Only the owner hands over ownership.
    assert!(!allowed(2, 1, Right::ChangeOwner));
}

#[test]
fn issued_tokens_look_like_jwts_with_exp() {
    let t = issue_token("op@srv", 4_000_000_000);
    assert_eq!(t.split('.').count(), 3);
    assert_eq!(crate::chat::auth::jwt_exp(&t), Some(4_000_000_000));
}

#[tokio::test]
async fn the_demo_history_is_never_stamped_after_now() {
    use super::{ChatSim, ChatSimConfig};
    let world = std::sync::Arc::new(crate::sim::World::demo());
    let sim = ChatSim::start(ChatSimConfig::new(world), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let now = super::state::now_ms();
    let s = sim.inner.lock();
    let mut n = 0;
    for chat in s.chats.values() {
        for m in &chat.messages {
            n += 1;
            assert!(
                m.timestamp <= now,
                "a demo message is {} s in the future",
                (m.timestamp - now) / 1000
            );
        }
    }
    assert!(n > 100, "the demo world has its history ({n} messages)");
}
