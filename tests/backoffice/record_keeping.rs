//! Record keeping over real HTTP on both databases: retention shown on the case, the period set by
//! admins, legal holds, and the auditor's case file whose manifest matches its files.

use std::io::Read;

use crate::common::TestApp;
use crate::common::browser::signed_in;
use crate::common::tenant::{quick_level, seeded};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

async fn retention_holds_and_case_files(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let passport = kycdesk::domain::requirement::Requirement {
        key: "passport".into(),
        label: "Passport".into(),
        required: true,
        kind: kycdesk::domain::requirement::RequirementKind::Document {
            document_types: vec![kycdesk::domain::document::DocumentType::Passport],
            sides: vec![],
        },
    };
    let level = quick_level(&app, "Manual", false, vec![passport]).await;
    let applicant = sandbox.applicant("rk-1", "Lovelace").await;
    let id = sandbox
        .quick_application(&level, &applicant, json!({}))
        .await;
    let png = kycdesk::demo::images::render_png(&kycdesk::demo::images::DocumentArt {
        kind: kycdesk::demo::images::ArtKind::PassportPage,
        full_name: "Ada Lovelace",
        date_of_birth: "1990-12-10",
        document_number: "X1",
        country: "GB",
        seed: 1,
    });
    use base64::Engine;
    let front = base64::engine::general_purpose::STANDARD.encode(&png);
    let (status, _) = sandbox
        .call(
            Method::POST,
            &format!("/kyc_applications/{id}/documents"),
            Some(json!({"document_type": "passport", "front": front})),
        )
        .await;
    assert_eq!(status, 201);

    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    let case = admin.get(&format!("/applications/{id}")).await;
    assert!(
        case.body.contains("The relationship is open"),
        "{}",
        case.body
    );
    for status in ["pending", "submitted", "review", "accepted"] {
        sandbox
            .call(
                Method::PUT,
                &format!("/kyc_applications/{id}"),
                Some(json!({"status": status})),
            )
            .await;
    }
    let case = admin.get(&format!("/applications/{id}")).await;
    assert!(
        case.body.contains("5 years after the last final decision"),
        "{}",
        case.body
    );

    assert_eq!(
        admin
            .post("/admin/retention", &[("years", "0")])
            .await
            .status,
        422
    );
    assert_eq!(
        admin
            .post("/admin/retention", &[("years", "7")])
            .await
            .status,
        303
    );
    let case = admin.get(&format!("/applications/{id}")).await;
    assert!(case.body.contains("7 years after the last final decision"));
    assert_eq!(app.audit_count("retention.period_set").await, 1);

    let held = admin
        .post(
            &format!("/applications/{id}/legal-hold"),
            &[("action", "place"), ("reason", "court order 2026/114")],
        )
        .await;
    assert_eq!(held.status, 303);
    let case = admin.get(&format!("/applications/{id}")).await;
    assert!(case.body.contains("Legal hold: court order 2026/114"));
    assert_eq!(
        admin
            .post(
                &format!("/applications/{id}/legal-hold"),
                &[("action", "place"), ("reason", "again")]
            )
            .await
            .status,
        409
    );
    assert_eq!(
        admin
            .post(
                &format!("/applications/{id}/legal-hold"),
                &[("action", "lift")]
            )
            .await
            .status,
        303
    );
    assert_eq!(app.audit_count("retention.legal_hold_placed").await, 1);
    assert_eq!(app.audit_count("retention.legal_hold_lifted").await, 1);

    // The auditor's case file.
    let mut auditor = signed_in(&app, "aud@example.com", "auditor").await;
    let case = auditor.get(&format!("/applications/{id}")).await;
    assert!(case.body.contains("case-file-link"));
    let response = auditor
        .download(&format!("/applications/{id}/case-file"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let bytes = response.bytes().await.expect("zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
    let mut read = |name: &str| {
        let mut file = zip.by_name(name).expect(name);
        let mut content = Vec::new();
        file.read_to_end(&mut content).expect("read");
        content
    };
    let manifest: Value = serde_json::from_slice(&read("manifest.json")).expect("manifest");
    let files = manifest["files"].as_array().expect("files");
    assert_eq!(files.len(), 3, "data, history and the passport: {manifest}");
    for file in files {
        let name = file["name"].as_str().expect("name");
        assert_eq!(
            hex::encode(Sha256::digest(read(name))),
            file["sha256"],
            "{name}"
        );
    }
    let data: Value = serde_json::from_slice(&read("application.json")).expect("data");
    assert_eq!(data["application"]["id"], json!(id));
    let history: Value = serde_json::from_slice(&read("history.json")).expect("history");
    assert!(history.as_array().is_some_and(|h| {
        h.iter()
            .all(|e| e["hash"].as_str().is_some_and(|h| h.len() == 64))
    }));
    let document = files
        .iter()
        .find(|f| {
            f["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("documents/"))
        })
        .expect("document");
    assert_eq!(
        document["sha256"],
        json!(hex::encode(Sha256::digest(&png))),
        "the document as uploaded"
    );
    assert_eq!(app.audit_count("case_file.exported").await, 1);

    // Roles.
    assert_eq!(
        auditor
            .post(
                &format!("/applications/{id}/legal-hold"),
                &[("action", "lift")]
            )
            .await
            .status,
        403
    );
    assert_eq!(
        auditor
            .post("/admin/retention", &[("years", "9")])
            .await
            .status,
        403
    );
    let mut reviewer = signed_in(&app, "rev@example.com", "reviewer").await;
    assert_eq!(
        reviewer
            .get(&format!("/applications/{id}/case-file"))
            .await
            .status,
        403
    );
    assert_eq!(
        admin
            .get(&format!("/applications/{id}/case-file"))
            .await
            .status,
        403
    );
}

on_both_databases!(retention_holds_and_case_files);
