//! `VouchedClient` against the fake Vouched server, over real HTTP on 127.0.0.1.

use std::time::Duration;

use crate::common::fake_vouched::{FakeVouched, Reply};
use axum::http::Method;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use kycdesk::providers::vouched::client::{
    JobRequest, JobStatus, MAX_BODY_BYTES, VouchedClient, VouchedError,
};
use serde_json::Value;

const KEY: &str = "test-key-7f3a9c";

/// Like production: a bounded timeout and no redirects (a redirected POST could resend the
/// applicant's photos to another host).
fn http(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}

fn client_for(fake: &FakeVouched) -> VouchedClient {
    VouchedClient::new(fake.base_url(), KEY, http(Duration::from_secs(10))).expect("client")
}

fn janice() -> JobRequest {
    JobRequest {
        first_name: "Janice".to_owned(),
        last_name: "Way".to_owned(),
        date_of_birth: Some("1990-06-22".to_owned()),
        // Bytes whose base64 uses '+' and '/', so the standard alphabet is checked.
        id_photo: vec![0xfb, 0xff, 0xbf, 0x00],
        ..JobRequest::default()
    }
}

fn assert_transient(result: Result<impl std::fmt::Debug, VouchedError>) -> String {
    match result {
        Err(err @ VouchedError::Transient(_)) => {
            assert!(err.is_transient());
            err.to_string()
        }
        other => panic!("expected Transient, got {other:?}"),
    }
}

