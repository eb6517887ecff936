//! Who may do what: which credentials give administrator or user rights, and which methods
//! need administrator rights (docs/room-protocol.md, Authentication and Rights).

use std::net::IpAddr;
use std::time::Instant;

use serde_json::{Map, Value};

use super::state::{Inner, PinFailures};
use crate::room::protocol::Fields;
use crate::room::spec::MethodSpec;
use crate::sim::SimError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Admin,
    User,
}

/// Refuses an administrator's method to a user-level session.
pub(super) fn may_call(role: Role, spec: &MethodSpec, method: &str) -> Result<(), SimError> {
    if spec.admin_only && role != Role::Admin {
        return Err(SimError::Refused(format!(
            "`{method}` needs administrator rights; this session has user rights"
        )));
    }
    Ok(())
}

impl Inner {
    /// Authenticates a client at `peer`, counting its wrong PINs: after
    /// `RoomSimConfig::pin_attempts` wrong ones in a row, every auth from that address (even with
    /// the right PIN) is refused for `pin_lockout` (docs/room-protocol.md, Authentication).
    pub(super) fn auth_from(&self, peer: IpAddr, p: &Map<String, Value>) -> Result<Role, SimError> {
        let now = Instant::now();
        if let Some(until) = self.lock().pin_lockouts.get(&peer).and_then(|f| f.until)
            && until > now
        {
            return Err(SimError::LockedOut(
                until.duration_since(now).as_secs().max(1),
            ));
        }
        let r = self.auth(p);
        let mut s = self.lock();
        match r {
            Err(SimError::WrongPin) => {
                let f = s.pin_lockouts.entry(peer).or_default();
                if f.until.is_some_and(|u| u <= now) {
                    *f = PinFailures::default();
                }
                f.wrong += 1;
                if f.wrong >= self.cfg.pin_attempts.max(1) {
                    f.wrong = 0;
                    f.until = Some(now + self.cfg.pin_lockout);
                }
            }
            Ok(_) => {
                s.pin_lockouts.remove(&peer);
            }
            Err(_) => {}
        }
        r
    }

    /// Authenticates: returns the role, or the error text.
    pub(super) fn auth(&self, p: &Map<String, Value>) -> Result<Role, SimError> {
        let kind = p.str_of("type");
        let creds = p.str_of("credentials");
        let want = p.str_of("role");
        let granted = match (kind.as_deref(), creds) {
            (Some("secured"), Some(c)) => {
                if self.cfg.pin.as_deref() == Some(c.as_str()) {
                    Role::Admin
                } else if self.cfg.user_pin.as_deref() == Some(c.as_str()) {
                    Role::User
                } else if let Some(r) = self.lock().tokens.get(&c) {
                    *r
                } else if self.cfg.pin.is_none() && self.cfg.user_pin.is_none() {
                    Role::Admin
                } else {
                    return Err(SimError::WrongPin);
                }
            }
            (Some("secured"), None) => {
                return Err(SimError::Refused("secured auth needs credentials".into()));
            }
            (Some("unsecured") | None, _) => {
                if self.cfg.pin.is_some() || self.cfg.user_pin.is_some() {
                    return Err(SimError::Refused(
                        "this Room is protected by a PIN: use secured auth".into(),
                    ));
                }
                Role::Admin
            }
            (Some(other), _) => {
                return Err(SimError::Refused(format!("unknown auth type `{other}`")));
            }
        };
        match want.as_deref() {
            Some("admin") if granted != Role::Admin => Err(SimError::Refused(
                "these credentials do not give administrator rights".into(),
            )),
            Some("user") => Ok(Role::User),
            _ => Ok(granted),
        }
    }
}
