//! Applications, with optimistic concurrency on every update.

use super::db::{Row, query, query_scalar};
use super::rows::{json, json_opt, parsed, parsed_opt, timestamp, to_json};
use super::{Backend, Conn, StoreError};
use crate::domain::application::Application;
use crate::domain::ids::{ApplicationId, StaffUserId, TenantId};
use crate::domain::status::ApplicationStatus;

const COLUMNS: &str = "id, tenant_id, applicant_id, level_id, level_version, kind, provider, provider_reference, status,
    attempt, max_attempts, attributes, params, client_verification, webhook_url, assignee_id, findings_summary, created_at,
    updated_at, status_changed_at, version";

pub async fn insert(conn: &mut Conn, app: &Application) -> Result<(), StoreError> {
    query(&format!(
        "INSERT INTO applications ({COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)"
    ))
    .bind(app.id.to_string())
    .bind(app.tenant_id.to_string())
    .bind(app.applicant_id.to_string())
    .bind(app.level_id.to_string())
    .bind(app.level_version)
    .bind(app.kind.as_str())
    .bind(&app.provider)
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
    .execute(conn)
    .await?;
    Ok(())
}

fn from_row(row: &Row) -> Result<Application, StoreError> {
    Ok(Application {
        id: parsed(row, "id")?,
        tenant_id: parsed(row, "tenant_id")?,
        applicant_id: parsed(row, "applicant_id")?,
        level_id: parsed(row, "level_id")?,
        level_version: row.try_get("level_version")?,
        kind: parsed(row, "kind")?,
        provider: row.try_get("provider")?,
        provider_reference: row.try_get("provider_reference")?,
        status: parsed(row, "status")?,
        attempt: row.try_get("attempt")?,
        max_attempts: row.try_get("max_attempts")?,
        attributes: json(row, "attributes")?,
        params: json(row, "params")?,
        client_verification: json_opt(row, "client_verification")?,
        webhook_url: row.try_get("webhook_url")?,
        assignee_id: parsed_opt(row, "assignee_id")?,
        findings_summary: parsed_opt(row, "findings_summary")?,
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
        status_changed_at: timestamp(row, "status_changed_at")?,
        version: row.try_get("version")?,
    })
}

/// One tenant's application; another tenant's id is simply not found.
pub async fn get(
    conn: &mut Conn,
    tenant: TenantId,
    id: ApplicationId,
) -> Result<Application, StoreError> {
    let row = query(&format!(
        "SELECT {COLUMNS} FROM applications WHERE id = $1 AND tenant_id = $2"
    ))
    .bind(id.to_string())
    .bind(tenant.to_string())
    .fetch_one(conn)
    .await?;
    from_row(&row)
}

/// Saves the content if nobody changed it since `app.version` was read, and bumps the version.
/// The assignee is not content: it changes through `set_assignee`.
pub async fn update(conn: &mut Conn, app: &mut Application) -> Result<(), StoreError> {
    let done = query(
        "UPDATE applications SET provider_reference = $1, status = $2, attempt = $3, attributes = $4, params = $5,
                client_verification = $6, webhook_url = $7, findings_summary = $8, updated_at = $9,
                status_changed_at = $10, version = version + 1
         WHERE id = $11 AND version = $12",
    )
    .bind(app.provider_reference.clone())
    .bind(app.status.as_str())
    .bind(app.attempt)
    .bind(to_json(&app.attributes))
    .bind(to_json(&app.params))
    .bind(app.client_verification.as_ref().map(to_json))
    .bind(app.webhook_url.clone())
    .bind(app.findings_summary.map(|s| s.as_str()))
    .bind(app.updated_at.canonical())
    .bind(app.status_changed_at.canonical())
    .bind(app.id.to_string())
    .bind(app.version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::StaleVersion);
    }
    app.version += 1;
    Ok(())
}

/// Any application, whatever its tenant (staff work across tenants).
pub async fn get_any(conn: &mut Conn, id: ApplicationId) -> Result<Application, StoreError> {
    let row = query(&format!("SELECT {COLUMNS} FROM applications WHERE id = $1"))
        .bind(id.to_string())
        .fetch_one(conn)
        .await?;
    from_row(&row)
}

