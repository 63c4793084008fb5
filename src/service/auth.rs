//! Staff sign-in with lockout, sign-out, and resuming a session.

use serde_json::json;

use super::{Ctx, RequestMeta, ServiceError, Services, passwords};
use crate::domain::audit::{AuditActor, AuditSubject, NewAuditEvent};
use crate::domain::ids::StaffUserId;
use crate::domain::recovery_code;
use crate::domain::sign_in::Admission;
use crate::domain::staff::StaffUser;
use crate::domain::time::Timestamp;
use crate::domain::totp::TotpSecret;
use crate::domain::validate::contact::Email;
use crate::store::{self, StoreError};

pub use crate::domain::sign_in::LockoutPolicy;

/// A refused sign-in. Deliberately says nothing about why (unknown e-mail, wrong password, locked,
/// deactivated): the reason is in the audit trail, not in the answer.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("sign-in refused")]
    Refused,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for SignInError {
    fn from(error: StoreError) -> Self {
        SignInError::Service(error.into())
    }
}

fn with_meta(mut event: NewAuditEvent, meta: &RequestMeta) -> NewAuditEvent {
    event.request_id = meta.request_id.clone();
    event.client_ip = meta.client_ip.clone();
    event
}

/// Someone not yet identified, known by where they connect from.
fn anonymous(meta: &RequestMeta) -> AuditActor {
    AuditActor {
        kind: "anonymous",
        id: meta.client_ip.clone().unwrap_or_else(|| "unknown".into()),
    }
}

async fn refuse<T>(
    services: &Services,
    meta: &RequestMeta,
    subject: AuditSubject,
    email: &str,
    reason: &str,
) -> Result<T, SignInError> {
    let event = NewAuditEvent::new(
        anonymous(meta),
        "auth.sign_in_failed",
        subject,
        json!({"email": email, "reason": reason}),
    );
    super::record(services, &with_meta(event, meta)).await?;
    Err(SignInError::Refused)
}

/// A password step that was accepted, and what comes next.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in.
    Complete(StaffUser),
    /// The password was right; the user's second factor is due before the session starts.
    CodeDue(StaffUser),
    /// Signed in, but MFA is required and the user has none yet: they enrol before anything else.
    EnrolmentDue(StaffUser),
}

/// Checks an e-mail and password. Every path costs one argon2 verification, so timing tells nothing;
/// at most `policy.max_failures` wrong passwords are ever checked per lockout window, however many
/// attempts run at once (each is admitted and counted before its check, see `domain::sign_in`).
pub async fn sign_in(
    services: &Services,
    meta: &RequestMeta,
    policy: LockoutPolicy,
    email: &str,
    password: &str,
) -> Result<SignIn, SignInError> {
    let user = match Email::parse(email) {
        Ok(email) => {
            let mut conn = services.store.conn().await?;
            match store::staff::find_by_email(&mut conn, &email).await {
                Ok(user) => Some(user),
                Err(StoreError::NotFound) => None,
                Err(other) => return Err(other.into()),
            }
        }
        Err(_) => None,
    };
    let shown_email: String = email.chars().take(254).collect();
    let Some(user) = user else {
        passwords::verify(password, None).await?;
        return refuse(
            services,
            meta,
            AuditSubject::new("staff_user", "unknown"),
            &shown_email,
            "unknown_email",
        )
        .await;
    };
    let subject = AuditSubject::new("staff_user", user.id);
    if !admit(services, meta, &user, policy).await? {
        passwords::verify(password, None).await?;
        return refuse(services, meta, subject, &shown_email, "locked").await;
    }
    let password_ok = passwords::verify(password, Some(&user.password_hash)).await?;
    if !user.active {
        return refuse(services, meta, subject, &shown_email, "deactivated").await;
    }
    if !password_ok {
        let details = json!({"email": shown_email, "reason": "wrong_password"});
        settle(services, meta, &user, policy, CheckOutcome::Wrong(details)).await?;
        return Err(SignInError::Refused);
    }
    let enrolled = {
        let mut conn = services.store.conn().await?;
        store::staff_mfa::get(&mut conn, user.id)
            .await?
            .is_some_and(|e| e.confirmed_at.is_some())
    };
    if enrolled {
        settle(services, meta, &user, policy, CheckOutcome::FirstOfTwo).await?;
        return Ok(SignIn::CodeDue(user));
    }
    if super::mfa::is_required(services).await? {
        let details = json!({"mfa": "enrolment_due"});
        settle(services, meta, &user, policy, CheckOutcome::Right(details)).await?;
        return Ok(SignIn::EnrolmentDue(user));
    }
    settle(
        services,
        meta,
        &user,
        policy,
        CheckOutcome::Right(json!({})),
    )
    .await?;
    Ok(SignIn::Complete(user))
}

