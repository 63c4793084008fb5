//! Reviewer decisions. Without four-eyes a decision applies at once; with four-eyes it is proposed,
//! then confirmed or sent back by a different reviewer on the unchanged application. Either way the
//! status change, the decision, its audit events and the tenant's outbox message commit together.

use serde_json::json;

use super::{Ctx, ServiceError, Services, announce, retry};
use crate::domain::application::Application;
use crate::domain::audit::AuditSubject;
use crate::domain::decision::{Decision, DecisionInput, DecisionState, Outcome, ReviewRefusal};
use crate::domain::ids::{ApplicationId, DecisionId};
use crate::domain::permission::Permission;
use crate::domain::status::{ApplicationStatus, TransitionActor};
use crate::domain::time::Timestamp;
use crate::store::{self, StoreError, Tx};

/// What the reviewer submitted: the decision and the application version they looked at.
pub struct DecisionRequest {
    pub outcome: Outcome,
    pub reasons: Vec<crate::domain::decision::Reason>,
    pub remediation: Vec<String>,
    pub message_to_applicant: Option<String>,
    pub internal_comment: Option<String>,
    pub version: i64,
}

/// What happened to the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decided {
    /// Applied: the application is now in this status.
    Applied(ApplicationStatus),
    /// Proposed under four-eyes; waits for a second reviewer.
    Proposed,
    /// Sent back to the proposer; the application stays in review.
    Returned,
}

/// Loads the application for a decision, refusing a version other than the one the reviewer saw
/// with who changed it and when.
async fn load_current(
    tx: &mut Tx,
    id: ApplicationId,
    version: i64,
) -> Result<Application, ServiceError> {
    let application = match store::applications::get_any(tx, id).await {
        Err(StoreError::NotFound) => return Err(ServiceError::NotFound("application")),
        other => other?,
    };
    if application.version != version {
        let changed = store::audit::last_change(tx, &format!("application:{id}")).await?;
        let (who, when) = changed.unwrap_or_else(|| ("someone".into(), "recently".into()));
        return Err(ServiceError::Conflict(format!(
            "This application was changed by {who} at {when}. Reload it and decide again."
        )));
    }
    Ok(application)
}

/// Applies a final decision through `announce::decided`, with who proposed and confirmed it.
async fn apply(
    tx: &mut Tx,
    ctx: &Ctx,
    application: &mut Application,
    decision: &Decision,
    now: Timestamp,
) -> Result<ApplicationStatus, ServiceError> {
    let notice = announce::Decision {
        outcome: decision.outcome,
        reasons: decision
            .reasons
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        remediation: decision.remediation.clone(),
        message: decision.message_to_applicant.clone(),
        details: json!({"decision_id": decision.id, "proposed_by": decision.proposed_by, "confirmed_by": decision.reviewed_by}),
    };
    announce::decided(
        tx,
        ctx,
        application,
        TransitionActor::Reviewer,
        &notice,
        now,
    )
    .await?;
    Ok(application.status)
}

/// A reviewer decides a case in review.
pub async fn decide(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    request: DecisionRequest,
) -> Result<Decided, ServiceError> {
    ctx.require(services, Permission::WorkCases, "application.decide")
        .await?;
    retry::on_contention(services, "application.decide", || {
        decide_once(services, ctx, id, &request)
    })
    .await
}

async fn decide_once(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    request: &DecisionRequest,
) -> Result<Decided, ServiceError> {
    let me = ctx.staff_id()?;
    let now = Timestamp::now();
    let mut tx = services.store.begin_write().await?;
    let mut application = load_current(&mut tx, id, request.version).await?;
    if application.status != ApplicationStatus::Review {
        return Err(ServiceError::Conflict(format!(
            "only applications in review can be decided; this one is {}",
            application.status
        )));
    }
    let level =
        store::levels::get_version(&mut tx, application.level_id, application.level_version)
            .await?;
    let input = DecisionInput::new(
        request.outcome,
        request.reasons.clone(),
        request.remediation.clone(),
        request.message_to_applicant.clone(),
        request.internal_comment.clone(),
        &level,
    )?;
    if store::decisions::for_application(&mut tx, id)
        .await?
        .iter()
        .any(|d| d.state == DecisionState::Proposed)
    {
        return Err(ServiceError::Conflict(
            "a proposed decision is waiting for a second reviewer".into(),
        ));
    }
    let mut decision = Decision {
        id: DecisionId::generate(),
        application_id: id,
        outcome: input.outcome,
        reasons: input.reasons,
        remediation: input.remediation,
        message_to_applicant: input.message_to_applicant,
        internal_comment: input.internal_comment,
        state: DecisionState::Confirmed,
        application_version: application.version,
        proposed_by: me,
        proposed_at: now,
        reviewed_by: None,
        reviewed_at: None,
    };
    let outcome = if level.policy.four_eyes {
        // The proposal is itself a change: it bumps the version it records, so any later change voids it.
        application.updated_at = now;
        store::applications::update(&mut tx, &mut application).await?;
        decision.state = DecisionState::Proposed;
        decision.application_version = application.version;
        store::decisions::insert(&mut tx, &decision).await?;
        let reasons: Vec<&str> = decision.reasons.iter().map(|r| r.as_str()).collect();
        let payload = json!({"decision_id": decision.id, "outcome": decision.outcome.as_str(), "reasons": reasons, "remediation": decision.remediation});
        let event = ctx
            .event(
                "application.decision_proposed",
                AuditSubject::new("application", id),
                payload,
            )
            .for_tenant(application.tenant_id);
        store::audit::append(&mut tx, &event);
        Decided::Proposed
    } else {
        store::decisions::insert(&mut tx, &decision).await?;
        Decided::Applied(apply(&mut tx, ctx, &mut application, &decision, now).await?)
    };
    tx.commit().await?;
    Ok(outcome)
}

