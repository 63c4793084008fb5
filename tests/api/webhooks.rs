//! Outbound webhooks: signed per Standard Webhooks, delivered at least once with retries, every
//! attempt recorded, the application's URL overriding the tenant's, secrets rotated with two
//! signatures, and private targets refused unless configuration allows them.

use crate::common::TestApp;
use crate::common::receiver::{Delivered, Receiver};
use crate::common::tenant::{TenantApi, quick_level};
use kycdesk::domain::tenant::{TenantName, WebhookUrl};
use kycdesk::service::Ctx;
use kycdesk::service::tenants::{CreatedTenant, NewTenant};
use kycdesk::webhooks::signing::{WebhookSecret, verify};
use serde_json::json;

async fn tenant_with_webhook(app: &TestApp, url: &str) -> CreatedTenant {
    kycdesk::service::tenants::create(
        &app.services,
        &Ctx::system("test"),
        NewTenant {
            name: TenantName::parse("Hooked Bank").expect("name"),
            sandbox: true,
            webhook_url: Some(WebhookUrl::parse(url).expect("url")),
        },
    )
    .await
    .expect("tenant")
}

fn verified(delivered: &Delivered, secret: &str) -> bool {
    let timestamp: i64 = delivered
        .header("webhook-timestamp")
        .parse()
        .expect("timestamp");
    verify(
        &WebhookSecret::parse(secret).expect("secret"),
        delivered.header("webhook-id"),
        timestamp,
        delivered.header("webhook-signature"),
        delivered.body.as_bytes(),
        chrono::Utc::now().timestamp(),
        300,
    )
    .is_ok()
}

