//! Multi-factor sign-in for staff: TOTP enrolment with recovery codes, and the installation-wide
//! requirement. Checking a code at sign-in is `auth::second_factor`; an admin's reset is
//! `staff::reset_mfa`.

use serde_json::json;

use super::{Ctx, ServiceError, Services, passwords};
use crate::domain::audit::AuditSubject;
use crate::domain::ids::StaffUserId;
use crate::domain::permission::Permission;
use crate::domain::recovery_code;
use crate::domain::staff::StaffUser;
use crate::domain::time::Timestamp;
use crate::domain::totp::TotpSecret;
use crate::domain::validate::Invalid;
use crate::store;

/// The name authenticator apps show for our entries.
pub const ISSUER: &str = "kycdesk";
const RECOVERY_CODES: usize = 10;
const REQUIRED_KEY: &str = "mfa_required";

/// Where a user's second factor stands.
#[derive(Debug, Clone)]
pub struct MfaStatus {
    pub enrolled_at: Option<Timestamp>,
    pub recovery_codes_left: i64,
}

/// An enrolment in progress: the secret as the app needs it, in text and as an `otpauth://` URI.
#[derive(Debug, Clone)]
pub struct PendingEnrolment {
    pub secret: String,
    pub uri: String,
}

pub async fn status(services: &Services, user: StaffUserId) -> Result<MfaStatus, ServiceError> {
    let mut conn = services.store.conn().await?;
    let enrolled_at = store::staff_mfa::get(&mut conn, user)
        .await?
        .and_then(|e| e.confirmed_at);
    let recovery_codes_left = store::staff_mfa::recovery_codes_left(&mut conn, user).await?;
    Ok(MfaStatus {
        enrolled_at,
        recovery_codes_left,
    })
}

/// Whether every staff user must have a second factor.
pub async fn is_required(services: &Services) -> Result<bool, ServiceError> {
    let mut conn = services.store.conn().await?;
    Ok(store::settings::get(&mut conn, REQUIRED_KEY)
        .await?
        .as_deref()
        == Some("true"))
}

/// Turns the requirement on or off (admins); users without MFA enrol at their next sign-in.
pub async fn set_required(
    services: &Services,
    ctx: &Ctx,
    required: bool,
) -> Result<(), ServiceError> {
    ctx.require(services, Permission::Administer, "settings.mfa_required")
        .await?;
    let mut tx = services.store.begin_write().await?;
    store::settings::set(
        &mut tx,
        REQUIRED_KEY,
        if required { "true" } else { "false" },
        Timestamp::now(),
    )
    .await?;
    store::audit::append(
        &mut tx,
        &ctx.event(
            "settings.mfa_required",
            AuditSubject::new("setting", REQUIRED_KEY),
            json!({"required": required}),
        ),
    );
    tx.commit().await?;
    Ok(())
}

fn already_enrolled() -> ServiceError {
    ServiceError::Invalid(Invalid {
        code: "mfa_already_enrolled",
        message: "two-factor sign-in is already set up; an admin can reset it".into(),
    })
}

/// The signed-in user's enrolment in progress, started now if there is none (a reload keeps the
/// same secret, so a code from an app that already scanned it still works).
pub async fn begin_enrolment(
    services: &Services,
    ctx: &Ctx,
) -> Result<PendingEnrolment, ServiceError> {
    let user = ctx.staff_id()?;
    let mut tx = services.store.begin_write().await?;
    let existing = store::staff_mfa::get(&mut tx, user).await?;
    let secret = match existing {
        Some(enrolment) if enrolment.confirmed_at.is_some() => return Err(already_enrolled()),
        Some(enrolment) => TotpSecret::from_base32(&enrolment.secret)
            .ok_or_else(|| ServiceError::Internal("unreadable TOTP secret".into()))?,
        None => {
            let secret = TotpSecret::from_bytes(rand::random());
            store::staff_mfa::start(&mut tx, user, &secret.to_base32(), Timestamp::now()).await?;
            secret
        }
    };
    tx.commit().await?;
    let email = ctx
        .staff
        .as_ref()
        .map(|staff| staff.email.as_str().to_owned())
        .unwrap_or_default();
    Ok(PendingEnrolment {
        uri: secret.uri(ISSUER, &email),
        secret: secret.to_base32(),
    })
}

/// Confirms the enrolment in progress with a code from the app; returns the recovery codes, which
/// are shown once and kept only as digests, and the user with a new session epoch: a new factor
/// ends the user's other sessions (one opened by whoever knew the password alone), and the session
/// that enrolled adopts the epoch.
pub async fn confirm_enrolment(
    services: &Services,
    ctx: &Ctx,
    code: &str,
) -> Result<(Vec<String>, StaffUser), ServiceError> {
    let user = ctx.staff_id()?;
    let subject = AuditSubject::new("staff_user", user);
    let now = Timestamp::now();
    let mut tx = services.store.begin_write().await?;
    let pending = match store::staff_mfa::get(&mut tx, user).await? {
        Some(enrolment) if enrolment.confirmed_at.is_some() => return Err(already_enrolled()),
        Some(enrolment) => enrolment,
        None => {
            return Err(ServiceError::Invalid(Invalid {
                code: "mfa_not_started",
                message: "open the set-up page again to get a new secret".into(),
            }));
        }
    };
    let step = TotpSecret::from_base32(&pending.secret)
        .and_then(|secret| secret.matching_step(code, now.as_datetime().timestamp(), None));
    let Some(step) = step else {
        store::audit::append(
            &mut tx,
            &ctx.event("auth.mfa_enrolment_failed", subject, json!({})),
        );
        tx.commit().await?;
        return Err(ServiceError::Invalid(Invalid {
            code: "wrong_code",
            message: "that code is not the app's current one; check the phone's clock and try the next code".into(),
        }));
    };
    if !store::staff_mfa::confirm(&mut tx, user, step, now).await? {
        return Err(already_enrolled());
    }
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| passwords::generate_one_time())
        .collect();
    let digests: Vec<String> = codes.iter().map(|c| recovery_code::digest(c)).collect();
    store::staff_mfa::replace_recovery_codes(&mut tx, user, &digests).await?;
    let mut staff = store::staff::get(&mut tx, user).await?;
    staff.session_epoch += 1;
    store::staff::update(&mut tx, &mut staff).await?;
    store::audit::append(
        &mut tx,
        &ctx.event(
            "auth.mfa_enrolled",
            subject,
            json!({"method": "totp", "recovery_codes": RECOVERY_CODES}),
        ),
    );
    tx.commit().await?;
    Ok((codes, staff))
}

/// The staff users with a confirmed second factor (for the admin's list).
pub async fn enrolled_users(services: &Services) -> Result<Vec<StaffUserId>, ServiceError> {
    let mut conn = services.store.conn().await?;
    Ok(store::staff_mfa::enrolled_users(&mut conn).await?)
}
