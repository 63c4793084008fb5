//! Seed 002's dialect ("kyc-ms"): the headers the seed lists, replayed from its fixture; the user
//! status through a whole SDK flow (NOT_REGISTERED → LV1 → PENDING → APPROVED_VERIFIED, and
//! NEED_RESUBMIT until three failed attempts make REJECTED); `getToken`; the three-header
//! authentication; bad input in `{"code", "message"}`, never a 5xx.

use crate::common::TestApp;
use crate::common::tenant::{TenantApi, quick_level, seeded};
use reqwest::Method;
use serde_json::{Value, json};

const SANDBOX: &str = "Lumen Pay (sandbox)";
const LIVE: &str = "Northwind Bank";

fn fixture() -> Value {
    serde_json::from_str(include_str!("../../fixtures/seeds/002_headers.json")).expect("fixture")
}

/// Calls an endpoint of the fixture with the given header values, each sent under the spelling the
/// seed lists for that endpoint (values it does not list are sent as named).
async fn call(
    app: &TestApp,
    method: Method,
    endpoint: &str,
    values: &[(&str, String)],
    body: Option<Value>,
) -> (u16, Value) {
    let fixture = fixture();
    let documented = fixture[endpoint]["headers"]
        .as_array()
        .expect("documented headers");
    let url = fixture[endpoint]["url"].as_str().expect("url");
    let mut request = app.client.request(method, app.url(&format!("/{url}")));
    for (name, value) in values {
        let spelled = documented
            .iter()
            .filter_map(|h| h["name"].as_str())
            .find(|h| h.eq_ignore_ascii_case(name))
            .unwrap_or(name);
        request = request.header(spelled, value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// What a mobile app holds: the tenant's key and name, and one applicant's token.
fn credentials(key: &str, tenant: &str, token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("tenantName", tenant.to_owned()),
        ("api-key", key.to_owned()),
        ("Authorization", format!("Bearer {token}")),
    ]
}

fn with(
    mut values: Vec<(&'static str, String)>,
    more: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    values.extend(more.iter().map(|(k, v)| (*k, (*v).to_owned())));
    values
}

/// The native way a tenant gets an applicant's token.
async fn access_token(tenant: &TenantApi, applicant: &str) -> String {
    let (status, body) = tenant
        .call(
            Method::POST,
            &format!("/applicants/{applicant}/access-token"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["access_token"].as_str().expect("token").to_owned()
}

fn assert_refusal(status: u16, answer: &Value, expected: u16, code: &str) {
    assert_eq!(status, expected, "{answer}");
    let fields: Vec<&String> = answer.as_object().expect("object").keys().collect();
    assert_eq!(fields, ["code", "message"], "{answer}");
    assert_eq!(answer["code"], code, "{answer}");
    assert!(
        answer["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{answer}"
    );
}

fn assert_user_info(answer: &Value, status: &str, attempts: i64, left: Option<i64>) {
    assert_eq!(answer["status"], status, "{answer}");
    assert_eq!(answer["attempts"], attempts, "{answer}");
    assert_eq!(answer["attemptsLeft"], json!(left), "{answer}");
}

async fn the_sdk_flow_runs_from_registration_to_approval(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let level = quick_level(&app, "Mobile", false, vec![]).await;
    let applicant = sandbox.applicant("sdk-1", "Lovelace").await;
    let token = access_token(&sandbox, &applicant).await;
    let creds = credentials(&sandbox.key, SANDBOX, &token);

    // The seed's getUserInfo headers, by GET and by POST.
    for method in [Method::GET, Method::POST] {
        let (status, info) = call(&app, method, "getUserInfo", &creds, None).await;
        assert_eq!(status, 200, "{info}");
        let fields: Vec<&String> = info.as_object().expect("object").keys().collect();
        let mut expected = [
            "applicationId",
            "attempts",
            "attemptsLeft",
            "level",
            "maxAttempts",
            "status",
            "userId",
        ];
        expected.sort_unstable();
        assert_eq!(fields, expected, "{info}");
        assert_eq!(info["userId"], json!(applicant));
        assert_eq!(info["applicationId"], Value::Null);
        assert_eq!(info["level"], Value::Null);
        assert_user_info(&info, "NOT_REGISTERED", 0, None);
    }

    let application = sandbox
        .quick_application(&level, &applicant, json!({}))
        .await;
    let (_, info) = call(&app, Method::GET, "getUserInfo", &creds, None).await;
    assert_user_info(&info, "LV1", 0, Some(2));
    assert_eq!(info["applicationId"], json!(application));
    assert_eq!(info["level"]["name"], "Mobile");
    assert_eq!(info["level"]["id"], json!(level));
    assert_eq!(info["maxAttempts"], 2);

    // The seed's registerUser headers: the SDK's ids go onto the application, which goes to review.
    let ids = [("accountId", "acc-1"), ("workflowId", "wf-1")];
    let (status, registered) = call(
        &app,
        Method::POST,
        "registerUser",
        &with(creds.clone(), &ids),
        None,
    )
    .await;
    assert_eq!(status, 200, "{registered}");
    assert_user_info(&registered, "PENDING", 1, Some(1));
    assert_eq!(registered["applicationId"], json!(application));
    assert_eq!(
        (&registered["accountId"], &registered["workflowId"]),
        (&json!("acc-1"), &json!("wf-1"))
    );
    sandbox.wait_for_status(&application, "review").await;
    let (_, info) = call(&app, Method::GET, "getUserInfo", &creds, None).await;
    assert_user_info(&info, "PENDING", 1, Some(1));

    // The same ids again, as a JSON body: nothing new. Other ids on the submitted attempt: 409.
    let (status, again) = call(
        &app,
        Method::POST,
        "registerUser",
        &creds,
        Some(json!({"accountId": "acc-1", "workflowId": "wf-1"})),
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["applicationId"], json!(application));
    assert_eq!(
        app.audit_count("application.sdk_references_recorded").await,
        1
    );
    let other = [("accountId", "acc-2"), ("workflowId", "wf-2")];
    let (status, refused) = call(
        &app,
        Method::POST,
        "registerUser",
        &with(creds.clone(), &other),
        None,
    )
    .await;
    assert_refusal(status, &refused, 409, "conflict");

    let (status, decided) = sandbox
        .call(
            Method::PUT,
            &format!("/kyc_applications/{application}"),
            Some(json!({"status": "accepted"})),
        )
        .await;
    assert_eq!(status, 202, "{decided}");
    let (_, info) = call(&app, Method::GET, "getUserInfo", &creds, None).await;
    assert_user_info(&info, "APPROVED_VERIFIED", 1, Some(0));

    // getToken: a fresh applicant token for the SDK; the device is in the trail, the token is not.
    let (status, issued) = call(
        &app,
        Method::GET,
        "getToken",
        &with(creds.clone(), &[("deviceId", "pixel-8-abc")]),
        None,
    )
    .await;
    assert_eq!(status, 200, "{issued}");
    let fresh = issued["token"].as_str().expect("token").to_owned();
    assert!(fresh.starts_with("kyc_at_") && fresh != token, "{issued}");
    assert!(
        issued["expiresAt"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    let (status, info) = call(
        &app,
        Method::POST,
        "getUserInfo",
        &credentials(&sandbox.key, SANDBOX, &fresh),
        None,
    )
    .await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["userId"], json!(applicant));
    let response = app
        .client
        .post(app.url("/kyc-ms/getToken?deviceId=ios-42"))
        .header("TenantName", SANDBOX)
        .header("api-key", &sandbox.key)
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let pool = app.services.store.pool();
    let mentioning = |text: String| async move {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'applicant.access_token_issued' AND payload LIKE $1",
        )
        .bind(format!("%{text}%"))
        .fetch_one(pool)
        .await
        .expect("count")
    };
    assert_eq!(mentioning("pixel-8-abc".into()).await, 1);
    assert_eq!(mentioning("ios-42".into()).await, 1);
    assert_eq!(
        mentioning(fresh.clone()).await,
        0,
        "tokens are never recorded"
    );

    // registerUser without an application: one is made on the level named, or else on the first
    // level open to the applicant (the demo's Basic). Answers the level still needs are refused,
    // and the draft stays (LV1) to be completed natively before the SDK ids are sent again.
    let second = sandbox.applicant("sdk-2", "Lovelace").await;
    let second_creds = credentials(
        &sandbox.key,
        SANDBOX,
        &access_token(&sandbox, &second).await,
    );
    let body = json!({"accountId": "acc-3", "workflowId": "wf-3", "levelId": level});
    let (status, refused) = call(
        &app,
        Method::POST,
        "registerUser",
        &second_creds,
        Some(body.clone()),
    )
    .await;
    assert_refusal(status, &refused, 422, "missing_requirements");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("nickname"))
    );
    let (_, info) = call(&app, Method::GET, "getUserInfo", &second_creds, None).await;
    assert_user_info(&info, "LV1", 0, Some(2));
    assert_eq!(info["level"]["id"], json!(level));
    let draft = info["applicationId"].as_str().expect("draft").to_owned();
    let (status, filled) = sandbox
        .call(
            Method::PATCH,
            &format!("/kyc_applications/{draft}"),
            Some(json!({"attribute_changes": [{"key": "nickname", "value": "Ada"}]})),
        )
        .await;
    assert_eq!(status, 200, "{filled}");
    let (status, registered) = call(
        &app,
        Method::POST,
        "registerUser",
        &second_creds,
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{registered}");
    assert_user_info(&registered, "PENDING", 1, Some(1));
    assert_eq!(registered["applicationId"], json!(draft));

    let third = sandbox.applicant("sdk-3", "Lovelace").await;
    let third_creds = credentials(&sandbox.key, SANDBOX, &access_token(&sandbox, &third).await);
    let ids = [("accountId", "acc-4"), ("workflowId", "wf-4")];
    let (status, refused) = call(
        &app,
        Method::POST,
        "registerUser",
        &with(third_creds.clone(), &ids),
        None,
    )
    .await;
    assert_refusal(status, &refused, 422, "missing_requirements");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("first_name"))
    );
    let (_, info) = call(&app, Method::GET, "getUserInfo", &third_creds, None).await;
    assert_user_info(&info, "LV1", 0, Some(3));
    assert_eq!(info["level"]["name"], "Basic");
}

async fn three_failed_attempts_reject_the_user(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    // The sandbox asks every attempt of a "Remediate" to be resubmitted; Basic allows three.
    let applicant = sandbox.applicant("sdk-r", "Remediate").await;
    let application = sandbox.basic_application(&applicant, json!({})).await;
    let creds = credentials(
        &sandbox.key,
        SANDBOX,
        &access_token(&sandbox, &applicant).await,
    );
    let register = |n: i64| {
        let values = with(
            creds.clone(),
            &[
                ("accountId", &format!("acc-{n}")),
                ("workflowId", &format!("wf-{n}")),
            ],
        );
        let app = &app;
        async move { call(app, Method::POST, "registerUser", &values, None).await }
    };
    for attempt in 1..=2 {
        let (status, registered) = register(attempt).await;
        assert_eq!(status, 200, "{registered}");
        assert_user_info(&registered, "PENDING", attempt, Some(3 - attempt));
        sandbox
            .wait_for(&application, "remediate", |a| {
                a["status"] == "remediate" && a["attempt"] == attempt
            })
            .await;
        let (_, info) = call(&app, Method::GET, "getUserInfo", &creds, None).await;
        assert_user_info(&info, "NEED_RESUBMIT", attempt, Some(3 - attempt));
        assert_eq!(info["maxAttempts"], 3);
    }
    let (status, registered) = register(3).await;
    assert_eq!(status, 200, "{registered}");
    sandbox.wait_for_status(&application, "rejected").await;
    let (_, info) = call(&app, Method::GET, "getUserInfo", &creds, None).await;
    assert_user_info(&info, "REJECTED", 3, Some(0));
    assert_eq!(info["applicationId"], json!(application));

    // The last ids again are the same registration; new ones find no level left to apply for.
    let (status, again) = register(3).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["status"], "REJECTED");
    let (status, refused) = register(4).await;
    assert_refusal(status, &refused, 409, "conflict");
    assert_eq!(
        app.audit_count("application.sdk_references_recorded").await,
        3
    );
}

async fn every_endpoint_authenticates_tenant_and_applicant(app: TestApp) {
    let (live, sandbox) = seeded(&app).await;
    let applicant = sandbox.applicant("sdk-a", "Lovelace").await;
    let token = access_token(&sandbox, &applicant).await;
    let live_applicant = live.applicant("sdk-a", "Lovelace").await;
    let live_token = access_token(&live, &live_applicant).await;
    let ids = [("accountId", "acc-1"), ("workflowId", "wf-1")];
    let endpoints = [
        (Method::GET, "getUserInfo"),
        (Method::POST, "getToken"),
        (Method::POST, "registerUser"),
    ];
    let good = credentials(&sandbox.key, SANDBOX, &token);
    let without = |name: &str| -> Vec<(&'static str, String)> {
        good.iter().filter(|(n, _)| *n != name).cloned().collect()
    };
    let replacing = |name: &'static str, value: &str| -> Vec<(&'static str, String)> {
        with(without(name), &[(name, value)])
    };
    let refused_cases = [
        ("no api-key", without("api-key")),
        ("unknown api-key", replacing("api-key", "kyc_test_nope")),
        ("no tenantName", without("tenantName")),
        ("another tenant's name", replacing("tenantName", LIVE)),
        ("no applicant token", without("Authorization")),
        (
            "the api key as applicant token",
            replacing("Authorization", &format!("Bearer {}", sandbox.key)),
        ),
        (
            "unknown applicant token",
            replacing("Authorization", "Bearer kyc_at_nope"),
        ),
        (
            "another tenant's applicant token",
            replacing("Authorization", &format!("Bearer {live_token}")),
        ),
    ];
    for (method, endpoint) in &endpoints {
        for (case, values) in &refused_cases {
            let (status, answer) = call(
                &app,
                method.clone(),
                endpoint,
                &with(values.clone(), &ids),
                None,
            )
            .await;
            assert_eq!(status, 401, "{endpoint}, {case}: {answer}");
            assert_refusal(status, &answer, 401, "unauthorized");
        }
    }
    assert_eq!(
        app.audit_count("application.sdk_references_recorded").await,
        0
    );

    // The tenant's name in any case; each tenant reaches only the applicant its token is bound to.
    let (status, info) = call(
        &app,
        Method::GET,
        "getUserInfo",
        &replacing("tenantName", "lumen pay (SANDBOX)"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["userId"], json!(applicant));
    let (status, info) = call(
        &app,
        Method::GET,
        "getUserInfo",
        &credentials(&live.key, LIVE, &live_token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["userId"], json!(live_applicant));

    // An expired token is refused everywhere.
    sqlx::query("UPDATE applicant_tokens SET expires_at = '2000-01-01T00:00:00.000000Z' WHERE applicant_id = $1")
        .bind(&applicant)
        .execute(app.services.store.pool())
        .await
        .expect("expire the token");
    for (method, endpoint) in &endpoints {
        let (status, answer) = call(
            &app,
            method.clone(),
            endpoint,
            &with(good.clone(), &ids),
            None,
        )
        .await;
        assert_refusal(status, &answer, 401, "unauthorized");
        assert!(
            answer["message"]
                .as_str()
                .is_some_and(|m| m.contains("expired"))
        );
    }
}

async fn bad_input_gets_the_error_form_never_a_5xx(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let level = quick_level(&app, "Mobile", false, vec![]).await;
    let applicant = sandbox.applicant("sdk-b", "Lovelace").await;
    let creds = credentials(
        &sandbox.key,
        SANDBOX,
        &access_token(&sandbox, &applicant).await,
    );
    let register = |values: Vec<(&'static str, String)>, body: Option<Value>| {
        let app = &app;
        async move { call(app, Method::POST, "registerUser", &values, body).await }
    };
    let response = app
        .client
        .post(app.url("/kyc-ms/registerUser"))
        .header("tenantName", SANDBOX)
        .header("api-key", &sandbox.key)
        .bearer_auth(access_token(&sandbox, &applicant).await)
        .body("not json")
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let answer: Value = response.json().await.expect("json");
    assert_refusal(status, &answer, 400, "invalid_json");
    for (body, expected, code) in [
        (
            json!({"accountId": "a", "workflowId": "w", "extra": 1}),
            400,
            "invalid_json",
        ),
        (
            json!({"accountId": 7, "workflowId": "w"}),
            400,
            "invalid_json",
        ),
        (json!({"workflowId": "w"}), 422, "validation_failed"),
        (
            json!({"accountId": "a b", "workflowId": "w"}),
            422,
            "validation_failed",
        ),
        (
            json!({"accountId": "a", "workflowId": "w".repeat(201)}),
            422,
            "validation_failed",
        ),
        (
            json!({"accountId": "a", "workflowId": "w", "levelId": "nope"}),
            422,
            "validation_failed",
        ),
        (
            json!({"accountId": "a", "workflowId": "w", "levelId": "0190e1b0-0000-7000-8000-000000000000"}),
            404,
            "not_found",
        ),
    ] {
        let (status, answer) = register(creds.clone(), Some(body.clone())).await;
        assert_refusal(status, &answer, expected, code);
        assert!(status < 500, "{body}");
    }
    let (status, answer) = register(creds.clone(), None).await;
    assert_refusal(status, &answer, 422, "validation_failed");
    assert!(
        answer["message"]
            .as_str()
            .is_some_and(|m| m.contains("accountId"))
    );
    let (status, answer) = register(
        with(creds.clone(), &[("accountId", "acc-1")]),
        Some(json!({"accountId": "acc-2", "workflowId": "wf"})),
    )
    .await;
    assert_refusal(status, &answer, 422, "validation_failed");
    assert!(
        answer["message"]
            .as_str()
            .is_some_and(|m| m.contains("accountId"))
    );

    // An open application on one level does not move to another.
    sandbox
        .quick_application(&level, &applicant, json!({}))
        .await;
    let basic = sandbox.level("Basic").await;
    let (status, answer) = register(
        creds.clone(),
        Some(json!({"accountId": "a", "workflowId": "w", "levelId": basic})),
    )
    .await;
    assert_refusal(status, &answer, 409, "conflict");

    let (status, answer) = call(
        &app,
        Method::GET,
        "getToken",
        &with(creds.clone(), &[("deviceId", &"d".repeat(201))]),
        None,
    )
    .await;
    assert_refusal(status, &answer, 422, "validation_failed");
    let response = app
        .client
        .get(app.url("/kyc-ms/getToken?deviceId=one"))
        .header("tenantName", SANDBOX)
        .header("api-key", &sandbox.key)
        .header("deviceId", "two")
        .bearer_auth(access_token(&sandbox, &applicant).await)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 422);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["code"], "validation_failed");
    assert_eq!(
        app.audit_count("application.sdk_references_recorded").await,
        0
    );
}

on_both_databases!(
    the_sdk_flow_runs_from_registration_to_approval,
    three_failed_attempts_reject_the_user,
    every_endpoint_authenticates_tenant_and_applicant,
    bad_input_gets_the_error_form_never_a_5xx,
);
