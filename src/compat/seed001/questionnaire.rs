//! The KYC application as seed 001 shows it: `kyc_steps[]` grouping the level's requirements, each
//! step with `title` and `questions[]`, each question with `title` and its `attribute` (`key`,
//! `type`, `value`, `required`, and what its type needs: `options`, `sign_providers`,
//! `legal_document_uuid`, `document_keys`). Document attributes carry the uploaded files and the
//! provider's diagnostics under `value.verification.<provider>`.

use serde_json::{Value, json};

use super::documents::{file, keys_for};
use crate::domain::check::{Check, CheckKind, CheckResult, CheckStatus};
use crate::domain::document::{Document, in_force};
use crate::domain::requirement::{Requirement, RequirementKind};
use crate::domain::status::ApplicationStatus;
use crate::domain::time::Timestamp;
use crate::service::intake::ApplicationView;
use crate::service::signatures::channel_name;

/// The attribute holding a liveness access token (an applicant-bound token of ours).
pub const LIVENESS_TOKEN: &str = "sumsub_liveness_check_token";

/// A freshly issued liveness token and the contact details the seed shows beside it.
pub struct LivenessToken {
    pub value: String,
    pub expires_at: Timestamp,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The seed's status words: `pending` is an application sent back for correction, `rejected` is
/// final, `accepted` is verified; one still being filled is a `draft`, one being checked `in_review`.
pub fn status_word(status: ApplicationStatus) -> &'static str {
    match status {
        ApplicationStatus::Draft => "draft",
        ApplicationStatus::Pending
        | ApplicationStatus::Submitted
        | ApplicationStatus::Review
        | ApplicationStatus::Failed => "in_review",
        ApplicationStatus::Remediate => "pending",
        ApplicationStatus::Accepted => "accepted",
        ApplicationStatus::Rejected => "rejected",
    }
}

fn step_title(kind: &RequirementKind) -> &'static str {
    match kind {
        RequirementKind::Document { .. } => "Documents",
        RequirementKind::Selfie | RequirementKind::Liveness => "Liveness check",
        RequirementKind::LegalDocument { .. } | RequirementKind::Signature { .. } => "Agreements",
        _ => "Personal information",
    }
}

fn type_name(kind: &RequirementKind) -> &'static str {
    match kind {
        RequirementKind::Select { .. } => "reference_data",
        RequirementKind::Document { .. } | RequirementKind::Selfie => "document",
        other => other.name(),
    }
}

/// What an attribute is, without its value: also the attribute definitions' answer.
pub fn definition(requirement: &Requirement) -> Value {
    let mut attribute = json!({
        "key": requirement.key,
        "title": requirement.label,
        "type": type_name(&requirement.kind),
        "required": requirement.required,
    });
    let extra = match &requirement.kind {
        RequirementKind::Select { options } => json!({"options": options
            .iter()
            .map(|o| json!({"value": o.value, "title": o.label}))
            .collect::<Vec<_>>()}),
        RequirementKind::LegalDocument { document_id } => {
            json!({"legal_document_uuid": document_id})
        }
        RequirementKind::Signature { channel } => {
            json!({"sign_providers": [channel_name(*channel)]})
        }
        RequirementKind::GovernmentId { id_types } => json!({"id_types": id_types
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()}),
        kind if kind.is_upload() => json!({"document_keys": keys_for(requirement)}),
        _ => json!({}),
    };
    if let (Some(target), Value::Object(more)) = (attribute.as_object_mut(), extra) {
        target.extend(more);
    }
    attribute
}

fn check_status(check: &Check) -> &'static str {
    match (check.status, check.result) {
        (CheckStatus::Pending, _) => "pending",
        (CheckStatus::Error, _) => "error",
        (CheckStatus::Completed, Some(CheckResult::Clear)) => "approved",
        (CheckStatus::Completed, Some(CheckResult::Consider)) => "declined",
        (CheckStatus::Completed, Some(CheckResult::Unknown) | None) => "ignored",
    }
}

