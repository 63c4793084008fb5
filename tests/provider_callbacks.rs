//! The Vouched adapter against a fake Vouched on loopback (5xx and timeouts fail and are retried;
//! an asynchronous job finishes by its signed callback), and provider callbacks: signatures both
//! ways, duplicates ignored, bad signatures refused, stored and audited.

mod common;

use base64::Engine;
use common::TestApp;
use common::fake_vouched::{FakeVouched, Reply};
use common::tenant::{TenantApi, quick_level_with};
use kycdesk::config::{Config, Secret, VouchedConfig};
use kycdesk::demo::images::{ArtKind, DocumentArt, render_png};
use kycdesk::domain::document::{DocumentSide, DocumentType};
use kycdesk::domain::requirement::{Requirement, RequirementKind};
use kycdesk::domain::tenant::TenantName;
use kycdesk::service::Ctx;
use kycdesk::webhooks::signing::{SumsubAlg, sign_sumsub, sign_vouched};
use reqwest::Method;
use serde_json::{Value, json};

const VOUCHED_KEY: &str = "vouched-api-key-1";
const VOUCHED_SECRET: &str = "vouched-callback-secret";
const SUMSUB_SECRET: &str = "sumsub-webhook-secret";

fn providers(fake: &FakeVouched, public_url: Option<&str>) -> impl FnOnce(&mut Config) + use<> {
    let base_url = fake.base_url().to_owned();
    let public_url = public_url.map(str::to_owned);
    move |config: &mut Config| {
        config.providers.vouched = Some(VouchedConfig {
            base_url,
            api_key: Secret::new(VOUCHED_KEY),
            webhook_secret: Secret::new(VOUCHED_SECRET),
            timeout: std::time::Duration::from_millis(500),
        });
        config.providers.sumsub_webhook_secret = Some(Secret::new(SUMSUB_SECRET));
        config.public_url = public_url;
    }
}

