//! Outbound webhooks: delivering outbox messages (worker), and the deliveries admins see and
//! redeliver.

use chrono::Duration;
use serde_json::json;

use super::{Ctx, FieldError, ServiceError, Services};
use crate::domain::audit::AuditSubject;
use crate::domain::ids::{ApplicationId, OutboxMessageId, TenantId, WebhookAttemptId};
use crate::domain::job::{Job, JobKind};
use crate::domain::permission::Permission;
use crate::domain::time::Timestamp;
use crate::domain::webhook::{DeliveryAttempt, OutboxMessage, excerpt};
use crate::store::{self, Conn, StoreError};
use crate::webhooks::signing::WebhookSecret;

/// How long the previous secret keeps signing after a rotation.
pub const ROTATION_GRACE: Duration = Duration::hours(24);

/// Refuses a webhook target the configuration does not allow (private networks, non-http).
pub fn check_target(services: &Services, url: &str) -> Result<(), ServiceError> {
    services.webhooks.check_target(url).map_err(|refused| {
        ServiceError::InvalidFields(vec![FieldError {
            field: "webhook_url".into(),
            code: "webhook_url_not_allowed",
            message: format!("this webhook URL cannot be used: {refused}"),
        }])
    })
}

/// Where a message goes: the application's own webhook URL, else the tenant's.
async fn target(conn: &mut Conn, message: &OutboxMessage) -> Result<Option<String>, ServiceError> {
    if let Ok(id) = message.subject_id.parse::<ApplicationId>()
        && let Ok(application) = store::applications::get(conn, message.tenant_id, id).await
        && application.webhook_url.is_some()
    {
        return Ok(application.webhook_url);
    }
    Ok(store::tenants::get(conn, message.tenant_id)
        .await?
        .webhook_url)
}

/// The secrets to sign with: the current one, and the previous one during its grace period.
async fn secrets(
    conn: &mut Conn,
    tenant: TenantId,
    now: Timestamp,
) -> Result<Vec<WebhookSecret>, ServiceError> {
    let stored = store::tenants::webhook_secrets(conn, tenant).await?;
    let mut texts = vec![stored.current];
    if let (Some(previous), Some(rotated)) = (stored.previous, stored.rotated_at)
        && now < rotated.plus(ROTATION_GRACE)
    {
        texts.push(previous);
    }
    texts
        .iter()
        .map(|text| {
            WebhookSecret::parse(text)
                .map_err(|e| ServiceError::Internal(format!("tenant {tenant} webhook secret: {e}")))
        })
        .collect()
}

/// Delivers one outbox message (a `deliver_webhook` job): at least once, retried with backoff.
pub async fn deliver(services: &Services, job: &Job) -> Result<(), ServiceError> {
    let id: OutboxMessageId = job
        .subject_id
        .parse()
        .map_err(|_| ServiceError::Internal(format!("job {} has no message id", job.id)))?;
    let now = Timestamp::now();
    let mut conn = services.store.conn().await?;
    let message = store::outbox::get(&mut conn, id).await?;
    let url = target(&mut conn, &message).await?;
    let secrets = secrets(&mut conn, message.tenant_id, now).await?;
    drop(conn);
    let Some(url) = url else {
        // No endpoint: nothing to send. The message stays undelivered and can be redelivered
        // once the tenant has one.
        let mut tx = services.store.begin_write().await?;
        store::jobs::complete(&mut tx, job.id, now).await?;
        tx.commit().await?;
        return Ok(());
    };
    let outcome = services
        .webhooks
        .send(
            &url,
            &message.id.to_string(),
            &secrets,
            message.body(),
            Timestamp::now().as_datetime().timestamp(),
        )
        .await;
    let attempt = DeliveryAttempt {
        id: WebhookAttemptId::generate(),
        message_id: message.id,
        attempted_at: now,
        url: Some(url),
        status_code: outcome.status.map(i64::from),
        latency_ms: Some(outcome.latency_ms),
        error: outcome.error.clone(),
        response_excerpt: outcome.body.as_deref().map(excerpt),
    };
    let done = Timestamp::now();
    let mut tx = services.store.begin_write().await?;
    store::outbox::record_attempt(&mut tx, &attempt).await?;
    if attempt.succeeded() {
        store::outbox::mark_delivered(&mut tx, message.id, done).await?;
        store::jobs::complete(&mut tx, job.id, done).await?;
    } else {
        let error = match (&outcome.error, outcome.status) {
            (Some(error), _) => error.clone(),
            (None, Some(status)) => format!("HTTP {status}"),
            (None, None) => "no response".to_owned(),
        };
        super::pipeline::fail_job(&mut tx, services, job, &error, true, done).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A message with its attempts, for the admin's deliveries page.
pub struct Delivery {
    pub message: OutboxMessage,
    pub attempts: Vec<DeliveryAttempt>,
}

/// Page size of the deliveries page.
pub const DELIVERIES_PER_PAGE: i64 = 50;

pub async fn deliveries(
    services: &Services,
    ctx: &Ctx,
    tenant: TenantId,
    before: Option<OutboxMessageId>,
) -> Result<Vec<Delivery>, ServiceError> {
    ctx.require(services, Permission::Administer, "webhook.list")
        .await?;
    let mut conn = services.store.conn().await?;
    let messages =
        store::outbox::for_tenant(&mut conn, tenant, before, DELIVERIES_PER_PAGE).await?;
    let ids: Vec<OutboxMessageId> = messages.iter().map(|m| m.id).collect();
    let mut attempts = store::outbox::attempts_for(&mut conn, &ids).await?;
    Ok(messages
        .into_iter()
        .map(|message| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                attempts.drain(..).partition(|a| a.message_id == message.id);
            attempts = rest;
            Delivery {
                message,
                attempts: mine,
            }
        })
        .collect())
}

/// Sends a message again, delivered or not (receivers de-duplicate on `webhook-id`).
pub async fn redeliver(
    services: &Services,
    ctx: &Ctx,
    id: OutboxMessageId,
) -> Result<(), ServiceError> {
    ctx.require(services, Permission::Administer, "webhook.redeliver")
        .await?;
    let now = Timestamp::now();
    let mut tx = services.store.begin_write().await?;
    let message = match store::outbox::get(&mut tx, id).await {
        Err(StoreError::NotFound) => return Err(ServiceError::NotFound("webhook message")),
        other => other?,
    };
    if store::jobs::pending_for(&mut tx, JobKind::DeliverWebhook, &id.to_string()).await? {
        return Err(ServiceError::Conflict(
            "a delivery of this message is already under way".into(),
        ));
    }
    let kind = JobKind::DeliverWebhook;
    store::jobs::insert(
        &mut tx,
        &Job::new(kind, id.to_string(), kind.max_attempts(), now),
    )
    .await?;
    let event = ctx
        .event(
            "webhook.redelivered",
            AuditSubject::new("webhook_message", id),
            json!({"event_type": message.event_type}),
        )
        .for_tenant(message.tenant_id);
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(())
}
