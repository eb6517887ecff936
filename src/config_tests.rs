use super::*;

use crate::keys::KeyMap;

fn no_env(_: &str) -> Option<String> {
    None
}

fn parse(s: &str) -> Result<Config, ConfigError> {
    Config::parse(s, Path::new("/etc/x.toml"), no_env)
}

#[test]
fn home_is_expanded_only_for_a_leading_tilde() {
    let home = directories::BaseDirs::new()
        .unwrap()
        .home_dir()
        .to_path_buf();
    assert_eq!(expand_home(Path::new("~/x.bin")), home.join("x.bin"));
    assert_eq!(expand_home(Path::new("~")), home);
    assert_eq!(expand_home(Path::new("/tmp/~x")), Path::new("/tmp/~x"));
    assert_eq!(expand_home(Path::new("~bob/x")), Path::new("~bob/x"));
    assert_eq!(expand_home(Path::new("rel/x")), Path::new("rel/x"));
}

fn invalid(s: &str) -> (Option<usize>, Option<String>, String, String) {
    match parse(s) {
        Err(e @ ConfigError::Invalid { .. }) => {
            let text = e.to_string();
            let ConfigError::Invalid {
                line, key, message, ..
            } = e
            else {
                unreachable!()
            };
            (line, key, message, text)
        }
        other => panic!("expected an invalid config, got {other:?}"),
    }
}

#[test]
fn empty_file_is_all_defaults() {
    let c = parse("").unwrap();
    assert_eq!(c.chat, None);
    assert!(c.rooms.is_empty());
    assert!(c.ui.bell);
    assert_eq!(c.ui.keys, KeyMap::default());
    assert_eq!(c.log.level, LogLevel::Info);
}

#[test]
fn unknown_key_names_line_and_key() {
    let (line, key, msg, text) =
        invalid("[chat]\nserver = \"tc.example\"\nusername = \"op\"\nprot = 4309\n");
    assert_eq!(line, Some(4));
    assert_eq!(key.as_deref(), Some("chat.prot"));
    assert!(msg.contains("unknown field `prot`"), "{msg}");
    assert!(
        text.starts_with("config error in /etc/x.toml, line 4, column 1, key `chat.prot`: "),
        "{text}"
    );
}

#[test]
fn wrong_type_names_line_and_key() {
    let (line, key, msg, _) = invalid(
        "[[room]]\nname = \"A\"\nhost = \"10.0.0.5\"\n\n[[room]]\nname = \"B\"\nhost = \"h\"\nhttp_port = \"eighty\"\n",
    );
    assert_eq!(line, Some(8));
    assert_eq!(key.as_deref(), Some("room.http_port"));
    assert!(msg.contains("invalid type"), "{msg}");
}

#[test]
fn value_checks_name_line_and_key() {
    let (line, key, msg, _) = invalid("[[room]]\nname = \"A\"\nhost = \"http://10.0.0.5/\"\n");
    assert_eq!((line, key.as_deref()), (Some(3), Some("room.host")));
    assert!(msg.contains("without a scheme: `10.0.0.5`"), "{msg}");

    let (line, key, msg, _) = invalid("[[room]]\nname = \"A\"\nhost = \"h\"\nws_port = 70000\n");
    assert_eq!((line, key.as_deref()), (Some(4), Some("room.ws_port")));
    assert!(msg.contains("70000 is not a port"), "{msg}");

    let (line, key, msg, _) = invalid("[[room]]\nname = \"A\"\nhost = \"h\"\napi_version = 3\n");
    assert_eq!((line, key.as_deref()), (Some(4), Some("room.api_version")));
    assert!(msg.contains("use 1 or 2"), "{msg}");

    let (line, key, msg, _) = invalid("[ui]\ntheme = \"neon\"\n");
    assert_eq!((line, key.as_deref()), (Some(2), Some("ui.theme")));
    assert!(msg.contains("neon"), "{msg}");

    let (line, key, msg, _) =
        invalid("[chat]\nserver = \"h\"\nusername = \"op\"\ntoken_type = \"Bearer\"\n");
    assert_eq!((line, key.as_deref()), (Some(4), Some("chat.token_type")));
    assert!(msg.contains("\"JWT\" or \"JWE\""), "{msg}");
}

