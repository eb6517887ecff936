//! A TrueConf Room simulator: the HTTP server with `/public/<name>/config.json`, the WebSocket
//! control API at `/`, `/v1` and `/v2`, PIN auth, and the application state machine with the
//! demo world's peers behind it (docs/room-protocol.md: Transport, Authentication, App states;
//! what the Python peers check: docs/room-protocol.md, Python peer).
//!
//! It enforces the protocol as docs/room-protocol.md describes: nothing but `auth` and
//! `setUsedApiVersion` before auth (answered with an error, never a dropped socket); admin-only
//! methods refused to a user-level session (Rights); a method it does not model answered with
//! `result:false` and an error saying so. Every reply echoes `method` and `requestId` ("" when
//! none was sent) and never carries an `event` key; every event carries `"method":"event"`
//! (Framing, Events).
//!
//! The parts: `state` holds the Room's state, `rights` says which credentials give which
//! role, `transport` serves the config file and the WebSocket (auth, framing), `dispatch`
//! maps a method name to its handler in `session`, `settings`, `calls`, `conference`,
//! `devices` or `contacts`, and `generic` answers the rest of the catalog; `peers` plays
//! the demo world's users.

mod calls;
mod conference;
mod contacts;
mod devices;
mod dispatch;
pub mod frames;
mod generic;
mod peers;
mod podium;
mod ptz;
mod rights;
mod session;
mod settings;
mod state;
mod transport;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};

use super::net;
use super::world::World;
use state::{Inner, SimState, event, now_secs};

/// How the simulated Room behaves.
#[derive(Debug, Clone)]
pub struct RoomSimConfig {
    pub world: Arc<World>,
    /// The administrator PIN. Without one, unsecured auth is accepted (as administrator).
    pub pin: Option<String>,
    /// A user-level PIN (user privileges only).
    pub user_pin: Option<String>,
    /// The `-t NAME` instance name served besides `default`.
    pub instance: Option<String>,
    /// How long an unanswered call rings before it times out (outgoing and incoming).
    pub call_timeout: Duration,
    /// Scales every peer delay from the world (answer, reject); tests use small factors.
    pub time_scale: f64,
    /// Start connected to the world's server and logged in (what `--demo` wants).
    pub logged_in: bool,
    /// The world's user this Room is logged in as ("operator"); each Room of a fleet has its
    /// own.
    pub account: String,
    /// Methods answered with `result:false` whatever is asked (compared without case), to
    /// play a Room that lacks or refuses them (`simulate --room-refuse`).
    pub refuse: Vec<String>,
    /// Frames one connection may have waiting for its socket (4,096): a client that stops
    /// reading is disconnected when more pile up, so memory stays bounded.
    pub max_queued: usize,
    /// Wrong PINs in a row one client address may send (5) before every auth from it is
    /// refused for `pin_lockout` (30 s).
    pub pin_attempts: u32,
    pub pin_lockout: Duration,
    /// HTTP (both ports, up to the WebSocket upgrade): a request's headers must arrive within
    /// this, and a keep-alive connection idle this long is closed (30 s).
    pub http_timeout: Duration,
    /// How long a token for the HTTP server (`tokenForHttpServer`, `getTokenForHttpServer`)
    /// is valid: 5 minutes, as a Room's.
    pub http_token_lifetime: Duration,
    /// The camera films a busy scene: every pixel but the strip's changes from one frame to
    /// the next, as a real camera's sensor noise does (the worst case for a terminal view).
    pub camera_noise: bool,
}

impl RoomSimConfig {
    pub fn new(world: Arc<World>) -> RoomSimConfig {
        RoomSimConfig {
            world,
            pin: None,
            user_pin: None,
            instance: None,
            call_timeout: Duration::from_secs(30),
            time_scale: 1.0,
            logged_in: false,
            account: "operator".into(),
            refuse: Vec::new(),
            max_queued: 4096,
            pin_attempts: 5,
            pin_lockout: Duration::from_secs(30),
            http_timeout: Duration::from_secs(30),
            http_token_lifetime: Duration::from_secs(300),
            camera_noise: false,
        }
    }

