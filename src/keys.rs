//! Key bindings: the actions a user can bind, their defaults, and the parser for the key
//! strings that `[ui.keys]` in the config file uses (`"q"`, `"ctrl-c"`, `"shift-tab"`, `"f1"`).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde::Deserialize;

/// Where a binding applies. Keys conflict with the keys active at the same time (the global
/// and Room keys with each pane's own: `KeyMap::ACTIVE_SETS`); the call dialog's keys are looked
/// up first while it is open, in every mode (app/input.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Context {
    Global,
    Room,
    Chats,
    History,
    CallDialog,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Room => "Room",
            Context::Chats => "Chats",
            Context::History => "History",
            Context::CallDialog => "Call dialog",
        }
    }
}

macro_rules! actions {
    ($( $variant:ident = $name:literal, $ctx:ident, [$($key:literal),*], $desc:literal; )*) => {
        /// Everything a key can be bound to.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];
            /// The name used in `[ui.keys]`.
            pub fn name(self) -> &'static str { match self { $(Action::$variant => $name),* } }
            pub fn context(self) -> Context { match self { $(Action::$variant => Context::$ctx),* } }
            pub fn description(self) -> &'static str { match self { $(Action::$variant => $desc),* } }
            pub fn default_keys(self) -> &'static [&'static str] { match self { $(Action::$variant => &[$($key),*]),* } }
        }
    };
}

actions! {
    Quit = "quit", Global, ["q"], "quit";
    Help = "help", Global, ["?"], "show or hide this help";
    NextPane = "next_pane", Global, ["tab"], "next pane";
    PrevPane = "prev_pane", Global, ["shift-tab"], "previous pane";
    Up = "up", Global, ["up", "k"], "move up";
    Down = "down", Global, ["down", "j"], "move down";
    Open = "open", Global, ["enter"], "open / send";
    Back = "back", Global, ["esc"], "back, close";
    Compose = "compose", Global, ["i"], "write in the composer";
    Inspector = "inspector", Global, ["ctrl-t"], "show or hide the traffic inspector";
    Explorer = "explorer", Global, ["x"], "the API explorer: send any Room or chat method";
    SwitchRoom = "switch_room", Global, ["ctrl-r"], "show the next room (every room stays linked)";
    Call = "call", Room, ["c"], "call someone";
    HangUp = "hangup", Room, ["h"], "hang up";
    HangUpAll = "hangup_all", Room, ["H"], "end the conference for everyone (asks first)";
    VolumeUp = "volume_up", Room, ["+"], "speaker volume up";
    VolumeDown = "volume_down", Room, ["-"], "speaker volume down";
    Mic = "mic", Room, ["m"], "mute or unmute the microphone";
    Camera = "camera", Room, ["v"], "turn the camera off or on";
    Participants = "participants", Room, ["p"], "everyone in the call (the owner: m v d c act there)";
    CallLog = "call_log", Room, ["l"], "the room's call history (Enter calls back)";
    AddressBook = "address_book", Room, ["b"], "the address book, with presence";
    Devices = "devices", Room, ["D"], "choose the microphone, speaker and camera";
    Aim = "aim", Room, ["z"], "aim the camera: arrows pan and tilt, + - zoom";
    Watch = "watch", Room, ["W"], "watch the room's camera live (arrows aim it)";
    Account = "account", Room, ["A"], "the Room's server and account: connect, log in, log out";
    Podium = "podium", Room, ["P"], "take or leave the podium (in the participants list: the selected one's)";
    Moderator = "moderator", Room, ["M"], "in the participants list: give or take moderator rights";
    NextUnread = "next_unread", Chats, ["n"], "jump to the next unread chat";
    Filter = "filter", Chats, ["/"], "filter chats";
    NewChat = "new_chat", Chats, ["N"], "create a chat (personal, group or channel)";
    Backfill = "backfill", Chats, ["B"], "copy the selected chat's whole history into the local store";
    Reply = "reply", History, ["R"], "reply to the selected message";
    Edit = "edit", History, ["e"], "edit the selected message";
    Delete = "delete", History, ["d"], "delete the selected message";
    Forward = "forward", History, ["f"], "forward the selected message";
    Copy = "copy", History, ["y"], "copy the selected message (in the inspector: the frame) to the clipboard";
    Upload = "upload", History, ["u"], "send a file";
    Download = "download", History, ["o"], "download / open the attachment";
    Retry = "retry", History, ["t"], "send a failed message or file again";
    Outbox = "outbox", Global, ["O"], "the outbox: all that is not sent yet";
    Log = "log", Global, ["L"], "the message log: every notice, whole";
    SearchAll = "search_all", Global, ["S"], "search every chat kept in the local store";
    Newest = "newest", History, ["end", "G"], "back to the newest message";
    Search = "search", History, ["/"], "search the open chat's loaded messages";
    SearchOlder = "search_older", History, ["n"], "the next older match of the search";
    SearchNewer = "search_newer", History, ["N"], "the next newer match of the search";
    PageUp = "page_up", History, ["pageup"], "ten messages up";
    PageDown = "page_down", History, ["pagedown"], "ten messages down";
    Accept = "accept", CallDialog, ["a"], "accept the call";
    Reject = "reject", CallDialog, ["r"], "reject the call";
}

