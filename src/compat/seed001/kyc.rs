//! The KYC flow: level info and creation (`/v1/clients/kyc-level-info/`), the application
//! (`/v1/kyc/{uuid}/`: read, fill, send to review) and one attribute
//! (`/v1/kyc/{uuid}/attributes/{key}/`, which issues liveness tokens).

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::documents::document_key;
use super::error::{Caller, Drf};
use super::input::{Body, Params, uuids};
use super::questionnaire::{LIVENESS_TOKEN, LivenessToken, application, attribute, needs_liveness};
use crate::app::AppState;
use crate::domain::application::ApplicationKind;
use crate::domain::document::Document;
use crate::domain::ids::{ApplicationId, DocumentId, LevelId};
use crate::domain::level::ApplicantType;
use crate::domain::requirement::SignatureChannel;
use crate::domain::status::ApplicationStatus;
use crate::service::applicants::TOKEN_TTL_SECONDS;
use crate::service::intake::{ApplicationView, NewApplication};
use crate::service::{self, Ctx};

/// Most attribute changes one PATCH may carry (as the native API).
const MAX_CHANGES: usize = 200;

/// A liveness token's lifetime when the client names none (as the native API).
const DEFAULT_TOKEN_TTL: i64 = 600;

fn application_id(raw: &str) -> Result<ApplicationId, Drf> {
    raw.parse().map_err(|_| Drf::not_found("application"))
}

