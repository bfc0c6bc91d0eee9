//! SQLite's writers: one connection, taken in turn, whose transactions commit in groups.
//!
//! SQLite lets one connection write at a time, and each commit appends every page it changed
//! to the write-ahead log and waits for the disk (`synchronous=FULL`). Writers that arrive
//! while another holds the connection would each pay for that in turn, for pages the
//! confirmations before them have mostly just written (the newest leaf of each table and
//! index). So a writer that finishes while others wait for their turn does not commit: it
//! releases its savepoint and hands the open transaction to the next writer, and waits. The
//! last writer of the group (no one waiting, [`GROUP_MAX`] writers in it, or the group open
//! for [`GROUP_SPAN`]) commits for all of them, and each learns the outcome. A writer is
//! answered only once its changes are on disk, as before.
//!
//! Each writer works inside a savepoint, so one that stops half-way (an error, or its request
//! went away) is undone alone, by the next to take the connection (a drop cannot run a
//! statement). Should the transaction itself be lost (the disk failed mid-write), every writer
//! of the group is told its changes were not kept.

use crate::{Result, StoreError};
use sqlx::{AnyConnection, Executor};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, Mutex, OwnedMutexGuard};

/// The most writers one commit carries.
pub(crate) const GROUP_MAX: usize = 64;
/// The longest a group stays open before it commits, whoever is waiting.
pub(crate) const GROUP_SPAN: Duration = Duration::from_millis(10);

/// What a member of a group learns: kept, or why not.
type Outcome = std::result::Result<(), String>;

/// The writers' connection, in turn.
#[derive(Clone)]
pub(crate) struct Writers {
    turn: Arc<Mutex<Writing>>,
    /// Writers waiting for their turn.
    waiting: Arc<AtomicUsize>,
}

impl std::fmt::Debug for Writers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writers").field("waiting", &self.waiting.load(Ordering::Relaxed)).finish_non_exhaustive()
    }
}

/// The connection and the group's transaction on it.
struct Writing {
    conn: AnyConnection,
    /// When the open transaction began (`None`: none is open).
    opened: Option<Instant>,
    /// Writers whose changes are in the open transaction, waiting for its commit.
    members: Vec<oneshot::Sender<Outcome>>,
    /// The last writer left without committing: its savepoint is still to be undone.
    abandoned: bool,
}

impl Writers {
    pub(crate) fn new(conn: AnyConnection) -> Writers {
        Writers {
            turn: Arc::new(Mutex::new(Writing { conn, opened: None, members: Vec::new(), abandoned: false })),
            waiting: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Waits for the connection, first come first served, and starts this writer's part.
    pub(crate) async fn begin(&self) -> Result<Turn> {
        let queued = Queued::enter(self);
        let mut writing = self.turn.clone().lock_owned().await;
        queued.served();
        writing.start().await?;
        Ok(Turn { writing, writers: self.clone(), done: false })
    }

    /// Commits whatever group is open (when the store is closed).
    pub(crate) async fn flush(&self) {
        self.turn.lock().await.settle().await;
    }

    /// Makes sure an open group is committed though the writer expected to carry it on went
    /// away: a task takes the connection after whoever holds it now.
    fn flush_later(&self) {
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let writers = self.clone();
            runtime.spawn(async move { writers.flush().await });
        }
    }
}

/// Counts a writer as waiting until it is served; one that goes away unserved may have been
/// counted on to carry a group on, so it has the group flushed.
struct Queued<'a> {
    writers: &'a Writers,
    served: bool,
}

