//! One query API over both databases, so every store function is written once.
//!
//! - **SQLite** runs through rusqlite *on the calling thread*. sqlx's SQLite driver runs each
//!   connection on a thread of its own and hands every statement and every row across threads; on
//!   the 2-core benchmark machine each hand-over cost ~20 µs of CPU and ~35 µs of latency (measured
//!   with a two-thread ping-pong), some 23 of them per queue page: more than the SQL itself. Our
//!   statements take micro- to milliseconds, so running them in place is cheaper than any hand-over.
//!   Bulk reads (exports, chain verification) run on a blocking thread of their own instead.
//! - **PostgreSQL** runs through sqlx's Any driver (async network I/O, no extra threads).
//!
//! The surface mirrors sqlx's (`query(sql).bind(v).fetch_all(conn)`, `row.try_get("col")`), with `$1,
//! $2 ...` placeholders on both backends. Migrations and the tests' direct checks still use sqlx's pool.

mod param;
mod query;
mod row;
pub(super) mod sqlite;
pub mod stream;

use sqlx::Any;
use sqlx::pool::PoolConnection;

pub use param::ToParam;
pub use query::{Done, Query, QueryAs, QueryScalar, query, query_as, query_scalar};
pub use row::{Columns, FromDb, FromRow, Row, RowRef};

use super::StoreError;

/// A database connection: pooled, inside a transaction or not. Store functions take `&mut Conn`.
#[derive(Debug)]
pub struct Conn(pub(super) Inner);

#[derive(Debug)]
pub(super) enum Inner {
    Sqlite(sqlite::Pooled),
    Any(PoolConnection<Any>),
    AnyTx(sqlx::Transaction<'static, Any>),
}

impl Conn {
    /// The database this connection speaks to, for the few statements written per dialect.
    pub fn backend(&self) -> super::Backend {
        match self.0 {
            Inner::Sqlite(_) => super::Backend::Sqlite,
            Inner::Any(_) | Inner::AnyTx(_) => super::Backend::Postgres,
        }
    }

    /// Runs statements without parameters or results (PRAGMAs, ANALYZE), on this connection.
    pub async fn execute_batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match &mut self.0 {
            Inner::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Inner::Any(conn) => {
                sqlx::raw_sql(sql).execute(&mut **conn).await?;
                Ok(())
            }
            Inner::AnyTx(tx) => {
                sqlx::raw_sql(sql).execute(&mut **tx).await?;
                Ok(())
            }
        }
    }

    pub(super) async fn commit(self) -> Result<(), StoreError> {
        match self.0 {
            Inner::Sqlite(conn) => Ok(conn.execute_batch("COMMIT")?),
            Inner::AnyTx(tx) => Ok(tx.commit().await?),
            Inner::Any(_) => Ok(()),
        }
    }

    pub(super) async fn rollback(self) -> Result<(), StoreError> {
        match self.0 {
            Inner::Sqlite(conn) => Ok(conn.execute_batch("ROLLBACK")?),
            Inner::AnyTx(tx) => Ok(tx.rollback().await?),
            Inner::Any(_) => Ok(()),
        }
    }

    /// Keeps this connection out of the pool when it is dropped (connections with special settings).
    pub fn close_on_drop(&mut self) {
        match &mut self.0 {
            Inner::Sqlite(conn) => conn.close_on_drop(),
            Inner::Any(conn) => conn.close_on_drop(),
            Inner::AnyTx(_) => {}
        }
    }
}
