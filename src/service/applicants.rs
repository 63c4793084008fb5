//! Applicants, as tenants create and read them.

use serde_json::json;

use super::{Ctx, ServiceError, Services};
use crate::domain::applicant::{Applicant, DeviceId, ExternalId};
use crate::domain::application::Application;
use crate::domain::audit::AuditSubject;
use crate::domain::ids::{ApplicantId, TenantId};
use crate::domain::kyc_status::KycStatus;
use crate::domain::level::{ApplicantType, LevelVersion};
use crate::domain::level_info::{self, ApplicationFact, LevelInfo};
use crate::domain::tenant::api_key_hash;
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
    let event = ctx
        .event(
            "applicant.created",
            AuditSubject::new("applicant", applicant.id),
            json!({"external_id": applicant.external_id}),
        )
        .for_tenant(tenant.id);
    super::retry::on_contention(services, "applicant.create", || async {
        let mut tx = services.store.begin_write().await?;
        match store::applicants::insert(&mut tx, &applicant).await {
            Err(StoreError::Duplicate(_)) => {
                return Err(ServiceError::Duplicate(
                    "an applicant with this external_id already exists",
                ));
            }
            other => other?,
        }
        store::audit::append(&mut tx, &event);
        tx.commit().await?;
        Ok(())
    })
    .await?;
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

/// Where an applicant stands and what they may apply for next (docs/ARCHITECTURE.md, Domain model).
pub async fn level_info(
    services: &Services,
    ctx: &Ctx,
    id: ApplicantId,
) -> Result<(LevelInfo, Vec<LevelVersion>), ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let mut conn = services.store.conn().await?;
    load(&mut conn, tenant.id, id).await?;
    let levels = store::levels::list_active(&mut conn).await?;
    let facts: Vec<ApplicationFact> = store::applications::for_applicant(&mut conn, id)
        .await?
        .into_iter()
        .map(|a| ApplicationFact {
            id: a.id,
            level_id: a.level_id,
            status: a.status,
        })
        .collect();
    Ok((level_info::level_info(&levels, &facts), levels))
}

/// Token lifetimes a client may ask for.
pub const TOKEN_TTL_SECONDS: std::ops::RangeInclusive<i64> = 60..=3600;

/// Issues a short-lived token bound to one applicant (seed 002's SDK flow). The token is returned
/// once; only its hash is stored.
pub async fn issue_access_token(
    services: &Services,
    ctx: &Ctx,
    id: ApplicantId,
    ttl_seconds: i64,
) -> Result<(String, Timestamp), ServiceError> {
    issue_device_token(services, ctx, id, ttl_seconds, None).await
}

/// Like `issue_access_token`, for the SDK on one mobile device (seed 002 `getToken`): the device id
/// goes into the audit event, so a token can be traced to the device it was issued for.
pub async fn issue_device_token(
    services: &Services,
    ctx: &Ctx,
    id: ApplicantId,
    ttl_seconds: i64,
    device: Option<&DeviceId>,
) -> Result<(String, Timestamp), ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let mut bytes = [0_u8; 32];
    rand::fill(&mut bytes);
    let token = format!("kyc_at_{}", hex::encode(bytes));
    let now = Timestamp::now();
    let expires_at = now.plus(chrono::Duration::seconds(
        ttl_seconds.clamp(*TOKEN_TTL_SECONDS.start(), *TOKEN_TTL_SECONDS.end()),
    ));
    let mut tx = services.store.begin_write().await?;
    load(&mut tx, tenant.id, id).await?;
    store::applicants::insert_token(
        &mut tx,
        &api_key_hash(&token),
        tenant.id,
        id,
        now,
        expires_at,
    )
    .await?;
    let event = ctx
        .event(
            "applicant.access_token_issued",
            AuditSubject::new("applicant", id),
            match device {
                Some(device) => json!({"expires_at": expires_at, "device_id": device.as_str()}),
                None => json!({"expires_at": expires_at}),
            },
        )
        .for_tenant(tenant.id);
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok((token, expires_at))
}

/// The applicant an access token is bound to, if the token is unexpired and was issued to the acting
/// tenant; `None` otherwise (unknown, expired, or another tenant's), which callers answer as 401.
pub async fn resolve_access_token(
    services: &Services,
    ctx: &Ctx,
    token: &str,
) -> Result<Option<Applicant>, ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let mut conn = services.store.conn().await?;
    let found = store::applicants::token_applicant(
        &mut conn,
        &api_key_hash(token),
        tenant.id,
        Timestamp::now(),
    )
    .await?;
    match found {
        Some(id) => Ok(Some(load(&mut conn, tenant.id, id).await?)),
        None => Ok(None),
    }
}

/// Where an applicant stands (seed 002 `getUserInfo`): the KYC status, and the latest application
/// with the level version it runs on, from which attempts are counted.
pub struct KycStanding {
    pub status: KycStatus,
    pub latest: Option<(Application, LevelVersion)>,
}

pub async fn kyc_standing(
    services: &Services,
    ctx: &Ctx,
    id: ApplicantId,
) -> Result<KycStanding, ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let mut conn = services.store.conn().await?;
    load(&mut conn, tenant.id, id).await?;
    let latest = store::applications::for_applicant(&mut conn, id)
        .await?
        .into_iter()
        .next();
    let latest = match latest {
        Some(application) => {
            let level = store::levels::get_version(
                &mut conn,
                application.level_id,
                application.level_version,
            )
            .await?;
            Some((application, level))
        }
        None => None,
    };
    Ok(KycStanding {
        status: KycStatus::derive(latest.as_ref().map(|(a, _)| a.status)),
        latest,
    })
}
