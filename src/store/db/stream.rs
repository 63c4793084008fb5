//! Long reads (exports, chain verification): millions of rows in one snapshot, handed over in batches
//! from a producer that owns the connection, so reading and the caller's work (encoding, hashing)
//! run side by side. SQLite reads on a blocking thread of its own; PostgreSQL streams in a task.

use futures_util::{Stream, StreamExt, TryStreamExt, stream};
use tokio::sync::mpsc;

use super::query::Query;
use super::row::{Row, RowRef};
use super::{Conn, Inner};
use crate::store::StoreError;

/// Rows per hand-over: one wake-up of the consumer per batch, not per row.
const BATCH: usize = 1024;
/// Batches in flight: memory stays bounded whatever the number of rows.
const BATCHES_IN_FLIGHT: usize = 4;

type Batch<T> = Result<Vec<T>, StoreError>;

/// Runs `query` on `conn` (typically a snapshot's) and streams its rows mapped by `map`, which runs
/// on the producer's side. The connection goes back to the pool when the rows end or the stream is
/// dropped; an open read transaction on it is rolled back then.
pub fn rows<T, F>(
    conn: Conn,
    query: Query<'static>,
    map: F,
) -> impl Stream<Item = Result<T, StoreError>> + Send + 'static
where
    T: Send + 'static,
    F: Fn(RowRef<'_>) -> Result<T, StoreError> + Send + 'static,
{
    let (tx, rx) = mpsc::channel::<Batch<T>>(BATCHES_IN_FLIGHT);
    match conn.0 {
        Inner::Sqlite(sqlite) => {
            tokio::task::spawn_blocking(move || {
                let mut batch = Vec::with_capacity(BATCH);
                let mut failed = None;
                let read = sqlite.for_each_row(query.sql(), query.params(), |row| {
                    match map(row) {
                        Ok(item) => batch.push(item),
                        Err(error) => {
                            failed = Some(error);
                            return false;
                        }
                    }
                    if batch.len() < BATCH {
                        return true;
                    }
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    tx.blocking_send(Ok(full)).is_ok()
                });
                let last = match failed.map_or(read, Err) {
                    Ok(()) => Ok(batch),
                    Err(error) => Err(error),
                };
                // The receiver may be gone (the caller stopped reading): nothing more to do.
                let _ = tx.blocking_send(last);
            });
        }
        Inner::Any(mut conn) => {
            tokio::spawn(async move { forward(query.fetch_any(&mut conn), map, tx).await });
        }
        Inner::AnyTx(mut conn) => {
            tokio::spawn(async move { forward(query.fetch_any(&mut conn), map, tx).await });
        }
    }
    stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|batch| (batch, rx))
    })
    .map_ok(|batch| stream::iter(batch.into_iter().map(Ok)))
    .try_flatten()
}

/// Batches a sqlx row stream into the channel until it ends, fails, or nobody listens.
async fn forward<T, F>(
    rows: impl Stream<Item = Result<Row, StoreError>>,
    map: F,
    tx: mpsc::Sender<Batch<T>>,
) where
    F: Fn(RowRef<'_>) -> Result<T, StoreError>,
{
    let mut rows = std::pin::pin!(rows.ready_chunks(BATCH));
    while let Some(chunk) = rows.next().await {
        let batch = chunk
            .into_iter()
            .map(|row| row.and_then(|row| map(RowRef::Row(&row))))
            .collect::<Result<Vec<_>, _>>();
        let failed = batch.is_err();
        if tx.send(batch).await.is_err() || failed {
            return;
        }
    }
}