    pub(super) fn scaled(&self, d: Duration) -> Duration {
        d.mul_f64(self.time_scale.max(0.0))
    }
}

/// A running Room simulator. Dropping it does not stop it; call [`RoomSim::shutdown`].
/// A simulated conference as a test reads it back (see [`RoomSim::conference`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SimConference {
    pub conf_type: i64,
    pub title: String,
    pub my_podium: bool,
    /// Each participant's id, on the podium, a moderator.
    pub participants: Vec<(String, bool, bool)>,
}

#[derive(Clone)]
pub struct RoomSim {
    inner: Arc<Inner>,
    shutdown: watch::Sender<bool>,
}

impl std::fmt::Debug for RoomSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomSim")
            .field("http_port", &self.inner.http_port)
            .field("ws_port", &self.inner.ws_port)
            .finish()
    }
}

impl RoomSim {
    /// Starts both servers. Port 0 picks a free port; the real ports are in `http_port()` and
    /// `ws_port()`.
    pub async fn start(
        cfg: RoomSimConfig,
        http: SocketAddr,
        ws: SocketAddr,
    ) -> std::io::Result<RoomSim> {
        let http_listener = TcpListener::bind(http).await?;
        let ws_listener = TcpListener::bind(ws).await?;
        let http_port = http_listener.local_addr()?.port();
        let ws_port = ws_listener.local_addr()?.port();
        let state = SimState::new(&cfg);
        let (events, _) = broadcast::channel(4096);
        let inner = Arc::new(Inner {
            cfg,
            http_port,
            ws_port,
            state: Mutex::new(state),
            events,
            kick: watch::channel(0).0,
            connections: watch::channel(0).0,
            freeze: net::Freeze::new(),
            queue_peak: std::sync::atomic::AtomicUsize::new(0),
        });
        let (shutdown, _) = watch::channel(false);

        let (http_app, ws_app) = transport::routers(inner.clone());
        let opts = net::ServeOptions {
            timeout: inner.cfg.http_timeout,
            freeze: inner.freeze.clone(),
        };
        net::serve(http_listener, http_app, shutdown.subscribe(), opts.clone());
        net::serve(ws_listener, ws_app, shutdown.subscribe(), opts);
        Ok(RoomSim { inner, shutdown })
    }

    pub fn http_port(&self) -> u16 {
        self.inner.http_port
    }

    /// The room's name as its camera's frames carry it (its account's display name).
    pub fn name(&self) -> String {
        let s = self.inner.lock();
        self.inner.room_name(&s)
    }

    pub fn world(&self) -> &World {
        &self.inner.cfg.world
    }