/// The second step of a sign-in: a TOTP code from the user's app, or one of their recovery codes.
/// Wrong codes count toward the same lockout as wrong passwords; a code is accepted once.
pub async fn second_factor(
    services: &Services,
    meta: &RequestMeta,
    policy: LockoutPolicy,
    id: StaffUserId,
    code: &str,
) -> Result<StaffUser, SignInError> {
    let user = {
        let mut conn = services.store.conn().await?;
        match store::staff::get(&mut conn, id).await {
            Ok(user) if user.active => user,
            Ok(_) | Err(StoreError::NotFound) => return Err(SignInError::Refused),
            Err(other) => return Err(other.into()),
        }
    };
    let subject = AuditSubject::new("staff_user", user.id);
    if !admit(services, meta, &user, policy).await? {
        return refuse(services, meta, subject, user.email.as_str(), "locked").await;
    }
    let method = if recovery_code::looks_like_one(code) {
        use_recovery_code(services, meta, &user, code)
            .await?
            .then_some("recovery_code")
    } else {
        use_totp_code(services, &user, code)
            .await?
            .then_some("totp")
    };
    let outcome = match method {
        Some(method) => CheckOutcome::Right(json!({"mfa": method})),
        None => CheckOutcome::Wrong(json!({"email": user.email.as_str(), "reason": "wrong_code"})),
    };
    settle(services, meta, &user, policy, outcome).await?;
    Ok(user)
}

/// Whether `code` is the user's current TOTP code, not used before; marks its step used.
async fn use_totp_code(
    services: &Services,
    user: &StaffUser,
    code: &str,
) -> Result<bool, ServiceError> {
    let mut conn = services.store.write_conn().await?;
    let Some(enrolment) = store::staff_mfa::get(&mut conn, user.id).await? else {
        return Ok(false);
    };
    let secret = TotpSecret::from_base32(&enrolment.secret)
        .ok_or_else(|| ServiceError::Internal("unreadable TOTP secret".into()))?;
    let now = Timestamp::now().as_datetime().timestamp();
    let Some(step) = secret.matching_step(code, now, enrolment.last_used_step) else {
        return Ok(false);
    };
    // The conditional update decides between two requests carrying the same code: one wins.
    Ok(store::staff_mfa::use_step(&mut conn, user.id, step).await?)
}

/// Whether `code` is one of the user's unused recovery codes; uses it up and records that.
async fn use_recovery_code(
    services: &Services,
    meta: &RequestMeta,
    user: &StaffUser,
    code: &str,
) -> Result<bool, ServiceError> {
    let mut tx = services.store.begin_write().await?;
    let digest = recovery_code::digest(code);
    if !store::staff_mfa::use_recovery_code(&mut tx, user.id, &digest, Timestamp::now()).await? {
        return Ok(false);
    }
    let left = store::staff_mfa::recovery_codes_left(&mut tx, user.id).await?;
    let event = NewAuditEvent::new(
        AuditActor::staff(user.id),
        "auth.recovery_code_used",
        AuditSubject::new("staff_user", user.id),
        json!({"left": left}),
    );
    store::audit::append(&mut tx, &with_meta(event, meta));
    tx.commit().await?;
    Ok(true)
}

/// Admits one more secret check for `user` (counting it), or refuses it because the account is
/// locked; records a lock that ran out or that this refusal set.
async fn admit(
    services: &Services,
    meta: &RequestMeta,
    user: &StaffUser,
    policy: LockoutPolicy,
) -> Result<bool, ServiceError> {
    let now = Timestamp::now();
    let subject = AuditSubject::new("staff_user", user.id);
    let mut tx = services.store.begin_write().await?;
    let mut attempts = store::staff::lock_sign_in_attempts(&mut tx, user.id).await?;
    let admission = attempts.admit(now, policy);
    let event = match admission {
        Admission::Admitted {
            lock_expired: Some(until),
        } => Some(NewAuditEvent::new(
            AuditActor::system("auth"),
            "auth.lock_expired",
            subject,
            json!({"locked_until": until}),
        )),
        Admission::Refused {
            locked_until,
            newly_locked: true,
        } => Some(NewAuditEvent::new(
            AuditActor::system("auth"),
            "auth.locked",
            subject,
            json!({"failures": attempts.counted, "locked_until": locked_until}),
        )),
        Admission::Admitted { lock_expired: None } | Admission::Refused { .. } => None,
    };
    if let Some(event) = event {
        store::audit::append(&mut tx, &with_meta(event, meta));
    }
    store::staff::save_sign_in_attempts(&mut tx, user.id, attempts).await?;
    tx.commit().await?;
    Ok(matches!(admission, Admission::Admitted { .. }))
}