#[test]
fn key_binding_errors_name_the_table() {
    let (line, key, msg, _) = invalid("[ui]\nbell = false\n\n[ui.keys]\nquit = \"hyper-q\"\n");
    assert_eq!(line, Some(5));
    assert_eq!(key.as_deref(), Some("ui.keys.quit"));
    assert!(msg.contains("cannot read key `hyper-q`"), "{msg}");

    // At the line of the unknown name, not the table's.
    let (line, key, msg, _) = invalid("[ui.keys]\nquit = \"q\"\nquitt = \"q\"\n");
    assert_eq!((line, key.as_deref()), (Some(3), Some("ui.keys.quitt")));
    assert!(msg.contains("unknown action `quitt`"), "{msg}");

    // A conflict: at the binding that makes it, not at line 1.
    let (line, key, msg, _) = invalid("[ui]\nbell = false\n\n[ui.keys]\ncall = \"h\"\n");
    assert!(msg.contains("`call`") && msg.contains("`hangup`"), "{msg}");
    assert_eq!((line, key.as_deref()), (Some(5), Some("ui.keys.call")));
    // Inline under [ui], too.
    let (line, _, _, _) = invalid("[ui]\nkeys = { quit = \"x\", mic = \"x\" }\n");
    assert_eq!(line, Some(2));
}

#[test]
fn every_error_is_found_each_at_its_line() {
    let text = "[chat]\nserver = 5\nusername = \"op\"\n\n[ui]\nbel = true\ntheme = \"neon\"\n\n\
                [ui.keys]\nquit = \"Z\"\nhelp = \"Z\"\nquitt = \"y\"\n\n\
                [[room]]\nname = \"A\"\nhost = \"h\"\nhttp_port = \"80\"\n\n\
                [[room]]\nname = \"A\"\nhost = \"h2\"\n\n[[room]]\nname = \"B\"\n";
    let errors = Config::check_text(text, Path::new("t.toml"));
    let at: Vec<(Option<usize>, String)> = errors
        .iter()
        .map(|e| match e {
            ConfigError::Invalid { line, key, .. } => (*line, key.clone().unwrap_or_default()),
            ConfigError::Read { .. } => (None, String::new()),
        })
        .collect();
    assert_eq!(
        at,
        [
            (Some(2), "chat.server".to_string()),
            (Some(6), "ui.bel".into()),
            (Some(7), "ui.theme".into()),
            (Some(11), "ui.keys.help".into()),
            (Some(12), "ui.keys.quitt".into()),
            (Some(17), "room.http_port".into()),
            (Some(20), "room.name".into()),
            (Some(23), "room".into()),
        ],
        "{errors:#?}"
    );
    assert!(errors[7].to_string().contains("missing field `host`"));
    // The first is what a start reports.
    assert_eq!(
        Config::parse(text, Path::new("t.toml"), |_| None).unwrap_err(),
        errors[0]
    );
    // A key set aside is not then reported missing.
    let e = Config::check_text("[[room]]\nname = \"A\"\nhost = 5\n", Path::new("t.toml"));
    assert_eq!(e.len(), 1, "{e:#?}");
    // A syntax error stops the reading: what follows it cannot be trusted.
    let e = Config::check_text("[ui]\nbell = \n[chat]\nserver = 5\n", Path::new("t.toml"));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(Config::check_text("", Path::new("t.toml")).is_empty());
    // Keys of several-byte characters set aside move nothing after them.
    let text =
        "[ui]\n\"k\u{202e}y\" = 1\n\"名前名前名前\" = 2\n\"名前名前名前x\" = 2\nmouse = \"x\"\n";
    let e = Config::check_text(text, Path::new("t.toml"));
    let at: Vec<(Option<usize>, Option<usize>)> = e
        .iter()
        .map(|e| match e {
            ConfigError::Invalid { line, column, .. } => (*line, *column),
            ConfigError::Read { .. } => (None, None),
        })
        .collect();
    assert_eq!(
        at,
        [
            (Some(2), Some(1)),
            (Some(3), Some(1)),
            (Some(4), Some(1)),
            (Some(5), Some(9))
        ],
        "{e:#?}"
    );
}

#[test]
fn unknown_section_is_named() {
    let (line, key, msg, _) = invalid("[chats]\nserver = \"x\"\n");
    assert_eq!((line, key.as_deref()), (Some(1), Some("chats")));
    assert!(msg.contains("unknown field `chats`"), "{msg}");
}

#[test]
fn duplicate_room_names_are_refused_at_the_second() {
    let (line, key, msg, _) = invalid(
        "[[room]]\nname = \"Hall\"\nhost = \"a\"\n[[room]]\nname = \"Hall\"\nhost = \"b\"\n",
    );
    assert_eq!((line, key.as_deref()), (Some(5), Some("room.name")));
    assert!(msg.contains("two rooms have this name"), "{msg}");
}

#[test]
fn syntax_error_has_a_line() {
    let (line, _, _, _) = invalid("[chat]\nserver = \"unterminated\n");
    assert_eq!(line, Some(2));
}

