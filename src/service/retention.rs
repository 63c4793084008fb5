//! Record keeping: the retention period (admins set it), legal holds per applicant (admins place
//! and lift them), and where an applicant's records stand.

use serde_json::json;

use super::{Ctx, ServiceError, Services};
use crate::domain::audit::AuditSubject;
use crate::domain::ids::{ApplicantId, ApplicationId};
use crate::domain::permission::Permission;
use crate::domain::retention::{Retention, RetentionPeriod, retention};
use crate::domain::time::Timestamp;
use crate::domain::validate::Invalid;
use crate::store::{self, StoreError};

pub async fn period(services: &Services) -> Result<RetentionPeriod, ServiceError> {
    let mut conn = services.store.conn().await?;
    Ok(match store::retention::period_years(&mut conn).await? {
        Some(years) => RetentionPeriod::years(years).unwrap_or_default(),
        None => RetentionPeriod::default(),
    })
}

pub async fn set_period(services: &Services, ctx: &Ctx, years: i64) -> Result<(), ServiceError> {
    ctx.require(services, Permission::Administer, "retention.set_period")
        .await?;
    let period = RetentionPeriod::years(years)?;
    let before = self::period(services).await?;
    let mut tx = services.store.begin_write().await?;
    store::retention::set_period_years(&mut tx, period.as_years(), Timestamp::now()).await?;
    let event = ctx.event(
        "retention.period_set",
        AuditSubject::new("setting", "retention_years"),
        json!({"from": before.as_years(), "to": period.as_years()}),
    );
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(())
}

/// Where one applicant's records stand.
pub async fn of_applicant(
    services: &Services,
    applicant: ApplicantId,
) -> Result<Retention, ServiceError> {
    let period = period(services).await?;
    let mut conn = services.store.conn().await?;
    let hold = store::retention::hold(&mut conn, applicant).await?;
    let ended = store::retention::relationship_ended(&mut conn, applicant).await?;
    Ok(retention(period, ended, hold.as_deref()))
}

/// Places a legal hold on the applicant of an application (a reason is required) or lifts it.
pub async fn set_hold(
    services: &Services,
    ctx: &Ctx,
    application: ApplicationId,
    reason: Option<&str>,
) -> Result<(), ServiceError> {
    ctx.require(services, Permission::Administer, "retention.legal_hold")
        .await?;
    let me = ctx.staff_id()?;
    let mut tx = services.store.begin_write().await?;
    let applicant = match store::applications::get_any(&mut tx, application).await {
        Err(StoreError::NotFound) => return Err(ServiceError::NotFound("application")),
        other => other?,
    }
    .applicant_id;
    let found = store::applicants::get(&mut tx, applicant).await?;
    let subject = AuditSubject::new("applicant", applicant);
    let event = match reason.map(str::trim) {
        Some(reason) => {
            if reason.is_empty() || reason.chars().count() > 500 {
                return Err(Invalid {
                    code: "invalid_reason",
                    message: "a legal hold needs a reason of at most 500 characters".into(),
                }
                .into());
            }
            match store::retention::place_hold(&mut tx, applicant, reason, me, Timestamp::now())
                .await
            {
                Err(StoreError::Duplicate(_)) => {
                    return Err(ServiceError::Duplicate("the applicant is already on hold"));
                }
                other => other?,
            }
            ctx.event(
                "retention.legal_hold_placed",
                subject,
                json!({"reason": reason}),
            )
        }
        None => {
            if !store::retention::lift_hold(&mut tx, applicant).await? {
                return Err(ServiceError::Conflict(
                    "the applicant is not on hold".into(),
                ));
            }
            ctx.event("retention.legal_hold_lifted", subject, json!({}))
        }
    };
    store::audit::append(&mut tx, &event.for_tenant(found.tenant_id));
    tx.commit().await?;
    Ok(())
}
