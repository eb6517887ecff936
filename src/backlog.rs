//! A bound on what one task hands another through a channel that never refuses (the links'
//! event channels, the store's queue): the sender counts what it sends, the reader what it
//! takes, and the sender, before it reads more from its own source, waits while the count is
//! at the bound. Nothing is dropped: what arrives at the bound waits where it came from (a
//! link stops reading its socket, and the server's own flow control holds the rest), so a
//! server that sends faster than the console can take does not grow the console without end.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

#[derive(Debug)]
pub struct Backlog {
    queued: AtomicUsize,
    bound: usize,
    room: Notify,
}

impl Backlog {
    pub fn new(bound: usize) -> Backlog {
        Backlog {
            queued: AtomicUsize::new(0),
            bound: bound.max(1),
            room: Notify::new(),
        }
    }

    /// `n` more sent.
    pub fn sent(&self, n: usize) {
        self.queued.fetch_add(n, Ordering::Relaxed);
    }

    /// `n` taken by the reader (or dropped unread).
    pub fn taken(&self, n: usize) {
        let before = self
            .queued
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |q| {
                Some(q.saturating_sub(n))
            })
            .unwrap_or(0);
        if before >= self.bound && before.saturating_sub(n) < self.bound {
            self.room.notify_waiters();
        }
    }

    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Acquire)
    }

    pub fn full(&self) -> bool {
        self.queued() >= self.bound
    }

    /// Returns once the count is below the bound.
    pub async fn room(&self) {
        loop {
            let notified = self.room.notified();
            tokio::pin!(notified);
            // Registered before the count is read: a `taken` in between is not missed.
            notified.as_mut().enable();
            if !self.full() {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_sender_at_the_bound_waits_until_the_reader_takes_some() {
        let b = Arc::new(Backlog::new(100));
        b.sent(99);
        // Below the bound: no wait.
        tokio::time::timeout(Duration::from_secs(5), b.room())
            .await
            .expect("below the bound");
        b.sent(1);
        assert!(b.full());
        let waiting = tokio::spawn({
            let b = b.clone();
            async move { b.room().await }
        });
        // Still at the bound after a take that leaves it there (more were sent meanwhile).
        b.sent(10);
        b.taken(10);
        assert!(b.full());
        assert!(!waiting.is_finished());
        b.taken(1);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("woken once below the bound")
            .unwrap();
        assert_eq!(b.queued(), 99);
        // Taking more than was counted never wraps.
        b.taken(1_000);
        assert_eq!(b.queued(), 0);
    }

    /// Many senders and one reader on two threads: each waiter is woken, none hangs.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiters_are_never_left_behind() {
        let b = Arc::new(Backlog::new(8));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u32>();
        let mut senders = Vec::new();
        for s in 0..4u32 {
            let (b, tx) = (b.clone(), tx.clone());
            senders.push(tokio::spawn(async move {
                for i in 0..2_000u32 {
                    b.room().await;
                    b.sent(1);
                    tx.send(s * 10_000 + i).unwrap();
                }
            }));
        }
        drop(tx);
        let reader = tokio::spawn({
            let b = b.clone();
            async move {
                let mut got = 0;
                let mut most = 0;
                while let Some(_v) = rx.recv().await {
                    most = most.max(b.queued());
                    b.taken(1);
                    got += 1;
                }
                (got, most)
            }
        });
        let (got, most) = tokio::time::timeout(Duration::from_secs(30), reader)
            .await
            .expect("a waiter was left behind")
            .unwrap();
        assert_eq!(got, 8_000);
        // Four senders may each pass the check at once: the bound is held to within them.
        assert!(most <= 8 + 4, "{most}");
    }
}
