//! The store's writer: a thread of its own that takes [`Write`]s from a channel and commits
//! them in batches, one transaction per batch (WAL), so that the console never waits on the
//! disk to take a message in. Reads (a page when offline, a search) go through a second
//! connection, on tokio's blocking pool.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use super::{Limits, Store, StoreError, Write};
use crate::chat::types::{Chat, Envelope};

/// At most this many rows go into one transaction.
const BATCH_ROWS: usize = 5_000;
/// See [`let_burst_pass`]: a batch of this many rows or more may be a burst's start.
const BURST_ROWS: usize = 1_000;
const BURST_TICK: Duration = Duration::from_millis(10);
const BURST_QUIET: usize = 50;
const BURST_WAIT: Duration = Duration::from_secs(2);
const BURST_QUEUE: usize = 200_000;
/// Rows queued and not yet written at which [`StoreWriter::room`] makes its callers wait
/// (about 150 MB of messages): above what a burst let pass may queue, so only a flood that
/// outlasts the writer for good meets it, and then the console takes messages in at the
/// writer's pace rather than growing without end.
pub const QUEUE_BOUND: usize = 250_000;
const BURST_REST: Duration = Duration::from_secs(10);
const BURST_CATCH_UP: Duration = Duration::from_secs(1);
/// The limits are applied again after this many rows written.
const PRUNE_EVERY: usize = 50_000;
/// Opening a store another process holds is tried again this many times, a second apart
/// (each try also waits out the busy timeout).
const OPEN_TRIES: u32 = 30;
/// The newest page of the last open chat read at the start.
pub const START_PAGE: usize = 100;

/// What the store holds when the console starts: drawn before the server answers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Snapshot {
    pub chats: Vec<Chat>,
    pub names: Vec<(String, String)>,
    /// The chat that was on screen last, with its newest stored page (oldest first).
    pub open: Option<(String, Vec<Envelope>)>,
    /// The time of the newest message read in each chat (earlier runs).
    pub reads: Vec<(String, u64)>,
    /// Said to the user: the store was moved aside, could not be opened…
    pub notices: Vec<String>,
}

enum Job {
    Write(Write),
    Flush(oneshot::Sender<()>),
    /// Commit, close the database (its WAL checkpointed and removed) and stop.
    Close(oneshot::Sender<()>),
}

/// The console's handle on its store. Cheap to clone; the thread ends when every clone is
/// dropped (after committing what was sent).
#[derive(Clone)]
pub struct StoreWriter {
    tx: mpsc::UnboundedSender<Job>,
    /// Rows sent and not yet written (or dropped).
    queued: Arc<crate::backlog::Backlog>,
    path: PathBuf,
    reader: Arc<Mutex<Option<Store>>>,
}

