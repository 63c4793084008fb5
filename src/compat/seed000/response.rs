//! The seed's answer: where the person stands on the level and one `verificationResults` entry per
//! provider check and per verification the tenant recorded itself.

use serde::Serialize;
use serde_json::Value;

use crate::domain::check::{Check, CheckKind, CheckResult, CheckStatus};
use crate::domain::document::{Document, DocumentSide, DocumentType};
use crate::domain::ids::ApplicantId;
use crate::domain::status::ApplicationStatus;
use crate::media::detect::MediaKind;
use crate::service::intake::ApplicationView;

#[derive(Serialize)]
pub struct KycDetails {
    person_guid: String,
    verification_mode: Option<&'static str>,
    verification_level: Option<String>,
    additional_desc: String,
    #[serde(rename = "verificationResults")]
    verification_results: Vec<VerificationResult>,
}

#[derive(Serialize)]
struct VerificationResult {
    person_guid: String,
    verification_method: String,
    verification_date: Option<String>,
    document_type: Option<&'static str>,
    document_path: Option<String>,
    response_code: &'static str,
    verification_results: String,
    reason_code: Option<String>,
    questions: Vec<QuestionBody>,
    provider_reference: Option<String>,
    provider_name: String,
    documents: Option<Documents>,
}

#[derive(Serialize)]
struct QuestionBody {
    prompt: String,
    key: String,
    options: Vec<String>,
}

/// The files behind a verification, by our document ids (the tenant API serves no files back).
#[derive(Serialize)]
struct Documents {
    document_reference: String,
    file_type: Option<String>,
    back_file_type: Option<String>,
    front_docpath: Option<String>,
    back_docpath: Option<String>,
    face_image_docpath: Option<String>,
}

/// Our document types as the seed spells them.
fn seed_document_type(doc_type: DocumentType) -> &'static str {
    match doc_type {
        DocumentType::Passport => "PASSPORT",
        DocumentType::IdCard => "ID_CARD",
        DocumentType::DriverLicense => "DRIVERS_LICENSE",
        DocumentType::ResidencePermit => "RESIDENCE_PERMIT",
        DocumentType::ProofOfAddress => "PROOF_OF_ADDRESS",
        DocumentType::ProofOfFunds => "PROOF_OF_FUNDS",
        DocumentType::Selfie => "SELFIE",
        DocumentType::Other => "OTHER",
    }
}

fn file_type(doc: &Document) -> Option<String> {
    MediaKind::from_declared(&doc.mime_type).map(|k| k.name().to_ascii_uppercase())
}

/// The latest front, back and face image among `docs`; `None` when there are none.
fn documents<'d>(
    docs: impl Iterator<Item = &'d Document> + Clone,
) -> Option<(Documents, &'d Document)> {
    let latest = |wanted: fn(&Document) -> bool| {
        docs.clone()
            .filter(|d| wanted(d))
            .max_by_key(|d| (d.attempt, d.uploaded_at))
    };
    let front =
        latest(|d| d.doc_type != DocumentType::Selfie && d.side != Some(DocumentSide::Back));
    let back = latest(|d| d.doc_type != DocumentType::Selfie && d.side == Some(DocumentSide::Back));
    let face = latest(|d| d.doc_type == DocumentType::Selfie);
    let main = front.or(back).or(face)?;
    Some((
        Documents {
            document_reference: main.id.to_string(),
            file_type: front.and_then(file_type),
            back_file_type: back.and_then(file_type),
            front_docpath: front.map(|d| d.id.to_string()),
            back_docpath: back.map(|d| d.id.to_string()),
            face_image_docpath: face.map(|d| d.id.to_string()),
        },
        main,
    ))
}

fn response_code(check: &Check) -> &'static str {
    match (check.status, check.result) {
        (CheckStatus::Pending, _) => "PENDING",
        (CheckStatus::Error, _) => "ERROR",
        (CheckStatus::Completed, Some(CheckResult::Clear)) => "CLEAR",
        (CheckStatus::Completed, Some(CheckResult::Consider)) => "CONSIDER",
        (CheckStatus::Completed, Some(CheckResult::Unknown)) => "UNKNOWN",
        (CheckStatus::Completed, None) if check.kind == CheckKind::Questions => "QUESTIONS_ASKED",
        (CheckStatus::Completed, None) => "COMPLETED",
    }
}

/// Checks that look at the files: they show the files the provider had when it ran.
fn looks_at_files(kind: CheckKind) -> bool {
    matches!(
        kind,
        CheckKind::Document | CheckKind::Selfie | CheckKind::FaceMatch | CheckKind::Liveness
    )
}

