//! `POST /applicants` and `GET /applicants/{id}`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::auth::Tenant;
use super::error::{ApiError, ErrorBody, IdempotencyRefusals, JsonBodyRefusals, KeyRefusals};
use super::idempotency::IdempotencyKey;
use super::json::ApiJson;
use crate::app::AppState;
use crate::domain::applicant::{Applicant, ExternalId};
use crate::domain::ids::ApplicantId;
use crate::domain::kyc_status::KycStatus;
use crate::domain::level::ApplicantType;
use crate::domain::validate::Invalid;
use crate::domain::validate::contact::{Email, PhoneNumber};
use crate::domain::validate::country::CountryCode;
use crate::domain::validate::date::IsoDate;
use crate::domain::validate::government_id::{GovernmentId, GovernmentIdType};
use crate::service::applicants::NewApplicant;
use crate::service::{self, FieldError, ServiceError};

/// Names are free text but bounded.
const MAX_NAME_CHARS: usize = 200;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read by `government_ids`; its schema is `schema::government_ids`
pub struct GovernmentIdBody {
    #[serde(rename = "type")]
    id_type: String,
    number: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApplicant {
    #[schema(schema_with = super::schema::external_id)]
    external_id: String,
    #[serde(rename = "type", default)]
    #[schema(schema_with = super::schema::applicant_type)]
    applicant_type: Option<String>,
    #[schema(schema_with = super::schema::name)]
    first_name: Option<String>,
    #[schema(schema_with = super::schema::name)]
    last_name: Option<String>,
    #[schema(schema_with = super::schema::name)]
    company_name: Option<String>,
    #[schema(schema_with = super::schema::date)]
    date_of_birth: Option<String>,
    #[schema(schema_with = super::schema::email)]
    email: Option<String>,
    #[schema(schema_with = super::schema::phone)]
    phone: Option<String>,
    #[schema(schema_with = super::schema::country)]
    country: Option<String>,
    /// `{line1, line2, city, postal_code, region, country}`
    #[schema(schema_with = super::schema::address)]
    address: Option<serde_json::Value>,
    /// Each `{type, number}`; the number's format depends on the type.
    #[serde(default)]
    #[schema(schema_with = super::schema::government_ids)]
    government_ids: Vec<GovernmentIdBody>,
}

/// Collects every field's refusal, so one answer lists them all.
struct Fields(Vec<FieldError>);

impl Fields {
    fn take<T>(&mut self, field: &str, result: Result<T, Invalid>) -> Option<T> {
        result
            .map_err(|e| {
                self.0.push(FieldError {
                    field: field.into(),
                    code: e.code,
                    message: e.message,
                })
            })
            .ok()
    }

    fn optional<T>(
        &mut self,
        field: &str,
        value: Option<String>,
        parse: impl Fn(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        value.and_then(|v| self.take(field, parse(&v)))
    }

    fn name(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let value = value
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())?;
        if value.chars().count() > MAX_NAME_CHARS || value.chars().any(char::is_control) {
            self.0.push(FieldError {
                field: field.into(),
                code: "invalid_name",
                message: format!("at most {MAX_NAME_CHARS} printable characters"),
            });
            return None;
        }
        Some(value)
    }
}

impl TryFrom<CreateApplicant> for NewApplicant {
    type Error = ServiceError;

