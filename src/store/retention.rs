//! Retention settings and legal holds.

use super::db::{query, query_scalar};
use super::rows::timestamp;
use super::{Conn, StoreError};
use crate::domain::ids::{ApplicantId, StaffUserId};
use crate::domain::time::Timestamp;

const PERIOD_KEY: &str = "retention_years";

pub async fn period_years(conn: &mut Conn) -> Result<Option<i64>, StoreError> {
    let value = super::settings::get(conn, PERIOD_KEY).await?;
    Ok(value.and_then(|v| v.parse().ok()))
}

pub async fn set_period_years(
    conn: &mut Conn,
    years: u32,
    at: Timestamp,
) -> Result<(), StoreError> {
    super::settings::set(conn, PERIOD_KEY, &years.to_string(), at).await
}

/// The reason of the applicant's legal hold, if there is one.
pub async fn hold(conn: &mut Conn, applicant: ApplicantId) -> Result<Option<String>, StoreError> {
    query_scalar("SELECT reason FROM legal_holds WHERE applicant_id = $1")
        .bind(applicant.to_string())
        .fetch_optional(conn)
        .await
}

pub async fn place_hold(
    conn: &mut Conn,
    applicant: ApplicantId,
    reason: &str,
    by: StaffUserId,
    at: Timestamp,
) -> Result<(), StoreError> {
    query("INSERT INTO legal_holds (applicant_id, reason, placed_by, placed_at) VALUES ($1, $2, $3, $4)")
        .bind(applicant.to_string())
        .bind(reason)
        .bind(by.to_string())
        .bind(at.canonical())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn lift_hold(conn: &mut Conn, applicant: ApplicantId) -> Result<bool, StoreError> {
    let done = query("DELETE FROM legal_holds WHERE applicant_id = $1")
        .bind(applicant.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// When the applicant's relationship ended: the last time one of its applications became final,
/// or `None` while any application is still open (or none ever was final).
pub async fn relationship_ended(
    conn: &mut Conn,
    applicant: ApplicantId,
) -> Result<Option<Timestamp>, StoreError> {
    let row = query(
        "SELECT SUM(CASE WHEN status IN ('accepted', 'rejected') THEN 0 ELSE 1 END) AS open,
                MAX(CASE WHEN status IN ('accepted', 'rejected') THEN status_changed_at END) AS ended
         FROM applications WHERE applicant_id = $1",
    )
    .bind(applicant.to_string())
    .fetch_one(conn)
    .await?;
    let open: Option<i64> = row.try_get("open")?;
    if open.unwrap_or(0) > 0 {
        return Ok(None);
    }
    let ended: Option<String> = row.try_get("ended")?;
    ended.map(|_| timestamp(&row, "ended")).transpose()
}
