//! Auditors export application histories and decisions: a filter form, the previous exports (from their
//! manifests, newest first), and downloads of each file and manifest. Files live under
//! `<data dir>/exports/`, named by the export id, and are streamed to the browser from disk.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_htmx::HxRequest;
use serde::Deserialize;
use tokio::io::AsyncReadExt;

use crate::app::AppState;
use crate::domain::export::{ExportId, ExportManifest, FilterInput};
use crate::domain::status::ApplicationStatus;
use crate::service;
use crate::web::auth::Staff;
use crate::web::error::WebError;
use crate::web::format;
use crate::web::layout::{Layout, partial_or_page};

/// How much of the file is read per body chunk.
const DOWNLOAD_CHUNK: usize = 64 * 1024;

pub struct ChoiceView {
    id: String,
    name: String,
}

pub struct ExportView {
    id: String,
    kind: &'static str,
    format: &'static str,
    rows: u64,
    bytes: u64,
    created: String,
    created_by: String,
    filters: String,
    head_seq: i64,
    sha256: String,
}

#[derive(Template)]
#[template(path = "audit/_exports_main.html")]
pub struct ExportsMain {
    csrf: String,
    tenants: Vec<ChoiceView>,
    levels: Vec<ChoiceView>,
    statuses: Vec<&'static str>,
    exports: Vec<ExportView>,
    /// The export just made, shown on top with its links.
    created: Option<ExportView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/exports.html")]
pub struct ExportsPage {
    layout: Layout,
    main: ExportsMain,
}

fn respond(staff: &Staff, is_htmx: bool, main: ExportsMain) -> Result<Response, WebError> {
    partial_or_page(is_htmx, main, |main| ExportsPage {
        layout: Layout::for_staff(staff, "Exports"),
        main,
    })
}

fn exports_dir(state: &AppState) -> std::path::PathBuf {
    state.config.data_dir.join("exports")
}

/// "tenant Northwind Bank · status review · from 2026-11-01 00:00 UTC", or "everything".
fn describe_filters(
    manifest: &ExportManifest,
    tenants: &HashMap<String, String>,
    levels: &HashMap<String, String>,
) -> String {
    let filters = &manifest.filters;
    let named = |names: &HashMap<String, String>, id: String| names.get(&id).cloned().unwrap_or(id);
    let mut parts = Vec::new();
    if let Some(tenant) = filters.tenant_id {
        parts.push(format!("tenant {}", named(tenants, tenant.to_string())));
    }
    if let Some(level) = filters.level_id {
        parts.push(format!("level {}", named(levels, level.to_string())));
    }
    if let Some(status) = filters.status {
        parts.push(format!("status {status}"));
    }
    if let Some(from) = filters.from {
        parts.push(format!("from {}", format::when(from)));
    }
    if let Some(to) = filters.to {
        parts.push(format!("to {}", format::when(to)));
    }
    if parts.is_empty() {
        "everything".to_owned()
    } else {
        parts.join(" · ")
    }
}

fn export_view(
    manifest: &ExportManifest,
    tenants: &HashMap<String, String>,
    levels: &HashMap<String, String>,
) -> ExportView {
    ExportView {
        id: manifest.export_id.to_string(),
        kind: manifest.kind.as_str(),
        format: manifest.format.as_str(),
        rows: manifest.rows,
        bytes: manifest.bytes,
        created: format::when(manifest.created_at),
        created_by: manifest.created_by.clone(),
        filters: describe_filters(manifest, tenants, levels),
        head_seq: manifest.head_seq,
        sha256: manifest.sha256.clone(),
    }
}

async fn main_view(
    state: &AppState,
    staff: &Staff,
    created: Option<ExportManifest>,
) -> Result<ExportsMain, WebError> {
    let choices = service::exports::form_choices(&state.services, &staff.ctx).await?;
    let exports = service::exports::list(&state.services, &staff.ctx, &exports_dir(state)).await?;
    let names = |choices: &[service::exports::Choice]| -> HashMap<String, String> {
        choices
            .iter()
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect()
    };
    let (tenant_names, level_names) = (names(&choices.tenants), names(&choices.levels));
    let view = |choices: Vec<service::exports::Choice>| -> Vec<ChoiceView> {
        choices
            .into_iter()
            .map(|c| ChoiceView {
                id: c.id,
                name: c.name,
            })
            .collect()
    };
    Ok(ExportsMain {
        csrf: staff.csrf.clone(),
        created: created.map(|m| export_view(&m, &tenant_names, &level_names)),
        exports: exports
            .iter()
            .map(|m| export_view(m, &tenant_names, &level_names))
            .collect(),
        tenants: view(choices.tenants),
        levels: view(choices.levels),
        statuses: ApplicationStatus::ALL.iter().map(|s| s.as_str()).collect(),
    })
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
) -> Result<Response, WebError> {
    let main = main_view(&state, &staff, None).await?;
    respond(&staff, is_htmx, main)
}

/// The export form; every field is text so that a bad value gets our own message (422).
#[derive(Deserialize)]
pub struct ExportForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    tenant: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Form(form): Form<ExportForm>,
) -> Result<Response, WebError> {
    let filters = FilterInput {
        tenant: &form.tenant,
        level: &form.level,
        status: &form.status,
        from: &form.from,
        to: &form.to,
    };
    let manifest = service::exports::create(
        &state.services,
        &staff.ctx,
        &exports_dir(&state),
        &form.kind,
        &form.format,
        filters,
    )
    .await?;
    let main = main_view(&state, &staff, Some(manifest)).await?;
    respond(&staff, is_htmx, main)
}

/// The id names a file: only a canonical UUID gets further; anything else is no such page.
fn export_id(raw: &str) -> Result<ExportId, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

fn download_headers(
    response: &mut Response,
    content_type: &'static str,
    file_name: &str,
    size: Option<u64>,
) {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The name is built from the export's own kind, id and format: plain ASCII.
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Some(size) = size {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    }
}

async fn next_chunk(
    mut file: tokio::fs::File,
) -> std::io::Result<Option<(Bytes, tokio::fs::File)>> {
    let mut chunk = vec![0_u8; DOWNLOAD_CHUNK];
    let read = file.read(&mut chunk).await?;
    if read == 0 {
        return Ok(None);
    }
    chunk.truncate(read);
    Ok(Some((Bytes::from(chunk), file)))
}

/// The export file, streamed from disk chunk by chunk (audited as `export.downloaded`).
pub async fn file(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = export_id(&id)?;
    let (manifest, file, size) =
        service::exports::open(&state.services, &staff.ctx, &exports_dir(&state), id).await?;
    let body = Body::from_stream(futures_util::stream::try_unfold(file, next_chunk));
    let mut response = (StatusCode::OK, body).into_response();
    let name = format!(
        "kycdesk-{}-{}",
        manifest.kind,
        id.file_name(manifest.format)
    );
    download_headers(
        &mut response,
        manifest.format.content_type(),
        &name,
        Some(size),
    );
    Ok(response)
}

/// The manifest, as stored beside the file.
pub async fn manifest(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = export_id(&id)?;
    let (manifest, bytes) =
        service::exports::manifest(&state.services, &staff.ctx, &exports_dir(&state), id).await?;
    let size = bytes.len() as u64;
    let mut response = (StatusCode::OK, bytes).into_response();
    let name = format!(
        "kycdesk-{}-{}.manifest.json",
        manifest.kind,
        id.file_name(manifest.format)
    );
    download_headers(&mut response, "application/json", &name, Some(size));
    Ok(response)
}
