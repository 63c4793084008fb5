//! Provider checks and their findings.

use super::rows::float_text;
use super::{Conn, StoreError};
use crate::domain::check::Check;

pub async fn insert(conn: &mut Conn, check: &Check) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO checks (id, application_id, document_id, provider, reference, kind, status, result, score, raw_payload, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CAST($9 AS DOUBLE PRECISION), $10, $11)",
    )
    .bind(check.id.to_string())
    .bind(check.application_id.to_string())
    .bind(check.document_id.map(|id| id.to_string()))
    .bind(&check.provider)
    .bind(check.reference.clone())
    .bind(check.kind.as_str())
    .bind(check.status.as_str())
    .bind(check.result.map(|r| r.as_str()))
    .bind(float_text(check.score))
    .bind(&check.raw_payload)
    .bind(check.created_at.canonical())
    .execute(&mut *conn)
    .await?;
    for (position, finding) in (0_i64..).zip(&check.findings) {
        sqlx::query(
            "INSERT INTO findings (check_id, position, code, severity, message, field, value, confidence)
             VALUES ($1, $2, $3, $4, $5, $6, $7, CAST($8 AS DOUBLE PRECISION))",
        )
        .bind(check.id.to_string())
        .bind(position)
        .bind(&finding.code)
        .bind(finding.severity.as_str())
        .bind(&finding.message)
        .bind(finding.field.clone())
        .bind(finding.value.clone())
        .bind(float_text(finding.confidence))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
