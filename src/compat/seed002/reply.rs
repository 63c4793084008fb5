//! The dialect's answers: the user's standing in the seed's status vocabulary, and refusals as
//! `{"code", "message"}` (the seed prints neither, so both are kept compact).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::api::error::ApiError;
use crate::domain::application::{Application, SdkReferences};
use crate::domain::ids::ApplicantId;
use crate::domain::kyc_status::{Attempts, KycStatus};
use crate::domain::level::LevelVersion;

/// A refusal: the API error's code, and its message with every field's reason folded in.
pub fn refusal(error: ApiError) -> Response {
    let mut message = error.message;
    let reasons: Vec<String> = error
        .details
        .iter()
        .map(|d| {
            if d.field.is_empty() {
                d.message.clone()
            } else {
                format!("{}: {}", d.field, d.message)
            }
        })
        .collect();
    if !reasons.is_empty() {
        message = format!("{message}: {}", reasons.join("; "));
    }
    let mut response = (
        error.status,
        Json(json!({"code": error.code, "message": message})),
    )
        .into_response();
    if let Some(seconds) = error.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// A 401 with the reason; the seed's clients authenticate with three headers, so saying which one
/// failed saves a support call without revealing anything about the others.
pub fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

/// `getUserInfo`'s answer; `registerUser` adds the references it recorded.
pub fn user_info(
    applicant: ApplicantId,
    status: KycStatus,
    latest: Option<(&Application, &LevelVersion)>,
) -> Value {
    let attempts = latest.map(|(a, _)| Attempts::of(a.status, a.attempt, a.max_attempts));
    json!({
        "userId": applicant,
        "status": status.as_str(),
        "applicationId": latest.map(|(a, _)| a.id),
        "level": latest.map(|(_, l)| json!({"id": l.level_id, "name": l.name, "tier": l.tier})),
        "attempts": attempts.map_or(0, |a| a.used),
        "maxAttempts": attempts.map(|a| a.max),
        "attemptsLeft": attempts.map(|a| a.left),
    })
}

pub fn registered(
    applicant: ApplicantId,
    application: &Application,
    level: &LevelVersion,
    references: &SdkReferences,
) -> Value {
    let mut body = user_info(
        applicant,
        KycStatus::derive(Some(application.status)),
        Some((application, level)),
    );
    body["accountId"] = json!(references.account_id.as_str());
    body["workflowId"] = json!(references.workflow_id.as_str());
    body
}

/// Tokens are answered once and must not sit in caches.
pub fn token(token: String, expires_at: String) -> Response {
    let mut response = Json(json!({"token": token, "expiresAt": expires_at})).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
