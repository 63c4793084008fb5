//! Auditors read and verify; they change nothing. Every state-changing back-office route refuses an
//! auditor with 403 (valid forms, real ids), and each refusal is audited.

use crate::common::TestApp;
use crate::common::browser::signed_in;

async fn scalar(app: &TestApp, sql: &str) -> String {
    sqlx::query_scalar(sql)
        .fetch_one(app.services.store.pool())
        .await
        .expect(sql)
}

async fn every_state_changing_route_refuses_an_auditor(app: TestApp) {
    kycdesk::demo::seed(&app.services, 10).await.expect("seed");
    let application = scalar(
        &app,
        "SELECT id FROM applications WHERE status = 'review' LIMIT 1",
    )
    .await;
    let tenant = scalar(&app, "SELECT id FROM tenants LIMIT 1").await;
    let key = scalar(&app, "SELECT id FROM api_keys LIMIT 1").await;
    let staff = scalar(&app, "SELECT id FROM staff_users LIMIT 1").await;
    let level = scalar(&app, "SELECT id FROM levels LIMIT 1").await;
    let message = scalar(&app, "SELECT id FROM outbox_messages LIMIT 1").await;
    let job = scalar(&app, "SELECT id FROM jobs LIMIT 1").await;
    let decision = uuid::Uuid::now_v7().to_string();
    let level_form: Vec<(&str, &str)> = vec![
        ("name", "Audited"),
        ("tier", "1"),
        ("applicant_type", "individual"),
        ("provider", "sandbox"),
        ("max_attempts", "3"),
        ("sla_hours", "24"),
        ("row", "ra"),
        ("ra.key", "a"),
        ("ra.label", "A"),
        ("ra.kind", "text"),
        ("row_version", "1"),
    ];
    let routes: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/applications/next".into(), vec![]),
        (
            format!("/applications/{application}/decision"),
            vec![("outcome", "accept"), ("version", "1")],
        ),
        (
            format!("/applications/{application}/decisions/{decision}/confirm"),
            vec![("version", "1")],
        ),
        (
            format!("/applications/{application}/decisions/{decision}/send-back"),
            vec![("version", "1")],
        ),
        (
            format!("/applications/{application}/notes"),
            vec![("body", "a note")],
        ),
        (
            format!("/applications/{application}/assignment"),
            vec![("action", "claim")],
        ),
        (
            format!("/applications/{application}/legal-hold"),
            vec![("action", "place"), ("reason", "r")],
        ),
        ("/admin/retention".into(), vec![("years", "6")]),
        (
            "/admin/users".into(),
            vec![("email", "new@example.com"), ("role_reviewer", "on")],
        ),
        (
            format!("/admin/users/{staff}/active"),
            vec![("version", "1"), ("active", "false")],
        ),
        (
            format!("/admin/users/{staff}/roles"),
            vec![("version", "1"), ("role_auditor", "on")],
        ),
        (
            format!("/admin/users/{staff}/password-reset"),
            vec![("version", "1")],
        ),
        ("/admin/tenants".into(), vec![("name", "Sneaky Bank")]),
        (format!("/admin/tenants/{tenant}/keys"), vec![]),
        (format!("/admin/tenants/{tenant}/keys/{key}/revoke"), vec![]),
        (
            format!("/admin/tenants/{tenant}/webhook-url"),
            vec![("webhook_url", "https://x.example.com/h")],
        ),
        (format!("/admin/tenants/{tenant}/webhook-secret"), vec![]),
        (
            format!("/admin/webhooks/{message}/redeliver"),
            vec![("tenant", tenant.as_str())],
        ),
        ("/admin/levels".into(), level_form.clone()),
        (format!("/admin/levels/{level}"), level_form.clone()),
        (
            format!("/admin/levels/{level}/active"),
            vec![("active", "false")],
        ),
        (format!("/admin/levels/{level}/delete"), vec![]),
        (
            "/admin/levels/legal-documents".into(),
            vec![("title", "T"), ("version", "1"), ("body", "b")],
        ),
        (format!("/admin/jobs/{job}/retry"), vec![]),
    ];
    let mut auditor = signed_in(&app, "auditor@example.com", "auditor").await;
    let before = app.audit_count("access.denied").await;
    for (path, form) in &routes {
        let page = auditor.post(path, form).await;
        assert_eq!(page.status, 403, "POST {path}: {}", page.body);
    }
    let denied = app.audit_count("access.denied").await - before;
    assert_eq!(denied, routes.len() as i64, "every refusal is in the trail");

    // Invalid input changes nothing: the role is refused before the form is read.
    let invalid: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/admin/users".into(), vec![("email", "not an e-mail")]),
        (
            "/admin/tenants".into(),
            vec![("name", ""), ("webhook_url", "ftp://x")],
        ),
        (
            format!("/admin/tenants/{tenant}/webhook-url"),
            vec![("webhook_url", "gopher://x")],
        ),
        ("/admin/levels".into(), vec![("name", ""), ("tier", "many")]),
        (
            format!("/admin/levels/{level}"),
            vec![("tier", "many"), ("row_version", "x")],
        ),
        (
            "/admin/levels/legal-documents".into(),
            vec![("title", ""), ("version", ""), ("body", "")],
        ),
        ("/admin/retention".into(), vec![("years", "forever")]),
        (
            format!("/applications/{application}/legal-hold"),
            vec![("action", "explode")],
        ),
    ];
    for (path, form) in &invalid {
        let page = auditor.post(path, form).await;
        assert_eq!(
            page.status, 403,
            "POST {path} with invalid input: {}",
            page.body
        );
    }
}

on_both_databases!(every_state_changing_route_refuses_an_auditor);
