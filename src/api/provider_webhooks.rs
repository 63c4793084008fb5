//! `POST /api/v1/provider-webhooks/{provider}`: callbacks from providers, authenticated by their
//! signature rather than an API key. Refusals are throttled per client address, signed callbacks
//! never.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;

use super::auth::too_many;
use super::error::ApiError;
use crate::app::AppState;
use crate::service::provider_callbacks::{Receipt, Signature};
use crate::service::{self, Ctx};
use crate::web::Meta;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Received {
    /// `applied`, `stored` or `duplicate`.
    status: &'static str,
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[utoipa::path(post, path = "/provider-webhooks/{provider}", tag = "providers", params(("provider" = String, Path, description = "`vouched` or `sumsub`")),
    request_body(content = Object, description = "The provider's payload, verbatim; signed with X-Signature (Vouched) or X-Payload-Digest (Sumsub)"),
    responses((status = 200, body = Received), (status = 400, description = "Not JSON the provider would send", body = super::error::ErrorBody),
              (status = 401, description = "Signature missing or wrong (its digest, size and an excerpt stored and audited)", body = super::error::ErrorBody),
              (status = 404, description = "Unknown or unconfigured provider", body = super::error::ErrorBody),
              (status = 429, description = "Too many refused callbacks from this address (not stored)", body = super::error::ErrorBody)))]
pub async fn receive(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Meta(meta): Meta,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Received>, ApiError> {
    let signature = Signature {
        x_signature: header(&headers, "x-signature"),
        payload_digest: header(&headers, "x-payload-digest"),
        payload_digest_alg: header(&headers, "x-payload-digest-alg"),
    };
    let checked =
        service::provider_callbacks::check(&state.services, &provider, &signature, &body)?;
    if !checked.signed() {
        let address = meta.client_ip.clone().unwrap_or_default();
        state
            .throttles
            .callback_refusals
            .check(address, Instant::now())
            .map_err(|wait| too_many("too many refused callbacks from this address", wait))?;
    }
    let ctx = Ctx::system("provider-webhooks");
    let receipt = service::provider_callbacks::receive(&state.services, &ctx, checked)
        .await
        .map_err(|error| match error {
            service::ServiceError::Invalid(invalid) => {
                ApiError::new(StatusCode::BAD_REQUEST, invalid.code, invalid.message)
            }
            other => other.into(),
        })?;
    let status = match receipt {
        Receipt::Applied => "applied",
        Receipt::Stored => "stored",
        Receipt::Duplicate => "duplicate",
        Receipt::BadSignature => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_signature",
                "the webhook signature does not match",
            ));
        }
    };
    Ok(Json(Received { status }))
}
