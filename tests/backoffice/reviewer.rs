//! The reviewer workspace over real HTTP on both databases: queue, case page, audited reads,
//! decisions with and without four-eyes, assignment and the next-case button.

use crate::common::TestApp;
use crate::common::browser::{Browser, signed_in};

async fn reviewer(app: &TestApp, email: &str) -> Browser {
    signed_in(app, email, "reviewer").await
}

/// An application in review on the named level: (id, version).
async fn in_review(app: &TestApp, level: &str) -> (String, i64) {
    sqlx::query_as(
        "SELECT a.id, a.version FROM applications a JOIN level_versions v ON v.level_id = a.level_id AND v.version = a.level_version
         WHERE a.status = 'review' AND v.name = $1 ORDER BY a.id LIMIT 1",
    )
    .bind(level)
    .fetch_one(app.services.store.pool())
    .await
    .expect("an application in review on that level")
}

async fn status_of(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM applications WHERE id = $1")
        .bind(id)
        .fetch_one(app.services.store.pool())
        .await
        .expect("status")
}

async fn count(app: &TestApp, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(app.services.store.pool())
        .await
        .expect("count")
}

async fn seed(app: &TestApp, applications: usize) {
    kycdesk::demo::seed(&app.services, applications)
        .await
        .expect("seed demo data");
}

fn rows(html: &str) -> usize {
    html.matches("<a href=\"/applications/").count()
}

async fn the_queue_filters_searches_and_pages_by_keyset(app: TestApp) {
    seed(&app, 60).await;
    let mut browser = reviewer(&app, "rev@example.com").await;
    let review = browser.get("/applications").await;
    assert_eq!(review.status, 200);
    assert!(
        review.body.contains("class=\"tab active\">review"),
        "the review tab is the default"
    );
    let in_review: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM applications WHERE status = 'review'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("count");
    assert_eq!(rows(&review.body) as i64, in_review);

    let first = browser.get("/applications?status=all").await;
    assert_eq!(rows(&first.body), 50);
    let next = first
        .body
        .split("Next page")
        .next()
        .and_then(|b| b.rsplit("href=\"").next())
        .and_then(|h| h.split('"').next())
        .expect("next link")
        .replace("&#38;", "&");
    assert!(next.contains("after="), "{next}");
    let second = browser.get_htmx(&next).await;
    assert!(!second.body.contains("<html"), "htmx gets the partial");
    assert_eq!(rows(&second.body), 10);
    let ids = |html: &str| {
        html.split("<a href=\"/applications/")
            .skip(1)
            .map(|s| s[..36].to_owned())
            .collect::<Vec<_>>()
    };
    let (a, b) = (ids(&first.body), ids(&second.body));
    assert!(a.iter().all(|id| !b.contains(id)), "pages do not overlap");

    let (name, id): (String, String) =
        sqlx::query_as("SELECT p.last_name, a.id FROM applications a JOIN applicants p ON p.id = a.applicant_id ORDER BY a.id LIMIT 1")
            .fetch_one(app.services.store.pool())
            .await
            .expect("an applicant");
    let found = browser
        .get(&format!(
            "/applications?status=all&q={}",
            name.to_lowercase()
        ))
        .await;
    assert!(found.body.contains(&id), "search by name");
    let by_id = browser
        .get(&format!("/applications?status=all&q={id}"))
        .await;
    assert_eq!(
        ids(&by_id.body),
        vec![id.clone()],
        "search by application id"
    );

    let failures = browser.get("/applications?status=all&failures=1").await;
    let expected: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM applications WHERE findings_summary = 'failure'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("count");
    assert_eq!(rows(&failures.body) as i64, expected.min(50));

    assert_eq!(
        browser.get("/applications?status=nonsense").await.status,
        400
    );
    assert_eq!(browser.get("/applications?after=garbage").await.status, 400);
    assert_eq!(
        browser.get("/applications?from=2026-02-30").await.status,
        400
    );
}

