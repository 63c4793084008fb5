//! Nothing is lost on a crash: the real binary is killed (SIGKILL) while it is delivering a
//! webhook whose message was committed with the change; after a restart the message is delivered.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::TestApp;
use common::receiver::{HANG, Receiver};
use common::tenant::{TenantApi, quick_level};
use serde_json::json;

/// `kycdesk serve` on a free port, one worker, a one-second job lease; returns it and its URL.
fn serve(app: &TestApp) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kycdesk"))
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
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kycdesk serve");
    let stdout = child.stdout.take().expect("stdout");
    let line = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("listening on"))
        .expect("the server says where it listens");
    let url = line.rsplit(' ').next().expect("url").to_owned();
    (child, url)
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

on_both_databases!(@with crate::common::no_workers; a_webhook_in_flight_survives_a_kill);
