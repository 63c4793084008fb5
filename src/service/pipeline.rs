//! The provider pipeline: submitting pending applications, applying what providers answer
//! (at once, by callback, when asked again, or after challenge questions), under the level's policy.
//! Every step commits the status change, checks, audit events, outbox messages and the job's own
//! state in one transaction, so a step interrupted by a crash is redone whole or not at all.

use rand::Rng;
use serde_json::json;

use super::{Ctx, ServiceError, Services, announce};
use crate::domain::application::Application;
use crate::domain::audit::{AuditActor, AuditSubject};
use crate::domain::challenge::{Answer, Challenge, Question};
use crate::domain::check::{Check, CheckKind, CheckStatus};
use crate::domain::decision::Outcome;
use crate::domain::document::in_force;
use crate::domain::ids::{ApplicationId, CheckId};
use crate::domain::job::{Job, JobKind, backoff};
use crate::domain::level::LevelVersion;
use crate::domain::status::{ApplicationStatus, TransitionActor};
use crate::domain::time::Timestamp;
use crate::domain::verdict::Verdict;
use crate::providers::{Assessment, Provider, ProviderError, Reply, Submission};
use crate::store::{self, Conn, Tx};

/// Runs one claimed job.
pub async fn run(services: &Services, job: &Job) -> Result<(), ServiceError> {
    match job.kind {
        JobKind::SubmitApplication => submit(services, job).await,
        JobKind::FetchResult => fetch(services, job).await,
        JobKind::DeliverWebhook => super::webhooks::deliver(services, job).await,
    }
}

/// The job that submits an application; enqueue it in the transaction that makes it pending.
pub(crate) async fn enqueue_submission(
    tx: &mut Tx,
    application: ApplicationId,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let kind = JobKind::SubmitApplication;
    let job = Job::new(kind, application.to_string(), kind.max_attempts(), now);
    store::jobs::insert(tx, &job).await?;
    Ok(())
}

/// When a failed attempt of `job` runs again.
pub(crate) fn retry_at(services: &Services, job: &Job, now: Timestamp) -> Timestamp {
    let worker = &services.settings.worker;
    let jitter = rand::rng().random::<f64>();
    now.plus(backoff(
        job.attempts,
        worker.backoff_base,
        worker.backoff_cap,
        jitter,
    ))
}

/// Queues the job again after a failure, or buries it when it has no attempt left.
pub(crate) async fn fail_job(
    tx: &mut Tx,
    services: &Services,
    job: &Job,
    error: &str,
    retryable: bool,
    now: Timestamp,
) -> Result<(), ServiceError> {
    if retryable && job.attempts_left() {
        store::jobs::reschedule(tx, job.id, retry_at(services, job, now), error, now).await?;
    } else {
        store::jobs::bury(tx, job.id, error, now).await?;
    }
    Ok(())
}

fn worker_ctx() -> Ctx {
    Ctx::system("worker")
}

fn provider_ctx(provider: &str) -> Ctx {
    let mut ctx = Ctx::system("worker");
    ctx.actor = AuditActor::provider(provider);
    ctx
}

fn subject_application(job: &Job) -> Result<ApplicationId, ServiceError> {
    job.subject_id
        .parse()
        .map_err(|_| ServiceError::Internal(format!("job {} has no application id", job.id)))
}

/// What the provider needs: the applicant and the current attempt's documents with their bytes.
async fn submission(
    services: &Services,
    conn: &mut Conn,
    application: Application,
) -> Result<Submission, ServiceError> {
    let applicant = store::applicants::get(conn, application.applicant_id).await?;
    let mut documents = Vec::new();
    let all = store::documents::for_application(conn, application.id).await?;
    for document in in_force(&all, application.attempt) {
        let bytes = services
            .blobs
            .get(&document.blob_hash)
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        documents.push((document.clone(), bytes));
    }
    let callback_url = services.settings.public_url.as_ref().map(|url| {
        format!(
            "{}/api/v1/provider-webhooks/{}",
            url.trim_end_matches('/'),
            application.provider
        )
    });
    Ok(Submission {
        application,
        applicant,
        documents,
        callback_url,
    })
}

fn provider_for(
    services: &Services,
    name: &str,
) -> Result<std::sync::Arc<dyn Provider>, ProviderError> {
    services
        .providers
        .get(name)
        .ok_or_else(|| ProviderError::Refused(format!("no provider named {name:?} is configured")))
}

