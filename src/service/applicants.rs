//! Applicants, as tenants create and read them.

use serde_json::json;

use super::{Ctx, ServiceError, Services};
use crate::domain::applicant::{Applicant, ExternalId};
use crate::domain::audit::AuditSubject;
use crate::domain::ids::{ApplicantId, TenantId};
use crate::domain::kyc_status::KycStatus;
use crate::domain::level::ApplicantType;
use crate::domain::time::Timestamp;
use crate::domain::validate::contact::{Email, PhoneNumber};
use crate::domain::validate::country::CountryCode;
use crate::domain::validate::date::IsoDate;
use crate::domain::validate::government_id::GovernmentId;
use crate::store::{self, Conn, StoreError};

/// A new applicant, already validated at the edge.
pub struct NewApplicant {
    pub external_id: ExternalId,
    pub applicant_type: ApplicantType,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub date_of_birth: Option<IsoDate>,
    pub email: Option<Email>,
    pub phone: Option<PhoneNumber>,
    pub country: Option<CountryCode>,
    pub address: Option<serde_json::Value>,
    pub government_ids: Vec<GovernmentId>,
}

pub async fn create(
    services: &Services,
    ctx: &Ctx,
    new: NewApplicant,
) -> Result<(Applicant, KycStatus), ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let applicant = Applicant {
        id: ApplicantId::generate(),
        tenant_id: tenant.id,
        external_id: new.external_id.as_str().to_owned(),
        applicant_type: new.applicant_type,
        first_name: new.first_name,
        last_name: new.last_name,
        company_name: new.company_name,
        date_of_birth: new.date_of_birth,
        email: new.email,
        phone: new.phone,
        country: new.country,
        address: new.address,
        government_ids: new.government_ids,
        created_at: Timestamp::now(),
        version: 1,
    };
    let mut tx = services.store.begin_write().await?;
    match store::applicants::insert(&mut tx, &applicant).await {
        Err(StoreError::Duplicate(_)) => {
            return Err(ServiceError::Duplicate(
                "an applicant with this external_id already exists",
            ));
        }
        other => other?,
    }
    let event = ctx
        .event(
            "applicant.created",
            AuditSubject::new("applicant", applicant.id),
            json!({"external_id": applicant.external_id}),
        )
        .for_tenant(tenant.id);
    store::audit::append(&mut tx, &event).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok((applicant, KycStatus::NotRegistered))
}

/// Loads an applicant of the acting tenant (another tenant's id is not found).
pub(crate) async fn load(
    conn: &mut Conn,
    tenant: TenantId,
    id: ApplicantId,
) -> Result<Applicant, ServiceError> {
    match store::applicants::get_scoped(conn, tenant, id).await {
        Err(StoreError::NotFound) => Err(ServiceError::NotFound("applicant")),
        other => Ok(other?),
    }
}

/// An applicant with the KYC status derived from their latest application.
pub async fn get(
    services: &Services,
    ctx: &Ctx,
    id: ApplicantId,
) -> Result<(Applicant, KycStatus), ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let mut conn = services.store.conn().await?;
    let applicant = load(&mut conn, tenant.id, id).await?;
    let latest = store::applications::latest_status(&mut conn, id).await?;
    Ok((applicant, KycStatus::derive(latest)))
}
