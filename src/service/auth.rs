//! Staff sign-in with lockout, sign-out, and resuming a session.

use chrono::Duration;
use serde_json::json;

use super::{Ctx, RequestMeta, ServiceError, Services, passwords};
use crate::domain::audit::{AuditActor, AuditSubject, NewAuditEvent};
use crate::domain::ids::StaffUserId;
use crate::domain::staff::StaffUser;
use crate::domain::time::Timestamp;
use crate::domain::validate::contact::Email;
use crate::store::{self, StoreError};

/// How many failures lock an account, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub max_failures: i64,
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_for: Duration::minutes(15),
        }
    }
}

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

/// Checks an e-mail and password. Every path costs one argon2 verification, so timing tells nothing.
pub async fn sign_in(
    services: &Services,
    meta: &RequestMeta,
    policy: LockoutPolicy,
    email: &str,
    password: &str,
) -> Result<StaffUser, SignInError> {
    let now = Timestamp::now();
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
    let Some(mut user) = user else {
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
    if user.is_locked(now) {
        passwords::verify(password, None).await?;
        return refuse(services, meta, subject, &shown_email, "locked").await;
    }
    if let Some(until) = user.locked_until {
        // The lock ran out: record its end and start counting afresh.
        let mut tx = services.store.begin_write().await?;
        store::staff::clear_sign_in_failures(&mut tx, user.id).await?;
        let event = NewAuditEvent::new(
            AuditActor::system("auth"),
            "auth.lock_expired",
            subject.clone(),
            json!({"locked_until": until}),
        );
        store::audit::append(&mut tx, &with_meta(event, meta));
        tx.commit().await?;
        user.failed_logins = 0;
        user.locked_until = None;
    }
    let password_ok = passwords::verify(password, Some(&user.password_hash)).await?;
    if !user.active {
        return refuse(services, meta, subject, &shown_email, "deactivated").await;
    }
    if !password_ok {
        let mut tx = services.store.begin_write().await?;
        let (failures, locked_until) = store::staff::record_sign_in_failure(
            &mut tx,
            user.id,
            policy.max_failures,
            now.plus(policy.lock_for),
        )
        .await?;
        let event = NewAuditEvent::new(
            anonymous(meta),
            "auth.sign_in_failed",
            subject.clone(),
            json!({"email": shown_email, "reason": "wrong_password", "failures": failures}),
        );
        store::audit::append(&mut tx, &with_meta(event, meta));
        if failures == policy.max_failures {
            let event = NewAuditEvent::new(
                AuditActor::system("auth"),
                "auth.locked",
                subject,
                json!({"failures": failures, "locked_until": locked_until}),
            );
            store::audit::append(&mut tx, &with_meta(event, meta));
        }
        tx.commit().await?;
        return Err(SignInError::Refused);
    }
    let mut tx = services.store.begin_write().await?;
    store::staff::clear_sign_in_failures(&mut tx, user.id).await?;
    let event = NewAuditEvent::new(
        AuditActor::staff(user.id),
        "auth.signed_in",
        subject,
        json!({}),
    );
    store::audit::append(&mut tx, &with_meta(event, meta));
    tx.commit().await?;
    Ok(user)
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
