//! Document uploads and their thumbnails. Every check (requirement, type, magic bytes, size, decoding)
//! runs before anything is stored, so a refused upload leaves nothing behind; the original bytes are
//! evidence and are stored unchanged.

use serde_json::json;

use super::{Ctx, FieldError, ServiceError, Services};
use crate::domain::application::Application;
use crate::domain::audit::AuditSubject;
use crate::domain::document::{Document, DocumentSide, DocumentType};
use crate::domain::ids::{ApplicantId, ApplicationId, DocumentId};
use crate::domain::time::Timestamp;
use crate::domain::validate::country::CountryCode;
use crate::media::MediaError;
use crate::media::detect::{MediaInfo, MediaKind, inspect, verify_decodes};
use crate::media::thumbnail::thumbnail;
use crate::store::{self, Conn, StoreError};

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
        MediaError::TooHeavy { .. } => "image_too_heavy",
        MediaError::Corrupt(_) => "corrupt_file",
    };
    ServiceError::InvalidFields(vec![FieldError {
        field: field.into(),
        code,
        message: error.to_string(),
    }])
}

/// Inspects the file from its header, then decodes it once (under the decode gate) into its
/// thumbnail, which proves an image intact; PDFs are checked on their own. The bytes go to the
/// blocking task and come back with the result, uncopied.
async fn examine(upload: NewUpload) -> Result<Checked, ServiceError> {
    let info = inspect(&upload.bytes, upload.declared_type.as_deref())
        .map_err(|e| refusal(&upload.field, &e))?;
    let kind = info.kind;
    let (upload, preview) = super::decoding::decode(info.decoded_bytes, move || {
        let preview = match kind {
            MediaKind::Pdf => verify_decodes(&upload.bytes, kind).map(|()| None),
            kind => thumbnail(&upload.bytes, kind),
        };
        (upload, preview)
    })
    .await?;
    let preview = preview.map_err(|e| refusal(&upload.field, &e))?;
    Ok((upload, None, info, preview))
}

pub async fn upload(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
    uploads: Vec<NewUpload>,
) -> Result<Vec<Document>, ServiceError> {
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
        let key = Some(requirement.key.clone());
        let (upload, _, info, preview) = examine(upload).await?;
        checked.push((upload, key, info, preview));
    }
    store_checked(services, ctx, &application, checked).await
}

/// A file that passed every check, with the requirement it fills (if already known).
type Checked = (NewUpload, Option<String>, MediaInfo, Option<Vec<u8>>);

/// Stores checked files and their thumbnails, then records them as documents of the application's
/// current attempt with their audit events in one transaction.
async fn store_checked(
    services: &Services,
    ctx: &Ctx,
    application: &Application,
    checked: Vec<Checked>,
) -> Result<Vec<Document>, ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let id = application.id;
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
            attempt: application.intake_attempt(),
            requirement_key: key.clone(),
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
        );
    }
    // New evidence is a change of content: it voids a pending four-eyes proposal.
    application.updated_at = now;
    store::applications::update(&mut tx, &mut application).await?;
    tx.commit().await?;
    Ok(documents)
}

/// The applicant's application that is still open for changes (draft or remediate).
async fn open_application(
    conn: &mut Conn,
    ctx: &Ctx,
    applicant: ApplicantId,
    what: &str,
) -> Result<Application, ServiceError> {
    let tenant = ctx.tenant_scope()?;
    super::applicants::load(conn, tenant.id, applicant).await?;
    let open = store::applications::for_applicant(conn, applicant)
        .await?
        .into_iter()
        .find(|a| !a.status.is_final())
        .ok_or_else(|| {
            ServiceError::Conflict(
                "the applicant has no open KYC application; create one first".into(),
            )
        })?;
    super::intake::load_editable(conn, ctx, open.id, what).await
}

