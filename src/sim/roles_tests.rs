//! The simulated Room's address book, podium and roles, from a raw client: what each method
//! answers, the events it causes, and what it refuses, with the reason.

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::RoomSim;
use super::testkit::*;

/// A logged-in simulated Room and an authorised client of it.
async fn room() -> (RoomSim, Ws) {
    let sim = room_sim(|c| c.logged_in = true).await;
    let mut ws = room_connect(&sim).await;
    send(
        &mut ws,
        json!({"method":"auth","requestId":"a","type":"unsecured"}),
    )
    .await;
    assert_eq!(room_reply(&mut ws).await["result"], true);
    (sim, ws)
}

/// Sends `method` and returns its reply, keeping the events that came before it in `seen`.
async fn ask(ws: &mut Ws, seen: &mut Vec<Value>, method: &str, params: Value) -> Value {
    let mut frame = params;
    frame["method"] = json!(method);
    frame["requestId"] = json!(method);
    send(ws, frame).await;
    loop {
        let v = next_json(ws).await;
        if v["method"] == "event" {
            seen.push(v);
        } else if v["requestId"] == method {
            return v;
        }
    }
}

/// Reads events (keeping them in `seen`) until one satisfies `want`; fails after WAIT.
async fn event_until(ws: &mut Ws, seen: &mut Vec<Value>, want: impl Fn(&Value) -> bool) -> Value {
    if let Some(v) = seen.iter().find(|v| want(v)) {
        return v.clone();
    }
    loop {
        let v = match tokio::time::timeout(WAIT, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str::<Value>(&t).unwrap(),
            Ok(Some(Ok(_))) => continue,
            other => panic!("waiting for an event, got {other:?} after {seen:?}"),
        };
        seen.push(v.clone());
        if want(&v) {
            return v;
        }
    }
}

