//! The effects on the rooms: every configured room linked at once, each with the task that
//! forwards its events and the queue that sends `update`'s requests in order; the call
//! history read for a room.

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::super::{AppError, Effects, Msg};
use crate::room::RoomHandle;
use crate::room::link::{self, RoomLinkOptions};

/// One room's link: its handle, the task forwarding its events to the loop, and the queue of
/// the requests `update` asked for (sent on the link in the order asked).
pub(super) struct RoomLink {
    pub(super) handle: RoomHandle,
    forward: JoinHandle<()>,
    requests: RoomRequests,
    queue: JoinHandle<()>,
}

impl Drop for RoomLink {
    fn drop(&mut self) {
        self.forward.abort();
        self.queue.abort();
    }
}

impl Effects {
    /// Links every configured room at once (each through its own supervisor), `active`
    /// being the one shown.
    pub fn connect_rooms(&mut self, active: Option<usize>) {
        self.active = active;
        for i in 0..self.rooms.len() {
            self.connect_room(i);
        }
    }

    /// Links room `index` (dropping a link to it already there).
    fn connect_room(&mut self, index: usize) {
        let Some(target) = self.rooms.get(index).cloned() else {
            return;
        };
        let d = RoomLinkOptions::default();
        let opts = RoomLinkOptions {
            frames: true,
            liveness: self.room_liveness.get(index).copied().unwrap_or(d.liveness),
            ..d
        };
        let (handle, mut events) = link::spawn(target, opts);
        let tx = self.tx.clone();
        let forward = tokio::spawn(async move {
            while let Some(ev) = events.recv().await {
                if tx.send(Msg::Room(index, ev)).await.is_err() {
                    break;
                }
            }
        });
        let (requests, queue) = room_requests(index, handle.clone(), self.tx.clone());
        self.links[index] = Some(RoomLink {
            handle,
            forward,
            requests,
            queue,
        });
    }

    /// `Cmd::RoomRequest`: queued on room `room`'s link; a failure comes back as
    /// `Msg::RoomFailed`.
    pub(super) fn room_request(
        &mut self,
        room: usize,
        method: String,
        params: serde_json::Map<String, serde_json::Value>,
    ) {
        let Some(link) = self.links.get(room).and_then(Option::as_ref) else {
            let _ = self.tx.try_send(Msg::RoomFailed(room, AppError::NoRoom));
            return;
        };
        if link.requests.send((method, params)).is_err() {
            let _ = self.tx.try_send(Msg::RoomFailed(room, AppError::NoRoom));
        }
    }

    /// `Cmd::CallHistory`: room `room`'s calls, back as `Msg::CallHistory`.
    pub(super) fn call_history(&mut self, room: usize) {
        let Some(link) = self.links.get(room).and_then(Option::as_ref) else {
            let _ = self
                .tx
                .try_send(Msg::CallHistory(room, Err(AppError::NoRoom)));
            return;
        };
        let (h, tx) = (link.handle.clone(), self.tx.clone());
        tokio::spawn(async move {
            let mut p = serde_json::Map::new();
            p.insert("count".into(), serde_json::json!(CALLS_READ));
            let r = h
                .request("getCallHistory", p)
                .await
                .map(|r| crate::room::history::parse(&r.body))
                .map_err(AppError::from);
            let _ = tx.send(Msg::CallHistory(room, r)).await;
        });
    }
}

/// How many calls the call history view reads (the newest).
const CALLS_READ: u32 = 100;

/// Room requests waiting to be queued on the link: a method and its parameters.
type RoomRequests = mpsc::UnboundedSender<(String, serde_json::Map<String, serde_json::Value>)>;

/// The task that queues `update`'s Room requests on the link one after another, in the order
/// they were asked for (each answer awaited on a task of its own, a failure reported as
/// `Msg::RoomFailed`). A task per request would race to the link's queue, and three fast
/// presses of `+` could reach the Room in any order.
fn room_requests(
    room: usize,
    h: RoomHandle,
    tx: mpsc::Sender<Msg>,
) -> (RoomRequests, JoinHandle<()>) {
    let (queue, mut asked): (RoomRequests, _) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        while let Some((method, params)) = asked.recv().await {
            match h.submit(&method, params).await {
                Ok(answer) => {
                    let tx = tx.clone();
                    tokio::spawn(async move {
                        if let Err(e) = answer.await {
                            let _ = tx.send(Msg::RoomFailed(room, e.into())).await;
                        }
                    });
                }
                Err(e) => {
                    let _ = tx.send(Msg::RoomFailed(room, e.into())).await;
                }
            }
        }
    });
    (queue, task)
}
