//! Applicants.

use super::db::{Row, query, query_scalar};
use serde_json::json;

use super::rows::{json_opt, parsed, timestamp, to_json};
use super::{Conn, StoreError};
use crate::domain::applicant::Applicant;
use crate::domain::ids::{ApplicantId, TenantId};
use crate::domain::validate::Invalid;
use crate::domain::validate::contact::{Email, PhoneNumber};
use crate::domain::validate::country::CountryCode;
use crate::domain::validate::date::IsoDate;
use crate::domain::validate::government_id::{GovernmentId, GovernmentIdType};

pub async fn insert(conn: &mut Conn, applicant: &Applicant) -> Result<(), StoreError> {
    let government_ids: Vec<_> = applicant
        .government_ids
        .iter()
        .map(|id| json!({"type": id.id_type().as_str(), "number": id.number()}))
        .collect();
    query(
        "INSERT INTO applicants (id, tenant_id, external_id, applicant_type, first_name, last_name, company_name,
                                 date_of_birth, email, phone, country, address, government_ids, created_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(applicant.id.to_string())
    .bind(applicant.tenant_id.to_string())
    .bind(&applicant.external_id)
    .bind(applicant.applicant_type.as_str())
    .bind(applicant.first_name.clone())
    .bind(applicant.last_name.clone())
    .bind(applicant.company_name.clone())
    .bind(applicant.date_of_birth.map(|d| d.to_string()))
    .bind(applicant.email.as_ref().map(|e| e.as_str().to_owned()))
    .bind(applicant.phone.as_ref().map(|p| p.as_str().to_owned()))
    .bind(applicant.country.map(|c| c.as_str().to_owned()))
    .bind(applicant.address.as_ref().map(to_json))
    .bind(to_json(&government_ids))
    .bind(applicant.created_at.canonical())
    .bind(applicant.version)
    .execute(conn)
    .await?;
    Ok(())
}

fn government_ids(text: &str) -> Result<Vec<GovernmentId>, StoreError> {
    let corrupt = || StoreError::Corrupt {
        column: "government_ids",
        value: text.to_owned(),
    };
    let entries: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|_| corrupt())?;
    entries
        .iter()
        .map(|entry| {
            let id_type = GovernmentIdType::parse(entry["type"].as_str().unwrap_or(""))
                .map_err(|_| corrupt())?;
            GovernmentId::parse(id_type, entry["number"].as_str().unwrap_or(""))
                .map_err(|_| corrupt())
        })
        .collect()
}

fn optional<T>(
    row: &Row,
    column: &'static str,
    parse: impl Fn(&str) -> Result<T, Invalid>,
) -> Result<Option<T>, StoreError> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| parse(&t).map_err(|_| StoreError::Corrupt { column, value: t }))
        .transpose()
}

pub async fn get(conn: &mut Conn, id: ApplicantId) -> Result<Applicant, StoreError> {
    get_where(conn, id, None).await
}

/// One tenant's applicant; another tenant's id is simply not found.
pub async fn get_scoped(
    conn: &mut Conn,
    tenant: TenantId,
    id: ApplicantId,
) -> Result<Applicant, StoreError> {
    get_where(conn, id, Some(tenant)).await
}

async fn get_where(
    conn: &mut Conn,
    id: ApplicantId,
    tenant: Option<TenantId>,
) -> Result<Applicant, StoreError> {
    let row = query(
        "SELECT id, tenant_id, external_id, applicant_type, first_name, last_name, company_name, date_of_birth, email, phone,
                country, address, government_ids, created_at, version
         FROM applicants WHERE id = $1 AND ($2 = '' OR tenant_id = $2)",
    )
    .bind(id.to_string())
    .bind(tenant.map(|t| t.to_string()).unwrap_or_default())
    .fetch_one(conn)
    .await?;
    let ids: String = row.try_get("government_ids")?;
    Ok(Applicant {
        id: parsed(&row, "id")?,
        tenant_id: parsed(&row, "tenant_id")?,
        external_id: row.try_get("external_id")?,
        applicant_type: parsed(&row, "applicant_type")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        company_name: row.try_get("company_name")?,
        date_of_birth: optional(&row, "date_of_birth", IsoDate::parse)?,
        email: optional(&row, "email", Email::parse)?,
        phone: optional(&row, "phone", PhoneNumber::parse)?,
        country: optional(&row, "country", CountryCode::parse)?,
        address: json_opt(&row, "address")?,
        government_ids: government_ids(&ids)?,
        created_at: timestamp(&row, "created_at")?,
        version: row.try_get("version")?,
    })
}

/// Stores an applicant token's hash.
pub async fn insert_token(
    conn: &mut Conn,
    token_hash: &str,
    tenant: TenantId,
    applicant: ApplicantId,
    created_at: crate::domain::time::Timestamp,
    expires_at: crate::domain::time::Timestamp,
) -> Result<(), StoreError> {
    query("INSERT INTO applicant_tokens (token_hash, tenant_id, applicant_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash)
        .bind(tenant.to_string())
        .bind(applicant.to_string())
        .bind(created_at.canonical())
        .bind(expires_at.canonical())
        .execute(conn)
        .await?;
    Ok(())
}

/// The applicant an unexpired token of this tenant is bound to; another tenant's token is not found.
pub async fn token_applicant(
    conn: &mut Conn,
    token_hash: &str,
    tenant: TenantId,
    now: crate::domain::time::Timestamp,
) -> Result<Option<ApplicantId>, StoreError> {
    let id: Option<String> = query_scalar(
        "SELECT applicant_id FROM applicant_tokens WHERE token_hash = $1 AND tenant_id = $2 AND expires_at > $3",
    )
    .bind(token_hash)
    .bind(tenant.to_string())
    .bind(now.canonical())
    .fetch_optional(conn)
    .await?;
    id.map(|id| {
        id.parse().map_err(|_| StoreError::Corrupt {
            column: "applicant_id",
            value: id,
        })
    })
    .transpose()
}
