//! The case file of one application for auditors and regulators: a zip with the application's data
//! as JSON, every document as uploaded, its history with the chain hashes, and a manifest of the
//! SHA-256 of each file. Making one is itself an audit event.

use std::io::{Cursor, Write};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use super::cases::load_case;
use super::{Ctx, ServiceError, Services};
use crate::domain::audit::AuditSubject;
use crate::domain::ids::ApplicationId;
use crate::domain::permission::Permission;
use crate::domain::time::Timestamp;
use crate::store::{self, StoreError};

pub struct CaseExport {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

fn zip_error(error: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("case file: {error}"))
}

/// Adds one file and records it in the manifest.
fn add(
    zip: &mut zip::ZipWriter<Cursor<Vec<u8>>>,
    files: &mut Vec<Value>,
    name: &str,
    bytes: &[u8],
    compress: bool,
) -> Result<(), ServiceError> {
    let method = if compress {
        zip::CompressionMethod::Deflated
    } else {
        // Images and PDFs are compressed already.
        zip::CompressionMethod::Stored
    };
    zip.start_file(
        name,
        SimpleFileOptions::default().compression_method(method),
    )
    .map_err(zip_error)?;
    zip.write_all(bytes).map_err(zip_error)?;
    files.push(
        json!({"name": name, "bytes": bytes.len(), "sha256": hex::encode(Sha256::digest(bytes))}),
    );
    Ok(())
}

fn pretty(value: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap_or_default()
}

fn extension(mime: &str) -> &'static str {
    match mime {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/bmp" => "bmp",
        "image/tiff" => "tiff",
        "application/pdf" => "pdf",
        _ => "bin",
    }
}

pub async fn build(
    services: &Services,
    ctx: &Ctx,
    id: ApplicationId,
) -> Result<CaseExport, ServiceError> {
    ctx.require(services, Permission::Audit, "case_file.export")
        .await?;
    let application =
        match store::applications::get_any(&mut services.store.conn().await?, id).await {
            Err(StoreError::NotFound) => return Err(ServiceError::NotFound("application")),
            other => other?,
        };
    let case = load_case(services, application).await?;
    let head = store::audit::recorded_head(&mut services.store.conn().await?).await?;
    let a = &case.applicant;
    let data = json!({
        "application": case.application,
        "applicant": {
            "id": a.id, "external_id": a.external_id, "type": a.applicant_type.as_str(),
            "first_name": a.first_name, "last_name": a.last_name, "company_name": a.company_name,
            "date_of_birth": a.date_of_birth.map(|d| d.to_string()),
            "email": a.email.as_ref().map(|e| e.as_str()), "phone": a.phone.as_ref().map(|p| p.as_str()),
            "country": a.country.map(|c| c.as_str().to_owned()), "address": a.address,
            "government_ids": a.government_ids.iter().map(|g| json!({"type": g.id_type().as_str(), "number": g.number()})).collect::<Vec<_>>(),
            "created_at": a.created_at,
        },
        "tenant": case.tenant_name,
        "level": case.level,
        "checks": case.checks,
        "decisions": case.decisions,
        "notes": case.notes.iter().map(|n| json!({"author": n.author, "at": n.created_at, "body": n.body})).collect::<Vec<_>>(),
        "documents": case.documents.iter().map(|d| json!({
            "id": d.id, "attempt": d.attempt, "requirement_key": d.requirement_key, "type": d.doc_type.as_str(),
            "side": d.side.map(|s| s.as_str()), "mime_type": d.mime_type, "size_bytes": d.size_bytes,
            "sha256": d.blob_hash, "uploaded_at": d.uploaded_at,
        })).collect::<Vec<_>>(),
    });
    let history: Vec<Value> = case
        .timeline
        .iter()
        .map(|e| {
            json!({"seq": e.seq, "occurred_at": e.occurred_at, "actor": e.actor, "action": e.action,
                        "payload": e.payload, "prev_hash": e.prev_hash, "hash": e.hash})
        })
        .collect();

    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut files = Vec::new();
    add(
        &mut zip,
        &mut files,
        "application.json",
        &pretty(&data),
        true,
    )?;
    add(
        &mut zip,
        &mut files,
        "history.json",
        &pretty(&Value::Array(history)),
        true,
    )?;
    for d in &case.documents {
        let bytes = services.blobs.get(&d.blob_hash).await.map_err(zip_error)?;
        let side = d.side.map(|s| format!("-{s}")).unwrap_or_default();
        let name = format!(
            "documents/attempt-{}/{}-{}{side}.{}",
            d.attempt,
            d.id,
            d.doc_type,
            extension(&d.mime_type)
        );
        add(&mut zip, &mut files, &name, &bytes, false)?;
    }
    let now = Timestamp::now();
    let manifest = json!({
        "application_id": id, "generated_at": now, "generated_by": ctx.actor.encoded(),
        "chain_head": {"seq": head.0, "hash": head.1}, "files": files,
    });
    add(
        &mut zip,
        &mut Vec::new(),
        "manifest.json",
        &pretty(&manifest),
        true,
    )?;
    let bytes = zip.finish().map_err(zip_error)?.into_inner();
    let event = ctx
        .event(
            "case_file.exported",
            AuditSubject::new("application", id),
            json!({"files": files.len(), "sha256": hex::encode(Sha256::digest(&bytes)), "head_seq": head.0}),
        )
        .for_tenant(case.application.tenant_id);
    super::record(services, &event).await?;
    Ok(CaseExport {
        file_name: format!("case-{id}.zip"),
        bytes,
    })
}