impl<'a> Queued<'a> {
    fn enter(writers: &'a Writers) -> Queued<'a> {
        writers.waiting.fetch_add(1, Ordering::SeqCst);
        Queued { writers, served: false }
    }

    fn served(mut self) {
        self.served = true;
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.writers.waiting.fetch_sub(1, Ordering::SeqCst);
        if !self.served {
            self.writers.flush_later();
        }
    }
}

impl Writing {
    /// Undoes an abandoned writer's part, opens the group's transaction if none is open, and
    /// marks where this writer's part begins.
    async fn start(&mut self) -> Result<()> {
        self.undo_abandoned().await;
        if self.opened.is_none() {
            // Marked open before it runs: a writer that goes away mid-statement must not leave
            // the next one beginning inside a transaction.
            self.opened = Some(Instant::now());
            if let Err(e) = self.conn.execute("BEGIN IMMEDIATE").await {
                self.opened = None;
                return Err(e.into());
            }
        }
        if let Err(e) = self.conn.execute("SAVEPOINT writer").await {
            self.fail(&e.to_string()).await;
            return Err(e.into());
        }
        Ok(())
    }

    async fn undo_abandoned(&mut self) {
        if !std::mem::take(&mut self.abandoned) {
            return;
        }
        let undone = async {
            self.conn.execute("ROLLBACK TO writer").await?;
            self.conn.execute("RELEASE writer").await
        }
        .await;
        if let Err(e) = undone {
            self.fail(&e.to_string()).await;
        }
    }

    /// Commits the open transaction, if any, and tells its members.
    async fn settle(&mut self) {
        self.undo_abandoned().await;
        if self.opened.is_none() {
            return;
        }
        let outcome = self.conn.execute("COMMIT").await.map(|_| ()).map_err(|e| e.to_string());
        self.opened = None;
        if let Err(e) = &outcome {
            tracing::error!(error = %e, writers = self.members.len(), "commit of a group of writes failed");
            self.conn.execute("ROLLBACK").await.ok();
        }
        for member in self.members.drain(..) {
            member.send(outcome.clone()).ok();
        }
    }

    /// The transaction is lost: rolls back what is left of it and tells its members.
    async fn fail(&mut self, error: &str) {
        tracing::error!(error, writers = self.members.len(), "a group of writes was rolled back");
        if self.opened.take().is_some() {
            self.conn.execute("ROLLBACK").await.ok();
        }
        for member in self.members.drain(..) {
            member.send(Err(error.to_string())).ok();
        }
    }
}

/// One writer's turn on the connection.
pub(crate) struct Turn {
    writing: OwnedMutexGuard<Writing>,
    writers: Writers,
    done: bool,
}

impl Turn {
    /// Keeps this writer's part: commits it with the group, or hands the open transaction to
    /// the next writer and waits for that group's commit. Returns once the part is on disk.
    pub(crate) async fn commit(mut self) -> Result<()> {
        if let Err(e) = self.writing.conn.execute("RELEASE writer").await {
            self.writing.fail(&e.to_string()).await;
            self.done = true;
            return Err(e.into());
        }
        let (member, kept) = oneshot::channel();
        self.writing.members.push(member);
        let full = self.writing.members.len() >= GROUP_MAX || self.writing.opened.is_some_and(|t| t.elapsed() >= GROUP_SPAN);
        let last = full || self.writers.waiting.load(Ordering::SeqCst) == 0;
        self.done = true;
        let writers = self.writers.clone();
        drop(self);
        if last {
            // Committed by a task of its own, so a caller that goes away cannot interrupt it.
            writers.flush_later();
        }
        match kept.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StoreError::NotKept(e)),
            Err(_) => Err(StoreError::NotKept("the writer's connection went away before committing".into())),
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        if !self.done {
            // Left half-way: the next to take the connection undoes this part first.
            self.writing.abandoned = true;
            self.writers.flush_later();
        }
    }
}

impl std::ops::Deref for Turn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.writing.conn
    }
}

