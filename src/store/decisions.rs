//! Decisions and reviewer notes.

use super::db::{Row, query};
use super::rows::{json, parsed, parsed_opt, timestamp, to_json};
use super::{Conn, StoreError};
use crate::domain::decision::{Decision, DecisionState};
use crate::domain::ids::{ApplicationId, DecisionId, NoteId, StaffUserId};
use crate::domain::time::Timestamp;

const COLUMNS: &str = "id, application_id, outcome, reasons, remediation, message_to_applicant, internal_comment, state,
    application_version, proposed_by, proposed_at, reviewed_by, reviewed_at";

pub async fn insert(conn: &mut Conn, decision: &Decision) -> Result<(), StoreError> {
    let reasons: Vec<&str> = decision.reasons.iter().map(|r| r.as_str()).collect();
    query(&format!("INSERT INTO decisions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"))
        .bind(decision.id.to_string())
        .bind(decision.application_id.to_string())
        .bind(decision.outcome.as_str())
        .bind(to_json(&reasons))
        .bind(to_json(&decision.remediation))
        .bind(decision.message_to_applicant.clone())
        .bind(decision.internal_comment.clone())
        .bind(decision.state.as_str())
        .bind(decision.application_version)
        .bind(decision.proposed_by.to_string())
        .bind(decision.proposed_at.canonical())
        .bind(decision.reviewed_by.map(|id| id.to_string()))
        .bind(decision.reviewed_at.map(|t| t.canonical()))
        .execute(conn)
        .await?;
    Ok(())
}

fn from_row(row: &Row) -> Result<Decision, StoreError> {
    let reasons: Vec<String> = json(row, "reasons")?;
    Ok(Decision {
        id: parsed(row, "id")?,
        application_id: parsed(row, "application_id")?,
        outcome: parsed(row, "outcome")?,
        reasons: reasons
            .iter()
            .map(|r| {
                r.parse().map_err(|_| StoreError::Corrupt {
                    column: "reasons",
                    value: r.clone(),
                })
            })
            .collect::<Result<_, _>>()?,
        remediation: json(row, "remediation")?,
        message_to_applicant: row.try_get("message_to_applicant")?,
        internal_comment: row.try_get("internal_comment")?,
        state: parsed(row, "state")?,
        application_version: row.try_get("application_version")?,
        proposed_by: parsed(row, "proposed_by")?,
        proposed_at: timestamp(row, "proposed_at")?,
        reviewed_by: parsed_opt(row, "reviewed_by")?,
        reviewed_at: parsed_opt(row, "reviewed_at")?,
    })
}

/// The decisions of an application, newest first.
pub async fn for_application(
    conn: &mut Conn,
    application: ApplicationId,
) -> Result<Vec<Decision>, StoreError> {
    let rows = query(&format!("SELECT {COLUMNS} FROM decisions WHERE application_id = $1 ORDER BY proposed_at DESC, id DESC"))
        .bind(application.to_string())
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(
    conn: &mut Conn,
    application: ApplicationId,
    id: DecisionId,
) -> Result<Decision, StoreError> {
    let row = query(&format!(
        "SELECT {COLUMNS} FROM decisions WHERE id = $1 AND application_id = $2"
    ))
    .bind(id.to_string())
    .bind(application.to_string())
    .fetch_one(conn)
    .await?;
    from_row(&row)
}

/// Moves a decision out of `proposed` (compare-and-set: only one second reviewer wins).
pub async fn close_proposal(
    conn: &mut Conn,
    id: DecisionId,
    state: DecisionState,
    reviewer: Option<StaffUserId>,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let done = query("UPDATE decisions SET state = $1, reviewed_by = $2, reviewed_at = $3 WHERE id = $4 AND state = 'proposed'")
        .bind(state.as_str())
        .bind(reviewer.map(|r| r.to_string()))
        .bind(at.canonical())
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_note(
    conn: &mut Conn,
    id: NoteId,
    application: ApplicationId,
    author: StaffUserId,
    body: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    query("INSERT INTO notes (id, application_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.to_string())
        .bind(application.to_string())
        .bind(author.to_string())
        .bind(body)
        .bind(at.canonical())
        .execute(conn)
        .await?;
    Ok(())
}

/// A note with its author's e-mail.
#[derive(Debug, Clone)]
pub struct NoteView {
    pub author: String,
    pub body: String,
    pub created_at: Timestamp,
}

pub async fn notes(
    conn: &mut Conn,
    application: ApplicationId,
) -> Result<Vec<NoteView>, StoreError> {
    let rows = query(
        "SELECT s.email, n.body, n.created_at FROM notes n JOIN staff_users s ON s.id = n.author_id
         WHERE n.application_id = $1 ORDER BY n.created_at, n.id",
    )
    .bind(application.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(NoteView {
                author: row.try_get("email")?,
                body: row.try_get("body")?,
                created_at: timestamp(row, "created_at")?,
            })
        })
        .collect()
}
