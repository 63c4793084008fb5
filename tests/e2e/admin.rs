//! An admin adds a requirement to a level (a new version) and creates a staff user.

use fantoccini::Locator;

use crate::Demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_edits_a_level_and_creates_a_staff_user() {
    let Some(demo) = Demo::start("admin").await else {
        return;
    };
    let mut admin = demo.signed_in("admin").await;
    admin.goto("/admin/levels").await;
    admin.shot("1-levels").await;
    admin
        .wait_for("main")
        .await
        .find(Locator::LinkText("Standard"))
        .await
        .expect("the Standard level")
        .click()
        .await
        .expect("open the level");
    admin.wait_for("#level-form").await;
    let rows_before = admin
        .client
        .find_all(Locator::Css("#requirements .req-row"))
        .await
        .expect("rows")
        .len();

    admin
        .click("button[hx-get='/admin/levels/requirement-row?kind=text']")
        .await;
    let new_row = format!("#requirements .req-row:nth-of-type({})", rows_before + 1);
    admin
        .fill(&format!("{new_row} input[name$='.key']"), "occupation")
        .await;
    admin
        .fill(&format!("{new_row} input[name$='.label']"), "Occupation")
        .await;
    admin.shot("2-requirement-added").await;
    admin.click("#level-form button[type=submit]").await;
    admin.wait_for_text("#versions", "version 2").await;
    admin.shot("3-saved-as-version-2").await;
    admin.click("#versions a[href$='from=1&to=2']").await;
    admin
        .wait_for_text("main", "requirement added: occupation")
        .await;
    admin.shot("4-diff").await;

    admin.goto("/admin/users").await;
    admin
        .fill(
            "#users-main input[name=email]",
            "new.reviewer@demo.kycdesk.test",
        )
        .await;
    admin.click("#users-main input[name=role_reviewer]").await;
    admin
        .click("#users-main form[action='/admin/users'] button")
        .await;
    admin
        .wait_for_text("#users-main", "One-time password")
        .await;
    admin
        .wait_for_text("#users-table", "new.reviewer@demo.kycdesk.test")
        .await;
    admin.shot("5-user-created").await;

    admin.assert_clean_console().await;
    admin.close().await;
}
