//! `POST /kyc_applications/{id}/documents`: a multipart upload (`document_type`, `side`,
//! `issuing_country`, `requirement_key`, `file`), or JSON with base64 `front` / `back` / `face_image`
//! and `liveness_detected` (seed 000). Files are read into memory up to the configured limit: the
//! checks that follow (magic bytes, decoding, thumbnail) need all of them anyway.

use axum::Json;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::applications::{DocumentBody, application_id, document_body};
use super::auth::Tenant;
use super::error::{ApiError, ErrorBody, IdempotencyRefusals, JsonBodyRefusals, KeyRefusals};
use super::idempotency::IdempotencyKey;
use super::json::ApiJson;
use crate::app::AppState;
use crate::domain::document::{DocumentSide, DocumentType};
use crate::domain::validate::country::CountryCode;
use crate::service::{self, documents::NewUpload};

#[derive(Serialize, utoipa::ToSchema)]
pub struct Uploaded {
    documents: Vec<DocumentBody>,
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("a file may be at most {} MiB", limit / (1024 * 1024)),
    )
}

/// Document types as the seeds write them (`PASSPORT`, `DRIVERS_LICENSE`, `id_card`, ...).
fn document_type(raw: &str) -> Result<DocumentType, ApiError> {
    let normalized = raw.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    let alias = match normalized.as_str() {
        "drivers_license" | "driving_licence" | "driver_licence" => "driver_license",
        "national_id" | "identity_card" => "id_card",
        other => other,
    };
    alias.parse().map_err(|_| {
        ApiError::invalid(
            "document_type",
            "unknown_value",
            "not a known document type",
        )
    })
}

fn side(raw: &str) -> Result<DocumentSide, ApiError> {
    raw.trim()
        .to_ascii_lowercase()
        .parse()
        .map_err(|_| ApiError::invalid("side", "unknown_value", "side must be front or back"))
}

fn country(raw: &str) -> Result<CountryCode, ApiError> {
    CountryCode::parse(raw).map_err(|e| ApiError::invalid("issuing_country", e.code, e.message))
}

