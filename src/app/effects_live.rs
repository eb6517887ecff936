//! The live camera view's feed (app/live.rs): one task per open view fetches the room's frames
//! (crate::room::camera), at most one request in flight, a frame every `every_ms` or slower
//! when fetching takes longer (a slow link gets fewer frames, never a queue). A second task
//! decodes: it takes the newest fetched frame, so one fetched while the last is still being
//! decoded replaces the one waiting. Closing the view drops both.

use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::super::{LiveFeed, LiveTrouble, Msg};
use crate::room::RoomHandle;
use crate::room::camera::{Camera, NoFrame, SELF_PEER};

/// The open view's feed: its parameters, and the task (stopped when this is dropped).
pub(in crate::app) struct LiveTask {
    room: usize,
    params: watch::Sender<LiveFeed>,
    task: JoinHandle<()>,
}

impl Drop for LiveTask {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A room's broadcast switches: the queue, and the task that sends them in turn.
pub(in crate::app) struct Switches {
    asks: mpsc::UnboundedSender<Option<u32>>,
    task: JoinHandle<()>,
    /// The last asked: on at a rate, or off.
    last: Option<u32>,
}

/// A task aborted when this is dropped.
struct Aborting(JoinHandle<()>);

impl Drop for Aborting {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl super::Effects {
    /// `Cmd::LiveFeed`: the feed started, changed (a new size, a new attempt) or stopped.
    pub(super) fn live_feed(&mut self, feed: Option<LiveFeed>) {
        let Some(f) = feed else {
            self.live = None;
            return;
        };
        if let Some(l) = &self.live
            && l.room == f.room
            && l.params.borrow().graphics == f.graphics
            && !l.task.is_finished()
        {
            l.params.send_replace(f);
            return;
        }
        self.live = None;
        let tx = self.tx.clone();
        let (Some(link), Some(target)) = (
            self.links.get(f.room).and_then(Option::as_ref),
            self.rooms.get(f.room),
        ) else {
            let _ = tx.try_send(Msg::LiveFrame {
                room: f.room,
                peer: None,
                result: Err(LiveTrouble::LinkDown),
            });
            return;
        };
        let room = f.room;
        // Half blocks unless the user asked for the protocol ([ui] camera_graphics).
        let picker = if f.graphics { self.picker() } else { None };
        let (params, rx) = watch::channel(f);
        let task = tokio::spawn(run_feed(
            link.handle.clone(),
            target.clone(),
            rx,
            picker,
            tx,
        ));
        self.live = Some(LiveTask { room, params, task });
    }

    /// `Cmd::Broadcast`: room `room`'s self-view broadcast turned on at `fps`, or off. One
    /// task a room sends them one after another, each once the last was answered: an "on" and
    /// an "off" asked in quick succession reach the Room in that order.
    pub(super) fn broadcast(&mut self, room: usize, fps: Option<u32>) {
        if let Some(s) = self.broadcasts.get_mut(&room)
            && s.asks.send(fps).is_ok()
        {
            s.last = fps;
            return;
        }
        let Some(link) = self.links.get(room).and_then(Option::as_ref) else {
            let _ = self
                .tx
                .try_send(Msg::RoomFailed(room, super::AppError::NoRoom));
            return;
        };
        let (h, msgs) = (link.handle.clone(), self.tx.clone());
        let (asks, mut asked) = mpsc::unbounded_channel::<Option<u32>>();
        let task = tokio::spawn(async move {
            while let Some(fps) = asked.recv().await {
                let mut p = serde_json::Map::new();
                p.insert("enabled".into(), fps.is_some().into());
                if let Some(f) = fps {
                    p.insert("fps".into(), f.into());
                }
                if let Err(e) = h.request("setBroadcastSelfie", p).await {
                    let _ = msgs.send(Msg::RoomFailed(room, e.into())).await;
                }
            }
        });
        let _ = asks.send(fps);
        self.broadcasts.insert(
            room,
            Switches {
                asks,
                task,
                last: fps,
            },
        );
    }

