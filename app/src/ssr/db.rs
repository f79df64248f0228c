//! The database handle: SQLite by default, PostgreSQL for several instances.
//!
//! Queries go through sqlx's `Any` driver so one portable SQL text (`$1` placeholders, lowercase)
//! serves both engines. Its limits shape the schema: integers are read as `i64` (SQLite has no
//! narrower integer, PostgreSQL columns are `bigint`), flags are integers 0/1, and dates and times
//! are `text` (ISO 8601) or `bigint` (Unix seconds) — `Any` cannot read SQLite's `boolean` or
//! `date` column types.

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    AnyPool,
};
use std::{str::FromStr, sync::Arc, time::Duration};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a request waits for a connection, or for its turn to write.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Which engine is behind the pool; the few non-portable statements branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool on SQLite or PostgreSQL through sqlx's `Any` driver; cloning shares the pool.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// Write transactions open at once, at most half the pool: an action that reads through the
    /// pool while its transaction is open (mail branding, settings) always finds a connection.
    /// Without it, as many concurrent actions as connections each held one and waited for a
    /// second until the pool timed out.
    writers: Arc<Semaphore>,
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl Db {
    /// Connects; for SQLite, creates the database file (and its directory) when missing.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") { Backend::Sqlite } else { Backend::Postgres };
        if backend == Backend::Sqlite {
            if let Some(file) = sqlite_file(url) {
                if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                    super::private_fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
                }
                // Created by us, 0600, before SQLite opens it: its WAL and shared-memory files
                // take the database file's mode.
                super::private_fs::touch(&file).map_err(sqlx::Error::Io)?;
            }
        }
        let options = AnyConnectOptions::from_str(url)?;
        // SQLite serialises writers anyway; a small pool keeps WAL readers concurrent.
        let connections = if backend == Backend::Sqlite { 8 } else { 16 };
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Wait for a writer rather than fail at once; enforce foreign keys.
                        sqlx::query("pragma busy_timeout = 10000").execute(&mut *conn).await?;
                        sqlx::query("pragma foreign_keys = on").execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        if backend == Backend::Sqlite {
            // Write-ahead logging: readers never wait for the writer. The mode is stored in the
            // database file, so one statement settles it for every connection.
            let (mode,): (String,) = sqlx::query_as("pragma journal_mode = wal").fetch_one(&pool).await?;
            if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
                tracing::warn!(mode, "SQLite refused write-ahead logging");
            }
        }
        Ok(Self { pool, backend, writers: Arc::new(Semaphore::new(connections as usize / 2)) })
    }

    /// Applies pending migrations for this backend.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        self.migrator().run(&self.pool).await
    }

    /// This engine's migrations (tests use them to build a database as an older version left it).
    pub fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        }
    }

    /// Starts a write transaction. SQLite's is `BEGIN IMMEDIATE`: it takes the write lock at once,
    /// so reads inside it see the latest data and no late lock upgrade can fail.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let permit = tokio::time::timeout(ACQUIRE_TIMEOUT, self.writers.clone().acquire_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin_with("begin immediate").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx { inner, backend: self.backend, log: Vec::new(), _writer: permit })
    }

    /// The pool, for reads and single statements; writes that must commit together use
    /// [`Self::begin`].
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which engine this is, for the few statements that differ between them.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// `true` when the database answers a trivial query.
    pub async fn is_healthy(&self) -> bool {
        sqlx::query("select 1").execute(&self.pool).await.is_ok()
    }

    /// Whether the database answers and has every migration this build knows applied (an
    /// instance started before a newer one migrated, or against a database nobody migrated, is
    /// not ready).
    pub async fn is_ready(&self) -> bool {
        let Some(latest) = self.migrator().iter().map(|m| m.version).max() else { return true };
        let applied: Result<(Option<i64>,), _> =
            sqlx::query_as("select max(version) from _sqlx_migrations where success").fetch_one(&self.pool).await;
        matches!(applied, Ok((Some(v),)) if v >= latest)
    }
}

/// A write transaction. It dereferences to the connection, so queries run on it as on sqlx's own
/// transaction (`&mut *tx`); what it adds is the access log's entries for the action, which
/// [`super::audit::record`] checks and keeps here and [`Tx::commit`] appends to the chain at the
/// very end. The chain needs its true previous row, so appending takes the log's lock; taking it
/// only for the append and the commit lets the rest of every logged action run in parallel on
/// PostgreSQL (SQLite serialises write transactions anyway).
pub struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    log: Vec<super::audit::Pending>,
    /// Held until the transaction ends (see [`Db`]'s `writers`).
    _writer: OwnedSemaphorePermit,
}

impl Tx {
    /// Which engine the transaction runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Queues an access-log entry that commits with this transaction.
    pub(crate) fn push_log(&mut self, entry: super::audit::Pending) {
        self.log.push(entry);
    }

    /// Appends the queued access-log entries to the chain, then commits: the action and its log
    /// rows are kept together or not at all.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let log = std::mem::take(&mut self.log);
        if !log.is_empty() {
            super::audit::append(&mut self.inner, self.backend, log).await?;
        }
        self.inner.commit().await
    }

    /// Abandons the transaction and its queued log entries.
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.inner.rollback().await
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

/// The file path inside a `sqlite:` URL, if it names a file.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.into())
}

/// Reads a 0/1 integer column as a flag.
pub fn flag(value: i64) -> bool {
    value != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_file("sqlite://./data/v.db?mode=rwc"), Some("./data/v.db".into()));
        assert_eq!(sqlite_file("sqlite:///srv/v.db"), Some("/srv/v.db".into()));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
    }
}
