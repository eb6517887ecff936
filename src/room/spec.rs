//! The shapes of the Room API catalog: a method's parameters with their JSON types, whether
//! it needs an administrator, what its reply carries; an event's fields. The data itself is in
//! `catalog.rs`, generated from `scripts/room-catalog.json` by `scripts/gen_room_catalog.py`.

use serde::Serialize;
use serde_json::{Map, Value};

/// A typed request: a struct whose fields are the method's parameters.
pub trait RoomMethod: Serialize {
    /// The JSON `method` name.
    const NAME: &'static str;

    /// The catalog entry of this method.
    fn spec() -> &'static MethodSpec {
        method(Self::NAME).expect("every generated method is in METHODS")
    }

    /// The parameters as the JSON object's top-level keys.
    fn params(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        }
    }
}

pub use crate::apispec::{EventSpec, MethodSpec, ParamError, ParamSpec, ParamType};

/// The catalog entry of a method, by its exact JSON name.
pub fn method(name: &str) -> Option<&'static MethodSpec> {
    super::catalog::METHODS.iter().find(|m| m.name == name)
}

/// The catalog entry of an event, by its exact JSON name.
pub fn event(name: &str) -> Option<&'static EventSpec> {
    super::catalog::EVENTS.iter().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room::catalog::{self, EVENTS, METHODS};
    use serde_json::json;

    #[test]
    fn the_catalog_holds_every_method_and_event_of_the_reference_once() {
        // docs/room-protocol.md, Catalog: 210 methods built by py-lib, 11 more in consts.py, 39
        // in the C++ wrapper; 149 events in consts.py, 31 more in the C++ wrapper.
        assert_eq!(METHODS.len(), 260);
        assert_eq!(EVENTS.len(), 180);
        let mut names: Vec<_> = METHODS.iter().map(|m| m.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), METHODS.len(), "a method is listed twice");
        let mut ev: Vec<_> = EVENTS.iter().map(|e| e.name).collect();
        ev.sort_unstable();
        ev.dedup();
        assert_eq!(ev.len(), EVENTS.len(), "an event is listed twice");
    }

    #[test]
    fn admin_only_methods_are_the_documented_fourteen() {
        let mut admin: Vec<_> = METHODS
            .iter()
            .filter(|m| m.admin_only)
            .map(|m| m.name)
            .collect();
        admin.sort_unstable();
        assert_eq!(
            admin,
            [
                "activateLicense",
                "clearTokens",
                "connectToServer",
                "connectToService",
                "getHardwareKey",
                "getInfoWidgetsState",
                "getLogo",
                "login",
                "logout",
                "rebootSystem",
                "setDefaultLogo",
                "setLogo",
                "shutdown",
                "shutdownSystem"
            ]
        );
    }

    #[test]
    fn typed_requests_serialize_to_the_wire_keys() {
        let c = catalog::Call {
            peer_id: "alice".into(),
            pin: None,
        };
        assert_eq!(Value::Object(c.params()), json!({"peerId": "alice"}));
        assert_eq!(catalog::Call::spec().group, "Calls & conferences");
        let h = catalog::HangUp {
            for_all: Some(true),
        };
        assert_eq!(Value::Object(h.params()), json!({"forAll": true}));
        let cc = catalog::CreateConference {
            title: "Sync".into(),
            conf_type: Some("symmetric".into()),
            invite_list: Some(vec!["alice".into()]),
            ..Default::default()
        };
        assert_eq!(
            Value::Object(cc.params()),
            json!({"title": "Sync", "confType": "symmetric", "inviteList": ["alice"]})
        );
        assert!(
            method("createConference")
                .unwrap()
                .validate(&cc.params())
                .is_empty()
        );
    }

    #[test]
    fn validation_names_every_problem() {
        let spec = method("setAudioReceivingLevel").unwrap();
        let errs = spec.validate(json!({"level": "loud", "volume": 3}).as_object().unwrap());
        let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "`setAudioReceivingLevel` needs `peerId` (string)",
                "`level` of `setAudioReceivingLevel` must be integer, not a string",
                "`setAudioReceivingLevel` has no parameter `volume`; it takes `peerId`, `level`"
            ]
        );
        assert!(
            method("getAppState")
                .unwrap()
                .validate(&Map::new())
                .is_empty()
        );
        // An open spec takes anything.
        assert!(
            method("startUpdate")
                .unwrap()
                .validate(json!({"x": 1}).as_object().unwrap())
                .is_empty()
        );
    }

    #[test]
    fn every_template_validates() {
        for m in METHODS {
            assert!(m.validate(&m.template()).is_empty(), "{}", m.name);
        }
    }

    #[test]
    fn core_events_have_their_filter_fields() {
        assert_eq!(
            event("inviteReceived").unwrap().fields,
            ["peerId", "peerDn", "type", "confId"]
        );
        assert_eq!(
            event("currentUserDisplayNameChanged").unwrap().fields,
            ["peerDn"]
        );
        assert!(event("waitingRoomStateChanged").is_some());
    }
}
