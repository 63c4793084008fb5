//! Document metadata (the bytes live in the blob store).

use super::db::{Row, query};
use super::rows::{parsed, parsed_opt, timestamp};
use super::{Conn, StoreError};
use crate::domain::document::Document;
use crate::domain::ids::{ApplicationId, DocumentId};

const COLUMNS: &str = "id, tenant_id, application_id, attempt, requirement_key, doc_type, side, issuing_country, liveness,
    blob_hash, mime_type, size_bytes, width, height, thumbnail_hash, uploaded_at";

pub async fn insert(conn: &mut Conn, doc: &Document) -> Result<(), StoreError> {
    query(&format!(
        "INSERT INTO documents ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    ))
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
    .bind(doc.thumbnail_hash.clone())
    .bind(doc.uploaded_at.canonical())
    .execute(conn)
    .await?;
    Ok(())
}

fn from_row(row: &Row) -> Result<Document, StoreError> {
    Ok(Document {
        id: parsed(row, "id")?,
        tenant_id: parsed(row, "tenant_id")?,
        application_id: parsed(row, "application_id")?,
        attempt: row.try_get("attempt")?,
        requirement_key: row.try_get("requirement_key")?,
        doc_type: parsed(row, "doc_type")?,
        side: parsed_opt(row, "side")?,
        issuing_country: parsed_opt(row, "issuing_country")?,
        liveness: row.try_get::<Option<i64>>("liveness")?.map(|v| v != 0),
        blob_hash: row.try_get("blob_hash")?,
        mime_type: row.try_get("mime_type")?,
        size_bytes: row.try_get("size_bytes")?,
        width: row.try_get("width")?,
        height: row.try_get("height")?,
        thumbnail_hash: row.try_get("thumbnail_hash")?,
        uploaded_at: timestamp(row, "uploaded_at")?,
    })
}

pub async fn get(conn: &mut Conn, id: DocumentId) -> Result<Document, StoreError> {
    let row = query(&format!("SELECT {COLUMNS} FROM documents WHERE id = $1"))
        .bind(id.to_string())
        .fetch_one(conn)
        .await?;
    from_row(&row)
}

/// Names an unattached file (seed 001's two-step upload): its requirement, type and side. Only a
/// file not yet attached may be named, so a document never changes once it fills a requirement.
pub async fn attach(conn: &mut Conn, doc: &Document) -> Result<(), StoreError> {
    let done = query(
        "UPDATE documents SET requirement_key = $1, doc_type = $2, side = $3 WHERE id = $4 AND requirement_key IS NULL",
    )
    .bind(doc.requirement_key.clone())
    .bind(doc.doc_type.as_str())
    .bind(doc.side.map(|s| s.as_str()))
    .bind(doc.id.to_string())
    .execute(conn)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::StaleVersion)
    }
}

/// All documents of an application, newest attempt first.
pub async fn for_application(
    conn: &mut Conn,
    application: ApplicationId,
) -> Result<Vec<Document>, StoreError> {
    let rows = query(&format!(
        "SELECT {COLUMNS} FROM documents WHERE application_id = $1 ORDER BY attempt DESC, requirement_key, side, uploaded_at"
    ))
    .bind(application.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}
