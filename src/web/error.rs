//! The web edge's error type. Handlers return it; `render_errors` turns it into an HTML error page, or
//! a toast for htmx requests, with the request id. 5xx are logged in full and shown generically.

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::layout::Layout;
use super::request_meta::RequestId;
use crate::service::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("the form has expired or came from another site")]
    Csrf,
    #[error("page not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("session store: {0}")]
    Session(String),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
}

impl WebError {
    pub fn session(error: tower_sessions::session::Error) -> Self {
        WebError::Session(error.to_string())
    }

    fn status_and_message(&self) -> (StatusCode, String) {
        use ServiceError as S;
        match self {
            WebError::Service(S::Invalid(invalid)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, invalid.message.clone())
            }
            WebError::Service(S::NotFound(what)) => {
                (StatusCode::NOT_FOUND, format!("{what} not found"))
            }
            WebError::Service(S::Duplicate(message)) => {
                (StatusCode::CONFLICT, (*message).to_owned())
            }
            WebError::Service(S::Stale) => (
                StatusCode::CONFLICT,
                "Someone else changed this in the meantime. Reload the page and try again.".into(),
            ),
            WebError::Service(S::Transition(refusal)) => {
                (StatusCode::CONFLICT, refusal.to_string())
            }
            WebError::Service(S::Forbidden(_)) => (
                StatusCode::FORBIDDEN,
                "Your role does not allow this.".into(),
            ),
            WebError::Service(S::NotAllowed(message)) => (StatusCode::FORBIDDEN, message.clone()),
            WebError::Service(S::Unavailable(message)) => {
                (StatusCode::SERVICE_UNAVAILABLE, message.clone())
            }
            WebError::Service(S::Contention(_)) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Many changes are being saved at once. Try again in a moment.".into(),
            ),
            WebError::Service(S::InvalidFields(fields)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            WebError::Service(S::Incomplete(missing)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Missing: {}", missing.join(", ")),
            ),
            WebError::Service(S::Conflict(message)) => (StatusCode::CONFLICT, message.clone()),
            WebError::Csrf => (
                StatusCode::FORBIDDEN,
                "The form has expired or came from another site. Reload the page and try again."
                    .into(),
            ),
            WebError::NotFound => (StatusCode::NOT_FOUND, "There is no such page.".into()),
            WebError::BadRequest(message) => (StatusCode::BAD_REQUEST, message.clone()),
            WebError::Service(S::Internal(_) | S::Store(_))
            | WebError::Session(_)
            | WebError::Template(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.".into(),
            ),
        }
    }
}

/// Carried from `into_response` to `render_errors`, which knows the request.
#[derive(Debug, Clone)]
struct ErrorInfo {
    message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, message) = self.status_and_message();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorInfo { message });
        response
    }
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    reason: &'static str,
    message: String,
    request_id: String,
}

#[derive(Template)]
#[template(path = "_toast.html")]
struct Toast {
    message: String,
    request_id: String,
}

/// Renders error responses as a page, or as a toast appended to `#toasts` for htmx.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let is_htmx = request.headers().contains_key("hx-request");
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let response = next.run(request).await;
    let Some(info) = response.extensions().get::<ErrorInfo>().cloned() else {
        return response;
    };
    let status = response.status();
    let rendered = if is_htmx {
        Toast {
            message: info.message,
            request_id,
        }
        .render()
    } else {
        ErrorPage {
            layout: Layout::bare(status.canonical_reason().unwrap_or("Error")),
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("Error"),
            message: info.message,
            request_id,
        }
        .render()
    };
    let mut out = match rendered {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "error page failed to render");
            (status, "error").into_response()
        }
    };
    if is_htmx {
        out.headers_mut()
            .insert("hx-retarget", HeaderValue::from_static("#toasts"));
        out.headers_mut()
            .insert("hx-reswap", HeaderValue::from_static("beforeend"));
    }
    out
}
