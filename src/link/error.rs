//! Why a link went down, and why a request failed without an answer. The texts are what the
//! status bar and the errors show, so they stay as they were when each link had its own copy.

use tokio_tungstenite::tungstenite;

/// Why a connection attempt or a session ended.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("{url} did not open within {secs} s")]
    OpenTimeout { url: String, secs: u64 },
    #[error("cannot open {url}: {source}")]
    Open {
        url: String,
        source: tungstenite::Error,
    },
    #[error("bad address {url}: {source}")]
    Address {
        url: String,
        source: tungstenite::Error,
    },
    /// A frame sent right after the socket opened (before auth) could not be written.
    #[error("cannot send to {url}: {source}")]
    Hello {
        url: String,
        source: tungstenite::Error,
    },
    /// A step before the socket (a token, a discovery) had no answer in time.
    #[error("no answer from {url} within {secs} s")]
    NoAnswer { url: String, secs: u64 },
    #[error("cannot send auth: {0}")]
    SendAuth(tungstenite::Error),
    #[error("no answer to auth")]
    AuthTimeout,
    #[error("{peer} closed the connection during auth")]
    ClosedDuringAuth { peer: &'static str },
    #[error("connection error during auth: {0}")]
    AuthConnection(tungstenite::Error),
    /// The peer refused the credentials; the text is the peer's reason.
    #[error("authentication failed: {0}")]
    AuthRefused(String),
    #[error("the auth answer cannot be read: {0}")]
    AuthUnreadable(String),
    #[error("send failed: {0}")]
    Send(tungstenite::Error),
    /// A close frame; its reason (made inert) when it gave one.
    #[error("{peer} closed the connection{}", .reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default())]
    Closed {
        peer: &'static str,
        reason: Option<String>,
    },
    #[error("connection lost: {0}")]
    Lost(tungstenite::Error),
    /// Nothing at all came from the peer (not even an answer to a ping) for `secs`.
    #[error("{peer} stopped answering: nothing heard for {secs} s")]
    Unresponsive { peer: &'static str, secs: u64 },
    /// A frame could not be written for `secs`: the peer stopped reading.
    #[error("the connection stalled: nothing could be sent for {secs} s")]
    SendStalled { secs: u64 },
    #[error("connection lost")]
    Ended,
    /// A protocol's own reason (discovery, OAuth, …).
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl LinkError {
    /// Wraps a protocol's own error.
    pub fn other(e: impl std::error::Error + Send + Sync + 'static) -> LinkError {
        LinkError::Other(Box::new(e))
    }
}

/// A link going down, and what the supervisor does next.
#[derive(Debug)]
pub struct Down {
    pub error: LinkError,
    /// Retrying will not help until the configuration changes: give up.
    pub terminal: bool,
    /// Try again at once, without backoff and without reporting the link down (a cached
    /// credential was refused and a fresh one can be had).
    pub again_now: bool,
}

impl From<LinkError> for Down {
    fn from(error: LinkError) -> Down {
        Down {
            error,
            terminal: false,
            again_now: false,
        }
    }
}

impl Down {
    pub fn terminal(error: LinkError) -> Down {
        Down {
            terminal: true,
            ..Down::from(error)
        }
    }
}

/// Why a request got no answer; each link's error type says it in its own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestFailure {
    /// Sent, and not answered within its timeout.
    Timeout { method: String, secs: u64 },
    /// Sent, and the link dropped before the answer: it may or may not have been carried out.
    Dropped(String),
    /// Never sent: the link was down for the whole of the request's timeout, or gave up.
    LinkDown { method: String, reason: String },
    /// The link task is gone.
    Stopped,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_close_names_its_reason_when_it_has_one() {
        let e = LinkError::Closed {
            peer: "the Room",
            reason: None,
        };
        assert_eq!(e.to_string(), "the Room closed the connection");
        let e = LinkError::Closed {
            peer: "the server",
            reason: Some("bye".into()),
        };
        assert_eq!(e.to_string(), "the server closed the connection: bye");
    }
}
