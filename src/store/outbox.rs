//! The outbox: messages for tenants, committed with the change they announce and delivered later.

use super::{Conn, StoreError};
use crate::domain::ids::{OutboxMessageId, TenantId};
use crate::domain::time::Timestamp;

pub async fn enqueue(
    conn: &mut Conn,
    tenant: TenantId,
    event_type: &str,
    subject_id: &str,
    payload: &serde_json::Value,
    at: Timestamp,
) -> Result<OutboxMessageId, StoreError> {
    let id = OutboxMessageId::generate();
    sqlx::query(
        "INSERT INTO outbox_messages (id, tenant_id, event_type, subject_id, payload, created_at, delivered_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL)",
    )
    .bind(id.to_string())
    .bind(tenant.to_string())
    .bind(event_type)
    .bind(subject_id)
    .bind(payload.to_string())
    .bind(at.canonical())
    .execute(conn)
    .await?;
    Ok(id)
}
