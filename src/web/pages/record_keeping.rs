//! Record keeping on the case page: the retention status, legal holds (admins), the case file
//! download (auditors); and the retention period setting (admins).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum_htmx::HxRequest;
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::ids::{ApplicantId, ApplicationId};
use crate::domain::permission::Permission;
use crate::domain::retention::Retention;
use crate::service;
use crate::web::auth::{Staff, redirect_to};
use crate::web::error::WebError;
use crate::web::format;

/// What the case page shows under "Record keeping".
pub struct RecordKeeping {
    pub retention: String,
    pub held: bool,
    pub can_hold: bool,
    pub can_export: bool,
}

pub async fn record_keeping(
    state: &AppState,
    staff: &Staff,
    applicant: ApplicantId,
) -> Result<RecordKeeping, WebError> {
    let period = service::retention::period(&state.services).await?;
    let status = service::retention::of_applicant(&state.services, applicant).await?;
    let (retention, held) = match status {
        Retention::Held { reason } => (
            format!("Legal hold: {reason}. Kept whatever the retention period says."),
            true,
        ),
        Retention::Open => (
            format!(
                "The relationship is open; records are kept until {} years after it ends.",
                period.as_years()
            ),
            false,
        ),
        Retention::Until(until) => (
            format!(
                "Kept until {} ({} years after the last final decision).",
                format::when(until),
                period.as_years()
            ),
            false,
        ),
    };
    Ok(RecordKeeping {
        retention,
        held,
        can_hold: staff.ctx.can(Permission::Administer),
        can_export: staff.ctx.can(Permission::Audit),
    })
}

fn application_id(raw: &str) -> Result<ApplicationId, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

#[derive(Deserialize)]
pub struct HoldForm {
    /// `place` (with a reason) or `lift`.
    action: String,
    #[serde(default)]
    reason: String,
}

pub async fn legal_hold(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
    Form(form): Form<HoldForm>,
) -> Result<Response, WebError> {
    let id = application_id(&id)?;
    let reason = match form.action.as_str() {
        "place" => Some(form.reason.as_str()),
        "lift" => None,
        _ => return Err(WebError::BadRequest("unknown action".into())),
    };
    service::retention::set_hold(&state.services, &staff.ctx, id, reason).await?;
    Ok(redirect_to(
        &format!("/applications/{id}#record-keeping"),
        is_htmx,
    ))
}

pub async fn case_file(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let export =
        service::case_export::build(&state.services, &staff.ctx, application_id(&id)?).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", export.file_name),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        export.bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct PeriodForm {
    years: String,
}

pub async fn retention_period(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Form(form): Form<PeriodForm>,
) -> Result<Response, WebError> {
    let years =
        form.years.trim().parse().map_err(|_| {
            WebError::BadRequest("the retention period is a number of years".into())
        })?;
    service::retention::set_period(&state.services, &staff.ctx, years).await?;
    Ok(redirect_to("/admin/levels#record-keeping", is_htmx))
}
