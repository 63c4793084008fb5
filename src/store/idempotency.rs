//! Stored first responses for `Idempotency-Key` replays.

use super::db::{query, query_as};
use super::{Conn, StoreError};
use crate::domain::ids::TenantId;
use crate::domain::time::Timestamp;

/// What is stored under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub request_hash: String,
    /// 0 while the first request is in flight.
    pub status: i64,
    pub response_body: Option<String>,
}

/// Claims a key for a request; `Ok(None)` when it was free, otherwise what is already stored.
/// Entries older than `fresh_since` count as free and are replaced.
pub async fn claim(
    conn: &mut Conn,
    tenant: TenantId,
    key: &str,
    request_hash: &str,
    now: Timestamp,
    fresh_since: Timestamp,
) -> Result<Option<Stored>, StoreError> {
    query("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2 AND created_at < $3")
        .bind(tenant.to_string())
        .bind(key)
        .bind(fresh_since.canonical())
        .execute(&mut *conn)
        .await?;
    let inserted = query(
        "INSERT INTO idempotency_keys (tenant_id, idempotency_key, request_hash, status, response_body, created_at)
         VALUES ($1, $2, $3, 0, NULL, $4) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING",
    )
    .bind(tenant.to_string())
    .bind(key)
    .bind(request_hash)
    .bind(now.canonical())
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(None);
    }
    let (request_hash, status, response_body): (String, i64, Option<String>) =
        query_as("SELECT request_hash, status, response_body FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2")
            .bind(tenant.to_string())
            .bind(key)
            .fetch_one(conn)
            .await?;
    Ok(Some(Stored {
        request_hash,
        status,
        response_body,
    }))
}

/// Records the first response.
pub async fn complete(
    conn: &mut Conn,
    tenant: TenantId,
    key: &str,
    status: i64,
    body: &str,
) -> Result<(), StoreError> {
    query("UPDATE idempotency_keys SET status = $1, response_body = $2 WHERE tenant_id = $3 AND idempotency_key = $4")
        .bind(status)
        .bind(body)
        .bind(tenant.to_string())
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Frees a key whose first request failed on our side, so the client may retry with it.
pub async fn release(conn: &mut Conn, tenant: TenantId, key: &str) -> Result<(), StoreError> {
    query(
        "DELETE FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2 AND status = 0",
    )
    .bind(tenant.to_string())
    .bind(key)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes entries created before `before`; returns how many.
pub async fn purge(conn: &mut Conn, before: Timestamp) -> Result<u64, StoreError> {
    let done = query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(before.canonical())
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