async fn the_case_page_shows_the_case_and_audits_every_read(app: TestApp) {
    seed(&app, 24).await;
    let (id, _) = in_review(&app, "Standard").await;
    let mut browser = reviewer(&app, "rev@example.com").await;
    let page = browser.get(&format!("/applications/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Provider diagnostics") && page.body.contains("Timeline"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_events WHERE action = 'application.viewed' AND subject = 'application:' || $1", &id).await, 1);

    let number: String = sqlx::query_scalar("SELECT attributes FROM applications WHERE id = $1")
        .bind(&id)
        .fetch_one(app.services.store.pool())
        .await
        .map(|a: String| {
            serde_json::from_str::<serde_json::Value>(&a).expect("json")["government_id"]["number"]
                .as_str()
                .expect("number")
                .to_owned()
        })
        .expect("attributes");
    assert!(!page.body.contains(&number), "government ids are masked");
    let revealed = browser
        .get_htmx(&format!("/applications/{id}/government-ids"))
        .await;
    assert!(revealed.body.contains(&number));
    assert_eq!(app.audit_count("applicant.government_id_revealed").await, 1);

    let check: String =
        sqlx::query_scalar("SELECT id FROM checks WHERE application_id = $1 LIMIT 1")
            .bind(&id)
            .fetch_one(app.services.store.pool())
            .await
            .expect("check");
    let raw = browser
        .get_htmx(&format!("/applications/{id}/checks/{check}/raw"))
        .await;
    assert_eq!(raw.status, 200);
    assert!(raw.body.contains("&#34;"), "pretty-printed JSON, escaped");
    assert_eq!(app.audit_count("check.raw_payload_viewed").await, 1);

    let document: String =
        sqlx::query_scalar("SELECT id FROM documents WHERE application_id = $1 LIMIT 1")
            .bind(&id)
            .fetch_one(app.services.store.pool())
            .await
            .expect("document");
    let response = app
        .client
        .get(app.url(&format!("/documents/{document}")))
        .header(
            "Cookie",
            format!(
                "kycdesk_session={}",
                browser.cookie.clone().expect("cookie")
            ),
        )
        .send()
        .await
        .expect("document");
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(header("content-type"), "image/png");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("cache-control"), "no-store");
    assert!(header("content-disposition").starts_with("inline; filename="));
    assert!(
        response
            .bytes()
            .await
            .expect("bytes")
            .starts_with(b"\x89PNG")
    );
    assert_eq!(app.audit_count("document.viewed").await, 1);

    let mut anonymous = Browser::new(&app);
    assert_eq!(
        anonymous
            .get(&format!("/documents/{document}"))
            .await
            .location(),
        Some("/login")
    );
    assert_eq!(browser.get("/applications/not-an-id").await.status, 404);
    assert_eq!(
        browser
            .get(&format!("/applications/{}", uuid::Uuid::now_v7()))
            .await
            .status,
        404
    );
}

async fn a_decision_changes_status_audit_and_outbox_together(app: TestApp) {
    seed(&app, 24).await;
    let (id, version) = in_review(&app, "Standard").await;
    let mut browser = reviewer(&app, "rev@example.com").await;
    browser.get(&format!("/applications/{id}")).await;
    let stale = browser
        .post(
            &format!("/applications/{id}/decision"),
            &[
                ("outcome", "accept"),
                ("version", &(version - 1).to_string()),
            ],
        )
        .await;
    assert_eq!(stale.status, 409);
    assert!(stale.body.contains("was changed by"), "{}", stale.body);
    assert_eq!(
        status_of(&app, &id).await,
        "review",
        "a stale decision writes nothing"
    );

    let missing_reason = browser
        .post(
            &format!("/applications/{id}/decision"),
            &[("outcome", "reject"), ("version", &version.to_string())],
        )
        .await;
    assert_eq!(missing_reason.status, 422);
    let missing_redo = browser
        .post(
            &format!("/applications/{id}/decision"),
            &[
                ("outcome", "remediate"),
                ("reason", "document_unreadable"),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(missing_redo.status, 422);

    let outbox_before = count(
        &app,
        "SELECT COUNT(*) FROM outbox_messages WHERE subject_id = $1",
        &id,
    )
    .await;
    let decided = browser
        .post(
            &format!("/applications/{id}/decision"),
            &[
                ("outcome", "reject"),
                ("reason", "suspected_fraud"),
                ("message", "Sorry."),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(decided.status, 303, "{}", decided.body);
    assert_eq!(status_of(&app, &id).await, "rejected");
    let outbox_after = count(
        &app,
        "SELECT COUNT(*) FROM outbox_messages WHERE subject_id = $1",
        &id,
    )
    .await;
    assert_eq!(
        outbox_after,
        outbox_before + 1,
        "one outbox message for the tenant"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox_messages WHERE subject_id = $1 AND event_type = 'kyc_application.decided'", &id).await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_events WHERE action = 'application.decided' AND subject = 'application:' || $1", &id).await, 1);
    let head = kycdesk::service::audit::verify(&app.services, None)
        .await
        .expect("db")
        .expect("intact");
    assert!(head.events > 0);
}

async fn htmx_decisions_update_status_timeline_and_counts_in_place(app: TestApp) {
    seed(&app, 24).await;
    let (id, version) = in_review(&app, "Basic").await;
    let mut browser = reviewer(&app, "rev@example.com").await;
    browser.get(&format!("/applications/{id}")).await;
    let token = browser.csrf.clone().expect("token");
    let answer = browser
        .post_raw(
            &format!("/applications/{id}/decision"),
            &[("outcome", "accept"), ("version", &version.to_string())],
            &[("HX-Request", "true"), ("X-CSRF-Token", &token)],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.contains("id=\"decision\""));
    for oob in [
        "id=\"case-header\" class=\"case-header card\" hx-swap-oob=\"true\"",
        "id=\"timeline\" class=\"card\" hx-swap-oob=\"true\"",
        "id=\"status-counts\" class=\"counts-strip\" hx-swap-oob=\"true\"",
    ] {
        assert!(answer.body.contains(oob), "missing {oob}");
    }
    assert!(answer.body.contains("status-accepted"));
    assert_eq!(status_of(&app, &id).await, "accepted");
}

async fn four_eyes_needs_a_second_reviewer_on_an_unchanged_case(app: TestApp) {
    seed(&app, 24).await;
    let (id, version) = in_review(&app, "Enhanced").await;
    let mut first = reviewer(&app, "a@example.com").await;
    let mut second = reviewer(&app, "b@example.com").await;
    first.get(&format!("/applications/{id}")).await;
    let proposed = first
        .post(
            &format!("/applications/{id}/decision"),
            &[("outcome", "accept"), ("version", &version.to_string())],
        )
        .await;
    assert_eq!(proposed.status, 303);
    assert_eq!(
        status_of(&app, &id).await,
        "review",
        "a proposal changes no status"
    );
    let (decision, version): (String, i64) = sqlx::query_as(
        "SELECT d.id, a.version FROM decisions d JOIN applications a ON a.id = d.application_id WHERE d.application_id = $1 AND d.state = 'proposed'",
    )
    .bind(&id)
    .fetch_one(app.services.store.pool())
    .await
    .expect("proposal");

    let own = first
        .post(
            &format!("/applications/{id}/decisions/{decision}/confirm"),
            &[("version", &version.to_string())],
        )
        .await;
    assert_eq!(own.status, 403, "the proposer cannot confirm");
    assert_eq!(app.audit_count("access.denied").await, 1);

    second.get(&format!("/applications/{id}")).await;
    let confirmed = second
        .post(
            &format!("/applications/{id}/decisions/{decision}/confirm"),
            &[("version", &version.to_string())],
        )
        .await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    assert_eq!(status_of(&app, &id).await, "accepted");
    let (proposer, confirmer): (String, String) = sqlx::query_as(
        "SELECT a.email, b.email FROM decisions d JOIN staff_users a ON a.id = d.proposed_by JOIN staff_users b ON b.id = d.reviewed_by WHERE d.id = $1",
    )
    .bind(&decision)
    .fetch_one(app.services.store.pool())
    .await
    .expect("decision");
    assert_eq!(
        (proposer.as_str(), confirmer.as_str()),
        ("a@example.com", "b@example.com")
    );
}

async fn a_change_after_a_proposal_voids_it_and_sending_back_reopens_it(app: TestApp) {
    seed(&app, 48).await;
    let (id, version) = in_review(&app, "Enhanced").await;
    let mut first = reviewer(&app, "a@example.com").await;
    let mut second = reviewer(&app, "b@example.com").await;
    first.get(&format!("/applications/{id}")).await;
    first
        .post(
            &format!("/applications/{id}/decision"),
            &[("outcome", "accept"), ("version", &version.to_string())],
        )
        .await;
    let decision: String = sqlx::query_scalar(
        "SELECT id FROM decisions WHERE application_id = $1 AND state = 'proposed'",
    )
    .bind(&id)
    .fetch_one(app.services.store.pool())
    .await
    .expect("proposal");
    // The tenant changes something (as a document upload would): the version moves on.
    sqlx::query("UPDATE applications SET version = version + 1 WHERE id = $1")
        .bind(&id)
        .execute(app.services.store.pool())
        .await
        .expect("change");
    let current: i64 = sqlx::query_scalar("SELECT version FROM applications WHERE id = $1")
        .bind(&id)
        .fetch_one(app.services.store.pool())
        .await
        .expect("v");
    second.get(&format!("/applications/{id}")).await;
    let void = second
        .post(
            &format!("/applications/{id}/decisions/{decision}/confirm"),
            &[("version", &current.to_string())],
        )
        .await;
    assert_eq!(void.status, 409);
    assert!(
        void.body.contains("changed after the proposal"),
        "{}",
        void.body
    );
    let state: String = sqlx::query_scalar("SELECT state FROM decisions WHERE id = $1")
        .bind(&decision)
        .fetch_one(app.services.store.pool())
        .await
        .expect("state");
    assert_eq!(state, "invalidated");
    assert_eq!(status_of(&app, &id).await, "review");

    first.get(&format!("/applications/{id}")).await;
    first
        .post(
            &format!("/applications/{id}/decision"),
            &[("outcome", "accept"), ("version", &current.to_string())],
        )
        .await;
    let (decision, version): (String, i64) = sqlx::query_as(
        "SELECT d.id, a.version FROM decisions d JOIN applications a ON a.id = d.application_id WHERE d.application_id = $1 AND d.state = 'proposed'",
    )
    .bind(&id)
    .fetch_one(app.services.store.pool())
    .await
    .expect("new proposal");
    second.get(&format!("/applications/{id}")).await;
    let back = second
        .post(
            &format!("/applications/{id}/decisions/{decision}/send-back"),
            &[
                ("version", &version.to_string()),
                ("comment", "check the address"),
            ],
        )
        .await;
    assert_eq!(back.status, 303);
    assert_eq!(status_of(&app, &id).await, "review");
    assert_eq!(app.audit_count("application.decision_returned").await, 1);
}

async fn concurrent_decisions_on_one_case_let_exactly_one_win(app: TestApp) {
    seed(&app, 24).await;
    let (id, version) = in_review(&app, "Standard").await;
    let mut a = reviewer(&app, "a@example.com").await;
    let mut b = reviewer(&app, "b@example.com").await;
    a.get(&format!("/applications/{id}")).await;
    b.get(&format!("/applications/{id}")).await;
    let path = format!("/applications/{id}/decision");
    let v = version.to_string();
    let accept = [("outcome", "accept"), ("version", v.as_str())];
    let reject = [
        ("outcome", "reject"),
        ("reason", "other"),
        ("version", v.as_str()),
    ];
    let (ra, rb) = tokio::join!(a.post(&path, &accept), b.post(&path, &reject));
    let mut statuses = [ra.status.as_u16(), rb.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 409]);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM decisions WHERE application_id = $1 AND state = 'confirmed'",
            &id
        )
        .await,
        1
    );
}

async fn next_case_never_hands_the_same_case_to_two_reviewers(app: TestApp) {
    seed(&app, 24).await;
    sqlx::query("UPDATE applications SET assignee_id = NULL")
        .execute(app.services.store.pool())
        .await
        .expect("unassign");
    let mut a = reviewer(&app, "a@example.com").await;
    let mut b = reviewer(&app, "b@example.com").await;
    let (ra, rb) = tokio::join!(
        a.post("/applications/next", &[]),
        b.post("/applications/next", &[])
    );
    let (la, lb) = (
        ra.location().expect("a got a case").to_owned(),
        rb.location().expect("b got a case").to_owned(),
    );
    assert!(la.starts_with("/applications/") && lb.starts_with("/applications/"));
    assert_ne!(la, lb);
    let oldest: String = sqlx::query_scalar(
        "SELECT id FROM applications WHERE status = 'review' ORDER BY status_changed_at, id LIMIT 1",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("oldest");
    assert!(
        la.ends_with(&oldest) || lb.ends_with(&oldest),
        "the oldest waiting case goes first"
    );
}

async fn assignment_claims_releases_and_reassigns(app: TestApp) {
    seed(&app, 24).await;
    let (id, _) = in_review(&app, "Standard").await;
    sqlx::query("UPDATE applications SET assignee_id = NULL WHERE id = $1")
        .bind(&id)
        .execute(app.services.store.pool())
        .await
        .expect("unassign");
    let mut a = reviewer(&app, "a@example.com").await;
    let mut b = reviewer(&app, "b@example.com").await;
    a.get(&format!("/applications/{id}")).await;
    b.get(&format!("/applications/{id}")).await;
    assert_eq!(
        a.post(
            &format!("/applications/{id}/assignment"),
            &[("action", "claim")]
        )
        .await
        .status,
        303
    );
    assert_eq!(
        b.post(
            &format!("/applications/{id}/assignment"),
            &[("action", "claim")]
        )
        .await
        .status,
        409,
        "already claimed"
    );
    assert_eq!(
        b.post(
            &format!("/applications/{id}/assignment"),
            &[("action", "release")]
        )
        .await
        .status,
        409,
        "not b's to release"
    );
    let b_id: String =
        sqlx::query_scalar("SELECT id FROM staff_users WHERE email = 'b@example.com'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("b");
    assert_eq!(
        a.post(
            &format!("/applications/{id}/assignment"),
            &[("action", "assign"), ("reviewer", &b_id)]
        )
        .await
        .status,
        303
    );
    let assignee: Option<String> =
        sqlx::query_scalar("SELECT assignee_id FROM applications WHERE id = $1")
            .bind(&id)
            .fetch_one(app.services.store.pool())
            .await
            .expect("assignee");
    assert_eq!(assignee.as_deref(), Some(b_id.as_str()));
    assert_eq!(
        b.post(
            &format!("/applications/{id}/assignment"),
            &[("action", "release")]
        )
        .await
        .status,
        303
    );
}

async fn roles_decide_who_may_work_a_case(app: TestApp) {
    seed(&app, 24).await;
    let (id, version) = in_review(&app, "Standard").await;
    let mut auditor = signed_in(&app, "aud@example.com", "auditor").await;
    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    for browser in [&mut auditor, &mut admin] {
        assert_eq!(
            browser.get(&format!("/applications/{id}")).await.status,
            200,
            "every role may view"
        );
        assert_eq!(browser.get("/applications").await.status, 200);
        assert_eq!(
            browser
                .post(
                    &format!("/applications/{id}/decision"),
                    &[("outcome", "accept"), ("version", &version.to_string())]
                )
                .await
                .status,
            403
        );
        assert_eq!(
            browser
                .post(&format!("/applications/{id}/notes"), &[("body", "hello")])
                .await
                .status,
            403
        );
        assert_eq!(
            browser
                .post(
                    &format!("/applications/{id}/assignment"),
                    &[("action", "claim")]
                )
                .await
                .status,
            403
        );
        assert_eq!(browser.post("/applications/next", &[]).await.status, 403);
    }
    assert_eq!(status_of(&app, &id).await, "review");
    assert_eq!(app.audit_count("access.denied").await, 8);
}

async fn notes_are_kept_escaped_and_audited(app: TestApp) {
    seed(&app, 24).await;
    let (id, _) = in_review(&app, "Standard").await;
    let mut browser = reviewer(&app, "rev@example.com").await;
    browser.get(&format!("/applications/{id}")).await;
    let added = browser
        .post(
            &format!("/applications/{id}/notes"),
            &[("body", "<b>check</b> the address")],
        )
        .await;
    assert_eq!(added.status, 303);
    let page = browser.get(&format!("/applications/{id}")).await;
    assert!(
        page.body
            .contains("&#60;b&#62;check&#60;/b&#62; the address")
    );
    assert!(!page.body.contains("<b>check</b>"));
    assert_eq!(
        browser
            .post(&format!("/applications/{id}/notes"), &[("body", "   ")])
            .await
            .status,
        422
    );
    assert_eq!(app.audit_count("application.note_added").await, 1);
}

async fn remediation_without_attempts_left_rejects(app: TestApp) {
    seed(&app, 24).await;
    let (id, _) = in_review(&app, "Standard").await;
    sqlx::query("UPDATE applications SET attempt = max_attempts WHERE id = $1")
        .bind(&id)
        .execute(app.services.store.pool())
        .await
        .expect("last attempt");
    let version: i64 = sqlx::query_scalar("SELECT version FROM applications WHERE id = $1")
        .bind(&id)
        .fetch_one(app.services.store.pool())
        .await
        .expect("v");
    let mut browser = reviewer(&app, "rev@example.com").await;
    browser.get(&format!("/applications/{id}")).await;
    let answer = browser
        .post(
            &format!("/applications/{id}/decision"),
            &[
                ("outcome", "remediate"),
                ("reason", "document_unreadable"),
                ("redo", "selfie"),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(status_of(&app, &id).await, "rejected");
}

/// Search terms are data, never syntax: quotes, `%`, `_` and short terms find what they say.
async fn search_takes_any_characters(app: TestApp) {
    let (_, tenant) = crate::common::tenant::seeded(&app).await;
    let level = crate::common::tenant::quick_level(&app, "Search", false, vec![]).await;
    let mut found = Vec::new();
    for (external_id, last_name) in [
        ("ref_1\"q", "Okonkwo"),
        ("ref%2", "Okonkwo"),
        ("zz", "Okonkwo"),
        ("ref-4", "Xu"),
    ] {
        let applicant = tenant.applicant(external_id, last_name).await;
        found.push(
            tenant
                .quick_application(&level, &applicant, serde_json::json!({}))
                .await,
        );
    }
    let mut browser = reviewer(&app, "rev@example.com").await;
    assert_search_finds(
        &mut browser,
        &found,
        [
            ("ref_1\"q", vec![&found[0]]),
            ("REF%2", vec![&found[1]]),
            ("zz", vec![&found[2]]),
            ("okonkwo", vec![&found[0], &found[1], &found[2]]),
            // Two characters match where a word starts or ends with them.
            ("xu", vec![&found[3]]),
            ("XU", vec![&found[3]]),
            ("\"", vec![&found[0]]),
            ("nobody-here", vec![]),
        ],
    )
    .await;
}

/// Searches the All tab for each term and checks which of `found` the page lists: exactly `expected`.
async fn assert_search_finds<const N: usize>(
    browser: &mut Browser,
    found: &[String],
    cases: [(&str, Vec<&String>); N],
) {
    for (term, expected) in cases {
        let query: String = url::form_urlencoded::byte_serialize(term.as_bytes()).collect();
        let page = browser
            .get(&format!("/applications?status=all&q={query}"))
            .await;
        assert_eq!(page.status, 200, "{term}: {}", page.body);
        for id in found {
            assert_eq!(
                page.body.contains(id.as_str()),
                expected.contains(&id),
                "{term} and {id}"
            );
        }
    }
}

/// Copies the template application and its applicant `copies` times as applicants named `last_name`,
/// each registered a second after the previous one.
async fn copy_applicants(app: &TestApp, template: &str, last_name: &str, copies: usize) {
    let pool = app.services.store.pool();
    let mut tx = pool.begin().await.expect("tx");
    for n in 0..copies {
        let (applicant, application) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let registered = format!("2026-01-01T00:{:02}:{:02}.000000Z", n / 60, n % 60);
        sqlx::query(
            "INSERT INTO applicants (id, tenant_id, external_id, applicant_type, first_name, last_name, company_name,
                                     date_of_birth, email, phone, country, address, government_ids, created_at, version)
             SELECT $1, p.tenant_id, $2, p.applicant_type, 'Ada', $3, NULL, p.date_of_birth, NULL, NULL, p.country,
                    p.address, p.government_ids, $4, 1
             FROM applications a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = $5",
        )
        .bind(applicant.to_string())
        .bind(format!("copy-{n}"))
        .bind(last_name)
        .bind(&registered)
        .bind(template)
        .execute(&mut *tx)
        .await
        .expect("applicant");
        sqlx::query(
            "INSERT INTO applications (id, tenant_id, applicant_id, level_id, level_version, kind, provider, status, attempt,
                                       max_attempts, attributes, params, created_at, updated_at, status_changed_at, version)
             SELECT $1, tenant_id, $2, level_id, level_version, kind, provider, 'review', 1, max_attempts, attributes,
                    params, $3, $3, $3, 1
             FROM applications WHERE id = $4",
        )
        .bind(application.to_string())
        .bind(applicant.to_string())
        .bind(&registered)
        .bind(template)
        .execute(&mut *tx)
        .await
        .expect("application");
    }
    tx.commit().await.expect("commit");
}

/// A term matching more applicants than a search looks at (`SEARCH_LIMIT`) covers the most recently
/// registered ones and says so; a narrower term finds anyone, and gets no such note.
async fn a_broad_search_looks_at_the_most_recent_matches_and_says_so(app: TestApp) {
    use kycdesk::domain::queue::SEARCH_LIMIT;
    let (_, tenant) = crate::common::tenant::seeded(&app).await;
    let level = crate::common::tenant::quick_level(&app, "Search", false, vec![]).await;
    let applicant = tenant.applicant("template", "Template").await;
    let template = tenant
        .quick_application(&level, &applicant, serde_json::json!({}))
        .await;
    let limit = usize::try_from(SEARCH_LIMIT).expect("limit");
    copy_applicants(&app, &template, "Manyfold", limit + 2).await;
    let mut browser = reviewer(&app, "rev@example.com").await;

    let broad = browser.get("/applications?status=all&q=manyfold").await;
    assert_eq!(broad.status, 200);
    assert!(
        broad.body.contains("More than 1,000 applicants match"),
        "{}",
        broad.body
    );
    assert!(
        broad
            .body
            .contains(&format!("All <span class=\"count\">{SEARCH_LIMIT}</span>")),
        "the counts cover the {SEARCH_LIMIT} most recent matches"
    );
    let newest = browser
        .get("/applications?status=all&sort=created&q=manyfold")
        .await;
    let latest: String = sqlx::query_scalar(
        "SELECT a.id FROM applications a JOIN applicants p ON p.id = a.applicant_id
         WHERE p.external_id = $1",
    )
    .bind(format!("copy-{}", limit + 1))
    .fetch_one(app.services.store.pool())
    .await
    .expect("the newest copy");
    assert!(newest.body.contains(&latest), "the newest match is shown");

    // The two oldest copies are past the limit of the broad term, not out of reach.
    let precise = browser.get("/applications?status=all&q=copy-0").await;
    assert!(!precise.body.contains("More than"), "{}", precise.body);
    let oldest: String = sqlx::query_scalar(
        "SELECT a.id FROM applications a JOIN applicants p ON p.id = a.applicant_id
         WHERE p.external_id = 'copy-0'",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("the oldest copy");
    assert!(precise.body.contains(&oldest), "{}", precise.body);
}

/// A complete e-mail address or external id finds exactly its applicant; a part of one still finds
/// every applicant it is part of.
async fn a_whole_email_or_external_id_finds_exactly_its_applicant(app: TestApp) {
    let (_, tenant) = crate::common::tenant::seeded(&app).await;
    let level = crate::common::tenant::quick_level(&app, "Search", false, vec![]).await;
    let mut found = Vec::new();
    for (external_id, email) in [
        ("ext-7", "ann@example.com"),
        ("ext-77", "joann@example.com"),
    ] {
        let (status, body) = tenant
            .call(
                reqwest::Method::POST,
                "/applicants",
                Some(serde_json::json!({"external_id": external_id, "email": email, "last_name": "Whole"})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let applicant = body["id"].as_str().expect("id").to_owned();
        found.push(
            tenant
                .quick_application(&level, &applicant, serde_json::json!({}))
                .await,
        );
    }
    let mut browser = reviewer(&app, "rev@example.com").await;
    assert_search_finds(
        &mut browser,
        &found,
        [
            ("ann@example.com", vec![&found[0]]),
            ("Ann@EXAMPLE.com", vec![&found[0], &found[1]]),
            ("nn@example.com", vec![&found[0], &found[1]]),
            ("ext-7", vec![&found[0]]),
            ("ext-", vec![&found[0], &found[1]]),
        ],
    )
    .await;
}

on_both_databases!(
    a_whole_email_or_external_id_finds_exactly_its_applicant,
    a_broad_search_looks_at_the_most_recent_matches_and_says_so,
    search_takes_any_characters,
    the_queue_filters_searches_and_pages_by_keyset,
    the_case_page_shows_the_case_and_audits_every_read,
    a_decision_changes_status_audit_and_outbox_together,
    htmx_decisions_update_status_timeline_and_counts_in_place,
    four_eyes_needs_a_second_reviewer_on_an_unchanged_case,
    a_change_after_a_proposal_voids_it_and_sending_back_reopens_it,
    concurrent_decisions_on_one_case_let_exactly_one_win,
    next_case_never_hands_the_same_case_to_two_reviewers,
    assignment_claims_releases_and_reassigns,
    roles_decide_who_may_work_a_case,
    notes_are_kept_escaped_and_audited,
    remediation_without_attempts_left_rejects,
);