async fn every_change_reaches_the_tenant_signed(app: TestApp) {
    let mut receiver = Receiver::start().await;
    let created = tenant_with_webhook(&app, &receiver.url).await;
    let tenant = TenantApi::new(&app, created.api_key.clone());
    let level = quick_level(&app, "Auto", true, vec![]).await;
    let applicant = tenant.applicant("hook-1", "Lovelace").await;
    let id = tenant
        .quick_application(&level, &applicant, json!({}))
        .await;
    tenant.send_to_review(&id).await;
    tenant.wait_for_status(&id, "accepted").await;

    // Delivered at least once each; workers run in parallel, so not necessarily in order.
    let mut delivered = Vec::new();
    for _ in 0..4 {
        delivered.push(receiver.next().await);
    }
    let mut types: Vec<String> = delivered
        .iter()
        .map(|d| d.json()["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    types.sort();
    assert_eq!(
        types,
        [
            "kyc_application.created",
            "kyc_application.decided",
            "kyc_application.status_changed",
            "kyc_application.submitted"
        ]
    );
    for d in &delivered {
        assert!(
            verified(d, &created.webhook_secret),
            "signature holds: {}",
            d.header("webhook-signature")
        );
        assert!(d.header("webhook-id").len() == 36, "the outbox message id");
        assert_eq!(d.header("content-type"), "application/json");
        assert_eq!(d.json()["data"]["id"], json!(id));
    }
    assert!(
        !verified(&delivered[0], &WebhookSecret::generate()),
        "another secret does not verify"
    );
    let decided = delivered
        .iter()
        .map(Delivered::json)
        .find(|d| d["type"] == "kyc_application.decided")
        .expect("decided");
    assert_eq!(decided["data"]["status"], "accepted");
    assert_eq!(decided["data"]["decision"]["outcome"], "accept");
}

async fn failed_deliveries_are_retried_and_every_attempt_is_recorded(app: TestApp) {
    let mut receiver = Receiver::start().await;
    receiver.script([500, 503]);
    let created = tenant_with_webhook(&app, &receiver.url).await;
    let tenant = TenantApi::new(&app, created.api_key.clone());
    let level = quick_level(&app, "Auto", true, vec![]).await;
    let applicant = tenant.applicant("retry-1", "Lovelace").await;
    tenant
        .quick_application(&level, &applicant, json!({}))
        .await;
    let first = receiver.next().await;
    let second = receiver.next().await;
    let third = receiver.next().await;
    let id = first.header("webhook-id").to_owned();
    assert_eq!(second.header("webhook-id"), id, "the same message, retried");
    assert_eq!(third.header("webhook-id"), id);
    assert!(verified(&third, &created.webhook_secret));
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let attempts: Vec<(Option<i64>, Option<i64>)> = loop {
        let attempts: Vec<(Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT status_code, latency_ms FROM webhook_attempts WHERE message_id = $1 ORDER BY attempted_at",
        )
        .bind(&id)
        .fetch_all(app.services.store.pool())
        .await
        .expect("attempts");
        if attempts.len() == 3 {
            break attempts;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "attempts recorded: {attempts:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let statuses: Vec<Option<i64>> = attempts.iter().map(|a| a.0).collect();
    assert_eq!(statuses, [Some(500), Some(503), Some(200)]);
    assert!(attempts.iter().all(|a| a.1.is_some()), "latency recorded");
}

async fn an_applications_own_url_overrides_the_tenants(app: TestApp) {
    let tenant_receiver = Receiver::start().await;
    let mut own = Receiver::start().await;
    let created = tenant_with_webhook(&app, &tenant_receiver.url).await;
    let tenant = TenantApi::new(&app, created.api_key.clone());
    let level = quick_level(&app, "Auto", true, vec![]).await;
    let applicant = tenant.applicant("own-1", "Lovelace").await;
    let (status, body) = tenant
        .call(
            reqwest::Method::POST,
            "/kyc_applications",
            Some(json!({"applicant_id": applicant, "level_id": level, "webhook_url": own.url})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let to_own = own.next().await;
    assert_eq!(to_own.json()["type"], "kyc_application.created");
    assert_eq!(to_own.json()["data"]["id"], body["id"]);
    assert!(verified(&to_own, &created.webhook_secret));
}

async fn a_rotated_secret_signs_beside_the_old_one(app: TestApp) {
    let mut receiver = Receiver::start().await;
    let created = tenant_with_webhook(&app, &receiver.url).await;
    let admin = app
        .staff_user("ops@example.com", "admin", crate::common::browser::PASSWORD)
        .await;
    let ctx = Ctx::staff(&admin, Default::default());
    let new_secret =
        kycdesk::service::tenants::rotate_webhook_secret(&app.services, &ctx, created.tenant.id)
            .await
            .expect("rotated");
    assert_ne!(new_secret, created.webhook_secret);
    let tenant = TenantApi::new(&app, created.api_key.clone());
    let level = quick_level(&app, "Auto", true, vec![]).await;
    let applicant = tenant.applicant("rot-1", "Lovelace").await;
    tenant
        .quick_application(&level, &applicant, json!({}))
        .await;
    let delivered = receiver.next().await;
    assert_eq!(delivered.header("webhook-signature").split(' ').count(), 2);
    assert!(
        verified(&delivered, &created.webhook_secret),
        "the old secret still verifies"
    );
    assert!(verified(&delivered, &new_secret), "the new secret verifies");
    assert_eq!(app.audit_count("tenant.webhook_secret_rotated").await, 1);
}

async fn private_targets_are_refused_unless_allowed(app: TestApp) {
    for url in [
        "http://127.0.0.1:9/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest",
        "http://localhost/x",
        "http://[::1]/x",
    ] {
        let refused = kycdesk::service::tenants::create(
            &app.services,
            &Ctx::system("test"),
            NewTenant {
                name: TenantName::parse(&format!("T {}", url.len())).expect("name"),
                sandbox: true,
                webhook_url: Some(WebhookUrl::parse(url).expect("url")),
            },
        )
        .await;
        match refused {
            Err(kycdesk::service::ServiceError::InvalidFields(fields)) => {
                assert_eq!(fields[0].code, "webhook_url_not_allowed", "{url}")
            }
            Err(other) => panic!("{url}: {other}"),
            Ok(_) => panic!("{url} accepted"),
        }
    }
    let created = tenant_with_webhook(&app, "https://hooks.example.com/kyc").await;
    let tenant = TenantApi::new(&app, created.api_key.clone());
    let level = quick_level(&app, "Auto", true, vec![]).await;
    let applicant = tenant.applicant("ssrf-1", "Lovelace").await;
    let (status, body) = tenant
        .call(
            reqwest::Method::POST,
            "/kyc_applications",
            Some(json!({"applicant_id": applicant, "level_id": level, "webhook_url": "http://192.168.1.1/hook"})),
        )
        .await;
    assert_eq!(
        (status.as_u16(), body["error"]["details"][0]["code"].clone()),
        (422, json!("webhook_url_not_allowed")),
        "{body}"
    );
}

/// Production configuration: private targets refused.
fn public_only(config: &mut kycdesk::config::Config) {
    config.webhooks.allow_private = false;
}

on_both_databases!(
    every_change_reaches_the_tenant_signed,
    failed_deliveries_are_retried_and_every_attempt_is_recorded,
    an_applications_own_url_overrides_the_tenants,
    a_rotated_secret_signs_beside_the_old_one,
);

on_both_databases!(@with super::public_only; private_targets_are_refused_unless_allowed);