/// `GET /v1/clients/kyc-level-info/?legal_entity_uuid&client_uuid`.
pub async fn level_info(
    State(state): State<AppState>,
    Caller(ctx): Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, Drf> {
    let client = Params::parse(query.as_deref())?.client(&ctx)?;
    let (info, levels) = service::applicants::level_info(&state.services, &ctx, client).await?;
    let level = |id: LevelId| {
        levels
            .iter()
            .find(|l| l.level_id == id)
            .map(|l| json!({"uuid": l.level_id, "name": l.name, "tier": l.tier}))
    };
    Ok(Json(json!({
        "legal_entity_uuid": ctx.tenant_scope()?.id,
        "client_uuid": client,
        "current_level": info.current_level.and_then(level),
        "allowed_to_create_kyc_application": info.allowed_to_create_kyc_application,
        "available_levels_for_upgrade": info.available_levels_for_upgrade.into_iter().filter_map(level).collect::<Vec<_>>(),
        "last_kyc_application_uuid": info.last_kyc_application_id,
    })))
}

/// `POST /v1/clients/kyc-level-info/` with `{"kyc_level_uuid"}`: the new application's questionnaire.
pub async fn create(
    State(state): State<AppState>,
    Caller(ctx): Caller,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, Drf> {
    let client = Params::parse(query.as_deref())?.client(&ctx)?;
    let level: LevelId = Body::parse(&body)?.required_uuid("kyc_level_uuid")?;
    let (applicant, _) = service::applicants::get(&state.services, &ctx, client).await?;
    let new = NewApplication {
        applicant_id: client,
        level_id: level,
        kind: match applicant.applicant_type {
            ApplicantType::Individual => ApplicationKind::Kyc,
            ApplicantType::Business => ApplicationKind::Kyb,
        },
        params: json!({}),
        webhook_url: None,
    };
    let view = service::intake::create(&state.services, &ctx, new).await?;
    Ok((StatusCode::CREATED, Json(application(&view, None))).into_response())
}

/// The application, if the request's scope is the application's.
async fn scoped_view(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    params: &Params,
) -> Result<ApplicationView, Drf> {
    let view = service::intake::get(&state.services, ctx, application_id(id)?).await?;
    params.check_application_scope(ctx, view.application.applicant_id)?;
    Ok(view)
}

/// The lifetime to issue a liveness token for: `ttl_max`, after checking `ttl_min ≤ ttl_max`
/// within the lifetimes tokens may have. `ttl_renew` is read but changes nothing: only token
/// hashes are kept, so every answer carries a new token and earlier ones stay valid until they
/// expire (which is what `ttl_renew=false` protects).
fn token_ttl(params: &Params, prefix: &str) -> Result<i64, Drf> {
    let (min_name, max_name) = (format!("{prefix}ttl_min"), format!("{prefix}ttl_max"));
    params.flag(&format!("{prefix}ttl_renew"))?;
    let min = params.int(&min_name)?.unwrap_or(*TOKEN_TTL_SECONDS.start());
    let max = params
        .int(&max_name)?
        .unwrap_or_else(|| DEFAULT_TOKEN_TTL.max(min));
    for (name, value) in [(&min_name, min), (&max_name, max)] {
        if !TOKEN_TTL_SECONDS.contains(&value) {
            return Err(Drf::field(
                name,
                format!(
                    "Ensure this value is between {} and {}.",
                    TOKEN_TTL_SECONDS.start(),
                    TOKEN_TTL_SECONDS.end()
                ),
            ));
        }
    }
    if min > max {
        return Err(Drf::field(
            &min_name,
            format!("Must not exceed {max_name}."),
        ));
    }
    Ok(max)
}

/// A liveness token for the application's applicant, when the level asks for a liveness check that
/// can still be done and the client did not ask for volatile fields to stay empty.
async fn liveness_token(
    state: &AppState,
    ctx: &Ctx,
    view: &ApplicationView,
    params: &Params,
    prefix: &str,
) -> Result<Option<LivenessToken>, Drf> {
    let ttl = token_ttl(params, prefix)?;
    let open = matches!(
        view.application.status,
        ApplicationStatus::Draft | ApplicationStatus::Remediate
    );
    if params.flag("empty_volatile_fields")?.unwrap_or(false) || !open || !needs_liveness(view) {
        return Ok(None);
    }
    let applicant = view.application.applicant_id;
    let (value, expires_at) =
        service::applicants::issue_access_token(&state.services, ctx, applicant, ttl).await?;
    let (found, _) = service::applicants::get(&state.services, ctx, applicant).await?;
    let answer = |key: &str| {
        view.application
            .attributes
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Ok(Some(LivenessToken {
        value,
        expires_at,
        email: found
            .email
            .map(|e| e.as_str().to_owned())
            .or_else(|| answer("email")),
        phone: found
            .phone
            .map(|p| p.as_str().to_owned())
            .or_else(|| answer("phone")),
    }))
}

/// `GET /v1/kyc/{uuid}/` with `empty_volatile_fields` and `sumsub_liveness_check_token.ttl_*`.
pub async fn get(
    State(state): State<AppState>,
    Caller(ctx): Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, Drf> {
    let params = Params::parse(query.as_deref())?;
    let view = scoped_view(&state, &ctx, &id, &params).await?;
    let prefix = format!("{LIVENESS_TOKEN}.");
    let token = liveness_token(&state, &ctx, &view, &params, &prefix).await?;
    Ok(Json(application(&view, token.as_ref())))
}

/// `GET /v1/kyc/{uuid}/attributes/{attribute_key}/` with `ttl_min`, `ttl_max`, `ttl_renew`.
pub async fn get_attribute(
    State(state): State<AppState>,
    Caller(ctx): Caller,
    Path((id, key)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, Drf> {
    let params = Params::parse(query.as_deref())?;
    let view = scoped_view(&state, &ctx, &id, &params).await?;
    let token = if key == LIVENESS_TOKEN {
        liveness_token(&state, &ctx, &view, &params, "").await?
    } else {
        None
    };
    attribute(&view, &key, token.as_ref())
        .map(Json)
        .ok_or_else(|| Drf::not_found("attribute"))
}

/// A document attribute takes what `POST /v1/documents/` answered: its files must be documents of
/// this attempt that fill this attribute. They were attached then, so nothing more is written.
fn check_document_value(view: &ApplicationView, key: &str, value: &Value) -> Result<(), Drf> {
    let refusal = || {
        Drf::field(
            key,
            "Upload the file(s), create the document (POST /v1/documents/) and put its answer here.",
        )
    };
    let files = value
        .get("files")
        .and_then(Value::as_array)
        .filter(|f| !f.is_empty())
        .ok_or_else(refusal)?;
    let ids: Vec<DocumentId> = uuids(key, files)?;
    let fits = |doc: &Document| match document_key(key) {
        Some((doc_type, side)) => {
            doc.requirement_key.is_some()
                && doc.doc_type == doc_type
                && (side.is_none() || doc.side.is_none() || doc.side == side)
        }
        None => doc.requirement_key.as_deref() == Some(key),
    };
    let all_fit = ids.iter().all(|id| {
        view.documents
            .iter()
            .any(|d| d.id == *id && d.attempt == view.application.intake_attempt() && fits(d))
    });
    if all_fit { Ok(()) } else { Err(refusal()) }
}

/// `PATCH /v1/kyc/{uuid}/` with `{"attribute_changes": [{"key", "value"}]}` and the signature codes
/// (`sms_sign_code`, `email_sign_code`) in the query.
pub async fn update(
    State(state): State<AppState>,
    Caller(ctx): Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Json<Value>, Drf> {
    let params = Params::parse(query.as_deref())?;
    let body = Body::parse(&body)?;
    let changes = body.required_list("attribute_changes")?;
    if changes.is_empty() || changes.len() > MAX_CHANGES {
        return Err(Drf::field(
            "attribute_changes",
            format!("Send 1 to {MAX_CHANGES} changes."),
        ));
    }
    let view = scoped_view(&state, &ctx, &id, &params).await?;
    let mut answers = Vec::new();
    for change in changes {
        let key = change
            .get("key")
            .and_then(Value::as_str)
            .filter(|k| !k.trim().is_empty())
            .ok_or_else(|| {
                Drf::field(
                    "attribute_changes",
                    "Each change is {\"key\": \"...\", \"value\": ...}.",
                )
            })?;
        let value = change.get("value").cloned().unwrap_or(Value::Null);
        let upload_kind = view.level.requirement(key).map(|r| r.kind.is_upload());
        match upload_kind {
            _ if key == LIVENESS_TOKEN => {
                return Err(Drf::field(key, "This attribute is read-only."));
            }
            Some(true) => check_document_value(&view, key, &value)?,
            None if document_key(key).is_some() => check_document_value(&view, key, &value)?,
            _ => answers.push((key.to_owned(), value)),
        }
    }
    if answers.is_empty() {
        return Ok(Json(application(&view, None)));
    }
    let sign_codes: HashMap<SignatureChannel, String> = [
        (SignatureChannel::Sms, params.get("sms_sign_code")),
        (SignatureChannel::Email, params.get("email_sign_code")),
    ]
    .into_iter()
    .filter_map(|(channel, code)| Some((channel, code?)))
    .collect();
    let view = service::intake::update_attributes(
        &state.services,
        &ctx,
        view.application.id,
        answers,
        &sign_codes,
    )
    .await?;
    Ok(Json(application(&view, None)))
}

/// `POST /v1/kyc/{uuid}/send-to-review/`.
pub async fn send_to_review(
    State(state): State<AppState>,
    Caller(ctx): Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, Drf> {
    let params = Params::parse(query.as_deref())?;
    let view = scoped_view(&state, &ctx, &id, &params).await?;
    let view = service::intake::send_to_review(&state.services, &ctx, view.application.id).await?;
    Ok(Json(application(&view, None)))
}
