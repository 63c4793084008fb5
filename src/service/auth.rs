//! Staff sign-in with lockout, sign-out, and resuming a session.

use serde_json::json;

use super::{Ctx, RequestMeta, ServiceError, Services, passwords};
use crate::domain::audit::{AuditActor, AuditSubject, NewAuditEvent};
use crate::domain::ids::StaffUserId;
use crate::domain::sign_in::Admission;
use crate::domain::staff::StaffUser;
use crate::domain::time::Timestamp;
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

async fn refuse(
    services: &Services,
    meta: &RequestMeta,
    subject: AuditSubject,
    email: &str,
    reason: &str,
) -> Result<StaffUser, SignInError> {
    let event = NewAuditEvent::new(
        anonymous(meta),
        "auth.sign_in_failed",
        subject,
        json!({"email": email, "reason": reason}),
    );
    super::record(services, &with_meta(event, meta)).await?;
    Err(SignInError::Refused)
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
) -> Result<StaffUser, SignInError> {
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
    let outcome = if password_ok {
        CheckOutcome::Right(json!({}))
    } else {
        CheckOutcome::Wrong(json!({"email": shown_email, "reason": "wrong_password"}))
    };
    settle(services, meta, &user, policy, outcome).await?;
    Ok(user)
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

/// How an admitted check ended; `Wrong` carries what the failure event records.
enum CheckOutcome {
    Right(serde_json::Value),
    Wrong(serde_json::Value),
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
                events.push(NewAuditEvent::new(
                    anonymous(meta),
                    "auth.sign_in_failed",
                    subject,
                    json!({"email": user.email.as_str(), "reason": "locked", "locked_until": locked_until}),
                ));
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