impl std::ops::DerefMut for Turn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.writing.conn
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{Connection, Row};
    use std::collections::BTreeSet;

    /// A fresh SQLite file with a table `t (x)`, and the writers on it.
    async fn writers(name: &str) -> (Writers, std::path::PathBuf) {
        sqlx::any::install_default_drivers();
        let path = std::env::temp_dir().join(format!("turnout-writer-{}-{name}.db", std::process::id()));
        for suffix in ["", "-wal", "-shm"] {
            std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
        }
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let mut conn = AnyConnection::connect(&url).await.expect("connect");
        conn.execute("PRAGMA journal_mode = WAL").await.expect("wal");
        conn.execute("CREATE TABLE t (x INTEGER NOT NULL)").await.expect("table");
        (Writers::new(conn), path)
    }

    async fn rows(path: &std::path::Path) -> BTreeSet<i64> {
        let mut conn = AnyConnection::connect(&format!("sqlite://{}", path.display())).await.expect("reader");
        let rows = sqlx::query("SELECT x FROM t").fetch_all(&mut conn).await.expect("rows");
        rows.iter().map(|r| r.try_get::<i64, _>("x").expect("x")).collect()
    }

    async fn insert(turn: &mut Turn, x: i64) {
        sqlx::query("INSERT INTO t (x) VALUES ($1)").bind(x).execute(&mut **turn).await.expect("insert");
    }

    /// Waits until `n` writers queue for the connection.
    async fn queued(writers: &Writers, n: usize) {
        while writers.waiting.load(Ordering::SeqCst) < n {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn a_writer_that_stops_half_way_is_undone_alone() {
        let (writers, path) = writers("abandoned").await;
        let mut first = writers.begin().await.expect("first");
        let next = tokio::spawn({
            let writers = writers.clone();
            async move {
                let mut turn = writers.begin().await.expect("second");
                insert(&mut turn, 2).await;
                // Goes away without committing.
            }
        });
        queued(&writers, 1).await;
        insert(&mut first, 1).await;
        // The second writer is waiting, so the first hands the transaction on and waits for
        // its commit: the second's part must be undone and the first's kept.
        first.commit().await.expect("the first writer's part is kept");
        next.await.expect("second task");
        assert_eq!(rows(&path).await, BTreeSet::from([1]));
    }

    #[tokio::test]
    async fn a_lost_transaction_is_reported_to_every_member() {
        let (writers, path) = writers("lost").await;
        let mut first = writers.begin().await.expect("first");
        let next = tokio::spawn({
            let writers = writers.clone();
            async move {
                let mut turn = writers.begin().await.expect("second");
                // The transaction ends under the writers' feet (as when the disk fails).
                turn.execute("ROLLBACK").await.expect("rollback");
            }
        });
        queued(&writers, 1).await;
        insert(&mut first, 1).await;
        let kept = first.commit().await;
        assert!(matches!(kept, Err(StoreError::NotKept(_))), "{kept:?}");
        next.await.expect("second task");
        assert!(rows(&path).await.is_empty());
        // The connection goes on: the next writer starts a transaction of its own.
        let mut again = writers.begin().await.expect("again");
        insert(&mut again, 3).await;
        again.commit().await.expect("kept");
        assert_eq!(rows(&path).await, BTreeSet::from([3]));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn exactly_the_writers_told_kept_are_kept_whoever_goes_away() {
        let (writers, path) = writers("stress").await;
        let tasks: Vec<_> = (0..300i64)
            .map(|x| {
                let writers = writers.clone();
                tokio::spawn(async move {
                    // Some stop waiting for their turn, some stop half-way, the rest commit.
                    let patience =
                        if x % 5 == 1 { Duration::from_micros((x * 37 % 2000) as u64) } else { Duration::from_secs(30) };
                    let Ok(turn) = tokio::time::timeout(patience, writers.begin()).await else {
                        return None;
                    };
                    let mut turn = turn.expect("begin");
                    insert(&mut turn, x).await;
                    if x % 7 == 3 {
                        return None;
                    }
                    turn.commit().await.expect("kept");
                    Some(x)
                })
            })
            .collect();
        let mut kept = BTreeSet::new();
        for task in tasks {
            kept.extend(
                tokio::time::timeout(Duration::from_secs(30), task).await.expect("no writer waits forever").expect("task"),
            );
        }
        assert!(kept.len() > 150, "most writers committed: {}", kept.len());
        assert_eq!(rows(&path).await, kept);
    }
}
