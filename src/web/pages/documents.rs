//! Document bytes, only through here: signed-in staff, stored MIME type, no sniffing, no caching.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::domain::ids::DocumentId;
use crate::service;
use crate::web::auth::Staff;
use crate::web::error::WebError;

fn document_id(raw: &str) -> Result<DocumentId, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

/// The original upload (audited). Shown inline; PDFs may be framed by our own pages only.
pub async fn original(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (doc, bytes) =
        service::cases::document(&state.services, &staff.ctx, document_id(&id)?).await?;
    let mime = HeaderValue::from_str(&doc.mime_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let extension = doc
        .mime_type
        .rsplit('/')
        .next()
        .unwrap_or("bin")
        .replace("jpeg", "jpg");
    let disposition = format!(
        "inline; filename=\"{}-{}.{extension}\"",
        doc.doc_type.as_str(),
        doc.id
    );
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, mime);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    // Our own viewer frames PDFs; nobody else may.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'self'"),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    Ok(response)
}

/// The derived JPEG preview; 404 when there is none (PDFs), and the page shows an icon.
pub async fn thumbnail(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    match service::cases::thumbnail(&state.services, &staff.ctx, document_id(&id)?).await? {
        Some(bytes) => Ok(([(header::CONTENT_TYPE, "image/jpeg")], bytes).into_response()),
        None => Err(WebError::NotFound),
    }
}
