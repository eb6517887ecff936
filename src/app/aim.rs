//! Aiming the shown room's camera (`z`): arrows (or h j k l) pan and tilt, `+`/`-` zoom, `0`
//! goes back to the default position, Esc ends. A terminal reports no key release, so each
//! press is a start followed at once by a stop (`ptzRight`, `ptzStop`): the camera moves a
//! step and stops by itself; a held key repeats. The position shown is what the Room last
//! said (`ptzControlsChanged`).

use crossterm::event::{KeyCode, KeyEvent};
use serde_json::json;

use super::{Cmd, Mode, Model, NoticeLevel};

/// `z`: aiming room `room`'s camera.
pub(super) fn open(m: &mut Model, room: usize) -> Vec<Cmd> {
    let ptz = m.room.slot(room).and_then(|s| s.state.ptz.clone());
    if ptz.as_ref().is_some_and(|p| !p.any()) {
        let camera = ptz
            .and_then(|p| p.camera)
            .map(|c| format!(" ({})", crate::sanitize::line(&c)))
            .unwrap_or_default();
        m.notify(
            NoticeLevel::Info,
            format!("The camera{camera} reports no pan, tilt or zoom"),
        );
        return vec![];
    }
    m.mode = Mode::Aim { room };
    m.touch();
    vec![]
}

pub(super) fn on_key(m: &mut Model, k: &KeyEvent) -> Vec<Cmd> {
    let Mode::Aim { room } = m.mode else {
        return vec![];
    };
    let start = match k.code {
        KeyCode::Left | KeyCode::Char('h') => "ptzLeft",
        KeyCode::Right | KeyCode::Char('l') => "ptzRight",
        KeyCode::Up | KeyCode::Char('k') => "ptzUp",
        KeyCode::Down | KeyCode::Char('j') => "ptzDown",
        KeyCode::Char('+' | '=') => "ptzZoomInc",
        KeyCode::Char('-') => "ptzZoomDec",
        KeyCode::Char('0') => {
            return if up(m, room) {
                vec![Cmd::room(room, "setPtzDefaults", json!({}))]
            } else {
                vec![]
            };
        }
        KeyCode::Esc | KeyCode::Char('z' | 'q') | KeyCode::Enter => {
            m.mode = Mode::Normal;
            m.touch();
            return vec![];
        }
        _ => return vec![],
    };
    if !up(m, room) {
        return vec![];
    }
    vec![
        Cmd::room(room, start, json!({})),
        Cmd::room(room, "ptzStop", json!({})),
    ]
}

/// Whether room `room`'s link is up (said when not).
pub(super) fn up(m: &mut Model, room: usize) -> bool {
    let ok = m.room.slot(room).is_some_and(|s| s.link.is_up());
    if !ok {
        m.notify(
            NoticeLevel::Warn,
            "The Room is not connected: the camera cannot be moved",
        );
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testkit::*;
    use crate::app::{Msg, update};
    use crate::room::RoomLinkEvent;

    #[test]
    fn each_press_is_a_start_then_a_stop_on_the_shown_room() {
        let mut m = online_demo();
        update(&mut m, press('z'));
        assert_eq!(m.mode, Mode::Aim { room: 0 });
        assert_eq!(
            kc(&mut m, KeyCode::Right),
            vec![
                Cmd::room(0, "ptzRight", json!({})),
                Cmd::room(0, "ptzStop", json!({}))
            ]
        );
        assert_eq!(
            update(&mut m, press('-')),
            vec![
                Cmd::room(0, "ptzZoomDec", json!({})),
                Cmd::room(0, "ptzStop", json!({}))
            ]
        );
        assert_eq!(
            update(&mut m, press('0')),
            vec![Cmd::room(0, "setPtzDefaults", json!({}))]
        );
        kc(&mut m, KeyCode::Esc);
        assert_eq!(m.mode, Mode::Normal);
    }

    #[test]
    fn a_camera_without_ptz_is_not_aimed() {
        let mut m = online_demo();
        let mut st = m.room.state.clone();
        st.ptz = Some(crate::room::ptz::Ptz {
            camera: Some("USB webcam".into()),
            ..Default::default()
        });
        update(&mut m, Msg::Room(0, RoomLinkEvent::State(Box::new(st))));
        assert!(update(&mut m, press('z')).is_empty());
        assert_eq!(m.mode, Mode::Normal);
        assert_eq!(
            m.ui.notice.unwrap().text,
            "The camera (USB webcam) reports no pan, tilt or zoom"
        );
    }
}
