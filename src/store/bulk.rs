//! Bulk loading of a generated dataset (`kycdesk generate`): millions of rows in big transactions of
//! multi-row INSERT statements, instead of one statement and one transaction per row as live traffic does.
//!
//! Every statement's bind types are fixed per column (text, integer, or a float sent as text and cast
//! back), so a prepared statement reused on PostgreSQL never sees a second set of types.

use serde_json::json;

use super::db::{self, query};
use super::rows::{float_text, to_json};
use super::{Backend, Conn, Store, StoreError};
use crate::domain::applicant::Applicant;
use crate::domain::application::Application;
use crate::domain::audit::AuditEvent;
use crate::domain::check::Check;
use crate::domain::decision::Decision;
use crate::domain::document::Document;

/// Rows per INSERT statement: few enough parameters for both backends (21 columns × 500 = 10,500, under
/// SQLite's 32,766 and PostgreSQL's 65,535), many enough that the per-statement cost disappears.
const ROWS_PER_STATEMENT: usize = 500;

/// SQLite page cache for the load's own connection (negative = KiB): the indexes being filled stay in
/// memory without the process growing past a few hundred MB.
const SQLITE_LOAD_CACHE: &str = "PRAGMA cache_size = -131072";

type Query<'q> = db::Query<'q>;

/// One batch of generated rows, written in one transaction. Audit events are sealed (seq, hashes) and
/// follow the recorded chain head without a gap.
#[derive(Debug, Default)]
pub struct Batch {
    pub applicants: Vec<Applicant>,
    pub applications: Vec<Application>,
    pub documents: Vec<Document>,
    pub checks: Vec<Check>,
    pub decisions: Vec<Decision>,
    pub events: Vec<AuditEvent>,
}

/// Whether the database holds no applications and no staff users: the generator only fills an empty
/// database, so its logins cannot collide and its audit history is not interleaved with real events.
pub async fn is_empty(conn: &mut Conn) -> Result<bool, StoreError> {
    for sql in [
        "SELECT 1 FROM applications LIMIT 1",
        "SELECT 1 FROM staff_users LIMIT 1",
    ] {
        if query(sql).fetch_optional(&mut *conn).await?.is_some() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A connection set up for loading: on SQLite without fsync and with a large cache, which is safe
/// here because an interrupted load leaves a database that is thrown away anyway. The connection is
/// closed when the loader goes, never handed back to the pool: no other work runs with these settings,
/// and a batch's transaction left open by an error ends with it.
pub struct Loader {
    conn: Conn,
    backend: Backend,
}

impl Loader {
    pub async fn open(store: &Store) -> Result<Loader, StoreError> {
        let mut conn = store.conn().await?;
        conn.close_on_drop();
        if store.backend() == Backend::Sqlite {
            conn.execute_batch("PRAGMA synchronous = OFF").await?;
            conn.execute_batch(SQLITE_LOAD_CACHE).await?;
        }
        Ok(Loader {
            conn,
            backend: store.backend(),
        })
    }

    /// Writes one batch in one transaction and moves the chain head to its last event. The head moves
    /// only from `expected_head` (the previous batch's last seq): a concurrent writer is an error, not a fork.
    pub async fn load(&mut self, batch: &Batch, expected_head: i64) -> Result<(), StoreError> {
        let tx = &mut self.conn;
        tx.execute_batch(match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        })
        .await?;
        insert_rows(
            tx,
            self.backend,
            APPLICANTS,
            &batch.applicants,
            bind_applicant,
        )
        .await?;
        insert_rows(
            tx,
            self.backend,
            APPLICATIONS,
            &batch.applications,
            bind_application,
        )
        .await?;
        insert_rows(tx, self.backend, DOCUMENTS, &batch.documents, bind_document).await?;
        insert_rows(tx, self.backend, CHECKS, &batch.checks, bind_check).await?;
        let findings: Vec<FindingRow> = batch
            .checks
            .iter()
            .flat_map(|check| {
                (0_i64..)
                    .zip(&check.findings)
                    .map(move |(position, finding)| FindingRow {
                        check,
                        position,
                        finding,
                    })
            })
            .collect();
        insert_rows(tx, self.backend, FINDINGS, &findings, bind_finding).await?;
        insert_rows(tx, self.backend, DECISIONS, &batch.decisions, bind_decision).await?;
        insert_rows(tx, self.backend, AUDIT_EVENTS, &batch.events, bind_event).await?;
        if let Some(last) = batch.events.last() {
            let moved =
                query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1 AND seq = $3")
                    .bind(last.seq)
                    .bind(&last.hash)
                    .bind(expected_head)
                    .execute(tx)
                    .await?;
            if moved.rows_affected() != 1 {
                return Err(StoreError::StaleVersion);
            }
        }
        tx.execute_batch("COMMIT").await?;
        Ok(())
    }

    /// Refreshes the planner's statistics over the new data and, on SQLite, merges the search
    /// index's many small segments (one per batch) into one, which halves the time a search takes
    /// to match a long term; then closes the connection.
    pub async fn finish(mut self) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            self.conn
                .execute_batch(
                    "INSERT INTO applicant_search (applicant_search) VALUES ('optimize')",
                )
                .await?;
        }
        self.conn.execute_batch("ANALYZE").await?;
        Ok(())
    }
}

