//! Seed 004: `POST /api/v1/Kyc/update` with `{tier, addressVerified, bvn, kycId}`, answered in the
//! `{succeeded, message, errors, data}` envelope, in English or French (`Accept-Language`).
//!
//! Mapping: `kycId` is the applicant's id (their KYC record); the update is recorded as the tenant's
//! own verification on the applicant's latest application (reviewers see it; it decides nothing);
//! `data` describes the record: `tier` is the level's tier, `status` the applicant's KYC status
//! (seed 002 vocabulary), `approved`/`approvedOn` whether and when it was accepted, `ownerId` the
//! tenant's own reference, `bvn` masked. Only version 1 is served.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::auth::tenant_ctx;
use crate::api::error::ApiError;
use crate::api::i18n::{french, wants_french};
use crate::app::AppState;
use crate::domain::ids::ApplicantId;
use crate::domain::kyc_status::KycStatus;
use crate::domain::status::ApplicationStatus;
use crate::domain::validate::government_id::{GovernmentId, GovernmentIdType};
use crate::service::intake::{KycRecord, KycUpdate};
use crate::service::{self, ServiceError};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateRequest {
    tier: i64,
    address_verified: bool,
    bvn: String,
    kyc_id: String,
}

/// The envelope every answer of this dialect has.
fn envelope(status: StatusCode, message: String, errors: Vec<String>, data: Value) -> Response {
    (
        status,
        Json(json!({"succeeded": status.is_success(), "message": message, "errors": errors, "data": data})),
    )
        .into_response()
}

/// A refusal in the envelope, translated when French was asked for.
fn refusal(error: ApiError, in_french: bool) -> Response {
    let translate = |code: &str, english: &str| {
        if in_french {
            french(code).map_or_else(|| english.to_owned(), str::to_owned)
        } else {
            english.to_owned()
        }
    };
    let mut errors: Vec<String> = error
        .details
        .iter()
        .map(|d| format!("{}: {}", d.field, translate(&d.code, &d.message)))
        .collect();
    if errors.is_empty() {
        errors.push(translate(error.code, &error.message));
    }
    let mut response = envelope(
        error.status,
        translate(error.code, &error.message),
        errors,
        Value::Null,
    );
    if let Some(seconds) = error.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

impl TryFrom<UpdateRequest> for (ApplicantId, KycUpdate) {
    type Error = ApiError;

    fn try_from(request: UpdateRequest) -> Result<Self, ApiError> {
        let applicant = request.kyc_id.parse().map_err(|_| {
            ApiError::invalid(
                "kycId",
                "invalid_id",
                "kycId must be the id of a KYC record",
            )
        })?;
        if !(0..=10).contains(&request.tier) {
            return Err(ApiError::invalid(
                "tier",
                "out_of_range",
                "tier must be 0 to 10",
            ));
        }
        let bvn = GovernmentId::parse(GovernmentIdType::Bvn, &request.bvn)
            .map_err(|e| ApiError::invalid("bvn", e.code, e.message))?;
        Ok((
            applicant,
            KycUpdate {
                tier: request.tier,
                address_verified: request.address_verified,
                bvn,
            },
        ))
    }
}

fn data(record: &KycRecord, address_verified: bool, bvn: &str) -> Value {
    let status = KycStatus::derive(Some(record.latest.status));
    let accepted = record.latest.status == ApplicationStatus::Accepted;
    json!({
        "id": record.applicant.id,
        "tier": record.level_tier.to_string(),
        "name": record.applicant.display_name(),
        "tenantId": record.applicant.tenant_id,
        "ownerId": record.applicant.external_id,
        "approved": accepted,
        "isTenant": false,
        "isAddressVerified": address_verified,
        "approvedOn": accepted.then(|| record.latest.status_changed_at.canonical()),
        "bvn": bvn,
        "status": status.as_str(),
    })
}

pub async fn update(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    let in_french = wants_french(&parts.headers);
    let ctx = match tenant_ctx(&state, &parts).await {
        Ok(ctx) => ctx,
        Err(error) => return refusal(error, in_french),
    };
    let request: UpdateRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => {
            return refusal(
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_json",
                    format!("the body is not a valid KYC update: {error}"),
                ),
                in_french,
            );
        }
    };
    let address_verified = request.address_verified;
    let (applicant, update) = match <(ApplicantId, KycUpdate)>::try_from(request) {
        Ok(parsed) => parsed,
        Err(error) => return refusal(error, in_french),
    };
    let bvn = update.bvn.masked();
    match service::intake::update_kyc(&state.services, &ctx, applicant, update).await {
        Ok(record) => {
            let message = if in_french {
                "informations KYC mises à jour"
            } else {
                "KYC details updated"
            };
            envelope(
                StatusCode::OK,
                message.into(),
                Vec::new(),
                data(&record, address_verified, &bvn),
            )
        }
        Err(ServiceError::NotFound(_)) => refusal(ApiError::not_found("KYC record"), in_french),
        Err(error) => refusal(ApiError::from(error), in_french),
    }
}