/// The second reviewer's answer to a proposal.
pub enum Review {
    Confirm,
    SendBack { comment: Option<String> },
}

pub async fn review(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    decision_id: DecisionId,
    version: i64,
    answer: Review,
) -> Result<Decided, ServiceError> {
    ctx.require(
        services,
        Permission::WorkCases,
        "application.decision_review",
    )
    .await?;
    retry::on_contention(services, "application.decision_review", || {
        review_once(services, ctx, id, decision_id, version, &answer)
    })
    .await
}

async fn review_once(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    decision_id: DecisionId,
    version: i64,
    answer: &Review,
) -> Result<Decided, ServiceError> {
    let me = ctx.staff_id()?;
    let now = Timestamp::now();
    let mut tx = services.store.begin_write().await?;
    let mut application = match store::applications::get_any(&mut tx, id).await {
        Err(StoreError::NotFound) => return Err(ServiceError::NotFound("application")),
        other => other?,
    };
    let mut decision = match store::decisions::get(&mut tx, id, decision_id).await {
        Err(StoreError::NotFound) => return Err(ServiceError::NotFound("decision")),
        other => other?,
    };
    match decision.check_review(me, application.version) {
        Ok(()) => {}
        Err(ReviewRefusal::SameReviewer) => {
            drop(tx);
            let refusal = ReviewRefusal::SameReviewer.to_string();
            let event = ctx.event(
                "access.denied",
                AuditSubject::new("decision", decision_id),
                json!({"attempted": "application.decision_review", "rule": "four_eyes"}),
            );
            super::record(services, &event).await?;
            return Err(ServiceError::NotAllowed(refusal));
        }
        Err(ReviewRefusal::Outdated) => {
            store::decisions::close_proposal(
                &mut tx,
                decision_id,
                DecisionState::Invalidated,
                None,
                now,
            )
            .await?;
            let event = ctx
                .event(
                    "application.decision_invalidated",
                    AuditSubject::new("application", id),
                    json!({"decision_id": decision_id, "reason": "changed_after_proposal"}),
                )
                .for_tenant(application.tenant_id);
            store::audit::append(&mut tx, &event);
            tx.commit().await?;
            return Err(ServiceError::Conflict(ReviewRefusal::Outdated.to_string()));
        }
        Err(other) => return Err(ServiceError::Conflict(other.to_string())),
    }
    if application.version != version {
        return Err(ServiceError::Conflict(
            "This application changed since you opened it. Reload it.".into(),
        ));
    }
    let state = match answer {
        Review::Confirm => DecisionState::Confirmed,
        Review::SendBack { .. } => DecisionState::Returned,
    };
    if !store::decisions::close_proposal(&mut tx, decision_id, state, Some(me), now).await? {
        return Err(ServiceError::Conflict(
            "another reviewer answered this proposal first".into(),
        ));
    }
    decision.state = state;
    decision.reviewed_by = Some(me);
    decision.reviewed_at = Some(now);
    let outcome = match answer {
        Review::Confirm => {
            Decided::Applied(apply(&mut tx, ctx, &mut application, &decision, now).await?)
        }
        Review::SendBack { comment } => {
            application.updated_at = now;
            store::applications::update(&mut tx, &mut application).await?;
            let payload = json!({"decision_id": decision_id, "comment": comment});
            let event = ctx
                .event(
                    "application.decision_returned",
                    AuditSubject::new("application", id),
                    payload,
                )
                .for_tenant(application.tenant_id);
            store::audit::append(&mut tx, &event);
            Decided::Returned
        }
    };
    tx.commit().await?;
    Ok(outcome)
}
