//! OAuth for the chat bot API (docs/chat-protocol.md, Authentication): the password grant, the
//! token's expiry from whichever key the server sends, and the token cache (a 0600 file in the
//! data dir).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::Secret;

/// A token and when it stops working (Unix seconds), when that can be told.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    pub access: Secret,
    pub expires_at: Option<u64>,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("access", &"***")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl Token {
    /// A token given by the user (`TRUECONF_TOKEN`): expiry from its `exp` claim, if any.
    pub fn given(access: Secret) -> Token {
        let expires_at = jwt_exp(access.expose());
        Token { access, expires_at }
    }

    /// Still good for at least `margin_secs`?
    pub fn fresh(&self, margin_secs: u64) -> bool {
        self.expires_at
            .is_none_or(|e| e > now_secs().saturating_add(margin_secs))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The server said no (400/401/403 with an OAUTH_ERROR): retrying will not help.
    #[error("the server refused the login: {0}")]
    Refused(String),
    /// No answer, or not one that can be read: worth retrying.
    #[error("cannot get a token: {0}")]
    Unreachable(String),
    #[error(
        "no password for {0}: set TRUECONF_PASSWORD, put `password` in [chat], or TRUECONF_TOKEN"
    )]
    NoPassword(String),
}

impl AuthError {
    pub fn is_terminal(&self) -> bool {
        !matches!(self, AuthError::Unreachable(_))
    }
}

/// What the OAUTH_ERROR values mean, in words.
fn oauth_error_text(code: &str) -> &'static str {
    match code {
        "invalid_grant" => "wrong user name or password",
        "invalid_client" => "the server does not know the client `chat_bot`",
        "invalid_request" => "the server could not read the request",
        "unsupported_grant_type" => "the server does not allow password login",
        "auth_method_disabled" => "password login is disabled on this server",
        _ => "refused",
    }
}

/// POST /bridge/api/client/v1/oauth/token with the password grant.
pub async fn fetch_token(
    http: &reqwest::Client,
    base_url: &str,
    username: &str,
    password: &Secret,
) -> Result<Token, AuthError> {
    let url = format!("{base_url}/bridge/api/client/v1/oauth/token");
    let body = serde_json::json!({
        "client_id": "chat_bot",
        "grant_type": "password",
        "username": username,
        "password": password.expose(),
    });
    let resp = http
        .post(&url)
        .json(&body)
        .send()
        .await
        .map_err(|e| AuthError::Unreachable(format!("{url}: {}", error_chain(&e))))?;
    let status = resp.status();
    let text = resp
        .text()
        .await
        .map_err(|e| AuthError::Unreachable(format!("{url}: {e}")))?;
    let json: Option<Value> = serde_json::from_str(&text).ok();
    if !status.is_success() {
        let code = json
            .as_ref()
            .and_then(|j| j.get("error"))
            .and_then(Value::as_str)
            .map(String::from);
        let desc = json
            .as_ref()
            .and_then(|j| j.get("error_description"))
            .and_then(Value::as_str)
            .map(crate::sanitize::line);
        return match (status.as_u16(), code) {
            (400 | 401 | 403, Some(code)) => Err(AuthError::Refused(format!(
                "{} ({code}{}{})",
                oauth_error_text(&code),
                if desc.is_some() { ": " } else { "" },
                desc.unwrap_or_default()
            ))),
            (401 | 403, None) => Err(AuthError::Refused(format!("HTTP {status}"))),
            _ => Err(AuthError::Unreachable(format!(
                "{url} answered HTTP {status}"
            ))),
        };
    }
    let json = json.ok_or_else(|| {
        AuthError::Unreachable(format!("{url} answered {status} with something not JSON"))
    })?;
    let access = json
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AuthError::Unreachable(format!("{url} sent no access_token")))?
        .to_string();
    crate::logging::register_secret(&access);
    let expires_at = json
        .get("expires_at")
        .and_then(Value::as_u64)
        .or_else(|| {
            json.get("expires_in")
                .and_then(Value::as_u64)
                .map(|s| now_secs() + s)
        })
        .or_else(|| jwt_exp(&access));
    Ok(Token {
        access: Secret::new(access),
        expires_at,
    })
}

