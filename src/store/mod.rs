//! The only place that writes SQL. One code path over SQLite and PostgreSQL (`db`: rusqlite on the
//! calling thread for SQLite, sqlx's Any driver for PostgreSQL), with portable column types (see
//! migrations/common). Migrations run through sqlx on both.

pub mod applicants;
pub mod applications;
pub mod audit;
pub mod bulk;
pub mod challenges;
pub mod checks;
mod contention;
pub mod dashboard;
pub mod db;
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
pub mod settings;
pub mod signature_codes;
pub mod staff;
pub mod staff_mfa;
pub mod tenants;

mod sequencer;
mod transaction;
mod write_gate;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Connection, Executor};

pub use contention::{Contention, ContentionCounts};
pub use db::Conn;
pub use error::StoreError;
use sequencer::Sequencer;
pub use transaction::{SnapshotTx, WriteConn, WriteTx};
use write_gate::WriteGate;

/// A write transaction; pass `&mut tx` (or `&mut *tx`) to the store functions.
pub type Tx = WriteTx;

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
    /// sqlx's pool: migrations and tests on both backends; every statement on PostgreSQL.
    pool: AnyPool,
    /// SQLite's own pool, for every statement the store runs on SQLite.
    sqlite: Option<db::sqlite::Pool>,
    backend: Backend,
    gate: WriteGate,
    /// PostgreSQL only: chains the audit events transactions leave pending.
    sequencer: Option<Sequencer>,
    contention: ContentionCounts,
}

/// Connections of SQLite's pool: statements run on the calling thread, so about as many are busy at
/// once as there are runtime threads, plus long reads on threads of their own.
const SQLITE_CONNECTIONS: usize = 8;

/// How often a serving process checkpoints SQLite's WAL (see `db::sqlite::Pool::spawn_checkpointer`).
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// How often a serving process on PostgreSQL folds the status-count deltas into the counters (the
/// queue's tabs then sum at most about a second of changes, see `queue::fold_counts`) and chains
/// audit events a crash left pending (see `sequencer`).
const MAINTENANCE_EVERY: Duration = Duration::from_secs(1);

/// Settings every sqlx SQLite connection gets (migrations, tests): as `db::sqlite`'s.
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
                Backend::Sqlite => 4,
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
        let sqlite_path = match backend {
            Backend::Sqlite => {
                let path = db::sqlite::Pool::path_of(url).ok_or_else(|| {
                    StoreError::Unavailable(
                        "a SQLite database must be a file: sqlite://PATH".into(),
                    )
                })?;
                crate::private_files::prepare_sqlite(&path).map_err(|e| {
                    StoreError::Unavailable(format!("cannot create {}: {e}", path.display()))
                })?;
                Some(path)
            }
            Backend::Postgres => None,
        };
        let pool = options
            .connect(url)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let sqlite = sqlite_path
            .map(|path| db::sqlite::Pool::new(&path, SQLITE_CONNECTIONS, Duration::from_secs(10)));
        let sequencer = (backend == Backend::Postgres).then(|| Sequencer::new(pool.clone()));
        Ok(Store {
            pool,
            sqlite,
            backend,
            gate: WriteGate::for_backend(backend),
            sequencer,
            contention: ContentionCounts::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Chains every audit event committed so far (PostgreSQL leaves them pending until a round;
    /// nothing to do on SQLite). Returns how many this call chained.
    pub async fn chain_pending_audit(&self) -> Result<usize, StoreError> {
        match &self.sequencer {
            Some(sequencer) => sequencer.chain_committed().await,
            None => Ok(0),
        }
    }

    /// Transactions aborted for contention (deadlock victims, serialization failures) so far.
    pub fn contention(&self) -> &ContentionCounts {
        &self.contention
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

    /// Starts a write transaction. On SQLite it waits its turn at this process's write gate, then
    /// takes the write lock up front (`BEGIN IMMEDIATE`), so a transaction that reads and then
    /// writes never fails with SQLITE_BUSY half-way.
    pub async fn begin_write(&self) -> Result<Tx, StoreError> {
        let turn = self.gate.wait().await;
        let conn = self.begin("BEGIN IMMEDIATE", "BEGIN").await?;
        Ok(WriteTx::new(conn, turn, self.sequencer.clone()))
    }

    /// A connection for a single-statement write outside a transaction (a session record, a job
    /// claim): on SQLite it holds this process's write gate like [`Store::begin_write`].
    pub async fn write_conn(&self) -> Result<WriteConn, StoreError> {
        let turn = self.gate.wait().await;
        Ok(WriteConn::new(self.conn().await?, turn))
    }

    /// A read-only transaction whose reads all see one snapshot: a chain head read first and the
    /// rows streamed after it agree. PostgreSQL: REPEATABLE READ. SQLite (WAL): a read transaction
    /// sees the database as of its first read until it ends, and does not block writers meanwhile.
    pub async fn begin_snapshot(&self) -> Result<SnapshotTx, StoreError> {
        let conn = self
            .begin("BEGIN", "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await?;
        Ok(SnapshotTx::new(conn))
    }

    async fn begin(&self, sqlite: &str, postgres: &'static str) -> Result<Conn, StoreError> {
        match &self.sqlite {
            Some(pool) => {
                let conn = pool.acquire().await?;
                conn.execute_batch(sqlite)?;
                Ok(Conn(db::Inner::Sqlite(conn)))
            }
            None => Ok(Conn(db::Inner::AnyTx(
                self.pool.begin_with(postgres).await?,
            ))),
        }
    }

    /// A connection from the pool, for reads outside a transaction.
    pub async fn conn(&self) -> Result<Conn, StoreError> {
        Ok(Conn(match &self.sqlite {
            Some(pool) => db::Inner::Sqlite(pool.acquire().await?),
            None => db::Inner::Any(self.pool.acquire().await?),
        }))
    }

    /// A serving process's upkeep of the database, until the task is aborted. SQLite: WAL
    /// checkpoints in the background instead of inside commits (short CLI runs keep SQLite's
    /// automatic checkpoints). PostgreSQL: the status-count deltas folded into the counters, and
    /// audit events a crashed instance left pending chained.
    pub fn spawn_maintenance(&self) -> tokio::task::JoinHandle<()> {
        if let Some(pool) = &self.sqlite {
            return pool.spawn_checkpointer(CHECKPOINT_EVERY);
        }
        let store = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(MAINTENANCE_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(error) = queue::fold_counts(&store).await {
                    tracing::warn!(%error, "could not fold the status-count deltas");
                }
                // Events a crashed instance committed but did not see chained.
                if let Err(error) = store.chain_pending_audit().await {
                    tracing::warn!(%error, "could not chain the pending audit events");
                }
            }
        })
    }

    /// Answers whether the database responds.
    pub async fn ping(&self) -> Result<(), StoreError> {
        db::query("SELECT 1")
            .execute(&mut self.conn().await?)
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        if let Some(pool) = &self.sqlite {
            pool.close();
        }
        self.pool.close().await;
    }
}
