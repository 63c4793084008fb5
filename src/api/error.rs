//! The API's one error type and its JSON body (docs/ARCHITECTURE.md, Edges):
//! `{"error": {"code", "message", "details": [{"field", "code", "message"}]}}`. Messages are English;
//! `localize` rewrites them in French for `Accept-Language: fr`. 5xx are logged and answered generically.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::i18n;
use crate::service::{FieldError, ServiceError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Detail {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<Detail>,
    /// Seconds, for 429 answers (`Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid API key is required: Authorization: Bearer <key>",
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            message: "the request is not valid".into(),
            details: vec![Detail {
                field: field.into(),
                code: code.into(),
                message,
            }],
            retry_after: None,
        }
    }
}

fn details(fields: &[FieldError]) -> Vec<Detail> {
    fields
        .iter()
        .map(|f| Detail {
            field: f.field.clone(),
            code: f.code.into(),
            message: f.message.clone(),
        })
        .collect()
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        use ServiceError as S;
        match error {
            S::Invalid(invalid) => ApiError::invalid("", invalid.code, invalid.message),
            S::InvalidFields(fields)
                if fields.iter().all(|f| f.code == "unsupported_file_type") =>
            {
                ApiError {
                    details: details(&fields),
                    ..ApiError::new(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "unsupported_file_type",
                        "only JPEG, PNG, WebP, PDF, BMP and TIFF files are accepted",
                    )
                }
            }
            S::InvalidFields(fields) => ApiError {
                details: details(&fields),
                ..ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    "the request is not valid",
                )
            },
            S::Incomplete(missing) => ApiError {
                details: missing
                    .iter()
                    .map(|key| Detail {
                        field: key.clone(),
                        code: "missing".into(),
                        message: "required and not yet provided".into(),
                    })
                    .collect(),
                ..ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "missing_requirements",
                    "required answers or documents are missing",
                )
            },
            S::NotFound(what) => ApiError::not_found(what),
            S::Unavailable(message) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
            }
            S::Contention(cause) => {
                tracing::error!(%cause, "API request gave up on database contention");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", error.to_string())
            }
            S::Duplicate(message) => ApiError::new(StatusCode::CONFLICT, "duplicate", message),
            S::Stale => ApiError::new(
                StatusCode::CONFLICT,
                "stale",
                "changed by someone else since it was read; read it again",
            ),
            S::Transition(refusal) => ApiError::new(
                StatusCode::CONFLICT,
                "invalid_transition",
                refusal.to_string(),
            ),
            S::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            S::Forbidden(_) | S::NotAllowed(_) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", error.to_string())
            }
            S::Internal(_) | S::Store(_) => {
                tracing::error!(%error, "API request failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "something went wrong on our side",
                )
            }
        }
    }
}

/// Every error answer: `{"error": {"code", "message", "details"}}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    error: ErrorInner,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorInner {
    /// Stable machine code (`not_found`, `validation_failed`, `invalid_transition`, ...).
    code: String,
    message: String,
    details: Vec<Detail>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorInner {
                code: self.code.to_owned(),
                message: self.message.clone(),
                details: self.details.clone(),
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// Rewrites error bodies in French when the client asks for it (seed 004); English otherwise.
pub async fn localize(request: Request, next: Next) -> Response {
    let french = i18n::wants_french(request.headers());
    let response = next.run(request).await;
    if !french {
        return response;
    }
    let Some(error) = response.extensions().get::<ApiError>().cloned() else {
        return response;
    };
    let translated = ApiError {
        message: i18n::french(error.code).map_or(error.message.clone(), str::to_owned),
        details: error
            .details
            .iter()
            .map(|d| Detail {
                message: i18n::french(&d.code).map_or(d.message.clone(), str::to_owned),
                ..d.clone()
            })
            .collect(),
        ..error
    };
    let mut out = translated.into_response();
    out.headers_mut()
        .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("fr"));
    out
}

/// A documented error answer: the `ErrorBody` envelope, as JSON.
fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}

fn error_responses(
    list: &[(&str, &str)],
) -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::Response>> {
    list.iter()
        .map(|(status, description)| ((*status).to_owned(), error_response(description)))
        .collect()
}

/// The refusals of the API key check (`auth::require_api_key`), common to every tenant operation.
/// Listed first in `responses(...)`, so an operation's own description of a status wins.
pub struct KeyRefusals;

impl utoipa::IntoResponses for KeyRefusals {
    fn responses()
    -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::Response>> {
        error_responses(&[
            ("401", "unauthorized: no valid API key"),
            (
                "429",
                "rate_limited: too many requests for this key, or too many refused keys from this address; see Retry-After",
            ),
        ])
    }
}

/// The refusals of the `Idempotency-Key` handling (`idempotency::idempotent`), around every POST.
pub struct IdempotencyRefusals;

impl utoipa::IntoResponses for IdempotencyRefusals {
    fn responses()
    -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::Response>> {
        error_responses(&[
            (
                "409",
                "idempotency_key_in_flight: a request with this Idempotency-Key is still being processed \
                 (a retry after the request timeout runs it again); idempotency_key_answer_lost: that \
                 request was applied but its answer was lost, read the resource instead",
            ),
            ("413", "payload_too_large: the request body is too large"),
            (
                "503",
                "request_timeout: the request ran past the request timeout; retry it with the same Idempotency-Key",
            ),
            (
                "422",
                "invalid_idempotency_key, or idempotency_key_reused for a different request",
            ),
        ])
    }
}

/// The refusals of a JSON body (`json::ApiJson`) and of the body size limit.
pub struct JsonBodyRefusals;

impl utoipa::IntoResponses for JsonBodyRefusals {
    fn responses()
    -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::Response>> {
        error_responses(&[
            ("400", "invalid_json: the body is not well-formed JSON"),
            ("413", "payload_too_large: the request body is too large"),
            (
                "503",
                "request_timeout: the request ran past the request timeout; retry it with the same Idempotency-Key",
            ),
            (
                "415",
                "unsupported_media_type: the body is not application/json",
            ),
            (
                "422",
                "validation_failed: the body has the wrong shape or invalid values (details name the fields)",
            ),
        ])
    }
}
