//! The review queue: one statement for a page, one for the per-status counts, one for the filter
//! choices, whatever the page size. Keyset pagination on (sort key, id): no OFFSET.

use super::db::{Row, query, query_scalar};
use super::rows::{parsed, parsed_opt, timestamp};
use super::{Backend, Conn, Store, StoreError};
use crate::domain::check::Severity;
use crate::domain::ids::ApplicationId;
use crate::domain::queue::{AssigneeFilter, PAGE_SIZE, QueueFilter, QueueSort, SEARCH_LIMIT};
use crate::domain::status::ApplicationStatus;
use crate::domain::time::Timestamp;
use crate::domain::validate::contact::Email;

#[derive(Debug, Clone)]
pub struct QueueRow {
    pub id: ApplicationId,
    pub applicant_name: String,
    pub external_id: String,
    pub tenant_name: String,
    pub level_name: String,
    pub tier: i64,
    /// The level's review SLA in hours.
    pub sla_hours: i64,
    pub status: ApplicationStatus,
    pub provider: String,
    pub findings_summary: Option<Severity>,
    pub attempt: i64,
    pub max_attempts: i64,
    pub created_at: Timestamp,
    pub status_changed_at: Timestamp,
    pub assignee_email: Option<String>,
}

/// A filter choice: a level, tenant or reviewer, with its label; levels carry their policy's provider.
#[derive(Debug, Clone)]
pub struct Choice {
    pub kind: String,
    pub value: String,
    pub label: String,
    pub provider: Option<String>,
}

const DISPLAY_NAME: &str = "COALESCE(p.company_name, TRIM(COALESCE(p.first_name, '') || ' ' || COALESCE(p.last_name, '')))";

/// WHERE clauses and their text parameters, numbered from `$1`.
struct Conditions {
    clauses: Vec<String>,
    params: Vec<String>,
}

impl Conditions {
    fn push(&mut self, clause: impl FnOnce(usize) -> String, param: String) {
        self.params.push(param);
        let n = self.params.len();
        self.clauses.push(clause(n));
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// A queue request's filter with its search resolved to the index that answers it; the page, the
/// counts and the overflow check of one request share it.
pub struct Resolved<'f> {
    filter: &'f QueueFilter,
    search: Option<Search>,
}

/// How the search term finds applications.
enum Search {
    /// An application id: that application.
    Application(ApplicationId),
    /// A complete e-mail address or external id that some applicant has: through its own index.
    Exact { column: &'static str, value: String },
    /// Any other term: parts of names, e-mails and external ids (see [`TextSearch`]).
    Text(TextSearch),
}

/// Decides how the filter's search runs. A complete e-mail address or external id is looked up
/// exactly first (an index lookup, where the trigram index needs milliseconds to match a long
/// term); when no applicant has it, it matches parts like any other term.
pub async fn resolve<'f>(
    conn: &mut Conn,
    backend: Backend,
    filter: &'f QueueFilter,
) -> Result<Resolved<'f>, StoreError> {
    let Some(term) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Ok(Resolved {
            filter,
            search: None,
        });
    };
    if let Ok(id) = term.parse::<ApplicationId>() {
        return Ok(Resolved {
            filter,
            search: Some(Search::Application(id)),
        });
    }
    let (column, value) = match Email::parse(term) {
        Ok(email) => ("email", email.as_str().to_owned()),
        Err(_) => ("external_id", term.to_owned()),
    };
    let sql = format!("SELECT 1 FROM applicants WHERE {column} = $1 LIMIT 1");
    let exact = query(&sql)
        .bind(&value)
        .fetch_optional(conn)
        .await?
        .is_some();
    let search = if exact {
        Search::Exact { column, value }
    } else {
        Search::Text(TextSearch::new(term, backend))
    };
    Ok(Resolved {
        filter,
        search: Some(search),
    })
}

