//! The Room camera's pan, tilt and zoom, as `getPtzControls` and `ptzControlsChanged` say
//! them. Each axis may come as an object (`value` or `pos` or `current`, with `min`, `max`)
//! or as a bare number; an axis the Room did not give is absent, not zero.

use serde::Serialize;
use serde_json::{Map, Value};

use super::protocol::Fields;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Axis {
    pub value: Option<i64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

/// The camera's PTZ controls: an axis the Room gave none of is `None`. A camera with none at
/// all has no PTZ.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ptz {
    pub pan: Option<Axis>,
    pub tilt: Option<Axis>,
    pub zoom: Option<Axis>,
    /// The camera these controls are of, if said.
    pub camera: Option<String>,
}

impl Ptz {
    /// The camera can be aimed (the Room gave at least one axis).
    pub fn any(&self) -> bool {
        self.pan.is_some() || self.tilt.is_some() || self.zoom.is_some()
    }
}

fn axis(v: Option<&Value>) -> Option<Axis> {
    match v? {
        Value::Object(o) => {
            let value = o
                .i64_of("value")
                .or_else(|| o.i64_of("pos"))
                .or_else(|| o.i64_of("current"));
            let a = Axis {
                value,
                min: o.i64_of("min"),
                max: o.i64_of("max"),
            };
            (a != Axis::default()).then_some(a)
        }
        Value::Number(n) => Some(Axis {
            value: n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            ..Axis::default()
        }),
        Value::String(s) => s.trim().parse().ok().map(|v| Axis {
            value: Some(v),
            ..Axis::default()
        }),
        _ => None,
    }
}

/// The controls in a `getPtzControls` reply or a `ptzControlsChanged` event.
pub fn parse(body: &Map<String, Value>) -> Ptz {
    Ptz {
        pan: axis(body.get("pan")),
        tilt: axis(body.get("tilt")),
        zoom: axis(body.get("zoom")),
        camera: body.str_of("videoCapturerName").filter(|s| !s.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_reading_of_an_axis_is_taken_and_a_missing_one_is_not_zero() {
        let p = parse(
            json!({"pan": {"min": -100, "max": 100, "value": 20}, "tilt": 5, "zoom": {"pos": "30"},
                   "videoCapturerName": "PTZ"})
            .as_object()
            .unwrap(),
        );
        assert_eq!(
            p.pan,
            Some(Axis {
                value: Some(20),
                min: Some(-100),
                max: Some(100)
            })
        );
        assert_eq!(p.tilt.unwrap().value, Some(5));
        assert_eq!(p.zoom.unwrap().value, Some(30));
        assert!(p.any());
        let none = parse(
            json!({"videoCapturerName": "USB webcam", "pan": {}})
                .as_object()
                .unwrap(),
        );
        assert!(!none.any(), "no axis given: no PTZ");
        assert_eq!(none.camera.as_deref(), Some("USB webcam"));
    }
}