impl std::fmt::Debug for StoreWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreWriter")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl StoreWriter {
    /// Opens the store at `path` on a thread of its own (moving aside a file it cannot use),
    /// reads what the console starts from and hands it to `opened`, then writes what comes.
    /// Writes sent before it is open wait for it. `opened` is called again if the store turns
    /// out to be damaged inside after what it held was handed over (with the notice that it was
    /// moved aside and a new one started, or with the error that stopped that).
    pub fn start(
        path: &Path,
        limits: Limits,
        opened: impl FnMut(Result<Snapshot, String>) + Send + 'static,
    ) -> StoreWriter {
        let (tx, rx) = mpsc::unbounded_channel();
        let path = path.to_path_buf();
        let p = path.clone();
        let queued = Arc::new(crate::backlog::Backlog::new(QUEUE_BOUND));
        let q = queued.clone();
        let spawned = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || writer(&p, limits, rx, &q, opened));
        if let Err(e) = spawned {
            tracing::error!("cannot start the store's writer: {e}");
        }
        StoreWriter {
            tx,
            queued,
            path,
            reader: Arc::new(Mutex::new(None)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queues a write; never waits (see [`StoreWriter::room`]).
    pub fn write(&self, w: Write) {
        let rows = w.weight();
        if self.tx.send(Job::Write(w)).is_ok() {
            self.queued.sent(rows);
        }
    }

    /// Returns once fewer than [`QUEUE_BOUND`] rows wait to be written (at once, but in a
    /// flood the writer cannot keep up with), or the writer is gone. What feeds the writer
    /// from a source that can wait (a link) waits here before it takes more.
    pub async fn room(&self) {
        tokio::select! {
            () = self.queued.room() => {}
            () = self.tx.closed() => {}
        }
    }

    /// Rows queued and not yet written.
    pub fn queued(&self) -> usize {
        self.queued.queued()
    }

    /// Waits until everything queued before is committed (or the writer is gone).
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Job::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// Commits what was queued and closes the store (the WAL folded into the file and
    /// removed), waiting until it is closed. Writes sent after are dropped.
    pub async fn close(&self) {
        // The reading connection is closed too (so that the WAL can be folded in), unless a
        // read holds it: waiting for that would block this thread, and with it the timeout
        // the caller puts on the close. The WAL is then folded in at the next start.
        if let Ok(mut r) = self.reader.try_lock() {
            r.take();
        }
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Job::Close(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// Runs `f` on a reading connection, on the blocking pool.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let reader = self.reader.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = reader
                .lock()
                .map_err(|_| StoreError::Io("the store's reader failed earlier".into()))?;
            if guard.is_none() {
                *guard = Some(Store::open_existing(&path)?);
            }
            match guard.as_ref() {
                Some(s) => f(s),
                None => Err(StoreError::Io("no reader".into())),
            }
        })
        .await
        .map_err(|e| StoreError::Io(e.to_string()))?
    }
}

fn snapshot(store: &Store) -> Result<Snapshot, StoreError> {
    let chats = store.chats()?;
    let names = store.names()?;
    let open = match store.last_open()? {
        Some(id) if chats.iter().any(|c| c.chat_id == id) => {
            let page = store.page(&id, None, START_PAGE)?;
            Some((id, page))
        }
        _ => None,
    };
    Ok(Snapshot {
        chats,
        names,
        open,
        reads: store.read_marks()?,
        notices: Vec::new(),
    })
}

/// The writer is background work: on a busy machine (a flood of messages on two cores) the
/// console's loop and links come first, and the writer catches up when they idle (its queue
/// holds what waits, in order). On Linux the thread runs at nice 19, the lowest (nice 10 still
/// took three quarters of a core from a flood's loop and link on two cores). Unlike
/// SCHED_IDLE, which did as well in the flood, nice 19 still gets a share of a machine that
/// stays busy, so the writer is never starved outright. The nice value is per thread.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its arguments; `0` is the calling thread on Linux.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}

