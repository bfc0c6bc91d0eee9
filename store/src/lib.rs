//! Turnout's storage: one code path over SQLite (the embedded default) and PostgreSQL.
//!
//! Queries are written once in the SQL both databases accept (`$1` placeholders, `RETURNING`,
//! partial indexes) and run through sqlx's `Any` driver; only the migrations differ, and one
//! test suite runs against both backends to keep them honest.

mod campaigns;
mod candidate_flow;
mod device;
mod feedback;
mod follow_up;
mod guide;
mod hr;
mod rating;
mod records;
mod reminders;
pub mod secret;
mod status;
mod writer;

pub use candidate_flow::{Confirmation, Decline};
pub use device::DeviceCheckStatus;
pub use feedback::{FeedbackRecord, FeedbackSummary};
pub use follow_up::{
    CallRecord, FollowUpRow, RiskOverride, RiskScope, RiskSettings, StoredAssessment, StoredModel, StoredReason,
};
pub use guide::GuideEvent;
pub use hr::{HrRole, HrUser, HrUserRecord};
pub use rating::{percent, CallCursor, CallEntry, Rating};
pub use records::{Campaign, CandidateStatus, Invitation, NewCampaign, NewCandidate, SignalRecord, StateCounts};
pub use reminders::{Claim, ClaimedMessage, FollowUpCheck, MessageStatus, NoticeMessage, NoticeReads, Outcome, TrackedNotice};
pub use status::{StatusCursor, StatusQuery};

use chrono::{DateTime, Utc};
use sqlx::any::{AnyArguments, AnyConnectOptions, AnyPoolOptions, AnyQueryResult, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

use turnout_domain::BookingRefusal;

/// What can go wrong in storage.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database failed or is unreachable.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The invitation token matches nothing.
    #[error("unknown invitation")]
    UnknownInvitation,
    /// The rules refused the request; nothing was changed but the signal that records it.
    #[error("refused: {0}")]
    Refused(#[from] BookingRefusal),
    /// Something asked for does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A stored value no longer parses (a bug or a hand edit).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The database did not keep a write (its transaction failed at or before the commit).
    #[error("the database did not keep the change: {0}")]
    NotKept(String),
    /// The database URL is not one Turnout supports.
    #[error("unsupported database URL (use sqlite://… or postgres://…): {0}")]
    UnsupportedUrl(String),
}

/// Shorthand for storage results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// Recognises the backend from a database URL.
    pub fn of_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(url.split(':').next().unwrap_or_default().to_string()))
        }
    }
}

/// The storage handle: cheap to clone, shared by every request.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite's writers, in turn on a connection of their own (see [`Store::begin_write`]).
    writers: Option<writer::Writers>,
    /// Held by every clone: background tasks stop once it is gone.
    alive: Arc<()>,
}

/// A transaction that writes: on SQLite, a turn on the writers' connection, holding the one
/// write lock from its first statement and committed with its group (see [`writer`]).
pub(crate) enum WriteTx {
    Sqlite(writer::Turn),
    Postgres(Transaction<'static, Any>),
}

impl WriteTx {
    /// Commits; returns once the changes are on disk.
    pub(crate) async fn commit(self) -> Result<()> {
        match self {
            WriteTx::Sqlite(turn) => turn.commit().await,
            WriteTx::Postgres(tx) => Ok(tx.commit().await?),
        }
    }
}

impl std::ops::Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match self {
            WriteTx::Sqlite(turn) => turn,
            WriteTx::Postgres(tx) => tx,
        }
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            WriteTx::Sqlite(turn) => turn,
            WriteTx::Postgres(tx) => tx,
        }
    }
}

