//! A TCP proxy that breaks things on purpose, for fault-injection tests: it forwards
//! connections to a simulator and, when told, cuts them after a given number of bytes (in the
//! middle of a frame as likely as not), or freezes one direction (bytes stop flowing, the
//! connection stays open — a peer that hangs, or a one-way network fault).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use std::sync::{Mutex, MutexGuard};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Which way bytes flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client to server.
    Up,
    /// Server to client.
    Down,
}

struct Control {
    /// Bytes (either way, all connections) still allowed before the armed cut.
    cut_after: Mutex<Option<u64>>,
    /// Bumped to cut every open connection now.
    cut: watch::Sender<u64>,
    /// (up frozen, down frozen)
    frozen: watch::Sender<(bool, bool)>,
    connections: AtomicU64,
    cuts: AtomicU64,
    /// Shut down: no connection is forwarded any more.
    stopped: std::sync::atomic::AtomicBool,
}

/// The proxy; dropping it stops accepting (open connections end with their peers).
pub struct FaultProxy {
    port: u16,
    ctl: Arc<Control>,
    accept: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.ctl.stopped.store(true, Ordering::SeqCst);
        self.ctl.cut.send_modify(|n| *n += 1);
    }
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards every connection to `upstream`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let ctl = Arc::new(Control {
            cut_after: Mutex::new(None),
            cut: watch::channel(0).0,
            frozen: watch::channel((false, false)).0,
            connections: AtomicU64::new(0),
            cuts: AtomicU64::new(0),
            stopped: std::sync::atomic::AtomicBool::new(false),
        });
        let c = ctl.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    continue;
                };
                c.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(forward(client, server, c.clone()));
            }
        });
        Ok(FaultProxy { port, ctl, accept })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops: the listener is closed (a new connection is refused) and every open
    /// connection is cut, before this returns — as when the machine behind it dies.
    pub async fn shutdown(mut self) {
        self.accept.abort();
        let _ = (&mut self.accept).await;
        self.ctl.stopped.store(true, Ordering::SeqCst);
        self.ctl.cut.send_modify(|n| *n += 1);
    }

    /// Cuts the connections after `bytes` more bytes have passed (either way, in total): the
    /// byte that crosses the line is not forwarded, and both sides see the connection end.
    pub fn cut_after(&self, bytes: u64) {
        *armed(&self.ctl) = Some(bytes);
    }

    /// Whether a cut is armed and has not happened yet.
    pub fn cut_pending(&self) -> bool {
        armed(&self.ctl).is_some()
    }

    /// Cuts every open connection now.
    pub fn cut_now(&self) {
        self.ctl.cuts.fetch_add(1, Ordering::SeqCst);
        self.ctl.cut.send_modify(|n| *n += 1);
    }

    /// Stops (or resumes) the bytes flowing one way; the connections stay open.
    pub fn freeze(&self, dir: Direction, frozen: bool) {
        self.ctl.frozen.send_modify(|f| match dir {
            Direction::Up => f.0 = frozen,
            Direction::Down => f.1 = frozen,
        });
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.ctl.connections.load(Ordering::SeqCst)
    }

    /// Cuts made so far.
    pub fn cuts(&self) -> u64 {
        self.ctl.cuts.load(Ordering::SeqCst)
    }
}

/// The armed cut (a poisoned lock still holds a number).
fn armed(ctl: &Control) -> MutexGuard<'_, Option<u64>> {
    ctl.cut_after
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn forward(client: TcpStream, server: TcpStream, ctl: Arc<Control>) {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let mut cut = ctl.cut.subscribe();
    cut.mark_unchanged();
    // Subscribed before looking: a shutdown either is seen here or wakes the select below.
    if ctl.stopped.load(Ordering::SeqCst) {
        return;
    }
    let up = pump(cr, sw, Direction::Up, ctl.clone());
    let down = pump(sr, cw, Direction::Down, ctl.clone());
    // Either side ending (or a cut) ends both: the halves are dropped and the sockets close.
    tokio::select! {
        _ = up => {}
        _ = down => {}
        _ = cut.changed() => {}
    }
}

/// Waits until `dir` is not frozen; false when the proxy is gone.
async fn thawed(frozen: &mut watch::Receiver<(bool, bool)>, dir: Direction) -> bool {
    frozen
        .wait_for(|f| match dir {
            Direction::Up => !f.0,
            Direction::Down => !f.1,
        })
        .await
        .is_ok()
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    dir: Direction,
    ctl: Arc<Control>,
) {
    let mut frozen = ctl.frozen.subscribe();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        // Frozen: read nothing (the sender's buffers fill, as with a hung peer).
        if !thawed(&mut frozen, dir).await {
            return;
        }
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        // A freeze that began while this read waited holds these bytes back too.
        if !thawed(&mut frozen, dir).await {
            return;
        }
        let pass = {
            let mut armed = armed(&ctl);
            match *armed {
                Some(left) if (n as u64) > left => {
                    *armed = None;
                    Some(left as usize)
                }
                Some(left) => {
                    *armed = Some(left - n as u64);
                    None
                }
                None => None,
            }
        };
        if let Some(k) = pass {
            let _ = to.write_all(&buf[..k]).await;
            ctl.cuts.fetch_add(1, Ordering::SeqCst);
            ctl.cut.send_modify(|c| *c += 1);
            return;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn echo() -> SocketAddr {
        let l = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let a = l.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = s.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        a
    }

    #[tokio::test]
    async fn forwards_cuts_at_the_byte_and_freezes() {
        let p = FaultProxy::start(echo().await).await.unwrap();
        let mut c = TcpStream::connect(("127.0.0.1", p.port())).await.unwrap();
        c.write_all(b"hello").await.unwrap();
        let mut b = [0u8; 5];
        c.read_exact(&mut b).await.unwrap();
        assert_eq!(&b, b"hello");
        // Frozen down: the echo does not come back until thawed.
        p.freeze(Direction::Down, true);
        c.write_all(b"x").await.unwrap();
        let mut one = [0u8; 1];
        let r = tokio::time::timeout(
            std::time::Duration::from_millis(200),
            c.read_exact(&mut one),
        )
        .await;
        assert!(r.is_err(), "nothing flows while frozen");
        p.freeze(Direction::Down, false);
        c.read_exact(&mut one).await.unwrap();
        assert_eq!(&one, b"x");
        // Cut after 3 bytes: "abc" reaches the echo, then up+down count... the connection ends.
        p.cut_after(3);
        c.write_all(b"abcdef").await.unwrap();
        let mut got = Vec::new();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), c.read_to_end(&mut got))
            .await
            .unwrap();
        assert!(got.len() <= 3, "{got:?}");
        assert_eq!(p.cuts(), 1);
        assert!(!p.cut_pending());
        assert_eq!(p.connections(), 1);
    }
}
