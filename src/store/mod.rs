//! The only place that writes SQL. One code path over SQLite and PostgreSQL through sqlx's Any driver,
//! with portable column types (see migrations/common).

pub mod applicants;
pub mod applications;
pub mod audit;
pub mod bulk;
pub mod challenges;
pub mod checks;
pub mod dashboard;
pub mod decisions;
pub mod documents;
mod error;
pub mod exports;
pub mod idempotency;
pub mod jobs;
pub mod legal_documents;
pub mod levels;
pub mod outbox;
pub mod provider_webhooks;
pub mod queue;
pub mod retention;
mod rows;
pub mod sessions;
pub mod signature_codes;
pub mod staff;
pub mod tenants;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Connection, Executor};

pub use error::StoreError;

/// A write transaction; pass `&mut *tx` to the store functions.
pub type Tx = sqlx::Transaction<'static, Any>;
/// A connection, inside a transaction or not.
pub type Conn = sqlx::AnyConnection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// The database: a pool and which backend is behind it.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// Settings every SQLite connection gets: WAL so readers never block the writer, foreign keys on,
/// a busy timeout instead of instant SQLITE_BUSY, and NORMAL sync (durable at checkpoints, safe with WAL).
const SQLITE_PRAGMAS: [&str; 4] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
    "PRAGMA synchronous = NORMAL",
];

impl Store {
    /// Connects to `url` (`sqlite://...` or `postgres://...`).
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        install_default_drivers();
        let backend = Backend::from_url(url).ok_or_else(|| {
            StoreError::Unavailable(
                "the database URL must start with sqlite:// or postgres://".into(),
            )
        })?;
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            // A connection that comes back still inside a transaction is closed at once, which
            // rolls back and (on SQLite) releases the write lock. Under load sqlx 0.8 could return
            // one when a request was dropped mid-write (the client went away); every later write
            // on it failed ("begin_with at non-zero transaction depth") and SQLite stayed locked
            // for the other connections.
            .after_release(|conn, _meta| Box::pin(async move { Ok(!conn.is_in_transaction()) }));
        let options = match backend {
            Backend::Sqlite => options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    for pragma in SQLITE_PRAGMAS {
                        conn.execute(pragma).await?;
                    }
                    Ok(())
                })
            }),
            Backend::Postgres => options,
        };
        let pool = options
            .connect(url)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies the shared migrations, then the backend's own (triggers and other dialect-specific SQL).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let mut common = sqlx::migrate!("./migrations/common");
        common.set_ignore_missing(true);
        common.run(&self.pool).await?;
        let mut dialect = match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        dialect.set_ignore_missing(true);
        dialect.run(&self.pool).await?;
        Ok(())
    }

    /// Starts a write transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`), so a
    /// transaction that reads and then writes never fails with SQLITE_BUSY half-way.
    pub async fn begin_write(&self) -> Result<Tx, StoreError> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    /// A read-only transaction whose reads all see one snapshot: a chain head read first and the
    /// rows streamed after it agree. PostgreSQL: REPEATABLE READ. SQLite (WAL): a read transaction
    /// sees the database as of its first read until it ends, and does not block writers meanwhile.
    pub async fn begin_snapshot(&self) -> Result<Tx, StoreError> {
        let tx = match self.backend {
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?
            }
            Backend::Sqlite => self.pool.begin().await?,
        };
        Ok(tx)
    }

    /// A connection from the pool, for reads outside a transaction.
    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<Any>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    /// Answers whether the database responds.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
