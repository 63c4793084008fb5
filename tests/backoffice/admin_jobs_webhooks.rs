//! The admin pages for jobs and webhook deliveries over real HTTP: attempts with their outcome,
//! redelivery, a dead job retried from the page, secret rotation shown once, admins only.

use crate::common::TestApp;
use crate::common::browser::signed_in;
use crate::common::receiver::Receiver;
use crate::common::tenant::{TenantApi, quick_level};
use kycdesk::domain::tenant::{TenantName, WebhookUrl};
use kycdesk::service::Ctx;
use kycdesk::service::tenants::NewTenant;
use serde_json::json;

async fn admins_see_deliveries_and_redeliver_and_retry_dead_jobs(app: TestApp) {
    let mut receiver = Receiver::start().await;
    receiver.script([500]);
    let created = kycdesk::service::tenants::create(
        &app.services,
        &Ctx::system("test"),
        NewTenant {
            name: TenantName::parse("Hooked Bank").expect("name"),
            sandbox: true,
            webhook_url: Some(WebhookUrl::parse(&receiver.url).expect("url")),
        },
    )
    .await
    .expect("tenant");
    let tenant = TenantApi::new(&app, created.api_key.clone());
    let level = quick_level(&app, "Auto", true, vec![]).await;
    let applicant = tenant.applicant("adm-1", "Error").await;
    let id = tenant
        .quick_application(&level, &applicant, json!({}))
        .await;
    let failed = receiver.next().await;
    let delivered = receiver.next().await;
    assert_eq!(failed.header("webhook-id"), delivered.header("webhook-id"));
    let message_id = delivered.header("webhook-id").to_owned();
    tenant.send_to_review(&id).await;
    tenant.wait_for_status(&id, "failed").await;

    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    let tenants = admin.get("/admin/tenants").await;
    let deliveries_href = format!("/admin/tenants/{}/webhooks", created.tenant.id);
    assert!(
        tenants.body.contains(&deliveries_href),
        "linked from the tenants page"
    );
    let page = admin.get(&deliveries_href).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("kyc_application.created"));
    assert!(
        page.body.contains("HTTP 500") && page.body.contains("HTTP 200"),
        "both attempts shown"
    );

    let redelivered = admin
        .post(
            &format!("/admin/webhooks/{message_id}/redeliver"),
            &[("tenant", &created.tenant.id.to_string())],
        )
        .await;
    assert_eq!(redelivered.status, 200, "{}", redelivered.body);
    // Other messages of the application arrive meanwhile; the redelivery is among them.
    let mut redelivery = None;
    for _ in 0..10 {
        let next = receiver.next().await;
        if next.header("webhook-id") == message_id {
            redelivery = Some(next);
            break;
        }
    }
    let again =
        redelivery.expect("redelivered with the same message id, so receivers can de-duplicate");
    assert_eq!(again.body, delivered.body, "the same message");
    assert_eq!(app.audit_count("webhook.redelivered").await, 1);

    // The sandbox "Error" applicant exhausts its submission attempts.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let dead_job: String = loop {
        let dead: Option<String> =
            sqlx::query_scalar("SELECT id FROM jobs WHERE subject_id = $1 AND state = 'dead'")
                .bind(&id)
                .fetch_optional(app.services.store.pool())
                .await
                .expect("jobs");
        if let Some(dead) = dead {
            break dead;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the submission never died"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let jobs = admin.get("/admin/jobs").await;
    assert_eq!(jobs.status, 200);
    assert!(
        jobs.body.contains(&dead_job)
            || jobs.body.contains(&format!("/admin/jobs/{dead_job}/retry"))
    );
    assert!(
        jobs.body.contains("sandbox provider outage"),
        "the last error is shown"
    );
    let retried = admin
        .post(&format!("/admin/jobs/{dead_job}/retry"), &[])
        .await;
    assert_eq!(retried.status, 200, "{}", retried.body);
    assert_eq!(app.audit_count("job.retried").await, 1);

    let rotated = admin
        .post(
            &format!("/admin/tenants/{}/webhook-secret", created.tenant.id),
            &[],
        )
        .await;
    assert_eq!(rotated.status, 200);
    assert!(
        rotated.body.contains("whsec_"),
        "the new secret is shown once"
    );
    assert!(
        !admin.get("/admin/tenants").await.body.contains("whsec_"),
        "and only once"
    );

    let url_path = format!("/admin/tenants/{}/webhook-url", created.tenant.id);
    let refused = admin
        .post(&url_path, &[("webhook_url", "ftp://files.example.com/x")])
        .await;
    assert_eq!(refused.status, 422);
    let saved = admin
        .post(
            &url_path,
            &[("webhook_url", "https://hooks.example.com/new")],
        )
        .await;
    assert_eq!(saved.status, 200);
    assert!(
        saved
            .body
            .contains("value=\"https://hooks.example.com/new\"")
    );
    assert_eq!(app.audit_count("tenant.webhook_url_changed").await, 1);

    let mut reviewer = signed_in(&app, "rev@example.com", "reviewer").await;
    assert_eq!(reviewer.get("/admin/jobs").await.status, 403);
    assert_eq!(reviewer.get(&deliveries_href).await.status, 403);
    assert_eq!(
        reviewer
            .post(&url_path, &[("webhook_url", "")])
            .await
            .status,
        403
    );
    assert_eq!(
        reviewer
            .post(&format!("/admin/jobs/{dead_job}/retry"), &[])
            .await
            .status,
        403
    );
    assert_eq!(admin.get("/admin/jobs/not-a-uuid/retry").await.status, 405);
    assert_eq!(
        admin.get("/admin/tenants/not-a-uuid/webhooks").await.status,
        404
    );
}

on_both_databases!(admins_see_deliveries_and_redeliver_and_retry_dead_jobs);