/// Opens the transaction that applies a provider's answer. When someone changed the application
/// while the provider was being asked (an admin withdrew it, say), the answer no longer applies:
/// the job is finished and `None` returned.
async fn begin_step(
    services: &Services,
    job: &Job,
    seen: &Application,
    now: Timestamp,
) -> Result<Option<(Tx, Application)>, ServiceError> {
    let mut tx = services.store.begin_write().await?;
    if let Some(current) = reload(&mut tx, seen).await? {
        return Ok(Some((tx, current)));
    }
    store::jobs::complete(&mut tx, job.id, now).await?;
    tx.commit().await?;
    Ok(None)
}

/// Reloads the application in the step's transaction; `None` when it changed since `seen`.
async fn reload(tx: &mut Tx, seen: &Application) -> Result<Option<Application>, ServiceError> {
    let current = store::applications::get_any(tx, seen.id).await?;
    Ok((current.version == seen.version).then_some(current))
}

/// Moves the application to `to` as the worker and announces it.
async fn worker_moves(
    tx: &mut Tx,
    application: &mut Application,
    to: ApplicationStatus,
    details: serde_json::Value,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let from = application.status;
    application.transition(to, TransitionActor::Worker, now)?;
    store::applications::update(tx, application).await?;
    announce::status_changed(tx, &worker_ctx(), application, from, details).await
}