/// A table and its columns; a column marked `float` is bound as text and cast back (see `float_text`).
pub(super) struct Table {
    pub(super) name: &'static str,
    pub(super) columns: &'static [(&'static str, bool)],
}

/// `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ...` for `rows` rows. SQLite gets anonymous `?`
/// placeholders instead: sqlx looks up the name of every numbered SQLite parameter, a linear search in
/// SQLite, which makes binding a statement with thousands of `$n` quadratic (80% of the load's time).
fn insert_sql(table: &Table, rows: usize, backend: Backend) -> String {
    let names: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    let mut sql = format!("INSERT INTO {} ({}) VALUES ", table.name, names.join(", "));
    let mut n = 0;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for (i, (_, float)) in table.columns.iter().enumerate() {
            n += 1;
            if i > 0 {
                sql.push_str(", ");
            }
            let placeholder = match backend {
                Backend::Sqlite => "?".to_owned(),
                Backend::Postgres => format!("${n}"),
            };
            if *float {
                sql.push_str(&format!("CAST({placeholder} AS DOUBLE PRECISION)"));
            } else {
                sql.push_str(&placeholder);
            }
        }
        sql.push(')');
    }
    sql
}

pub(super) async fn insert_rows<T>(
    conn: &mut Conn,
    backend: Backend,
    table: &Table,
    rows: &[T],
    bind: for<'q> fn(Query<'q>, &T) -> Query<'q>,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = insert_sql(table, chunk.len(), backend);
        // Only full chunks repeat; caching each odd-sized last chunk's statement would fill the
        // connection's statement cache with large programs that never run again.
        let query = query(&sql).persistent(chunk.len() == ROWS_PER_STATEMENT);
        let query = chunk.iter().fold(query, bind);
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

const APPLICANTS: &Table = &Table {
    name: "applicants",
    columns: &[
        ("id", false),
        ("tenant_id", false),
        ("external_id", false),
        ("applicant_type", false),
        ("first_name", false),
        ("last_name", false),
        ("company_name", false),
        ("date_of_birth", false),
        ("email", false),
        ("phone", false),
        ("country", false),
        ("address", false),
        ("government_ids", false),
        ("created_at", false),
        ("version", false),
    ],
};

fn bind_applicant<'q>(query: Query<'q>, a: &Applicant) -> Query<'q> {
    let government_ids: Vec<_> = a
        .government_ids
        .iter()
        .map(|id| json!({"type": id.id_type().as_str(), "number": id.number()}))
        .collect();
    query
        .bind(a.id.to_string())
        .bind(a.tenant_id.to_string())
        .bind(a.external_id.clone())
        .bind(a.applicant_type.as_str())
        .bind(a.first_name.clone())
        .bind(a.last_name.clone())
        .bind(a.company_name.clone())
        .bind(a.date_of_birth.map(|d| d.to_string()))
        .bind(a.email.as_ref().map(|e| e.as_str().to_owned()))
        .bind(a.phone.as_ref().map(|p| p.as_str().to_owned()))
        .bind(a.country.map(|c| c.as_str().to_owned()))
        .bind(a.address.as_ref().map(to_json))
        .bind(to_json(&government_ids))
        .bind(a.created_at.canonical())
        .bind(a.version)
}

