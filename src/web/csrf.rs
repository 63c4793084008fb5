//! Cross-site request forgery defence for the back-office: every state-changing request must come
//! from our own origin (Origin / Sec-Fetch-Site) and carry the session's token, as the form field
//! `csrf_token` or the `X-CSRF-Token` header that htmx sends (`hx-headers` on the body).

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::error::WebError;

const SESSION_KEY: &str = "csrf";
/// Back-office forms are small; a larger body is not a form of ours.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// A fresh random token.
pub fn new_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

/// The session's token, created on first use.
pub async fn token(session: &Session) -> Result<String, WebError> {
    if let Some(token) = session
        .get::<String>(SESSION_KEY)
        .await
        .map_err(WebError::session)?
    {
        return Ok(token);
    }
    rotate(session).await
}

/// Replaces the session's token (at sign-in).
pub async fn rotate(session: &Session) -> Result<String, WebError> {
    let token = new_token();
    session
        .insert(SESSION_KEY, &token)
        .await
        .map_err(WebError::session)?;
    Ok(token)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether the browser says the request comes from our own origin. Fetch metadata
/// (`Sec-Fetch-Site`) is authoritative where sent; otherwise a real `Origin` must name our host.
/// `Origin: null` is what browsers send for same-origin form posts under `Referrer-Policy:
/// no-referrer`, so it proves nothing either way and is left to the token check.
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), _) if origin.as_bytes() == b"null" => true,
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or("");
            let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
            host.to_str().is_ok_and(|host| host == origin_host)
        }
        (Some(_), None) => false,
        (None, _) => true,
    }
}

fn form_token(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find_map(|(name, value)| (name == "csrf_token").then_some(value))
}

pub async fn protect(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    if !same_origin(request.headers()) {
        tracing::warn!("cross-origin state-changing request refused");
        return WebError::Csrf.into_response();
    }
    let expected = match request.extensions().get::<Session>() {
        Some(session) => session.get::<String>(SESSION_KEY).await.ok().flatten(),
        None => None,
    };
    let header_token = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (request, provided) = match header_token {
        Some(token) => (request, Some(token)),
        None => {
            let is_form = request
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| {
                    v.as_bytes()
                        .starts_with(b"application/x-www-form-urlencoded")
                });
            let (parts, body) = request.into_parts();
            let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
                return WebError::Csrf.into_response();
            };
            let token = if is_form { form_token(&bytes) } else { None };
            (Request::from_parts(parts, Body::from(bytes)), token)
        }
    };
    match (expected, provided) {
        (Some(expected), Some(provided))
            if constant_time_eq(expected.as_bytes(), provided.as_bytes()) =>
        {
            next.run(request).await
        }
        _ => {
            tracing::warn!("state-changing request without a valid CSRF token refused");
            WebError::Csrf.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn origin_checks() {
        assert!(same_origin(&headers(&[
            ("host", "kyc.example"),
            ("origin", "https://kyc.example")
        ])));
        assert!(same_origin(&headers(&[
            ("host", "kyc.example"),
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(same_origin(&headers(&[("host", "kyc.example")])));
        assert!(!same_origin(&headers(&[
            ("host", "kyc.example"),
            ("origin", "https://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "kyc.example"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "kyc.example"),
            ("origin", "https://kyc.example"),
            ("sec-fetch-site", "same-site")
        ])));
        // What Chromium sends for a same-origin form post under Referrer-Policy: no-referrer.
        assert!(same_origin(&headers(&[
            ("host", "kyc.example"),
            ("origin", "null"),
            ("sec-fetch-site", "same-origin")
        ])));
    }

    #[test]
    fn tokens_are_found_in_forms_and_compared_in_constant_time() {
        assert_eq!(form_token(b"a=1&csrf_token=abc&b=2"), Some("abc".into()));
        assert_eq!(form_token(b"a=1"), None);
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert_ne!(new_token(), new_token());
    }
}
