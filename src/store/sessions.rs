//! Session records of the back-office (opaque JSON data with an expiry).

use super::db::{query, query_as};
use super::{Conn, StoreError};
use crate::domain::time::Timestamp;

/// Replaces an existing record's data; `false` when there is no such record. Never inserts: a
/// record deleted by sign-out while a request still held the session must stay deleted.
pub async fn update(
    conn: &mut Conn,
    id: &str,
    data: &str,
    expires_at: Timestamp,
) -> Result<bool, StoreError> {
    let done = query("UPDATE sessions SET data = $2, expires_at = $3 WHERE id = $1")
        .bind(id)
        .bind(data)
        .bind(expires_at.canonical())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Inserts a new record; `false` when the id is taken (the caller draws another).
pub async fn create(
    conn: &mut Conn,
    id: &str,
    data: &str,
    expires_at: Timestamp,
) -> Result<bool, StoreError> {
    let done = query("INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
        .bind(id)
        .bind(data)
        .bind(expires_at.canonical())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The record's data and expiry, if it exists and has not expired.
pub async fn load(
    conn: &mut Conn,
    id: &str,
    now: Timestamp,
) -> Result<Option<(String, Timestamp)>, StoreError> {
    let row: Option<(String, String)> =
        query_as("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(id)
            .bind(now.canonical())
            .fetch_optional(conn)
            .await?;
    row.map(|(data, expires_at)| {
        let expires_at = expires_at.parse().map_err(|_| StoreError::Corrupt {
            column: "expires_at",
            value: expires_at,
        })?;
        Ok((data, expires_at))
    })
    .transpose()
}

pub async fn delete(conn: &mut Conn, id: &str) -> Result<(), StoreError> {
    query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes expired records; returns how many.
pub async fn delete_expired(conn: &mut Conn, now: Timestamp) -> Result<u64, StoreError> {
    let done = query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now.canonical())
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