/// A live tenant (sandbox tenants never reach real providers) with a Vouched application whose
/// passport is uploaded and answers given, sent to review.
async fn vouched_application(app: &TestApp) -> (TenantApi, String) {
    let created = kycdesk::service::tenants::create(
        &app.services,
        &Ctx::system("test"),
        kycdesk::service::tenants::NewTenant {
            name: TenantName::parse("Live Bank").expect("name"),
            sandbox: false,
            webhook_url: None,
        },
    )
    .await
    .expect("tenant");
    let tenant = TenantApi::new(app, created.api_key);
    let passport = Requirement {
        key: "passport".into(),
        label: "Passport".into(),
        required: true,
        kind: RequirementKind::Document {
            document_types: vec![DocumentType::Passport],
            sides: vec![DocumentSide::Front],
        },
    };
    let level = quick_level_with(app, "Vouched", "vouched", true, vec![passport]).await;
    let applicant = tenant.applicant("v-1", "Lovelace").await;
    let id = tenant
        .quick_application(&level, &applicant, json!({}))
        .await;
    let png = render_png(&DocumentArt {
        kind: ArtKind::PassportPage,
        full_name: "Ada Lovelace",
        date_of_birth: "1990-12-10",
        document_number: "X1234567",
        country: "GB",
        seed: 3,
    });
    let front = base64::engine::general_purpose::STANDARD.encode(png);
    let (status, body) = tenant
        .call(
            Method::POST,
            &format!("/kyc_applications/{id}/documents"),
            Some(json!({"document_type": "passport", "front": front})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    tenant.send_to_review(&id).await;
    (tenant, id)
}

async fn vouched_failures_are_retried_until_the_job_completes(app: TestApp, fake: FakeVouched) {
    fake.script([Reply::Respond(500, "{}".into()), Reply::Hang]);
    let (tenant, id) = vouched_application(&app).await;
    let accepted = tenant.wait_for_status(&id, "accepted").await;
    let requests = fake.requests();
    assert_eq!(requests.len(), 3, "500, timeout, then the job");
    let job = requests[2].json();
    assert_eq!(job["type"], "id-verification");
    assert_eq!(job["params"]["lastName"], "Lovelace");
    assert!(
        job["params"]["idPhoto"]
            .as_str()
            .is_some_and(|p| p.len() > 1000)
    );
    assert_eq!(requests[2].api_key.as_deref(), Some(VOUCHED_KEY));
    assert_eq!(app.audit_count("provider.submission_failed").await, 2);
    assert_eq!(accepted["identifier"], "fk00001");
    assert_eq!(accepted["provider_representation"]["id"], "fk00001");
    let statuses: Vec<String> = sqlx::query_scalar(
        "SELECT payload FROM audit_events WHERE subject = $1 AND action = 'application.status_changed' ORDER BY seq",
    )
    .bind(format!("application:{id}"))
    .fetch_all(app.services.store.pool())
    .await
    .expect("history");
    let moves: Vec<String> = statuses
        .iter()
        .map(|p| {
            let p: Value = serde_json::from_str(p).expect("json");
            format!(
                "{}→{}",
                p["from"].as_str().unwrap_or(""),
                p["to"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            "draft→pending",
            "pending→failed",
            "failed→pending",
            "pending→submitted"
        ],
        "then decided"
    );
}

async fn callback(
    app: &TestApp,
    provider: &str,
    body: &str,
    headers: &[(&str, String)],
) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/provider-webhooks/{provider}")))
        .header("content-type", "application/json")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.expect("callback");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn an_active_vouched_job_finishes_by_its_signed_callback(app: TestApp, fake: FakeVouched) {
    let (tenant, id) = vouched_application(&app).await;
    let submitted = tenant
        .wait_for(&id, "submitted to Vouched", |a| {
            a["status"] == "submitted" && !a["identifier"].is_null()
        })
        .await;
    let job_id = submitted["identifier"].as_str().expect("job id").to_owned();
    let sent = fake.requests()[0].json();
    assert_eq!(
        sent["callbackURL"],
        "https://kyc.example.com/api/v1/provider-webhooks/vouched"
    );
    let body = fake.complete(&job_id).expect("job");

    let (status, refused) = callback(
        &app,
        "vouched",
        &body,
        &[("x-signature", sign_vouched(b"wrong", body.as_bytes()))],
    )
    .await;
    assert_eq!(
        (status, refused["error"]["code"].clone()),
        (401, json!("invalid_signature"))
    );
    assert_eq!(app.audit_count("provider_webhook.rejected").await, 1);
    assert_eq!(
        tenant
            .call(Method::GET, &format!("/kyc_applications/{id}"), None)
            .await
            .1["status"],
        "submitted"
    );

    let signature = sign_vouched(VOUCHED_SECRET.as_bytes(), body.as_bytes());
    let (status, applied) = callback(
        &app,
        "vouched",
        &body,
        &[("x-signature", signature.clone())],
    )
    .await;
    assert_eq!((status, applied["status"].clone()), (200, json!("applied")));
    let accepted = tenant.wait_for_status(&id, "accepted").await;
    assert_eq!(accepted["checks"][0]["provider"], "vouched");
    let (status, again) = callback(&app, "vouched", &body, &[("x-signature", signature)]).await;
    assert_eq!((status, again["status"].clone()), (200, json!("duplicate")));
    let stored: Vec<(String, i64)> =
        sqlx::query_as("SELECT body, signature_valid FROM provider_webhooks ORDER BY received_at")
            .fetch_all(app.services.store.pool())
            .await
            .expect("stored");
    assert_eq!(
        stored.len(),
        2,
        "the refused one and the applied one; not the duplicate"
    );
    assert!(stored.iter().all(|(raw, _)| raw == &body), "kept verbatim");
    assert_eq!(stored.iter().map(|s| s.1).collect::<Vec<_>>(), [0, 1]);
}

async fn sumsub_callbacks_are_checked_with_their_digest(app: TestApp, _fake: FakeVouched) {
    let body = r#"{"applicantId":"5cb56e8e0a975a35f333cb83","type":"applicantReviewed","reviewResult":{"reviewAnswer":"GREEN"}}"#;
    for alg in [SumsubAlg::Sha1, SumsubAlg::Sha256, SumsubAlg::Sha512] {
        let headers = [
            (
                "x-payload-digest",
                sign_sumsub(SUMSUB_SECRET.as_bytes(), body.as_bytes(), alg),
            ),
            ("x-payload-digest-alg", alg.header_value().to_owned()),
        ];
        let (status, answer) = callback(&app, "sumsub", body, &headers).await;
        assert_eq!(status, 200, "{alg:?}: {answer}");
    }
    let (status, _) = callback(
        &app,
        "sumsub",
        body,
        &[("x-payload-digest", "00".repeat(32))],
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = callback(&app, "sumsub", body, &[]).await;
    assert_eq!(status, 401, "no signature at all");
    let signed = [(
        "x-payload-digest",
        sign_sumsub(SUMSUB_SECRET.as_bytes(), b"not json", SumsubAlg::Sha256),
    )];
    let (status, _) = callback(&app, "sumsub", "not json", &signed).await;
    assert_eq!(status, 400, "signed but not JSON");
    let (status, _) = callback(&app, "acme", body, &[]).await;
    assert_eq!(status, 404, "unknown provider");
    assert_eq!(
        app.audit_count("provider_webhook.received").await,
        1,
        "one, then duplicates"
    );
}

macro_rules! with_fake_vouched {
    ($($name:ident: $public_url:expr),* $(,)?) => {$(
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let fake = FakeVouched::start(VOUCHED_KEY).await;
                let app = TestApp::sqlite_with(providers(&fake, $public_url)).await;
                super::$name(app, fake).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let fake = FakeVouched::start(VOUCHED_KEY).await;
                if let Some(app) = TestApp::postgres_with(providers(&fake, $public_url)).await {
                    super::$name(app, fake).await
                }
            }
        }
    )*};
}

with_fake_vouched!(
    vouched_failures_are_retried_until_the_job_completes: None,
    an_active_vouched_job_finishes_by_its_signed_callback: Some("https://kyc.example.com"),
    sumsub_callbacks_are_checked_with_their_digest: None,
);
