//! Callbacks received from providers: signed ones verbatim, refused ones as an excerpt.

use super::db::query;
use super::{Conn, StoreError};
use crate::domain::ids::{ApplicationId, ProviderWebhookId};
use crate::domain::time::Timestamp;

pub struct ReceivedCallback<'a> {
    pub id: ProviderWebhookId,
    pub provider: &'a str,
    pub body_sha256: &'a str,
    pub signature_valid: bool,
    pub reference: Option<&'a str>,
    pub application_id: Option<ApplicationId>,
    /// The whole body of a signed callback; an excerpt of a refused one.
    pub body: &'a str,
    /// The size of the body as received, in bytes.
    pub body_size: i64,
    pub received_at: Timestamp,
}

/// Stores the callback; `Duplicate` when the same genuine (signed) body came before: a provider
/// retrying.
pub async fn insert(conn: &mut Conn, callback: &ReceivedCallback<'_>) -> Result<(), StoreError> {
    query(
        "INSERT INTO provider_webhooks (id, provider, body_sha256, signature_valid, reference, application_id, body, body_size, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(callback.id.to_string())
    .bind(callback.provider)
    .bind(callback.body_sha256)
    .bind(i64::from(callback.signature_valid))
    .bind(callback.reference)
    .bind(callback.application_id.map(|id| id.to_string()))
    .bind(callback.body)
    .bind(callback.body_size)
    .bind(callback.received_at.canonical())
    .execute(conn)
    .await?;
    Ok(())
}
