//! Bearer API keys: every `/api/v1` request (but the OpenAPI document) carries one.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

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

fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

pub async fn require_api_key(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(secret) = bearer(&request).map(str::to_owned) else {
        return ApiError::unauthorized().into_response();
    };
    match service::api_keys::authenticate(&state.services, &secret).await {
        Ok(Some((key, tenant))) => {
            if let Err(wait) = state.rate_limiter.check(key.id, std::time::Instant::now()) {
                let seconds = wait.as_secs() + 1;
                let mut response = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    format!("too many requests; retry in {seconds} s"),
                )
                .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                return response;
            }
            let (parts, body) = request.into_parts();
            let ctx = Ctx::tenant(&tenant, key.id, crate::web::meta_of(&parts));
            request = Request::from_parts(parts, body);
            request.extensions_mut().insert(Tenant(ctx));
            next.run(request).await
        }
        Ok(None) => ApiError::unauthorized().into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}
