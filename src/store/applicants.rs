//! Applicants.

use serde_json::json;

use super::rows::to_json;
use super::{Conn, StoreError};
use crate::domain::applicant::Applicant;

pub async fn insert(conn: &mut Conn, applicant: &Applicant) -> Result<(), StoreError> {
    let government_ids: Vec<_> = applicant
        .government_ids
        .iter()
        .map(|id| json!({"type": id.id_type().as_str(), "number": id.number()}))
        .collect();
    sqlx::query(
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
