//! An auditor filters the log, verifies the chain and downloads a CSV export whose SHA-256 is the
//! one its manifest states.

use sha2::{Digest, Sha256};

use crate::Demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_filters_verifies_and_exports() {
    let Some(demo) = Demo::start("auditor").await else {
        return;
    };
    let mut auditor = demo.signed_in("auditor").await;
    auditor.goto("/audit").await;
    auditor
        .fill("#audit-filters input[name=action]", "application.decided")
        .await;
    auditor.click("#audit-filters button[type=submit]").await;
    auditor.wait_for_url("action=application.decided").await;
    let results = auditor
        .wait_for_text("#audit-results", "application.decided")
        .await;
    assert!(
        !results.contains("application.created"),
        "the filter let other actions through: {results}"
    );
    auditor.shot("1-filtered-log").await;

    auditor.click("form[action='/audit/verify'] button").await;
    auditor.wait_for_text("#verify-outcome", "Intact").await;
    auditor.shot("2-chain-verified").await;

    auditor.goto("/audit/exports").await;
    auditor
        .select("#export-form select[name=kind]", "events")
        .await;
    auditor
        .select("#export-form select[name=format]", "csv")
        .await;
    auditor.click("#export-form button[type=submit]").await;
    auditor.wait_for("#export-created").await;
    auditor.shot("3-export-ready").await;
    auditor.click("#exports-table a[href$='/file']").await;
    let csv = auditor.downloaded(".csv").await;
    auditor.click("#exports-table a[href$='/manifest']").await;
    let manifest = auditor.downloaded(".manifest.json").await;
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(manifest).expect("manifest")).expect("JSON manifest");
    let digest = hex::encode(Sha256::digest(std::fs::read(csv).expect("CSV")));
    assert_eq!(
        manifest["sha256"].as_str(),
        Some(digest.as_str()),
        "{manifest}"
    );

    auditor.assert_clean_console().await;
    auditor.close().await;
}
