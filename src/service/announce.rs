//! The audit event and the tenant's outbox message that every status change carries, written in
//! the caller's transaction. Shared by the tenant's, the reviewers' and the providers' use cases.

use serde_json::{Map, Value, json};

use super::{Ctx, ServiceError};
use crate::domain::application::Application;
use crate::domain::audit::{AuditActor, AuditSubject};
use crate::domain::decision::Outcome;
use crate::domain::status::{ApplicationStatus, TransitionActor};
use crate::domain::time::Timestamp;
use crate::store::{self, Tx};

/// The webhook event type of a status change: `submitted` when it went to a provider, else
/// `status_changed` (decisions announce themselves as `decided`).
fn event_type(to: ApplicationStatus) -> &'static str {
    match to {
        ApplicationStatus::Submitted => "kyc_application.submitted",
        _ => "kyc_application.status_changed",
    }
}

/// Announces a change of status that is not a decision.
pub(crate) async fn status_changed(
    tx: &mut Tx,
    ctx: &Ctx,
    application: &Application,
    from: ApplicationStatus,
    details: Value,
) -> Result<(), ServiceError> {
    let mut payload = json!({"from": from.as_str(), "to": application.status.as_str(), "attempt": application.attempt});
    merge(&mut payload, details);
    let event = ctx
        .event(
            "application.status_changed",
            AuditSubject::new("application", application.id),
            payload,
        )
        .for_tenant(application.tenant_id);
    store::audit::append(tx, &event);
    let message = json!({"id": application.id, "status": application.status.as_str(), "previous_status": from.as_str(), "attempt": application.attempt});
    store::outbox::enqueue(
        tx,
        application.tenant_id,
        event_type(application.status),
        &application.id.to_string(),
        &message,
        application.updated_at,
    )
    .await?;
    Ok(())
}

/// A decision as the tenant is told it.
pub(crate) struct Decision {
    pub outcome: Outcome,
    pub reasons: Vec<String>,
    pub remediation: Vec<String>,
    pub message: Option<String>,
    /// Who decided and how, for the audit trail only (decision id, reviewers, or provider verdict).
    pub details: Value,
}

/// Applies a decision already checked by the caller: the status change, its audit event, the
/// automatic rejection when remediation leaves no attempt, and the tenant's `decided` message.
pub(crate) async fn decided(
    tx: &mut Tx,
    ctx: &Ctx,
    application: &mut Application,
    actor: TransitionActor,
    decision: &Decision,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let from = application.status;
    application.transition(decision.outcome.target_status(), actor, now)?;
    store::applications::update(tx, application).await?;
    let subject = AuditSubject::new("application", application.id);
    let mut payload = json!({
        "outcome": decision.outcome.as_str(), "reasons": decision.reasons,
        "remediation": decision.remediation, "from": from.as_str(), "to": application.status.as_str(),
    });
    merge(&mut payload, decision.details.clone());
    store::audit::append(
        tx,
        &ctx.event("application.decided", subject.clone(), payload)
            .for_tenant(application.tenant_id),
    );
    if application.status == ApplicationStatus::Remediate && !application.attempts_left() {
        application.transition(ApplicationStatus::Rejected, TransitionActor::System, now)?;
        store::applications::update(tx, application).await?;
        let payload = json!({"from": "remediate", "to": "rejected", "reason": "attempts_exhausted", "attempt": application.attempt});
        let mut event = ctx
            .event("application.status_changed", subject, payload)
            .for_tenant(application.tenant_id);
        event.actor = AuditActor::system("policy");
        store::audit::append(tx, &event);
    }
    let message = json!({
        "id": application.id, "status": application.status.as_str(), "previous_status": from.as_str(),
        "decision": {"outcome": decision.outcome.as_str(), "reasons": decision.reasons,
                     "remediation": decision.remediation, "message": decision.message},
    });
    store::outbox::enqueue(
        tx,
        application.tenant_id,
        "kyc_application.decided",
        &application.id.to_string(),
        &message,
        now,
    )
    .await?;
    Ok(())
}

fn merge(payload: &mut Value, details: Value) {
    if let (Value::Object(target), Value::Object(extra)) = (payload, details) {
        let extra: Map<String, Value> = extra;
        target.extend(extra);
    }
}
