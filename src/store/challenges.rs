//! Challenge questions per application attempt, and their answers.

use super::db::query;
use super::rows::{json, json_opt, parsed, parsed_opt, timestamp, to_json};
use super::{Conn, StoreError};
use crate::domain::challenge::{Answer, Challenge};
use crate::domain::ids::ApplicationId;
use crate::domain::time::Timestamp;

pub async fn insert(conn: &mut Conn, challenge: &Challenge) -> Result<(), StoreError> {
    query(
        "INSERT INTO challenges (application_id, attempt, provider, questions, answers, issued_at, answered_at)
         VALUES ($1, $2, $3, $4, NULL, $5, NULL)",
    )
    .bind(challenge.application_id.to_string())
    .bind(challenge.attempt)
    .bind(&challenge.provider)
    .bind(to_json(&challenge.questions))
    .bind(challenge.issued_at.canonical())
    .execute(conn)
    .await?;
    Ok(())
}

/// The challenge of one attempt, if the provider asked questions.
pub async fn get(
    conn: &mut Conn,
    application: ApplicationId,
    attempt: i64,
) -> Result<Option<Challenge>, StoreError> {
    let row = query(
        "SELECT application_id, attempt, provider, questions, answers, issued_at, answered_at
         FROM challenges WHERE application_id = $1 AND attempt = $2",
    )
    .bind(application.to_string())
    .bind(attempt)
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        Ok(Challenge {
            application_id: parsed(&row, "application_id")?,
            attempt: row.try_get("attempt")?,
            provider: row.try_get("provider")?,
            questions: json(&row, "questions")?,
            answers: json_opt(&row, "answers")?,
            issued_at: timestamp(&row, "issued_at")?,
            answered_at: parsed_opt(&row, "answered_at")?,
        })
    })
    .transpose()
}

/// Records the answers once: a second, concurrent answer finds them already there.
pub async fn answer(
    conn: &mut Conn,
    application: ApplicationId,
    attempt: i64,
    answers: &[Answer],
    at: Timestamp,
) -> Result<(), StoreError> {
    let done = query(
        "UPDATE challenges SET answers = $3, answered_at = $4
         WHERE application_id = $1 AND attempt = $2 AND answers IS NULL",
    )
    .bind(application.to_string())
    .bind(attempt)
    .bind(to_json(&answers))
    .bind(at.canonical())
    .execute(conn)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::StaleVersion)
    }
}