/// How an admitted check ended; `Right` and `Wrong` carry what their event records.
enum CheckOutcome {
    /// The last secret was right: signed in.
    Right(serde_json::Value),
    /// The password was right and a code is due: the check stays counted until the code settles it.
    FirstOfTwo,
    Wrong(serde_json::Value),
}

/// A right secret refused because concurrent failures locked the account meanwhile.
fn locked_refusal(meta: &RequestMeta, user: &StaffUser, locked_until: Timestamp) -> NewAuditEvent {
    NewAuditEvent::new(
        anonymous(meta),
        "auth.sign_in_failed",
        AuditSubject::new("staff_user", user.id),
        json!({"email": user.email.as_str(), "reason": "locked", "locked_until": locked_until}),
    )
}

/// Settles an admitted check in one write transaction with its audit events: a wrong secret stays
/// counted (and may lock the account); a right one is refused if concurrent failures locked the
/// account meanwhile, and otherwise starts the count afresh and records the sign-in.
async fn settle(
    services: &Services,
    meta: &RequestMeta,
    user: &StaffUser,
    policy: LockoutPolicy,
    outcome: CheckOutcome,
) -> Result<(), SignInError> {
    let now = Timestamp::now();
    let subject = AuditSubject::new("staff_user", user.id);
    let mut tx = services.store.begin_write().await?;
    let mut attempts = store::staff::lock_sign_in_attempts(&mut tx, user.id).await?;
    let mut events = Vec::new();
    let accepted = match outcome {
        CheckOutcome::FirstOfTwo => match attempts.passed_first_factor(now) {
            Ok(()) => {
                events.push(NewAuditEvent::new(
                    anonymous(meta),
                    "auth.password_verified",
                    subject,
                    json!({"next": "totp"}),
                ));
                true
            }
            Err(locked_until) => {
                events.push(locked_refusal(meta, user, locked_until));
                false
            }
        },
        CheckOutcome::Right(details) => match attempts.succeeded(now) {
            Ok(()) => {
                events.push(NewAuditEvent::new(
                    AuditActor::staff(user.id),
                    "auth.signed_in",
                    subject,
                    details,
                ));
                true
            }
            Err(locked_until) => {
                events.push(locked_refusal(meta, user, locked_until));
                false
            }
        },
        CheckOutcome::Wrong(mut details) => {
            details["failures"] = json!(attempts.counted);
            events.push(NewAuditEvent::new(
                anonymous(meta),
                "auth.sign_in_failed",
                subject.clone(),
                details,
            ));
            if let Some(locked_until) = attempts.failed(now, policy) {
                events.push(NewAuditEvent::new(
                    AuditActor::system("auth"),
                    "auth.locked",
                    subject,
                    json!({"failures": attempts.counted, "locked_until": locked_until}),
                ));
            }
            false
        }
    };
    for event in events {
        store::audit::append(&mut tx, &with_meta(event, meta));
    }
    store::staff::save_sign_in_attempts(&mut tx, user.id, attempts).await?;
    tx.commit().await?;
    if accepted {
        Ok(())
    } else {
        Err(SignInError::Refused)
    }
}

/// Records a sign-out.
pub async fn sign_out(services: &Services, ctx: &Ctx) -> Result<(), ServiceError> {
    let Some(staff) = &ctx.staff else {
        return Ok(());
    };
    super::record(
        services,
        &ctx.event(
            "auth.signed_out",
            AuditSubject::new("staff_user", staff.id),
            json!({}),
        ),
    )
    .await
}

/// The user behind a session, if the session is still valid: the account is active and nothing
/// (deactivation, role or password change) has ended its sessions since.
pub async fn resume(
    services: &Services,
    id: StaffUserId,
    epoch: i64,
) -> Result<Option<StaffUser>, ServiceError> {
    let mut conn = services.store.conn().await?;
    match store::staff::get(&mut conn, id).await {
        Ok(user) if user.active && user.session_epoch == epoch => Ok(Some(user)),
        Ok(_) | Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// Removes session records past their expiry (they are already refused; this keeps the table small).
pub async fn purge_expired_sessions(services: &Services) -> Result<u64, ServiceError> {
    let mut conn = services.store.write_conn().await?;
    Ok(store::sessions::delete_expired(&mut conn, Timestamp::now()).await?)
}
