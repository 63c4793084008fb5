//! A request id for every request (in logs, audit events, error pages and the `x-request-id` header),
//! and the client address for the audit trail.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::HeaderValue;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use tracing::Instrument;

use crate::service::RequestMeta;

/// The id of the request being served.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub async fn assign_request_id(mut request: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    request.extensions_mut().insert(RequestId(id.clone()));
    // Path only: query strings can hold search terms with personal data.
    let span = tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path());
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    span.in_scope(|| {
        if response.status().is_server_error() {
            tracing::error!(status, "request failed");
        } else {
            tracing::info!(status, "request served");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// Request id and client address as the services want them.
pub struct Meta(pub RequestMeta);

impl<S: Send + Sync> FromRequestParts<S> for Meta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Meta(meta_of(parts)))
    }
}

pub fn meta_of(parts: &Parts) -> RequestMeta {
    RequestMeta {
        request_id: parts.extensions.get::<RequestId>().map(|id| id.0.clone()),
        client_ip: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip().to_string()),
    }
}
