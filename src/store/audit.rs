//! Appending to and reading the hash-chained audit trail.

use sqlx::Row;

use super::{Conn, Store, StoreError};
use crate::domain::audit::{
    AuditEvent, ChainAnchor, ChainBreak, ChainHead, ChainVerifier, HashedFields, NewAuditEvent,
};

/// Appends one event inside the caller's transaction. Bumping the head row first takes its lock
/// (PostgreSQL) or relies on the write lock (SQLite), so concurrent appenders queue up: no gaps, no forks.
pub async fn append(conn: &mut Conn, event: &NewAuditEvent) -> Result<AuditEvent, StoreError> {
    let row = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    let seq: i64 = row.try_get("seq")?;
    let prev_hash: String = row.try_get("hash")?;
    let mut stored = AuditEvent {
        seq,
        id: crate::domain::ids::AuditEventId::generate(),
        occurred_at: event.occurred_at.canonical(),
        actor: event.actor.encoded(),
        action: event.action.to_owned(),
        subject: event.subject.encoded(),
        tenant_id: event.tenant_id.clone(),
        request_id: event.request_id.clone(),
        client_ip: event.client_ip.clone(),
        payload: event.payload_text(),
        prev_hash,
        hash: String::new(),
    };
    stored.hash = stored.hashed_fields().hash();
    sqlx::query(
        "INSERT INTO audit_events (seq, id, occurred_at, actor, action, subject, tenant_id, request_id, client_ip,
                                   payload, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(stored.seq)
    .bind(stored.id.to_string())
    .bind(&stored.occurred_at)
    .bind(&stored.actor)
    .bind(&stored.action)
    .bind(&stored.subject)
    .bind(stored.tenant_id.clone())
    .bind(stored.request_id.clone())
    .bind(stored.client_ip.clone())
    .bind(&stored.payload)
    .bind(&stored.prev_hash)
    .bind(&stored.hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&stored.hash)
        .execute(&mut *conn)
        .await?;
    Ok(stored)
}

/// The head the database records (seq 0 before the first event).
pub async fn recorded_head(conn: &mut Conn) -> Result<(i64, String), StoreError> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(conn)
        .await?;
    Ok((row.try_get("seq")?, row.try_get("hash")?))
}

/// How many events are read per round trip while verifying: bounded memory whatever the chain length.
const VERIFY_BATCH: i64 = 5000;

/// Recomputes the whole chain in `seq` order, in batches, and compares its end with the recorded head
/// and the optional anchor. `Ok(Err(..))` is a broken chain; `Err(..)` a database problem.
pub async fn verify(
    store: &Store,
    anchor: Option<ChainAnchor>,
) -> Result<Result<ChainHead, ChainBreak>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let head = recorded_head(&mut conn).await?;
    let mut verifier = ChainVerifier::new(anchor);
    let mut after = 0_i64;
    loop {
        let rows = sqlx::query(
            "SELECT seq, occurred_at, actor, action, subject, payload, prev_hash, hash
             FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(VERIFY_BATCH)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("seq")?;
        for row in &rows {
            let fields = HashedFields {
                seq: row.try_get("seq")?,
                prev_hash: row.try_get("prev_hash")?,
                occurred_at: row.try_get("occurred_at")?,
                actor: row.try_get("actor")?,
                action: row.try_get("action")?,
                subject: row.try_get("subject")?,
                payload: row.try_get("payload")?,
            };
            if let Err(broken) = verifier.push(fields, row.try_get("hash")?) {
                return Ok(Err(broken));
            }
        }
    }
    Ok(verifier.finish(Some(head)))
}

/// An event of an application's history, with the actor shown by e-mail where it is staff.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub seq: i64,
    pub occurred_at: String,
    pub actor: String,
    pub actor_email: Option<String>,
    pub action: String,
    pub payload: String,
}

/// The audit events about an application and its documents and checks, oldest first.
pub async fn timeline(
    conn: &mut Conn,
    application: &str,
) -> Result<Vec<TimelineEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT e.seq, e.occurred_at, e.actor, e.action, e.payload, s.email
         FROM audit_events e LEFT JOIN staff_users s ON e.actor = 'staff:' || s.id
         WHERE e.subject = $1
            OR e.subject IN (SELECT 'document:' || id FROM documents WHERE application_id = $2)
            OR e.subject IN (SELECT 'check:' || id FROM checks WHERE application_id = $2)
         ORDER BY e.seq",
    )
    .bind(format!("application:{application}"))
    .bind(application)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(TimelineEntry {
                seq: row.try_get("seq")?,
                occurred_at: row.try_get("occurred_at")?,
                actor: row.try_get("actor")?,
                actor_email: row.try_get("email")?,
                action: row.try_get("action")?,
                payload: row.try_get("payload")?,
            })
        })
        .collect()
}

/// Who changed a subject last, and when (for "changed by X at T").
pub async fn last_change(
    conn: &mut Conn,
    subject: &str,
) -> Result<Option<(String, String)>, StoreError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT COALESCE(s.email, e.actor), e.occurred_at FROM audit_events e
         LEFT JOIN staff_users s ON e.actor = 'staff:' || s.id
         WHERE e.subject = $1 AND e.action NOT LIKE '%.viewed' AND e.action NOT LIKE '%revealed'
         ORDER BY e.seq DESC LIMIT 1",
    )
    .bind(subject)
    .fetch_optional(conn)
    .await?;
    Ok(row)
}
