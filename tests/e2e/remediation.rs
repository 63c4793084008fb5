//! Remediation round trip: a reviewer asks for a document again; the tenant resubmits through the
//! API; the application is back in the queue at attempt 2, the earlier document kept for comparison.

use base64::Engine;
use kycdesk::demo::images::{ArtKind, DocumentArt, render_png};
use kycdesk::domain::document::DocumentType;
use kycdesk::domain::requirement::{Requirement, RequirementKind};
use reqwest::Method;
use serde_json::json;

use crate::Demo;
use crate::common::tenant::{TenantApi, quick_level};

fn passport_scan(seed: u64) -> String {
    let png = render_png(&DocumentArt {
        kind: ArtKind::PassportPage,
        full_name: "Ada Lovelace",
        date_of_birth: "1990-12-10",
        document_number: "X1234567",
        country: "GB",
        seed,
    });
    base64::engine::general_purpose::STANDARD.encode(png)
}

async fn upload_passport(tenant: &TenantApi, id: &str, seed: u64) {
    let (status, body) = tenant
        .call(
            Method::POST,
            &format!("/kyc_applications/{id}/documents"),
            Some(json!({"document_type": "passport", "front": passport_scan(seed)})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remediation_brings_the_application_back_at_attempt_two() {
    let Some(demo) = Demo::start("remediation").await else {
        return;
    };
    let passport = Requirement {
        key: "passport".into(),
        label: "Passport".into(),
        required: true,
        kind: RequirementKind::Document {
            document_types: vec![DocumentType::Passport],
            sides: vec![],
        },
    };
    let level = quick_level(&demo.app, "Passport check", false, vec![passport]).await;
    let tenant = TenantApi::new(&demo.app, demo.api_key(true));
    let applicant = tenant.applicant("remediation-1", "Lovelace").await;
    let id = tenant
        .quick_application(&level, &applicant, json!({}))
        .await;
    upload_passport(&tenant, &id, 1).await;
    tenant.send_to_review(&id).await;
    tenant.wait_for_status(&id, "review").await;

    let mut reviewer = demo.signed_in("reviewer1").await;
    reviewer.goto(&format!("/applications/{id}")).await;
    reviewer.wait_for_text("#status-badge", "review").await;
    reviewer
        .click(".decision-form input[value=remediate]")
        .await;
    reviewer.click(".decision-form input[name=reason]").await;
    reviewer
        .click(".decision-form input[name=redo][value=passport]")
        .await;
    reviewer
        .fill(
            ".decision-form textarea[name=message]",
            "The photo page is blurred; please upload it again.",
        )
        .await;
    reviewer.shot("1-requesting-remediation").await;
    reviewer.click(".decision-form button[type=submit]").await;
    reviewer.wait_for_text("#status-badge", "remediate").await;
    reviewer
        .wait_for_text("#decision", "To redo: Passport")
        .await;
    reviewer.shot("2-remediation-requested").await;

    upload_passport(&tenant, &id, 2).await;
    tenant.send_to_review(&id).await;
    tenant.wait_for_status(&id, "review").await;

    reviewer
        .goto("/applications?status=review&q=remediation-1")
        .await;
    let row = reviewer
        .wait_for_text("#queue-table tbody", "Lovelace")
        .await;
    assert!(row.contains("2 of"), "the queue shows attempt 2: {row}");
    reviewer.shot("3-back-in-the-queue").await;
    reviewer.click("#queue-table tbody tr td a").await;
    reviewer.wait_for_text("#case-header", "attempt 2").await;
    let earlier = reviewer
        .wait_for_text(".doc-group.earlier", "earlier attempt, for comparison")
        .await;
    assert!(earlier.contains("attempt 1"), "{earlier}");
    let current = reviewer.text(".doc-group:not(.earlier)").await;
    assert!(
        current.contains("attempt 2") && !current.contains("earlier"),
        "{current}"
    );
    for group in [".doc-group.earlier", ".doc-group:not(.earlier)"] {
        let thumbnails = reviewer
            .client
            .find_all(fantoccini::Locator::Css(&format!("{group} .thumb img")))
            .await
            .expect("thumbnails");
        assert_eq!(thumbnails.len(), 1, "one passport in {group}");
    }
    reviewer.shot("4-attempt-two-with-earlier-document").await;

    reviewer.assert_clean_console().await;
    reviewer.close().await;
}