fn writer(
    path: &Path,
    limits: Limits,
    mut rx: mpsc::UnboundedReceiver<Job>,
    queued: &crate::backlog::Backlog,
    mut opened: impl FnMut(Result<Snapshot, String>),
) {
    lower_priority();
    // Another process holding the store past the busy timeout (a migration of a big store by
    // `chat search`, say) is waited for a while rather than the store turned off for the
    // whole run; writes queue meanwhile.
    let mut opening = Store::open(path);
    let mut tries = 0;
    while let Err(e) = &opening
        && super::is_busy(e)
        && tries < OPEN_TRIES
    {
        if tries == 0 {
            tracing::info!("the message store is busy ({e}); trying again");
        }
        tries += 1;
        std::thread::sleep(Duration::from_secs(1));
        opening = Store::open(path);
    }
    let mut store = match opening {
        Ok((mut s, notice)) => {
            let mut snap = snapshot(&s).unwrap_or_else(|e| {
                tracing::warn!("cannot read the message store: {e}");
                Snapshot::default()
            });
            snap.notices.extend(notice);
            // What the store holds is drawn at once. A file that opens but is damaged inside is
            // found after (the check reads the whole file, seconds for a big store: the start
            // does not wait for it); the console is then told again, with the notice.
            opened(Ok(snap));
            if let Err(e) = s.check() {
                drop(s);
                match Store::open_aside(path, &e.to_string()) {
                    Ok((fresh, notice)) => {
                        s = fresh;
                        opened(Ok(Snapshot {
                            notices: vec![notice],
                            ..Snapshot::default()
                        }));
                    }
                    Err(e) => {
                        opened(Err(e.to_string()));
                        return drain(rx, queued);
                    }
                }
            }
            match s.prune(limits) {
                Ok(0) => {}
                Ok(n) => tracing::info!("store: {n} messages past the limits dropped"),
                Err(e) => tracing::warn!("store: cannot apply the limits: {e}"),
            }
            s
        }
        Err(e) => {
            tracing::error!("cannot open the message store: {e}");
            opened(Err(e.to_string()));
            return drain(rx, queued);
        }
    };
    let mut since_prune = 0usize;
    let mut failed = false;
    let mut no_wait_until = Instant::now();
    let mut closing = None;
    while let Some(first) = rx.blocking_recv() {
        let mut writes = Vec::new();
        let mut flushes = Vec::new();
        let mut rows = 0usize;
        let mut next = Some(first);
        while let Some(job) = next {
            match job {
                Job::Write(w) => {
                    rows += w.weight();
                    writes.push(w);
                }
                Job::Flush(done) => flushes.push(done),
                Job::Close(done) => closing = Some(done),
            }
            next = if rows < BATCH_ROWS && closing.is_none() {
                rx.try_recv().ok()
            } else {
                None
            };
        }
        if !writes.is_empty() {
            if rows >= BURST_ROWS
                && closing.is_none()
                && flushes.is_empty()
                && Instant::now() >= no_wait_until
            {
                no_wait_until = Instant::now()
                    + if let_burst_pass(&rx) {
                        // Passed: what it left queued is written next, without a look
                        // between batches.
                        BURST_CATCH_UP
                    } else {
                        // A flood that goes on: the writer takes its share from now on.
                        BURST_REST
                    };
            }
            match store.apply(&writes) {
                Ok(()) => failed = false,
                Err(e) if !failed => {
                    // Said once per run of failures (a full disk fails every batch).
                    tracing::error!("store: cannot write {} changes: {e}", writes.len());
                    failed = true;
                }
                Err(_) => {}
            }
            queued.taken(rows);
            since_prune += rows;
            if since_prune >= PRUNE_EVERY {
                since_prune = 0;
                if let Err(e) = store.prune(limits) {
                    tracing::warn!("store: cannot apply the limits: {e}");
                }
            }
        }
        for done in flushes {
            let _ = done.send(());
        }
        if let Some(done) = closing.take() {
            drop(store);
            let _ = done.send(());
            return drain(rx, queued);
        }
    }
}

/// A burst of messages (a thousand queued or more, still arriving at more than
/// [`BURST_QUIET`] per [`BURST_TICK`]) is let pass before the writer writes: the loop and the
/// links have the two cores to themselves while it lasts, and the writer writes it after, in
/// a few large transactions (the queue holds it, in order, meanwhile). On two cores the writer
/// took a fifth of the console's rate in a flood, though it runs at the lowest priority: it
/// ran whenever the loop and the link waited for each other. A burst that lasts longer than
/// [`BURST_WAIT`], or queues more than [`BURST_QUEUE`], is a flood that goes on: the writer
/// writes, and does not wait again for [`BURST_REST`]. Whether it passed.
fn let_burst_pass(rx: &mpsc::UnboundedReceiver<Job>) -> bool {
    let start = Instant::now();
    let mut before = rx.len();
    loop {
        if start.elapsed() >= BURST_WAIT || before >= BURST_QUEUE {
            return false;
        }
        std::thread::sleep(BURST_TICK);
        let now = rx.len();
        if now < before + BURST_QUIET {
            return true;
        }
        before = now;
    }
}

/// With no store, writes are dropped and flushes answered.
fn drain(mut rx: mpsc::UnboundedReceiver<Job>, queued: &crate::backlog::Backlog) {
    while let Some(job) = rx.blocking_recv() {
        match job {
            Job::Flush(done) | Job::Close(done) => {
                let _ = done.send(());
            }
            Job::Write(w) => queued.taken(w.weight()),
        }
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
