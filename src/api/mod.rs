//! The tenant JSON API, `/api/v1` (docs/ARCHITECTURE.md, Edges). Handlers convert requests into
//! domain values at the edge, call the same services as the back-office, and answer JSON; errors are
//! `ApiError`.
//! Routes are registered with their OpenAPI description (utoipa-axum), so every mounted endpoint is
//! in `/api/v1/openapi.json` by construction.

mod applicants;
pub(crate) mod applications;
pub(crate) mod auth;
mod challenges;
pub(crate) mod documents;
pub(crate) mod error;
pub(crate) mod i18n;
mod idempotency;
mod json;
mod levels;
mod provider_webhooks;
mod schema;
mod signatures;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use crate::app::AppState;
use error::ApiError;

/// JSON bodies are small; documents have their own limit.
const JSON_BODY_LIMIT: usize = 1024 * 1024;

async fn unknown_route() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such API endpoint")
}

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("A tenant API key"))
            .build();
        components.add_security_scheme("api_key", SecurityScheme::Http(scheme));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "kycdesk tenant API", version = "1", description = "Applicants, KYC applications, documents and statuses. JSON, snake_case; errors are {\"error\": {code, message, details}}; Accept-Language: fr for French."),
    modifiers(&BearerKey),
    components(schemas(error::ErrorBody))
)]
struct ApiDoc;

/// The documented routes, and their OpenAPI document with paths under `/api/v1`.
fn documented(upload_limit: usize) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(levels::list))
        .routes(routes!(levels::legal_document))
        .routes(routes!(applicants::create))
        .routes(routes!(applicants::get))
        .routes(routes!(applicants::level_info))
        .routes(routes!(applicants::access_token))
        .routes(routes!(applications::create, applications::list))
        .routes(routes!(
            applications::get,
            applications::update_attributes,
            applications::force_status
        ))
        .routes(routes!(applications::send_to_review))
        .routes(routes!(applications::events))
        .routes(routes!(applications::client_verification))
        .routes(routes!(challenges::answer))
        .routes(routes!(signatures::send))
        .routes(with_upload_limit(routes!(documents::upload), upload_limit))
        .split_for_parts()
}

/// Routes providers call: authenticated by their signatures, not by an API key.
fn provider_routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::new()
        .routes(routes!(provider_webhooks::receive))
        .layer(DefaultBodyLimit::max(PROVIDER_BODY_LIMIT))
        .split_for_parts()
}

/// Provider callbacks carry whole results (Vouched jobs), larger than our own JSON requests.
const PROVIDER_BODY_LIMIT: usize = 5 * 1024 * 1024;

/// Uploads carry files: their route gets a larger body limit than the JSON routes (the handler
/// still checks each file against the configured size).
fn with_upload_limit(
    route: UtoipaMethodRouter<AppState>,
    limit: usize,
) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, method_router) = route;
    (
        schemas,
        paths,
        method_router.layer(DefaultBodyLimit::max(limit)),
    )
}

/// The OpenAPI document as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = documented(0).1;
    doc.merge(provider_routes().1);
    let paths = std::mem::take(&mut doc.paths.paths);
    doc.paths.paths = paths
        .into_iter()
        .map(|(path, item)| (format!("/api/v1{path}"), item))
        .collect();
    doc
}

pub fn router(state: &AppState) -> Router<AppState> {
    let document = openapi();
    let upload_limit = documents::body_limit(state.config.max_upload_bytes);
    let routes = documented(upload_limit)
        .0
        .route("/{*rest}", get(unknown_route).post(unknown_route))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .route_layer(from_fn_with_state(state.clone(), idempotency::idempotent))
        .route_layer(from_fn_with_state(state.clone(), auth::require_api_key))
        .merge(provider_routes().0)
        .merge(crate::compat::api_v1_routes())
        .route(
            "/openapi.json",
            get(move || async move { Json(document.clone()) }),
        );
    Router::new()
        .nest("/api/v1", routes)
        .layer(from_fn(error::localize))
}