const APPLICATIONS: &Table = &Table {
    name: "applications",
    columns: &[
        ("id", false),
        ("tenant_id", false),
        ("applicant_id", false),
        ("level_id", false),
        ("level_version", false),
        ("kind", false),
        ("provider", false),
        ("provider_reference", false),
        ("status", false),
        ("attempt", false),
        ("max_attempts", false),
        ("attributes", false),
        ("params", false),
        ("client_verification", false),
        ("webhook_url", false),
        ("assignee_id", false),
        ("findings_summary", false),
        ("created_at", false),
        ("updated_at", false),
        ("status_changed_at", false),
        ("version", false),
    ],
};

fn bind_application<'q>(query: Query<'q>, app: &Application) -> Query<'q> {
    query
        .bind(app.id.to_string())
        .bind(app.tenant_id.to_string())
        .bind(app.applicant_id.to_string())
        .bind(app.level_id.to_string())
        .bind(app.level_version)
        .bind(app.kind.as_str())
        .bind(app.provider.clone())
        .bind(app.provider_reference.clone())
        .bind(app.status.as_str())
        .bind(app.attempt)
        .bind(app.max_attempts)
        .bind(to_json(&app.attributes))
        .bind(to_json(&app.params))
        .bind(app.client_verification.as_ref().map(to_json))
        .bind(app.webhook_url.clone())
        .bind(app.assignee_id.map(|id| id.to_string()))
        .bind(app.findings_summary.map(|s| s.as_str()))
        .bind(app.created_at.canonical())
        .bind(app.updated_at.canonical())
        .bind(app.status_changed_at.canonical())
        .bind(app.version)
}

const DOCUMENTS: &Table = &Table {
    name: "documents",
    columns: &[
        ("id", false),
        ("tenant_id", false),
        ("application_id", false),
        ("attempt", false),
        ("requirement_key", false),
        ("doc_type", false),
        ("side", false),
        ("issuing_country", false),
        ("liveness", false),
        ("blob_hash", false),
        ("mime_type", false),
        ("size_bytes", false),
        ("width", false),
        ("height", false),
        ("thumbnail_hash", false),
        ("uploaded_at", false),
    ],
};

fn bind_document<'q>(query: Query<'q>, doc: &Document) -> Query<'q> {
    query
        .bind(doc.id.to_string())
        .bind(doc.tenant_id.to_string())
        .bind(doc.application_id.to_string())
        .bind(doc.attempt)
        .bind(doc.requirement_key.clone())
        .bind(doc.doc_type.as_str())
        .bind(doc.side.map(|s| s.as_str()))
        .bind(doc.issuing_country.map(|c| c.as_str().to_owned()))
        .bind(doc.liveness.map(i64::from))
        .bind(doc.blob_hash.clone())
        .bind(doc.mime_type.clone())
        .bind(doc.size_bytes)
        .bind(doc.width)
        .bind(doc.height)
        .bind(doc.thumbnail_hash.clone())
        .bind(doc.uploaded_at.canonical())
}

const CHECKS: &Table = &Table {
    name: "checks",
    columns: &[
        ("id", false),
        ("application_id", false),
        ("document_id", false),
        ("provider", false),
        ("reference", false),
        ("kind", false),
        ("status", false),
        ("result", false),
        ("score", true),
        ("raw_payload", false),
        ("created_at", false),
    ],
};