/// Seed 001 uploads files before saying what they are. They are stored at once as documents of
/// type `other` of the applicant's open application, filling no requirement until `attach` names
/// them: every uploaded byte belongs to an application, its audit trail and its case file, and
/// nothing waits outside them.
pub async fn upload_unattached(
    services: &Services,
    ctx: &Ctx,
    applicant: ApplicantId,
    uploads: Vec<NewUpload>,
) -> Result<Vec<Document>, ServiceError> {
    let mut conn = services.store.conn().await?;
    let application = open_application(&mut conn, ctx, applicant, "documents can be added").await?;
    drop(conn);
    let mut checked = Vec::with_capacity(uploads.len());
    for upload in uploads {
        checked.push(examine(upload).await?);
    }
    store_checked(services, ctx, &application, checked).await
}

fn unknown_file(message: &str) -> ServiceError {
    ServiceError::InvalidFields(vec![FieldError {
        field: "files".into(),
        code: "unknown_file",
        message: message.into(),
    }])
}

/// Names files of `upload_unattached` as one document of `doc_type` and `side`, filling the first
/// requirement of the level that takes it; all of them or none, each with its audit event.
pub async fn attach(
    services: &Services,
    ctx: &Ctx,
    applicant: ApplicantId,
    files: &[DocumentId],
    doc_type: DocumentType,
    side: Option<DocumentSide>,
) -> Result<(Application, Vec<Document>), ServiceError> {
    let mut tx = services.store.begin_write().await?;
    let mut application =
        open_application(&mut tx, ctx, applicant, "documents can be added").await?;
    let level =
        store::levels::get_version(&mut tx, application.level_id, application.level_version)
            .await?;
    let requirement = level.upload_requirement_for(doc_type).ok_or_else(|| {
        ServiceError::InvalidFields(vec![FieldError {
            field: "attribute_key".into(),
            code: "unknown_requirement",
            message: "this level has no requirement for this document".into(),
        }])
    })?;
    requirement.accepts_upload(doc_type, side).map_err(|e| {
        ServiceError::InvalidFields(vec![FieldError {
            field: "attribute_key".into(),
            code: e.code,
            message: e.message,
        }])
    })?;
    let key = requirement.key.clone();
    let mut documents = Vec::with_capacity(files.len());
    for id in files {
        let mut doc = match store::documents::get(&mut tx, *id).await {
            Err(StoreError::NotFound) => return Err(unknown_file("no such uploaded file")),
            other => other?,
        };
        if doc.application_id != application.id || doc.attempt != application.intake_attempt() {
            return Err(unknown_file("no such uploaded file"));
        }
        if doc.requirement_key.is_some() {
            return Err(unknown_file("this file is already part of a document"));
        }
        doc.requirement_key = Some(key.clone());
        doc.doc_type = doc_type;
        doc.side = side;
        store::documents::attach(&mut tx, &doc).await?;
        let payload = json!({"application_id": application.id, "requirement_key": key,
                             "document_type": doc_type.as_str(), "side": side.map(|s| s.as_str())});
        store::audit::append(
            &mut tx,
            &ctx.event(
                "document.attached",
                AuditSubject::new("document", doc.id),
                payload,
            )
            .for_tenant(application.tenant_id),
        );
        documents.push(doc);
    }
    // Naming evidence changes what the application shows: it voids a pending four-eyes proposal.
    application.updated_at = Timestamp::now();
    store::applications::update(&mut tx, &mut application).await?;
    tx.commit().await?;
    Ok((application, documents))
}

/// Derives a thumbnail (under the decode gate: decoding takes tens of milliseconds) and stores it in
/// the blob store; returns its hash, or `None` for PDFs.
pub async fn store_thumbnail(
    services: &Services,
    original: &[u8],
    kind: MediaKind,
) -> Result<Option<String>, ServiceError> {
    let internal = |e: MediaError| ServiceError::Internal(format!("thumbnail of a document: {e}"));
    let info = inspect(original, None).map_err(internal)?;
    let bytes = original.to_vec();
    let preview = super::decoding::decode(info.decoded_bytes, move || thumbnail(&bytes, kind))
        .await?
        .map_err(internal)?;
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
