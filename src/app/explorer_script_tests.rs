//! Saved scripts and the secrets in them: what the explorer writes for a request.

use super::super::explorer_template::{masked, secret_env};
use super::Api;
use serde_json::{Map, Value, json};

#[test]
fn secrets_are_found_at_any_depth_and_each_has_its_own_variable() {
    let p: Map<String, Value> = serde_json::from_value(json!({
        "userType": "admin",
        "newPin": "NEWPIN-4321",
        "account": {"password": "ROOMPW", "name": "x"},
        "list": [{"accessToken": "tk-777"}],
    }))
    .unwrap();
    let shown = Value::Object(masked(Api::Room, "setAuthParams", &p)).to_string();
    for s in ["NEWPIN-4321", "ROOMPW", "tk-777"] {
        assert!(!shown.contains(s), "{shown}");
    }
    assert!(shown.contains(r#""name":"x""#) && shown.contains("admin"));
    let line = crate::script::request_line("setAuthParams", &p, |k, v| {
        secret_env(Api::Room, "setAuthParams", k)
            .filter(|_| crate::app::explorer_template::holds_secret(v))
    });
    for s in ["NEWPIN-4321", "ROOMPW", "tk-777"] {
        assert!(!line.contains(s), "{line}");
    }
    // The Room's password is not the chat server's, nor a new PIN the old one.
    assert!(line.contains("${TRUECONF_NEW_PIN}"), "{line}");
    assert!(line.contains("${TRUECONF_ROOM_PASSWORD}"), "{line}");
    assert!(line.contains("${TRUECONF_ACCESS_TOKEN}"), "{line}");
    assert_eq!(
        secret_env(Api::Chat, "auth", "password").as_deref(),
        Some("TRUECONF_PASSWORD")
    );
    assert_eq!(secret_env(Api::Room, "x", "userType"), None);
}
