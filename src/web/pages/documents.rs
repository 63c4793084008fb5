//! Document bytes, only through here: signed-in staff, stored MIME type, no sniffing, no caching,
//! and never as active content of the back-office origin. An upload is whatever an applicant sent:
//! a PDF may carry JavaScript (`/OpenAction`). Every document is served under a CSP `sandbox`
//! without `allow-scripts` (an opaque origin, no script, no plugin) that loads nothing but itself.
//! Images are shown inline, where reviewers look at them. PDFs are attachments, opened outside the
//! browser: Chromium's PDF viewer is a plugin that refuses to run in a sandboxed document, so a
//! sandboxed inline PDF would show nothing, and an unsandboxed one would run on our origin.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::domain::ids::DocumentId;
use crate::service;
use crate::web::auth::Staff;
use crate::web::error::WebError;

/// Sandboxed, nothing to load; inline styles only because browsers style their image view with
/// them. Framed by nobody (the viewer shows images with `<img>`).
pub const DOCUMENT_CSP: &str = "sandbox; default-src 'none'; img-src 'self'; \
    style-src 'unsafe-inline'; frame-ancestors 'none'";

fn document_id(raw: &str) -> Result<DocumentId, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

/// The headers every document response carries, whatever its type.
fn sandboxed(mime: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DOCUMENT_CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers
}

/// Whether browsers show `mime` as a plain picture: JPEG, PNG, WebP, BMP (TIFF they mostly do not
/// render at all). Anything else is downloaded.
fn shown_inline(mime: &str) -> bool {
    matches!(
        mime,
        "image/jpeg" | "image/png" | "image/webp" | "image/bmp"
    )
}

/// The original upload (audited): images inline, everything else as an attachment.
pub async fn original(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (doc, bytes) =
        service::cases::document(&state.services, &staff.ctx, document_id(&id)?).await?;
    let extension = doc
        .mime_type
        .rsplit('/')
        .next()
        .unwrap_or("bin")
        .replace("jpeg", "jpg");
    let disposition = if shown_inline(&doc.mime_type) {
        "inline"
    } else {
        "attachment"
    };
    let disposition = format!(
        "{disposition}; filename=\"{}-{}.{extension}\"",
        doc.doc_type.as_str(),
        doc.id
    );
    let mut headers = sandboxed(&doc.mime_type);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok((StatusCode::OK, headers, bytes).into_response())
}

/// The derived JPEG preview; 404 when there is none (PDFs), and the page shows an icon.
pub async fn thumbnail(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    match service::cases::thumbnail(&state.services, &staff.ctx, document_id(&id)?).await? {
        Some(bytes) => Ok((sandboxed("image/jpeg"), bytes).into_response()),
        None => Err(WebError::NotFound),
    }
}
