//! Four-eyes in two browsers: reviewer A proposes, cannot confirm their own proposal; reviewer B,
//! in a second session, confirms it.

use fantoccini::Locator;

use crate::Demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_reviewer_confirms_what_the_first_proposed() {
    let Some(demo) = Demo::start("four_eyes").await else {
        return;
    };
    let mut first = demo.signed_in("reviewer1").await;
    first.goto("/applications?status=review").await;
    first
        .wait_for("select[name=level]")
        .await
        .select_by(Locator::XPath(
            ".//option[starts-with(normalize-space(.), 'Enhanced')]",
        ))
        .await
        .expect("choose the four-eyes level");
    first.wait_for_url("level=").await;
    first.click("#queue-table tbody tr td a").await;
    first.wait_for_text("#status-badge", "review").await;
    let case_url = first.client.current_url().await.expect("case URL");

    first.click(".decision-form input[value=accept]").await;
    first
        .fill(
            ".decision-form textarea[name=comment]",
            "documents consistent",
        )
        .await;
    first.click(".decision-form button[type=submit]").await;
    first
        .wait_for_text("#decision", "another reviewer must confirm")
        .await;
    first.shot("1-proposed").await;

    // The proposer's own confirmation is refused and changes nothing.
    first.expect_console_error("/confirm");
    first
        .click("#decision form[action$='/confirm'] button")
        .await;
    first.wait_for_text("#toasts", "cannot also confirm").await;
    assert_eq!(first.text("#status-badge").await, "review");
    first.shot("2-own-confirmation-refused").await;

    let mut second = demo.signed_in("reviewer2").await;
    second
        .client
        .goto(case_url.as_str())
        .await
        .expect("open the case");
    second.wait_for_text("#decision", "Proposed: accept").await;
    second.shot("3-second-reviewer-sees-proposal").await;
    second
        .click("#decision form[action$='/confirm'] button")
        .await;
    second.wait_for_text("#status-badge", "accepted").await;
    second.wait_for_text("#decision", "confirmed").await;
    second.shot("4-confirmed").await;

    first.assert_clean_console().await;
    second.assert_clean_console().await;
    first.close().await;
    second.close().await;
}
