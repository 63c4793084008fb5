//! Seed 004's dialect: `POST /api/v1/Kyc/update` with the seed's own request shape, answered in its
//! `{succeeded, message, errors, data}` envelope in English or French; authentication and tenant
//! isolation; bad input in the envelope, never a 500.

use crate::common::TestApp;
use crate::common::tenant::{quick_level, seeded};
use serde_json::{Value, json};

async fn kyc_update(
    app: &TestApp,
    key: Option<&str>,
    body: &str,
    lang: Option<&str>,
) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url("/api/v1/Kyc/update"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(lang) = lang {
        request = request.header("accept-language", lang);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn assert_envelope(answer: &Value, succeeded: bool) {
    assert_eq!(answer["succeeded"], succeeded, "{answer}");
    assert!(answer["message"].is_string(), "{answer}");
    assert!(answer["errors"].is_array(), "{answer}");
    assert!(answer.get("data").is_some(), "{answer}");
}

async fn the_seed_request_updates_a_kyc_record(app: TestApp) {
    let (live, sandbox) = seeded(&app).await;
    // The request sample printed in the seed document: its placeholder BVN is refused in the envelope.
    let sample = include_str!("../../fixtures/seeds/004_kyc_update_request.json");
    let (status, answer) = kyc_update(&app, Some(&sandbox.key), sample, None).await;
    assert_eq!(status, 422, "{answer}");
    assert_envelope(&answer, false);
    assert_eq!(answer["data"], Value::Null);

    let level = quick_level(&app, "Tiered", false, vec![]).await;
    let applicant = sandbox.applicant("cust-004", "Okafor").await;
    let request = |kyc_id: &str| {
        json!({"tier": 1, "addressVerified": true, "bvn": "22345678901", "kycId": kyc_id})
            .to_string()
    };
    let (status, answer) = kyc_update(&app, Some(&sandbox.key), &request(&applicant), None).await;
    assert_eq!(status, 409, "no application yet: {answer}");
    assert_envelope(&answer, false);

    sandbox
        .quick_application(&level, &applicant, json!({}))
        .await;
    let (status, answer) = kyc_update(&app, Some(&sandbox.key), &request(&applicant), None).await;
    assert_eq!(status, 200, "{answer}");
    assert_envelope(&answer, true);
    assert_eq!(answer["message"], "KYC details updated");
    assert_eq!(answer["errors"], json!([]));
    let data = &answer["data"];
    assert_eq!(data["id"], json!(applicant));
    assert_eq!(data["tier"], "1");
    assert_eq!(data["name"], "Ada Okafor");
    assert_eq!(data["ownerId"], "cust-004");
    assert_eq!(
        (data["approved"].clone(), data["isTenant"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(data["isAddressVerified"], true);
    assert_eq!(data["approvedOn"], Value::Null);
    assert_eq!(data["bvn"], "•••••••8901", "masked");
    assert_eq!(data["status"], "LV1");
    assert!(data["tenantId"].as_str().is_some_and(|t| t.len() == 36));
    assert_eq!(
        app.audit_count("application.client_verification_recorded")
            .await,
        1
    );

    let (_, french) = kyc_update(
        &app,
        Some(&sandbox.key),
        &request(&applicant),
        Some("fr-FR"),
    )
    .await;
    assert_eq!(french["message"], "informations KYC mises à jour");

    // Authentication and isolation.
    let (status, answer) = kyc_update(&app, None, &request(&applicant), None).await;
    assert_eq!(status, 401);
    assert_envelope(&answer, false);
    let (status, _) = kyc_update(&app, Some("kyc_test_nope"), &request(&applicant), None).await;
    assert_eq!(status, 401);
    let (status, answer) =
        kyc_update(&app, Some(&live.key), &request(&applicant), Some("fr")).await;
    assert_eq!(status, 404, "another tenant's record: {answer}");
    assert_eq!(answer["message"], "ressource introuvable");

    // Bad input: the envelope with a reason, never a 500.
    for body in [
        "not json",
        "{}",
        r#"{"tier": "one", "addressVerified": true, "bvn": "22345678901", "kycId": "x"}"#,
        r#"{"tier": 1, "addressVerified": true, "bvn": "22345678901", "kycId": "x", "extra": 1}"#,
    ] {
        let (status, answer) = kyc_update(&app, Some(&sandbox.key), body, None).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_envelope(&answer, false);
    }
    for (body, field) in [
        (
            json!({"tier": 1, "addressVerified": true, "bvn": "22345678901", "kycId": "not-an-id"}),
            "kycId",
        ),
        (
            json!({"tier": 99, "addressVerified": true, "bvn": "22345678901", "kycId": applicant}),
            "tier",
        ),
        (
            json!({"tier": 1, "addressVerified": true, "bvn": "123", "kycId": applicant}),
            "bvn",
        ),
    ] {
        let (status, answer) = kyc_update(&app, Some(&sandbox.key), &body.to_string(), None).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(
            answer["errors"][0]
                .as_str()
                .is_some_and(|e| e.starts_with(field)),
            "{answer}"
        );
    }
}

on_both_databases!(the_seed_request_updates_a_kyc_record);
