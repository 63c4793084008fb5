//! Provider checks and their findings.

use super::db::{query, query_as};
use std::collections::HashMap;

use super::rows::{float_text, parsed, parsed_opt, timestamp};
use super::{Conn, StoreError};
use crate::domain::check::{Check, Finding};
use crate::domain::ids::{ApplicationId, CheckId};

pub async fn insert(conn: &mut Conn, check: &Check) -> Result<(), StoreError> {
    query(
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
        query(
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

/// The checks of an application with their findings, oldest first, in two statements.
pub async fn for_application(
    conn: &mut Conn,
    application: ApplicationId,
) -> Result<Vec<Check>, StoreError> {
    let rows = query(
        "SELECT id, application_id, document_id, provider, reference, kind, status, result, score, raw_payload, created_at
         FROM checks WHERE application_id = $1 ORDER BY created_at, id",
    )
    .bind(application.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut checks = rows
        .iter()
        .map(|row| {
            Ok(Check {
                id: parsed(row, "id")?,
                application_id: parsed(row, "application_id")?,
                document_id: parsed_opt(row, "document_id")?,
                provider: row.try_get("provider")?,
                reference: row.try_get("reference")?,
                kind: parsed(row, "kind")?,
                status: parsed(row, "status")?,
                result: parsed_opt(row, "result")?,
                score: row.try_get("score")?,
                findings: Vec::new(),
                raw_payload: row.try_get("raw_payload")?,
                created_at: timestamp(row, "created_at")?,
            })
        })
        .collect::<Result<Vec<Check>, StoreError>>()?;
    let findings = query(
        "SELECT f.check_id, f.code, f.severity, f.message, f.field, f.value, f.confidence
         FROM findings f JOIN checks c ON c.id = f.check_id WHERE c.application_id = $1 ORDER BY f.check_id, f.position",
    )
    .bind(application.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut by_check: HashMap<CheckId, Vec<Finding>> = HashMap::new();
    for row in &findings {
        by_check
            .entry(parsed(row, "check_id")?)
            .or_default()
            .push(Finding {
                code: row.try_get("code")?,
                severity: parsed(row, "severity")?,
                message: row.try_get("message")?,
                field: row.try_get("field")?,
                value: row.try_get("value")?,
                confidence: row.try_get("confidence")?,
            });
    }
    for check in &mut checks {
        check.findings = by_check.remove(&check.id).unwrap_or_default();
    }
    Ok(checks)
}

/// One check, for showing its raw payload.
pub async fn raw_payload(
    conn: &mut Conn,
    application: ApplicationId,
    check: CheckId,
) -> Result<(String, String), StoreError> {
    let row: (String, String) =
        query_as("SELECT provider, raw_payload FROM checks WHERE id = $1 AND application_id = $2")
            .bind(check.to_string())
            .bind(application.to_string())
            .fetch_one(conn)
            .await?;
    Ok(row)
}