async fn submit(services: &Services, job: &Job) -> Result<(), ServiceError> {
    let id = subject_application(job)?;
    let mut conn = services.store.conn().await?;
    let application = store::applications::get_any(&mut conn, id).await?;
    if !matches!(
        application.status,
        ApplicationStatus::Pending | ApplicationStatus::Failed
    ) {
        drop(conn);
        return finish_stale(services, job).await;
    }
    let level =
        store::levels::get_version(&mut conn, application.level_id, application.level_version)
            .await?;
    let submission = submission(services, &mut conn, application.clone()).await?;
    drop(conn);
    let reply = match provider_for(services, &application.provider) {
        Ok(provider) => provider.submit(&submission).await,
        Err(error) => Err(error),
    };
    let now = Timestamp::now();
    let Some((mut tx, mut current)) = begin_step(services, job, &application, now).await? else {
        return Ok(());
    };
    match reply {
        Ok(reply) => {
            if current.status == ApplicationStatus::Failed {
                worker_moves(
                    &mut tx,
                    &mut current,
                    ApplicationStatus::Pending,
                    json!({"retry": job.attempts}),
                    now,
                )
                .await?;
            }
            let details = json!({"provider": current.provider});
            worker_moves(
                &mut tx,
                &mut current,
                ApplicationStatus::Submitted,
                details,
                now,
            )
            .await?;
            match reply {
                Reply::Assessed(assessment) => {
                    apply_assessment(&mut tx, &mut current, &level, assessment, now).await?;
                }
                Reply::Accepted { reference } => {
                    current.provider_reference = Some(reference);
                    store::applications::update(&mut tx, &mut current).await?;
                    let kind = JobKind::FetchResult;
                    let mut poll = Job::new(kind, id.to_string(), kind.max_attempts(), now);
                    poll.run_at = now.plus(services.settings.worker.fetch_interval);
                    store::jobs::insert(&mut tx, &poll).await?;
                }
                Reply::Questions {
                    reference,
                    raw,
                    questions,
                } => {
                    ask_questions(&mut tx, &mut current, reference, raw, questions, now).await?;
                }
            }
            store::jobs::complete(&mut tx, job.id, now).await?;
        }
        Err(error) => {
            let message = error.to_string();
            if current.status == ApplicationStatus::Pending {
                worker_moves(
                    &mut tx,
                    &mut current,
                    ApplicationStatus::Failed,
                    json!({"error": message}),
                    now,
                )
                .await?;
            }
            let event = worker_ctx()
                .event(
                    "provider.submission_failed",
                    AuditSubject::new("application", id),
                    json!({"provider": current.provider, "error": message, "job_attempt": job.attempts, "retryable": error.is_transient()}),
                )
                .for_tenant(current.tenant_id);
            store::audit::append(&mut tx, &event);
            fail_job(&mut tx, services, job, &message, error.is_transient(), now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The job's subject moved on without it: nothing to do.
async fn finish_stale(services: &Services, job: &Job) -> Result<(), ServiceError> {
    let mut tx = services.store.begin_write().await?;
    store::jobs::complete(&mut tx, job.id, Timestamp::now()).await?;
    tx.commit().await?;
    Ok(())
}

async fn ask_questions(
    tx: &mut Tx,
    application: &mut Application,
    reference: Option<String>,
    raw: String,
    questions: Vec<Question>,
    now: Timestamp,
) -> Result<(), ServiceError> {
    if reference.is_some() {
        application.provider_reference = reference.clone();
        store::applications::update(tx, application).await?;
    }
    let check = Check {
        id: CheckId::generate(),
        application_id: application.id,
        document_id: None,
        provider: application.provider.clone(),
        reference,
        kind: CheckKind::Questions,
        status: CheckStatus::Completed,
        result: None,
        score: None,
        findings: Vec::new(),
        raw_payload: raw,
        created_at: now,
    };
    store::checks::insert(tx, &check).await?;
    let keys: Vec<&str> = questions.iter().map(|q| q.key.as_str()).collect();
    let event = provider_ctx(&application.provider)
        .event(
            "challenge.issued",
            AuditSubject::new("application", application.id),
            json!({"questions": keys, "attempt": application.attempt}),
        )
        .for_tenant(application.tenant_id);
    store::audit::append(tx, &event);
    store::challenges::insert(
        tx,
        &Challenge {
            application_id: application.id,
            attempt: application.attempt,
            provider: application.provider.clone(),
            questions,
            answers: None,
            issued_at: now,
            answered_at: None,
        },
    )
    .await?;
    Ok(())
}

/// Stores the assessment's checks and moves the submitted application where the verdict and the
/// level's policy send it: to review, or decided without a human.
pub(crate) async fn apply_assessment(
    tx: &mut Tx,
    application: &mut Application,
    level: &LevelVersion,
    assessment: Assessment,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let ctx = provider_ctx(&application.provider);
    if application.provider_reference.is_none() {
        application.provider_reference = assessment.reference.clone();
    }
    let mut summary = Vec::new();
    for normalized in assessment.checks {
        let check = Check {
            id: CheckId::generate(),
            application_id: application.id,
            document_id: None,
            provider: application.provider.clone(),
            reference: normalized
                .reference
                .or_else(|| assessment.reference.clone()),
            kind: normalized.kind,
            status: CheckStatus::Completed,
            result: Some(normalized.result),
            score: normalized.score,
            findings: normalized.findings,
            raw_payload: assessment.raw.clone(),
            created_at: now,
        };
        application.record_findings(check.worst_severity());
        // One readable line per check: the trail is read by people.
        summary.push(format!(
            "{} {} ({} findings)",
            check.kind,
            normalized.result,
            check.findings.len()
        ));
        store::checks::insert(tx, &check).await?;
    }
    let event = ctx
        .event(
            "check.completed",
            AuditSubject::new("application", application.id),
            json!({"provider": application.provider, "reference": assessment.reference, "verdict": assessment.verdict.as_str(), "checks": summary}),
        )
        .for_tenant(application.tenant_id);
    store::audit::append(tx, &event);
    let to = assessment.verdict.next_status(level.policy.auto_decision);
    let outcome = match to {
        ApplicationStatus::Accepted => Outcome::Accept,
        ApplicationStatus::Rejected => Outcome::Reject,
        ApplicationStatus::Remediate => Outcome::Remediate,
        _ => {
            let from = application.status;
            application.transition(to, TransitionActor::Provider, now)?;
            store::applications::update(tx, application).await?;
            return announce::status_changed(
                tx,
                &ctx,
                application,
                from,
                json!({"verdict": assessment.verdict.as_str()}),
            )
            .await;
        }
    };
    let remediation = if outcome == Outcome::Remediate {
        level
            .requirements
            .iter()
            .filter(|r| r.kind.is_upload())
            .map(|r| r.key.clone())
            .collect()
    } else {
        Vec::new()
    };
    let decision = announce::Decision {
        outcome,
        reasons: verdict_reasons(assessment.verdict),
        remediation,
        message: None,
        details: json!({"decided_by": "provider", "provider": application.provider, "verdict": assessment.verdict.as_str(), "policy": "auto_decision"}),
    };
    announce::decided(
        tx,
        &ctx,
        application,
        TransitionActor::Provider,
        &decision,
        now,
    )
    .await
}

fn verdict_reasons(verdict: Verdict) -> Vec<String> {
    match verdict {
        Verdict::Clear | Verdict::Consider => vec![],
        Verdict::Reject => vec!["provider_rejected".into()],
        Verdict::Remediate => vec!["provider_requested_resubmission".into()],
    }
}

/// Asks the provider again for the result of a case it took (when no callback came).
async fn fetch(services: &Services, job: &Job) -> Result<(), ServiceError> {
    let id = subject_application(job)?;
    let mut conn = services.store.conn().await?;
    let application = store::applications::get_any(&mut conn, id).await?;
    let (ApplicationStatus::Submitted, Some(reference)) =
        (application.status, application.provider_reference.clone())
    else {
        drop(conn);
        return finish_stale(services, job).await;
    };
    let level =
        store::levels::get_version(&mut conn, application.level_id, application.level_version)
            .await?;
    drop(conn);
    let answer = match provider_for(services, &application.provider) {
        Ok(provider) => provider.fetch(&reference).await,
        Err(error) => Err(error),
    };
    let now = Timestamp::now();
    let Some((mut tx, mut current)) = begin_step(services, job, &application, now).await? else {
        return Ok(());
    };
    match answer {
        Ok(Some(assessment)) => {
            apply_assessment(&mut tx, &mut current, &level, assessment, now).await?;
            store::jobs::complete(&mut tx, job.id, now).await?;
        }
        Ok(None) => {
            let next = now.plus(services.settings.worker.fetch_interval);
            if job.attempts_left() {
                store::jobs::reschedule(&mut tx, job.id, next, "result not ready", now).await?;
            } else {
                store::jobs::bury(&mut tx, job.id, "the provider never finished", now).await?;
            }
        }
        Err(error) => {
            fail_job(
                &mut tx,
                services,
                job,
                &error.to_string(),
                error.is_transient(),
                now,
            )
            .await?
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Applies an assessment that arrived by callback to the application the provider knows by
/// `reference`, if it is still waiting for one. Returns the application it applied to.
pub(crate) async fn apply_callback(
    tx: &mut Tx,
    provider: &str,
    reference: &str,
    assessment: Assessment,
) -> Result<Option<ApplicationId>, ServiceError> {
    let Some(mut application) =
        store::applications::find_by_reference(tx, provider, reference).await?
    else {
        return Ok(None);
    };
    if application.status != ApplicationStatus::Submitted {
        return Ok(None);
    }
    let level =
        store::levels::get_version(tx, application.level_id, application.level_version).await?;
    apply_assessment(tx, &mut application, &level, assessment, Timestamp::now()).await?;
    Ok(Some(application.id))
}

/// The tenant answers the challenge questions of the current attempt; the provider judges them.
pub async fn answer_questions(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    answers: Vec<Answer>,
) -> Result<(), ServiceError> {
    let mut conn = services.store.conn().await?;
    let application = super::intake::load(&mut conn, ctx, id).await?;
    let challenge = match store::challenges::get(&mut conn, id, application.attempt).await? {
        Some(challenge) if application.status == ApplicationStatus::Submitted => challenge,
        _ => {
            return Err(ServiceError::Conflict(
                "no challenge questions are waiting for answers".into(),
            ));
        }
    };
    challenge.check_answers(&answers)?;
    let level =
        store::levels::get_version(&mut conn, application.level_id, application.level_version)
            .await?;
    let submission = submission(services, &mut conn, application.clone()).await?;
    drop(conn);
    let provider = provider_for(services, &challenge.provider)
        .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
    let assessment = provider
        .judge_answers(&submission, &challenge.questions, &answers)
        .await
        .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
    let now = Timestamp::now();
    let mut tx = services.store.begin_write().await?;
    let Some(mut current) = reload(&mut tx, &application).await? else {
        return Err(ServiceError::Stale);
    };
    store::challenges::answer(&mut tx, id, current.attempt, &answers, now).await?;
    let keys: Vec<&str> = answers.iter().map(|a| a.key.as_str()).collect();
    let event = ctx
        .event(
            "challenge.answered",
            AuditSubject::new("application", id),
            json!({"questions": keys, "attempt": current.attempt}),
        )
        .for_tenant(current.tenant_id);
    store::audit::append(&mut tx, &event);
    apply_assessment(&mut tx, &mut current, &level, assessment, now).await?;
    tx.commit().await?;
    Ok(())
}
