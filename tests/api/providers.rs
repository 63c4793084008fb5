//! Providers and the worker: every sandbox outcome end to end through the API, challenge
//! questions, retries and dead jobs, and the real Vouched adapter against a fake Vouched.

use crate::common::TestApp;
use crate::common::tenant::{TenantApi, quick_level, seeded};
use reqwest::Method;
use serde_json::{Value, json};

async fn outbox_events(app: &TestApp, id: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT event_type FROM outbox_messages WHERE subject_id = $1 ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(app.services.store.pool())
    .await
    .expect("outbox")
}

async fn job_states(app: &TestApp, subject: &str) -> Vec<(String, String, i64)> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT kind, state, attempts FROM jobs WHERE subject_id = $1 ORDER BY created_at, id",
    )
    .bind(subject)
    .fetch_all(app.services.store.pool())
    .await
    .expect("jobs");
    rows
}

async fn run(
    sandbox: &TenantApi,
    level: &str,
    external_id: &str,
    last_name: &str,
    params: Value,
) -> String {
    let applicant = sandbox.applicant(external_id, last_name).await;
    let id = sandbox.quick_application(level, &applicant, params).await;
    assert_eq!(sandbox.send_to_review(&id).await["status"], "pending");
    id
}

async fn sandbox_outcomes_reach_their_status_under_the_level_policy(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let auto = quick_level(&app, "Auto", true, vec![]).await;
    for (outcome, status) in [
        ("clear", "accepted"),
        ("consider", "review"),
        ("reject", "rejected"),
        ("remediate", "remediate"),
    ] {
        let params = json!({"sandbox_outcome": outcome});
        let id = run(
            &sandbox,
            &auto,
            &format!("auto-{outcome}"),
            "Lovelace",
            params,
        )
        .await;
        let done = sandbox.wait_for_status(&id, status).await;
        assert_eq!(done["provider"], "sandbox");
        assert!(
            !done["checks"].as_array().expect("checks").is_empty(),
            "{outcome}: checks recorded"
        );
        assert_eq!(done["provider_representation"]["verdict"], outcome);
    }
    assert_eq!(
        app.audit_count("application.decided").await,
        3,
        "accepted, rejected and remediate were decided by policy, without a reviewer"
    );

    // Without the parameter, the applicant's last name chooses.
    let id = run(&sandbox, &auto, "by-name", "Reject", json!({})).await;
    sandbox.wait_for_status(&id, "rejected").await;
    assert_eq!(
        outbox_events(&app, &id).await,
        [
            "kyc_application.created",
            "kyc_application.status_changed",
            "kyc_application.submitted",
            "kyc_application.decided"
        ]
    );

    // Without automatic decisions even a clear result waits for a reviewer.
    let manual = quick_level(&app, "Reviewed", false, vec![]).await;
    let id = run(
        &sandbox,
        &manual,
        "manual-clear",
        "Lovelace",
        json!({"sandbox_outcome": "clear"}),
    )
    .await;
    let reviewed = sandbox.wait_for_status(&id, "review").await;
    assert_eq!(reviewed["checks"][0]["result"], "clear");
}

async fn remediation_is_resubmitted_as_a_new_attempt(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let auto = quick_level(&app, "Auto", true, vec![]).await;
    let id = run(&sandbox, &auto, "rem", "Remediate", json!({})).await;
    sandbox.wait_for_status(&id, "remediate").await;
    // Resubmitted, the last name still says remediate; the level allows two attempts, so the
    // second remediation rejects.
    let again = sandbox.send_to_review(&id).await;
    assert_eq!(
        (again["status"].clone(), again["attempt"].clone()),
        (json!("pending"), json!(2))
    );
    let rejected = sandbox.wait_for_status(&id, "rejected").await;
    assert_eq!(rejected["attempt"], 2);
}

