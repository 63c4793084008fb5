//! Reading exports: the rows of each kind as streams (never collected), read in one snapshot
//! (`Store::begin_snapshot`), so an export of millions of rows holds one row at a time.

use futures_util::Stream;

use super::db::{self, RowRef, query, query_as};
use super::rows::json;
use super::{Conn, SnapshotTx, StoreError};
use crate::domain::export::{DecisionRow, EventRow, ExportFilters};

/// Events whose subject is an application, joined to it for the filters, in `seq` order, up to the head.
/// Driven by `seq` (the primary key) with one primary-key lookup per event into applications, so rows
/// flow from the first one on; a blank filter is NULL and matches everything.
const EVENTS: &str = "SELECT e.seq, e.occurred_at, a.id AS application_id, a.tenant_id, a.level_id, e.actor, e.action,
        e.payload, e.hash
     FROM audit_events e JOIN applications a ON a.id = substr(e.subject, 13)
     WHERE e.seq <= $1 AND substr(e.subject, 1, 12) = 'application:'
       AND ($2 IS NULL OR a.tenant_id = $2) AND ($3 IS NULL OR a.level_id = $3) AND ($4 IS NULL OR a.status = $4)
       AND ($5 IS NULL OR e.occurred_at >= $5) AND ($6 IS NULL OR e.occurred_at <= $6)
     ORDER BY e.seq";

/// Every decision (whatever its state) with its application's tenant and level and the staff e-mails,
/// in proposal order.
const DECISIONS: &str = "SELECT d.id AS decision_id, d.application_id, a.tenant_id, a.level_id, d.outcome, d.reasons,
        d.remediation, d.state, COALESCE(p.email, d.proposed_by) AS proposed_by, d.proposed_at,
        COALESCE(r.email, d.reviewed_by) AS confirmed_by, d.reviewed_at, d.message_to_applicant
     FROM decisions d
     JOIN applications a ON a.id = d.application_id
     LEFT JOIN staff_users p ON p.id = d.proposed_by
     LEFT JOIN staff_users r ON r.id = d.reviewed_by
     WHERE ($1 IS NULL OR a.tenant_id = $1) AND ($2 IS NULL OR a.level_id = $2) AND ($3 IS NULL OR a.status = $3)
       AND ($4 IS NULL OR d.proposed_at >= $4) AND ($5 IS NULL OR d.proposed_at <= $5)
     ORDER BY d.proposed_at, d.id";

fn event_row(row: RowRef<'_>) -> Result<EventRow, StoreError> {
    Ok(EventRow {
        seq: row.try_get("seq")?,
        occurred_at: row.try_get("occurred_at")?,
        application_id: row.try_get("application_id")?,
        tenant_id: row.try_get("tenant_id")?,
        level_id: row.try_get("level_id")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        payload: row.try_get("payload")?,
        hash: row.try_get("hash")?,
    })
}

fn decision_row(row: RowRef<'_>) -> Result<DecisionRow, StoreError> {
    Ok(DecisionRow {
        decision_id: row.try_get("decision_id")?,
        application_id: row.try_get("application_id")?,
        tenant_id: row.try_get("tenant_id")?,
        level_id: row.try_get("level_id")?,
        outcome: row.try_get("outcome")?,
        reasons: json(&row, "reasons")?,
        remediation: json(&row, "remediation")?,
        state: row.try_get("state")?,
        proposed_by: row.try_get("proposed_by")?,
        proposed_at: row.try_get("proposed_at")?,
        confirmed_by: row.try_get("confirmed_by")?,
        reviewed_at: row.try_get("reviewed_at")?,
        message_to_applicant: row.try_get("message_to_applicant")?,
    })
}

/// The application events matching `filters` with `seq <= head_seq`, streamed in `seq` order from
/// the snapshot (which ends with the stream).
pub fn events(
    snapshot: SnapshotTx,
    filters: &ExportFilters,
    head_seq: i64,
) -> impl Stream<Item = Result<EventRow, StoreError>> + Send + 'static {
    let query = query(EVENTS)
        .bind(head_seq)
        .bind(filters.tenant_id.map(|id| id.to_string()))
        .bind(filters.level_id.map(|id| id.to_string()))
        .bind(filters.status.map(|s| s.as_str()))
        .bind(filters.from_text())
        .bind(filters.to_text());
    db::stream::rows(snapshot.into_conn(), query, event_row)
}

/// The decisions matching `filters`, streamed in proposal order from the snapshot (which ends with
/// the stream).
pub fn decisions(
    snapshot: SnapshotTx,
    filters: &ExportFilters,
) -> impl Stream<Item = Result<DecisionRow, StoreError>> + Send + 'static {
    let query = query(DECISIONS)
        .bind(filters.tenant_id.map(|id| id.to_string()))
        .bind(filters.level_id.map(|id| id.to_string()))
        .bind(filters.status.map(|s| s.as_str()))
        .bind(filters.from_text())
        .bind(filters.to_text());
    db::stream::rows(snapshot.into_conn(), query, decision_row)
}

/// Something to pick in the export form: an id and what people call it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

fn choices(rows: Vec<(String, String)>) -> Vec<Choice> {
    rows.into_iter()
        .map(|(id, name)| Choice { id, name })
        .collect()
}

/// Every tenant, by name.
pub async fn tenant_choices(conn: &mut Conn) -> Result<Vec<Choice>, StoreError> {
    let rows: Vec<(String, String)> = query_as("SELECT id, name FROM tenants ORDER BY name, id")
        .fetch_all(conn)
        .await?;
    Ok(choices(rows))
}

/// Every level (active or not: history covers retired ones too), by the name of its current version.
pub async fn level_choices(conn: &mut Conn) -> Result<Vec<Choice>, StoreError> {
    let rows: Vec<(String, String)> = query_as(
        "SELECT l.id, v.name FROM levels l
         JOIN level_versions v ON v.level_id = l.id AND v.version = l.current_version
         ORDER BY v.tier, v.name, l.id",
    )
    .fetch_all(conn)
    .await?;
    Ok(choices(rows))
}
