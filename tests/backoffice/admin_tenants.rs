//! The admin UI for tenants and API keys, over real HTTP on both databases: secrets shown once,
//! keys that work on the API until revoked, the admin-only rule, and the audit trail.

use crate::common::TestApp;
use crate::common::browser::{Page, signed_in};
use kycdesk::domain::tenant::TenantName;
use kycdesk::service::{self, Ctx};

/// The text of the element with this id (the one-time secrets are `<code id=...>`).
fn shown(page: &Page, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\">");
    let start = page.body.find(&marker)? + marker.len();
    page.body[start..].split('<').next().map(str::to_owned)
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.services.store.pool())
        .await
        .expect("count")
}

/// The answer of `GET /api/v1/levels` with this bearer key.
async fn api_status(app: &TestApp, key: &str) -> u16 {
    app.client
        .get(app.url("/api/v1/levels"))
        .bearer_auth(key)
        .send()
        .await
        .expect("API request")
        .status()
        .as_u16()
}

async fn key_id(app: &TestApp, key: &str) -> String {
    let prefix = key.get(..12).expect("a key longer than its prefix");
    sqlx::query_scalar("SELECT id FROM api_keys WHERE prefix = $1")
        .bind(prefix)
        .fetch_one(app.services.store.pool())
        .await
        .expect("key id")
}

