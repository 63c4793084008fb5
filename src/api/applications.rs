//! `/kyc_applications`: create, list, read, fill (PATCH), send to review, sandbox status (PUT), events.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::auth::Tenant;
use super::error::{ApiError, ErrorBody, IdempotencyRefusals, JsonBodyRefusals, KeyRefusals};
use super::idempotency::IdempotencyKey;
use super::json::ApiJson;
use crate::app::AppState;
use crate::domain::application::{Application, ApplicationKind};
use crate::domain::ids::ApplicationId;
use crate::domain::requirement::SignatureChannel;
use crate::domain::status::ApplicationStatus;
use crate::service::intake::{ApplicationView, MAX_PER_PAGE, NewApplication};
use crate::service::{self, FieldError, ServiceError};
use crate::store::applications::ListFilter;

/// Most answers one PATCH may carry.
const MAX_CHANGES: usize = 200;

pub(super) fn application_id(raw: &str) -> Result<ApplicationId, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("application"))
}

fn field_error(field: &str, code: &'static str, message: &str) -> ServiceError {
    ServiceError::InvalidFields(vec![FieldError {
        field: field.into(),
        code,
        message: message.into(),
    }])
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApplication {
    #[schema(format = "uuid")]
    applicant_id: String,
    /// An active level of yours (`GET /levels`); unknown ids are answered 404.
    #[schema(format = "uuid")]
    level_id: String,
    #[serde(rename = "type", default)]
    #[schema(schema_with = super::schema::application_kind)]
    kind: Option<String>,
    /// Accepted for compatibility; the level's policy chooses the provider. Not blank.
    #[serde(default)]
    #[schema(schema_with = super::schema::not_blank)]
    provider: Option<String>,
    #[schema(value_type = Option<Object>)]
    #[serde(default)]
    params: Option<Value>,
    /// An absolute http(s) URL for this application's webhooks; empty means the tenant default.
    #[serde(default)]
    #[schema(schema_with = super::schema::webhook_url)]
    webhook_url: Option<String>,
}

/// A webhook target: the same rules as a tenant's default webhook URL.
fn webhook_url(raw: Option<String>) -> Result<Option<String>, ServiceError> {
    let Some(url) = raw.filter(|u| !u.trim().is_empty()) else {
        return Ok(None);
    };
    let url = crate::domain::tenant::WebhookUrl::parse(&url)
        .map_err(|e| field_error("webhook_url", e.code, &e.message))?;
    Ok(Some(url.as_str().to_owned()))
}

impl TryFrom<CreateApplication> for NewApplication {
    type Error = ServiceError;

    fn try_from(body: CreateApplication) -> Result<Self, ServiceError> {
        let applicant_id = body
            .applicant_id
            .parse()
            .map_err(|_| ServiceError::NotFound("applicant"))?;
        let level_id = body
            .level_id
            .parse()
            .map_err(|_| ServiceError::NotFound("level"))?;
        let kind = body
            .kind
            .as_deref()
            .unwrap_or("kyc")
            .parse::<ApplicationKind>()
            .map_err(|e| field_error("type", e.code, &e.message))?;
        let params = match body.params {
            None | Some(Value::Null) => Value::Object(Default::default()),
            Some(object @ Value::Object(_)) => object,
            Some(_) => {
                return Err(field_error(
                    "params",
                    "invalid_type",
                    "params must be an object",
                ));
            }
        };
        if body.provider.is_some_and(|p| p.trim().is_empty()) {
            return Err(field_error(
                "provider",
                "required",
                "provider must not be empty",
            ));
        }
        Ok(NewApplication {
            applicant_id,
            level_id,
            kind,
            params,
            webhook_url: webhook_url(body.webhook_url)?,
        })
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct QuestionnaireItem {
    key: String,
    label: String,
    kind: &'static str,
    required: bool,
    filled: bool,
    #[schema(value_type = Option<Object>)]
    value: Option<Value>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DocumentBody {
    id: String,
    requirement_key: Option<String>,
    document_type: &'static str,
    side: Option<&'static str>,
    issuing_country: Option<String>,
    attempt: i64,
    mime_type: String,
    size_bytes: i64,
    width: Option<i64>,
    height: Option<i64>,
    uploaded_at: String,
}

pub(super) fn document_body(d: &crate::domain::document::Document) -> DocumentBody {
    DocumentBody {
        id: d.id.to_string(),
        requirement_key: d.requirement_key.clone(),
        document_type: d.doc_type.as_str(),
        side: d.side.map(|s| s.as_str()),
        issuing_country: d.issuing_country.map(|c| c.as_str().to_owned()),
        attempt: d.attempt,
        mime_type: d.mime_type.clone(),
        size_bytes: d.size_bytes,
        width: d.width,
        height: d.height,
        uploaded_at: d.uploaded_at.canonical(),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FindingBody {
    code: String,
    severity: &'static str,
    message: String,
    field: Option<String>,
    value: Option<String>,
    confidence: Option<f64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CheckBody {
    id: String,
    provider: String,
    reference: Option<String>,
    kind: &'static str,
    status: &'static str,
    result: Option<&'static str>,
    score: Option<f64>,
    findings: Vec<FindingBody>,
    created_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DecisionBody {
    outcome: &'static str,
    reasons: Vec<&'static str>,
    remediation: Vec<String>,
    message: Option<String>,
    decided_at: String,
}

/// An application as a list shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApplicationSummary {
    id: String,
    applicant_id: String,
    level_id: String,
    level_version: i64,
    #[serde(rename = "type")]
    kind: &'static str,
    provider: String,
    identifier: Option<String>,
    status: &'static str,
    attempt: i64,
    max_attempts: i64,
    webhook_url: Option<String>,
    #[schema(value_type = Object)]
    params: Value,
    created_at: String,
    updated_at: String,
}

/// The full view (seed 003's detail with `provider_representation`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApplicationBody {
    #[serde(flatten)]
    summary: ApplicationSummary,
    questionnaire: Vec<QuestionnaireItem>,
    missing_requirements: Vec<String>,
    documents: Vec<DocumentBody>,
    checks: Vec<CheckBody>,
    decision: Option<DecisionBody>,
    /// Challenge questions waiting for answers (`POST .../answers`); the seed 000 shape.
    questions: Vec<QuestionBody>,
    /// The latest provider payload, verbatim (seed 003).
    #[schema(value_type = Option<Object>)]
    provider_representation: Option<Value>,
}

fn summary(app: &Application) -> ApplicationSummary {
    ApplicationSummary {
        id: app.id.to_string(),
        applicant_id: app.applicant_id.to_string(),
        level_id: app.level_id.to_string(),
        level_version: app.level_version,
        kind: app.kind.as_str(),
        provider: app.provider.clone(),
        identifier: app.provider_reference.clone(),
        status: app.status.as_str(),
        attempt: app.attempt,
        max_attempts: app.max_attempts,
        webhook_url: app.webhook_url.clone(),
        params: app.params.clone(),
        created_at: app.created_at.canonical(),
        updated_at: app.updated_at.canonical(),
    }
}

pub(super) fn body(view: ApplicationView) -> ApplicationBody {
    let app = &view.application;
    let questionnaire = view
        .level
        .requirements
        .iter()
        .map(|r| {
            let value = app.attributes.get(&r.key).cloned();
            let filled = if r.kind.is_upload() {
                !view.missing.contains(&r.key)
            } else {
                value.is_some()
            };
            QuestionnaireItem {
                key: r.key.clone(),
                label: r.label.clone(),
                kind: r.kind.name(),
                required: r.required,
                filled,
                value,
            }
        })
        .collect();
    let documents = view.documents.iter().map(document_body).collect();
    let checks = view
        .checks
        .iter()
        .map(|c| CheckBody {
            id: c.id.to_string(),
            provider: c.provider.clone(),
            reference: c.reference.clone(),
            kind: c.kind.as_str(),
            status: c.status.as_str(),
            result: c.result.map(|r| r.as_str()),
            score: c.score,
            findings: c
                .findings
                .iter()
                .map(|f| FindingBody {
                    code: f.code.clone(),
                    severity: f.severity.as_str(),
                    message: f.message.clone(),
                    field: f.field.clone(),
                    value: f.value.clone(),
                    confidence: f.confidence,
                })
                .collect(),
            created_at: c.created_at.canonical(),
        })
        .collect();
    let decision = view.decision.as_ref().map(|d| DecisionBody {
        outcome: d.outcome.as_str(),
        reasons: d.reasons.iter().map(|r| r.as_str()).collect(),
        remediation: d.remediation.clone(),
        message: d.message_to_applicant.clone(),
        decided_at: d.reviewed_at.unwrap_or(d.proposed_at).canonical(),
    });
    let provider_representation = view
        .checks
        .last()
        .and_then(|c| serde_json::from_str(&c.raw_payload).ok());
    ApplicationBody {
        summary: summary(app),
        questionnaire,
        missing_requirements: view.missing.clone(),
        documents,
        checks,
        decision,
        questions: view
            .questions
            .iter()
            .map(|q| QuestionBody {
                key: q.key.clone(),
                prompt: q.prompt.clone(),
                options: q.options.clone(),
            })
            .collect(),
        provider_representation,
    }
}

/// An out-of-wallet question (seed 000).
#[derive(Serialize, utoipa::ToSchema)]
pub struct QuestionBody {
    key: String,
    prompt: String,
    options: Vec<String>,
}

#[utoipa::path(post, path = "/kyc_applications", tag = "applications", security(("api_key" = [])), request_body = CreateApplication,
    params(IdempotencyKey),
    responses(KeyRefusals, IdempotencyRefusals, JsonBodyRefusals,
              (status = 201, description = "Created in draft, with its questionnaire", body = ApplicationBody),
              (status = 404, description = "Unknown applicant or level", body = ErrorBody),
              (status = 409, description = "An open application exists, the level is for another applicant type, \
                 or idempotency_key_in_flight", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    ApiJson(request): ApiJson<CreateApplication>,
) -> Result<(StatusCode, Json<ApplicationBody>), ApiError> {
    let new = NewApplication::try_from(request)?;
    let view = service::intake::create(&state.services, &ctx, new).await?;
    Ok((StatusCode::CREATED, Json(body(view))))
}

#[utoipa::path(get, path = "/kyc_applications/{id}", tag = "applications", security(("api_key" = [])), params(("id" = String, Path, format = "uuid")),
    responses(KeyRefusals, (status = 200, body = ApplicationBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    Path(id): Path<String>,
) -> Result<Json<ApplicationBody>, ApiError> {
    let view = service::intake::get(&state.services, &ctx, application_id(&id)?).await?;
    Ok(Json(body(view)))
}

/// Read as text, so that a bad number is a 422 naming the parameter.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Default 1.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4294967295.0)]
    page: Option<String>,
    /// Default 25.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    per_page: Option<String>,
    #[param(schema_with = super::schema::status)]
    status: Option<String>,
    #[param(value_type = Option<String>, format = "uuid")]
    applicant_id: Option<String>,
    #[param(value_type = Option<String>, format = "uuid")]
    level_id: Option<String>,
}

fn number(raw: Option<&str>, field: &str, default: i64, max: i64) -> Result<i64, ApiError> {
    match raw {
        None => Ok(default),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid(
                field,
                "out_of_range",
                format!("must be a whole number from 1 to {max}"),
            )),
        },
    }
}

#[utoipa::path(get, path = "/kyc_applications", tag = "applications", security(("api_key" = [])),
    params(ListQuery),
    responses(KeyRefusals, (status = 200, description = "Newest first; the total is in X-Total-Results-Count", body = [ApplicationSummary],
               headers(("X-Total-Results-Count" = i64, description = "Applications matching the filters"))),
              (status = 422, description = "A parameter out of range, not a status or not an id, or unknown", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<(HeaderMap, Json<Vec<ApplicationSummary>>), ApiError> {
    let Query(query) =
        query.map_err(|e| ApiError::invalid("query", "invalid_query", e.body_text()))?;
    let page = number(query.page.as_deref(), "page", 1, i64::from(u32::MAX))?;
    let per_page = number(query.per_page.as_deref(), "per_page", 25, MAX_PER_PAGE)?;
    let filter = ListFilter {
        status: query
            .status
            .as_deref()
            .map(str::parse::<ApplicationStatus>)
            .transpose()
            .map_err(|_| ApiError::invalid("status", "unknown_value", "not a status"))?,
        applicant: query
            .applicant_id
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|_| ApiError::invalid("applicant_id", "invalid_id", "not an id"))?,
        level: query
            .level_id
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|_| ApiError::invalid("level_id", "invalid_id", "not an id"))?,
    };
    let (applications, total) =
        service::intake::list(&state.services, &ctx, &filter, page, per_page).await?;
    let mut headers = HeaderMap::new();
    headers.insert("x-total-results-count", HeaderValue::from(total));
    Ok((headers, Json(applications.iter().map(summary).collect())))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeChange {
    /// A requirement key of the application's level.
    key: String,
    /// As the requirement's kind takes it (text, date, object, ...).
    #[schema(value_type = Value)]
    value: Value,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAttributes {
    #[schema(min_items = 1, max_items = 200)]
    attribute_changes: Vec<AttributeChange>,
    /// The code sent by SMS, when a changed attribute is a signature requirement (seed 001).
    sms_sign_code: Option<String>,
    /// The code sent by e-mail, likewise.
    email_sign_code: Option<String>,
}

/// Seed 001 passes the signature codes as query parameters; the body fields take precedence.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignCodes {
    sms_sign_code: Option<String>,
    email_sign_code: Option<String>,
}

#[utoipa::path(patch, path = "/kyc_applications/{id}", tag = "applications", security(("api_key" = [])), params(("id" = String, Path, format = "uuid"), SignCodes), request_body = UpdateAttributes,
    responses(KeyRefusals, JsonBodyRefusals, (status = 200, body = ApplicationBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Not in draft or remediate", body = ErrorBody),
              (status = 422, description = "Per-key errors in details (unknown key, value not valid for the requirement, \
                 wrong signature code); nothing was written", body = ErrorBody)))]
pub async fn update_attributes(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    Path(id): Path<String>,
    Query(query): Query<SignCodes>,
    ApiJson(request): ApiJson<UpdateAttributes>,
) -> Result<Json<ApplicationBody>, ApiError> {
    let id = application_id(&id)?;
    if request.attribute_changes.is_empty() || request.attribute_changes.len() > MAX_CHANGES {
        return Err(ApiError::invalid(
            "attribute_changes",
            "out_of_range",
            format!("send 1 to {MAX_CHANGES} changes"),
        ));
    }
    let changes = request
        .attribute_changes
        .into_iter()
        .map(|c| (c.key, c.value))
        .collect();
    let sign_codes: HashMap<SignatureChannel, String> = [
        (
            SignatureChannel::Sms,
            request.sms_sign_code.or(query.sms_sign_code),
        ),
        (
            SignatureChannel::Email,
            request.email_sign_code.or(query.email_sign_code),
        ),
    ]
    .into_iter()
    .filter_map(|(channel, code)| Some((channel, code?)))
    .collect();
    let view =
        service::intake::update_attributes(&state.services, &ctx, id, changes, &sign_codes).await?;
    Ok(Json(body(view)))
}

#[utoipa::path(post, path = "/kyc_applications/{id}/send-to-review", tag = "applications", security(("api_key" = [])),
    params(("id" = String, Path, format = "uuid"), IdempotencyKey),
    responses(KeyRefusals, IdempotencyRefusals, (status = 200, description = "Now pending", body = ApplicationBody), (status = 404, body = ErrorBody),
              (status = 409, description = "invalid_transition, or idempotency_key_in_flight", body = ErrorBody),
              (status = 422, description = "missing_requirements: the missing keys in details; or the Idempotency-Key is invalid or reused", body = ErrorBody)))]
pub async fn send_to_review(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    Path(id): Path<String>,
) -> Result<Json<ApplicationBody>, ApiError> {
    let view = service::intake::send_to_review(&state.services, &ctx, application_id(&id)?).await?;
    Ok(Json(body(view)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForceStatus {
    #[schema(schema_with = super::schema::status)]
    status: String,
}

#[utoipa::path(put, path = "/kyc_applications/{id}", tag = "applications", security(("api_key" = [])), params(("id" = String, Path, format = "uuid")), request_body = ForceStatus,
    responses(KeyRefusals, JsonBodyRefusals, (status = 202, body = ApplicationBody), (status = 403, description = "Live tenants", body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, description = "invalid_transition", body = ErrorBody)))]
pub async fn force_status(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ForceStatus>,
) -> Result<(StatusCode, Json<ApplicationBody>), ApiError> {
    let to: ApplicationStatus = request
        .status
        .parse()
        .map_err(|_| ApiError::invalid("status", "unknown_value", "not a status"))?;
    let view =
        service::intake::force_status(&state.services, &ctx, application_id(&id)?, to).await?;
    Ok((StatusCode::ACCEPTED, Json(body(view))))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EventBody {
    seq: i64,
    occurred_at: String,
    action: String,
    #[schema(value_type = Object)]
    payload: Value,
}

#[utoipa::path(get, path = "/kyc_applications/{id}/events", tag = "applications", security(("api_key" = [])), params(("id" = String, Path, format = "uuid")),
    responses(KeyRefusals, (status = 200, body = [EventBody]), (status = 404, body = ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    Path(id): Path<String>,
) -> Result<Json<Vec<EventBody>>, ApiError> {
    let events = service::intake::events(&state.services, &ctx, application_id(&id)?).await?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| EventBody {
                seq: e.seq,
                occurred_at: e.occurred_at,
                action: e.action,
                payload: e.payload,
            })
            .collect(),
    ))
}

/// A tenant's own verification (seed 000 `client_verification`, seed 004 `tier`, `addressVerified`, `bvn`, `kycId`).
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientVerification {
    #[serde(skip_serializing_if = "Option::is_none")]
    document_approved: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    person_status_update: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    override_sanction_check: Option<bool>,
    /// RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    verification_datetime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::schema::text200)]
    verification_provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::schema::text200)]
    verification_provider_refnumber: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::schema::text200)]
    verification_level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 10)]
    tier: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address_verified: Option<bool>,
    /// 11 digits (surrounding whitespace is trimmed).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[0-9]{11}[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    bvn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::schema::text200)]
    kyc_id: Option<String>,
}