fn check_result(
    person: &str,
    view: &ApplicationView,
    check: &Check,
    open_questions: bool,
) -> VerificationResult {
    let files = if let Some(id) = check.document_id {
        documents(view.documents.iter().filter(move |d| d.id == id))
    } else if looks_at_files(check.kind) {
        let at = check.created_at;
        documents(view.documents.iter().filter(move |d| d.uploaded_at <= at))
    } else {
        None
    };
    let findings: Vec<&str> = check.findings.iter().map(|f| f.message.as_str()).collect();
    let codes: Vec<&str> = check.findings.iter().map(|f| f.code.as_str()).collect();
    VerificationResult {
        person_guid: person.to_owned(),
        verification_method: check.kind.as_str().to_ascii_uppercase(),
        verification_date: Some(check.created_at.canonical()),
        document_type: files
            .as_ref()
            .map(|(_, main)| seed_document_type(main.doc_type)),
        document_path: files.as_ref().map(|(_, main)| main.id.to_string()),
        response_code: response_code(check),
        verification_results: if findings.is_empty() {
            "no findings".into()
        } else {
            findings.join("; ")
        },
        reason_code: (!codes.is_empty()).then(|| codes.join(",")),
        questions: if open_questions {
            view.questions
                .iter()
                .map(|q| QuestionBody {
                    prompt: q.prompt.clone(),
                    key: q.key.clone(),
                    options: q.options.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
        provider_reference: check.reference.clone(),
        provider_name: check.provider.clone(),
        documents: files.map(|(set, _)| set),
    }
}

/// The tenant's own verification, as recorded (it decides nothing: reviewers see it).
fn client_result(person: &str, view: &ApplicationView, assertion: &Value) -> VerificationResult {
    let text = |key: &str| {
        assertion
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let backed_by: Vec<&str> = assertion
        .get("document_ids")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let files = documents(
        view.documents
            .iter()
            .filter(move |d| backed_by.contains(&d.id.to_string().as_str())),
    );
    VerificationResult {
        person_guid: person.to_owned(),
        verification_method: "CLIENT".into(),
        verification_date: text("verification_datetime"),
        document_type: files
            .as_ref()
            .map(|(_, main)| seed_document_type(main.doc_type)),
        document_path: files.as_ref().map(|(_, main)| main.id.to_string()),
        response_code: match assertion.get("document_approved").and_then(Value::as_bool) {
            Some(true) => "APPROVED",
            Some(false) => "NOT_APPROVED",
            None => "RECORDED",
        },
        verification_results: "recorded for the reviewers; it does not decide the verification"
            .into(),
        reason_code: None,
        questions: Vec::new(),
        provider_reference: text("verification_provider_refnumber"),
        provider_name: text("verification_provider").unwrap_or_else(|| "client".into()),
        documents: files.map(|(set, _)| set),
    }
}

fn description(view: &ApplicationView) -> String {
    let decision_note = || {
        view.decision
            .as_ref()
            .and_then(|d| d.message_to_applicant.clone())
            .map(|m| format!(": {m}"))
            .unwrap_or_default()
    };
    match view.application.status {
        ApplicationStatus::Draft if view.missing.is_empty() => {
            "Draft: complete; send it with perform_kyc".into()
        }
        ApplicationStatus::Draft => format!("Draft: missing {}", view.missing.join(", ")),
        ApplicationStatus::Pending => "Pending: sent for verification".into(),
        ApplicationStatus::Submitted if !view.questions.is_empty() => {
            "Submitted: waiting for the answers to the challenge questions".into()
        }
        ApplicationStatus::Submitted => "Submitted: the provider is verifying".into(),
        ApplicationStatus::Review => "In review: a reviewer decides".into(),
        ApplicationStatus::Remediate => format!("Remediation needed{}", decision_note()),
        ApplicationStatus::Accepted => "Accepted: verified".into(),
        ApplicationStatus::Rejected => format!("Rejected{}", decision_note()),
        ApplicationStatus::Failed => "Failed: the verification could not be run".into(),
    }
}

/// Where `person` stands: on their application `view`, or nowhere yet.
pub fn details(person: ApplicantId, view: Option<&ApplicationView>) -> KycDetails {
    let person = person.to_string();
    let Some(view) = view else {
        return KycDetails {
            person_guid: person,
            verification_mode: None,
            verification_level: None,
            additional_desc: "Not started: no verification yet".into(),
            verification_results: Vec::new(),
        };
    };
    let policy = &view.level.policy;
    let mode = if policy.auto_decision && policy.provider != "manual" {
        "AUTOMATIC"
    } else {
        "MANUAL_REVIEW"
    };
    // The open questions belong to the latest questions check, the one still without a result.
    let asking = view
        .checks
        .iter()
        .rposition(|c| c.kind == CheckKind::Questions && c.result.is_none())
        .filter(|_| !view.questions.is_empty());
    let mut results: Vec<VerificationResult> = view
        .checks
        .iter()
        .enumerate()
        .map(|(i, check)| check_result(&person, view, check, asking == Some(i)))
        .collect();
    if let Some(assertion) = &view.application.client_verification {
        results.push(client_result(&person, view, assertion));
    }
    KycDetails {
        person_guid: person,
        verification_mode: Some(mode),
        verification_level: Some(view.level.name.clone()),
        additional_desc: description(view),
        verification_results: results,
    }
}
