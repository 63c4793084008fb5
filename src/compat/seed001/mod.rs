//! Seed 001, "KYC Flow": Django-REST-style paths under `/v1/` with trailing slashes, answered in
//! DRF's error form (`error.rs`).
//!
//! Mapping: `legal_entity_uuid` is the calling tenant (another one is not found), `client_uuid` an
//! applicant, `kyc_application_uuid` an application and `kyc_level_uuid` a level. The application is
//! shown as the seed's questionnaire, `kyc_steps[]` (`questionnaire.rs`). Documents are uploaded in
//! two steps, files first and then the document they make (`documents.rs`). Liveness tokens are our
//! applicant-bound access tokens.

mod documents;
mod error;
mod input;
mod kyc;
mod questionnaire;
mod reference;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/clients/kyc-level-info/",
            get(kyc::level_info).post(kyc::create),
        )
        .route("/v1/kyc/{uuid}/", get(kyc::get).patch(kyc::update))
        .route("/v1/kyc/{uuid}/send-to-review/", post(kyc::send_to_review))
        .route(
            "/v1/kyc/{uuid}/attributes/{attribute_key}/",
            get(kyc::get_attribute),
        )
        // The handler bounds the form by the configured upload size, which this router cannot see.
        .route(
            "/v1/files/",
            post(documents::upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/v1/documents/", post(documents::create))
        .route("/v1/sign/send-code/", post(reference::send_code))
        .route(
            "/v1/attribute-definitions/",
            get(reference::attribute_definitions),
        )
        .route("/v1/legal-documents/", get(reference::legal_document))
        .route("/v1/{*rest}", any(error::unknown_route))
}
