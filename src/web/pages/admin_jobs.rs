//! Admins look after the background jobs: how many are in each state, the dead ones (with a retry)
//! and the queued ones. Retrying swaps the `JobsMain` partial; without htmx the whole page renders.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;
use axum_htmx::HxRequest;

use crate::app::AppState;
use crate::domain::ids::JobId;
use crate::domain::job::{Job, JobKind, JobState};
use crate::service;
use crate::web::auth::Staff;
use crate::web::error::WebError;
use crate::web::format;
use crate::web::layout::{Layout, partial_or_page};

pub struct StateCount {
    state: &'static str,
    count: i64,
}

pub struct JobRow {
    id: JobId,
    kind: &'static str,
    subject: String,
    /// The case page, when the job works on an application.
    subject_href: Option<String>,
    attempts: i64,
    max_attempts: i64,
    last_error: Option<String>,
    updated: String,
    due: String,
}

#[derive(Template)]
#[template(path = "admin/_jobs_main.html")]
pub struct JobsMain {
    counts: Vec<StateCount>,
    dead: Vec<JobRow>,
    queued: Vec<JobRow>,
    notice: Option<String>,
    csrf: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/jobs.html")]
pub struct JobsPage {
    layout: Layout,
    main: JobsMain,
}

/// Either the partial (htmx) or the page around it.
fn respond(staff: &Staff, is_htmx: bool, main: JobsMain) -> Result<Response, WebError> {
    partial_or_page(is_htmx, main, |main| JobsPage {
        layout: Layout::for_staff(staff, "Jobs"),
        main,
    })
}

fn job_row(job: Job) -> JobRow {
    let subject_href = match job.kind {
        JobKind::SubmitApplication | JobKind::FetchResult => {
            Some(format!("/applications/{}", job.subject_id))
        }
        JobKind::DeliverWebhook => None,
    };
    JobRow {
        id: job.id,
        kind: job.kind.as_str(),
        subject: job.subject_id,
        subject_href,
        attempts: job.attempts,
        max_attempts: job.max_attempts,
        last_error: job.last_error,
        updated: format::when(job.updated_at),
        due: format::when(job.run_at),
    }
}

async fn main_view(
    state: &AppState,
    staff: &Staff,
    notice: Option<String>,
) -> Result<JobsMain, WebError> {
    let overview = service::jobs::overview(&state.services, &staff.ctx).await?;
    // Every state, in a fixed order, zero when there are none.
    let counts = JobState::ALL
        .iter()
        .map(|state| StateCount {
            state: state.as_str(),
            count: overview
                .counts
                .iter()
                .find(|(s, _)| s == state)
                .map_or(0, |(_, n)| *n),
        })
        .collect();
    Ok(JobsMain {
        counts,
        dead: overview.dead.into_iter().map(job_row).collect(),
        queued: overview.queued.into_iter().map(job_row).collect(),
        notice,
        csrf: staff.csrf.clone(),
    })
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
) -> Result<Response, WebError> {
    let main = main_view(&state, &staff, None).await?;
    respond(&staff, is_htmx, main)
}

pub async fn retry(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: JobId = id.parse().map_err(|_| WebError::NotFound)?;
    service::jobs::retry(&state.services, &staff.ctx, id).await?;
    let main = main_view(&state, &staff, Some("Job queued again.".to_owned())).await?;
    respond(&staff, is_htmx, main)
}
