//! Document uploads and their thumbnails. Every check (requirement, type, magic bytes, size, decoding)
//! runs before anything is stored, so a refused upload leaves nothing behind; the original bytes are
//! evidence and are stored unchanged.

use serde_json::json;

use super::{Ctx, FieldError, ServiceError, Services};
use crate::domain::audit::AuditSubject;
use crate::domain::document::{Document, DocumentSide, DocumentType};
use crate::domain::ids::{ApplicationId, DocumentId};
use crate::domain::time::Timestamp;
use crate::domain::validate::country::CountryCode;
use crate::media::MediaError;
use crate::media::detect::{MediaInfo, MediaKind, inspect, verify_decodes};
use crate::media::thumbnail::thumbnail;
use crate::store::{self, StoreError};

/// One file to attach.
pub struct NewUpload {
    /// The requirement it fills; `None` picks the first requirement that takes this document type.
    pub requirement_key: Option<String>,
    pub doc_type: DocumentType,
    pub side: Option<DocumentSide>,
    pub issuing_country: Option<CountryCode>,
    pub liveness: Option<bool>,
    /// The client's declared type (`image/jpeg`, `PNG`, ...), checked against the bytes.
    pub declared_type: Option<String>,
    /// The form field or JSON key it came in, to name it in errors.
    pub field: String,
    pub bytes: Vec<u8>,
}

/// A refused file: unsupported types are 415, other refusals 422.
fn refusal(field: &str, error: &MediaError) -> ServiceError {
    let code = match error {
        MediaError::Unsupported => "unsupported_file_type",
        MediaError::Mismatch { .. } => "type_mismatch",
        MediaError::TooLarge { .. } => "image_too_large",
        MediaError::Corrupt(_) => "corrupt_file",
    };
    ServiceError::InvalidFields(vec![FieldError {
        field: field.into(),
        code,
        message: error.to_string(),
    }])
}

/// Inspects, decodes and thumbnails a file off the async runtime.
async fn examine(upload: &NewUpload) -> Result<(MediaInfo, Option<Vec<u8>>), ServiceError> {
    let bytes = upload.bytes.clone();
    let declared = upload.declared_type.clone();
    let field = upload.field.clone();
    tokio::task::spawn_blocking(move || {
        let info = inspect(&bytes, declared.as_deref()).map_err(|e| refusal(&field, &e))?;
        // A thumbnail needs a full decode, which proves an image is intact; PDFs are checked on their own.
        let preview = match info.kind {
            MediaKind::Pdf => {
                verify_decodes(&bytes, info.kind).map_err(|e| refusal(&field, &e))?;
                None
            }
            kind => thumbnail(&bytes, kind).map_err(|e| refusal(&field, &e))?,
        };
        Ok((info, preview))
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("upload check task: {e}")))?
}

pub async fn upload(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    uploads: Vec<NewUpload>,
) -> Result<Vec<Document>, ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let mut conn = services.store.conn().await?;
    let application =
        super::intake::load_editable(&mut conn, ctx, id, "documents can be added").await?;
    let level =
        store::levels::get_version(&mut conn, application.level_id, application.level_version)
            .await?;
    drop(conn);

    let mut checked = Vec::with_capacity(uploads.len());
    for upload in uploads {
        let requirement = match &upload.requirement_key {
            Some(key) => level.requirement(key),
            None => level.upload_requirement_for(upload.doc_type),
        }
        .ok_or_else(|| {
            ServiceError::InvalidFields(vec![FieldError {
                field: upload.field.clone(),
                code: "unknown_requirement",
                message: "this level has no requirement for this document".into(),
            }])
        })?;
        requirement
            .accepts_upload(upload.doc_type, upload.side)
            .map_err(|e| {
                ServiceError::InvalidFields(vec![FieldError {
                    field: upload.field.clone(),
                    code: e.code,
                    message: e.message,
                }])
            })?;
        let key = requirement.key.clone();
        let (info, preview) = examine(&upload).await?;
        checked.push((upload, key, info, preview));
    }

    let now = Timestamp::now();
    let mut documents = Vec::with_capacity(checked.len());
    for (upload, key, info, preview) in &checked {
        let blob_hash = services
            .blobs
            .put(&upload.bytes)
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let thumbnail_hash = match preview {
            Some(jpeg) => Some(
                services
                    .blobs
                    .put(jpeg)
                    .await
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
            ),
            None => None,
        };
        documents.push(Document {
            id: DocumentId::generate(),
            tenant_id: tenant.id,
            application_id: id,
            attempt: application.attempt,
            requirement_key: Some(key.clone()),
            doc_type: upload.doc_type,
            side: upload.side,
            issuing_country: upload.issuing_country,
            liveness: upload.liveness,
            blob_hash,
            mime_type: info.kind.mime().to_owned(),
            size_bytes: i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX),
            width: info.width.map(i64::from),
            height: info.height.map(i64::from),
            thumbnail_hash,
            uploaded_at: now,
        });
    }

    let mut tx = services.store.begin_write().await?;
    let mut application = store::applications::get(&mut tx, tenant.id, id).await?;
    for doc in &documents {
        store::documents::insert(&mut tx, doc).await?;
        let payload = json!({"application_id": id, "document_type": doc.doc_type.as_str(), "side": doc.side.map(|s| s.as_str()),
                             "sha256": doc.blob_hash, "mime_type": doc.mime_type, "size_bytes": doc.size_bytes});
        store::audit::append(
            &mut tx,
            &ctx.event(
                "document.uploaded",
                AuditSubject::new("document", doc.id),
                payload,
            )
            .for_tenant(tenant.id),
        )
        .await?;
    }
    // New evidence is a change of content: it voids a pending four-eyes proposal.
    application.updated_at = now;
    store::applications::update(&mut tx, &mut application).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(documents)
}

/// Derives a thumbnail (off the async runtime: decoding takes tens of milliseconds) and stores it in
/// the blob store; returns its hash, or `None` for PDFs.
pub async fn store_thumbnail(
    services: &Services,
    original: &[u8],
    kind: MediaKind,
) -> Result<Option<String>, ServiceError> {
    let bytes = original.to_vec();
    let preview = tokio::task::spawn_blocking(move || thumbnail(&bytes, kind))
        .await
        .map_err(|e| ServiceError::Internal(format!("thumbnail task: {e}")))?
        .map_err(|e| ServiceError::Internal(format!("thumbnail of a stored document: {e}")))?;
    match preview {
        Some(jpeg) => Ok(Some(
            services
                .blobs
                .put(&jpeg)
                .await
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
        )),
        None => Ok(None),
    }
}
