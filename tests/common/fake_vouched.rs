//! An in-process fake of the Vouched jobs API, for testing `VouchedClient` over real HTTP.
//!
//! It listens on `127.0.0.1:0`, checks `X-API-Key`, keeps jobs in memory and answers like
//! Vouched (`POST /api/jobs` creates a job, `GET /api/jobs?id=` lists matching jobs). Each test
//! can queue scripted replies ([`Reply`]) that are used, one per request, before normal service
//! resumes, and can read back every request received to check the wire format.
//!
//! Jobs are stored and served as pretty-printed text, the way Vouched's own responses look in our
//! fixtures, so a test can tell a verbatim copy from a re-serialized one.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// How the fake answers one request, instead of behaving like Vouched.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Answer with this status and body (JSON content type), e.g. a 500, a 401 or broken JSON.
    Respond(u16, String),
    /// Never answer: the handler waits until the fake is dropped, so only the client's own
    /// timeout ends the request. No test has to sleep for this.
    Hang,
    /// A 200 whose body is valid job JSON but `bytes` long; `chunked` leaves out
    /// `Content-Length` so only counting while reading can catch it.
    Oversize { bytes: usize, chunked: bool },
}

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: Method,
    pub path: String,
    /// The query string as sent, still percent-encoded.
    pub raw_query: Option<String>,
    /// The query decoded by the server, to check that encoding round-trips.
    pub query: HashMap<String, String>,
    pub api_key: Option<String>,
    pub content_type: Option<String>,
    pub body: String,
}

impl Received {
    /// The body parsed as JSON; panics when it is not, which is a test failure anyway.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("request body is JSON")
    }
}

struct Shared {
    api_key: String,
    /// Job id -> job JSON text, in creation order for listing.
    jobs: Mutex<Vec<(String, String)>>,
    script: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<Received>>,
    /// Wakes hanging handlers when the fake is dropped.
    release: Notify,
}

/// A running fake Vouched server; stops when dropped.
pub struct FakeVouched {
    base_url: String,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl FakeVouched {
    /// Starts a fake that accepts `api_key` and no other.
    pub async fn start(api_key: &str) -> FakeVouched {
        let shared = Arc::new(Shared {
            api_key: api_key.to_owned(),
            jobs: Mutex::default(),
            script: Mutex::default(),
            requests: Mutex::default(),
            release: Notify::new(),
        });
        let app = Router::new()
            .fallback(handle)
            // Real photos are several MiB once base64-encoded; axum's default cap is 2 MB.
            .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
            .with_state(Arc::clone(&shared));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("fake Vouched serves");
        });
        FakeVouched {
            base_url: format!("http://{addr}"),
            shared,
            server,
        }
    }

    /// The API root to hand to `VouchedClient::new`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Queues replies for the next requests, in order; afterwards the fake behaves normally.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        lock(&self.shared.script).extend(replies);
    }

    /// Every request received so far, scripted or not, in arrival order.
    pub fn requests(&self) -> Vec<Received> {
        lock(&self.shared.requests).clone()
    }

    /// The stored JSON text of a job, exactly as the fake serves it.
    pub fn job_json(&self, id: &str) -> Option<String> {
        lock(&self.shared.jobs)
            .iter()
            .find(|(job_id, _)| job_id == id)
            .map(|(_, raw)| raw.clone())
    }
}

impl FakeVouched {
    /// Finishes an active job as Vouched would (clear result) and returns its JSON, the body of
    /// the callback Vouched would then send.
    pub fn complete(&self, id: &str) -> Option<String> {
        let mut jobs = lock(&self.shared.jobs);
        let (_, raw) = jobs.iter_mut().find(|(job_id, _)| job_id == id)?;
        let mut job: Value = serde_json::from_str(raw).ok()?;
        job["status"] = json!("completed");
        job["result"] = json!({
            "success": true,
            "confidences": {"id": 0.97, "idMatch": 0.96, "backId": null, "faceMatch": 0.94, "selfie": 0.99},
            "type": "passport", "country": "GB", "errors": null,
        });
        *raw = job.to_string();
        Some(raw.clone())
    }
}

impl Drop for FakeVouched {
    fn drop(&mut self) {
        self.shared.release.notify_waiters();
        self.server.abort();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().expect("fake Vouched state lock")
}

fn respond(status: StatusCode, body: impl Into<Body>) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .expect("valid response")
}

