//! What a session keeps beside its socket: where its events go (counted against the reader's
//! backlog) and what it knows of the peer's last sign of life.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::backlog::Backlog;

/// Where a link's events go, counted against the backlog's bound when there is one.
pub(super) struct Events<E> {
    pub(super) tx: mpsc::UnboundedSender<E>,
    pub(super) backlog: Option<Arc<Backlog>>,
}

impl<E> Events<E> {
    pub(super) fn send(&self, e: E) {
        if self.tx.send(e).is_ok()
            && let Some(b) = &self.backlog
        {
            b.sent(1);
        }
    }

    pub(super) fn full(&self) -> bool {
        self.backlog.as_ref().is_some_and(|b| b.full())
    }

    pub(super) async fn room(&self) {
        if let Some(b) = &self.backlog {
            b.room().await;
        }
    }
}

/// What the session knows of the peer's last sign of life.
pub(super) struct Liveness {
    every: Duration,
    heard: Instant,
    pinged: bool,
    flagged: bool,
}

/// What the liveness timer asks for.
pub(super) enum Check {
    Ping,
    Flag(u64),
    Dead(u64),
}

impl Liveness {
    pub(super) fn new(every: Duration) -> Liveness {
        Liveness {
            every,
            heard: Instant::now(),
            pinged: false,
            flagged: false,
        }
    }

    /// A frame arrived; true when the link had been shown as not answering.
    pub(super) fn heard(&mut self) -> bool {
        self.heard = Instant::now();
        self.pinged = false;
        std::mem::take(&mut self.flagged)
    }

    /// The link did not read for a while (its reader was behind): that silence is not the
    /// peer's, and is not held against it.
    pub(super) fn excuse(&mut self) {
        self.heard = Instant::now();
        self.pinged = false;
    }

    pub(super) fn deadline(&self) -> Instant {
        self.heard
            + if !self.pinged {
                self.every / 3
            } else if !self.flagged {
                self.every / 2
            } else {
                self.every
            }
    }

    pub(super) fn check(&mut self, now: Instant) -> Option<Check> {
        let quiet = now.saturating_duration_since(self.heard);
        if quiet >= self.every {
            return Some(Check::Dead(quiet.as_secs()));
        }
        if !self.pinged && quiet >= self.every / 3 {
            self.pinged = true;
            return Some(Check::Ping);
        }
        if self.pinged && !self.flagged && quiet >= self.every / 2 {
            self.flagged = true;
            return Some(Check::Flag(quiet.as_secs()));
        }
        None
    }
}
