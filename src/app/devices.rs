//! Choosing the Room's microphone, speaker and camera (`D`): the lists the Room reported
//! (`getHardware`, `hardwareChanged`), the current one of each marked; Enter asks the Room to
//! switch (`setAudioCapturer`, `setAudioRenderer`, `setVideoCapturer`). The mark moves when
//! the Room says it switched, never before.

use serde_json::json;

use super::{Cmd, Mode, Model, NoticeLevel};
use crate::keys::{Action, Context, KeySpec};
use crate::room::state::Devices;

/// Which kind of device a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Microphone,
    Speaker,
    Camera,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Microphone, Kind::Speaker, Kind::Camera];

    pub fn label(self) -> &'static str {
        match self {
            Kind::Microphone => "Microphone",
            Kind::Speaker => "Speaker",
            Kind::Camera => "Camera",
        }
    }

    /// The method that selects a device of this kind.
    fn method(self) -> &'static str {
        match self {
            Kind::Microphone => "setAudioCapturer",
            Kind::Speaker => "setAudioRenderer",
            Kind::Camera => "setVideoCapturer",
        }
    }

    fn of(self, d: &Devices) -> (&[crate::room::state::Device], Option<&str>) {
        match self {
            Kind::Microphone => (&d.microphones, d.microphone.as_deref()),
            Kind::Speaker => (&d.speakers, d.speaker.as_deref()),
            Kind::Camera => (&d.cameras, d.camera.as_deref()),
        }
    }
}

/// One choosable device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub kind: Kind,
    pub name: String,
    pub description: String,
    /// The Room says it is the current one of its kind.
    pub current: bool,
}

/// Every device the Room listed, by kind (microphones, speakers, cameras), in its order.
pub fn rows(d: &Devices) -> Vec<DeviceRow> {
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let (list, current) = kind.of(d);
        for dev in list {
            out.push(DeviceRow {
                kind,
                name: dev.name.clone(),
                description: dev.description.clone(),
                current: current == Some(dev.name.as_str()),
            });
        }
    }
    out
}

/// `D`: the shown room's devices.
pub(super) fn open(m: &mut Model, room: usize) -> Vec<Cmd> {
    m.mode = Mode::Devices { room, selected: 0 };
    m.touch();
    vec![]
}

pub(super) fn on_key(m: &mut Model, key: KeySpec) -> Vec<Cmd> {
    let Mode::Devices { room, selected } = m.mode else {
        return vec![];
    };
    let action =
        m.ui.keys
            .lookup(key, &[Context::Global, Context::Room, Context::History]);
    let Some(slot) = m.room.slot(room) else {
        m.mode = Mode::Normal;
        m.touch();
        return vec![];
    };
    let list = rows(&slot.state.devices);
    let last = list.len().saturating_sub(1);
    let to = match action {
        Some(Action::Down) => (selected + 1).min(last),
        Some(Action::Up) => selected.saturating_sub(1),
        Some(Action::PageDown) => (selected + 10).min(last),
        Some(Action::PageUp) => selected.saturating_sub(10),
        Some(Action::Back | Action::Devices | Action::Quit) => {
            m.mode = Mode::Normal;
            m.touch();
            return vec![];
        }
        Some(Action::Open) => {
            let Some(row) = list.get(selected.min(last)).cloned() else {
                return vec![];
            };
            return choose(m, room, &row);
        }
        _ => return vec![],
    };
    m.mode = Mode::Devices { room, selected: to };
    m.touch();
    vec![]
}

fn choose(m: &mut Model, room: usize, row: &DeviceRow) -> Vec<Cmd> {
    let name = crate::sanitize::line(&row.name).into_owned();
    if row.current {
        m.notify(
            NoticeLevel::Info,
            format!("{}: {name} is already in use", row.kind.label()),
        );
        return vec![];
    }
    if !m.room.slot(room).is_some_and(|s| s.link.is_up()) {
        m.notify(
            NoticeLevel::Warn,
            "The Room is not connected: nothing changed",
        );
        return vec![];
    }
    m.notify(
        NoticeLevel::Info,
        format!("{}: {name} requested", row.kind.label()),
    );
    vec![Cmd::room(
        room,
        row.kind.method(),
        json!({ "name": row.name, "description": row.description }),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testkit::*;
    use crate::app::{Msg, update};
    use crate::room::RoomLinkEvent;
    use crate::room::state::Device;

    fn dev(n: &str, d: &str) -> Device {
        Device {
            name: n.into(),
            description: d.into(),
        }
    }

    fn with_devices(m: &mut Model) {
        let mut st = m.room.state.clone();
        st.devices = Devices {
            microphones: vec![dev("Mic", "m0")],
            speakers: vec![dev("Speakers", "s0"), dev("HDMI", "s1")],
            cameras: vec![dev("PTZ", "c0")],
            microphone: Some("Mic".into()),
            speaker: Some("Speakers".into()),
            camera: None,
        };
        update(m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
    }

    #[test]
    fn enter_asks_the_room_for_the_device_and_the_mark_waits_for_the_room() {
        let mut m = online_demo();
        with_devices(&mut m);
        update(&mut m, press('D'));
        assert!(matches!(
            m.mode,
            Mode::Devices {
                room: 0,
                selected: 0
            }
        ));
        // Mic, Speakers, HDMI, PTZ: down twice is the HDMI speaker.
        kc(&mut m, crossterm::event::KeyCode::Down);
        kc(&mut m, crossterm::event::KeyCode::Down);
        let cmds = kc(&mut m, crossterm::event::KeyCode::Enter);
        assert_eq!(
            cmds,
            vec![Cmd::room(
                0,
                "setAudioRenderer",
                json!({ "name": "HDMI", "description": "s1" })
            )]
        );
        let r = rows(&m.room.state.devices);
        assert!(
            r[1].current && !r[2].current,
            "not switched until the Room says"
        );
        // The current one is not asked for again.
        kc(&mut m, crossterm::event::KeyCode::Up);
        assert!(kc(&mut m, crossterm::event::KeyCode::Enter).is_empty());
        assert!(m.ui.notice.clone().unwrap().text.contains("already in use"));
        // A camera the Room named no current one of: none marked.
        assert!(!r[3].current);
        update(&mut m, press('D'));
        assert_eq!(m.mode, Mode::Normal);
    }
}
