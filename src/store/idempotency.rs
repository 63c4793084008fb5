//! Stored first responses for `Idempotency-Key` replays, and the claims of requests still running.

use super::db::{query, query_as};
use super::{Conn, StoreError};
use crate::domain::ids::TenantId;
use crate::domain::time::Timestamp;

/// A running request's hold on a key: only the current holder stores the answer or frees the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub tenant: TenantId,
    pub key: String,
    pub id: String,
}

/// What is stored under a key someone else holds or answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub request_hash: String,
    /// 0 while the request is in flight (or its answer was lost).
    pub status: i64,
    pub response_body: Option<String>,
    /// The request's change was committed.
    pub applied: bool,
    /// Unanswered past its lease: whoever held it is gone.
    pub lapsed: bool,
}

tokio::task_local! {
    /// The claim of the API request this task runs, so that its write transactions mark it applied.
    static CLAIM: Claim;
}

/// Runs `work` (the request) as the holder of `claim`: each write transaction it commits also
/// marks the claim applied, in that same transaction.
pub async fn within<F: Future>(claim: Claim, work: F) -> F::Output {
    CLAIM.scope(claim, work).await
}

/// Called by every write transaction before it commits.
pub(super) async fn mark_applied_if_claimed(conn: &mut Conn) -> Result<(), StoreError> {
    let Ok(claim) = CLAIM.try_with(Claim::clone) else {
        return Ok(());
    };
    query(
        "UPDATE idempotency_keys SET applied_at = $1
         WHERE tenant_id = $2 AND idempotency_key = $3 AND claim_id = $4 AND applied_at IS NULL",
    )
    .bind(Timestamp::now().canonical())
    .bind(claim.tenant.to_string())
    .bind(&claim.key)
    .bind(&claim.id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Claims a key for a request; `Ok(None)` when the claim is ours, otherwise what is stored.
/// Entries older than `fresh_since` count as free and are replaced. An unanswered, unapplied claim
/// on the same request older than `lease_since` is taken over: its holder is gone (the process
/// died, or the request ran past its timeout and was dropped). The conditional UPDATE lets only
/// one of several concurrent retries take it.
pub async fn claim(
    conn: &mut Conn,
    claim: &Claim,
    request_hash: &str,
    now: Timestamp,
    fresh_since: Timestamp,
    lease_since: Timestamp,
) -> Result<Option<Stored>, StoreError> {
    let tenant = claim.tenant.to_string();
    query("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2 AND created_at < $3")
        .bind(&tenant)
        .bind(&claim.key)
        .bind(fresh_since.canonical())
        .execute(&mut *conn)
        .await?;
    let inserted = query(
        "INSERT INTO idempotency_keys (tenant_id, idempotency_key, request_hash, status, response_body, created_at, claim_id)
         VALUES ($1, $2, $3, 0, NULL, $4, $5) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING",
    )
    .bind(&tenant)
    .bind(&claim.key)
    .bind(request_hash)
    .bind(now.canonical())
    .bind(&claim.id)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(None);
    }
    let taken_over = query(
        "UPDATE idempotency_keys SET claim_id = $1, created_at = $2
         WHERE tenant_id = $3 AND idempotency_key = $4 AND request_hash = $5
           AND status = 0 AND applied_at IS NULL AND created_at < $6",
    )
    .bind(&claim.id)
    .bind(now.canonical())
    .bind(&tenant)
    .bind(&claim.key)
    .bind(request_hash)
    .bind(lease_since.canonical())
    .execute(&mut *conn)
    .await?;
    if taken_over.rows_affected() == 1 {
        return Ok(None);
    }
    let (request_hash, status, response_body, applied_at, claimed_at): (String, i64, Option<String>, Option<String>, String) =
        query_as("SELECT request_hash, status, response_body, applied_at, created_at FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2")
            .bind(&tenant)
            .bind(&claim.key)
            .fetch_one(conn)
            .await?;
    Ok(Some(Stored {
        request_hash,
        status,
        response_body,
        applied: applied_at.is_some(),
        // Canonical timestamps order as text, as in the statements above.
        lapsed: status == 0 && claimed_at < lease_since.canonical(),
    }))
}

/// Records the answer, if the claim is still this request's.
pub async fn complete(
    conn: &mut Conn,
    claim: &Claim,
    status: i64,
    body: &str,
) -> Result<(), StoreError> {
    query(
        "UPDATE idempotency_keys SET status = $1, response_body = $2
         WHERE tenant_id = $3 AND idempotency_key = $4 AND claim_id = $5 AND status = 0",
    )
    .bind(status)
    .bind(body)
    .bind(claim.tenant.to_string())
    .bind(&claim.key)
    .bind(&claim.id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Frees a key whose request changed nothing, so the client may retry with it.
pub async fn release(conn: &mut Conn, claim: &Claim) -> Result<(), StoreError> {
    query(
        "DELETE FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2
         AND claim_id = $3 AND status = 0 AND applied_at IS NULL",
    )
    .bind(claim.tenant.to_string())
    .bind(&claim.key)
    .bind(&claim.id)
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
