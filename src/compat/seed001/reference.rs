//! What the questionnaire refers to: signature codes (`POST /v1/sign/send-code/`), attribute
//! definitions (`GET /v1/attribute-definitions/`) and legal documents (`GET /v1/legal-documents/`),
//! both by `client_type` and `key` over the active levels.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use serde_json::{Value, json};

use super::error::{Caller, Drf};
use super::input::{Body, Params};
use super::questionnaire::definition;
use crate::app::AppState;
use crate::domain::ids::{ApplicationId, TenantId};
use crate::domain::level::ApplicantType;
use crate::domain::requirement::{Requirement, RequirementKind, SignatureChannel};
use crate::domain::signature::{CODE_TTL, mask_destination};
use crate::service::{self, Ctx};

/// Longest destination (an e-mail address) a code may be sent to.
const MAX_DESTINATION: usize = 254;

/// `POST /v1/sign/send-code/` with `{"legal_entity_uuid", "object_uuid", "provider_type",
/// "destination"}`: `object_uuid` is the KYC application.
pub async fn send_code(
    State(state): State<AppState>,
    Caller(ctx): Caller,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Json<Value>, Drf> {
    let params = Params::parse(query.as_deref())?;
    let body = Body::parse(&body)?;
    let entity: TenantId = body.required_uuid("legal_entity_uuid")?;
    let application: ApplicationId = body.required_uuid("object_uuid")?;
    let channel = match body.required_text("provider_type")? {
        "sms" => SignatureChannel::Sms,
        "email" => SignatureChannel::Email,
        other => {
            return Err(Drf::field(
                "provider_type",
                format!("\"{other}\" is not a valid choice."),
            ));
        }
    };
    let destination = body.text("destination")?.map(str::to_owned);
    if destination
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESTINATION)
    {
        return Err(Drf::field(
            "destination",
            format!("Ensure this field has no more than {MAX_DESTINATION} characters."),
        ));
    }
    if entity != ctx.tenant_scope()?.id {
        return Err(Drf::not_found("legal entity"));
    }
    let view = service::intake::get(&state.services, &ctx, application).await?;
    params.check_application_scope(&ctx, view.application.applicant_id)?;
    let masked = destination.as_deref().map(mask_destination);
    service::signatures::send_code(&state.services, &ctx, application, channel, destination)
        .await?;
    Ok(Json(json!({
        "object_uuid": application,
        "provider_type": service::signatures::channel_name(channel),
        "destination": masked,
        "expires_in_seconds": CODE_TTL.num_seconds(),
    })))
}

/// The requirements of the active levels for this `client_type`, first definition of each key.
async fn requirements(
    state: &AppState,
    ctx: &Ctx,
    params: &Params,
) -> Result<Vec<Requirement>, Drf> {
    params.check_entity(ctx, true)?;
    let client_type = match params.get("client_type") {
        None => ApplicantType::Individual,
        Some(raw) => raw
            .parse()
            .map_err(|_| Drf::field("client_type", format!("\"{raw}\" is not a valid choice.")))?,
    };
    let levels = service::levels::list_active(&state.services, ctx).await?;
    let mut found: Vec<Requirement> = Vec::new();
    for requirement in levels
        .into_iter()
        .filter(|l| l.applicant_type == client_type)
        .flat_map(|l| l.requirements)
    {
        if !found.iter().any(|r| r.key == requirement.key) {
            found.push(requirement);
        }
    }
    Ok(found)
}

/// `GET /v1/attribute-definitions/?legal_entity_uuid&client_type&key`: what each attribute takes
/// (the options of reference data among them).
pub async fn attribute_definitions(
    State(state): State<AppState>,
    Caller(ctx): Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<Value>>, Drf> {
    let params = Params::parse(query.as_deref())?;
    let key = params.get("key");
    let definitions = requirements(&state, &ctx, &params)
        .await?
        .iter()
        .filter(|r| key.as_deref().is_none_or(|k| k == r.key))
        .map(definition)
        .collect();
    Ok(Json(definitions))
}

/// `GET /v1/legal-documents/?legal_entity_uuid&client_type&key`: the legal document the attribute
/// `key` asks the client to accept; its `uuid` is the attribute's value.
pub async fn legal_document(
    State(state): State<AppState>,
    Caller(ctx): Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, Drf> {
    let params = Params::parse(query.as_deref())?;
    let key = params
        .get("key")
        .ok_or_else(|| Drf::field("key", "This field is required."))?;
    let document_id = requirements(&state, &ctx, &params)
        .await?
        .into_iter()
        .find_map(|r| match r.kind {
            RequirementKind::LegalDocument { document_id } if r.key == key => Some(document_id),
            _ => None,
        })
        .ok_or_else(|| Drf::not_found("legal document"))?;
    let doc = service::levels::legal_document(&state.services, &ctx, &document_id).await?;
    Ok(Json(json!({
        "uuid": doc.id,
        "key": key,
        "title": doc.title,
        "version": doc.version,
        "text": doc.body,
        "published_at": doc.created_at.canonical(),
    })))
}
