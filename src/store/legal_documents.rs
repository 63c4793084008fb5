//! Legal documents, one row per version.

use super::db::{Row, query};
use super::rows::timestamp;
use super::{Conn, StoreError};
use crate::domain::legal::LegalDocument;

pub async fn insert(conn: &mut Conn, doc: &LegalDocument) -> Result<(), StoreError> {
    query(
        "INSERT INTO legal_documents (id, title, version, body, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&doc.id)
    .bind(&doc.title)
    .bind(&doc.version)
    .bind(&doc.body)
    .bind(doc.created_at.canonical())
    .execute(conn)
    .await?;
    Ok(())
}

fn from_row(row: &Row) -> Result<LegalDocument, StoreError> {
    Ok(LegalDocument {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        version: row.try_get("version")?,
        body: row.try_get("body")?,
        created_at: timestamp(row, "created_at")?,
    })
}

/// Every version of every document, by title then newest first.
pub async fn list(conn: &mut Conn) -> Result<Vec<LegalDocument>, StoreError> {
    let rows = query(
        "SELECT id, title, version, body, created_at FROM legal_documents ORDER BY title, created_at DESC",
    )
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut Conn, id: &str) -> Result<LegalDocument, StoreError> {
    let row =
        query("SELECT id, title, version, body, created_at FROM legal_documents WHERE id = $1")
            .bind(id)
            .fetch_one(conn)
            .await?;
    from_row(&row)
}
