//! Who calls: a tenant by its `api-key` header, confirmed by its `tenantName`, on behalf of the one
//! applicant its `Authorization: Bearer` token is bound to (issued by the native
//! `POST /api/v1/applicants/{id}/access-token` or by `getToken`).

use axum::http::HeaderMap;
use axum::http::request::Parts;

use super::reply::unauthorized;
use crate::api::auth::{bearer, key_ctx};
use crate::api::error::ApiError;
use crate::app::AppState;
use crate::domain::applicant::Applicant;
use crate::service::{self, Ctx};

pub struct Caller {
    pub ctx: Ctx,
    pub applicant: Applicant,
}

/// A header's value as text, if present and printable.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

pub async fn authenticate(state: &AppState, parts: &Parts) -> Result<Caller, ApiError> {
    let key = header(&parts.headers, "api-key")
        .ok_or_else(|| unauthorized("the api-key header is required"))?;
    let (ctx, tenant) = key_ctx(state, parts, key).await.map_err(|error| {
        if error.status == axum::http::StatusCode::UNAUTHORIZED {
            unauthorized("the api-key is not a valid API key")
        } else {
            error
        }
    })?;
    let named = header(&parts.headers, "tenantname")
        .ok_or_else(|| unauthorized("the tenantName header is required"))?;
    // Names are typed by people into app configurations: case is not what tells tenants apart.
    if named.to_lowercase() != tenant.name.trim().to_lowercase() {
        return Err(unauthorized(
            "tenantName does not name the tenant of the api-key",
        ));
    }
    let token = bearer(&parts.headers).ok_or_else(|| {
        unauthorized("an applicant token is required: Authorization: Bearer <token>")
    })?;
    let applicant = service::applicants::resolve_access_token(&state.services, &ctx, token)
        .await?
        .ok_or_else(|| unauthorized("the applicant token is unknown or expired"))?;
    Ok(Caller { ctx, applicant })
}
