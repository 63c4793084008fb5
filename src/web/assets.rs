//! Static assets (vendored htmx, CSS, a little JS), compiled into the binary so a deployment is one file.
//! Names carry a version, so browsers may cache them for a year.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "htmx-2.0.11.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/htmx-2.0.11.min.js"),
    ),
    (
        "app-3.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/app-3.js"),
    ),
    (
        "app-4.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/app-4.css"),
    ),
    (
        "favicon-1.svg",
        "image/svg+xml",
        include_bytes!("../../static/favicon-1.svg"),
    ),
];

pub async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(file, _, _)| *file == name) {
        Some((_, mime, bytes)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