/// The provider's latest check on these documents, per provider: a check names its document, or
/// else covers every document of its kind uploaded before it.
fn verification(kind: &RequirementKind, docs: &[&Document], checks: &[Check]) -> Value {
    let kinds: &[CheckKind] = match kind {
        RequirementKind::Document { .. } => &[CheckKind::Document],
        _ => &[CheckKind::Selfie, CheckKind::FaceMatch, CheckKind::Liveness],
    };
    let first_upload = docs.iter().map(|d| d.uploaded_at).min();
    let mut by_provider = serde_json::Map::new();
    for check in checks.iter().filter(|c| match c.document_id {
        Some(id) => docs.iter().any(|d| d.id == id),
        None => kinds.contains(&c.kind) && first_upload.is_some_and(|at| c.created_at >= at),
    }) {
        let notes: Vec<&str> = check.findings.iter().map(|f| f.message.as_str()).collect();
        by_provider.insert(
            check.provider.clone(),
            json!({
                "verificator": check.provider,
                "status": check_status(check),
                "client_note": (!notes.is_empty()).then(|| notes.join("; ")),
            }),
        );
    }
    Value::Object(by_provider)
}

fn question(requirement: &Requirement, view: &ApplicationView) -> Value {
    let app = &view.application;
    let mut attribute = definition(requirement);
    let (value, filled) = if requirement.kind.is_upload() {
        let docs: Vec<&Document> = in_force(&view.documents, app.intake_attempt())
            .into_iter()
            .filter(|d| d.requirement_key.as_deref() == Some(&requirement.key))
            .collect();
        let value = (!docs.is_empty()).then(|| {
            json!({
                "files": docs.iter().map(|d| file(d)).collect::<Vec<_>>(),
                "verification": verification(&requirement.kind, &docs, &view.checks),
            })
        });
        (
            value,
            !view.missing.contains(&requirement.key) && !docs.is_empty(),
        )
    } else {
        let value = app.attributes.get(&requirement.key).cloned();
        let filled = value.is_some();
        (value, filled)
    };
    attribute["value"] = value.unwrap_or(Value::Null);
    attribute["filled"] = json!(filled);
    json!({"title": requirement.label, "attribute": attribute})
}

/// The liveness token attribute; its value is `null` unless a token was issued for this answer.
pub fn token_attribute(token: Option<&LivenessToken>) -> Value {
    json!({
        "key": LIVENESS_TOKEN,
        "title": "SumSub liveness check token",
        "type": LIVENESS_TOKEN,
        "required": false,
        "volatile": true,
        "value": token.map(|t| t.value.as_str()),
        "expires_at": token.map(|t| t.expires_at.canonical()),
        "additional_info": {
            "email": token.and_then(|t| t.email.as_deref()),
            "phone": token.and_then(|t| t.phone.as_deref()),
        },
    })
}

/// Whether the level asks for a liveness check, and so shows the token attribute.
pub fn needs_liveness(view: &ApplicationView) -> bool {
    view.level
        .requirements
        .iter()
        .any(|r| matches!(r.kind, RequirementKind::Liveness))
}

/// The steps in the order their first requirement comes in the level.
fn steps(view: &ApplicationView, token: Option<&LivenessToken>) -> Vec<Value> {
    let mut steps: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for requirement in &view.level.requirements {
        let title = step_title(&requirement.kind);
        let index = match steps.iter().position(|(t, _)| *t == title) {
            Some(index) => index,
            None => {
                steps.push((title, Vec::new()));
                steps.len() - 1
            }
        };
        if matches!(requirement.kind, RequirementKind::Liveness) {
            steps[index].1.push(json!({
                "title": "SumSub liveness check token",
                "attribute": token_attribute(token),
            }));
        }
        steps[index].1.push(question(requirement, view));
    }
    steps
        .into_iter()
        .map(|(title, questions)| json!({"title": title, "questions": questions}))
        .collect()
}

/// Every attribute of the application by key, for `GET .../attributes/{key}/`.
pub fn attribute(
    view: &ApplicationView,
    key: &str,
    token: Option<&LivenessToken>,
) -> Option<Value> {
    if key == LIVENESS_TOKEN {
        return needs_liveness(view).then(|| token_attribute(token));
    }
    view.level
        .requirement(key)
        .map(|r| question(r, view)["attribute"].clone())
}

pub fn application(view: &ApplicationView, token: Option<&LivenessToken>) -> Value {
    let app = &view.application;
    json!({
        "uuid": app.id,
        "legal_entity_uuid": app.tenant_id,
        "client_uuid": app.applicant_id,
        "kyc_level": {"uuid": view.level.level_id, "name": view.level.name, "tier": view.level.tier},
        "status": status_word(app.status),
        "attempt": app.attempt,
        "max_attempts": app.max_attempts,
        "missing_attributes": view.missing,
        "review_comment": view.decision.as_ref().and_then(|d| d.message_to_applicant.clone()),
        "created_at": app.created_at.canonical(),
        "updated_at": app.updated_at.canonical(),
        "kyc_steps": steps(view, token),
    })
}
