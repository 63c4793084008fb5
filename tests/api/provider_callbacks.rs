//! The Vouched adapter against a fake Vouched on loopback (5xx and timeouts fail and are retried;
//! an asynchronous job finishes by its signed callback), and provider callbacks: signatures both
//! ways, duplicates ignored, bad signatures refused, stored and audited.

use crate::common::TestApp;
use crate::common::fake_vouched::{FakeVouched, Reply};
use crate::common::tenant::{TenantApi, quick_level_with};
use base64::Engine;
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
    assert_eq!(stored[1].0, body, "the signed one kept verbatim");
    assert!(
        body.starts_with(&stored[0].0) && stored[0].0.len() <= 2048,
        "the refused one as an excerpt"
    );
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

/// One refused callback a minute per address, in bursts of two.
fn strict_callbacks(fake: &FakeVouched) -> impl FnOnce(&mut Config) + use<> {
    let providers = providers(fake, None);
    move |config: &mut Config| {
        providers(config);
        config.security.callback_refusals_per_address_per_minute = 1;
    }
}

async fn refused_callbacks_are_kept_small_and_throttled(app: TestApp, _fake: FakeVouched) {
    // A megabyte anyone can send: kept as its digest, size and first 2 KiB, not verbatim.
    let forged = format!(
        r#"{{"applicantId":"a1","pad":"{}"}}"#,
        "x".repeat(1024 * 1024)
    );
    let mut answers = Vec::new();
    for _ in 0..5 {
        let (status, answer) = callback(
            &app,
            "sumsub",
            &forged,
            &[("x-payload-digest", "00".repeat(32))],
        )
        .await;
        answers.push((status, answer["error"]["code"].as_str().map(str::to_owned)));
    }
    let refused = (401, Some("invalid_signature".to_owned()));
    let throttled = (429, Some("rate_limited".to_owned()));
    assert_eq!(
        answers,
        [
            refused.clone(),
            refused,
            throttled.clone(),
            throttled.clone(),
            throttled
        ],
        "a burst of two, then 429"
    );
    let stored: Vec<(String, Option<i64>, String)> =
        sqlx::query_as("SELECT body, body_size, body_sha256 FROM provider_webhooks")
            .fetch_all(app.services.store.pool())
            .await
            .expect("stored");
    assert_eq!(stored.len(), 2, "throttled refusals are not stored");
    use sha2::Digest;
    let digest = hex::encode(sha2::Sha256::digest(forged.as_bytes()));
    for (excerpt, size, sha256) in &stored {
        assert!(forged.starts_with(excerpt.as_str()) && excerpt.len() == 2048);
        assert_eq!(*size, Some(forged.len() as i64));
        assert_eq!(sha256, &digest);
    }
    assert_eq!(app.audit_count("provider_webhook.rejected").await, 2);
    let payload: String = sqlx::query_scalar(
        "SELECT payload FROM audit_events WHERE action = 'provider_webhook.rejected' LIMIT 1",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("audit");
    assert!(payload.len() < 1024, "the audit event is bounded too");
    assert!(
        payload.contains(&format!("\"body_size\":{}", forged.len())),
        "{payload}"
    );

    // A signed callback from the same address is never throttled, and is kept whole.
    let body = format!(
        r#"{{"applicantId":"a1","type":"applicantPending","pad":"{}"}}"#,
        "y".repeat(4096)
    );
    let signed = [(
        "x-payload-digest",
        sign_sumsub(SUMSUB_SECRET.as_bytes(), body.as_bytes(), SumsubAlg::Sha256),
    )];
    let (status, answer) = callback(&app, "sumsub", &body, &signed).await;
    assert_eq!(status, 200, "{answer}");
    let kept: String =
        sqlx::query_scalar("SELECT body FROM provider_webhooks WHERE signature_valid = 1")
            .fetch_one(app.services.store.pool())
            .await
            .expect("signed");
    assert_eq!(kept, body);
}

mod refused_callbacks_are_kept_small_and_throttled {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let fake = FakeVouched::start(VOUCHED_KEY).await;
        let app = TestApp::sqlite_with(strict_callbacks(&fake)).await;
        super::refused_callbacks_are_kept_small_and_throttled(app, fake).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let fake = FakeVouched::start(VOUCHED_KEY).await;
        if let Some(app) = TestApp::postgres_with(strict_callbacks(&fake)).await {
            super::refused_callbacks_are_kept_small_and_throttled(app, fake).await
        }
    }
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