/// Every filter but status and the cursor: what the per-status counts share with the page.
fn base_conditions(resolved: &Resolved<'_>) -> Conditions {
    let filter = resolved.filter;
    let mut c = Conditions {
        clauses: Vec::new(),
        params: Vec::new(),
    };
    if let Some(level) = filter.level {
        c.push(|n| format!("a.level_id = ${n}"), level.to_string());
    }
    if let Some(tenant) = filter.tenant {
        c.push(|n| format!("a.tenant_id = ${n}"), tenant.to_string());
    }
    if let Some(provider) = &filter.provider {
        c.push(|n| format!("a.provider = ${n}"), provider.clone());
    }
    match filter.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Unassigned => c.clauses.push("a.assignee_id IS NULL".into()),
        AssigneeFilter::Staff(id) => c.push(|n| format!("a.assignee_id = ${n}"), id.to_string()),
    }
    if let Some(from) = filter.created_from {
        c.push(|n| format!("a.created_at >= ${n}"), from.canonical());
    }
    if let Some(until) = filter.created_until {
        c.push(|n| format!("a.created_at < ${n}"), until.canonical());
    }
    if filter.failures_only {
        c.clauses.push("a.findings_summary = 'failure'".into());
    }
    match &resolved.search {
        None => {}
        Some(Search::Application(id)) => c.push(|n| format!("a.id = ${n}"), id.to_string()),
        Some(Search::Exact { column, value }) => {
            c.push(|n| format!("p.{column} = ${n}"), value.clone());
        }
        Some(Search::Text(text)) => c.push(
            |n| format!("{} IN ({} LIMIT {SEARCH_LIMIT})", text.key, text.matches(n)),
            text.param.clone(),
        ),
    }
    c
}

/// The applicants a term matches in part, most recently registered first, as a subquery selecting
/// their `key` with its one parameter.
struct TextSearch {
    key: &'static str,
    param: String,
    index: TextIndex,
}

enum TextIndex {
    /// SQLite's trigram index (migrations/sqlite), newest first by rowid (the order applicants
    /// were added) without sorting its matches.
    Trigram,
    /// `LIKE` over every applicant, newest first: by rowid on SQLite (a backward scan that stops
    /// at the limit), by registration time on PostgreSQL.
    Like,
}

impl TextSearch {
    fn new(search: &str, backend: Backend) -> TextSearch {
        // A quoted phrase of the trigram index: no character of the term is syntax.
        let phrase = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
        match (backend, search.chars().count()) {
            // Any part of three characters or more.
            (Backend::Sqlite, 3..) => TextSearch {
                key: "p.rowid",
                param: phrase(search),
                index: TextIndex::Trigram,
            },
            // Two characters are not a trigram; with the space next to them they are, so a
            // two-letter name like Xu is found where a word starts or ends with it.
            (Backend::Sqlite, 2) => TextSearch {
                key: "p.rowid",
                param: format!(
                    "{} OR {}",
                    phrase(&format!(" {search}")),
                    phrase(&format!("{search} "))
                ),
                index: TextIndex::Trigram,
            },
            (backend, _) => {
                // `%` and `_` in the term are characters to find, not wildcards.
                let escaped = search
                    .to_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                TextSearch {
                    key: if backend == Backend::Sqlite {
                        "p.rowid"
                    } else {
                        "p.id"
                    },
                    param: format!("%{escaped}%"),
                    index: TextIndex::Like,
                }
            }
        }
    }

    /// The matching keys, newest first, with the term as parameter `$n`.
    fn matches(&self, n: usize) -> String {
        match self.index {
            TextIndex::Trigram => format!(
                "SELECT rowid FROM applicant_search WHERE applicant_search MATCH ${n} ORDER BY rowid DESC"
            ),
            TextIndex::Like => {
                let order = if self.key == "p.rowid" {
                    "p.rowid DESC"
                } else {
                    "p.created_at DESC, p.id DESC"
                };
                format!(
                    "SELECT {} FROM applicants p
                     WHERE LOWER({DISPLAY_NAME}) LIKE ${n} ESCAPE '\\' OR LOWER(COALESCE(p.email, '')) LIKE ${n} ESCAPE '\\'
                        OR LOWER(p.external_id) LIKE ${n} ESCAPE '\\'
                     ORDER BY {order}",
                    self.key
                )
            }
        }
    }
}

/// Whether a search in part matches more applicants than [`SEARCH_LIMIT`] (counted no further).
pub async fn search_overflows(
    conn: &mut Conn,
    resolved: &Resolved<'_>,
) -> Result<bool, StoreError> {
    let Some(Search::Text(text)) = &resolved.search else {
        return Ok(false);
    };
    let sql = format!(
        "SELECT COUNT(*) FROM ({} LIMIT {}) m",
        text.matches(1),
        SEARCH_LIMIT + 1
    );
    let matched: i64 = query_scalar(&sql).bind(&text.param).fetch_one(conn).await?;
    Ok(matched > SEARCH_LIMIT)
}

