//! Document metadata (the bytes live in the blob store).

use super::{Conn, StoreError};
use crate::domain::document::Document;

pub async fn insert(conn: &mut Conn, doc: &Document) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO documents (id, tenant_id, application_id, attempt, requirement_key, doc_type, side, issuing_country,
                                liveness, blob_hash, mime_type, size_bytes, width, height, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(doc.id.to_string())
    .bind(doc.tenant_id.to_string())
    .bind(doc.application_id.to_string())
    .bind(doc.attempt)
    .bind(doc.requirement_key.clone())
    .bind(doc.doc_type.as_str())
    .bind(doc.side.map(|s| s.as_str()))
    .bind(doc.issuing_country.map(|c| c.as_str().to_owned()))
    .bind(doc.liveness.map(i64::from))
    .bind(&doc.blob_hash)
    .bind(&doc.mime_type)
    .bind(doc.size_bytes)
    .bind(doc.width)
    .bind(doc.height)
    .bind(doc.uploaded_at.canonical())
    .execute(conn)
    .await?;
    Ok(())
}
