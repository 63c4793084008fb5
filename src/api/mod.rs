//! The tenant JSON API (`/api/v1`). Endpoints arrive with the API issue; the mount point is fixed here.

use axum::Router;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