    /// The demo world's spontaneous actors: dave calls the Room `first` after start, then
    /// every `every`, whenever the Room is idle. They stop with the simulator.
    pub fn start_actors(&self, first: Duration, every: Duration) {
        let me = self.clone();
        let mut stop = self.shutdown.subscribe();
        tokio::spawn(async move {
            let mut wait = first;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                if me.app_state() == 3 && me.world().user("dave").is_some() {
                    let _ = me.incoming_call("dave");
                }
                wait = every;
            }
        });
    }

    /// Turns true when the simulator is shut down.
    pub fn stopped(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    pub fn ws_port(&self) -> u16 {
        self.inner.ws_port
    }

    /// Stops accepting connections and closes the open ones.
    pub fn shutdown(&self) {
        let _ = self.shutdown.send(true);
        self.drop_connections();
    }

    /// Closes every open WebSocket (the link must reconnect).
    pub fn drop_connections(&self) {
        self.inner.kick.send_modify(|n| *n += 1);
    }

    /// Waits until `n` WebSocket connections are open.
    pub async fn wait_connections(&self, n: usize) {
        let mut rx = self.inner.connections.subscribe();
        let _ = rx.wait_for(|c| *c == n).await;
    }

    /// Freezes both servers (true) as a stopped process would be, or lets them go on (false):
    /// while frozen, no connection reads or writes anything (no replies, no events, no pongs),
    /// new connections wait in the kernel's backlog unserved, and nothing is closed. The
    /// Room's own clock keeps running (ringing calls time out, peers answer); the events
    /// that causes queue (up to the bound) for delivery at the thaw. For liveness tests.
    pub fn set_frozen(&self, frozen: bool) {
        self.inner.freeze.set(frozen);
    }

    /// Whether [`RoomSim::set_frozen`] holds the servers.
    pub fn is_frozen(&self) -> bool {
        self.inner.freeze.is_frozen()
    }

    /// The longest any connection's outgoing queue has been (at most
    /// [`RoomSimConfig::max_queued`]).
    pub fn queue_peak(&self) -> usize {
        self.inner
            .queue_peak
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The PTZ camera's pan, tilt and zoom now, and whether a motion is under way (a start
    /// such as `ptzRight` not yet followed by `ptzStop`).
    pub fn ptz(&self) -> ([i64; 3], bool) {
        let s = self.inner.lock();
        (s.ptz, s.ptz_moving.is_some())
    }

    /// What `getHardware` answers now: the device lists and the current devices.
    pub fn hardware(&self) -> serde_json::Map<String, serde_json::Value> {
        let s = self.inner.lock();
        self.inner.hardware(&s)
    }

    /// The address book's ids now, in order.
    pub fn abook_ids(&self) -> Vec<String> {
        self.inner
            .lock()
            .abook
            .iter()
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The conference now, as its participants stand: each one's id, whether on the
    /// podium, and whether a moderator; with the conference's type and whether the Room itself
    /// is on the podium. `None` outside a conference.
    pub fn conference(&self) -> Option<SimConference> {
        let s = self.inner.lock();
        match &s.call {
            state::Call::Conference(c) => Some(SimConference {
                conf_type: c.conf_type,
                title: c.title.clone(),
                my_podium: c.my_podium,
                participants: c
                    .participants
                    .iter()
                    .map(|p| (p.id.clone(), p.broadcast, p.moderator))
                    .collect(),
            }),
            _ => None,
        }
    }

    /// The application state now.
    pub fn app_state(&self) -> i64 {
        self.inner.lock().app_state
    }

    /// A user calls the Room (docs/room-protocol.md, App states:
    /// inviteReceived, appStateChanged 4).
    pub fn incoming_call(&self, from: &str) -> Result<(), super::SimError> {
        self.inner.incoming(from, 0, None)
    }

    /// A user invites the Room into a group conference.
    pub fn incoming_invitation(&self, from: &str, title: &str) -> Result<(), super::SimError> {
        self.inner.incoming(from, 1, Some(title.to_string()))
    }

    /// A user's presence changes (`status` 0 offline, 1 available, 2 busy, 5 in a conference;
    /// `ext` as `extStatus`, docs/room-protocol.md), announced as `usersStatusesChanged`.
    pub fn set_presence(
        &self,
        who: &str,
        status: i64,
        ext: i64,
        note: &str,
    ) -> Result<(), super::SimError> {
        self.inner.set_presence(who, status, ext, note)
    }

    /// The other side of a call hangs up, or a participant leaves a conference.
    pub fn peer_hangs_up(&self, who: &str) -> Result<(), super::SimError> {
        self.inner.peer_leaves(who)
    }

    /// A participant switches its microphone or camera (0 none, 1 muted, 2 on).
    pub fn peer_devices(&self, who: &str, mic: i64, video: i64) -> Result<(), super::SimError> {
        self.inner.peer_devices(who, mic, video)
    }

    /// A chat message from a user to the Room.
    pub fn chat_from(&self, who: &str, text: &str) -> Result<(), super::SimError> {
        let inner = &self.inner;
        let s = inner.lock();
        let u = inner
            .cfg
            .world
            .user(who)
            .ok_or_else(|| super::SimError::NoUser(who.to_string()))?;
        let id = inner.cfg.world.full_id(u);
        let e = event(
            "incomingChatMessage",
            json!({"peerId": id, "peerDn": u.name, "message": text, "time": now_secs(), "chatId": id}),
        );
        inner.publish(&s, vec![e]);
        Ok(())
    }
}
