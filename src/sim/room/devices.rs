//! Devices: microphone, camera and speaker mute, receiving levels, the hardware lists and
//! the current devices (docs/room-protocol.md, Methods the console uses).

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::dispatch::Events;
use super::state::{Inner, Outcome, SimState, event, obj};
use crate::room::protocol::Fields;

pub(super) const MICS: &[(&str, &str)] = &[
    ("Simulated microphone", "sim-mic-0"),
    ("USB conference speakerphone", "sim-mic-1"),
];
pub(super) const SPEAKERS: &[(&str, &str)] = &[
    ("Simulated speakers", "sim-spk-0"),
    ("HDMI display audio", "sim-spk-1"),
];
pub(super) const CAMERAS: &[(&str, &str)] = &[
    ("Simulated PTZ camera", "sim-cam-0"),
    ("USB webcam", "sim-cam-1"),
];

impl Inner {
    /// `getMicMute`.
    pub(super) fn get_mic_mute(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        Outcome::ok(json!({"mute": s.mic_muted}))
    }

    /// `getVideoMute`.
    pub(super) fn get_video_mute(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        Outcome::ok(json!({"mute": s.camera_muted}))
    }

    /// `getAudioMute`.
    pub(super) fn get_audio_mute(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        Outcome::ok(json!({"mute": s.speaker_muted}))
    }

    /// `setMicMute`.
    pub(super) fn set_mic_mute(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        set_mute(&mut s.mic_muted, "audioCapturerMute", p, ev)
    }

    /// `setVideoMute`.
    pub(super) fn set_video_mute(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        set_mute(&mut s.camera_muted, "videoCapturerMute", p, ev)
    }

    /// `setAudioMute`.
    pub(super) fn set_audio_mute(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        set_mute(&mut s.speaker_muted, "audioRendererMute", p, ev)
    }

    /// `getAudioReceivingLevel`.
    pub(super) fn get_audio_receiving_level(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        let who = p.str_of("peerId").unwrap_or_default();
        Outcome::ok(json!({"level": s.receiving_levels.get(&who).copied().unwrap_or(100)}))
    }

    /// `setAudioReceivingLevel`.
    pub(super) fn set_audio_receiving_level(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        s.receiving_levels.insert(
            p.str_of("peerId").unwrap_or_default(),
            p.i64_of("level").unwrap_or(100),
        );
        Outcome::default()
    }

    /// `getHardware`.
    pub(super) fn get_hardware(
        self: &Arc<Self>,
        s: &mut SimState,
        _: &Map<String, Value>,
        _: &mut Events,
    ) -> Outcome {
        Outcome {
            reply: self.hardware(s),
            ..Default::default()
        }
    }

    /// `setAudioCapturer`.
    pub(super) fn set_audio_capturer(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        self.set_device(MICS, 0, s, p, ev)
    }

    /// `setAudioRenderer`.
    pub(super) fn set_audio_renderer(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        self.set_device(SPEAKERS, 1, s, p, ev)
    }

    /// `setVideoCapturer`.
    pub(super) fn set_video_capturer(
        self: &Arc<Self>,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        self.set_device(CAMERAS, 2, s, p, ev)
    }

    /// Selects the device named `name` in `list` (or none) for `slot`: 0 microphone,
    /// 1 speaker, 2 camera.
    fn set_device(
        &self,
        list: &[(&str, &str)],
        slot: usize,
        s: &mut SimState,
        p: &Map<String, Value>,
        ev: &mut Events,
    ) -> Outcome {
        let name = p.str_of("name").unwrap_or_default();
        let idx = if name == "none" {
            list.len()
        } else {
            match list.iter().position(|(n, _)| *n == name) {
                Some(i) => i,
                None => return Outcome::err(format!("no device named `{name}`")),
            }
        };
        s.devices[slot] = idx;
        let mut e = self.hardware(s);
        e.insert("event".into(), Value::String("hardwareChanged".into()));
        e.insert("method".into(), Value::String("event".into()));
        ev.push(e);
        if slot == 2 {
            // Another camera: its PTZ controls (or none).
            ev.push(self.ptz_changed(s));
        }
        Outcome::default()
    }

    pub(super) fn hardware(&self, s: &SimState) -> Map<String, Value> {
        let list = |l: &[(&str, &str)]| -> Value {
            l.iter()
                .map(|(n, d)| json!({"name": n, "description": d, "type": 1, "connected": true}))
                .collect()
        };
        fn cur(
            l: &'static [(&'static str, &'static str)],
            i: usize,
        ) -> (&'static str, &'static str) {
            l.get(i).copied().unwrap_or(("none", "none"))
        }
        let (m, sp, c) = (
            cur(MICS, s.devices[0]),
            cur(SPEAKERS, s.devices[1]),
            cur(CAMERAS, s.devices[2]),
        );
        obj(json!({
            "audioCapturers": list(MICS), "currentAudioCapturerName": m.0, "currentAudioCapturerDescription": m.1, "currentAudioCapturerType": 1,
            "audioRenderers": list(SPEAKERS), "currentAudioRendererName": sp.0, "currentAudioRendererDescription": sp.1, "currentAudioRendererType": 1,
            "videoCapturers": list(CAMERAS), "currentVideoCapturerName": c.0, "currentVideoCapturerDescription": c.1, "currentVideoCapturerType": 1,
            "DSCaptureList": []
        }))
    }
}

/// Mutes or unmutes one of the Room's own devices and announces it as `event_name`.
fn set_mute(flag: &mut bool, event_name: &str, p: &Map<String, Value>, ev: &mut Events) -> Outcome {
    let mute = p.bool_of("mute").unwrap_or(false);
    *flag = mute;
    ev.push(event(event_name, json!({ "mute": mute })));
    Outcome::default()
}
