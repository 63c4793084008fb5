//! `GET /levels`: the active levels with their requirements.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::auth::Tenant;
use super::error::{ApiError, ErrorBody, KeyRefusals};
use crate::app::AppState;
use crate::domain::level::LevelVersion;
use crate::domain::requirement::Requirement;
use crate::service;

#[derive(Serialize, utoipa::ToSchema)]
pub struct LevelBody {
    id: String,
    name: String,
    tier: i64,
    version: i64,
    applicant_type: &'static str,
    provider: String,
    four_eyes: bool,
    max_attempts: i64,
    /// Questionnaire items: `key`, `label`, `required`, `kind` and the options of that kind.
    #[schema(value_type = Vec<Object>)]
    requirements: Vec<Requirement>,
    upgrades_to: Vec<String>,
}

impl From<LevelVersion> for LevelBody {
    fn from(level: LevelVersion) -> Self {
        Self {
            id: level.level_id.to_string(),
            name: level.name,
            tier: level.tier,
            version: level.version,
            applicant_type: level.applicant_type.as_str(),
            provider: level.policy.provider,
            four_eyes: level.policy.four_eyes,
            max_attempts: level.policy.max_attempts,
            requirements: level.requirements,
            upgrades_to: level.upgrades_to.iter().map(ToString::to_string).collect(),
        }
    }
}

#[utoipa::path(get, path = "/levels", tag = "levels", security(("api_key" = [])),
    responses(KeyRefusals, (status = 200, description = "The active levels, current versions", body = [LevelBody])))]
pub async fn list(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
) -> Result<Json<Vec<LevelBody>>, ApiError> {
    let levels = service::levels::list_active(&state.services, &ctx).await?;
    Ok(Json(levels.into_iter().map(LevelBody::from).collect()))
}

/// A legal document version as tenants show it to applicants.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LegalDocumentBody {
    /// What a `legal_document` requirement takes as its value: accepting records this version.
    id: String,
    title: String,
    version: String,
    body: String,
    published_at: String,
}

#[utoipa::path(get, path = "/legal-documents/{id}", tag = "levels", security(("api_key" = [])), params(("id" = String, Path)),
    responses(KeyRefusals, (status = 200, body = LegalDocumentBody), (status = 404, body = ErrorBody)))]
pub async fn legal_document(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<LegalDocumentBody>, ApiError> {
    let doc = service::levels::legal_document(&state.services, &ctx, &id).await?;
    Ok(Json(LegalDocumentBody {
        id: doc.id,
        title: doc.title,
        version: doc.version,
        body: doc.body,
        published_at: doc.created_at.canonical(),
    }))
}