fn sort_column(sort: QueueSort) -> (&'static str, &'static str) {
    match sort {
        QueueSort::OldestWaiting => ("a.status_changed_at", "ASC"),
        QueueSort::NewestWaiting => ("a.status_changed_at", "DESC"),
        QueueSort::RecentlyCreated => ("a.created_at", "DESC"),
    }
}

fn row_to_queue_row(row: &Row) -> Result<QueueRow, StoreError> {
    let policy: serde_json::Value = super::rows::json(row, "policy")?;
    Ok(QueueRow {
        id: parsed(row, "id")?,
        applicant_name: row.try_get("applicant_name")?,
        external_id: row.try_get("external_id")?,
        tenant_name: row.try_get("tenant_name")?,
        level_name: row.try_get("level_name")?,
        tier: row.try_get("tier")?,
        sla_hours: policy
            .get("sla_hours")
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(24),
        status: parsed(row, "status")?,
        provider: row.try_get("provider")?,
        findings_summary: parsed_opt(row, "findings_summary")?,
        attempt: row.try_get("attempt")?,
        max_attempts: row.try_get("max_attempts")?,
        created_at: timestamp(row, "created_at")?,
        status_changed_at: timestamp(row, "status_changed_at")?,
        assignee_email: row.try_get("assignee_email")?,
    })
}

/// One page of the queue, plus whether another page follows.
pub async fn page(
    conn: &mut Conn,
    resolved: &Resolved<'_>,
) -> Result<(Vec<QueueRow>, bool), StoreError> {
    let filter = resolved.filter;
    let mut c = base_conditions(resolved);
    if let Some(status) = filter.status {
        c.push(|n| format!("a.status = ${n}"), status.as_str().to_owned());
    }
    let (column, direction) = sort_column(filter.sort);
    if let Some(cursor) = &filter.after {
        let op = if direction == "ASC" { ">" } else { "<" };
        c.push(
            |n| {
                format!(
                    "({column} {op} ${n} OR ({column} = ${n} AND a.id {op} ${}))",
                    n + 1
                )
            },
            cursor.key.canonical(),
        );
        c.params.push(cursor.id.to_string());
    }
    let sql = format!(
        "SELECT a.id, a.status, a.provider, a.findings_summary, a.attempt, a.max_attempts, a.created_at, a.status_changed_at,
                {DISPLAY_NAME} AS applicant_name, p.external_id, t.name AS tenant_name, v.name AS level_name, v.tier, v.policy,
                s.email AS assignee_email
         FROM applications a
         JOIN applicants p ON p.id = a.applicant_id
         JOIN tenants t ON t.id = a.tenant_id
         JOIN level_versions v ON v.level_id = a.level_id AND v.version = a.level_version
         LEFT JOIN staff_users s ON s.id = a.assignee_id
         {}
         ORDER BY {column} {direction}, a.id {direction}
         LIMIT {}",
        c.sql(),
        PAGE_SIZE + 1
    );
    let mut query = query(&sql);
    for param in &c.params {
        query = query.bind(param);
    }
    let rows = query.fetch_all(conn).await?;
    let has_more = rows.len() as i64 > PAGE_SIZE;
    let rows = rows
        .iter()
        .take(PAGE_SIZE as usize)
        .map(row_to_queue_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, has_more))
}

/// Applications per status under the filter (status aside), for the tabs. Filtered by tenant and
/// level at most, they come from the counters the triggers keep (`application_counts_now`); any other
/// filter counts the matching applications.
pub async fn counts(
    conn: &mut Conn,
    resolved: &Resolved<'_>,
) -> Result<Vec<(ApplicationStatus, i64)>, StoreError> {
    let filter = resolved.filter;
    if filter.narrows_by_tenant_and_level_only() {
        return counters(conn, filter).await;
    }
    let c = base_conditions(resolved);
    let needs_applicant = resolved.search.is_some();
    let join = if needs_applicant {
        "JOIN applicants p ON p.id = a.applicant_id"
    } else {
        ""
    };
    let sql = format!(
        "SELECT a.status AS status, COUNT(*) AS n FROM applications a {join} {} GROUP BY a.status",
        c.sql()
    );
    per_status(conn, &sql, &c.params).await
}

