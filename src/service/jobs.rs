//! Running jobs (for the worker) and looking after them (for admins).

use serde_json::json;

use super::{Ctx, ServiceError, Services};
use crate::domain::audit::AuditSubject;
use crate::domain::ids::JobId;
use crate::domain::job::{Job, JobState};
use crate::domain::permission::Permission;
use crate::domain::time::Timestamp;
use crate::store::{self, StoreError};

/// Claims and runs the next due job. Returns whether there was one.
pub async fn run_next(services: &Services) -> Result<bool, ServiceError> {
    let now = Timestamp::now();
    let lease_until = now.plus(services.settings.worker.lease);
    let mut conn = services.store.write_conn().await?;
    let claimed = store::jobs::claim(&mut conn, services.store.backend(), now, lease_until).await?;
    drop(conn);
    let Some(job) = claimed else {
        return Ok(false);
    };
    let ran = super::retry::on_contention(services, job.kind.as_str(), || {
        super::pipeline::run(services, &job)
    })
    .await;
    if let Err(error) = ran {
        // The step's own transaction rolled back; only the job's bookkeeping is written here.
        tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, %error, "job failed");
        let now = Timestamp::now();
        let mut tx = services.store.begin_write().await?;
        super::pipeline::fail_job(&mut tx, services, &job, &error.to_string(), true, now).await?;
        tx.commit().await?;
    }
    Ok(true)
}

/// What admins see of the jobs: how many in each state, and the dead and recent ones.
pub struct JobsOverview {
    pub counts: Vec<(JobState, i64)>,
    pub dead: Vec<Job>,
    pub queued: Vec<Job>,
}

pub async fn overview(services: &Services, ctx: &Ctx) -> Result<JobsOverview, ServiceError> {
    ctx.require(services, Permission::Administer, "job.list")
        .await?;
    let mut conn = services.store.conn().await?;
    Ok(JobsOverview {
        counts: store::jobs::count_by_state(&mut conn).await?,
        dead: store::jobs::in_state(&mut conn, JobState::Dead, 100).await?,
        queued: store::jobs::in_state(&mut conn, JobState::Queued, 50).await?,
    })
}

/// An admin's retry of a dead job: a fresh set of attempts, due now.
pub async fn retry(services: &Services, ctx: &Ctx, id: JobId) -> Result<(), ServiceError> {
    ctx.require(services, Permission::Administer, "job.retry")
        .await?;
    let now = Timestamp::now();
    let mut tx = services.store.begin_write().await?;
    let job = match store::jobs::get(&mut tx, id).await {
        Err(StoreError::NotFound) => return Err(ServiceError::NotFound("job")),
        other => other?,
    };
    if !store::jobs::revive(&mut tx, id, now).await? {
        return Err(ServiceError::Conflict(format!(
            "only dead jobs can be retried; this one is {}",
            job.state
        )));
    }
    let event = ctx.event(
        "job.retried",
        AuditSubject::new("job", id),
        json!({"kind": job.kind.as_str(), "subject": job.subject_id, "attempts_before": job.attempts, "last_error": job.last_error}),
    );
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(())
}