#[test]
fn chat_port_follows_tls() {
    let c = parse("[chat]\nserver = \"tc\"\nusername = \"u\"\n").unwrap();
    assert_eq!(c.chat.unwrap().port(), 4309);
    let c = parse("[chat]\nserver = \"tc\"\nusername = \"u\"\ntls = true\n").unwrap();
    assert_eq!(c.chat.unwrap().port(), 443);
    let c = parse("[chat]\nserver = \"tc\"\nusername = \"u\"\ntls = true\nport = 8443\n").unwrap();
    assert_eq!(c.chat.unwrap().port(), 8443);
}

#[test]
fn environment_overrides_file_secrets() {
    let text = "[chat]\nserver = \"tc\"\nusername = \"u\"\npassword = \"file-pass\"\n[[room]]\nname = \"A\"\nhost = \"h\"\npin = \"1111\"\n";
    let c = parse(text).unwrap();
    assert_eq!(c.chat_password().unwrap().expose(), "file-pass");
    assert_eq!(c.room_pin(&c.rooms[0]).unwrap().expose(), "1111");
    assert!(c.chat_token().is_none());

    let env = |k: &str| match k {
        ENV_ROOM_PIN => Some("2222".to_string()),
        ENV_PASSWORD => Some("env-pass".to_string()),
        ENV_TOKEN => Some("tok".to_string()),
        _ => None,
    };
    let c = Config::parse(text, Path::new("x"), env).unwrap();
    assert_eq!(c.chat_password().unwrap().expose(), "env-pass");
    assert_eq!(c.room_pin(&c.rooms[0]).unwrap().expose(), "2222");
    assert_eq!(c.chat_token().unwrap().expose(), "tok");
    // An empty variable is as good as unset.
    let c = Config::parse(text, Path::new("x"), |k| {
        (k == ENV_ROOM_PIN).then(String::new)
    })
    .unwrap();
    assert_eq!(c.room_pin(&c.rooms[0]).unwrap().expose(), "1111");
}

#[test]
fn secrets_do_not_print() {
    let c = parse("[chat]\nserver = \"tc\"\nusername = \"u\"\npassword = \"hunter2\"\n[[room]]\nname = \"A\"\nhost = \"h\"\npin = \"8642\"\n").unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("hunter2") && !dbg.contains("8642"), "{dbg}");
}

#[test]
fn missing_default_file_is_fine_but_missing_given_file_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("none.toml");
    assert!(Config::load(&p, false, no_env).is_ok());
    let e = Config::load(&p, true, no_env).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("cannot read the config file {}", p.display())),
        "{e}"
    );
}

