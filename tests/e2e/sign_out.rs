//! Security in the browser: every back-office page renders without a console error or a
//! Content-Security-Policy violation, and after signing out the back button shows no personal data.

use fantoccini::Locator;

use crate::Demo;

/// Every page of the back-office an admin can open from the navigation.
const PAGES: [&str; 8] = [
    "/",
    "/applications",
    "/admin/users",
    "/admin/tenants",
    "/admin/levels",
    "/admin/levels/new",
    "/admin/jobs",
    "/account/password",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_clean_and_signing_out_leaves_nothing_behind() {
    let Some(demo) = Demo::start("security").await else {
        return;
    };
    let mut admin = demo.signed_in("admin").await;
    for page in PAGES {
        admin.goto(page).await;
        admin.wait_for("main h1").await;
        admin.read_console().await;
    }
    admin.assert_clean_console().await;
    admin.close().await;

    let reviewer = demo.signed_in("reviewer1").await;
    reviewer.goto("/applications?status=review").await;
    reviewer.click("#queue-table tbody tr td a").await;
    let header = reviewer.wait_for("#case-header h1").await;
    let name = header.text().await.expect("applicant name");
    let name = name.split(" review").next().unwrap_or_default().to_owned();
    assert!(!name.is_empty());
    reviewer.shot("1-application").await;

    reviewer.sign_out().await;
    reviewer.client.back().await.expect("back");
    reviewer.wait_for("body").await;
    let shown = reviewer.text("body").await;
    assert!(
        !shown.contains(&name),
        "the back button showed {name} after signing out: {shown}"
    );
    assert!(
        reviewer
            .client
            .find(Locator::Css("form[action='/login']"))
            .await
            .is_ok(),
        "the back button did not land on the sign-in page: {shown}"
    );
    reviewer.shot("2-back-after-sign-out").await;
    reviewer.close().await;
}
