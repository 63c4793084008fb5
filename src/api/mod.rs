//! The tenant JSON API, `/api/v1` (DESIGN §6). Handlers convert requests into domain values at the
//! edge, call the same services as the back-office, and answer JSON; errors are `ApiError`.

mod applicants;
mod applications;
mod auth;
mod documents;
mod error;
mod i18n;
mod idempotency;
mod json;
mod levels;
pub mod rate_limit;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};

use crate::app::AppState;
use error::ApiError;

/// JSON bodies are small; documents have their own limit.
const JSON_BODY_LIMIT: usize = 1024 * 1024;

async fn unknown_route() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such API endpoint")
}

pub fn router(state: &AppState) -> Router<AppState> {
    let routes = Router::new()
        .route("/levels", get(levels::list))
        .route("/applicants", post(applicants::create))
        .route("/applicants/{id}", get(applicants::get))
        .route(
            "/applicants/{id}/kyc-level-info",
            get(applicants::level_info),
        )
        .route(
            "/applicants/{id}/access-token",
            post(applicants::access_token),
        )
        .route(
            "/kyc_applications/{id}/client-verification",
            post(applications::client_verification),
        )
        .route(
            "/kyc_applications",
            post(applications::create).get(applications::list),
        )
        .route(
            "/kyc_applications/{id}",
            get(applications::get)
                .patch(applications::update_attributes)
                .put(applications::force_status),
        )
        .route(
            "/kyc_applications/{id}/send-to-review",
            post(applications::send_to_review),
        )
        .route("/kyc_applications/{id}/events", get(applications::events))
        .route(
            "/kyc_applications/{id}/documents",
            post(documents::upload).layer(DefaultBodyLimit::max(documents::body_limit(
                state.config.max_upload_bytes,
            ))),
        )
        .route("/{*rest}", get(unknown_route).post(unknown_route))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .route_layer(from_fn_with_state(state.clone(), idempotency::idempotent))
        .route_layer(from_fn_with_state(state.clone(), auth::require_api_key));
    Router::new()
        .nest("/api/v1", routes)
        .layer(from_fn(error::localize))
}
