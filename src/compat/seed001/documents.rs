//! Seed 001's two-step document upload. `POST /v1/files/` takes the file(s) (multipart, any field
//! names) for the client's open application; `POST /v1/documents/` with `{"attribute_key", "files"}`
//! says what they are (`passport`, `id_card_front_side`, ...), which attaches them to the level's
//! requirement for that document. The answer is what the seed puts in the attribute value.

use axum::Json;
use axum::body::Body as HttpBody;
use axum::extract::{FromRequest, FromRequestParts, Multipart, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::{Caller, Drf};
use super::input::{Body, Params, uuids};
use crate::api::error::ApiError;
use crate::app::AppState;
use crate::domain::document::{Document, DocumentSide, DocumentType};
use crate::domain::ids::DocumentId;
use crate::domain::requirement::Requirement;
use crate::service;
use crate::service::documents::NewUpload;

/// The seed's document attribute keys (and `selfie`, which fills selfie and liveness requirements),
/// with the document type and side each one is.
const DOCUMENT_KEYS: [(&str, DocumentType, Option<DocumentSide>); 10] = [
    (
        "passport",
        DocumentType::Passport,
        Some(DocumentSide::Front),
    ),
    (
        "id_card_front_side",
        DocumentType::IdCard,
        Some(DocumentSide::Front),
    ),
    (
        "id_card_back_side",
        DocumentType::IdCard,
        Some(DocumentSide::Back),
    ),
    (
        "driver_license_front_side",
        DocumentType::DriverLicense,
        Some(DocumentSide::Front),
    ),
    (
        "driver_license_back_side",
        DocumentType::DriverLicense,
        Some(DocumentSide::Back),
    ),
    (
        "residence_permit_license_front_side",
        DocumentType::ResidencePermit,
        Some(DocumentSide::Front),
    ),
    (
        "residence_permit_license_back_side",
        DocumentType::ResidencePermit,
        Some(DocumentSide::Back),
    ),
    (
        "proof_of_address",
        DocumentType::ProofOfAddress,
        Some(DocumentSide::Front),
    ),
    (
        "proof_of_funds",
        DocumentType::ProofOfFunds,
        Some(DocumentSide::Front),
    ),
    ("selfie", DocumentType::Selfie, None),
];

/// Most files one document (or one upload) may have.
const MAX_FILES: usize = 3;

/// The type and side a document attribute key stands for.
pub fn document_key(key: &str) -> Option<(DocumentType, Option<DocumentSide>)> {
    DOCUMENT_KEYS
        .iter()
        .find(|(name, _, _)| *name == key)
        .map(|(_, doc_type, side)| (*doc_type, *side))
}

/// The attribute keys whose documents a requirement takes.
pub fn keys_for(requirement: &Requirement) -> Vec<&'static str> {
    DOCUMENT_KEYS
        .iter()
        .filter(|(_, doc_type, side)| requirement.accepts_upload(*doc_type, *side).is_ok())
        .map(|(name, _, _)| *name)
        .collect()
}

/// An uploaded file as this dialect shows it; `attribute_key` once it is part of a document.
pub fn file(doc: &Document) -> Value {
    let attribute_key = doc.requirement_key.as_ref().and_then(|_| {
        DOCUMENT_KEYS
            .iter()
            .find(|(_, doc_type, side)| {
                *doc_type == doc.doc_type && (doc.side.is_none() || doc.side == *side)
            })
            .map(|(name, _, _)| *name)
    });
    json!({
        "uuid": doc.id,
        "attribute_key": attribute_key,
        "mime_type": doc.mime_type,
        "size": doc.size_bytes,
        "uploaded_at": doc.uploaded_at.canonical(),
    })
}

/// Room for `MAX_FILES` files at the configured size, plus the form around them.
fn body_limit(max_upload_bytes: usize) -> usize {
    max_upload_bytes.saturating_mul(MAX_FILES) + 64 * 1024
}

fn too_large(limit: usize) -> Drf {
    Drf(ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!(
            "Request entity too large: at most {MAX_FILES} files of {} MiB each.",
            limit / (1024 * 1024)
        ),
    ))
}