async fn counters(
    conn: &mut Conn,
    filter: &QueueFilter,
) -> Result<Vec<(ApplicationStatus, i64)>, StoreError> {
    let mut c = Conditions {
        clauses: Vec::new(),
        params: Vec::new(),
    };
    if let Some(level) = filter.level {
        c.push(|n| format!("level_id = ${n}"), level.to_string());
    }
    if let Some(tenant) = filter.tenant {
        c.push(|n| format!("tenant_id = ${n}"), tenant.to_string());
    }
    let sql = format!(
        "SELECT status, CAST(SUM(n) AS BIGINT) AS n FROM application_counts_now {} GROUP BY status HAVING SUM(n) > 0",
        c.sql()
    );
    per_status(conn, &sql, &c.params).await
}

/// Runs a `status, n` statement with its parameters.
async fn per_status(
    conn: &mut Conn,
    sql: &str,
    params: &[String],
) -> Result<Vec<(ApplicationStatus, i64)>, StoreError> {
    let mut query = query(sql);
    for param in params {
        query = query.bind(param);
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter()
        .map(|row| Ok((parsed(row, "status")?, row.try_get("n")?)))
        .collect()
}

/// Levels (with their provider), tenants and active reviewers to filter by, in one statement.
pub async fn choices(conn: &mut Conn) -> Result<Vec<Choice>, StoreError> {
    let rows = query(
        "SELECT 'level' AS kind, l.id AS value, v.name AS label, v.policy AS extra FROM levels l
             JOIN level_versions v ON v.level_id = l.id AND v.version = l.current_version
         UNION ALL SELECT 'tenant', id, name, '' FROM tenants
         UNION ALL SELECT 'reviewer', id, email, '' FROM staff_users WHERE active = 1 AND roles LIKE '%reviewer%'
         ORDER BY 1, 3",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let extra: String = row.try_get("extra")?;
            let provider = serde_json::from_str::<serde_json::Value>(&extra)
                .ok()
                .and_then(|policy| {
                    policy
                        .get("provider")
                        .and_then(|p| p.as_str())
                        .map(str::to_owned)
                });
            Ok(Choice {
                kind: row.try_get("kind")?,
                value: row.try_get("value")?,
                label: row.try_get("label")?,
                provider,
            })
        })
        .collect()
}

/// Folds the status-count deltas PostgreSQL's triggers append into the counters, in one
/// transaction that readers see whole (`application_counts_now` is exact before and after). One
/// instance folds at a time (an advisory lock; the others skip their turn), so two folds never
/// wait on the same counter rows. Returns how many deltas were folded (none on SQLite, whose
/// triggers update the counters in place).
pub async fn fold_counts(store: &Store) -> Result<u64, StoreError> {
    if store.backend() == Backend::Sqlite {
        return Ok(0);
    }
    let mut tx = store.begin_write().await?;
    let mine: i64 = query_scalar(
        "SELECT CAST(CASE WHEN pg_try_advisory_xact_lock($1) THEN 1 ELSE 0 END AS BIGINT)",
    )
    .bind(FOLD_LOCK)
    .fetch_one(&mut tx)
    .await?;
    if mine == 0 {
        tx.rollback().await?;
        return Ok(0);
    }
    let folded: i64 = query_scalar(
        "WITH folded AS (DELETE FROM application_count_deltas RETURNING tenant_id, level_id, status, delta),
              summed AS (SELECT tenant_id, level_id, status, SUM(delta) AS n FROM folded
                         GROUP BY tenant_id, level_id, status),
              applied AS (INSERT INTO application_counts (tenant_id, level_id, status, n)
                          SELECT tenant_id, level_id, status, n FROM summed
                          ORDER BY tenant_id, level_id, status
                          ON CONFLICT (tenant_id, level_id, status)
                          DO UPDATE SET n = application_counts.n + EXCLUDED.n)
         SELECT COUNT(*) FROM folded",
    )
    .fetch_one(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(folded as u64)
}

/// The advisory lock key of the counter fold (any constant unique to it).
const FOLD_LOCK: i64 = 0x6b79_6364_636f_756e;
