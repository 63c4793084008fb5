//! The job table: enqueue in the caller's transaction, claim atomically, finish, retry, bury, revive.

use super::db::{Row, query, query_scalar};
use super::rows::{parsed, timestamp};
use super::{Backend, Conn, StoreError};
use crate::domain::ids::JobId;
use crate::domain::job::{Job, JobKind, JobState};
use crate::domain::time::Timestamp;

const COLUMNS: &str = "id, kind, subject_id, state, attempts, max_attempts, run_at, last_error, created_at, updated_at";

fn from_row(row: &Row) -> Result<Job, StoreError> {
    Ok(Job {
        id: parsed(row, "id")?,
        kind: parsed(row, "kind")?,
        subject_id: row.try_get("subject_id")?,
        state: parsed(row, "state")?,
        attempts: row.try_get("attempts")?,
        max_attempts: row.try_get("max_attempts")?,
        run_at: timestamp(row, "run_at")?,
        last_error: row.try_get("last_error")?,
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
    })
}

pub async fn insert(conn: &mut Conn, job: &Job) -> Result<(), StoreError> {
    query(
        "INSERT INTO jobs (id, kind, subject_id, state, attempts, max_attempts, run_at, locked_until, last_error, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $10)",
    )
    .bind(job.id.to_string())
    .bind(job.kind.as_str())
    .bind(&job.subject_id)
    .bind(job.state.as_str())
    .bind(job.attempts)
    .bind(job.max_attempts)
    .bind(job.run_at.canonical())
    .bind(job.last_error.clone())
    .bind(job.created_at.canonical())
    .bind(job.updated_at.canonical())
    .execute(conn)
    .await?;
    Ok(())
}

/// Claims the job that has been due longest: a queued job whose time has come, or a running job
/// whose lease ran out (its worker died). The claim counts as an attempt and takes a lease until
/// `lease_until`. On PostgreSQL the candidate row is locked with SKIP LOCKED so concurrent workers
/// take different jobs; on SQLite the statement holds the write lock.
pub async fn claim(
    conn: &mut Conn,
    backend: Backend,
    now: Timestamp,
    lease_until: Timestamp,
) -> Result<Option<Job>, StoreError> {
    let lock = match backend {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let row = query(&format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $2, updated_at = $1
         WHERE id = (SELECT id FROM jobs
                     WHERE (state = 'queued' AND run_at <= $1) OR (state = 'running' AND locked_until < $1)
                     ORDER BY run_at, id LIMIT 1 {lock})
         RETURNING {COLUMNS}"
    ))
    .bind(now.canonical())
    .bind(lease_until.canonical())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

async fn set_state(
    conn: &mut Conn,
    id: JobId,
    state: JobState,
    run_at: Option<Timestamp>,
    error: Option<&str>,
    now: Timestamp,
) -> Result<(), StoreError> {
    query(
        "UPDATE jobs SET state = $2, run_at = COALESCE($3, run_at), last_error = COALESCE($4, last_error),
                         locked_until = NULL, updated_at = $5
         WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(state.as_str())
    .bind(run_at.map(|t| t.canonical()))
    .bind(error)
    .bind(now.canonical())
    .execute(conn)
    .await?;
    Ok(())
}

/// The job's work is done; commit this with the work's own writes so it happens once.
pub async fn complete(conn: &mut Conn, id: JobId, now: Timestamp) -> Result<(), StoreError> {
    set_state(conn, id, JobState::Done, None, None, now).await
}

/// Queues the job again for `run_at`, remembering why this attempt failed.
pub async fn reschedule(
    conn: &mut Conn,
    id: JobId,
    run_at: Timestamp,
    error: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    set_state(conn, id, JobState::Queued, Some(run_at), Some(error), now).await
}

/// Out of attempts: the job waits for an admin.
pub async fn bury(
    conn: &mut Conn,
    id: JobId,
    error: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    set_state(conn, id, JobState::Dead, None, Some(error), now).await
}

/// An admin's retry of a dead job: a fresh set of attempts, due now.
pub async fn revive(conn: &mut Conn, id: JobId, now: Timestamp) -> Result<bool, StoreError> {
    let done = query(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, locked_until = NULL, updated_at = $2
         WHERE id = $1 AND state = 'dead'",
    )
    .bind(id.to_string())
    .bind(now.canonical())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get(conn: &mut Conn, id: JobId) -> Result<Job, StoreError> {
    let row = query(&format!("SELECT {COLUMNS} FROM jobs WHERE id = $1"))
        .bind(id.to_string())
        .fetch_one(conn)
        .await?;
    from_row(&row)
}

/// The jobs working on one subject (application or outbox message), newest first.
pub async fn for_subject(conn: &mut Conn, subject_id: &str) -> Result<Vec<Job>, StoreError> {
    let rows = query(&format!(
        "SELECT {COLUMNS} FROM jobs WHERE subject_id = $1 ORDER BY created_at DESC, id DESC"
    ))
    .bind(subject_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Jobs in one state, most recently changed first.
pub async fn in_state(
    conn: &mut Conn,
    state: JobState,
    limit: i64,
) -> Result<Vec<Job>, StoreError> {
    let rows = query(&format!(
        "SELECT {COLUMNS} FROM jobs WHERE state = $1 ORDER BY updated_at DESC, id DESC LIMIT $2"
    ))
    .bind(state.as_str())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// How many jobs are in each state, for the admin overview.
pub async fn count_by_state(conn: &mut Conn) -> Result<Vec<(JobState, i64)>, StoreError> {
    let rows = query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| Ok((parsed(row, "state")?, row.try_get("n")?)))
        .collect()
}

/// Whether a job of this kind is already queued or running for the subject (no double submission).
pub async fn pending_for(
    conn: &mut Conn,
    kind: JobKind,
    subject_id: &str,
) -> Result<bool, StoreError> {
    let n: i64 = query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND subject_id = $2 AND state IN ('queued', 'running')",
    )
    .bind(kind.as_str())
    .bind(subject_id)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}