async fn read_files(mut multipart: Multipart, limit: usize) -> Result<Vec<NewUpload>, Drf> {
    let malformed =
        |e: axum::extract::multipart::MultipartError| Drf::field("files", e.body_text());
    let mut uploads = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        // Form fields without a file name are text; DRF ignores fields it does not know.
        if field.file_name().is_none() {
            continue;
        }
        let name = field.name().unwrap_or("files").to_owned();
        let declared = field
            .content_type()
            .map(str::to_owned)
            .filter(|t| t != "application/octet-stream");
        let bytes = field.bytes().await.map_err(malformed)?;
        if bytes.len() > limit {
            return Err(too_large(limit));
        }
        uploads.push(NewUpload {
            requirement_key: None,
            doc_type: DocumentType::Other,
            side: None,
            issuing_country: None,
            liveness: None,
            declared_type: declared,
            field: name,
            bytes: bytes.to_vec(),
        });
    }
    match uploads.len() {
        0 => Err(Drf::field("files", "No file was submitted.")),
        n if n > MAX_FILES => Err(Drf::field(
            "files",
            format!("Ensure this field has no more than {MAX_FILES} elements."),
        )),
        _ => Ok(uploads),
    }
}

/// `POST /v1/files/?legal_entity_uuid&client_uuid`, multipart.
pub async fn upload(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Result<Response, Drf> {
    let limit = state.config.max_upload_bytes;
    let (mut parts, body) = request.into_parts();
    let scope = async {
        let Caller(ctx) = Caller::from_request_parts(&mut parts, &state).await?;
        let client = Params::parse(query.as_deref())?.client(&ctx)?;
        Ok::<_, Drf>((ctx, client))
    };
    let (ctx, client) = match scope.await {
        Ok(scope) => scope,
        Err(refusal) => {
            crate::compat::drain(body, body_limit(limit)).await;
            return Err(refusal);
        }
    };
    // The route has no default body limit: the whole form is bounded here, each file below.
    let bytes = axum::body::to_bytes(body, body_limit(limit))
        .await
        .map_err(|_| too_large(limit))?;
    let multipart =
        Multipart::from_request(Request::from_parts(parts, HttpBody::from(bytes)), &state)
            .await
            .map_err(|e| Drf::field("files", e.body_text()))?;
    let uploads = read_files(multipart, limit).await?;
    let stored =
        service::documents::upload_unattached(&state.services, &ctx, client, uploads).await?;
    let files: Vec<Value> = stored.iter().map(file).collect();
    Ok((StatusCode::CREATED, Json(files)).into_response())
}

/// `POST /v1/documents/?legal_entity_uuid&client_uuid` with `{"attribute_key", "files"}`.
pub async fn create(
    State(state): State<AppState>,
    Caller(ctx): Caller,
    RawQuery(query): RawQuery,
    body: axum::body::Bytes,
) -> Result<Response, Drf> {
    let client = Params::parse(query.as_deref())?.client(&ctx)?;
    let body = Body::parse(&body)?;
    let attribute_key = body.required_text("attribute_key")?;
    let (doc_type, side) = document_key(attribute_key).ok_or_else(|| {
        Drf::field(
            "attribute_key",
            format!("\"{attribute_key}\" is not a valid choice."),
        )
    })?;
    let files: Vec<DocumentId> = uuids("files", body.required_list("files")?)?;
    if files.is_empty() || files.len() > MAX_FILES {
        return Err(Drf::field(
            "files",
            format!("Give 1 to {MAX_FILES} uploaded files."),
        ));
    }
    let (application, documents) =
        service::documents::attach(&state.services, &ctx, client, &files, doc_type, side).await?;
    let answer = json!({
        "attribute_key": attribute_key,
        "kyc_application_uuid": application.id,
        "requirement_key": documents.first().and_then(|d| d.requirement_key.clone()),
        "files": documents.iter().map(file).collect::<Vec<_>>(),
    });
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}