/// Longest free-text value in a client verification.
const MAX_TEXT: usize = 200;

impl ClientVerification {
    pub(crate) fn validate(mut self) -> Result<Value, ServiceError> {
        if let Some(at) = &self.verification_datetime {
            let parsed: crate::domain::time::Timestamp = at.parse().map_err(|_| {
                field_error(
                    "verification_datetime",
                    "invalid_datetime",
                    "an RFC 3339 date and time is required",
                )
            })?;
            self.verification_datetime = Some(parsed.canonical());
        }
        if let Some(bvn) = &self.bvn {
            let id = crate::domain::validate::government_id::GovernmentId::parse(
                crate::domain::validate::government_id::GovernmentIdType::Bvn,
                bvn,
            )
            .map_err(|e| field_error("bvn", e.code, &e.message))?;
            self.bvn = Some(id.number().to_owned());
        }
        if self.tier.is_some_and(|t| !(0..=10).contains(&t)) {
            return Err(field_error(
                "tier",
                "out_of_range",
                "tier must be from 0 to 10",
            ));
        }
        let texts = [
            ("verification_provider", &self.verification_provider),
            (
                "verification_provider_refnumber",
                &self.verification_provider_refnumber,
            ),
            ("verification_level", &self.verification_level),
            ("kyc_id", &self.kyc_id),
        ];
        if let Some((field, _)) = texts.iter().find(|(_, v)| {
            v.as_ref()
                .is_some_and(|v| v.chars().count() > MAX_TEXT || v.chars().any(char::is_control))
        }) {
            return Err(field_error(
                field,
                "invalid_text",
                &format!("at most {MAX_TEXT} printable characters"),
            ));
        }
        serde_json::to_value(&self).map_err(|e| ServiceError::Internal(e.to_string()))
    }
}

#[utoipa::path(post, path = "/kyc_applications/{id}/client-verification", tag = "applications", security(("api_key" = [])),
    params(("id" = String, Path, format = "uuid"), IdempotencyKey),
    request_body = ClientVerification,
    responses(KeyRefusals, IdempotencyRefusals, JsonBodyRefusals, (status = 200, body = ApplicationBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Not open for a client verification, or idempotency_key_in_flight", body = ErrorBody)))]
pub async fn client_verification(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ClientVerification>,
) -> Result<Json<ApplicationBody>, ApiError> {
    let assertion = request.validate()?;
    let view = service::intake::client_verification(
        &state.services,
        &ctx,
        application_id(&id)?,
        assertion,
    )
    .await?;
    Ok(Json(body(view)))
}
