//! Bearer API keys: every `/api/v1` request (but the OpenAPI document) carries one.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

use super::error::ApiError;
use crate::app::AppState;
use crate::service::{self, Ctx};

/// The acting tenant of this request.
#[derive(Debug, Clone)]
pub struct Tenant(pub Ctx);

impl<S: Send + Sync> FromRequestParts<S> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Tenant>()
            .cloned()
            .ok_or_else(ApiError::unauthorized)
    }
}

/// The token of `Authorization: Bearer <token>`, whatever it stands for (a key, an applicant token).
pub(crate) fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The tenant calling with a valid, unrevoked key, within its rate. Shared with the compat
/// dialects, which answer the same refusals in their own envelopes.
pub async fn tenant_ctx(state: &AppState, parts: &Parts) -> Result<Ctx, ApiError> {
    let secret = bearer(&parts.headers).ok_or_else(ApiError::unauthorized)?;
    key_ctx(state, parts, secret).await.map(|(ctx, _)| ctx)
}

/// The tenant behind an API key secret wherever the request carries it (seed 002 sends it in an
/// `api-key` header), within the key's rate; the tenant record comes along for dialects that check
/// more of it.
pub async fn key_ctx(
    state: &AppState,
    parts: &Parts,
    secret: &str,
) -> Result<(Ctx, crate::domain::tenant::Tenant), ApiError> {
    let meta = crate::web::meta_of(parts);
    let address = meta.client_ip.clone().unwrap_or_default();
    let throttles = &state.throttles;
    // An address that keeps presenting refused keys is guessing: it is refused before the lookup.
    throttles
        .refused_keys
        .peek(address.clone(), Instant::now())
        .map_err(|wait| too_many("too many refused API keys from this address", wait))?;
    let Some((key, tenant)) = service::api_keys::authenticate(&state.services, secret).await?
    else {
        throttles.refused_keys.spend(address, Instant::now());
        return Err(ApiError::unauthorized());
    };
    throttles
        .api_keys
        .check(key.id, Instant::now())
        .map_err(|wait| too_many("too many requests", wait))?;
    let ctx = Ctx::tenant(&tenant, key.id, meta);
    Ok((ctx, tenant))
}

/// 429 `rate_limited` with the wait in `Retry-After`.
pub(crate) fn too_many(what: &str, wait: std::time::Duration) -> ApiError {
    let seconds = wait.as_secs() + 1;
    let mut refusal = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("{what}; retry in {seconds} s"),
    );
    refusal.retry_after = Some(seconds);
    refusal
}

pub async fn require_api_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    match tenant_ctx(&state, &parts).await {
        Ok(ctx) => {
            let mut request = Request::from_parts(parts, body);
            request.extensions_mut().insert(Tenant(ctx));
            next.run(request).await
        }
        Err(refusal) => refusal.into_response(),
    }
}
