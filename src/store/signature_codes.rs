//! One-time signature codes, one live code per application and channel.

use super::db::query;
use super::rows::timestamp;
use super::{Conn, StoreError};
use crate::domain::ids::ApplicationId;
use crate::domain::requirement::SignatureChannel;
use crate::domain::time::Timestamp;

pub struct StoredCode {
    pub code_hash: String,
    pub failed_attempts: i64,
    pub expires_at: Timestamp,
}

fn channel_name(channel: SignatureChannel) -> &'static str {
    match channel {
        SignatureChannel::Sms => "sms",
        SignatureChannel::Email => "email",
    }
}

/// Replaces any earlier code for the channel.
pub async fn put(
    conn: &mut Conn,
    application: ApplicationId,
    channel: SignatureChannel,
    code_hash: &str,
    destination: &str,
    expires_at: Timestamp,
    now: Timestamp,
) -> Result<(), StoreError> {
    remove(&mut *conn, application, channel).await?;
    query(
        "INSERT INTO signature_codes (application_id, channel, code_hash, destination, failed_attempts, expires_at, created_at)
         VALUES ($1, $2, $3, $4, 0, $5, $6)",
    )
    .bind(application.to_string())
    .bind(channel_name(channel))
    .bind(code_hash)
    .bind(destination)
    .bind(expires_at.canonical())
    .bind(now.canonical())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(
    conn: &mut Conn,
    application: ApplicationId,
    channel: SignatureChannel,
) -> Result<Option<StoredCode>, StoreError> {
    let row = query(
        "SELECT code_hash, failed_attempts, expires_at FROM signature_codes WHERE application_id = $1 AND channel = $2",
    )
    .bind(application.to_string())
    .bind(channel_name(channel))
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        Ok(StoredCode {
            code_hash: row.try_get("code_hash")?,
            failed_attempts: row.try_get("failed_attempts")?,
            expires_at: timestamp(&row, "expires_at")?,
        })
    })
    .transpose()
}

pub async fn record_failure(
    conn: &mut Conn,
    application: ApplicationId,
    channel: SignatureChannel,
) -> Result<(), StoreError> {
    query(
        "UPDATE signature_codes SET failed_attempts = failed_attempts + 1 WHERE application_id = $1 AND channel = $2",
    )
    .bind(application.to_string())
    .bind(channel_name(channel))
    .execute(conn)
    .await?;
    Ok(())
}

/// A used code is gone: it confirms one change only.
pub async fn remove(
    conn: &mut Conn,
    application: ApplicationId,
    channel: SignatureChannel,
) -> Result<(), StoreError> {
    query("DELETE FROM signature_codes WHERE application_id = $1 AND channel = $2")
        .bind(application.to_string())
        .bind(channel_name(channel))
        .execute(conn)
        .await?;
    Ok(())
}
