//! Figures for the home dashboard.

use super::db::{query, query_scalar};
use super::{Conn, StoreError};
use crate::domain::ids::StaffUserId;
use crate::domain::time::Timestamp;

/// Cases in review by how long they have waited: bucket index (0 = newest) and count.
pub async fn review_aging(
    conn: &mut Conn,
    bounds: &[Timestamp; 4],
) -> Result<Vec<(i64, i64)>, StoreError> {
    let rows = query(
        "SELECT CASE WHEN status_changed_at >= $1 THEN 0 WHEN status_changed_at >= $2 THEN 1
                     WHEN status_changed_at >= $3 THEN 2 WHEN status_changed_at >= $4 THEN 3 ELSE 4 END AS bucket,
                COUNT(*) AS n
         FROM applications WHERE status = 'review' GROUP BY 1 ORDER BY 1",
    )
    .bind(bounds[0].canonical())
    .bind(bounds[1].canonical())
    .bind(bounds[2].canonical())
    .bind(bounds[3].canonical())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("bucket")?, row.try_get("n")?)))
        .collect()
}

/// When the longest-waiting case in review entered review.
pub async fn oldest_in_review(conn: &mut Conn) -> Result<Option<Timestamp>, StoreError> {
    let oldest: Option<String> = query_scalar(
        "SELECT status_changed_at FROM applications WHERE status = 'review' ORDER BY status_changed_at LIMIT 1",
    )
    .fetch_optional(conn)
    .await?;
    oldest
        .map(|t| {
            t.parse().map_err(|_| StoreError::Corrupt {
                column: "status_changed_at",
                value: t,
            })
        })
        .transpose()
}

/// Cases in review assigned to one reviewer.
pub async fn assigned_in_review(conn: &mut Conn, reviewer: StaffUserId) -> Result<i64, StoreError> {
    query_scalar("SELECT COUNT(*) FROM applications WHERE assignee_id = $1 AND status = 'review'")
        .bind(reviewer.to_string())
        .fetch_one(conn)
        .await
}

/// Decisions taken since `since`, per deciding reviewer.
pub async fn decisions_since(
    conn: &mut Conn,
    since: Timestamp,
) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = query(
        "SELECT s.email, COUNT(*) AS n FROM decisions d JOIN staff_users s ON s.id = d.proposed_by
         WHERE d.state = 'confirmed' AND d.proposed_at >= $1 GROUP BY s.email ORDER BY 2 DESC, 1",
    )
    .bind(since.canonical())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("email")?, row.try_get("n")?)))
        .collect()
}
