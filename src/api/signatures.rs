//! Sending the one-time code that confirms signature requirements (seed 001).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::applications::application_id;
use super::auth::Tenant;
use super::error::ApiError;
use super::json::ApiJson;
use crate::app::AppState;
use crate::domain::requirement::SignatureChannel;
use crate::domain::signature::{CODE_TTL, mask_destination};
use crate::service;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendCode {
    /// `sms` or `email`.
    #[schema(value_type = String)]
    channel: SignatureChannel,
    /// Where to send it; defaults to the applicant's phone or e-mail on file.
    destination: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CodeSent {
    #[schema(value_type = String)]
    channel: SignatureChannel,
    /// Masked.
    destination: Option<String>,
    expires_in_seconds: i64,
}

#[utoipa::path(post, path = "/kyc_applications/{id}/signature-codes", tag = "applications", security(("api_key" = [])), params(("id" = String, Path)),
    request_body = SendCode,
    responses((status = 202, description = "Sent (sandbox tenants: the code is 111111 and nothing is sent)", body = CodeSent),
              (status = 401, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody),
              (status = 409, description = "Not in draft or remediate", body = super::error::ErrorBody),
              (status = 422, description = "No destination", body = super::error::ErrorBody),
              (status = 503, description = "No gateway can send the code now", body = super::error::ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SendCode>,
) -> Result<(StatusCode, Json<CodeSent>), ApiError> {
    let id = application_id(&id)?;
    if request
        .destination
        .as_ref()
        .is_some_and(|d| d.chars().count() > 254)
    {
        return Err(ApiError::invalid(
            "destination",
            "too_long",
            "at most 254 characters",
        ));
    }
    let masked = request.destination.as_deref().map(mask_destination);
    service::signatures::send_code(
        &state.services,
        &ctx,
        id,
        request.channel,
        request.destination,
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(CodeSent {
            channel: request.channel,
            destination: masked,
            expires_in_seconds: CODE_TTL.num_seconds(),
        }),
    ))
}