    /// Waits, at most `within`, for what must not be cut off at exit: the broadcast switches
    /// asked for (a broadcast the view turned on, turned off). Returns the rooms whose
    /// broadcast was to be turned off and may not have been (the Room did not answer in time).
    pub async fn settle(&mut self, within: Duration) -> Vec<usize> {
        let until = tokio::time::Instant::now() + within;
        let mut left_on = Vec::new();
        for (room, s) in self.broadcasts.drain() {
            // Closed: the task ends once it has sent what was asked.
            drop(s.asks);
            let done = tokio::time::timeout_at(until, s.task).await.is_ok();
            if !done && s.last.is_none() {
                tracing::warn!("room {room}: the self-view broadcast may still be on");
                left_on.push(room);
            }
        }
        left_on.sort_unstable();
        left_on
    }
}

/// Now, in Unix milliseconds.
fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The feed: fetches until the view goes (the parameters' sender dropped).
async fn run_feed(
    handle: RoomHandle,
    target: crate::room::RoomTarget,
    mut params: watch::Receiver<LiveFeed>,
    picker: Option<ratatui_image::picker::Picker>,
    tx: mpsc::Sender<Msg>,
) {
    let room = params.borrow().room;
    let report = |t: LiveTrouble| {
        let tx = tx.clone();
        async move {
            tx.send(Msg::LiveFrame {
                room,
                peer: None,
                result: Err(t),
            })
            .await
            .is_ok()
        }
    };
    let mut cam = match Camera::new(handle, &target) {
        Ok(c) => c,
        Err(e) => {
            report(LiveTrouble::Fetch(e)).await;
            return;
        }
    };
    // The frame waiting to be decoded: a newer one replaces it.
    let (slot, waiting) = watch::channel::<Option<(bytes::Bytes, u64)>>(None);
    let _decoder = Aborting(tokio::spawn(decode(
        room,
        waiting,
        params.clone(),
        picker.clone(),
        tx.clone(),
    )));
    // The participant whose picture is asked for next, and those whose pictures were refused
    // even with a fresh token: not asked again until the user asks (`r`), never a loop.
    let mut turn = 0usize;
    let mut refused: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut attempt = params.borrow().attempt;
    // Refused even with a fresh token: no more tries until the user asks (`r`).
    let mut halted = false;
    loop {
        let p = params.borrow_and_update().clone();
        if p.attempt != attempt {
            attempt = p.attempt;
            halted = false;
            refused.clear();
        }
        let every = Duration::from_millis(u64::from(p.every_ms.max(100)));
        let wait = if halted {
            None
        } else {
            let started = Instant::now();
            let got = cam.fetch(SELF_PEER).await;
            let failed = match got {
                Ok(bytes) => {
                    slot.send_replace(Some((bytes, unix_ms())));
                    false
                }
                Err(e) => {
                    halted = matches!(e, NoFrame::Refused { .. });
                    tracing::info!("camera of room {room}: no frame: {e}");
                    if !report(LiveTrouble::Fetch(e)).await {
                        return;
                    }
                    true
                }
            };
            // Then one participant's picture, in turn: still one request at a time.
            let asked: Vec<&String> = p.peers.iter().filter(|x| !refused.contains(*x)).collect();
            if !halted && !asked.is_empty() {
                let peer = asked[turn % asked.len()].clone();
                turn = turn.wrapping_add(1);
                let result = tile(&mut cam, &peer, picker.as_ref()).await;
                if matches!(result, Err(LiveTrouble::Fetch(NoFrame::Refused { .. }))) {
                    refused.insert(peer.clone());
                }
                let msg = Msg::LiveFrame {
                    room,
                    peer: Some(peer),
                    result,
                };
                if tx.send(msg).await.is_err() {
                    return;
                }
            }
            let took = started.elapsed();
            if halted {
                None
            } else if failed {
                Some(every.max(Duration::from_secs(2)))
            } else {
                // The link idle at least as long as the last fetches took: a slow link gets
                // fewer frames, never a queue.
                Some(every.saturating_sub(took).max(took))
            }
        };
        match wait {
            Some(w) => {
                tokio::select! {
                    _ = tokio::time::sleep(w) => {}
                    changed = params.changed() => if changed.is_err() { return },
                }
            }
            None => {
                if params.changed().await.is_err() {
                    return;
                }
            }
        }
    }
}

/// A participant's picture for a tile: fetched, and made to fit [`super::super::live::TILE`].
async fn tile(
    cam: &mut Camera,
    peer: &str,
    picker: Option<&ratatui_image::picker::Picker>,
) -> Result<(crate::graphics::Whole, u64), LiveTrouble> {
    let bytes = cam.fetch(peer).await.map_err(LiveTrouble::Fetch)?;
    let at = unix_ms();
    let picker = picker.cloned();
    let (cols, rows) = super::super::live::TILE;
    tokio::task::spawn_blocking(move || {
        let img = crate::preview::load(&bytes).map_err(|e| e.to_string())?;
        super::files::made(&img, picker.as_ref(), cols, rows)
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()))
    .map(|w| (w, at))
    .map_err(LiveTrouble::Decode)
}

/// The decoder: each newest frame made to fit the cells the view asks for now; when the view
/// changes size, the last frame is made again for the new size (a stalled feed's last picture
/// fills the new screen too).
async fn decode(
    room: usize,
    mut waiting: watch::Receiver<Option<(bytes::Bytes, u64)>>,
    mut params: watch::Receiver<LiveFeed>,
    picker: Option<ratatui_image::picker::Picker>,
    tx: mpsc::Sender<Msg>,
) {
    let mut last: Option<(bytes::Bytes, u64)> = None;
    let mut made_for = (0, 0);
    loop {
        tokio::select! {
            changed = waiting.changed() => {
                if changed.is_err() {
                    return;
                }
                last = waiting.borrow_and_update().clone();
            }
            changed = params.changed() => {
                if changed.is_err() {
                    return;
                }
                let p = params.borrow_and_update();
                if (p.cols, p.rows) == made_for {
                    continue;
                }
            }
        }
        let Some((bytes, at)) = last.clone() else {
            continue;
        };
        let (cols, rows) = {
            let p = params.borrow();
            (p.cols, p.rows)
        };
        made_for = (cols, rows);
        let picker = picker.clone();
        let made = tokio::task::spawn_blocking(move || {
            let img = crate::preview::load(&bytes).map_err(|e| e.to_string())?;
            super::files::made(&img, picker.as_ref(), cols, rows)
        })
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
        let result = made.map(|w| (w, at)).map_err(LiveTrouble::Decode);
        let peer = None;
        if tx
            .send(Msg::LiveFrame { room, peer, result })
            .await
            .is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::mpsc;

    use super::super::Effects;
    use crate::app::{Cmd, Msg};
    use crate::link::LinkStatus;
    use crate::room::{RoomLinkEvent, RoomTarget};
    use crate::sim::testkit::room_sim;

    /// Whether the simulated Room's broadcast is on, as it answers.
    async fn broadcast_on(fx: &Effects) -> bool {
        let link = fx.links[0].as_ref().unwrap();
        let r = link
            .handle
            .request("getBroadcastSelfie", serde_json::Map::new())
            .await
            .unwrap();
        r.get("enabled")
            .and_then(serde_json::Value::as_bool)
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn switches_asked_in_quick_succession_reach_the_room_in_order() {
        let sim = room_sim(|_| {}).await;
        let (tx, mut rx) = mpsc::channel(4096);
        let mut fx = Effects::new(vec![RoomTarget::loopback(sim.http_port())], tx);
        fx.connect_rooms(Some(0));
        tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(m) = rx.recv().await {
                if matches!(
                    m,
                    Msg::Room(0, RoomLinkEvent::Status(LinkStatus::Authorized))
                ) {
                    return;
                }
            }
        })
        .await
        .unwrap();
        // The messages they bring are not waited for: drained as they come.
        tokio::spawn(async move { while rx.recv().await.is_some() {} });
        for last_on in [false, true, false] {
            for _ in 0..20 {
                fx.run(Cmd::Broadcast {
                    room: 0,
                    fps: Some(2),
                });
                fx.run(Cmd::Broadcast { room: 0, fps: None });
            }
            if last_on {
                fx.run(Cmd::Broadcast {
                    room: 0,
                    fps: Some(2),
                });
            }
            assert!(fx.settle(Duration::from_secs(10)).await.is_empty());
            assert_eq!(broadcast_on(&fx).await, last_on);
        }
        // A Room that has stopped answering: the "off" cannot be known to be done, and the
        // exit says which room may still be broadcasting.
        fx.run(Cmd::Broadcast {
            room: 0,
            fps: Some(2),
        });
        assert!(fx.settle(Duration::from_secs(10)).await.is_empty());
        sim.set_frozen(true);
        fx.run(Cmd::Broadcast { room: 0, fps: None });
        assert_eq!(fx.settle(Duration::from_millis(300)).await, vec![0]);
        sim.set_frozen(false);
    }
}
