//! The outbox: messages for tenants, committed with the change they announce together with the job
//! that delivers them, and the record of every delivery attempt.

use super::db::{Row, query};
use super::rows::{parsed, parsed_opt, timestamp};
use super::{Conn, StoreError};
use crate::domain::ids::{OutboxMessageId, TenantId, WebhookAttemptId};
use crate::domain::job::{Job, JobKind};
use crate::domain::time::Timestamp;
use crate::domain::webhook::{DeliveryAttempt, OutboxMessage};

/// Writes the message and its delivery job; call inside the transaction of the change it announces.
pub async fn enqueue(
    conn: &mut Conn,
    tenant: TenantId,
    event_type: &str,
    subject_id: &str,
    payload: &serde_json::Value,
    at: Timestamp,
) -> Result<OutboxMessageId, StoreError> {
    let id = OutboxMessageId::generate();
    query(
        "INSERT INTO outbox_messages (id, tenant_id, event_type, subject_id, payload, created_at, delivered_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL)",
    )
    .bind(id.to_string())
    .bind(tenant.to_string())
    .bind(event_type)
    .bind(subject_id)
    .bind(payload.to_string())
    .bind(at.canonical())
    .execute(&mut *conn)
    .await?;
    let job = Job::new(
        JobKind::DeliverWebhook,
        id.to_string(),
        JobKind::DeliverWebhook.max_attempts(),
        at,
    );
    super::jobs::insert(conn, &job).await?;
    Ok(id)
}

const COLUMNS: &str = "m.id, m.tenant_id, m.event_type, m.subject_id, m.payload, m.created_at, m.delivered_at,
     (SELECT j.state FROM jobs j WHERE j.subject_id = m.id ORDER BY j.created_at DESC LIMIT 1) AS job_state,
     (SELECT COUNT(*) FROM webhook_attempts a WHERE a.message_id = m.id) AS attempts";

fn from_row(row: &Row) -> Result<OutboxMessage, StoreError> {
    Ok(OutboxMessage {
        id: parsed(row, "id")?,
        tenant_id: parsed(row, "tenant_id")?,
        event_type: row.try_get("event_type")?,
        subject_id: row.try_get("subject_id")?,
        payload: row.try_get("payload")?,
        created_at: timestamp(row, "created_at")?,
        delivered_at: parsed_opt(row, "delivered_at")?,
        job_state: parsed_opt(row, "job_state")?,
        attempts: row.try_get("attempts")?,
    })
}

pub async fn get(conn: &mut Conn, id: OutboxMessageId) -> Result<OutboxMessage, StoreError> {
    let row = query(&format!(
        "SELECT {COLUMNS} FROM outbox_messages m WHERE m.id = $1"
    ))
    .bind(id.to_string())
    .fetch_one(conn)
    .await?;
    from_row(&row)
}

/// A tenant's messages, newest first, `before` a message id for the next page.
pub async fn for_tenant(
    conn: &mut Conn,
    tenant: TenantId,
    before: Option<OutboxMessageId>,
    limit: i64,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let rows = query(&format!(
        "SELECT {COLUMNS} FROM outbox_messages m
         WHERE m.tenant_id = $1 AND ($2 IS NULL OR m.id < $2)
         ORDER BY m.id DESC LIMIT $3"
    ))
    .bind(tenant.to_string())
    .bind(before.map(|id| id.to_string()))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn mark_delivered(
    conn: &mut Conn,
    id: OutboxMessageId,
    at: Timestamp,
) -> Result<(), StoreError> {
    query("UPDATE outbox_messages SET delivered_at = $2 WHERE id = $1")
        .bind(id.to_string())
        .bind(at.canonical())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn record_attempt(conn: &mut Conn, attempt: &DeliveryAttempt) -> Result<(), StoreError> {
    query(
        "INSERT INTO webhook_attempts (id, message_id, attempted_at, url, status_code, latency_ms, error, response_excerpt)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(attempt.id.to_string())
    .bind(attempt.message_id.to_string())
    .bind(attempt.attempted_at.canonical())
    .bind(attempt.url.clone())
    .bind(attempt.status_code)
    .bind(attempt.latency_ms)
    .bind(attempt.error.clone())
    .bind(attempt.response_excerpt.clone())
    .execute(conn)
    .await?;
    Ok(())
}

/// The attempts for some messages, oldest first, in one statement.
pub async fn attempts_for(
    conn: &mut Conn,
    messages: &[OutboxMessageId],
) -> Result<Vec<DeliveryAttempt>, StoreError> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=messages.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id, message_id, attempted_at, url, status_code, latency_ms, error, response_excerpt
         FROM webhook_attempts WHERE message_id IN ({}) ORDER BY attempted_at, id",
        placeholders.join(", ")
    );
    let mut query = query(&sql);
    for id in messages {
        query = query.bind(id.to_string());
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            Ok(DeliveryAttempt {
                id: parsed::<WebhookAttemptId>(row, "id")?,
                message_id: parsed(row, "message_id")?,
                attempted_at: timestamp(row, "attempted_at")?,
                url: row.try_get("url")?,
                status_code: row.try_get("status_code")?,
                latency_ms: row.try_get("latency_ms")?,
                error: row.try_get("error")?,
                response_excerpt: row.try_get("response_excerpt")?,
            })
        })
        .collect()
}