fn ids(abook: &Value) -> Vec<String> {
    abook["abook"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["peerId"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn contacts_are_added_and_removed_with_their_events() {
    let (sim, mut ws) = room().await;
    let mut seen = Vec::new();
    let r = ask(
        &mut ws,
        &mut seen,
        "addToAbook",
        json!({"peerId": "frank@other.example", "peerDn": "Frank"}),
    )
    .await;
    assert_eq!(r["result"], true, "{r}");
    assert_eq!(r["peerId"], "frank@other.example");
    let e = event_until(&mut ws, &mut seen, |v| v["event"] == "contactsAdded").await;
    assert_eq!(e["contacts"][0]["peerId"], "frank@other.example");
    assert_eq!(e["contacts"][0]["peerDn"], "Frank");
    // Another server's user: its presence is not this server's to know.
    assert_eq!(e["contacts"][0]["status"], 0);
    let book = ask(&mut ws, &mut seen, "getAbook", json!({})).await;
    assert!(ids(&book).contains(&"frank@other.example".to_string()));

    // A user of this server by bare id: the full id, with the user's own name.
    let r = ask(
        &mut ws,
        &mut seen,
        "removeFromAbook",
        json!({"peerId": "alice"}),
    )
    .await;
    assert_eq!(r["peerId"], "alice@video.example.com", "{r}");
    let e = event_until(&mut ws, &mut seen, |v| v["event"] == "contactsDeleted").await;
    assert_eq!(e["contacts"][0]["peerId"], "alice@video.example.com");
    let book = ask(&mut ws, &mut seen, "getAbook", json!({})).await;
    assert!(!ids(&book).contains(&"alice@video.example.com".to_string()));
    let r = ask(
        &mut ws,
        &mut seen,
        "addToAbook",
        json!({"peerId": "alice", "peerDn": ""}),
    )
    .await;
    assert_eq!(r["result"], true, "{r}");
    let e = event_until(&mut ws, &mut seen, |v| {
        v["event"] == "contactsAdded" && v["contacts"][0]["peerId"] == "alice@video.example.com"
    })
    .await;
    assert_eq!(e["contacts"][0]["peerDn"], "Alice Johnson");

    // Refusals, each with its reason.
    for (params, why) in [
        (json!({"peerId": "alice", "peerDn": ""}), "already"),
        (
            json!({"peerId": "no body", "peerDn": ""}),
            "not a TrueConf ID",
        ),
        (
            json!({"peerId": "nobody", "peerDn": "N"}),
            "no user `nobody`",
        ),
    ] {
        let r = ask(&mut ws, &mut seen, "addToAbook", params.clone()).await;
        assert_eq!(r["result"], false, "{params}: {r}");
        assert!(r["error"].as_str().unwrap().contains(why), "{params}: {r}");
    }
    let r = ask(
        &mut ws,
        &mut seen,
        "removeFromAbook",
        json!({"peerId": "zed@other.example"}),
    )
    .await;
    assert_eq!(r["result"], false);
    sim.shutdown();
}

/// The participant entry for `who` in a `getConferenceParticipants` reply.
fn entry<'a>(list: &'a Value, who: &str) -> &'a Value {
    list["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["peerId"].as_str().unwrap().starts_with(who))
        .unwrap_or_else(|| panic!("{who} not in {list}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_owner_of_a_role_based_conference_manages_its_podium_and_moderators() {
    let (sim, mut ws) = room().await;
    let mut seen = Vec::new();
    let r = ask(&mut ws, &mut seen, "createConference", json!({"title": "Town hall", "confType": "role", "autoAccept": false, "inviteList": ["alice", "dave"]})).await;
    assert_eq!(r["result"], true, "{r}");
    // Alice answers, and a while later asks for the podium.
    let ask_podium = event_until(&mut ws, &mut seen, |v| {
        v["event"] == "roleEventOccured"
            && v["role"] == 3
            && v["peerId"] == "alice@video.example.com"
    })
    .await;
    assert_eq!(ask_podium["type"], 0, "a request: {ask_podium}");
    let list = ask(&mut ws, &mut seen, "getConferenceParticipants", json!({})).await;
    assert_eq!(
        entry(&list, "operator")["broadcast"],
        true,
        "the owner starts on the podium"
    );
    assert_eq!(entry(&list, "operator")["leaderType"], 1);
    assert_eq!(entry(&list, "alice")["role"], 3);
    assert_eq!(entry(&list, "alice")["broadcast"], false);

    let alice = entry(&list, "alice")["peerId"]
        .as_str()
        .unwrap()
        .to_string();
    let r = ask(
        &mut ws,
        &mut seen,
        "acceptRequestToPodium",
        json!({"peerId": alice}),
    )
    .await;
    assert_eq!(r["result"], true, "{r}");
    let e = event_until(&mut ws, &mut seen, |v| {
        v["event"] == "incomingRequestToPodiumAnswered"
    })
    .await;
    assert_eq!(e["allow"], true);
    let list = ask(&mut ws, &mut seen, "getConferenceParticipants", json!({})).await;
    assert_eq!(entry(&list, "alice")["broadcast"], true);
    assert_eq!(entry(&list, "alice")["role"], 1);

    // Sent down, then invited up again: she accepts after her delay.
    let r = ask(
        &mut ws,
        &mut seen,
        "kickFromPodium",
        json!({"peerId": alice}),
    )
    .await;
    assert_eq!(r["result"], true, "{r}");
    let list = ask(&mut ws, &mut seen, "getConferenceParticipants", json!({})).await;
    assert_eq!(entry(&list, "alice")["broadcast"], false);
    seen.clear();
    let r = ask(
        &mut ws,
        &mut seen,
        "inviteToPodium",
        json!({"peerId": alice}),
    )
    .await;
    assert_eq!(r["result"], true, "{r}");
    let invited = event_until(&mut ws, &mut seen, |v| {
        v["event"] == "roleEventOccured" && v["role"] == 4
    })
    .await;
    assert_eq!(invited["broadcast"], false);
    let up = event_until(&mut ws, &mut seen, |v| {
        v["event"] == "roleEventOccured"
            && v["broadcast"] == true
            && v["peerId"] == "alice@video.example.com"
    })
    .await;
    assert_eq!(up["type"], 2, "a confirmation: {up}");
    let r = ask(
        &mut ws,
        &mut seen,
        "inviteToPodium",
        json!({"peerId": alice}),
    )
    .await;
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .contains("on the podium already"),
        "{r}"
    );

    // Moderator rights, shown as leaderType 2, and taken back.
    let r = ask(
        &mut ws,
        &mut seen,
        "setModeratorRole",
        json!({"peerId": alice, "moderator": true}),
    )
    .await;
    assert_eq!(r["result"], true, "{r}");
    let list = ask(&mut ws, &mut seen, "getConferenceParticipants", json!({})).await;
    assert_eq!(entry(&list, "alice")["leaderType"], 2);
    let r = ask(
        &mut ws,
        &mut seen,
        "setModeratorRole",
        json!({"peerId": alice, "moderator": false}),
    )
    .await;
    assert_eq!(r["result"], true, "{r}");
    let list = ask(&mut ws, &mut seen, "getConferenceParticipants", json!({})).await;
    assert_eq!(entry(&list, "alice")["leaderType"], 0);

    // The Room itself steps down and up.
    let r = ask(&mut ws, &mut seen, "leavePodium", json!({})).await;
    assert_eq!(r["result"], true, "{r}");
    let list = ask(&mut ws, &mut seen, "getConferenceParticipants", json!({})).await;
    assert_eq!(entry(&list, "operator")["broadcast"], false);
    let r = ask(&mut ws, &mut seen, "gotoPodium", json!({})).await;
    assert_eq!(r["result"], true, "{r}");
    let list = ask(&mut ws, &mut seen, "getConferenceParticipants", json!({})).await;
    assert_eq!(entry(&list, "operator")["broadcast"], true);
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn podium_and_roles_are_refused_with_the_reason_where_they_do_not_apply() {
    let (sim, mut ws) = room().await;
    let mut seen = Vec::new();
    // An all-on-screen conference has no podium.
    let r = ask(
        &mut ws,
        &mut seen,
        "createConference",
        json!({"title": "Sync", "confType": "symmetric", "inviteList": ["alice"]}),
    )
    .await;
    assert_eq!(r["result"], true, "{r}");
    event_until(&mut ws, &mut seen, |v| {
        v["event"] == "newParticipantInConference"
    })
    .await;
    let list = ask(&mut ws, &mut seen, "getConferenceParticipants", json!({})).await;
    assert_eq!(
        entry(&list, "alice")["broadcast"],
        true,
        "everyone is on it"
    );
    let alice = entry(&list, "alice")["peerId"]
        .as_str()
        .unwrap()
        .to_string();
    let r = ask(
        &mut ws,
        &mut seen,
        "inviteToPodium",
        json!({"peerId": alice}),
    )
    .await;
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .contains("only in a role-based conference"),
        "{r}"
    );
    let r = ask(&mut ws, &mut seen, "hangUp", json!({"forAll": true})).await;
    assert_eq!(r["result"], true, "{r}");

    // In Dave's conference the Room is not the owner.
    sim.incoming_invitation("dave", "Dave's").unwrap();
    event_until(&mut ws, &mut seen, |v| v["event"] == "inviteReceived").await;
    let r = ask(&mut ws, &mut seen, "accept", json!({})).await;
    assert_eq!(r["result"], true, "{r}");
    let list = ask(&mut ws, &mut seen, "getConferenceParticipants", json!({})).await;
    assert_eq!(entry(&list, "dave")["leaderType"], 1, "{list}");
    let dave = entry(&list, "dave")["peerId"].as_str().unwrap().to_string();
    let r = ask(
        &mut ws,
        &mut seen,
        "setModeratorRole",
        json!({"peerId": dave, "moderator": true}),
    )
    .await;
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .contains("only the conference's owner"),
        "{r}"
    );
    sim.shutdown();
}