async fn an_admin_creates_a_tenant_sees_its_key_once_and_manages_keys(app: TestApp) {
    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    let home = admin.get("/").await;
    assert!(home.body.contains("href=\"/admin/tenants\""), "nav link");
    let empty = admin.get("/admin/tenants").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("<html") && empty.body.contains("id=\"tenants-main\""));

    let created = admin
        .post(
            "/admin/tenants",
            &[
                ("name", "  Acme Bank "),
                ("sandbox", "on"),
                ("webhook_url", "https://hooks.example.com/kyc"),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let key = shown(&created, "new-api-key").expect("the API key is shown");
    let webhook_secret = shown(&created, "new-webhook-secret").expect("webhook secret shown");
    assert!(key.starts_with("kyc_test_"), "a sandbox key: {key}");
    assert!(webhook_secret.starts_with("whsec_"));
    assert!(created.body.contains("Acme Bank") && created.body.contains("sandbox"));
    assert!(created.body.contains("https://hooks.example.com/kyc"));
    let stored: (String, Option<String>, i64) =
        sqlx::query_as("SELECT name, webhook_url, sandbox FROM tenants")
            .fetch_one(app.services.store.pool())
            .await
            .expect("the tenant");
    assert_eq!(
        stored,
        (
            "Acme Bank".to_owned(),
            Some("https://hooks.example.com/kyc".to_owned()),
            1
        )
    );

    let again = admin.get("/admin/tenants").await;
    assert_eq!(again.status, 200);
    assert!(!again.body.contains(&key), "the key is shown only once");
    assert!(!again.body.contains(&webhook_secret), "so is the secret");
    assert!(again.body.contains(&key[..12]), "its prefix identifies it");
    assert!(again.body.contains("active"));

    assert_eq!(api_status(&app, &key).await, 200, "the shown key works");
    let tenant_id: String = sqlx::query_scalar("SELECT id FROM tenants")
        .fetch_one(app.services.store.pool())
        .await
        .expect("tenant id");

    // Another key, through htmx: only the partial comes back, with the new key.
    let token = admin.csrf.clone().expect("token");
    let issued = admin
        .post_raw(
            &format!("/admin/tenants/{tenant_id}/keys"),
            &[],
            &[("X-CSRF-Token", token.as_str()), ("HX-Request", "true")],
        )
        .await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    assert!(!issued.body.contains("<html") && issued.body.contains("id=\"tenants-table\""));
    let second = shown(&issued, "new-api-key").expect("the new key is shown");
    assert_ne!(second, key);
    assert!(
        shown(&issued, "new-webhook-secret").is_none(),
        "a new key leaves the webhook secret alone"
    );
    assert_eq!(api_status(&app, &second).await, 200);
    assert!(!admin.get("/admin/tenants").await.body.contains(&second));

    let first_id = key_id(&app, &key).await;
    let revoked = admin
        .post(
            &format!("/admin/tenants/{tenant_id}/keys/{first_id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert!(revoked.body.contains("revoked"));
    assert_eq!(api_status(&app, &key).await, 401, "refused at once");
    assert_eq!(api_status(&app, &second).await, 200, "the other key lives");
    let twice = admin
        .post(
            &format!("/admin/tenants/{tenant_id}/keys/{first_id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(twice.status, 409, "already revoked");

    // A key is revoked only through its own tenant; unknown ids are not found.
    let other = service::tenants::create(
        &app.services,
        &Ctx::system("test"),
        service::tenants::NewTenant {
            name: TenantName::parse("Other Bank").expect("name"),
            sandbox: false,
            webhook_url: None,
        },
    )
    .await
    .expect("other tenant");
    let second_id = key_id(&app, &second).await;
    let crossed = admin
        .post(
            &format!("/admin/tenants/{}/keys/{second_id}/revoke", other.tenant.id),
            &[],
        )
        .await;
    assert_eq!(crossed.status, 404);
    assert_eq!(
        admin
            .post("/admin/tenants/not-an-id/keys", &[])
            .await
            .status,
        404
    );
    assert_eq!(api_status(&app, &second).await, 200);

    assert_eq!(app.audit_count("tenant.created").await, 2);
    assert_eq!(app.audit_count("api_key.created").await, 3);
    assert_eq!(app.audit_count("api_key.revoked").await, 1);
    let revoked_by_admin = count(
        &app,
        "SELECT COUNT(*) FROM audit_events WHERE action = 'api_key.revoked'
         AND actor LIKE 'staff:%' AND tenant_id IS NOT NULL",
    )
    .await;
    assert_eq!(
        revoked_by_admin, 1,
        "the admin is the actor, the tenant the context"
    );
}

async fn reviewers_and_auditors_are_refused_and_nothing_changes(app: TestApp) {
    let created = service::tenants::create(
        &app.services,
        &Ctx::system("test"),
        service::tenants::NewTenant {
            name: TenantName::parse("Acme Bank").expect("name"),
            sandbox: false,
            webhook_url: None,
        },
    )
    .await
    .expect("tenant");
    let tenant = created.tenant.id;
    let key = created.api_key_id;
    let mut reviewer = signed_in(&app, "rev@example.com", "reviewer").await;
    let mut auditor = signed_in(&app, "aud@example.com", "auditor").await;
    let denied_before = app.audit_count("access.denied").await;
    for browser in [&mut reviewer, &mut auditor] {
        let home = browser.get("/").await;
        assert!(!home.body.contains("/admin/tenants"), "no nav link");
        let page = browser.get("/admin/tenants").await;
        assert_eq!(page.status, 403);
        assert!(page.body.contains("Your role does not allow this."));
        assert!(
            !page.body.contains("Acme Bank"),
            "no data leaks on a refusal"
        );
        let toast = browser.get_htmx("/admin/tenants").await;
        assert_eq!(toast.status, 403);
        assert_eq!(
            toast
                .headers
                .get("hx-retarget")
                .and_then(|v| v.to_str().ok()),
            Some("#toasts")
        );
        let create = browser
            .post(
                "/admin/tenants",
                &[
                    ("name", "Sneaky Bank"),
                    ("webhook_url", "https://x.example"),
                ],
            )
            .await;
        assert_eq!(create.status, 403);
        let issue = browser
            .post(&format!("/admin/tenants/{tenant}/keys"), &[])
            .await;
        assert_eq!(issue.status, 403);
        assert!(!issue.body.contains("kyc_live_"), "no key leaks");
        let revoke = browser
            .post(&format!("/admin/tenants/{tenant}/keys/{key}/revoke"), &[])
            .await;
        assert_eq!(revoke.status, 403);
    }
    assert_eq!(
        app.audit_count("access.denied").await - denied_before,
        10,
        "every refusal is audited"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tenants").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM api_keys").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NOT NULL"
        )
        .await,
        0
    );
    assert_eq!(api_status(&app, &created.api_key).await, 200);
    assert_eq!(app.audit_count("api_key.created").await, 1);
    assert_eq!(app.audit_count("api_key.revoked").await, 0);
}

async fn an_invalid_webhook_url_is_refused_and_creates_nothing(app: TestApp) {
    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    admin.get("/admin/tenants").await;
    let long = format!("https://example.com/{}", "a".repeat(2048));
    for bad in [
        "hooks.example.com/kyc",
        "ftp://example.com/",
        "javascript:alert(1)",
        "https://user:secret@example.com/",
        long.as_str(),
    ] {
        let page = admin
            .post(
                "/admin/tenants",
                &[("name", "Acme Bank"), ("webhook_url", bad)],
            )
            .await;
        assert_eq!(page.status, 422, "{bad}: {}", page.body);
        assert!(page.body.contains("absolute http(s) URL"), "{}", page.body);
    }
    let blank_name = admin
        .post("/admin/tenants", &[("name", "   "), ("webhook_url", "")])
        .await;
    assert_eq!(blank_name.status, 422);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tenants").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM api_keys").await, 0);
    assert_eq!(app.audit_count("tenant.created").await, 0);
    assert_eq!(app.audit_count("api_key.created").await, 0);

    // The form's empty webhook field means no default webhook.
    let plain = admin
        .post(
            "/admin/tenants",
            &[("name", "Acme Bank"), ("webhook_url", "")],
        )
        .await;
    assert_eq!(plain.status, 200, "{}", plain.body);
    assert!(
        shown(&plain, "new-api-key").is_some_and(|key| key.starts_with("kyc_live_")),
        "a live key"
    );
    let stored: Option<String> = sqlx::query_scalar("SELECT webhook_url FROM tenants")
        .fetch_one(app.services.store.pool())
        .await
        .expect("tenant");
    assert_eq!(stored, None);
    let duplicate = admin
        .post(
            "/admin/tenants",
            &[("name", "Acme Bank"), ("webhook_url", "")],
        )
        .await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tenants").await, 1);
}

async fn forms_without_the_csrf_token_are_refused(app: TestApp) {
    let created = service::tenants::create(
        &app.services,
        &Ctx::system("test"),
        service::tenants::NewTenant {
            name: TenantName::parse("Acme Bank").expect("name"),
            sandbox: false,
            webhook_url: None,
        },
    )
    .await
    .expect("tenant");
    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    let page = admin.get("/admin/tenants").await;
    assert_eq!(
        page.body.matches("name=\"csrf_token\"").count(),
        // sign-out, create, new key, revoke, webhook URL, rotate the webhook secret
        6,
        "every form carries the token"
    );
    let tenant = created.tenant.id;
    let key = created.api_key_id;
    for path in [
        "/admin/tenants".to_owned(),
        format!("/admin/tenants/{tenant}/keys"),
        format!("/admin/tenants/{tenant}/keys/{key}/revoke"),
        format!("/admin/tenants/{tenant}/webhook-secret"),
        format!("/admin/tenants/{tenant}/webhook-url"),
    ] {
        let refused = admin.post_raw(&path, &[("name", "Other")], &[]).await;
        assert_eq!(refused.status, 403, "{path}");
        let wrong = admin
            .post_raw(&path, &[("name", "Other"), ("csrf_token", "0000")], &[])
            .await;
        assert_eq!(wrong.status, 403, "{path}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tenants").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM api_keys").await, 1);
    assert_eq!(api_status(&app, &created.api_key).await, 200);
}

on_both_databases!(
    an_admin_creates_a_tenant_sees_its_key_once_and_manages_keys,
    reviewers_and_auditors_are_refused_and_nothing_changes,
    an_invalid_webhook_url_is_refused_and_creates_nothing,
    forms_without_the_csrf_token_are_refused,
);