/// The application a provider knows by `reference`.
pub async fn find_by_reference(
    conn: &mut Conn,
    provider: &str,
    reference: &str,
) -> Result<Option<Application>, StoreError> {
    let row = query(&format!(
        "SELECT {COLUMNS} FROM applications WHERE provider = $1 AND provider_reference = $2"
    ))
    .bind(provider)
    .bind(reference)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Sets the assignee only if it is still `expected` (compare-and-set), so two reviewers can never both
/// take a case. Returns whether it changed.
pub async fn set_assignee(
    conn: &mut Conn,
    id: ApplicationId,
    expected: Option<StaffUserId>,
    assignee: Option<StaffUserId>,
) -> Result<bool, StoreError> {
    let done = query(
        "UPDATE applications SET assignee_id = $1
         WHERE id = $2 AND (assignee_id = $3 OR (assignee_id IS NULL AND $4 = 1))",
    )
    .bind(assignee.map(|a| a.to_string()))
    .bind(id.to_string())
    .bind(expected.map(|e| e.to_string()).unwrap_or_default())
    .bind(i64::from(expected.is_none()))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Claims the case in review that has waited longest and has no assignee. On PostgreSQL the candidate
/// row is locked with SKIP LOCKED so concurrent claims pick different cases; SQLite's write lock
/// serializes them anyway.
pub async fn claim_next(
    conn: &mut Conn,
    backend: Backend,
    reviewer: StaffUserId,
) -> Result<Option<ApplicationId>, StoreError> {
    let lock = match backend {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let claimed: Option<String> = query_scalar(&format!(
        "UPDATE applications SET assignee_id = $1
         WHERE id = (SELECT id FROM applications WHERE status = 'review' AND assignee_id IS NULL
                     ORDER BY status_changed_at, id LIMIT 1 {lock})
           AND assignee_id IS NULL
         RETURNING id"
    ))
    .bind(reviewer.to_string())
    .fetch_optional(conn)
    .await?;
    claimed
        .map(|id| {
            id.parse().map_err(|_| StoreError::Corrupt {
                column: "id",
                value: id,
            })
        })
        .transpose()
}

/// How many applications are in each status (statuses with none are left out).
pub async fn count_by_status(conn: &mut Conn) -> Result<Vec<(ApplicationStatus, i64)>, StoreError> {
    let rows = query("SELECT status, COUNT(*) AS n FROM applications GROUP BY status")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| Ok((parsed(row, "status")?, row.try_get("n")?)))
        .collect()
}

/// One line of an application list: enough to show and link it without loading the whole case.
#[derive(Debug, Clone)]
pub struct ApplicationSummary {
    pub id: ApplicationId,
    pub applicant_name: String,
    pub level_name: String,
    pub status: ApplicationStatus,
    pub attempt: i64,
    pub max_attempts: i64,
    pub updated_at: crate::domain::time::Timestamp,
}

/// The most recently changed applications, across tenants (staff see all tenants).
pub async fn recently_updated(
    conn: &mut Conn,
    limit: i64,
) -> Result<Vec<ApplicationSummary>, StoreError> {
    let rows = query(
        "SELECT a.id, a.status, a.attempt, a.max_attempts, a.updated_at, v.name AS level_name,
                COALESCE(p.company_name, TRIM(COALESCE(p.first_name, '') || ' ' || COALESCE(p.last_name, '')), p.external_id) AS applicant_name
         FROM applications a
         JOIN applicants p ON p.id = a.applicant_id
         JOIN level_versions v ON v.level_id = a.level_id AND v.version = a.level_version
         ORDER BY a.updated_at DESC, a.id DESC
         LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ApplicationSummary {
                id: parsed(row, "id")?,
                applicant_name: row.try_get("applicant_name")?,
                level_name: row.try_get("level_name")?,
                status: parsed(row, "status")?,
                attempt: row.try_get("attempt")?,
                max_attempts: row.try_get("max_attempts")?,
                updated_at: timestamp(row, "updated_at")?,
            })
        })
        .collect()
}

