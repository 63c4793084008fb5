//! The tenant JSON API over real HTTP on both databases.

use crate::common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

struct Keys {
    live: String,
    sandbox: String,
}

async fn setup(app: &TestApp) -> Keys {
    let (live, sandbox) = crate::common::tenant::seeded(app).await;
    Keys {
        live: live.key,
        sandbox: sandbox.key,
    }
}

async fn call(
    app: &TestApp,
    key: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    crate::common::tenant::TenantApi::new(app, key.to_owned())
        .call(method, path, body)
        .await
}

async fn level_id(app: &TestApp, key: &str, name: &str) -> String {
    let (_, levels) = call(app, key, Method::GET, "/levels", None).await;
    levels
        .as_array()
        .expect("levels")
        .iter()
        .find(|l| l["name"] == name)
        .expect("level")["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn applicant(app: &TestApp, key: &str, external_id: &str) -> String {
    let (status, body) = call(
        app,
        key,
        Method::POST,
        "/applicants",
        Some(json!({"external_id": external_id, "first_name": "Ada", "last_name": "Lovelace"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("id").to_owned()
}

/// A Basic-level application in draft for the applicant: (level id, application id).
async fn basic_draft(app: &TestApp, key: &str, applicant_id: &str) -> (String, String) {
    let basic = level_id(app, key, "Basic").await;
    let (status, created) = call(
        app,
        key,
        Method::POST,
        "/kyc_applications",
        Some(json!({"applicant_id": applicant_id, "level_id": basic})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    (basic, created["id"].as_str().expect("id").to_owned())
}

async fn a_tenant_fills_an_application_and_sends_it_to_review(app: TestApp) {
    let keys = setup(&app).await;
    let (status, levels) = call(&app, &keys.live, Method::GET, "/levels", None).await;
    assert_eq!(status, 200);
    assert_eq!(levels.as_array().map(Vec::len), Some(3));

    let (status, created) = call(
        &app,
        &keys.live,
        Method::POST,
        "/applicants",
        Some(json!({"external_id": "cust-1", "first_name": "Ada", "last_name": "Lovelace", "email": "Ada@Example.com", "government_ids": [{"type": "ssn", "number": "123-45-6789"}]})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["kyc_status"], "NOT_REGISTERED");
    assert_eq!(created["email"], "Ada@example.com");
    assert_eq!(created["government_ids"][0]["number_masked"], "•••••6789");
    let applicant_id = created["id"].as_str().expect("id").to_owned();
    let (status, duplicate) = call(
        &app,
        &keys.live,
        Method::POST,
        "/applicants",
        Some(json!({"external_id": "cust-1"})),
    )
    .await;
    assert_eq!(
        (status, duplicate["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("duplicate"))
    );

    let basic = level_id(&app, &keys.live, "Basic").await;
    let (status, application) = call(
        &app,
        &keys.live,
        Method::POST,
        "/kyc_applications",
        Some(json!({"applicant_id": applicant_id, "level_id": basic, "params": {"note": "x"}})),
    )
    .await;
    assert_eq!(status, 201, "{application}");
    assert_eq!(application["status"], "draft");
    assert_eq!(
        application["questionnaire"].as_array().map(Vec::len),
        Some(5)
    );
    let id = application["id"].as_str().expect("id").to_owned();
    let (_, fetched) = call(
        &app,
        &keys.live,
        Method::GET,
        &format!("/applicants/{applicant_id}"),
        None,
    )
    .await;
    assert_eq!(fetched["kyc_status"], "LV1");
    let (status, _) = call(
        &app,
        &keys.live,
        Method::POST,
        "/kyc_applications",
        Some(json!({"applicant_id": applicant_id, "level_id": basic})),
    )
    .await;
    assert_eq!(status, 409, "one open application at a time");

    let (status, incomplete) = call(
        &app,
        &keys.live,
        Method::POST,
        &format!("/kyc_applications/{id}/send-to-review"),
        None,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(incomplete["error"]["code"], "missing_requirements");
    assert_eq!(
        incomplete["error"]["details"].as_array().map(Vec::len),
        Some(5)
    );

    let bad = json!({"attribute_changes": [{"key": "email", "value": "nope"}, {"key": "first_name", "value": "Ada"}, {"key": "shoe_size", "value": 42}]});
    let (status, refused) = call(
        &app,
        &keys.live,
        Method::PATCH,
        &format!("/kyc_applications/{id}"),
        Some(bad),
    )
    .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = refused["error"]["details"]
        .as_array()
        .expect("details")
        .iter()
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert_eq!(fields, ["email", "shoe_size"]);
    let (_, unchanged) = call(
        &app,
        &keys.live,
        Method::GET,
        &format!("/kyc_applications/{id}"),
        None,
    )
    .await;
    assert_eq!(
        unchanged["questionnaire"][0]["filled"], false,
        "a refused PATCH writes nothing"
    );

    let good = json!({"attribute_changes": [
        {"key": "first_name", "value": "Ada"}, {"key": "last_name", "value": "Lovelace"},
        {"key": "date_of_birth", "value": "1990-12-10"}, {"key": "country", "value": "gb"}, {"key": "email", "value": "ada@example.com"}
    ]});
    let (status, filled) = call(
        &app,
        &keys.live,
        Method::PATCH,
        &format!("/kyc_applications/{id}"),
        Some(good),
    )
    .await;
    assert_eq!(status, 200, "{filled}");
    assert_eq!(filled["missing_requirements"], json!([]));
    assert_eq!(filled["questionnaire"][3]["value"], "GB");

    let (status, sent) = call(
        &app,
        &keys.live,
        Method::POST,
        &format!("/kyc_applications/{id}/send-to-review"),
        None,
    )
    .await;
    assert_eq!(
        (status, sent["status"].clone()),
        (StatusCode::OK, json!("pending"))
    );
    let (status, _) = call(
        &app,
        &keys.live,
        Method::PATCH,
        &format!("/kyc_applications/{id}"),
        Some(json!({"attribute_changes": [{"key": "first_name", "value": "Eve"}]})),
    )
    .await;
    assert_eq!(status, 409, "answers are frozen once sent");

    let response = app
        .client
        .get(app.url("/api/v1/kyc_applications?status=pending&per_page=10"))
        .bearer_auth(&keys.live)
        .send()
        .await
        .expect("list");
    assert_eq!(
        response
            .headers()
            .get("x-total-results-count")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let listed: Value = response.json().await.expect("json");
    assert_eq!(listed[0]["id"], json!(id));

    let (_, events) = call(
        &app,
        &keys.live,
        Method::GET,
        &format!("/kyc_applications/{id}/events"),
        None,
    )
    .await;
    let actions: Vec<&str> = events
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "application.created",
            "application.attributes_updated",
            "application.status_changed"
        ]
    );
    let outbox: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox_messages WHERE subject_id = $1")
            .bind(&id)
            .fetch_one(app.services.store.pool())
            .await
            .expect("outbox");
    assert_eq!(outbox, 2, "created and status_changed");
}

async fn sandbox_tenants_may_force_statuses_along_the_machine(app: TestApp) {
    let keys = setup(&app).await;
    let applicant_id = applicant(&app, &keys.sandbox, "s-1").await;
    let (basic, id) = basic_draft(&app, &keys.sandbox, &applicant_id).await;
    for status in ["pending", "submitted", "review", "accepted"] {
        let (code, body) = call(
            &app,
            &keys.sandbox,
            Method::PUT,
            &format!("/kyc_applications/{id}"),
            Some(json!({"status": status})),
        )
        .await;
        assert_eq!(code, 202, "{status}: {body}");
        assert_eq!(body["status"], status);
    }
    let (code, body) = call(
        &app,
        &keys.sandbox,
        Method::PUT,
        &format!("/kyc_applications/{id}"),
        Some(json!({"status": "pending"})),
    )
    .await;
    assert_eq!(
        (code, body["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("invalid_transition"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("accepted → pending"))
    );
    let (_, fetched) = call(
        &app,
        &keys.sandbox,
        Method::GET,
        &format!("/applicants/{applicant_id}"),
        None,
    )
    .await;
    assert_eq!(fetched["kyc_status"], "APPROVED_VERIFIED");

    let live_applicant = applicant(&app, &keys.live, "l-1").await;
    let (_, live) = call(
        &app,
        &keys.live,
        Method::POST,
        "/kyc_applications",
        Some(json!({"applicant_id": live_applicant, "level_id": basic})),
    )
    .await;
    let live_id = live["id"].as_str().expect("id").to_owned();
    let (code, _) = call(
        &app,
        &keys.live,
        Method::PUT,
        &format!("/kyc_applications/{live_id}"),
        Some(json!({"status": "pending"})),
    )
    .await;
    assert_eq!(code, 403, "live tenants cannot force statuses");
}

async fn another_tenants_ids_are_not_found_anywhere(app: TestApp) {
    let keys = setup(&app).await;
    let applicant_id = applicant(&app, &keys.live, "c-1").await;
    let (basic, id) = basic_draft(&app, &keys.live, &applicant_id).await;
    let other = &keys.sandbox;
    let attempts = [
        (Method::GET, format!("/applicants/{applicant_id}"), None),
        (Method::GET, format!("/kyc_applications/{id}"), None),
        (
            Method::PATCH,
            format!("/kyc_applications/{id}"),
            Some(json!({"attribute_changes": [{"key": "first_name", "value": "X"}]})),
        ),
        (
            Method::POST,
            format!("/kyc_applications/{id}/send-to-review"),
            None,
        ),
        (
            Method::PUT,
            format!("/kyc_applications/{id}"),
            Some(json!({"status": "pending"})),
        ),
        (Method::GET, format!("/kyc_applications/{id}/events"), None),
        (
            Method::POST,
            "/kyc_applications".to_owned(),
            Some(json!({"applicant_id": applicant_id, "level_id": basic})),
        ),
    ];
    for (method, path, body) in attempts {
        let (status, answer) = call(&app, other, method.clone(), &path, body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
        assert_eq!(answer["error"]["code"], "not_found");
    }
    let response = app
        .client
        .get(app.url("/api/v1/kyc_applications"))
        .bearer_auth(other)
        .send()
        .await
        .expect("list");
    assert_eq!(
        response
            .headers()
            .get("x-total-results-count")
            .and_then(|v| v.to_str().ok()),
        Some("0")
    );
}

async fn keys_are_required_and_checked(app: TestApp) {
    setup(&app).await;
    let missing = app
        .client
        .get(app.url("/api/v1/levels"))
        .send()
        .await
        .expect("request");
    assert_eq!(missing.status(), 401);
    assert_eq!(
        missing
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    let body: Value = missing.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unauthorized");
    for key in ["kyc_live_0000", "", "Basic abc"] {
        let response = app
            .client
            .get(app.url("/api/v1/levels"))
            .header("Authorization", format!("Bearer {key}"))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 401, "{key}");
    }
}

async fn bad_input_gets_a_clear_4xx_never_a_5xx(app: TestApp) {
    let keys = setup(&app).await;
    let url = app.url("/api/v1/applicants");
    // No connection reuse: the server answers 413 without reading the whole body and closes the
    // connection, which a pooled client would otherwise try to reuse.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let send = |body: String, content_type: &'static str| {
        client
            .post(url.clone())
            .bearer_auth(&keys.live)
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    let cases: Vec<(String, &str, u16, &str)> = vec![
        ("{not json".into(), "application/json", 400, "invalid_json"),
        ("{\"external_id\": \"x\"}".into(), "text/plain", 415, "unsupported_media_type"),
        ("{\"external_id\": \"x\", \"favourite_colour\": \"red\"}".into(), "application/json", 422, "validation_failed"),
        ("{\"external_id\": 42}".into(), "application/json", 422, "validation_failed"),
        ("[]".into(), "application/json", 422, "validation_failed"),
        (json!({"external_id": "x".repeat(5000)}).to_string(), "application/json", 422, "validation_failed"),
        (json!({"external_id": "y", "email": "no", "date_of_birth": "1990-02-30", "country": "ZZ"}).to_string(), "application/json", 422, "validation_failed"),
        (json!({"external_id": "z".repeat(2 * 1024 * 1024)}).to_string(), "application/json", 413, "payload_too_large"),
    ];
    for (body, content_type, status, code) in cases {
        let response = send(body.clone(), content_type).await.expect("request");
        assert_eq!(
            response.status().as_u16(),
            status,
            "{}",
            body.chars().take(80).collect::<String>()
        );
        let answer: Value = response.json().await.expect("json error body");
        assert_eq!(answer["error"]["code"], code);
    }
    let (status, answer) = call(
        &app,
        &keys.live,
        Method::GET,
        "/kyc_applications?per_page=1000",
        None,
    )
    .await;
    assert_eq!(
        (status.as_u16(), answer["error"]["code"].clone()),
        (422, json!("validation_failed"))
    );
    let (status, answer) = call(&app, &keys.live, Method::GET, "/no-such-endpoint", None).await;
    assert_eq!(
        (status.as_u16(), answer["error"]["code"].clone()),
        (404, json!("not_found"))
    );
}

async fn french_messages_on_request(app: TestApp) {
    let keys = setup(&app).await;
    let response = app
        .client
        .post(app.url("/api/v1/applicants"))
        .bearer_auth(&keys.live)
        .header("Accept-Language", "fr-FR,fr;q=0.9")
        .json(&json!({"external_id": "f", "email": "nope"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 422);
    assert_eq!(
        response
            .headers()
            .get("content-language")
            .and_then(|v| v.to_str().ok()),
        Some("fr")
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["message"], "la requête n'est pas valide");
    assert_eq!(
        body["error"]["details"][0]["message"],
        "adresse e-mail invalide"
    );
}

async fn idempotency_keys_replay_the_first_answer(app: TestApp) {
    let keys = setup(&app).await;
    let post = |body: Value, key: &'static str| {
        app.client
            .post(app.url("/api/v1/applicants"))
            .bearer_auth(&keys.live)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let first = post(json!({"external_id": "idem-1"}), "key-1")
        .await
        .expect("first");
    assert_eq!(first.status(), 201);
    let first_body: Value = first.json().await.expect("json");
    let again = post(json!({"external_id": "idem-1"}), "key-1")
        .await
        .expect("replay");
    assert_eq!(
        again.status(),
        201,
        "the replay answers like the first time, not 409"
    );
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let again_body: Value = again.json().await.expect("json");
    assert_eq!(again_body, first_body);
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM applicants WHERE external_id = 'idem-1'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("count");
    assert_eq!(count, 1, "the request ran once");
    let other = post(json!({"external_id": "idem-2"}), "key-1")
        .await
        .expect("reuse");
    assert_eq!(other.status(), 422);
    let body: Value = other.json().await.expect("json");
    assert_eq!(body["error"]["code"], "idempotency_key_reused");
}

async fn level_info_tokens_and_client_verification(app: TestApp) {
    let keys = setup(&app).await;
    let applicant_id = applicant(&app, &keys.sandbox, "li-1").await;
    let (status, info) = call(
        &app,
        &keys.sandbox,
        Method::GET,
        &format!("/applicants/{applicant_id}/kyc-level-info"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["current_level"], Value::Null);
    assert_eq!(info["allowed_to_create_kyc_application"], true);
    assert_eq!(info["available_levels_for_upgrade"][0]["name"], "Basic");

    let (_, id) = basic_draft(&app, &keys.sandbox, &applicant_id).await;
    let (_, info) = call(
        &app,
        &keys.sandbox,
        Method::GET,
        &format!("/applicants/{applicant_id}/kyc-level-info"),
        None,
    )
    .await;
    assert_eq!(
        info["allowed_to_create_kyc_application"], false,
        "an open application blocks a new one"
    );
    assert_eq!(info["last_kyc_application_id"], json!(id));

    let verification = json!({"verification_provider": "bank-kyc", "verification_datetime": "2026-11-20T10:00:00+01:00", "bvn": "22123456789", "tier": 2, "address_verified": true});
    let (status, body) = call(
        &app,
        &keys.sandbox,
        Method::POST,
        &format!("/kyc_applications/{id}/client-verification"),
        Some(verification),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let stored: Option<String> =
        sqlx::query_scalar("SELECT client_verification FROM applications WHERE id = $1")
            .bind(&id)
            .fetch_one(app.services.store.pool())
            .await
            .expect("stored");
    let stored: Value = serde_json::from_str(&stored.expect("recorded")).expect("json");
    assert_eq!(
        stored["verification_datetime"],
        "2026-11-20T09:00:00.000000Z"
    );
    let (status, _) = call(
        &app,
        &keys.sandbox,
        Method::POST,
        &format!("/kyc_applications/{id}/client-verification"),
        Some(json!({"bvn": "123"})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = call(
        &app,
        &keys.sandbox,
        Method::POST,
        &format!("/kyc_applications/{id}/client-verification"),
        Some(json!({"colour": "red"})),
    )
    .await;
    assert_eq!(status, 422);

    for step in ["pending", "submitted", "review", "accepted"] {
        call(
            &app,
            &keys.sandbox,
            Method::PUT,
            &format!("/kyc_applications/{id}"),
            Some(json!({"status": step})),
        )
        .await;
    }
    let (_, info) = call(
        &app,
        &keys.sandbox,
        Method::GET,
        &format!("/applicants/{applicant_id}/kyc-level-info"),
        None,
    )
    .await;
    assert_eq!(info["current_level"]["name"], "Basic");
    assert_eq!(info["available_levels_for_upgrade"][0]["name"], "Standard");
    assert_eq!(info["allowed_to_create_kyc_application"], true);

    let (status, token) = call(
        &app,
        &keys.sandbox,
        Method::POST,
        &format!("/applicants/{applicant_id}/access-token"),
        None,
    )
    .await;
    assert_eq!(status, 201, "{token}");
    assert!(
        token["access_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("kyc_at_") && t.len() > 60)
    );
    let (status, _) = call(
        &app,
        &keys.sandbox,
        Method::POST,
        &format!("/applicants/{applicant_id}/access-token"),
        Some(json!({"ttl_seconds": 5})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = call(
        &app,
        &keys.live,
        Method::POST,
        &format!("/applicants/{applicant_id}/access-token"),
        None,
    )
    .await;
    assert_eq!(status, 404, "another tenant's applicant");
    let (status, _) = call(
        &app,
        &keys.live,
        Method::GET,
        &format!("/applicants/{applicant_id}/kyc-level-info"),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

on_both_databases!(
    @with crate::common::no_workers;
    level_info_tokens_and_client_verification,
    idempotency_keys_replay_the_first_answer,
    a_tenant_fills_an_application_and_sends_it_to_review,
    sandbox_tenants_may_force_statuses_along_the_machine,
    another_tenants_ids_are_not_found_anywhere,
    keys_are_required_and_checked,
    bad_input_gets_a_clear_4xx_never_a_5xx,
    french_messages_on_request,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_over_its_rate_gets_429_with_retry_after() {
    let app = TestApp::sqlite_with(|config| config.api_rate_per_second = 1).await;
    let keys = setup(&app).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = app
            .client
            .get(app.url("/api/v1/levels"))
            .bearer_auth(&keys.live)
            .send()
            .await
            .expect("request");
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            assert!(
                response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.parse::<u64>().is_ok())
            );
            let body: Value = response.json().await.expect("json");
            assert_eq!(body["error"]["code"], "rate_limited");
        }
    }
    assert_eq!(
        statuses,
        [200, 200, 429],
        "a burst of twice the rate, then 429"
    );
    let other = app
        .client
        .get(app.url("/api/v1/levels"))
        .bearer_auth(&keys.sandbox)
        .send()
        .await
        .expect("request");
    assert_eq!(other.status(), 200, "another key has its own bucket");
}
