//! Drop-in endpoints for the KYC APIs of the seed documents (docs/ARCHITECTURE.md, Edges: seed
//! dialects), so that a team migrating from one of them can point its integration here. Each dialect
//! is one module that translates its request and response shapes onto the same service layer; no
//! business rule lives here.
//!
//! Every dialect authenticates through `api::auth` and answers refusals in its own error form.

pub mod seed000;
pub mod seed001;
pub mod seed002;
pub mod seed004;

use axum::Router;
use axum::body::Body;
use axum::routing::{get, post};
use futures_util::StreamExt;

use crate::app::AppState;

/// Dialect routes under `/api/v1`: they are merged into the native API's nest, which would
/// otherwise answer them as unknown endpoints. They are not behind the native key middleware.
pub fn api_v1_routes() -> Router<AppState> {
    Router::new()
        .route("/Kyc/update", post(seed004::update))
        .route("/persons/{person_guid}/kyc", post(seed000::perform_kyc))
}

/// Dialect routes at their own roots, beside the back-office and the native API.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/kyc-ms/getUserInfo",
            get(seed002::get_user_info).post(seed002::get_user_info),
        )
        .route(
            "/kyc-ms/getToken",
            get(seed002::get_token).post(seed002::get_token),
        )
        .route("/kyc-ms/registerUser", post(seed002::register_user))
        .merge(seed001::routes())
}

/// Reads and drops the body of a refused request, up to `limit` bytes and without keeping any:
/// answering before the client has sent it closes the connection under the client, which then sees
/// a broken pipe instead of the answer.
pub(crate) async fn drain(body: Body, limit: usize) {
    let mut frames = body.into_data_stream();
    let mut seen = 0;
    while let Some(Ok(chunk)) = frames.next().await {
        seen += chunk.len();
        if seen > limit {
            break;
        }
    }
}
