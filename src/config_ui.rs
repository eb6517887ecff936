//! `[ui]`: how the console looks and what it asks of the terminal (theme, bell, key bindings,
//! the terminal's powers, pictures, the live camera view).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::keys::{Action, KeyList, KeyMap};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    Mono,
}

/// `[ui]`
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiConfig {
    #[serde(default)]
    pub theme: ThemeName,
    #[serde(default = "yes")]
    pub bell: bool,
    /// `[ui.keys]`: action name → key or list of keys.
    #[serde(default, deserialize_with = "de_keys")]
    pub keys: KeyMap,
    /// Where downloaded attachments go (default: the user's download directory).
    #[serde(default)]
    pub download_dir: Option<PathBuf>,
    /// Clicks and the wheel (on by default; `false` leaves the mouse to the terminal, for
    /// selecting text without holding Shift).
    #[serde(default = "yes")]
    pub mouse: bool,
    /// Links in messages as the terminal's hyperlinks (OSC 8).
    #[serde(default = "yes")]
    pub links: bool,
    /// `y` copies to the clipboard through the terminal (OSC 52), over SSH too.
    #[serde(default = "yes")]
    pub copy: bool,
    /// Desktop notifications through the terminal (OSC 777 or OSC 9): calls, mentions, new
    /// messages in a chat not on screen.
    #[serde(default = "yes")]
    pub notify: bool,
    /// The window title says the unread count and a ringing call (OSC 2).
    #[serde(default = "yes")]
    pub title: bool,
    /// Pictures in the history: previewed, or a line as other files.
    #[serde(default)]
    pub images: Images,
    /// `camera_fps`: how often the live camera view (`W`) asks the Room for a frame, as
    /// milliseconds between frames (the file gives frames per second, 0.1 to 10; 2 by
    /// default).
    #[serde(
        rename = "camera_fps",
        default = "default_camera_every",
        deserialize_with = "de_fps"
    )]
    pub camera_every_ms: u32,
    /// `camera_graphics`: the live camera view draws its frames with the terminal's graphics
    /// protocol (the one `images` chose) instead of half blocks. Off by default: a protocol
    /// sends each frame as a whole picture of the screen's pixels.
    #[serde(default)]
    pub camera_graphics: bool,
}

/// 2 frames per second.
fn default_camera_every() -> u32 {
    500
}

fn de_fps<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    use serde::de::Error;
    let fps = f64::deserialize(d)?;
    if !(0.1..=10.0).contains(&fps) {
        return Err(D::Error::custom(format!(
            "camera_fps = {fps}: give frames per second from 0.1 to 10"
        )));
    }
    Ok((1000.0 / fps).round() as u32)
}

/// `[ui] images`: how pictures are drawn. `auto` asks the terminal at start and uses its
/// graphics protocol (kitty, sixel, iTerm2) when it has one, half blocks otherwise; a named
/// protocol is used without asking; `off` leaves the attachment line alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Images {
    #[default]
    Auto,
    Kitty,
    Sixel,
    Iterm2,
    Halfblocks,
    Off,
}

impl Default for UiConfig {
    fn default() -> Self {
        UiConfig {
            theme: ThemeName::default(),
            bell: true,
            keys: KeyMap::default(),
            download_dir: None,
            mouse: true,
            links: true,
            copy: true,
            notify: true,
            title: true,
            images: Images::Auto,
            camera_every_ms: default_camera_every(),
            camera_graphics: false,
        }
    }
}

fn yes() -> bool {
    true
}

fn de_keys<'de, D: serde::Deserializer<'de>>(d: D) -> Result<KeyMap, D::Error> {
    use serde::de::Error;
    let raw = BTreeMap::<String, KeyList>::deserialize(d)?;
    let mut overrides = Vec::new();
    for (name, keys) in raw {
        let action: Action = name.parse().map_err(D::Error::custom)?;
        overrides.push((action, keys.into_vec()));
    }
    // Conflicts are looked for once the whole file is read, to name the binding's line.
    Ok(KeyMap::with_overrides_unchecked(overrides))
}