/// Why a key, an action name or a set of bindings cannot be used (shown located in the config).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("unknown action `{name}`, expected one of: {}", action_names())]
    UnknownAction { name: String },
    #[error(
        "cannot read key `{key}`: write a character (`q`, `R`, `?`), a name ({}, f1…f12), optionally after ctrl-, alt-, shift-",
        key_names()
    )]
    BadKey { key: String },
    #[error("key {key} is bound to both `{}` and `{}`; give one of them another key", .first.name(), .second.name())]
    Conflict {
        key: KeySpec,
        first: Action,
        second: Action,
    },
}

impl FromStr for Action {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.name() == s)
            .ok_or_else(|| KeyError::UnknownAction {
                name: s.to_string(),
            })
    }
}

fn action_names() -> String {
    Action::ALL
        .iter()
        .map(|a| a.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn key_names() -> String {
    NAMED.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

/// One key with its modifiers, normalised so that what the terminal reports and what the
/// config names compare equal (`R` and `shift-r` are the same key; so are `backtab` and
/// `shift-tab`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeySpec {
    code: KeyCodeOrd,
    ctrl: bool,
    alt: bool,
    shift: bool,
}

/// `KeyCode` without the variants we never bind, in an orderable form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyCodeOrd {
    Char(char),
    F(u8),
    Named(Named),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Named {
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PageUp,
    PageDown,
    Up,
    Down,
    Left,
    Right,
}

const NAMED: &[(&str, Named)] = &[
    ("enter", Named::Enter),
    ("esc", Named::Esc),
    ("tab", Named::Tab),
    ("backtab", Named::BackTab),
    ("backspace", Named::Backspace),
    ("delete", Named::Delete),
    ("insert", Named::Insert),
    ("home", Named::Home),
    ("end", Named::End),
    ("pageup", Named::PageUp),
    ("pagedown", Named::PageDown),
    ("up", Named::Up),
    ("down", Named::Down),
    ("left", Named::Left),
    ("right", Named::Right),
];

impl KeySpec {
    fn new(code: KeyCodeOrd, ctrl: bool, alt: bool, shift: bool) -> KeySpec {
        let mut k = KeySpec {
            code,
            ctrl,
            alt,
            shift,
        };
        // Normalise: a shifted letter is its upper case; shift on other characters is implied
        // by the character itself; shift-tab is backtab.
        match k.code {
            KeyCodeOrd::Char(c) => {
                if k.shift && c.is_ascii_lowercase() {
                    k.code = KeyCodeOrd::Char(c.to_ascii_uppercase());
                }
                if k.ctrl && c.is_ascii_uppercase() && !k.shift {
                    // Ctrl-R arrives as ctrl + 'r' on most terminals.
                    k.code = KeyCodeOrd::Char(c.to_ascii_lowercase());
                }
                k.shift = false;
            }
            KeyCodeOrd::Named(Named::Tab) if k.shift => {
                k.code = KeyCodeOrd::Named(Named::BackTab);
                k.shift = false;
            }
            KeyCodeOrd::Named(Named::BackTab) => k.shift = false,
            _ => {}
        }
        k
    }

    /// The binding a key press matches, if it is a press we bind at all.
    pub fn from_event(ev: &KeyEvent) -> Option<KeySpec> {
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        let code = match ev.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Named(Named::Enter),
            KeyCode::Esc => KeyCodeOrd::Named(Named::Esc),
            KeyCode::Tab => KeyCodeOrd::Named(Named::Tab),
            KeyCode::BackTab => KeyCodeOrd::Named(Named::BackTab),
            KeyCode::Backspace => KeyCodeOrd::Named(Named::Backspace),
            KeyCode::Delete => KeyCodeOrd::Named(Named::Delete),
            KeyCode::Insert => KeyCodeOrd::Named(Named::Insert),
            KeyCode::Home => KeyCodeOrd::Named(Named::Home),
            KeyCode::End => KeyCodeOrd::Named(Named::End),
            KeyCode::PageUp => KeyCodeOrd::Named(Named::PageUp),
            KeyCode::PageDown => KeyCodeOrd::Named(Named::PageDown),
            KeyCode::Up => KeyCodeOrd::Named(Named::Up),
            KeyCode::Down => KeyCodeOrd::Named(Named::Down),
            KeyCode::Left => KeyCodeOrd::Named(Named::Left),
            KeyCode::Right => KeyCodeOrd::Named(Named::Right),
            _ => return None,
        };
        let m = ev.modifiers;
        Some(KeySpec::new(
            code,
            m.contains(KeyModifiers::CONTROL),
            m.contains(KeyModifiers::ALT),
            m.contains(KeyModifiers::SHIFT),
        ))
    }
}

impl FromStr for KeySpec {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        let bad = || KeyError::BadKey { key: s.to_string() };
        if s.is_empty() {
            return Err(bad());
        }
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let Some((prefix, _)) = lower.split_once('-') else {
                break;
            };
            // A single '-' (or "ctrl--") is the minus key, not a separator.
            if rest.len() == 1 || prefix.is_empty() {
                break;
            }
            match prefix {
                "ctrl" | "c" => ctrl = true,
                "alt" | "a" | "meta" | "m" => alt = true,
                "shift" | "s" => shift = true,
                _ => return Err(bad()),
            }
            rest = &rest[prefix.len() + 1..];
        }
        let mut it = rest.chars();
        let code = match (it.next(), it.next()) {
            (Some(c), None) => KeyCodeOrd::Char(c),
            _ => {
                let lower = rest.to_ascii_lowercase();
                if lower == "space" {
                    KeyCodeOrd::Char(' ')
                } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    if !(1..=12).contains(&n) {
                        return Err(bad());
                    }
                    KeyCodeOrd::F(n)
                } else if let Some((_, named)) = NAMED.iter().find(|(n, _)| *n == lower) {
                    KeyCodeOrd::Named(*named)
                } else {
                    return Err(bad());
                }
            }
        };
        Ok(KeySpec::new(code, ctrl, alt, shift))
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        if self.shift {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("Space"),
            KeyCodeOrd::Char(c) if self.ctrl || self.alt => write!(f, "{}", c.to_ascii_uppercase()),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "F{n}"),
            KeyCodeOrd::Named(Named::BackTab) => f.write_str("Shift-Tab"),
            KeyCodeOrd::Named(Named::PageUp) => f.write_str("PgUp"),
            KeyCodeOrd::Named(Named::PageDown) => f.write_str("PgDn"),
            KeyCodeOrd::Named(n) => write!(f, "{n:?}"),
        }
    }
}

