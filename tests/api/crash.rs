//! Nothing is lost on a crash: the real binary is killed (SIGKILL) while it is delivering a
//! webhook whose message was committed with the change; after a restart the message is delivered.
//! And killed in the middle of concurrent audited writes: every acknowledged write is there with
//! its audit event, in a chain that verifies (on PostgreSQL, events a killed instance left pending
//! are chained by the next one).

use std::process::{Child, Command};

use crate::common::TestApp;
use crate::common::receiver::{HANG, Receiver};
use crate::common::tenant::{TenantApi, quick_level};
use serde_json::json;

/// `kycdesk serve` on a free port, one worker, a one-second job lease; returns it and its URL.
fn serve(app: &TestApp) -> (Child, String) {
    crate::common::spawn_server(
        Command::new(env!("CARGO_BIN_EXE_kycdesk"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--workers",
                "1",
                "--job-lease-seconds",
                "1",
                "--job-backoff-ms",
                "10",
            ])
            .env("KYCDESK_DATABASE_URL", &app.config.database_url)
            .env("KYCDESK_DATA_DIR", &app.config.data_dir)
            .env("KYCDESK_SECURE_COOKIES", "false")
            .env("KYCDESK_WEBHOOK_ALLOW_PRIVATE", "true")
            // Load from the tests, not a production integration's pace.
            .env("KYCDESK_API_RATE_LIMIT", "100000")
            .env("KYCDESK_FAILURES_PER_ADDRESS_PER_MINUTE", "100000"),
    )
}

async fn a_webhook_in_flight_survives_a_kill(app: TestApp) {
    let mut receiver = Receiver::start().await;
    receiver.script([HANG]);
    let created = kycdesk::service::tenants::create(
        &app.services,
        &kycdesk::service::Ctx::system("test"),
        kycdesk::service::tenants::NewTenant {
            name: kycdesk::domain::tenant::TenantName::parse("Crash Bank").expect("name"),
            sandbox: true,
            webhook_url: Some(
                kycdesk::domain::tenant::WebhookUrl::parse(&receiver.url).expect("url"),
            ),
        },
    )
    .await
    .expect("tenant");
    let level = quick_level(&app, "Manual", false, vec![]).await;

    let (mut first, url) = serve(&app);
    let tenant = TenantApi::at(&url, created.api_key.clone());
    let applicant = tenant.applicant("crash-1", "Lovelace").await;
    let (status, application) = tenant
        .call(
            reqwest::Method::POST,
            "/kyc_applications",
            Some(json!({"applicant_id": applicant, "level_id": level})),
        )
        .await;
    assert_eq!(status, 201, "{application}");
    let in_flight = receiver.next().await;
    first.kill().expect("kill -9 the server mid-delivery");
    first.wait().expect("reaped");

    let (mut second, _) = serve(&app);
    let delivered = receiver.next().await;
    assert_eq!(
        delivered.header("webhook-id"),
        in_flight.header("webhook-id"),
        "the same message, delivered after the restart"
    );
    assert_eq!(delivered.json()["data"]["id"], application["id"]);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let state: String = sqlx::query_scalar("SELECT state FROM jobs WHERE subject_id = $1")
            .bind(delivered.header("webhook-id"))
            .fetch_one(app.services.store.pool())
            .await
            .expect("job");
        if state == "done" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "delivery job is {state}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    second.kill().expect("stop");
    second.wait().expect("reaped");
}

/// Writers creating applicants until told to stop; each acknowledged id goes to `acked`.
async fn write_until_stopped(
    tenant: TenantApi,
    writer: usize,
    acked: tokio::sync::mpsc::UnboundedSender<String>,
) {
    for n in 0.. {
        let response = tenant
            .client
            .post(format!("{}/api/v1/applicants", tenant.base_url))
            .bearer_auth(&tenant.key)
            .json(&json!({"external_id": format!("kill-{writer}-{n}"), "first_name": "Ada", "last_name": "Kill"}))
            .send()
            .await;
        // The server is gone: requests in flight at the kill fail, unacknowledged.
        let Ok(response) = response else { return };
        assert_eq!(response.status(), 201, "a write before the kill");
        let Ok(body) = response.json::<serde_json::Value>().await else {
            return;
        };
        if acked
            .send(body["id"].as_str().expect("id").to_owned())
            .is_err()
        {
            return;
        }
    }
}

async fn acknowledged_audited_writes_survive_a_kill(app: TestApp) {
    const WRITERS: usize = 16;
    const BEFORE_KILL: usize = 300;
    let created = kycdesk::service::tenants::create(
        &app.services,
        &kycdesk::service::Ctx::system("test"),
        kycdesk::service::tenants::NewTenant {
            name: kycdesk::domain::tenant::TenantName::parse("Kill Bank").expect("name"),
            sandbox: true,
            webhook_url: None,
        },
    )
    .await
    .expect("tenant");
    let (mut first, url) = serve(&app);
    let (sender, mut acks) = tokio::sync::mpsc::unbounded_channel();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            tokio::spawn(write_until_stopped(
                TenantApi::at(&url, created.api_key.clone()),
                w,
                sender.clone(),
            ))
        })
        .collect();
    drop(sender);
    let mut acknowledged = Vec::new();
    while acknowledged.len() < BEFORE_KILL {
        acknowledged.push(acks.recv().await.expect("writes are acknowledged"));
    }
    first.kill().expect("kill -9 the server under write load");
    first.wait().expect("reaped");
    for writer in writers {
        writer.await.expect("writer ends");
    }
    while let Some(id) = acks.recv().await {
        acknowledged.push(id);
    }

    // The next instance chains what the killed one left pending (its first sequencing round).
    let (mut second, _) = serve(&app);
    if app.backend() == kycdesk::store::Backend::Postgres {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_pending")
                .fetch_one(app.services.store.pool())
                .await
                .expect("pending");
            if pending == 0 {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{pending} events still pending"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    for id in &acknowledged {
        let events: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_events WHERE subject = $1 AND action = 'applicant.created'",
        )
        .bind(format!("applicant:{id}"))
        .fetch_one(app.services.store.pool())
        .await
        .expect("count");
        assert_eq!(events, 1, "acknowledged applicant {id} has its audit event");
    }
    let applicants: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM applicants")
        .fetch_one(app.services.store.pool())
        .await
        .expect("count");
    let created_events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'applicant.created'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("count");
    assert!(applicants >= acknowledged.len() as i64);
    assert_eq!(
        created_events, applicants,
        "every stored applicant has its event, no more"
    );
    let head = kycdesk::service::audit::verify(&app.services, None)
        .await
        .expect("database answers")
        .expect("the chain verifies after the kill");
    assert!(head.events >= applicants);
    second.kill().expect("stop");
    second.wait().expect("reaped");
}

on_both_databases!(@with crate::common::no_workers;
    a_webhook_in_flight_survives_a_kill,
    acknowledged_audited_writes_survive_a_kill,
);
