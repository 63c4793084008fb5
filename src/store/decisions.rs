//! Decisions and reviewer notes.

use super::rows::to_json;
use super::{Conn, StoreError};
use crate::domain::decision::Decision;
use crate::domain::ids::{ApplicationId, NoteId, StaffUserId};
use crate::domain::time::Timestamp;

pub async fn insert(conn: &mut Conn, decision: &Decision) -> Result<(), StoreError> {
    let reasons: Vec<&str> = decision.reasons.iter().map(|r| r.as_str()).collect();
    sqlx::query(
        "INSERT INTO decisions (id, application_id, outcome, reasons, message_to_applicant, internal_comment, state,
                                proposed_by, proposed_at, confirmed_by, confirmed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(decision.id.to_string())
    .bind(decision.application_id.to_string())
    .bind(decision.outcome.as_str())
    .bind(to_json(&reasons))
    .bind(decision.message_to_applicant.clone())
    .bind(decision.internal_comment.clone())
    .bind(decision.state.as_str())
    .bind(decision.proposed_by.to_string())
    .bind(decision.proposed_at.canonical())
    .bind(decision.confirmed_by.map(|id| id.to_string()))
    .bind(decision.confirmed_at.map(|t| t.canonical()))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_note(
    conn: &mut Conn,
    id: NoteId,
    application: ApplicationId,
    author: StaffUserId,
    body: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO notes (id, application_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.to_string())
        .bind(application.to_string())
        .bind(author.to_string())
        .bind(body)
        .bind(at.canonical())
        .execute(conn)
        .await?;
    Ok(())
}
