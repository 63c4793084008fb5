//! Writers that meet on the same rows: the worker submitting applications while reviewers decide
//! and view cases of the same tenant and level, all at once against the running server.

use crate::common::TestApp;
use crate::common::browser::{Browser, signed_in};
use crate::common::tenant::{TenantApi, quick_level, seeded};
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

const REVIEWERS: usize = 16;
const DECISIONS_EACH: usize = 5;
const INTAKES: usize = 80;

/// Creates an applicant and an application on `level` and sends it to review (the worker then
/// submits it to the sandbox, which answers `consider`); each call must succeed.
async fn intake(tenant: &TenantApi, level: &str, n: usize) -> String {
    let applicant = tenant.applicant(&format!("busy-{n}"), "Busy").await;
    let id = tenant
        .quick_application(level, &applicant, json!({"sandbox_outcome": "consider"}))
        .await;
    tenant.send_to_review(&id).await;
    id
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
    let ids = join_all((0..REVIEWERS * DECISIONS_EACH).map(|n| intake(&sandbox, &level, n))).await;
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

    let failed: Vec<StatusCode> = decided
        .into_iter()
        .flatten()
        .filter(|s| !s.is_success() && !s.is_redirection())
        .collect();
    assert!(
        failed.is_empty(),
        "every view and decision succeeds: {failed:?}"
    );
    for id in &arrived {
        sandbox.wait_for_status(id, "review").await;
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

/// A real deadlock, made on purpose: another transaction holds the tenant row the decision's
/// outbox message refers to, the decision (holding its application) waits for it, then the other
/// transaction asks for the application. PostgreSQL aborts the decision; the service layer runs it
/// again and the reviewer gets the normal answer, not a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadlock_victim_is_run_again_not_answered_500() {
    let Some(app) = TestApp::postgres().await else {
        return;
    };
    let (_, sandbox) = seeded(&app).await;
    let level = quick_level(&app, "Locked", false, vec![]).await;
    let id = intake(&sandbox, &level, 1).await;
    sandbox.wait_for_status(&id, "review").await;
    let pool = app.services.store.pool();
    let tenant: String = sqlx::query_scalar("SELECT tenant_id FROM applications WHERE id = $1")
        .bind(&id)
        .fetch_one(pool)
        .await
        .expect("tenant");
    let mut browser = signed_in(&app, "locked@example.com", "reviewer").await;
    let page = browser.get(&format!("/applications/{id}")).await;
    let version = version_in(&page.body).expect("a decision form");

    let mut other = pool.begin().await.expect("begin");
    // Only the decision's backend looks for the cycle, so it is the victim every time.
    sqlx::query("SET LOCAL deadlock_timeout = '60s'")
        .execute(&mut *other)
        .await
        .expect("set");
    sqlx::query("SELECT id FROM tenants WHERE id = $1 FOR UPDATE")
        .bind(&tenant)
        .fetch_one(&mut *other)
        .await
        .expect("lock the tenant");
    let path = format!("/applications/{id}/decision");
    let deciding = tokio::spawn(async move {
        browser
            .post(
                &path,
                &[("outcome", "accept"), ("version", &version.to_string())],
            )
            .await
    });
    // The decision has updated its application and now waits for the tenant row.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'
               AND query LIKE 'INSERT INTO outbox_messages%'",
        )
        .fetch_one(pool)
        .await
        .expect("activity");
        if waiting > 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the decision never waited"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    sqlx::query("UPDATE applications SET updated_at = updated_at WHERE id = $1")
        .bind(&id)
        .execute(&mut *other)
        .await
        .expect("the other transaction gets the application once the decision is aborted");
    other.rollback().await.expect("rollback");

    let decided = deciding.await.expect("decision request");
    assert_eq!(decided.status, 303, "{}", decided.body);
    let (_, body) = sandbox
        .call(
            reqwest::Method::GET,
            &format!("/kyc_applications/{id}"),
            None,
        )
        .await;
    assert_eq!(body["status"], "accepted");
    assert_eq!(
        app.services.store.contention().deadlocks(),
        1,
        "the decision was the deadlock victim once, then ran again"
    );
}
