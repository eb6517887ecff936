//! What the servers of both simulators share: serving routes until shutdown, reading a
//! WebSocket message, and a state lock that outlives a panicked holder.

use std::sync::{Mutex, MutexGuard};

use axum::Router;
use axum::extract::ws::Message;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Serves `app` on `listener` in a task of its own until `stop` turns true.
pub(super) fn serve(listener: TcpListener, app: Router, mut stop: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await;
    });
}

/// One WebSocket message as the simulators read it.
pub(super) enum Incoming {
    /// A text frame, or a binary one read as UTF-8.
    Text(String),
    Ping,
    Pong,
    /// A close frame, an error or the end of the stream.
    Closed,
}

impl Incoming {
    pub(super) fn read(msg: Option<Result<Message, axum::Error>>) -> Incoming {
        match msg {
            Some(Ok(Message::Text(t))) => Incoming::Text(t.to_string()),
            Some(Ok(Message::Binary(b))) => {
                Incoming::Text(String::from_utf8_lossy(&b).into_owned())
            }
            Some(Ok(Message::Ping(_))) => Incoming::Ping,
            Some(Ok(Message::Pong(_))) => Incoming::Pong,
            Some(Ok(Message::Close(_)) | Err(_)) | None => Incoming::Closed,
        }
    }
}

/// Locks a simulator's state, even if a holder panicked.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