fn assert_malformed(result: Result<impl std::fmt::Debug, VouchedError>) -> String {
    match result {
        Err(err @ VouchedError::Malformed(_)) => {
            assert!(!err.is_transient());
            err.to_string()
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[tokio::test]
async fn submit_sends_the_vouched_wire_format_and_returns_the_job_verbatim() {
    let fake = FakeVouched::start(KEY).await;
    let job = client_for(&fake).submit(&janice()).await.expect("submit");

    assert_eq!(job.status, JobStatus::Completed);
    assert_eq!(job.raw, fake.job_json(&job.id).expect("stored"));
    let parsed: Value = serde_json::from_str(&job.raw).expect("raw is JSON");
    assert_eq!(parsed["result"]["firstName"], "JANICE");

    let [request] = &fake.requests()[..] else {
        panic!("expected one request")
    };
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, "/api/jobs");
    assert_eq!(request.api_key.as_deref(), Some(KEY));
    assert_eq!(request.content_type.as_deref(), Some("application/json"));
    let body = request.json();
    assert_eq!(body["type"], "id-verification");
    assert!(body.get("callbackURL").is_none(), "no callback: {body}");
    let params = body["params"].as_object().expect("params object");
    let mut keys: Vec<_> = params.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["dob", "firstName", "idPhoto", "lastName"]);
    assert_eq!(params["firstName"], "Janice");
    assert_eq!(params["lastName"], "Way");
    assert_eq!(params["dob"], "06/22/1990");
    assert_eq!(params["idPhoto"], "+/+/AA==");
}

/// Seed 003: a nested `params` object reaches Vouched as it is, but never overrides our own fields.
#[tokio::test]
async fn passed_through_parameters_reach_vouched_without_overriding_ours() {
    let fake = FakeVouched::start(KEY).await;
    let mut request = janice();
    request.passthrough = serde_json::json!({"ipAddress": "203.0.113.9", "firstName": "Mallory"})
        .as_object()
        .cloned()
        .expect("object");
    client_for(&fake).submit(&request).await.expect("submit");
    let [received] = &fake.requests()[..] else {
        panic!("expected one request")
    };
    let params = &received.json()["params"];
    assert_eq!(params["ipAddress"], "203.0.113.9");
    assert_eq!(params["firstName"], "Janice");
}

#[tokio::test]
async fn submit_with_callback_and_all_photos_is_active_and_fetch_returns_it_verbatim() {
    let fake = FakeVouched::start(KEY).await;
    let client = client_for(&fake);
    let request = JobRequest {
        id_photo_back: Some(b"back of id".to_vec()),
        user_photo: Some(b"selfie".to_vec()),
        callback_url: Some("https://kyc.example.com/webhooks/vouched".to_owned()),
        ..janice()
    };
    let submitted = client.submit(&request).await.expect("submit");
    assert_eq!(submitted.status, JobStatus::Active);

    let sent = fake.requests()[0].json();
    assert_eq!(
        sent["callbackURL"],
        "https://kyc.example.com/webhooks/vouched"
    );
    let photo = |field: &str| {
        BASE64
            .decode(sent["params"][field].as_str().expect("photo is a string"))
            .expect("photo is base64")
    };
    assert_eq!(photo("idPhotoBack"), b"back of id");
    assert_eq!(photo("userPhoto"), b"selfie");

    let fetched = client
        .fetch(&submitted.id)
        .await
        .expect("fetch")
        .expect("job exists");
    // The job comes out of the `items` list byte for byte, not re-serialized.
    assert_eq!(fetched, submitted);
    assert!(fetched.raw.contains("\n  \"id\""), "pretty text kept");

    let get = &fake.requests()[1];
    assert_eq!(get.method, Method::GET);
    assert_eq!(get.path, "/api/jobs");
    assert_eq!(get.api_key.as_deref(), Some(KEY));
    assert_eq!(get.query.get("id"), Some(&submitted.id));
}

#[tokio::test]
async fn fetch_of_an_unknown_id_is_none_and_the_id_is_query_encoded() {
    let fake = FakeVouched::start(KEY).await;
    let client = client_for(&fake);
    client.submit(&janice()).await.expect("submit");

    // Unencoded, this id would add a second `id` parameter and cut the query at '#'.
    let tricky = "no such&id=fk00001 #x+é";
    assert_eq!(client.fetch(tricky).await.expect("fetch"), None);

    let get = &fake.requests()[1];
    assert_eq!(get.query.get("id").map(String::as_str), Some(tricky));
    assert_eq!(get.query.len(), 1);
    assert!(
        !get.raw_query.as_deref().unwrap_or("").contains('&'),
        "{:?}",
        get.raw_query
    );
}

#[tokio::test]
async fn server_errors_are_transient_until_the_server_recovers() {
    let fake = FakeVouched::start(KEY).await;
    let client = client_for(&fake);
    fake.script([
        Reply::Respond(500, r#"{"errors":[{"type":"InternalError"}]}"#.to_owned()),
        Reply::Respond(503, "x".repeat(3 * MAX_BODY_BYTES / 2)),
        Reply::Respond(429, r#"{"errors":[{"type":"RateLimitError"}]}"#.to_owned()),
    ]);

    let first = assert_transient(client.submit(&janice()).await);
    assert!(
        first.contains("HTTP 500") && first.contains("InternalError"),
        "{first}"
    );
    // A huge error body is cut to an excerpt, not buffered whole.
    let second = assert_transient(client.submit(&janice()).await);
    assert!(
        second.len() < 400,
        "excerpt kept short: {} bytes",
        second.len()
    );
    assert!(assert_transient(client.fetch("fk00001").await).contains("HTTP 429"));

    let job = client.submit(&janice()).await.expect("recovered");
    assert_eq!(job.status, JobStatus::Completed);
    assert_eq!(fake.requests().len(), 4);
}

#[tokio::test]
async fn a_server_slower_than_the_client_timeout_is_transient() {
    let fake = FakeVouched::start(KEY).await;
    let client =
        VouchedClient::new(fake.base_url(), KEY, http(Duration::from_millis(200))).expect("client");
    fake.script([Reply::Hang, Reply::Hang]);

    let message = assert_transient(client.submit(&janice()).await);
    assert!(message.contains("timed out"), "{message}");
    assert_transient(client.fetch("fk00001").await);
}

#[tokio::test]
async fn a_closed_port_is_transient() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    let client = VouchedClient::new(&format!("http://{addr}"), KEY, http(Duration::from_secs(5)))
        .expect("client");
    assert_transient(client.fetch("fk00001").await);
}

#[tokio::test]
async fn a_wrong_key_is_refused_and_the_echoed_key_never_reaches_the_error() {
    let fake = FakeVouched::start("the-right-key").await;
    let client = client_for(&fake);

    let err = client.submit(&janice()).await.expect_err("401");
    assert!(!err.is_transient());
    let VouchedError::Refused { status, excerpt } = &err else {
        panic!("expected Refused, got {err:?}")
    };
    assert_eq!(*status, 401);
    // The fake echoes the presented key; it must be scrubbed, not merely absent.
    assert!(excerpt.contains("Invalid API key: [redacted]"), "{excerpt}");
    for text in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
        assert!(!text.contains(KEY), "key leaked: {text}");
    }
}

#[tokio::test]
async fn scripted_client_errors_are_refused_with_a_200_char_excerpt() {
    let fake = FakeVouched::start(KEY).await;
    let client = client_for(&fake);
    let long = format!(r#"{{"errors":[{{"message":"{}"}}]}}"#, "é".repeat(1000));
    fake.script([
        Reply::Respond(
            401,
            r#"{"errors":[{"type":"AuthenticationError"}]}"#.to_owned(),
        ),
        Reply::Respond(400, long),
    ]);

    match client.fetch("fk00001").await {
        Err(VouchedError::Refused {
            status: 401,
            excerpt,
        }) => {
            assert!(excerpt.contains("AuthenticationError"), "{excerpt}");
        }
        other => panic!("expected Refused 401, got {other:?}"),
    }
    match client.submit(&janice()).await {
        Err(VouchedError::Refused {
            status: 400,
            excerpt,
        }) => assert_eq!(excerpt.chars().count(), 200),
        other => panic!("expected Refused 400, got {other:?}"),
    }
}

#[tokio::test]
async fn answers_that_are_not_the_expected_json_are_malformed() {
    let fake = FakeVouched::start(KEY).await;
    let client = client_for(&fake);
    fake.script(
        [
            r#"{"id": "fk00001", "status": "#,
            r#"["fk00001", "completed"]"#,
            r#"{"status": "completed"}"#,
            r#"{"id": "", "status": "completed"}"#,
            r#"{"items": {"id": "fk00001"}}"#,
            r#"{"items": [{"id": "someone-else", "status": "completed"}], "total": 1}"#,
        ]
        .map(|body| Reply::Respond(200, body.to_owned())),
    );

    assert_malformed(client.submit(&janice()).await);
    assert_malformed(client.submit(&janice()).await);
    let missing = assert_malformed(client.submit(&janice()).await);
    assert!(missing.contains("missing field `id`"), "{missing}");
    assert_malformed(client.submit(&janice()).await);
    assert_malformed(client.fetch("fk00001").await);
    // Returning another applicant's job as evidence would be worse than failing.
    let mismatch = assert_malformed(client.fetch("fk00001").await);
    assert!(mismatch.contains("someone-else"), "{mismatch}");
}

#[tokio::test]
async fn oversize_bodies_are_rejected_whether_declared_or_streamed() {
    let fake = FakeVouched::start(KEY).await;
    let client = client_for(&fake);
    let bytes = MAX_BODY_BYTES + 1024 * 1024;
    fake.script([
        Reply::Oversize {
            bytes,
            chunked: false,
        },
        Reply::Oversize {
            bytes,
            chunked: true,
        },
        Reply::Oversize {
            bytes: MAX_BODY_BYTES - 1024,
            chunked: true,
        },
    ]);

    let declared = assert_malformed(client.submit(&janice()).await);
    assert!(declared.contains("larger than"), "{declared}");
    let streamed = assert_malformed(client.fetch("big").await);
    assert!(streamed.contains("larger than"), "{streamed}");
    // Just under the cap is still accepted: the cap is not off by a chunk.
    let job = client.submit(&janice()).await.expect("under the cap");
    assert_eq!(job.raw.len(), MAX_BODY_BYTES - 1024);
}

#[tokio::test]
async fn unusable_input_is_refused_before_anything_is_sent() {
    let fake = FakeVouched::start(KEY).await;
    let client = client_for(&fake);
    let invalid = |result: Result<_, VouchedError>| match result {
        Err(err @ VouchedError::InvalidInput(_)) => assert!(!err.is_transient()),
        Err(other) => panic!("expected InvalidInput, got {other:?}"),
        Ok(_) => panic!("expected InvalidInput, got a client"),
    };

    for base in [
        "not a url",
        "ftp://127.0.0.1",
        "http://user:pw@127.0.0.1",
        "http://127.0.0.1/?x=1",
    ] {
        invalid(VouchedClient::new(base, KEY, reqwest::Client::new()));
    }
    for key in ["", "key with space", "key\n", "clé"] {
        invalid(VouchedClient::new(
            fake.base_url(),
            key,
            reqwest::Client::new(),
        ));
    }

    let submit = |req: JobRequest| {
        let client = client.clone();
        async move { client.submit(&req).await }
    };
    let cases = [
        JobRequest {
            date_of_birth: Some("06/22/1990".to_owned()),
            ..janice()
        },
        JobRequest {
            date_of_birth: Some("1990-02-30".to_owned()),
            ..janice()
        },
        JobRequest {
            id_photo: Vec::new(),
            ..janice()
        },
        JobRequest {
            callback_url: Some("not a url".to_owned()),
            ..janice()
        },
    ];
    for case in cases {
        match submit(case).await {
            Err(VouchedError::InvalidInput(_)) => {}
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }
    match client.fetch("").await {
        Err(VouchedError::InvalidInput(_)) => {}
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    assert!(fake.requests().is_empty(), "nothing reached Vouched");
}