/// The `exp` claim of a JWT-shaped token, when it is one.
pub fn jwt_exp(token: &str) -> Option<u64> {
    let mut parts = token.split('.');
    let (_, claims, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims.trim_end_matches('='))
        .ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.get("exp")?.as_f64().map(|f| f as u64)
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Errors from reqwest say little at the top level; the causes say what happened.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

#[derive(Serialize, Deserialize, Default)]
struct CacheFile {
    #[serde(default)]
    tokens: BTreeMap<String, CachedToken>,
}

#[derive(Serialize, Deserialize)]
struct CachedToken {
    access_token: String,
    expires_at: Option<u64>,
}

/// Tokens by `user@host:port`, in one JSON file readable by the user alone.
#[derive(Debug, Clone)]
pub struct TokenCache {
    path: PathBuf,
    /// Why the last store failed (shared by the clones, so the command that handed the cache
    /// to the link can tell whether the token was cached).
    store_error: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

impl TokenCache {
    pub fn new(path: impl Into<PathBuf>) -> TokenCache {
        TokenCache {
            path: path.into(),
            store_error: Default::default(),
        }
    }

    /// Why the last [`TokenCache::store`] (by this cache or a clone) failed; None when it
    /// succeeded or none was made.
    pub fn store_error(&self) -> Option<String> {
        self.store_error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// `tokens.json` in the data dir.
    pub fn default_location() -> Option<TokenCache> {
        crate::dirs::data_dir().map(|d| TokenCache::new(d.join("tokens.json")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> CacheFile {
        std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// A cached token that is still good for a minute.
    pub fn load(&self, key: &str) -> Option<Token> {
        let t = self.read().tokens.remove(key)?;
        crate::logging::register_secret(&t.access_token);
        let tok = Token {
            access: Secret::new(t.access_token),
            expires_at: t.expires_at,
        };
        tok.fresh(60).then_some(tok)
    }

    pub fn store(&self, key: &str, token: &Token) -> std::io::Result<()> {
        let mut f = self.read();
        f.tokens.insert(
            key.to_string(),
            CachedToken {
                access_token: token.access.expose().to_string(),
                expires_at: token.expires_at,
            },
        );
        let r = self.write(&f);
        *self
            .store_error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            r.as_ref().err().map(ToString::to_string);
        r
    }

    pub fn forget(&self, key: &str) -> std::io::Result<()> {
        let mut f = self.read();
        if f.tokens.remove(key).is_some() {
            self.write(&f)?;
        }
        Ok(())
    }

    fn write(&self, f: &CacheFile) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(f).map_err(std::io::Error::other)?;
        crate::dirs::write_private(&self.path, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(exp: u64) -> String {
        let e = |v: Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
        };
        format!(
            "{}.{}.sig",
            e(serde_json::json!({"alg": "none"})),
            e(serde_json::json!({"exp": exp}))
        )
    }

    #[test]
    fn jwt_exp_is_read_and_opaque_tokens_are_fine() {
        assert_eq!(jwt_exp(&jwt(4_000_000_000)), Some(4_000_000_000));
        assert_eq!(jwt_exp("opaque"), None);
        assert_eq!(jwt_exp("a.b.c.d.e"), None);
        assert!(Token::given(Secret::new("opaque")).fresh(60));
        assert!(!Token::given(Secret::new(jwt(10))).fresh(0));
    }

    #[test]
    fn the_cache_is_private_and_forgets() {
        let dir = tempfile::tempdir().unwrap();
        let c = TokenCache::new(dir.path().join("sub/tokens.json"));
        let t = Token {
            access: Secret::new(jwt(now_secs() + 3600)),
            expires_at: Some(now_secs() + 3600),
        };
        c.store("op@h:1", &t).unwrap();
        assert_eq!(c.load("op@h:1"), Some(t.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(c.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Nearly expired tokens are not handed out.
        let old = Token {
            access: Secret::new("x"),
            expires_at: Some(now_secs() + 10),
        };
        c.store("other@h:1", &old).unwrap();
        assert_eq!(c.load("other@h:1"), None);
        c.forget("op@h:1").unwrap();
        assert_eq!(c.load("op@h:1"), None);
        assert_eq!(c.store_error(), None);
    }

    #[test]
    fn a_cache_that_cannot_be_written_says_so_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // tokens.json cannot be replaced: a directory is in its place.
        let path = dir.path().join("tokens.json");
        std::fs::create_dir(&path).unwrap();
        let c = TokenCache::new(&path);
        let seen_by_the_command = c.clone();
        let t = Token {
            access: Secret::new("a-token-to-keep-safe"),
            expires_at: None,
        };
        assert!(c.store("op@h:1", &t).is_err());
        assert!(seen_by_the_command.store_error().is_some());
        assert!(!dir.path().join("tokens.json.tmp").exists());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }
}