async fn from_multipart(mut multipart: Multipart, limit: usize) -> Result<NewUpload, ApiError> {
    let (mut doc_type, mut doc_side, mut issuing, mut key, mut liveness, mut file) =
        (None, None, None, None, None, None);
    let mut refusal: Option<ApiError> = None;
    // Set once the file passed the limit. The rest of the body is still read (and dropped), up to
    // the transport's limit, for the same reason as after a refused field (below); whatever goes
    // wrong meanwhile, the answer is 413.
    let mut too_big = false;
    let failed = |too_big: bool, field: &str, e: MultipartError| {
        if too_big {
            too_large(limit)
        } else {
            ApiError::invalid(field, "invalid_multipart", e.body_text())
        }
    };
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| failed(too_big, "body", e))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let declared = field
                .content_type()
                .map(str::to_owned)
                .filter(|t| t != "application/octet-stream");
            let mut bytes = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| failed(too_big, "file", e))?
            {
                too_big = too_big || bytes.len() + chunk.len() > limit;
                if !too_big {
                    bytes.extend_from_slice(&chunk);
                }
            }
            file = Some((declared, bytes));
            continue;
        }
        let value = field.text().await.map_err(|e| failed(too_big, &name, e))?;
        let parsed = match name.as_str() {
            "document_type" => document_type(&value).map(|t| doc_type = Some(t)),
            "side" if !value.trim().is_empty() => side(&value).map(|s| doc_side = Some(s)),
            "issuing_country" if !value.trim().is_empty() => {
                country(&value).map(|c| issuing = Some(c))
            }
            "requirement_key" if !value.trim().is_empty() => {
                key = Some(value.trim().to_owned());
                Ok(())
            }
            "liveness_detected" => {
                liveness = Some(matches!(value.trim(), "true" | "1" | "on"));
                Ok(())
            }
            "side" | "issuing_country" | "requirement_key" => Ok(()),
            other => Err(ApiError::invalid(
                other,
                "unknown_field",
                "not a field of this upload",
            )),
        };
        // Keep reading after a refused field: answering before the client has sent its whole
        // body makes the connection close under it (a broken pipe instead of our answer).
        if let Err(error) = parsed {
            refusal.get_or_insert(error);
        }
    }
    if too_big {
        return Err(too_large(limit));
    }
    if let Some(error) = refusal {
        return Err(error);
    }
    let (declared_type, bytes) = file.ok_or_else(|| {
        ApiError::invalid("file", "required", "attach the document as the field file")
    })?;
    let doc_type = doc_type.ok_or_else(|| {
        ApiError::invalid("document_type", "required", "document_type is required")
    })?;
    Ok(NewUpload {
        requirement_key: key,
        doc_type,
        side: doc_side,
        issuing_country: issuing,
        liveness,
        declared_type,
        field: "file".into(),
        bytes,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonUpload {
    document_type: String,
    #[serde(default)]
    file_type: Option<String>,
    #[serde(default)]
    issuing_country: Option<String>,
    #[serde(default)]
    requirement_key: Option<String>,
    #[serde(default)]
    front: Option<String>,
    #[serde(default)]
    back: Option<String>,
    #[serde(default)]
    face_image: Option<String>,
    #[serde(default)]
    liveness_detected: Option<bool>,
}

impl JsonUpload {
    /// The declared type, for dialects that check it against their own list first.
    pub(crate) fn file_type(&self) -> Option<&str> {
        self.file_type.as_deref()
    }
}

fn decode(field: &str, text: &str, limit: usize) -> Result<Vec<u8>, ApiError> {
    // Data URLs (`data:image/png;base64,...`) are common in SDKs; the prefix carries nothing we trust.
    let payload = text
        .split_once("base64,")
        .map_or(text, |(_, b64)| b64)
        .trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .map_err(|_| ApiError::invalid(field, "invalid_base64", "not valid base64"))?;
    if bytes.len() > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

pub(crate) fn from_json(body: JsonUpload, limit: usize) -> Result<Vec<NewUpload>, ApiError> {
    let doc_type = document_type(&body.document_type)?;
    let issuing = body
        .issuing_country
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(country)
        .transpose()?;
    let key = body
        .requirement_key
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty());
    let mut uploads = Vec::new();
    for (field, side, content) in [
        ("front", DocumentSide::Front, &body.front),
        ("back", DocumentSide::Back, &body.back),
    ] {
        if let Some(text) = content.as_deref().filter(|t| !t.is_empty()) {
            uploads.push(NewUpload {
                requirement_key: key.clone(),
                doc_type,
                side: Some(side),
                issuing_country: issuing,
                liveness: None,
                declared_type: body.file_type.clone(),
                field: field.into(),
                bytes: decode(field, text, limit)?,
            });
        }
    }
    if let Some(text) = body.face_image.as_deref().filter(|t| !t.is_empty()) {
        uploads.push(NewUpload {
            requirement_key: None,
            doc_type: DocumentType::Selfie,
            side: None,
            issuing_country: None,
            liveness: body.liveness_detected,
            declared_type: None,
            field: "face_image".into(),
            bytes: decode("face_image", text, limit)?,
        });
    }
    if uploads.is_empty() {
        return Err(ApiError::invalid(
            "front",
            "required",
            "send at least one of front, back, face_image",
        ));
    }
    Ok(uploads)
}

#[utoipa::path(post, path = "/kyc_applications/{id}/documents", tag = "documents", security(("api_key" = [])),
    params(("id" = String, Path, format = "uuid"), IdempotencyKey),
    request_body(content(
        (UploadForm = "multipart/form-data"),
        (JsonUploadForm = "application/json"),
    )),
    responses(KeyRefusals, IdempotencyRefusals, JsonBodyRefusals, (status = 201, body = Uploaded), (status = 404, body = ErrorBody),
              (status = 409, description = "Not in draft or remediate, or idempotency_key_in_flight", body = ErrorBody),
              (status = 413, description = "A file over the size limit, or the body too large", body = ErrorBody),
              (status = 415, description = "A file that is not JPEG, PNG, WebP, PDF, BMP or TIFF, or a body neither JSON nor multipart", body = ErrorBody),
              (status = 422, description = "No file, not base64, type mismatch, over 40 MP, damaged, not accepted by the requirement, \
                 a body of the wrong shape, or an invalid or reused Idempotency-Key", body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    Path(id): Path<String>,
    request: Request,
) -> Result<(StatusCode, Json<Uploaded>), ApiError> {
    let id = application_id(&id)?;
    let limit = state.config.max_upload_bytes;
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let uploads = if content_type.starts_with("multipart/form-data") {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|e| ApiError::invalid("body", "invalid_multipart", e.body_text()))?;
        vec![from_multipart(multipart, limit).await?]
    } else {
        let ApiJson(body) = ApiJson::<JsonUpload>::from_request(request, &state).await?;
        from_json(body, limit)?
    };
    let documents = service::documents::upload(&state.services, &ctx, id, uploads).await?;
    Ok((
        StatusCode::CREATED,
        Json(Uploaded {
            documents: documents.iter().map(document_body).collect(),
        }),
    ))
}

/// The JSON form, for the API document: `JsonUpload` with the rule that one file at least is sent.
pub struct JsonUploadForm;

impl utoipa::PartialSchema for JsonUploadForm {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::schema::json_upload().into()
    }
}

impl utoipa::ToSchema for JsonUploadForm {
    fn name() -> std::borrow::Cow<'static, str> {
        "JsonUpload".into()
    }
}

/// The multipart form, for the API document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes the form for OpenAPI; the handler reads the parts one by one
pub struct UploadForm {
    /// passport, id_card, driver_license, residence_permit, proof_of_address, proof_of_funds, selfie, other
    #[schema(schema_with = super::schema::document_type)]
    document_type: String,
    #[schema(schema_with = super::schema::side)]
    side: Option<String>,
    #[schema(schema_with = super::schema::issuing_country)]
    issuing_country: Option<String>,
    requirement_key: Option<String>,
    liveness_detected: Option<bool>,
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// The body limit for uploads: three base64 files at the size limit, plus the JSON around them.
pub fn body_limit(max_upload_bytes: usize) -> usize {
    max_upload_bytes.saturating_mul(3).saturating_mul(4) / 3 + 64 * 1024
}
