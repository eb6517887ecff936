//! The session and the account: API version, app state, auth info, the server connection,
//! login and logout; custom events (docs/room-protocol.md, App states and Methods the console
//! uses).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::dispatch::Events;
use super::peers::Timer;
use super::state::{Call, Inner, Outcome, SimState, app_state_event, event};
use crate::room::protocol::Fields;

impl Inner {
    /// `setUsedApiVersion`.
    pub(super) fn set_used_api_version(
        self: &Arc<Self>,
        _: &mut SimState,
        p: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        set_api_version(p)
    }

    /// `getAppState`.
    pub(super) fn get_app_state(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        let mut m = app_state_event(s.app_state, self.http_port);
        m.remove("event");
        m.remove("method");
        Outcome {
            reply: m,
            ..Default::default()
        }
    }

    /// `getAuthInfo`.
    pub(super) fn get_auth_info(
        self: &Arc<Self>,
        _: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        Outcome::ok(json!({
            "adminAuth": {"security": if self.cfg.pin.is_some() { "pin" } else { "unsecured" }},
            "userAuth": {"security": if self.cfg.user_pin.is_some() || self.cfg.pin.is_some() { "pin" } else { "unsecured" }}
        }))
    }

    /// `getTokenForHttpServer`.
    pub(super) fn get_token_for_http_server(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        Outcome::ok(json!({"token": self.new_http_token(s)}))
    }

    /// `getLogin`.
    pub(super) fn get_login(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        match &s.login {
            Some(id) => {
                Outcome::ok(json!({"isLoggedIn": true, "peerId": id, "peerDn": self.room_name(s)}))
            }
            None => Outcome::ok(json!({"isLoggedIn": false, "peerId": "", "peerDn": ""})),
        }
    }

    /// `getConnected`.
    pub(super) fn get_connected(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        let world = &self.cfg.world;
        match &s.server {
            Some((srv, port)) => Outcome::ok(
                json!({"state": 2, "serverInfo": {"server": srv, "service": false, "port": port, "domain": world.server}}),
            ),
            None => Outcome::ok(json!({"state": i32::from(s.app_state == 1)})),
        }
    }

    /// `getServerDomain`.
    pub(super) fn get_server_domain(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        let world = &self.cfg.world;
        match &s.server {
            Some(_) => Outcome::ok(json!({"domain": world.server})),
            None => Outcome::err("not connected to a server"),
        }
    }

    /// `connectToServer`.
    pub(super) fn connect_to_server(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        let world = &self.cfg.world;
        match s.app_state {
            0 => {}
            // Connected, logged in or not: the Room leaves that server for the new one
            // (docs/room-protocol.md, R33).
            2 | 3 => {
                s.generation += 1;
                if s.login.take().is_some() {
                    ev.push(event("logout", json!({"result": 0, "cause": 0})));
                }
                if let Some((old, port)) = s.server.take() {
                    ev.push(event(
                        "serverDisconnected",
                        json!({"service": false, "server": old, "port": port}),
                    ));
                }
                self.set_state(s, 0, ev);
            }
            other => {
                return Outcome::err(format!(
                    "cannot change servers now (application state {other}: {})",
                    if other == 1 {
                        "connecting"
                    } else {
                        "in a call"
                    }
                ));
            }
        }
        let server = p.str_of("server").unwrap_or_default();
        let port = p.i64_of("port").unwrap_or(4307);
        self.set_state(s, 1, ev);
        let known = server.eq_ignore_ascii_case(&world.server)
            || server == "127.0.0.1"
            || server.eq_ignore_ascii_case("localhost");
        let mut o = Outcome::default();
        if known {
            s.server = Some((server.clone(), port));
            ev.push(event(
                "serverConnected",
                json!({"service": false, "server": server, "port": port, "domain": world.server}),
            ));
            self.set_state(s, 2, ev);
        } else {
            o.timers.push((
                self.cfg.scaled(Duration::from_secs(2)),
                Timer::ConnectFails { server, port },
            ));
        }
        o
    }

    /// `login`.
    pub(super) fn login(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        let world = &self.cfg.world;
        if s.app_state != 2 {
            return Outcome::err(format!(
                "login needs a server connection and no account (application state {})",
                s.app_state
            ));
        }
        let login = p.str_of("login").unwrap_or_default();
        let password = p.str_of("password").unwrap_or_default();
        match world.user(&login).filter(|u| u.password() == password) {
            Some(u) => {
                let id = world.full_id(u);
                s.login = Some(id.clone());
                ev.push(event(
                    "login",
                    json!({"result": 0, "peerId": id, "peerDn": u.name}),
                ));
                self.set_state(s, 3, ev);
                ev.push(event(
                    "abReceivedAfterLogin",
                    json!({"abook": self.abook(s)}),
                ));
            }
            None => ev.push(event(
                "login",
                json!({"result": 3, "peerId": login, "peerDn": ""}),
            )),
        }
        // The superset the Python peer's filter wants (docs/room-protocol.md, Python peer);
        // the outcome is the login event.
        Outcome::ok(json!({"isLoggedIn": false, "peerId": "", "peerDn": ""}))
    }

    /// `logout`.
    pub(super) fn logout(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        if s.login.is_none() {
            return Outcome::err("no account is logged in");
        }
        s.generation += 1;
        s.call = Call::Idle;
        s.login = None;
        ev.push(event("logout", json!({"result": 0, "cause": 0})));
        self.set_state(s, 2, ev);
        Outcome::default()
    }

    /// `fireMyEvent`.
    pub(super) fn fire_my_event(
        self: &Arc<Self>,
        _: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        ev.push(event(
            "myEvent",
            json!({"data": p.str_of("data").unwrap_or_default()}),
        ));
        Outcome::default()
    }
}

pub(super) fn set_api_version(p: &Map<String, Value>) -> Outcome {
    match p.str_of("version").as_deref() {
        Some("1" | "2") => Outcome::default(),
        other => Outcome::err(format!(
            "API version {} is not supported: use \"1\" or \"2\"",
            other.unwrap_or("(none)")
        )),
    }
}
