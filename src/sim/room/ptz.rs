//! The PTZ camera: the first simulated camera ("Simulated PTZ camera") pans and tilts from
//! -100 to 100 and zooms from 0 to 100, in steps of 10. A start (`ptzLeft`, `ptzRight`,
//! `ptzUp`, `ptzDown`, `ptzZoomInc`, `ptzZoomDec`) moves one step at once and is under way
//! until `ptzStop`; each change is announced as `ptzControlsChanged` with the whole controls.
//! The other camera has no PTZ: its controls are empty and the commands are refused.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::dispatch::Events;
use super::state::{Inner, Outcome, SimState, event, obj};

const STEP: i64 = 10;
/// (min, max) of pan, tilt, zoom.
const RANGES: [(i64, i64); 3] = [(-100, 100), (-100, 100), (0, 100)];

impl Inner {
    /// The camera in use has PTZ controls.
    fn has_ptz(s: &SimState) -> bool {
        s.devices[2] == 0
    }

    fn ptz_controls(&self, s: &SimState) -> Map<String, Value> {
        let (name, description) = super::devices::CAMERAS
            .get(s.devices[2])
            .copied()
            .unwrap_or(("none", "none"));
        if !Self::has_ptz(s) {
            return obj(
                json!({"videoCapturerName": name, "videoCapturerDescription": description}),
            );
        }
        let axis = |i: usize| json!({"min": RANGES[i].0, "max": RANGES[i].1, "step": STEP, "value": s.ptz[i]});
        obj(json!({
            "pan": axis(0), "tilt": axis(1), "zoom": axis(2),
            "videoCapturerName": name, "videoCapturerDescription": description
        }))
    }

    /// `ptzControlsChanged` with the controls of the camera in use.
    pub(super) fn ptz_changed(&self, s: &SimState) -> Map<String, Value> {
        let mut e = self.ptz_controls(s);
        e.extend(event("ptzControlsChanged", json!({})));
        e
    }

    /// Starts a motion: one step along `axis` (`dir` ±1) at once.
    fn ptz_start(
        &self,
        s: &mut SimState,
        what: &str,
        axis: usize,
        dir: i64,
        ev: &mut Events,
    ) -> Outcome {
        if !Self::has_ptz(s) {
            return Outcome::err("the current camera has no PTZ controls");
        }
        s.ptz_moving = Some(what.to_string());
        let (lo, hi) = RANGES[axis];
        let to = (s.ptz[axis] + dir * STEP).clamp(lo, hi);
        if to != s.ptz[axis] {
            s.ptz[axis] = to;
            let mut e = self.ptz_controls(s);
            e.extend(event("ptzControlsChanged", json!({})));
            ev.push(e);
        }
        Outcome::default()
    }

    pub(super) fn ptz_up(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        self.ptz_start(s, "up", 1, 1, ev)
    }

    pub(super) fn ptz_down(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        self.ptz_start(s, "down", 1, -1, ev)
    }

    pub(super) fn ptz_left(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        self.ptz_start(s, "left", 0, -1, ev)
    }

    pub(super) fn ptz_right(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        self.ptz_start(s, "right", 0, 1, ev)
    }

    pub(super) fn ptz_zoom_inc(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        self.ptz_start(s, "zoom in", 2, 1, ev)
    }

    pub(super) fn ptz_zoom_dec(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        self.ptz_start(s, "zoom out", 2, -1, ev)
    }

    /// `ptzStop`: whatever moved stops (nothing to announce: the position is as last said).
    pub(super) fn ptz_stop(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        s.ptz_moving = None;
        Outcome::default()
    }

    /// `setPtzDefaults`: back to the middle, zoomed out.
    pub(super) fn set_ptz_defaults(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        if !Self::has_ptz(s) {
            return Outcome::err("the current camera has no PTZ controls");
        }
        s.ptz = [0, 0, 0];
        s.ptz_moving = None;
        let mut e = self.ptz_controls(s);
        e.extend(event("ptzControlsChanged", json!({})));
        ev.push(e);
        Outcome::default()
    }

    /// `getPtzControls`.
    pub(super) fn get_ptz_controls(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        Outcome {
            reply: self.ptz_controls(s),
            ..Default::default()
        }
    }
}