impl Store {
    /// Connects to `url` (`sqlite://path/to/file.db` or `postgres://…`). A SQLite file and its
    /// folder are created when missing; SQLite runs in WAL mode with `synchronous=FULL`, so a
    /// confirmation once acknowledged survives a crash or power cut.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let (pool, writers) = match backend {
            Backend::Sqlite => {
                let pool = AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    // An embedded file cannot drop a connection: pinging it before each use
                    // only costs a hand-over to its thread (9% of the invitation page's time).
                    .test_before_acquire(false)
                    .after_connect(|conn, _meta| Box::pin(async move { sqlite_settings(conn).await }))
                    .connect_with(options.clone())
                    .await?;
                let mut writer = AnyConnection::connect_with(&options).await?;
                sqlite_settings(&mut writer).await?;
                // The writers' pages stay cached between them (the newest leaves of every
                // table and index they append to): 64 MiB at most, instead of SQLite's 2.
                writer.execute("PRAGMA cache_size = -65536").await?;
                (pool, Some(writer::Writers::new(writer)))
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                (pool, None)
            }
        };
        let store = Store { pool, backend, writers, alive: Arc::new(()) };
        if backend == Backend::Sqlite {
            store.checkpoint_in_background();
        }
        Ok(store)
    }

    /// Copies SQLite's write-ahead log back into the database file every second, beside the
    /// writers rather than inside one of their commits (`PASSIVE`: it waits for no one and
    /// no one waits for it). Ends once the last handle on this store is dropped.
    fn checkpoint_in_background(&self) {
        let pool = self.pool.clone();
        let alive = Arc::downgrade(&self.alive);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if alive.upgrade().is_none() || pool.is_closed() {
                    break;
                }
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                    tracing::warn!(error = %e, "checkpoint of the SQLite log failed; the next one retries");
                }
            }
        });
    }

    /// Begins a transaction that will write. SQLite has one write lock per file: transactions
    /// that begin by reading and then write would meet it in SQLite's busy handler, which
    /// sleeps and retries (tens of milliseconds a time, refused outright when a snapshot went
    /// stale). Instead, writers take turns here, first come first served, and each begins
    /// `IMMEDIATE`, holding the lock from its first statement. They all write through one
    /// connection of their own, so the pages a write reads are in its cache from the write
    /// before (a connection whose file another connection changed must read them again), and
    /// those that queue up commit together (see [`writer`]). PostgreSQL locks rows, so its
    /// writers go straight in.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx> {
        match &self.writers {
            Some(writers) => Ok(WriteTx::Sqlite(writers.begin().await?)),
            None => Ok(WriteTx::Postgres(self.pool.begin().await?)),
        }
    }

    /// Runs one statement that writes, in turn with the other writers on SQLite (see
    /// [`Store::begin_write`]; a write through the reading pool would wait in SQLite's busy
    /// handler while a rush keeps the write lock taken), straight on the pool on PostgreSQL.
    pub(crate) async fn write<'q>(&self, statement: Query<'q, Any, AnyArguments<'q>>) -> Result<AnyQueryResult> {
        if self.writers.is_none() {
            return Ok(statement.execute(&self.pool).await?);
        }
        let mut tx = self.begin_write().await?;
        let done = statement.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// [`Store::write`] for a statement that returns one row (`RETURNING`).
    pub(crate) async fn write_returning<'q>(&self, statement: Query<'q, Any, AnyArguments<'q>>) -> Result<AnyRow> {
        if self.writers.is_none() {
            return Ok(statement.fetch_one(&self.pool).await?);
        }
        let mut tx = self.begin_write().await?;
        let row = statement.fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Applies every pending migration for this backend.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("migrations/postgres").run(&self.pool).await?,
        }
        self.backfill_contact_keys().await
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Commits the writers' open group and closes every reading connection (waits for those
    /// in use); the writers' connection closes with the last handle on the store.
    pub async fn close(&self) {
        if let Some(writers) = &self.writers {
            writers.flush().await;
        }
        self.pool.close().await;
    }
}

/// Every SQLite connection's settings; journal_mode=WAL is kept by the file itself.
async fn sqlite_settings(conn: &mut AnyConnection) -> std::result::Result<(), sqlx::Error> {
    conn.execute("PRAGMA journal_mode = WAL").await?;
    conn.execute("PRAGMA synchronous = FULL").await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    conn.execute("PRAGMA busy_timeout = 30000").await?;
    // No commit copies the log back into the file itself (every thousand pages, one writer
    // would pay for it): a background task does, see `checkpoint_in_background`.
    conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
    // Savepoints and statements that may need undoing keep the pages they change in memory,
    // not in a temporary file written for each (see `writer`).
    conn.execute("PRAGMA temp_store = MEMORY").await?;
    Ok(())
}

/// Adds `mode=rwc` so a missing file is created, and creates the file's folder.
fn prepare_sqlite_url(url: &str) -> Result<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(url.to_string());
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::Corrupt(format!("cannot create {}: {e}", parent.display())))?;
        }
    }
    if url.contains("mode=") {
        Ok(url.to_string())
    } else if url.contains('?') {
        Ok(format!("{url}&mode=rwc"))
    } else {
        Ok(format!("{url}?mode=rwc"))
    }
}

/// A time as stored: Unix seconds.
pub(crate) fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// A stored time back as UTC.
pub(crate) fn from_ts(secs: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(secs, 0).ok_or_else(|| StoreError::Corrupt(format!("timestamp {secs}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_url() {
        assert_eq!(Backend::of_url("sqlite://data/x.db").ok(), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("postgres://u@h/db").ok(), Some(Backend::Postgres));
        assert!(Backend::of_url("mysql://h/db").is_err());
    }

    #[test]
    fn sqlite_url_gets_create_mode() {
        let dir = std::env::temp_dir().join(format!("turnout-url-{}", std::process::id()));
        let url = format!("sqlite://{}/a.db", dir.display());
        assert_eq!(prepare_sqlite_url(&url).ok(), Some(format!("{url}?mode=rwc")));
        assert!(dir.is_dir());
        let _ = std::fs::remove_dir_all(dir);
    }
}
