//! config.example.toml is loaded as a config, so it cannot rot: every key it shows parses,
//! and what it shows as defaults are the defaults.

use std::path::Path;

use trueconf_console::config::{
    Config, DEFAULT_CHAT_PORT, DEFAULT_ROOM_HTTP_PORT, LogLevel, ThemeName,
};
use trueconf_console::keys::{Action, KeyMap};

const EXAMPLE: &str = include_str!("../config.example.toml");

fn example() -> Config {
    Config::parse(EXAMPLE, Path::new("config.example.toml"), |_| None)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_example_parses() {
    let c = example();
    let chat = c.chat.as_ref().expect("[chat]");
    assert_eq!(chat.port(), DEFAULT_CHAT_PORT);
    assert!(!chat.tls && !chat.insecure);
    assert_eq!(c.rooms.len(), 3, "several rooms, as a fleet is configured");
    for r in &c.rooms {
        assert_eq!(r.http_port.0, DEFAULT_ROOM_HTTP_PORT);
    }
    assert_eq!(c.ui.theme, ThemeName::Dark);
    assert!(c.ui.bell);
    assert_eq!(c.log.level, LogLevel::Info);
    assert_eq!(c.log.max_files, 7);
    assert_eq!(c.store, trueconf_console::config::StoreConfig::default());
}

#[test]
fn the_example_keys_are_the_defaults_and_name_every_action() {
    let c = example();
    assert_eq!(
        c.ui.keys,
        KeyMap::default(),
        "[ui.keys] in the example differs from the defaults"
    );
    let keys_section = EXAMPLE
        .split("[ui.keys]")
        .nth(1)
        .expect("[ui.keys] section");
    for a in Action::ALL {
        assert!(
            keys_section
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{} = ", a.name()))),
            "config.example.toml does not show the key of `{}`",
            a.name()
        );
    }
}

#[test]
fn every_commented_key_parses_when_uncommented() {
    // Keys shown commented out (`# port = 4309`) must be valid too.
    let uncommented: String = EXAMPLE
        .lines()
        .map(|l| {
            let t = l.trim_start();
            match t.strip_prefix("# ") {
                Some(rest)
                    if rest
                        .split_once(" = ")
                        .is_some_and(|(k, _)| !k.contains(' ')) =>
                {
                    rest.to_string()
                }
                _ => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(
        uncommented, EXAMPLE,
        "expected commented-out keys in the example"
    );
    Config::parse(&uncommented, Path::new("uncommented"), |_| None)
        .unwrap_or_else(|e| panic!("{e}"));
}
