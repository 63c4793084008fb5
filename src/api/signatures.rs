//! Sending the one-time code that confirms signature requirements (seed 001).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::applications::application_id;
use super::auth::Tenant;
use super::error::{ApiError, ErrorBody, IdempotencyRefusals, JsonBodyRefusals, KeyRefusals};
use super::idempotency::IdempotencyKey;
use super::json::ApiJson;
use crate::app::AppState;
use crate::domain::requirement::SignatureChannel;
use crate::domain::signature::{CODE_TTL, mask_destination};
use crate::service;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendCode {
    /// `sms` or `email`.
    #[schema(schema_with = super::schema::channel)]
    channel: SignatureChannel,
    /// Where to send it (a phone number for sms, an e-mail address for email); defaults to the
    /// applicant's phone or e-mail on file.
    #[schema(max_length = 254)]
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

#[utoipa::path(post, path = "/kyc_applications/{id}/signature-codes", tag = "applications", security(("api_key" = [])),
    params(("id" = String, Path, format = "uuid"), IdempotencyKey),
    request_body = SendCode,
    responses(KeyRefusals, IdempotencyRefusals, JsonBodyRefusals,
              (status = 202, description = "Sent (sandbox tenants: the code is 111111 and nothing is sent)", body = CodeSent),
              (status = 404, body = ErrorBody),
              (status = 409, description = "Not in draft or remediate, or idempotency_key_in_flight", body = ErrorBody),
              (status = 422, description = "No destination, a destination not valid for the channel, a body of the wrong shape, \
                 or an invalid or reused Idempotency-Key", body = ErrorBody),
              (status = 503, description = "No gateway can send the code now", body = ErrorBody)))]
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
