//! SQLite through rusqlite: a small pool of connections whose statements run on the calling thread.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Statement};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::param::Param;
use super::row::{Row, RowRef, Value, ValueRef};
use crate::store::StoreError;

/// Settings every connection gets: WAL so readers never block the writer, foreign keys on, a busy
/// timeout instead of instant SQLITE_BUSY (for other processes; this one queues its writers), and
/// NORMAL sync (durable at checkpoints, safe with WAL). No `journal_size_limit`: it makes the
/// commit that restarts the WAL truncate the file, and under load that commit waited on the file
/// system for up to 0.9 s while every other writer queued behind it (decision p99 770 ms instead
/// of 80 ms at 1,000,000 applications).
const PRAGMAS: &str = "PRAGMA journal_mode = WAL;
     PRAGMA foreign_keys = ON;
     PRAGMA busy_timeout = 10000;
     PRAGMA synchronous = NORMAL;";

/// Prepared statements kept per connection: every statement the store runs, with room to spare.
const STATEMENT_CACHE: usize = 256;

/// Page cache per connection (negative = KiB). SQLite's default of 2 MB missed on most of the pages a
/// search touches (the most recent applicants and their applications): 16 MB halved a name search's
/// time. The pool's few connections stay well inside the server's memory budget.
const PAGE_CACHE: &str = "PRAGMA cache_size = -16384";

/// With a checkpointer running, commits leave the WAL alone: an automatic checkpoint runs inside
/// whichever commit crosses 1,000 pages and made that request wait for it (milliseconds, in the p99).
const NO_AUTOCHECKPOINT: &str = "PRAGMA wal_autocheckpoint = 0";

/// The pool: idle connections and a bound on how many exist.
#[derive(Debug, Clone)]
pub struct Pool(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
    acquire_timeout: Duration,
    background_checkpoints: AtomicBool,
}

impl Pool {
    /// A pool over the database file `path` (which must exist: the migrations create it).
    pub fn new(path: &Path, max_connections: usize, acquire_timeout: Duration) -> Pool {
        Pool(Arc::new(Shared {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(max_connections)),
            acquire_timeout,
            background_checkpoints: AtomicBool::new(false),
        }))
    }

    /// The file path of a `sqlite://PATH?options` or `sqlite:PATH` URL.
    pub fn path_of(url: &str) -> Option<PathBuf> {
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }

    pub async fn acquire(&self) -> Result<Pooled, StoreError> {
        let permit = tokio::time::timeout(
            self.0.acquire_timeout,
            Arc::clone(&self.0.permits).acquire_owned(),
        )
        .await
        .map_err(|_| StoreError::Unavailable("timed out waiting for a database connection".into()))?
        .map_err(|_| StoreError::Unavailable("the database pool is closed".into()))?;
        let idle = self
            .0
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        Ok(Pooled {
            conn: Some(conn),
            pool: Arc::clone(&self.0),
            keep: true,
            _permit: permit,
        })
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.0.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.execute_batch(PRAGMAS)?;
        conn.execute_batch(PAGE_CACHE)?;
        if self.0.background_checkpoints.load(Ordering::Relaxed) {
            conn.execute_batch(NO_AUTOCHECKPOINT)?;
        }
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }

    /// Moves WAL checkpoints out of the commits into a task that runs one every `every`, on a blocking
    /// thread (PASSIVE: it never waits for readers or writers), until the pool closes.
    pub fn spawn_checkpointer(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        self.0.background_checkpoints.store(true, Ordering::Relaxed);
        for conn in self
            .0
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            if let Err(error) = conn.execute_batch(NO_AUTOCHECKPOINT) {
                tracing::warn!(%error, "cannot turn off automatic checkpoints");
            }
        }
        let pool = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let Ok(conn) = pool.acquire().await else {
                    return; // the pool is closed
                };
                let done = tokio::task::spawn_blocking(move || {
                    conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)")
                })
                .await;
                if let Ok(Err(error)) = done {
                    tracing::warn!(%error, "WAL checkpoint failed");
                }
            }
        })
    }

    /// Closes the idle connections; connections in use close when they come back.
    pub fn close(&self) {
        self.0.permits.close();
        self.0
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// A connection out of the pool; it goes back when dropped, rolled back if a transaction was left open.
#[derive(Debug)]
pub struct Pooled {
    conn: Option<Connection>,
    pool: Arc<Shared>,
    keep: bool,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        // A transaction left open (an error, a cancelled request) ends here, before anyone else
        // can get this connection; if even the rollback fails, the connection is closed instead.
        let clean = conn.is_autocommit() || conn.execute_batch("ROLLBACK").is_ok();
        if clean && self.keep && !self.pool.permits.is_closed() {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(conn);
        }
    }
}

