//! A reviewer filters the queue, opens an application, looks at a document in the viewer (zoom,
//! rotate) and accepts: the badge, the timeline and the counts change without a full reload.

use fantoccini::Locator;

use crate::Demo;

/// The number in the counts strip for `status`.
async fn count(session: &crate::common::chrome::Session, status: &str) -> i64 {
    session
        .text(&format!("#status-counts a.status-{status} strong"))
        .await
        .parse()
        .expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_filters_views_a_document_and_accepts() {
    let Some(demo) = Demo::start("reviewer").await else {
        return;
    };
    let mut reviewer = demo.signed_in("reviewer1").await;
    reviewer.goto("/applications").await;
    reviewer.wait_for("#queue-table").await;
    reviewer.shot("1-queue").await;

    // Filters apply as they change (htmx) and land in the address bar.
    reviewer
        .wait_for("select[name=level]")
        .await
        .select_by(Locator::XPath(
            ".//option[starts-with(normalize-space(.), 'Standard')]",
        ))
        .await
        .expect("choose a level");
    reviewer.wait_for_url("level=").await;
    reviewer.click("a.tab[href*='status=review']").await;
    reviewer.wait_for_url("status=review").await;
    reviewer.wait_for_text("a.tab.active", "review").await;
    let rows = reviewer
        .client
        .find_all(Locator::Css("#queue-table tbody tr"))
        .await
        .expect("rows");
    assert!(
        !rows.is_empty(),
        "the demo has Standard applications in review"
    );
    for row in &rows {
        let text = row.text().await.expect("row text");
        assert!(
            text.contains("Standard") && text.contains("review"),
            "a row outside the filter: {text}"
        );
    }
    reviewer.shot("2-filtered").await;

    reviewer.click("#queue-table tbody tr td a").await;
    reviewer.wait_for("#case-header").await;
    reviewer.wait_for_text("#status-badge", "review").await;
    reviewer.shot("3-application").await;

    // The viewer opens the original; zoom and rotate act on it.
    reviewer.click("a.thumb[data-viewer-src]").await;
    reviewer
        .wait_for("#viewer:not([hidden]) #viewer-panes img")
        .await;
    reviewer.click("[data-viewer-action=zoom-in]").await;
    reviewer.click("[data-viewer-action=rotate]").await;
    let transform = reviewer
        .script("return document.querySelector('#viewer-panes img').style.transform;")
        .await;
    assert_eq!(
        transform.as_str(),
        Some("scale(1.25) rotate(90deg)"),
        "{transform}"
    );
    reviewer.shot("4-viewer").await;
    reviewer.click("[data-viewer-action=close]").await;

    let (in_review, accepted) = (
        count(&reviewer, "review").await,
        count(&reviewer, "accepted").await,
    );
    reviewer.mark_document().await;
    reviewer.click(".decision-form input[value=accept]").await;
    reviewer.click(".decision-form button[type=submit]").await;
    reviewer.wait_for_text("#status-badge", "accepted").await;
    reviewer.wait_for_text("#timeline", "accepted").await;
    assert_eq!(count(&reviewer, "review").await, in_review - 1);
    assert_eq!(count(&reviewer, "accepted").await, accepted + 1);
    assert!(
        reviewer.same_document().await,
        "the decision reloaded the whole page"
    );
    reviewer.shot("5-accepted").await;

    reviewer.assert_clean_console().await;
    reviewer.close().await;
}
