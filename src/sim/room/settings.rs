//! Settings and system information (docs/room-protocol.md, Methods the console uses).

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::devices::CAMERAS;
use super::dispatch::Events;
use super::state::{Inner, Outcome, SimState, event};

impl Inner {
    /// `getSettings`.
    pub(super) fn get_settings(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        let list: Vec<Value> = s
            .settings
            .iter()
            .map(|(k, v)| json!({"name": k, "value": v}))
            .collect();
        Outcome::ok(json!({ "settings": list }))
    }

    /// `setSettings`.
    pub(super) fn set_settings(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        let Some(Value::Object(new)) = p.get("settings") else {
            return Outcome::err("`settings` must be an object");
        };
        for (k, v) in new {
            if k == "audioPlayLevel" && !v.as_f64().is_some_and(|f| (0.0..=1.0).contains(&f)) {
                return Outcome::err("audioPlayLevel must be a number from 0.0 to 1.0");
            }
        }
        for (k, v) in new {
            s.settings.insert(k.clone(), v.clone());
            ev.push(event("settingsChanged", json!({"name": k, "value": v})));
        }
        Outcome::default()
    }

    /// `getSystemInfo`.
    pub(super) fn get_system_info(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        Outcome::ok(self.system_info(s))
    }

    /// `getMonitorsInfo`.
    pub(super) fn get_monitors_info(
        self: &Arc<Self>,
        _: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        Outcome::ok(
            json!({"monitors": [{"index": 0, "name": "Simulated display", "width": 1920, "height": 1080}], "currentMonitor": 0}),
        )
    }

    pub(super) fn system_info(&self, s: &SimState) -> Value {
        let mut v = json!({
            "fileInfo": {"major": 5, "minor": 0, "revision": 0, "build": 0},
            "productInfo": {"major": 5, "minor": 0, "revision": 0, "build": 0},
            "bitrateLimits": {"max": 20480, "min": 32},
            "systemRating": {"videoQuality": {"send": "FHD", "receiveP2P": "FHD", "receiveGroup": "FHD"}},
            "cameraInfo": {"name": CAMERAS[s.devices[2].min(CAMERAS.len() - 1)].0},
        });
        if let (Some(id), Value::Object(m)) = (&s.login, &mut v) {
            m.insert(
                "authInfo".into(),
                json!({"peerId": id, "peerDn": self.room_name(s)}),
            );
            m.insert(
                "permissionsInfo".into(),
                json!({"tariffName": "", "p2p": true, "createMulti": true, "symMaxNumber": 10, "asymMaxNumber": 10,
                       "roleMaxNumber": 10, "rlMaxNumber": 4, "canUseSlideShow": true, "canUseDesktopSharing": true,
                       "canChangeAddressBook": true, "canEditGroups": true, "canUseDialer": false}),
            );
        }
        v
    }
}