async fn challenge_questions_are_answered_through_the_api(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let auto = quick_level(&app, "Auto", true, vec![]).await;
    let right = run(
        &sandbox,
        &auto,
        "q-right",
        "Lovelace",
        json!({"sandbox_outcome": "questions"}),
    )
    .await;
    let asked = sandbox
        .wait_for(&right, "questions", |a| {
            a["questions"].as_array().is_some_and(|q| !q.is_empty())
        })
        .await;
    assert_eq!(asked["status"], "submitted");
    let questions = asked["questions"].as_array().expect("questions").clone();
    assert_eq!(questions.len(), 3);
    let answers = |pick: usize| json!({"answers": questions.iter().map(|q| json!({"key": q["key"], "answer": q["options"][pick]})).collect::<Vec<_>>()});

    // Bad answer sets are refused with the reason and change nothing.
    let path = format!("/kyc_applications/{right}/answers");
    let first_only =
        json!({"answers": [{"key": questions[0]["key"], "answer": questions[0]["options"][0]}]});
    let (status, refused) = sandbox.call(Method::POST, &path, Some(first_only)).await;
    assert_eq!(
        (
            status.as_u16(),
            refused["error"]["details"][0]["code"].clone()
        ),
        (422, json!("unanswered_question"))
    );
    let not_an_option = json!({"answers": questions.iter().map(|q| json!({"key": q["key"], "answer": "Atlantis"})).collect::<Vec<_>>()});
    let (status, refused) = sandbox.call(Method::POST, &path, Some(not_an_option)).await;
    assert_eq!(
        (
            status.as_u16(),
            refused["error"]["details"][0]["code"].clone()
        ),
        (422, json!("invalid_option"))
    );

    let (status, answered) = sandbox.call(Method::POST, &path, Some(answers(0))).await;
    assert_eq!(status, 200, "{answered}");
    assert_eq!(answered["status"], "accepted");
    assert_eq!(answered["questions"], json!([]));
    let (status, again) = sandbox.call(Method::POST, &path, Some(answers(0))).await;
    assert_eq!(status, 409, "answered once: {again}");

    let wrong = run(&sandbox, &auto, "q-wrong", "Questions", json!({})).await;
    sandbox
        .wait_for(&wrong, "questions", |a| {
            a["questions"].as_array().is_some_and(|q| !q.is_empty())
        })
        .await;
    let (status, judged) = sandbox
        .call(
            Method::POST,
            &format!("/kyc_applications/{wrong}/answers"),
            Some(answers(1)),
        )
        .await;
    assert_eq!(status, 200, "{judged}");
    assert_eq!(judged["status"], "review", "wrong answers go to a human");
    assert_eq!(app.audit_count("challenge.answered").await, 2);

    let (status, _) = sandbox
        .call(
            Method::POST,
            &format!("/kyc_applications/{wrong}/answers"),
            Some(answers(0)),
        )
        .await;
    assert_eq!(status, 409, "no questions wait any more");
}

async fn provider_errors_fail_retry_and_end_in_a_dead_job_an_admin_can_retry(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let auto = quick_level(&app, "Auto", true, vec![]).await;
    let id = run(&sandbox, &auto, "err", "Error", json!({})).await;
    let kind = kycdesk::domain::job::JobKind::SubmitApplication;
    sandbox
        .wait_for(&id, "a dead submission", |a| a["status"] == "failed")
        .await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let dead = loop {
        let jobs = job_states(&app, &id).await;
        if let Some(dead) = jobs
            .iter()
            .find(|(k, state, _)| k == kind.as_str() && state == "dead")
        {
            break dead.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never dead: {jobs:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(dead.2, kind.max_attempts(), "every attempt was made");
    let failures = app.audit_count("provider.submission_failed").await;
    assert_eq!(failures, kind.max_attempts());
    // The first failure moved the application to failed; failed retries leave it there.
    let transitions: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE subject = $1 AND action = 'application.status_changed' AND payload LIKE '%\"to\":\"failed\"%'",
    )
    .bind(format!("application:{id}"))
    .fetch_one(app.services.store.pool())
    .await
    .expect("count");
    assert_eq!(transitions, 1);

    // An admin retries the dead job from the jobs page.
    let admin = app
        .staff_user("ops@example.com", "admin", crate::common::browser::PASSWORD)
        .await;
    let ctx = kycdesk::service::Ctx::staff(&admin, Default::default());
    let job_id: String =
        sqlx::query_scalar("SELECT id FROM jobs WHERE subject_id = $1 AND state = 'dead'")
            .bind(&id)
            .fetch_one(app.services.store.pool())
            .await
            .expect("dead job");
    kycdesk::service::jobs::retry(&app.services, &ctx, job_id.parse().expect("id"))
        .await
        .expect("retried");
    assert_eq!(app.audit_count("job.retried").await, 1);
}

on_both_databases!(
    sandbox_outcomes_reach_their_status_under_the_level_policy,
    remediation_is_resubmitted_as_a_new_attempt,
    challenge_questions_are_answered_through_the_api,
    provider_errors_fail_retry_and_end_in_a_dead_job_an_admin_can_retry,
);
