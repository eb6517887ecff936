//! The store's writer thread against real SQLite files: order, flushes, closing, and a store
//! that is held, damaged or busy when it starts.

use rusqlite::Connection;

use super::super::tests::{damage, msg};
use super::*;
use crate::store::{Limits, Store, Write, schema};

/// A writer on `path`, and what it hands over first.
fn start(
    path: &Path,
) -> (
    StoreWriter,
    tokio::sync::oneshot::Receiver<Result<Snapshot, String>>,
) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut tx = Some(tx);
    let w = StoreWriter::start(path, Limits::default(), move |r| {
        if let Some(tx) = tx.take() {
            let _ = tx.send(r);
        }
    });
    (w, rx)
}

#[tokio::test]
async fn the_writer_commits_in_order_and_a_reader_sees_it_after_a_flush() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite3");
    let (w, rx) = start(&path);
    for i in 0..12_000u64 {
        w.write(Write::Messages(vec![msg(
            "c",
            &format!("m{i}"),
            i,
            "a",
            "word",
        )]));
    }
    w.write(Write::Removed {
        chat_id: "c".into(),
        message_id: "m5".into(),
    });
    w.write(Write::Opened {
        chat_id: "c".into(),
        read: None,
    });
    let snap = tokio::time::timeout(std::time::Duration::from_secs(10), rx)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(snap.chats.is_empty());
    tokio::time::timeout(std::time::Duration::from_secs(30), w.flush())
        .await
        .unwrap();
    // Every row written is counted off the queue's bound.
    assert_eq!(w.queued(), 0);
    let n = w.read(|s| s.message_count("c")).await.unwrap();
    assert_eq!(n, 11_999);
    let last = w.read(super::Store::last_open).await.unwrap();
    assert_eq!(last.as_deref(), Some("c"));
}

#[tokio::test]
async fn closing_the_writer_folds_the_wal_into_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut tx = Some(tx);
    let w = StoreWriter::start(&path, Limits::default(), move |r| {
        if let Some(tx) = tx.take() {
            let _ = tx.send(r.is_ok());
        }
    });
    assert!(rx.await.unwrap());
    w.write(Write::Messages(vec![msg(
        "c",
        "m",
        1,
        "a",
        "kept after close",
    )]));
    assert!(w.read(super::Store::counts).await.is_ok());
    tokio::time::timeout(std::time::Duration::from_secs(10), w.close())
        .await
        .unwrap();
    assert!(!dir.path().join("c.sqlite3-wal").exists());
    let (s, _) = Store::open(&path).unwrap();
    assert_eq!(s.search("kept", None, 5).unwrap().len(), 1);
}

/// Another process holding the store's write lock past the busy timeout (as one migrating a
/// big store does) is waited for: the writer opens the store once it is free, rather than
/// running the whole session without one, and what was written meanwhile is kept.
#[tokio::test]
async fn a_store_held_by_another_process_is_waited_for_not_given_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("held.sqlite3");
    {
        // A store of version 2: opening it migrates, which needs the write lock.
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(schema::V1).unwrap();
        conn.execute_batch(schema::V2).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
    }
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (free_tx, free_rx) = std::sync::mpsc::channel::<()>();
    let p = path.clone();
    let holder = std::thread::spawn(move || {
        let conn = Connection::open(&p).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        held_tx.send(()).unwrap();
        // Held until the writer has failed once (its busy timeout is 5 s).
        let _ = free_rx.recv_timeout(std::time::Duration::from_secs(7));
        conn.execute_batch("COMMIT").unwrap();
    });
    held_rx.recv().unwrap();
    let (w, rx) = start(&path);
    w.write(Write::Messages(vec![msg(
        "c",
        "m1",
        1000,
        "a",
        "kept while waiting",
    )]));
    let snap = tokio::time::timeout(std::time::Duration::from_secs(30), rx)
        .await
        .unwrap()
        .unwrap();
    assert!(snap.is_ok(), "{snap:?}");
    drop(free_tx);
    holder.join().unwrap();
    w.flush().await;
    let hits = w.read(|s| s.search("kept", None, 5)).await.unwrap();
    assert_eq!(hits.len(), 1);
}

/// Closing while a search reads (a slow one, or one the user left running at exit) does not
/// wait for the search: the writer commits and closes at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_does_not_wait_for_a_read_in_progress() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    let (w, rx) = start(&path);
    rx.await.unwrap().unwrap();
    w.write(Write::Messages(vec![msg(
        "c",
        "m1",
        1000,
        "a",
        "kept at close",
    )]));
    let (in_tx, in_rx) = tokio::sync::oneshot::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let w2 = w.clone();
    let reading = tokio::spawn(async move {
        w2.read(move |s| {
            let _ = in_tx.send(());
            let _ = release_rx.recv_timeout(std::time::Duration::from_secs(20));
            s.counts()
        })
        .await
    });
    in_rx.await.unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), w.close())
        .await
        .unwrap();
    assert!(!reading.is_finished(), "the close waited for the read");
    release_tx.send(()).unwrap();
    reading.await.unwrap().unwrap();
    // What was queued before the close was committed.
    let (s, _) = Store::open(&path).unwrap();
    assert_eq!(s.message_count("c").unwrap(), 1);
}

/// A store damaged inside: what it holds is handed over at once (the check of the whole file
/// comes after), then the console is told again: moved aside, a new store started, which is
/// the one written to.
#[tokio::test]
async fn a_store_damaged_inside_is_drawn_first_then_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    damage(&path);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let w = StoreWriter::start(&path, Limits::default(), move |r| {
        let _ = tx.send(r);
    });
    let wait = std::time::Duration::from_secs(10);
    let first = tokio::time::timeout(wait, rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(first.is_ok(), "{first:?}");
    let second = tokio::time::timeout(wait, rx.recv())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(
        second.notices.iter().any(|n| n.contains("moved to")),
        "{:?}",
        second.notices
    );
    assert!(second.chats.is_empty() && second.open.is_none());
    w.write(Write::Messages(vec![msg(
        "c",
        "new",
        5,
        "a",
        "after the move",
    )]));
    w.flush().await;
    let hits = w.read(|s| s.search("after", None, 5)).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert!(dir.path().join("s.sqlite3.bad").exists());
}

/// A writer with no store drops what it is sent, and counts it off: what feeds it never
/// waits on a queue no one will empty.
#[tokio::test]
async fn writes_dropped_for_want_of_a_store_are_counted_off_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be: it cannot be opened, nor moved aside and rebuilt.
    let path = dir.path().join("not-a-file");
    std::fs::create_dir_all(path.join("inside")).unwrap();
    let (w, rx) = start(&path);
    for i in 0..1_000u64 {
        w.write(Write::Removed {
            chat_id: "c".into(),
            message_id: format!("m{i}"),
        });
    }
    let opened = tokio::time::timeout(std::time::Duration::from_secs(60), rx)
        .await
        .unwrap()
        .unwrap();
    assert!(opened.is_err(), "{opened:?}");
    tokio::time::timeout(std::time::Duration::from_secs(10), w.flush())
        .await
        .unwrap();
    assert_eq!(w.queued(), 0);
    tokio::time::timeout(std::time::Duration::from_secs(10), w.room())
        .await
        .unwrap();
}