    fn try_from(body: CreateApplicant) -> Result<Self, ServiceError> {
        let mut fields = Fields(Vec::new());
        let external_id = fields.take("external_id", ExternalId::parse(&body.external_id));
        let applicant_type = fields.take(
            "type",
            body.applicant_type
                .as_deref()
                .unwrap_or("individual")
                .parse::<ApplicantType>(),
        );
        let government_ids = body
            .government_ids
            .iter()
            .enumerate()
            .filter_map(|(i, id)| {
                let field = format!("government_ids[{i}]");
                let id_type = fields.take(&field, GovernmentIdType::parse(&id.id_type))?;
                fields.take(&field, GovernmentId::parse(id_type, &id.number))
            })
            .collect();
        let address = match body.address {
            None | Some(serde_json::Value::Null) => None,
            Some(raw) => {
                let requirement = crate::domain::requirement::Requirement {
                    key: "address".into(),
                    label: "address".into(),
                    required: false,
                    kind: crate::domain::requirement::RequirementKind::Address,
                };
                fields.take("address", requirement.accept(&raw))
            }
        };
        let first_name = fields.name("first_name", body.first_name);
        let last_name = fields.name("last_name", body.last_name);
        let company_name = fields.name("company_name", body.company_name);
        let date_of_birth = fields.optional("date_of_birth", body.date_of_birth, IsoDate::parse);
        let email = fields.optional("email", body.email, Email::parse);
        let phone = fields.optional("phone", body.phone, PhoneNumber::parse);
        let country = fields.optional("country", body.country, CountryCode::parse);
        match (external_id, applicant_type) {
            (Some(external_id), Some(applicant_type)) if fields.0.is_empty() => Ok(NewApplicant {
                external_id,
                applicant_type,
                first_name,
                last_name,
                company_name,
                date_of_birth,
                email,
                phone,
                country,
                address,
                government_ids,
            }),
            _ => Err(ServiceError::InvalidFields(fields.0)),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct GovernmentIdView {
    #[serde(rename = "type")]
    id_type: &'static str,
    number_masked: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApplicantBody {
    id: String,
    external_id: String,
    #[serde(rename = "type")]
    applicant_type: &'static str,
    first_name: Option<String>,
    last_name: Option<String>,
    company_name: Option<String>,
    date_of_birth: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    country: Option<String>,
    #[schema(value_type = Option<Object>)]
    address: Option<serde_json::Value>,
    government_ids: Vec<GovernmentIdView>,
    /// Seed 002 vocabulary: NOT_REGISTERED, LV1, PENDING, NEED_RESUBMIT, APPROVED_VERIFIED, REJECTED.
    #[schema(value_type = String)]
    kyc_status: KycStatus,
    created_at: String,
}

fn body(applicant: Applicant, status: KycStatus) -> ApplicantBody {
    ApplicantBody {
        id: applicant.id.to_string(),
        external_id: applicant.external_id,
        applicant_type: applicant.applicant_type.as_str(),
        first_name: applicant.first_name,
        last_name: applicant.last_name,
        company_name: applicant.company_name,
        date_of_birth: applicant.date_of_birth.map(|d| d.to_string()),
        email: applicant.email.map(|e| e.as_str().to_owned()),
        phone: applicant.phone.map(|p| p.as_str().to_owned()),
        country: applicant.country.map(|c| c.as_str().to_owned()),
        address: applicant.address,
        government_ids: applicant
            .government_ids
            .iter()
            .map(|g| GovernmentIdView {
                id_type: g.id_type().as_str(),
                number_masked: g.masked(),
            })
            .collect(),
        kyc_status: status,
        created_at: applicant.created_at.canonical(),
    }
}

#[utoipa::path(post, path = "/applicants", tag = "applicants", security(("api_key" = [])), request_body = CreateApplicant,
    params(IdempotencyKey),
    responses(KeyRefusals, IdempotencyRefusals, JsonBodyRefusals, (status = 201, body = ApplicantBody),
              (status = 409, description = "external_id already used, or idempotency_key_in_flight", body = ErrorBody),
              (status = 422, description = "validation_failed: details name each refused field (a government id number \
                 not valid for its type, ...); or the Idempotency-Key is invalid or reused", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    ApiJson(request): ApiJson<CreateApplicant>,
) -> Result<(StatusCode, Json<ApplicantBody>), ApiError> {
    let new = NewApplicant::try_from(request)?;
    let (applicant, status) = service::applicants::create(&state.services, &ctx, new).await?;
    Ok((StatusCode::CREATED, Json(body(applicant, status))))
}

#[utoipa::path(get, path = "/applicants/{id}", tag = "applicants", security(("api_key" = [])), params(("id" = String, Path, format = "uuid")),
    responses(KeyRefusals, (status = 200, body = ApplicantBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    Path(id): Path<String>,
) -> Result<Json<ApplicantBody>, ApiError> {
    let id: ApplicantId = id.parse().map_err(|_| ApiError::not_found("applicant"))?;
    let (applicant, status) = service::applicants::get(&state.services, &ctx, id).await?;
    Ok(Json(body(applicant, status)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LevelRef {
    id: String,
    name: String,
    tier: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LevelInfoBody {
    current_level: Option<LevelRef>,
    allowed_to_create_kyc_application: bool,
    available_levels_for_upgrade: Vec<LevelRef>,
    last_kyc_application_id: Option<String>,
}

#[utoipa::path(get, path = "/applicants/{id}/kyc-level-info", tag = "applicants", security(("api_key" = [])), params(("id" = String, Path, format = "uuid")),
    responses(KeyRefusals, (status = 200, body = LevelInfoBody), (status = 404, body = ErrorBody)))]
pub async fn level_info(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    Path(id): Path<String>,
) -> Result<Json<LevelInfoBody>, ApiError> {
    let id: ApplicantId = id.parse().map_err(|_| ApiError::not_found("applicant"))?;
    let (info, levels) = service::applicants::level_info(&state.services, &ctx, id).await?;
    let reference = |id: crate::domain::ids::LevelId| {
        levels.iter().find(|l| l.level_id == id).map(|l| LevelRef {
            id: l.level_id.to_string(),
            name: l.name.clone(),
            tier: l.tier,
        })
    };
    Ok(Json(LevelInfoBody {
        current_level: info.current_level.and_then(reference),
        allowed_to_create_kyc_application: info.allowed_to_create_kyc_application,
        available_levels_for_upgrade: info
            .available_levels_for_upgrade
            .into_iter()
            .filter_map(reference)
            .collect(),
        last_kyc_application_id: info.last_kyc_application_id.map(|a| a.to_string()),
    }))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Default 600.
    #[schema(minimum = 60, maximum = 3600)]
    ttl_seconds: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenBody {
    access_token: String,
    expires_at: String,
}

/// The body is optional: an empty POST, or a JSON `null`, gets the default lifetime (10 minutes).
#[utoipa::path(post, path = "/applicants/{id}/access-token", tag = "applicants", security(("api_key" = [])),
    params(("id" = String, Path, format = "uuid"), IdempotencyKey),
    request_body(content = Option<TokenRequest>, description = "Optional; ttl_seconds from 60 to 3600"),
    responses(KeyRefusals, IdempotencyRefusals, (status = 201, body = TokenBody), (status = 404, body = ErrorBody),
              (status = 422, description = "The body is not a token request (ttl_seconds out of range, unknown fields, not JSON), \
                 or the Idempotency-Key is invalid or reused", body = ErrorBody)))]
pub async fn access_token(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<TokenBody>), ApiError> {
    let body = body.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is too large",
        )
    })?;
    let id: ApplicantId = id.parse().map_err(|_| ApiError::not_found("applicant"))?;
    // No body, or `null` (the document's "no body" in JSON), means the defaults.
    let request: TokenRequest = if body.iter().all(u8::is_ascii_whitespace) {
        TokenRequest::default()
    } else {
        serde_json::from_slice::<Option<TokenRequest>>(&body)
            .map_err(|e| ApiError::invalid("body", "invalid_shape", e.to_string()))?
            .unwrap_or_default()
    };
    let ttl = request.ttl_seconds.unwrap_or(600);
    if !service::applicants::TOKEN_TTL_SECONDS.contains(&ttl) {
        return Err(ApiError::invalid(
            "ttl_seconds",
            "out_of_range",
            "from 60 to 3600 seconds",
        ));
    }
    let (access_token, expires_at) =
        service::applicants::issue_access_token(&state.services, &ctx, id, ttl).await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenBody {
            access_token,
            expires_at: expires_at.canonical(),
        }),
    ))
}