/// A Vouched-style error answer.
fn vouched_error(status: StatusCode, kind: &str, message: &str) -> Response {
    let body = json!({"errors": [{"type": kind, "message": message, "suggestion": null}]});
    respond(status, body.to_string())
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header_text =
        |name: &str| -> Option<String> { Some(headers.get(name)?.to_str().ok()?.to_owned()) };
    let received = Received {
        method: method.clone(),
        path: uri.path().to_owned(),
        raw_query: uri.query().map(str::to_owned),
        query: Query::<HashMap<String, String>>::try_from_uri(&uri)
            .map(|Query(q)| q)
            .unwrap_or_default(),
        api_key: header_text("x-api-key"),
        content_type: header_text("content-type"),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    lock(&shared.requests).push(received.clone());

    let scripted = lock(&shared.script).pop_front();
    match scripted {
        Some(Reply::Respond(status, body)) => {
            let status = StatusCode::from_u16(status).expect("scripted status is valid");
            return respond(status, body);
        }
        Some(Reply::Hang) => {
            shared.release.notified().await;
            return respond(StatusCode::SERVICE_UNAVAILABLE, "{}");
        }
        Some(Reply::Oversize { bytes, chunked }) => {
            let head = r#"{"id":"big","status":"completed","padding":""#;
            let mut text = String::with_capacity(bytes);
            text.push_str(head);
            text.push_str(&"x".repeat(bytes.saturating_sub(head.len() + 2)));
            text.push_str("\"}");
            let body = if chunked {
                // A stream has no known length, so hyper sends it chunked.
                Body::from_stream(Body::from(text).into_data_stream())
            } else {
                Body::from(text)
            };
            return respond(StatusCode::OK, body);
        }
        None => {}
    }

    let presented = received.api_key.as_deref().unwrap_or("");
    if presented != shared.api_key {
        // Like some real APIs, echo the key back: the client must scrub it from its errors.
        return vouched_error(
            StatusCode::UNAUTHORIZED,
            "AuthenticationError",
            &format!("Invalid API key: {presented}"),
        );
    }
    if received.path != "/api/jobs" {
        return vouched_error(StatusCode::NOT_FOUND, "NotFoundError", "No such endpoint");
    }
    match method {
        Method::POST => create_job(&shared, &received),
        Method::GET => list_jobs(&shared, &received),
        _ => vouched_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "InvalidRequestError",
            "Method not allowed",
        ),
    }
}

fn create_job(shared: &Shared, received: &Received) -> Response {
    let bad = |message: &str| {
        vouched_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestError",
            &format!("Invalid request: {message}"),
        )
    };
    let Ok(request) = serde_json::from_str::<Value>(&received.body) else {
        return bad("body is not JSON");
    };
    if request["type"] != "id-verification" {
        return bad("type must be id-verification");
    }
    let params = &request["params"];
    let decodes = |field: &str| match &params[field] {
        Value::Null => true,
        Value::String(text) => BASE64.decode(text).is_ok(),
        _ => false,
    };
    if !params["idPhoto"].is_string()
        || !["idPhoto", "idPhotoBack", "userPhoto"]
            .map(decodes)
            .iter()
            .all(|ok| *ok)
    {
        return bad("photos must be base64");
    }

    let mut jobs = lock(&shared.jobs);
    let id = format!("fk{:05}", jobs.len() + 1);
    let callback = request.get("callbackURL").cloned().unwrap_or(Value::Null);
    // With a callback Vouched answers at once and finishes later; without one it finishes first.
    let status = if callback.is_null() {
        "completed"
    } else {
        "active"
    };
    let upper = |field: &str| params[field].as_str().map(str::to_uppercase);
    let job = json!({
        "id": id,
        "status": status,
        "submitted": "2024-05-01T10:00:00+00:00",
        "request": {
            "type": "id-verification",
            "callbackURL": callback,
            "parameters": {
                "firstName": params["firstName"],
                "lastName": params["lastName"],
                "dob": params["dob"],
                "idPhoto": "",
                "idPhotoBack": null,
                "userPhoto": "",
            },
        },
        "result": if status == "completed" {
            json!({
                "success": true,
                "confidences": {"id": 0.97, "idMatch": 0.96, "backId": null, "faceMatch": 0.94, "selfie": 0.99},
                "type": "drivers-license",
                "country": "US",
                "state": "CA",
                "firstName": upper("firstName"),
                "lastName": upper("lastName"),
                "dob": params["dob"],
                "errors": null,
            })
        } else {
            Value::Null
        },
        "errors": [],
    });
    let raw = serde_json::to_string_pretty(&job).expect("job serializes");
    jobs.push((id, raw.clone()));
    respond(StatusCode::OK, raw)
}

fn list_jobs(shared: &Shared, received: &Received) -> Response {
    let jobs = lock(&shared.jobs);
    let items: Vec<&str> = jobs
        .iter()
        .filter(|(id, _)| received.query.get("id").is_none_or(|wanted| wanted == id))
        .map(|(_, raw)| raw.as_str())
        .collect();
    // Built as text so the jobs inside are served exactly as stored.
    let body = format!(
        "{{\"items\": [{}], \"total\": {}}}",
        items.join(", "),
        items.len()
    );
    respond(StatusCode::OK, body)
}