/// The status of an applicant's most recent application, if any.
pub async fn latest_status(
    conn: &mut Conn,
    applicant: crate::domain::ids::ApplicantId,
) -> Result<Option<ApplicationStatus>, StoreError> {
    let status: Option<String> = query_scalar("SELECT status FROM applications WHERE applicant_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1")
        .bind(applicant.to_string())
        .fetch_optional(conn)
        .await?;
    status
        .map(|s| {
            s.parse().map_err(|_| StoreError::Corrupt {
                column: "status",
                value: s,
            })
        })
        .transpose()
}

/// The applications of one applicant, newest first.
pub async fn for_applicant(
    conn: &mut Conn,
    applicant: crate::domain::ids::ApplicantId,
) -> Result<Vec<Application>, StoreError> {
    let rows = query(&format!("SELECT {COLUMNS} FROM applications WHERE applicant_id = $1 ORDER BY created_at DESC, id DESC"))
        .bind(applicant.to_string())
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Filters of the tenant API's list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<ApplicationStatus>,
    pub applicant: Option<crate::domain::ids::ApplicantId>,
    pub level: Option<crate::domain::ids::LevelId>,
}

/// One page of a tenant's applications (newest first) and the total under the filter.
pub async fn list(
    conn: &mut Conn,
    tenant: TenantId,
    filter: &ListFilter,
    page: i64,
    per_page: i64,
) -> Result<(Vec<Application>, i64), StoreError> {
    let conditions = "tenant_id = $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR applicant_id = $3) AND ($4 = '' OR level_id = $4)";
    let params = [
        tenant.to_string(),
        filter
            .status
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        filter.applicant.map(|a| a.to_string()).unwrap_or_default(),
        filter.level.map(|l| l.to_string()).unwrap_or_default(),
    ];
    let count_sql = format!("SELECT COUNT(*) FROM applications WHERE {conditions}");
    let mut total = query_scalar::<i64>(&count_sql);
    for param in &params {
        total = total.bind(param);
    }
    let total = total.fetch_one(&mut *conn).await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM applications WHERE {conditions} ORDER BY created_at DESC, id DESC LIMIT $5 OFFSET $6"
    );
    let mut query = query(&sql);
    for param in &params {
        query = query.bind(param);
    }
    let rows = query
        .bind(per_page)
        .bind((page - 1) * per_page)
        .fetch_all(conn)
        .await?;
    Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
}

/// The SDK references recorded for one attempt of an application (seed 002), if any.
pub async fn sdk_references(
    conn: &mut Conn,
    application: ApplicationId,
    attempt: i64,
) -> Result<Option<crate::domain::application::SdkReferences>, StoreError> {
    use crate::domain::application::{SdkReference, SdkReferences};
    let row = query(
        "SELECT account_id, workflow_id FROM application_sdk_references WHERE application_id = $1 AND attempt = $2",
    )
    .bind(application.to_string())
    .bind(attempt)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let reference = |column: &'static str| -> Result<SdkReference, StoreError> {
        let text: String = row.try_get(column)?;
        SdkReference::parse(&text).map_err(|_| StoreError::Corrupt {
            column,
            value: text,
        })
    };
    Ok(Some(SdkReferences {
        account_id: reference("account_id")?,
        workflow_id: reference("workflow_id")?,
    }))
}

/// Records the SDK references of an application's attempt; a second pair for the same attempt is a
/// duplicate.
pub async fn insert_sdk_references(
    conn: &mut Conn,
    application: ApplicationId,
    attempt: i64,
    references: &crate::domain::application::SdkReferences,
    recorded_at: crate::domain::time::Timestamp,
) -> Result<(), StoreError> {
    query(
        "INSERT INTO application_sdk_references (application_id, attempt, account_id, workflow_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(application.to_string())
    .bind(attempt)
    .bind(references.account_id.as_str())
    .bind(references.workflow_id.as_str())
    .bind(recorded_at.canonical())
    .execute(conn)
    .await?;
    Ok(())
}
