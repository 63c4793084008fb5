//! Seed 001 speaks Django REST framework: refusals are `{"detail": "..."}`, and invalid input is a
//! 400 with the messages per field, `{"<field>": ["message", ...]}` (`non_field_errors` for the
//! request as a whole). Callers authenticate with the tenant API key (`Authorization: Bearer`).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::api::auth::tenant_ctx;
use crate::api::error::ApiError;
use crate::app::AppState;
use crate::service::{Ctx, ServiceError};

/// A refusal, answered in DRF's form.
#[derive(Debug)]
pub struct Drf(pub ApiError);

impl From<ApiError> for Drf {
    fn from(error: ApiError) -> Self {
        Drf(error)
    }
}

impl From<ServiceError> for Drf {
    fn from(error: ServiceError) -> Self {
        Drf(ApiError::from(error))
    }
}

impl Drf {
    /// DRF's answer to a missing or malformed field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Drf(ApiError::invalid(field, "invalid", message))
    }

    pub fn not_found(what: &str) -> Self {
        Drf(ApiError::not_found(what))
    }
}

impl IntoResponse for Drf {
    fn into_response(self) -> Response {
        let error = self.0;
        let invalid_input = matches!(
            error.status,
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY
        );
        let mut response = if invalid_input && !error.details.is_empty() {
            let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for detail in &error.details {
                let field = if detail.field.is_empty() {
                    "non_field_errors".to_owned()
                } else {
                    detail.field.clone()
                };
                fields
                    .entry(field)
                    .or_default()
                    .push(detail.message.clone());
            }
            (StatusCode::BAD_REQUEST, Json(json!(fields))).into_response()
        } else {
            let status = if invalid_input {
                StatusCode::BAD_REQUEST
            } else {
                error.status
            };
            (status, Json(json!({"detail": error.message}))).into_response()
        };
        if let Some(seconds) = error.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if error.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The tenant calling with its API key.
pub struct Caller(pub Ctx);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Drf;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Drf> {
        Ok(Caller(tenant_ctx(state, parts).await?))
    }
}

/// Any other path under `/v1`.
pub async fn unknown_route() -> Drf {
    Drf::not_found("page")
}
