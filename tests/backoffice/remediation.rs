//! Remediation of a document over real HTTP on both databases: what the tenant uploads while the
//! application waits for remediation belongs to the new attempt; the reviewer's request must be
//! met before the application goes back; the rest of the first attempt carries over.

use crate::common::TestApp;
use crate::common::browser::signed_in;
use crate::common::tenant::{TenantApi, quick_level, seeded};
use base64::Engine;
use kycdesk::demo::images::{ArtKind, DocumentArt, render_png};
use kycdesk::domain::document::DocumentType;
use kycdesk::domain::requirement::{Requirement, RequirementKind};
use reqwest::Method;
use serde_json::{Value, json};

fn scan(kind: ArtKind, seed: u64) -> String {
    let png = render_png(&DocumentArt {
        kind,
        full_name: "Ada Lovelace",
        date_of_birth: "1990-12-10",
        document_number: "X1234567",
        country: "GB",
        seed,
    });
    base64::engine::general_purpose::STANDARD.encode(png)
}

async fn upload(tenant: &TenantApi, id: &str, body: Value) -> Value {
    let (status, document) = tenant
        .call(
            Method::POST,
            &format!("/kyc_applications/{id}/documents"),
            Some(body),
        )
        .await;
    assert_eq!(status, 201, "{document}");
    document["documents"][0].clone()
}

async fn a_redone_document_starts_the_new_attempt(app: TestApp) {
    let (_, tenant) = seeded(&app).await;
    let requirement = |key: &str, kind| Requirement {
        key: key.into(),
        label: key.into(),
        required: true,
        kind,
    };
    let level = quick_level(
        &app,
        "Passport and selfie",
        false,
        vec![
            requirement(
                "passport",
                RequirementKind::Document {
                    document_types: vec![DocumentType::Passport],
                    sides: vec![],
                },
            ),
            requirement("selfie", RequirementKind::Selfie),
        ],
    )
    .await;
    let applicant = tenant.applicant("redo-1", "Lovelace").await;
    let id = tenant
        .quick_application(&level, &applicant, json!({}))
        .await;
    upload(
        &tenant,
        &id,
        json!({"document_type": "passport", "front": scan(ArtKind::PassportPage, 1)}),
    )
    .await;
    let selfie = upload(
        &tenant,
        &id,
        json!({"document_type": "selfie", "front": scan(ArtKind::Selfie, 1)}),
    )
    .await;
    tenant.send_to_review(&id).await;
    tenant.wait_for_status(&id, "review").await;

    let version: i64 = sqlx::query_scalar("SELECT version FROM applications WHERE id = $1")
        .bind(&id)
        .fetch_one(app.services.store.pool())
        .await
        .expect("version");
    let mut reviewer = signed_in(&app, "rev@example.com", "reviewer").await;
    reviewer.get(&format!("/applications/{id}")).await;
    let decided = reviewer
        .post(
            &format!("/applications/{id}/decision"),
            &[
                ("outcome", "remediate"),
                ("reason", "document_unreadable"),
                ("redo", "passport"),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(decided.status, 303, "{}", decided.body);
    tenant.wait_for_status(&id, "remediate").await;

    // Without the passport asked for, the application cannot go back.
    let (status, refused) = tenant
        .call(
            Method::POST,
            &format!("/kyc_applications/{id}/send-to-review"),
            None,
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused.to_string().contains("passport"), "{refused}");

    let redone = upload(
        &tenant,
        &id,
        json!({"document_type": "passport", "front": scan(ArtKind::PassportPage, 2)}),
    )
    .await;
    assert_eq!(redone["attempt"], 2, "{redone}");
    tenant.send_to_review(&id).await;
    let back = tenant.wait_for_status(&id, "review").await;
    assert_eq!(back["attempt"], 2, "{back}");

    // The case shows the new passport and the carried-over selfie as current, the first passport
    // as the earlier attempt.
    let page = reviewer.get(&format!("/applications/{id}")).await.body;
    let earlier = page
        .split("doc-group earlier")
        .nth(1)
        .expect("an earlier attempt group");
    assert!(earlier.contains("attempt 1"), "{earlier}");
    assert_eq!(page.matches("doc-group earlier").count(), 1, "{page}");
    assert!(page.contains(redone["id"].as_str().expect("id")));
    assert!(page.contains(selfie["id"].as_str().expect("id")));
}

on_both_databases!(a_redone_document_starts_the_new_attempt);