#[test]
fn secrets_in_a_readable_file_are_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("c.toml");
    std::fs::write(&p, "[[room]]\nname = \"A\"\nhost = \"h\"\npin = \"1234\"\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let c = Config::load(&p, true, no_env).unwrap();
    assert!(
        c.permission_warning(&p)
            .unwrap()
            .contains("readable by others holds secrets: chmod 600 ")
    );
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(c.permission_warning(&p), None);
    // No secrets, no warning.
    std::fs::write(&p, "[[room]]\nname = \"A\"\nhost = \"h\"\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let c = Config::load(&p, true, no_env).unwrap();
    assert_eq!(c.permission_warning(&p), None);
}

#[test]
fn room_instance_defaults_and_is_checked() {
    let c = parse("[[room]]\nname = \"A\"\nhost = \"h\"\n").unwrap();
    assert_eq!(c.rooms[0].instance, "default");
    let c = parse("[[room]]\nname = \"A\"\nhost = \"h\"\ninstance = \"lobby\"\n").unwrap();
    assert_eq!(c.rooms[0].instance, "lobby");
    let (line, key, msg, _) =
        invalid("[[room]]\nname = \"A\"\nhost = \"h\"\ninstance = \"../x\"\n");
    assert_eq!((line, key.as_deref()), (Some(4), Some("room.instance")));
    assert!(msg.contains("not a Room instance name"), "{msg}");
}

#[test]
fn room_lookup() {
    let c = parse(
        "[[room]]\nname = \"Board Room\"\nhost = \"a\"\n[[room]]\nname = \"Lab\"\nhost = \"b\"\n",
    )
    .unwrap();
    assert_eq!(c.room_index("lab"), Ok(1));
    assert!(
        c.room_index("x")
            .unwrap_err()
            .to_string()
            .contains("Board Room, Lab")
    );
}

#[test]
fn waits_beyond_a_day_are_refused_where_they_are_written() {
    for bad in ["0", "86401", "18446744073709551615"] {
        let text = format!(
            "[chat]\nserver = \"tc.example.org\"\nusername = \"u\"\nrequest_timeout = {bad}\n"
        );
        let e = Config::parse(&text, Path::new("t.toml"), |_| None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 4") && e.contains("between 1 and 86400 seconds"),
            "{bad}: {e}"
        );
    }
}

#[test]
fn liveness_out_of_range_says_the_range() {
    for bad in ["0", "1", "2", "-1", "86401", "18446744073709551616"] {
        let text = format!("[chat]\nserver = \"s\"\nusername = \"u\"\nliveness = {bad}\n");
        let err = Config::parse(&text, std::path::Path::new("t.toml"), |_| None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("liveness must be between 3 and 86400 seconds"),
            "{bad}: {err}"
        );
    }
    let ok = "[chat]\nserver = \"s\"\nusername = \"u\"\nliveness = 3\n";
    assert!(Config::parse(ok, std::path::Path::new("t.toml"), |_| None).is_ok());
}

#[test]
fn downloads_go_to_the_configured_dir_else_the_users_download_dir() {
    let c = Config::parse(
        "[ui]\ndownload_dir = \"/srv/files\"\n",
        Path::new("t.toml"),
        |_| None,
    )
    .unwrap();
    assert_eq!(c.download_dir(), PathBuf::from("/srv/files"));
    // Without it: the user's download directory, never the data dir while a home exists.
    let d = Config::default().download_dir();
    if let Some(u) = directories::UserDirs::new() {
        let expected = u
            .download_dir()
            .map_or_else(|| u.home_dir().join("Downloads"), PathBuf::from);
        assert_eq!(d, expected);
    }
}

/// A chat password that is the account's own name is not masked in logs and frames (it would
/// blank the account's id everywhere: the demo's users have such passwords); every other
/// secret is.
#[test]
fn a_password_equal_to_the_user_name_is_not_a_secret_to_mask() {
    let text = "[chat]\nserver = \"tc\"\nusername = \"operator\"\npassword = \"Operator\"\n[[room]]\nname = \"A\"\nhost = \"h\"\npin = \"1111\"\n";
    let c = parse(text).unwrap();
    let masked: Vec<&str> = c.secrets().iter().map(|s| s.expose()).collect();
    assert_eq!(masked, ["1111"]);
    let text = text.replace("password = \"Operator\"", "password = \"operator-2\"");
    let c = parse(&text).unwrap();
    let mut masked: Vec<&str> = c.secrets().iter().map(|s| s.expose()).collect();
    masked.sort_unstable();
    assert_eq!(masked, ["1111", "operator-2"]);
    assert!(crate::logging::is_own_name(
        "alice",
        "alice@video.example.com"
    ));
    assert!(!crate::logging::is_own_name(
        "alic",
        "alice@video.example.com"
    ));
    assert!(!crate::logging::is_own_name("", ""));
}

#[test]
fn a_host_with_its_port_is_refused_with_the_keys_to_use() {
    let e = "127.0.0.1:47201".parse::<Host>().unwrap_err();
    assert_eq!(
        e,
        HostError::WithPort {
            host: "127.0.0.1".into(),
            port: "47201".into()
        }
    );
    assert!(e.to_string().contains("`http_port` for a room"), "{e}");
    assert!(matches!(
        "[::1]:80".parse::<Host>(),
        Err(HostError::WithPort { .. })
    ));
    // A bare IPv6 address is a host.
    assert!("fe80::1".parse::<Host>().is_ok());
    assert!("[::1]".parse::<Host>().is_ok());
    // With a scheme, the advice names the host alone (not host:port).
    assert_eq!(
        "http://127.0.0.1:80/".parse::<Host>().unwrap_err(),
        HostError::WithScheme("127.0.0.1".into())
    );
}

#[test]
fn an_unknown_room_is_named_cleaned() {
    let c = Config::parse(
        "[[room]]\nname = \"\\u001b]0;T\\u0007Red\"\nhost = \"h\"\n",
        Path::new("t.toml"),
        |_| None,
    )
    .unwrap();
    let e = c.room_index("\u{1b}[2Jnope").unwrap_err().to_string();
    assert!(!e.contains('\u{1b}') && !e.contains('\u{7}'), "{e:?}");
    assert!(e.contains("nope") && e.contains("Red"), "{e}");
}

#[test]
fn the_camera_rate_is_frames_a_second_within_bounds() {
    assert_eq!(parse("").unwrap().ui.camera_every_ms, 500);
    assert!(!parse("").unwrap().ui.camera_graphics);
    let c = parse("[ui]\ncamera_fps = 0.5\ncamera_graphics = true\n").unwrap();
    assert_eq!((c.ui.camera_every_ms, c.ui.camera_graphics), (2000, true));
    assert_eq!(
        parse("[ui]\ncamera_fps = 4\n").unwrap().ui.camera_every_ms,
        250
    );
    for bad in ["0", "11", "-1", "\"fast\""] {
        let (line, _key, msg, _) = invalid(&format!("[ui]\ncamera_fps = {bad}\n"));
        assert_eq!(line, Some(2), "{bad}");
        assert!(
            msg.contains("0.1 to 10") || msg.contains("invalid type"),
            "{bad}: {msg}"
        );
    }
}
