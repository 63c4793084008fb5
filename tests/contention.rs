//! Writers that meet on the same rows: the worker submitting applications while reviewers decide
//! and view cases of the same tenant and level, all at once against the running server.

mod common;

use common::TestApp;
use common::browser::{Browser, signed_in};
use common::tenant::{TenantApi, quick_level, seeded};
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

const REVIEWERS: usize = 16;
const DECISIONS_EACH: usize = 5;
const INTAKES: usize = 80;

/// Creates an applicant and an application on `level` and sends it to review (the worker then
/// submits it to the sandbox, which answers `consider`): the statuses of every call.
async fn intake(tenant: &TenantApi, level: &str, n: usize) -> (Vec<StatusCode>, Option<String>) {
    use reqwest::Method;
    let mut seen = Vec::new();
    let (status, applicant) = tenant
        .call(
            Method::POST,
            "/applicants",
            Some(json!({"external_id": format!("busy-{n}"), "first_name": "Ada", "last_name": "Busy"})),
        )
        .await;
    seen.push(status);
    let Some(applicant) = applicant["id"].as_str() else {
        return (seen, None);
    };
    let (status, created) = tenant
        .call(
            Method::POST,
            "/kyc_applications",
            Some(json!({"applicant_id": applicant, "level_id": level,
                        "params": {"sandbox_outcome": "consider"}})),
        )
        .await;
    seen.push(status);
    let Some(id) = created["id"].as_str().map(str::to_owned) else {
        return (seen, None);
    };
    let (status, _) = tenant
        .call(
            Method::PATCH,
            &format!("/kyc_applications/{id}"),
            Some(json!({"attribute_changes": [{"key": "nickname", "value": "Ada"}]})),
        )
        .await;
    seen.push(status);
    let (status, _) = tenant
        .call(
            Method::POST,
            &format!("/kyc_applications/{id}/send-to-review"),
            None,
        )
        .await;
    seen.push(status);
    (seen, Some(id))
}

/// The version a case page offers to decide on.
fn version_in(html: &str) -> Option<i64> {
    let start = html.find("name=\"version\" value=\"")? + "name=\"version\" value=\"".len();
    html[start..].split('"').next()?.parse().ok()
}

/// Opens each case (a `viewed` event) and accepts it: the statuses of every request.
async fn review(mut browser: Browser, cases: Vec<String>) -> Vec<StatusCode> {
    let mut seen = Vec::new();
    for id in cases {
        let page = browser.get(&format!("/applications/{id}")).await;
        seen.push(page.status);
        let Some(version) = version_in(&page.body) else {
            continue;
        };
        let decided = browser
            .post(
                &format!("/applications/{id}/decision"),
                &[("outcome", "accept"), ("version", &version.to_string())],
            )
            .await;
        seen.push(decided.status);
    }
    seen
}

/// The queue's counts per status for a level, as the status tabs read them.
async fn counted(app: &TestApp, level: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT status, CAST(SUM(n) AS BIGINT) FROM application_counts_now WHERE level_id = $1
         GROUP BY status HAVING SUM(n) <> 0 ORDER BY status",
    )
    .bind(level)
    .fetch_all(app.services.store.pool())
    .await
    .expect("counters")
}

async fn actual(app: &TestApp, level: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT status, COUNT(*) FROM applications WHERE level_id = $1 GROUP BY status ORDER BY status",
    )
    .bind(level)
    .fetch_all(app.services.store.pool())
    .await
    .expect("applications")
}

async fn submissions_and_decisions_in_one_level_never_fail(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let level = quick_level(&app, "Busy", false, vec![]).await;

    // The cases the reviewers will decide: in review on the level.
    let first =
        join_all((0..REVIEWERS * DECISIONS_EACH).map(|n| intake(&sandbox, &level, n))).await;
    let ids: Vec<String> = first.into_iter().filter_map(|(_, id)| id).collect();
    assert_eq!(ids.len(), REVIEWERS * DECISIONS_EACH);
    for id in &ids {
        sandbox.wait_for_status(id, "review").await;
    }

    let mut reviewers = Vec::new();
    for r in 0..REVIEWERS {
        reviewers.push(signed_in(&app, &format!("busy{r}@example.com"), "reviewer").await);
    }

    // Reviewers open and decide their cases while new applications arrive and are submitted.
    let deciding = join_all(
        reviewers
            .into_iter()
            .zip(ids.chunks(DECISIONS_EACH))
            .map(|(browser, cases)| review(browser, cases.to_vec())),
    );
    let arriving = join_all((0..INTAKES).map(|n| intake(&sandbox, &level, 1000 + n)));
    let (decided, arrived) = tokio::join!(deciding, arriving);

    let statuses: Vec<StatusCode> = decided
        .into_iter()
        .flatten()
        .chain(arrived.iter().flat_map(|(s, _)| s.iter().copied()))
        .collect();
    let failed: Vec<&StatusCode> = statuses
        .iter()
        .filter(|s| !s.is_success() && !s.is_redirection())
        .collect();
    assert!(failed.is_empty(), "every request succeeds: {failed:?}");
    for (_, id) in &arrived {
        sandbox
            .wait_for_status(id.as_ref().expect("created"), "review")
            .await;
    }
    for id in &ids {
        let (_, body) = sandbox
            .call(
                reqwest::Method::GET,
                &format!("/kyc_applications/{id}"),
                None,
            )
            .await;
        assert_eq!(body["status"], "accepted", "{id} was decided");
    }
    assert_eq!(
        app.services.store.contention().deadlocks(),
        0,
        "no transaction was chosen as a deadlock victim"
    );
    assert_eq!(
        counted(&app, &level).await,
        actual(&app, &level).await,
        "the counters are exact"
    );
    // Folded or not, the counts read the same (PostgreSQL folds its deltas; SQLite has none).
    kycdesk::store::queue::fold_counts(&app.services.store)
        .await
        .expect("fold the count deltas");
    assert_eq!(
        counted(&app, &level).await,
        actual(&app, &level).await,
        "exact after a fold"
    );
    assert_eq!(
        actual(&app, &level).await,
        [
            ("accepted".to_owned(), ids.len() as i64),
            ("review".to_owned(), INTAKES as i64)
        ]
    );
}

on_both_databases!(submissions_and_decisions_in_one_level_never_fail);
