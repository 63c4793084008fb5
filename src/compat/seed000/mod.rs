//! Seed 000 (Qolo "Perform KYC"): `POST /api/v1/persons/{person_guid}/kyc`, authenticated with the
//! tenant API key (`SecurityBearer`). One call may open or reuse the person's application on a level
//! (`program_guid`), fill government ids (`identifications`), upload a document, record the tenant's
//! own verification (`client_verification`), answer challenge questions (`answers`), send the
//! application off (`perform_kyc`) and keep a note (`notes`); it answers where the person stands.
//!
//! Mapping: `person_guid` is the applicant id, `program_guid` the level id. Each action is one
//! service call that commits on its own, in the order above with the note last; a refusal stops the
//! call there. Errors are the native `{"error": {code, message, details}}` body with the seed's
//! statuses: 401, 404 (the person), 429 (the rate), 400 for every other refusal (the native code
//! is kept).

mod request;
mod response;

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::api::auth::tenant_ctx;
use crate::api::error::ApiError;
use crate::app::AppState;
use crate::domain::ids::ApplicantId;
use crate::service::intake::ApplicationView;
use crate::service::{self, Ctx, ServiceError};
use request::{KycCall, KycRequest, bad_request};

/// A refusal with the seed's statuses: it documents 400, 401 and 404 only.
fn refusal(error: ApiError) -> Response {
    let documented = [
        StatusCode::UNAUTHORIZED,
        StatusCode::NOT_FOUND,
        StatusCode::TOO_MANY_REQUESTS,
    ];
    let status = if error.status.is_client_error() && !documented.contains(&error.status) {
        StatusCode::BAD_REQUEST
    } else {
        error.status
    };
    ApiError { status, ..error }.into_response()
}

fn person_not_found() -> ApiError {
    ApiError::not_found("Person")
}

/// A service refusal in the seed's terms: an unknown level is a bad `program_guid`, not a 404.
fn from_service(error: ServiceError) -> ApiError {
    match error {
        ServiceError::NotFound("applicant") => person_not_found(),
        ServiceError::NotFound("level") => bad_request(
            "program_guid",
            "unknown_level",
            "no active KYC level has this id",
        ),
        other => ApiError::from(other),
    }
}

/// Runs the call's actions on the person's application; `None` when the person has none and the
/// call only asked where they stand.
async fn run(
    state: &AppState,
    ctx: &Ctx,
    person: ApplicantId,
    call: KycCall,
) -> Result<Option<ApplicationView>, ServiceError> {
    let services = &state.services;
    let current = match call.level {
        Some(level) => Some(service::intake::open_on_level(services, ctx, person, level).await?),
        None => service::intake::latest_for_applicant(services, ctx, person).await?,
    };
    let Some(current) = current else {
        if call.acts() {
            return Err(ServiceError::InvalidFields(vec![service::FieldError {
                field: "program_guid".into(),
                code: "required",
                message: "the person has no verification yet: name the level in program_guid"
                    .into(),
            }]));
        }
        return Ok(None);
    };
    let id = current.application.id;
    if !call.government_ids.is_empty() {
        service::intake::record_government_ids(services, ctx, id, &call.government_ids).await?;
    }
    if !call.uploads.is_empty() {
        service::documents::upload(services, ctx, id, call.uploads).await?;
    }
    if let Some(client) = call.client_verification {
        let mut assertion = client.assertion;
        if !client.uploads.is_empty() {
            let documents = service::documents::upload(services, ctx, id, client.uploads).await?;
            let ids: Vec<String> = documents.iter().map(|d| d.id.to_string()).collect();
            if let Some(fields) = assertion.as_object_mut() {
                fields.insert("document_ids".into(), ids.into());
            }
        }
        service::intake::client_verification(services, ctx, id, assertion).await?;
    }
    if !call.answers.is_empty() {
        service::pipeline::answer_questions(services, ctx, id, call.answers).await?;
    }
    if call.perform {
        service::intake::ensure_sent_to_review(services, ctx, id).await?;
    }
    if let Some(note) = &call.notes {
        service::intake::record_tenant_note(services, ctx, id, note).await?;
    }
    Ok(Some(service::intake::get(services, ctx, id).await?))
}

/// The body limit: six files (a document's front and back and selfie, and the same for the client
/// verification's document) at the configured size in base64, plus room for the JSON around them.
fn body_limit(max_upload_bytes: usize) -> usize {
    max_upload_bytes
        .div_ceil(3)
        .saturating_mul(4)
        .saturating_mul(6)
        + 64 * 1024
}

pub async fn perform_kyc(
    State(state): State<AppState>,
    Path(person): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let max_file = state.config.max_upload_bytes;
    // Who calls and about whom is settled before the body is read, so that a refused call costs
    // no memory; its body is drained, not kept (answering mid-upload would break the client's pipe).
    let known = async {
        let ctx = tenant_ctx(&state, &parts).await?;
        let person = person
            .parse::<ApplicantId>()
            .map_err(|_| person_not_found())?;
        service::applicants::get(&state.services, &ctx, person)
            .await
            .map_err(from_service)?;
        Ok::<_, ApiError>((ctx, person))
    };
    let (ctx, person) = match known.await {
        Ok(known) => known,
        Err(error) => {
            crate::compat::drain(body, body_limit(max_file)).await;
            return refusal(error);
        }
    };
    let Ok(bytes) = axum::body::to_bytes(body, body_limit(max_file)).await else {
        return refusal(ApiError::new(
            StatusCode::BAD_REQUEST,
            "payload_too_large",
            "the request body is too large",
        ));
    };
    let request: KycRequest = match serde_json::from_slice(&bytes) {
        Ok(request) => request,
        Err(error) => {
            return refusal(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("the body is not a valid KYC request: {error}"),
            ));
        }
    };
    let call = match request.parse(max_file) {
        Ok(call) => call,
        Err(error) => return refusal(error),
    };
    // The files are decoded; the JSON they came in is no longer needed.
    drop(bytes);
    match run(&state, &ctx, person, call).await {
        Ok(view) => Json(response::details(person, view.as_ref())).into_response(),
        Err(error) => refusal(from_service(error)),
    }
}