impl Pooled {
    fn conn(&self) -> &Connection {
        // Present from `acquire` until `drop`.
        self.conn
            .as_ref()
            .expect("a pooled connection is present until dropped")
    }

    pub fn close_on_drop(&mut self) {
        self.keep = false;
    }

    pub fn execute_batch(&self, sql: &str) -> Result<(), rusqlite::Error> {
        self.conn().execute_batch(sql)
    }

    pub fn execute(
        &self,
        sql: &str,
        params: &[Param],
        persistent: bool,
    ) -> Result<u64, StoreError> {
        let conn = self.conn();
        // Stepped like a query, so a statement with RETURNING runs too; its rows are ignored.
        let run = |stmt: &mut Statement<'_>| -> Result<u64, StoreError> {
            bind_all(stmt, params)?;
            let mut rows = stmt.raw_query();
            while rows.next()?.is_some() {}
            Ok(conn.changes())
        };
        if persistent {
            run(&mut *conn.prepare_cached(sql)?)
        } else {
            run(&mut conn.prepare(sql)?)
        }
    }

    /// Runs a query and reads its rows (at most `limit`).
    pub fn fetch(
        &self,
        sql: &str,
        params: &[Param],
        persistent: bool,
        limit: Option<usize>,
    ) -> Result<Vec<Row>, StoreError> {
        let conn = self.conn();
        if persistent {
            read_rows(&mut *conn.prepare_cached(sql)?, params, limit)
        } else {
            read_rows(&mut conn.prepare(sql)?, params, limit)
        }
    }

    /// Runs a query and hands each row to `each` until it returns `false` (bulk reads).
    pub fn for_each_row(
        &self,
        sql: &str,
        params: &[Param],
        mut each: impl FnMut(RowRef<'_>) -> bool,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        bind_all(&mut stmt, params)?;
        let columns = column_names(&stmt);
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next()? {
            if !each(RowRef::Statement {
                columns: &columns,
                row,
            }) {
                break;
            }
        }
        Ok(())
    }
}

fn column_names(stmt: &Statement<'_>) -> Arc<[String]> {
    stmt.column_names()
        .iter()
        .map(|c| (*c).to_owned())
        .collect()
}

fn read_row(row: &rusqlite::Row<'_>, columns: &Arc<[String]>) -> Result<Row, StoreError> {
    let values = (0..columns.len())
        .map(|i| row.get_ref(i).map(|v| Value::from(ValueRef::from(v))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Row::sqlite(Arc::clone(columns), values))
}

fn read_rows(
    stmt: &mut Statement<'_>,
    params: &[Param],
    limit: Option<usize>,
) -> Result<Vec<Row>, StoreError> {
    bind_all(stmt, params)?;
    let columns = column_names(stmt);
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while limit.is_none_or(|limit| out.len() < limit) {
        let Some(row) = rows.next()? else { break };
        out.push(read_row(row, &columns)?);
    }
    Ok(out)
}

/// Binds `params` to the statement's parameters: `$n` takes the n-th value wherever it appears (and
/// however often); an anonymous `?` takes the value at its position.
pub(super) fn bind_all(stmt: &mut Statement<'_>, params: &[Param]) -> Result<(), StoreError> {
    stmt.clear_bindings();
    for slot in 1..=stmt.parameter_count() {
        let index = match stmt.parameter_name(slot) {
            Some(name) => name
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n >= 1)
                .map(|n| n - 1)
                .ok_or_else(|| StoreError::Database(format!("unsupported parameter {name}")))?,
            None => slot - 1,
        };
        let param = params.get(index).ok_or_else(|| {
            StoreError::Database(format!(
                "parameter {} is not bound ({} given)",
                index + 1,
                params.len()
            ))
        })?;
        match param {
            Param::Text(text) => stmt.raw_bind_parameter(slot, text.as_str())?,
            Param::Int(n) => stmt.raw_bind_parameter(slot, n)?,
            Param::Real(x) => stmt.raw_bind_parameter(slot, x)?,
            Param::Blob(bytes) => stmt.raw_bind_parameter(slot, bytes.as_slice())?,
            Param::Null(_) => stmt.raw_bind_parameter(slot, rusqlite::types::Null)?,
        }
    }
    Ok(())
}