impl<'de> Deserialize<'de> for KeySpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One or several keys for an action: `quit = "q"` or `quit = ["q", "ctrl-q"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyList(pub Vec<KeySpec>);

impl<'de> Deserialize<'de> for KeyList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = KeyList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key such as \"q\" or \"ctrl-c\", or a list of them")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<KeyList, E> {
                Ok(KeyList(vec![s.parse().map_err(E::custom)?]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<KeyList, A::Error> {
                let mut v = Vec::new();
                while let Some(k) = seq.next_element::<KeySpec>()? {
                    v.push(k);
                }
                Ok(KeyList(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl KeyList {
    pub fn into_vec(self) -> Vec<KeySpec> {
        self.0
    }
}

/// The active bindings: defaults, with the config's `[ui.keys]` replacing an action's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    bindings: BTreeMap<Action, Vec<KeySpec>>,
}

impl Default for KeyMap {
    fn default() -> Self {
        let bindings = Action::ALL
            .iter()
            .map(|&a| {
                let keys = a
                    .default_keys()
                    .iter()
                    .map(|k| k.parse().expect("default keys parse"))
                    .collect();
                (a, keys)
            })
            .collect();
        KeyMap { bindings }
    }
}

impl KeyMap {
    /// Applies overrides; returns the map or a description of the first conflict.
    pub fn with_overrides(
        overrides: impl IntoIterator<Item = (Action, Vec<KeySpec>)>,
    ) -> Result<KeyMap, KeyError> {
        let map = KeyMap::with_overrides_unchecked(overrides);
        map.check_conflicts()?;
        Ok(map)
    }

    /// Applies overrides without looking for conflicts (the config reads the file first and
    /// reports every conflict at its line: [`KeyMap::conflicts`]).
    pub fn with_overrides_unchecked(
        overrides: impl IntoIterator<Item = (Action, Vec<KeySpec>)>,
    ) -> KeyMap {
        let mut map = KeyMap::default();
        for (a, keys) in overrides {
            map.bindings.insert(a, keys);
        }
        map
    }

    /// Contexts active at the same time: the global and room keys work in every pane (an
    /// operator must hang up from anywhere), plus the focused pane's own; the modal call
    /// dialog stands alone.
    const ACTIVE_SETS: &'static [&'static [Context]] = &[
        &[Context::Global, Context::Room, Context::Chats],
        &[Context::Global, Context::Room, Context::History],
        &[Context::CallDialog],
    ];

    fn check_conflicts(&self) -> Result<(), KeyError> {
        match self.conflicts().into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Every key bound to two actions active at the same time, each clash once.
    pub fn conflicts(&self) -> Vec<KeyError> {
        let mut out: Vec<KeyError> = Vec::new();
        for set in Self::ACTIVE_SETS {
            let mut seen: BTreeMap<KeySpec, Action> = BTreeMap::new();
            for (&a, keys) in self
                .bindings
                .iter()
                .filter(|(a, _)| set.contains(&a.context()))
            {
                for &k in keys {
                    if let Some(other) = seen.insert(k, a)
                        && other != a
                    {
                        let e = KeyError::Conflict {
                            key: k,
                            first: other,
                            second: a,
                        };
                        if !out.contains(&e) {
                            out.push(e);
                        }
                    }
                }
            }
        }
        out
    }

    pub fn keys(&self, a: Action) -> &[KeySpec] {
        self.bindings.get(&a).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The first action bound to `key` among the given contexts, searched in order.
    pub fn lookup(&self, key: KeySpec, contexts: &[Context]) -> Option<Action> {
        contexts.iter().find_map(|&c| {
            self.bindings
                .iter()
                .find(|(a, keys)| a.context() == c && keys.contains(&key))
                .map(|(a, _)| *a)
        })
    }

    /// The keys of an action as the help shows them: `j/Down`.
    pub fn describe(&self, a: Action) -> String {
        let keys = self.keys(a);
        if keys.is_empty() {
            return "(unbound)".into();
        }
        keys.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> KeySpec {
        KeySpec::from_event(&KeyEvent::new(code, m)).unwrap()
    }

    #[test]
    fn parses_and_matches_terminal_events() {
        assert_eq!(
            "q".parse::<KeySpec>().unwrap(),
            key(KeyCode::Char('q'), KeyModifiers::NONE)
        );
        assert_eq!(
            "ctrl-c".parse::<KeySpec>().unwrap(),
            key(KeyCode::Char('c'), KeyModifiers::CONTROL)
        );
        assert_eq!(
            "R".parse::<KeySpec>().unwrap(),
            key(KeyCode::Char('R'), KeyModifiers::SHIFT)
        );
        assert_eq!(
            "shift-r".parse::<KeySpec>().unwrap(),
            key(KeyCode::Char('R'), KeyModifiers::SHIFT)
        );
        assert_eq!(
            "shift-tab".parse::<KeySpec>().unwrap(),
            key(KeyCode::BackTab, KeyModifiers::SHIFT)
        );
        assert_eq!(
            "?".parse::<KeySpec>().unwrap(),
            key(KeyCode::Char('?'), KeyModifiers::SHIFT)
        );
        assert_eq!(
            "-".parse::<KeySpec>().unwrap(),
            key(KeyCode::Char('-'), KeyModifiers::NONE)
        );
        assert_eq!(
            "alt-enter".parse::<KeySpec>().unwrap(),
            key(KeyCode::Enter, KeyModifiers::ALT)
        );
        assert_eq!(
            "F5".parse::<KeySpec>().unwrap(),
            key(KeyCode::F(5), KeyModifiers::NONE)
        );
        assert_eq!(
            "ctrl-R".parse::<KeySpec>().unwrap(),
            key(KeyCode::Char('r'), KeyModifiers::CONTROL)
        );
    }

    #[test]
    fn rejects_nonsense() {
        for s in ["", "hyper-x", "f13", "enterr", "ctrl-"] {
            assert!(s.parse::<KeySpec>().is_err(), "{s:?} should not parse");
        }
    }

    #[test]
    fn displays_for_help() {
        let show = |s: &str| s.parse::<KeySpec>().unwrap().to_string();
        assert_eq!(show("ctrl-t"), "Ctrl-T");
        assert_eq!(show("shift-tab"), "Shift-Tab");
        assert_eq!(show("R"), "R");
        assert_eq!(show("space"), "Space");
    }

    #[test]
    fn defaults_have_no_conflicts_and_every_action_a_key() {
        let map = KeyMap::default();
        map.check_conflicts().unwrap();
        for &a in Action::ALL {
            assert!(!map.keys(a).is_empty(), "{} has no key", a.name());
        }
    }

    #[test]
    fn override_replaces_and_conflicts_are_reported() {
        let map =
            KeyMap::with_overrides([(Action::Quit, vec!["ctrl-q".parse().unwrap()])]).unwrap();
        assert_eq!(
            map.lookup("ctrl-q".parse().unwrap(), &[Context::Global]),
            Some(Action::Quit)
        );
        assert_eq!(map.lookup("q".parse().unwrap(), &[Context::Global]), None);

        let err = KeyMap::with_overrides([(Action::Call, vec!["h".parse().unwrap()])])
            .unwrap_err()
            .to_string();
        assert!(err.contains("`call`") && err.contains("`hangup`"), "{err}");
        // A global key clashes with a pane key.
        let err = KeyMap::with_overrides([(Action::Help, vec!["m".parse().unwrap()])])
            .unwrap_err()
            .to_string();
        assert!(err.contains("`help`") && err.contains("`mic`"), "{err}");
        // The modal dialog's keys do not clash with pane keys.
        KeyMap::with_overrides([(Action::Accept, vec!["c".parse().unwrap()])]).unwrap();
    }
}