fn bind_check<'q>(query: Query<'q>, check: &Check) -> Query<'q> {
    query
        .bind(check.id.to_string())
        .bind(check.application_id.to_string())
        .bind(check.document_id.map(|id| id.to_string()))
        .bind(check.provider.clone())
        .bind(check.reference.clone())
        .bind(check.kind.as_str())
        .bind(check.status.as_str())
        .bind(check.result.map(|r| r.as_str()))
        .bind(float_text(check.score))
        .bind(check.raw_payload.clone())
        .bind(check.created_at.canonical())
}

/// A finding with the check and position that key it.
struct FindingRow<'a> {
    check: &'a Check,
    position: i64,
    finding: &'a crate::domain::check::Finding,
}

const FINDINGS: &Table = &Table {
    name: "findings",
    columns: &[
        ("check_id", false),
        ("position", false),
        ("code", false),
        ("severity", false),
        ("message", false),
        ("field", false),
        ("value", false),
        ("confidence", true),
    ],
};

fn bind_finding<'q>(query: Query<'q>, row: &FindingRow<'_>) -> Query<'q> {
    query
        .bind(row.check.id.to_string())
        .bind(row.position)
        .bind(row.finding.code.clone())
        .bind(row.finding.severity.as_str())
        .bind(row.finding.message.clone())
        .bind(row.finding.field.clone())
        .bind(row.finding.value.clone())
        .bind(float_text(row.finding.confidence))
}

const DECISIONS: &Table = &Table {
    name: "decisions",
    columns: &[
        ("id", false),
        ("application_id", false),
        ("outcome", false),
        ("reasons", false),
        ("remediation", false),
        ("message_to_applicant", false),
        ("internal_comment", false),
        ("state", false),
        ("application_version", false),
        ("proposed_by", false),
        ("proposed_at", false),
        ("reviewed_by", false),
        ("reviewed_at", false),
    ],
};

fn bind_decision<'q>(query: Query<'q>, d: &Decision) -> Query<'q> {
    let reasons: Vec<&str> = d.reasons.iter().map(|r| r.as_str()).collect();
    query
        .bind(d.id.to_string())
        .bind(d.application_id.to_string())
        .bind(d.outcome.as_str())
        .bind(to_json(&reasons))
        .bind(to_json(&d.remediation))
        .bind(d.message_to_applicant.clone())
        .bind(d.internal_comment.clone())
        .bind(d.state.as_str())
        .bind(d.application_version)
        .bind(d.proposed_by.to_string())
        .bind(d.proposed_at.canonical())
        .bind(d.reviewed_by.map(|id| id.to_string()))
        .bind(d.reviewed_at.map(|t| t.canonical()))
}

pub(super) const AUDIT_EVENTS: &Table = &Table {
    name: "audit_events",
    columns: &[
        ("seq", false),
        ("id", false),
        ("occurred_at", false),
        ("actor", false),
        ("action", false),
        ("subject", false),
        ("tenant_id", false),
        ("request_id", false),
        ("client_ip", false),
        ("payload", false),
        ("prev_hash", false),
        ("hash", false),
    ],
};

pub(super) fn bind_event<'q>(query: Query<'q>, e: &AuditEvent) -> Query<'q> {
    query
        .bind(e.seq)
        .bind(e.id.to_string())
        .bind(e.occurred_at.clone())
        .bind(e.actor.clone())
        .bind(e.action.clone())
        .bind(e.subject.clone())
        .bind(e.tenant_id.clone())
        .bind(e.request_id.clone())
        .bind(e.client_ip.clone())
        .bind(e.payload.clone())
        .bind(e.prev_hash.clone())
        .bind(e.hash.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_number_placeholders_row_by_row_or_leave_them_anonymous() {
        let table = Table {
            name: "t",
            columns: &[("a", false), ("b", true)],
        };
        assert_eq!(
            insert_sql(&table, 2, Backend::Postgres),
            "INSERT INTO t (a, b) VALUES ($1, CAST($2 AS DOUBLE PRECISION)), ($3, CAST($4 AS DOUBLE PRECISION))"
        );
        assert_eq!(
            insert_sql(&table, 1, Backend::Sqlite),
            "INSERT INTO t (a, b) VALUES (?, CAST(? AS DOUBLE PRECISION))"
        );
    }
}
