use proptest::prelude::*;

use super::*;

/// Strings a hostile server might send: controls of every kind, the terminators, bidi
/// overrides, separators, and ordinary text.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\x1b".to_string()),
        Just("\x07".to_string()),
        Just("\x1b\\".to_string()),
        Just("\u{9c}".to_string()),
        Just("\u{9b}31m".to_string()),
        Just("\u{90}".to_string()),
        Just("\x1b]0;pwned\x07".to_string()),
        Just("\x1b[2J".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{2066}".to_string()),
        Just("\u{200b}".to_string()),
        Just(";".to_string()),
        Just("\n".to_string()),
        Just("\x7f".to_string()),
        Just("\0".to_string()),
        "[a-zA-Z0-9 :/._@-]{0,12}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

/// The payload between the introducer and the final ST: no ESC, BEL, C1 or DEL in it, so
/// nothing in it can end the sequence or start another.
fn payload_is_inert(p: &str) -> bool {
    !p.chars().any(char::is_control)
}

/// Splits `seq` into the payloads of the OSC sequences it is made of; fails on anything else.
fn oscs(seq: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = seq;
    while !rest.is_empty() {
        let body = rest.strip_prefix("\x1b]").expect("an OSC introducer");
        let end = body.find("\x1b\\").expect("an ST");
        out.push(body[..end].to_string());
        rest = &body[end + 2..];
        // Text between two sequences (a hyperlink's visible text).
        if let Some(at) = rest.find("\x1b]") {
            assert!(payload_is_inert(&rest[..at]), "{rest:?}");
            rest = &rest[at..];
        } else {
            assert!(rest.is_empty() || payload_is_inert(rest), "{rest:?}");
            break;
        }
    }
    out
}

proptest! {
    #[test]
    fn a_title_is_one_sequence_whatever_its_text(t in hostile()) {
        let s = title(&t);
        let parts = oscs(&s);
        prop_assert_eq!(parts.len(), 1);
        prop_assert!(parts[0].starts_with("2;"));
        prop_assert!(payload_is_inert(&parts[0]), "{:?}", parts[0]);
        let invisible = parts[0].contains('\u{202e}') || parts[0].contains('\u{200b}');
        prop_assert!(!invisible, "{:?}", parts[0]);
    }

    #[test]
    fn a_notification_has_exactly_its_fields(t in hostile(), b in hostile()) {
        let s = notify(Notify::Osc777, &t, &b);
        let parts = oscs(&s);
        prop_assert_eq!(parts.len(), 1);
        prop_assert!(payload_is_inert(&parts[0]));
        let fields: Vec<&str> = parts[0].split(';').collect();
        prop_assert_eq!(fields.len(), 4, "{:?}", parts[0]);
        prop_assert_eq!(fields[0], "777");
        prop_assert_eq!(fields[1], "notify");
        let s9 = notify(Notify::Osc9, &t, &b);
        let parts = oscs(&s9);
        prop_assert_eq!(parts.len(), 1);
        prop_assert_eq!(parts[0].matches(';').count(), 1, "{:?}", parts[0]);
    }

    #[test]
    fn a_copy_is_base64_of_the_cleaned_text(t in hostile()) {
        let s = copy(&t);
        let parts = oscs(&s);
        prop_assert_eq!(parts.len(), 1);
        let b64 = parts[0].strip_prefix("52;c;").unwrap();
        prop_assert!(b64.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='));
        let expect: String = t.chars().filter(|&c| matches!(c, '\n' | '\t') || !c.is_control() && allowed(c)).collect();
        prop_assert_eq!(decode(b64), expect.into_bytes());
    }

    #[test]
    fn a_hyperlink_cannot_be_ended_or_extended(u in hostile(), t in hostile()) {
        for url in [format!("https://example.com/{u}"), u.clone()] {
            if let Some(s) = hyperlink(&url, &t) {
                let parts = oscs(&s);
                prop_assert_eq!(parts.len(), 2, "{:?}", s);
                prop_assert!(parts[0].starts_with("8;;http") || parts[0].starts_with("8;;mailto"));
                prop_assert_eq!(&parts[1], "8;;");
                prop_assert!(payload_is_inert(&parts[0]));
            }
        }
    }
}

fn decode(s: &str) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|&c| c != b'=') {
        bits = (bits << 6) | A.iter().position(|&a| a == c).unwrap() as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    out
}

#[test]
fn the_sequences_are_exactly_the_intended_ones() {
    assert_eq!(
        title("2 unread · Board room ☎"),
        "\x1b]2;2 unread · Board room ☎\x1b\\"
    );
    assert_eq!(
        notify(Notify::Osc777, "Incoming call", "Dave Brown; on Huddle"),
        "\x1b]777;notify;Incoming call;Dave Brown, on Huddle\x1b\\"
    );
    assert_eq!(
        notify(Notify::Osc9, "Alice", "hi"),
        "\x1b]9;Alice: hi\x1b\\"
    );
    assert_eq!(copy("hi\n"), "\x1b]52;c;aGkK\x1b\\");
    assert_eq!(
        hyperlink("https://trueconf.com/a?b=1", "trueconf.com"),
        Some("\x1b]8;;https://trueconf.com/a?b=1\x1b\\trueconf.com\x1b]8;;\x1b\\".to_string())
    );
    // Only http, https and mailto; a URL with a space is none.
    for bad in [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https://",
        "http://a b",
        "ftp://x",
    ] {
        assert_eq!(hyperlink(bad, "x"), None, "{bad}");
    }
    // The hostile parts are dropped, not escaped into something else.
    assert_eq!(
        title("a\x1b]0;pwned\x07b\u{9c}c\u{202e}d"),
        "\x1b]2;a]0;pwnedbcd\x1b\\"
    );
}

#[test]
fn the_terminal_flavour_of_notifications() {
    assert_eq!(Notify::detect(Some("iTerm.app"), None), Notify::Osc9);
    assert_eq!(Notify::detect(None, Some("xterm-kitty")), Notify::Osc9);
    assert_eq!(Notify::detect(None, Some("foot")), Notify::Osc777);
    assert_eq!(Notify::detect(None, None), Notify::Osc777);
}
