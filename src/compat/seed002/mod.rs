//! Seed 002 ("kyc-ms"), a mobile-SDK KYC service: `GET|POST /kyc-ms/getUserInfo`,
//! `GET|POST /kyc-ms/getToken` and `POST /kyc-ms/registerUser`, each called by a tenant (`api-key`
//! and `tenantName` headers) for one applicant (`Authorization: Bearer <applicant token>`).
//!
//! Mapping: the "user" is the applicant the token is bound to; the user status is the applicant's
//! KYC status (`domain::kyc_status`), with the attempts of their latest application; `getToken` issues
//! a fresh applicant token for the SDK; `registerUser` records the SDK's `accountId`/`workflowId` on
//! the applicant's application and sends it to verification (`service::intake::register_sdk_result`).
//! Refusals are `{"code", "message"}`.

mod caller;
mod input;
mod reply;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::api::error::ApiError;
use crate::app::AppState;
use crate::service;
use caller::authenticate;
use input::{RegisterBody, Registration};
use reply::refusal;

/// Lifetime of the tokens `getToken` issues: the native access-token endpoint's default.
const SDK_TOKEN_TTL_SECONDS: i64 = 600;

pub async fn get_user_info(State(state): State<AppState>, parts: Parts) -> Response {
    user_info(&state, &parts).await.unwrap_or_else(refusal)
}

pub async fn get_token(State(state): State<AppState>, parts: Parts) -> Response {
    token(&state, &parts).await.unwrap_or_else(refusal)
}

pub async fn register_user(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    register(&state, &parts, &body)
        .await
        .unwrap_or_else(refusal)
}

async fn user_info(state: &AppState, parts: &Parts) -> Result<Response, ApiError> {
    let caller = authenticate(state, parts).await?;
    let id = caller.applicant.id;
    let standing = service::applicants::kyc_standing(&state.services, &caller.ctx, id).await?;
    let latest = standing.latest.as_ref().map(|(a, l)| (a, l));
    Ok(Json(reply::user_info(id, standing.status, latest)).into_response())
}

async fn token(state: &AppState, parts: &Parts) -> Result<Response, ApiError> {
    let caller = authenticate(state, parts).await?;
    let device = input::device(parts)?;
    let (token, expires_at) = service::applicants::issue_device_token(
        &state.services,
        &caller.ctx,
        caller.applicant.id,
        SDK_TOKEN_TTL_SECONDS,
        device.as_ref(),
    )
    .await?;
    Ok(reply::token(token, expires_at.canonical()))
}

async fn register(state: &AppState, parts: &Parts, body: &Bytes) -> Result<Response, ApiError> {
    let caller = authenticate(state, parts).await?;
    let registration = Registration::try_from((parts, RegisterBody::read(body)?))?;
    let id = caller.applicant.id;
    let references = registration.references.clone();
    let view = service::intake::register_sdk_result(
        &state.services,
        &caller.ctx,
        id,
        registration.references,
        registration.level,
    )
    .await?;
    let body = reply::registered(id, &view.application, &view.level, &references);
    Ok(Json(body).into_response())
}
