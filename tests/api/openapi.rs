//! The OpenAPI document describes exactly the mounted API: every documented operation answers
//! (401 without a key, so it is mounted), and it lists exactly the endpoints below (the table in
//! docs/ARCHITECTURE.md, Edges).

use crate::common::TestApp;
use serde_json::Value;

async fn the_document_covers_every_mounted_route(app: TestApp) {
    let response = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("document");
    assert_eq!(response.status(), 200, "served without a key");
    let doc: Value = response.json().await.expect("json");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            assert!(
                operation["responses"]["401"].is_object(),
                "{method} {path} documents 401"
            );
            operations.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations.sort();
    let expected = [
        "GET /api/v1/applicants/{id}",
        "GET /api/v1/applicants/{id}/kyc-level-info",
        "GET /api/v1/kyc_applications",
        "GET /api/v1/kyc_applications/{id}",
        "GET /api/v1/kyc_applications/{id}/events",
        "GET /api/v1/legal-documents/{id}",
        "GET /api/v1/levels",
        "PATCH /api/v1/kyc_applications/{id}",
        "POST /api/v1/applicants",
        "POST /api/v1/applicants/{id}/access-token",
        "POST /api/v1/kyc_applications",
        "POST /api/v1/kyc_applications/{id}/answers",
        "POST /api/v1/kyc_applications/{id}/client-verification",
        "POST /api/v1/kyc_applications/{id}/documents",
        "POST /api/v1/kyc_applications/{id}/send-to-review",
        "POST /api/v1/kyc_applications/{id}/signature-codes",
        "POST /api/v1/provider-webhooks/{provider}",
        "PUT /api/v1/kyc_applications/{id}",
    ];
    assert_eq!(operations, expected);
    let id = uuid::Uuid::now_v7().to_string();
    for operation in &operations {
        let (method, path) = operation.split_once(' ').expect("operation");
        let url = app.url(&path.replace("{id}", &id).replace("{provider}", "sumsub"));
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let answer = app
            .client
            .request(method, url)
            .send()
            .await
            .expect("request");
        assert_eq!(
            answer.status(),
            401,
            "{operation} is mounted and needs a key (or, from providers, a signature)"
        );
    }
}

/// Sumsub callbacks configured, so that their route answers 401 to an unsigned request.
fn with_sumsub(config: &mut kycdesk::config::Config) {
    config.providers.sumsub_webhook_secret = Some(kycdesk::config::Secret::new("sumsub-secret"));
}

on_both_databases!(@with super::with_sumsub; the_document_covers_every_mounted_route);
