//! The `Idempotency-Key` header on API POSTs (docs/ARCHITECTURE.md, Edges), around every POST
//! handler.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use super::auth::Tenant;
use super::error::ApiError;
use crate::app::AppState;
use crate::service::Ctx;
use crate::service::idempotency::{Begin, begin, complete, request_hash, within};

const MAX_KEY_CHARS: usize = 255;
/// Responses are JSON of modest size; a larger one is not stored (and not replayable).
const MAX_STORED_RESPONSE: usize = 1024 * 1024;

pub async fn idempotent(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(raw_key) = request.headers().get("idempotency-key") else {
        return next.run(request).await;
    };
    let key = match raw_key.to_str() {
        Ok(k) if !k.trim().is_empty() && k.len() <= MAX_KEY_CHARS => k.trim().to_owned(),
        _ => {
            return ApiError::invalid(
                "Idempotency-Key",
                "invalid_idempotency_key",
                format!("1 to {MAX_KEY_CHARS} visible ASCII characters"),
            )
            .into_response();
        }
    };
    let Some(Tenant(ctx)) = request.extensions().get::<Tenant>().cloned() else {
        return ApiError::unauthorized().into_response();
    };
    let limit = super::documents::body_limit(state.config.max_upload_bytes);
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, limit).await else {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is too large",
        )
        .into_response();
    };
    let hash = request_hash(parts.method.as_str(), parts.uri.path(), &bytes);
    let request = Request::from_parts(parts, Body::from(bytes));
    // The rest runs in a task of its own: a client that disconnects does not cancel the request
    // half-way (hyper drops the connection's future), so its answer is stored for the retry.
    let work = keyed(state, ctx, key, hash, request, next).in_current_span();
    tokio::spawn(work).await.unwrap_or_else(|error| {
        tracing::error!(%error, "an idempotent request's task failed");
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    })
}

async fn keyed(
    state: AppState,
    ctx: Ctx,
    key: String,
    hash: String,
    request: Request,
    next: Next,
) -> Response {
    let services = &state.services;
    let lease = state.config.http.request_timeout;
    match begin(services, &ctx, &key, &hash, lease).await {
        Err(error) => ApiError::from(error).into_response(),
        Ok(Begin::Reused) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request",
        )
        .into_response(),
        Ok(Begin::InFlight) => ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_key_in_flight",
            "a request with this Idempotency-Key is still being processed",
        )
        .into_response(),
        Ok(Begin::AnswerLost) => ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_key_answer_lost",
            "the request with this Idempotency-Key was applied but its answer was lost; \
             read the resource instead of retrying",
        )
        .into_response(),
        Ok(Begin::Replay { status, body }) => {
            let mut response =
                (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            response
        }
        Ok(Begin::Run(claim)) => {
            // Bounded by the claim's lease, so no request still runs when a retry takes it over.
            let ran = tokio::time::timeout(lease, within(claim.clone(), next.run(request))).await;
            let response = ran.unwrap_or_else(|_| {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "request_timeout",
                    "the request took too long; retry it with the same Idempotency-Key",
                )
                .into_response()
            });
            let (parts, body) = response.into_parts();
            let bytes = to_bytes(body, MAX_STORED_RESPONSE)
                .await
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if let Err(error) = complete(services, &claim, parts.status.as_u16(), &text).await {
                tracing::error!(%error, "could not store the idempotent response");
            }
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

/// The `Idempotency-Key` header as the API document describes it on every POST.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // describes the header for OpenAPI; `idempotent` reads it
pub struct IdempotencyKey {
    /// Replays the first answer for the same key and body: 1 to 255 visible ASCII characters
    /// (spaces and tabs allowed inside).
    #[param(
        rename = "Idempotency-Key",
        value_type = String,
        required = false,
        min_length = 1,
        max_length = 255,
        pattern = r"^[\t -~]*[!-~][\t -~]*$"
    )]
    key: Option<String>,
}
