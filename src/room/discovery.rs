//! Port discovery: `GET http://HOST:HTTP_PORT/public/<instance>/config.json` names the Room's
//! WebSocket port (docs/room-protocol.md, Transport). Errors say what is wrong in words an
//! operator can act on.

use std::time::Duration;

use serde_json::Value;

/// The ports a Room's config.json names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    pub websocket: u16,
    /// The built-in HTTP server (files, frames), when named.
    pub http: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoveryError {
    #[error(
        "TrueConf Room is not running at {url} (nothing answers there; is http_port the Room's web-manager port?)"
    )]
    NotRunning { url: String },
    #[error("{url} did not answer within {secs} s")]
    Timeout { url: String, secs: u64 },
    #[error(
        "{url} answered {status}: not a TrueConf Room web manager, or no instance of that name"
    )]
    Status { url: String, status: u16 },
    #[error("{url} is not the Room's config.json: {why}")]
    Unexpected { url: String, why: String },
    #[error("cannot reach {url}: {why}")]
    Other { url: String, why: String },
}

pub fn config_url(host: &str, http_port: u16, instance: &str) -> String {
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    format!("http://{host}:{http_port}/public/{instance}/config.json")
}

/// Reads the ports from a config.json body.
pub fn parse_config(url: &str, body: &str) -> Result<Ports, DiscoveryError> {
    let unexpected = |why: &str| DiscoveryError::Unexpected {
        url: url.to_string(),
        why: why.to_string(),
    };
    let v: Value = serde_json::from_str(body).map_err(|_| unexpected("the answer is not JSON"))?;
    let port = |v: Option<&Value>| -> Option<u16> {
        match v? {
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .filter(|p| *p != 0)
    };
    let config = v
        .get("config")
        .ok_or_else(|| unexpected("it has no `config` object"))?;
    let websocket = port(config.get("websocket").and_then(|w| w.get("port")))
        .ok_or_else(|| unexpected("it has no valid `config.websocket.port`"))?;
    Ok(Ports {
        websocket,
        http: port(config.get("http").and_then(|h| h.get("port"))),
    })
}

/// Fetches and reads config.json.
pub async fn discover(
    host: &str,
    http_port: u16,
    instance: &str,
    timeout: Duration,
) -> Result<Ports, DiscoveryError> {
    let url = config_url(host, http_port, instance);
    // One client for every discovery: building one reads the system's certificate store,
    // which a fleet of rooms retrying every few seconds would otherwise do each time.
    static CLIENT: std::sync::OnceLock<Result<reqwest::Client, String>> =
        std::sync::OnceLock::new();
    let client = CLIENT
        .get_or_init(|| {
            // reqwest needs the program's crypto provider even for plain http.
            crate::tls::init();
            reqwest::Client::builder()
                .no_proxy()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|why| DiscoveryError::Other {
            url: url.clone(),
            why: why.clone(),
        })?;
    let resp = client
        .get(&url)
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                DiscoveryError::Timeout {
                    url: url.clone(),
                    secs: timeout.as_secs().max(1),
                }
            } else if e.is_connect() {
                DiscoveryError::NotRunning { url: url.clone() }
            } else {
                DiscoveryError::Other {
                    url: url.clone(),
                    why: e.to_string(),
                }
            }
        })?;
    let status = resp.status();
    if !status.is_success() {
        return Err(DiscoveryError::Status {
            url,
            status: status.as_u16(),
        });
    }
    let body = resp.text().await.map_err(|e| DiscoveryError::Other {
        url: url.clone(),
        why: e.to_string(),
    })?;
    parse_config(&url, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_ports_leniently() {
        let u = "http://h/public/default/config.json";
        let p = parse_config(
            u,
            r#"{"config":{"websocket":{"hostname":null,"port":8765},"http":{"hostname":null,"port":8766}}}"#,
        );
        assert_eq!(
            p,
            Ok(Ports {
                websocket: 8765,
                http: Some(8766)
            })
        );
        let p = parse_config(u, r#"{"config":{"websocket":{"port":"9000"}}}"#);
        assert_eq!(
            p,
            Ok(Ports {
                websocket: 9000,
                http: None
            })
        );
        for bad in [
            "<html>",
            "{}",
            r#"{"config":{"websocket":{"port":0}}}"#,
            r#"{"config":{"websocket":{"port":70000}}}"#,
        ] {
            assert!(
                matches!(parse_config(u, bad), Err(DiscoveryError::Unexpected { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn ipv6_hosts_are_bracketed() {
        assert_eq!(
            config_url("::1", 80, "default"),
            "http://[::1]:80/public/default/config.json"
        );
        assert_eq!(
            config_url("room.local", 88, "twin"),
            "http://room.local:88/public/twin/config.json"
        );
    }
}
