//! An `Idempotency-Key` is never stuck "in flight": a client that disconnects mid-request gets the
//! request's answer on retry; a claim left by a request that died (a crash) is a lease that a retry
//! takes over once it runs out, exactly once however many retries race; a claim whose change was
//! committed but whose answer was lost is not run again. Concurrent identical requests run once.

use std::time::Duration;

use crate::common::TestApp;
use crate::common::tenant::seeded;
use kycdesk::domain::time::Timestamp;
use kycdesk::service::idempotency::request_hash;
use kycdesk::store::Backend;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn body(external_id: &str) -> String {
    format!(r#"{{"external_id":"{external_id}"}}"#)
}

async fn post(app: &TestApp, api_key: &str, key: &str, external_id: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/applicants"))
        .bearer_auth(api_key)
        .header("Idempotency-Key", key)
        .header("Content-Type", "application/json")
        .body(body(external_id))
        .send()
        .await
        .expect("POST /applicants")
}

async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("json");
    body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn applicants(app: &TestApp, external_id: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM applicants WHERE external_id = $1")
        .bind(external_id)
        .fetch_one(app.services.store.pool())
        .await
        .expect("count applicants")
}

/// Opens a raw connection and sends the request (the body after the server's `100 Continue`).
async fn send(app: &TestApp, api_key: &str, key: &str, external_id: &str) -> tokio::net::TcpStream {
    let address = app.base_url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let body = body(external_id);
    let head = format!(
        "POST /api/v1/applicants HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {api_key}\r\n\
         Idempotency-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Expect: 100-continue\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("headers");
    let mut interim = [0_u8; 25];
    stream
        .read_exact(&mut interim)
        .await
        .expect("interim answer");
    assert!(
        interim.starts_with(b"HTTP/1.1 100 Continue"),
        "{}",
        String::from_utf8_lossy(&interim)
    );
    stream.write_all(body.as_bytes()).await.expect("body");
    stream
}

async fn claimed(app: &TestApp, key: &str) -> bool {
    let rows: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_keys WHERE idempotency_key = $1")
            .bind(key)
            .fetch_one(app.services.store.pool())
            .await
            .expect("claims");
    rows == 1
}

/// Holds up a request's own write, which comes after its key is claimed, until released.
enum Hold {
    /// SQLite: this process's write gate (first come, first served).
    Gate(kycdesk::store::WriteConn),
    /// PostgreSQL: an uncommitted applicant with the same external id (the unique index waits).
    Row(sqlx::Transaction<'static, sqlx::Any>),
}

/// Sends the request and returns once its key is claimed and its write is held up.
async fn send_and_hold(
    app: &TestApp,
    tenant: &str,
    api_key: &str,
    key: &str,
    external_id: &str,
) -> (tokio::net::TcpStream, Hold) {
    match app.backend() {
        Backend::Sqlite => {
            let mut gate = app.services.store.write_conn().await.expect("gate");
            let stream = send(app, api_key, key, external_id).await;
            // Let the claim through, then queue right behind it, ahead of the request's write.
            while !claimed(app, key).await {
                drop(gate);
                tokio::task::yield_now().await;
                gate = app.services.store.write_conn().await.expect("gate");
            }
            (stream, Hold::Gate(gate))
        }
        Backend::Postgres => {
            let mut tx = app.services.store.pool().begin().await.expect("begin");
            sqlx::query(
                "INSERT INTO applicants (id, tenant_id, external_id, applicant_type, government_ids, created_at, version)
                 VALUES ($1, $2, $3, 'individual', '[]', $4, 1)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(tenant)
            .bind(external_id)
            .bind(Timestamp::now().canonical())
            .execute(&mut *tx)
            .await
            .expect("hold the external id");
            let stream = send(app, api_key, key, external_id).await;
            while !claimed(app, key).await {
                tokio::task::yield_now().await;
            }
            (stream, Hold::Row(tx))
        }
    }
}

async fn release(hold: Hold) {
    match hold {
        Hold::Gate(gate) => drop(gate),
        Hold::Row(tx) => tx.rollback().await.expect("rollback"),
    }
}

/// Retries as a client would while the first request is still running; gives up after ten seconds.
async fn retry_until_answered(
    app: &TestApp,
    api_key: &str,
    key: &str,
    external_id: &str,
) -> reqwest::Response {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let response = post(app, api_key, key, external_id).await;
        if response.status() != StatusCode::CONFLICT {
            return response;
        }
        let code = error_code(response).await;
        assert_eq!(code, "idempotency_key_in_flight");
        assert!(
            tokio::time::Instant::now() < deadline,
            "{key} is still in flight ten seconds after its client hung up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_retry_after_a_disconnect_gets_the_answer(app: TestApp) {
    let (live, _) = seeded(&app).await;
    let tenant = tenant_of(&app, &live.key).await;
    for trial in 0..5 {
        let (key, external_id) = (format!("hang-up-{trial}"), format!("hung-up-{trial}"));
        let (stream, hold) = send_and_hold(&app, &tenant, &live.key, &key, &external_id).await;
        // The client gives up and closes the connection while the request is being handled.
        drop(stream);
        // A round trip to the server (one that writes nothing, so nothing the hold blocks) lets
        // it see the hang-up before the request may go on.
        let health = app
            .client
            .get(app.url("/healthz"))
            .send()
            .await
            .expect("healthz");
        assert_eq!(health.status(), 200);
        release(hold).await;
        // The retry gets the request's answer, once it is done.
        let retry = retry_until_answered(&app, &live.key, &key, &external_id).await;
        assert_eq!(retry.status(), 201, "trial {trial}");
        assert_eq!(applicants(&app, &external_id).await, 1, "trial {trial}");
    }
}

/// The live tenant's id, from an applicant it created.
async fn tenant_of(app: &TestApp, api_key: &str) -> String {
    assert_eq!(post(app, api_key, "probe", "probe").await.status(), 201);
    sqlx::query_scalar("SELECT tenant_id FROM applicants WHERE external_id = 'probe'")
        .fetch_one(app.services.store.pool())
        .await
        .expect("tenant")
}

/// Leaves a claim as a request that died leaves it: no answer, claimed `age` ago.
async fn leave_claim(
    app: &TestApp,
    tenant: &str,
    key: &str,
    external_id: &str,
    age: chrono::Duration,
    applied: bool,
) {
    let claimed = Timestamp::now().plus(-age).canonical();
    sqlx::query(
        "INSERT INTO idempotency_keys (tenant_id, idempotency_key, request_hash, status, created_at, claim_id, applied_at)
         VALUES ($1, $2, $3, 0, $4, 'dead', $5)",
    )
    .bind(tenant)
    .bind(key)
    .bind(request_hash("POST", "/applicants", body(external_id).as_bytes()))
    .bind(&claimed)
    .bind(applied.then_some(claimed.clone()))
    .execute(app.services.store.pool())
    .await
    .expect("leave a claim");
}

/// Fires `n` identical requests at once; returns (runs, replays, in-flight refusals).
async fn race(app: &TestApp, api_key: &str, key: &str, external_id: &str, n: usize) -> [usize; 3] {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let request = app
            .client
            .post(app.url("/api/v1/applicants"))
            .bearer_auth(api_key)
            .header("Idempotency-Key", key)
            .header("Content-Type", "application/json")
            .body(body(external_id));
        tasks.spawn(async move { request.send().await.expect("POST") });
    }
    let mut counts = [0; 3];
    while let Some(response) = tasks.join_next().await {
        let response = response.expect("task");
        let replayed = response.headers().contains_key("idempotent-replayed");
        match response.status().as_u16() {
            201 if replayed => counts[1] += 1,
            201 => counts[0] += 1,
            409 => {
                assert_eq!(error_code(response).await, "idempotency_key_in_flight");
                counts[2] += 1;
            }
            other => panic!(
                "{key}: unexpected {other}: {}",
                response.text().await.unwrap_or_default()
            ),
        }
    }
    counts
}

async fn a_dead_requests_claim_is_a_lease_taken_over_once(app: TestApp) {
    let (live, _) = seeded(&app).await;
    let tenant = tenant_of(&app, &live.key).await;

    // Within its lease, a claim holds: the request may still be running.
    leave_claim(
        &app,
        &tenant,
        "young",
        "young",
        chrono::Duration::zero(),
        false,
    )
    .await;
    let refused = post(&app, &live.key, "young", "young").await;
    assert_eq!(refused.status(), 409);
    assert_eq!(error_code(refused).await, "idempotency_key_in_flight");
    assert_eq!(applicants(&app, "young").await, 0);

    // Past its lease, the request runs again, once, however many retries race for it.
    let past_lease = chrono::Duration::from_std(app.config.http.request_timeout).expect("lease")
        + chrono::Duration::seconds(1);
    leave_claim(&app, &tenant, "crashed", "crashed", past_lease, false).await;
    let [runs, replays, in_flight] = race(&app, &live.key, "crashed", "crashed", 16).await;
    assert_eq!(runs, 1, "exactly one retry takes the claim over");
    assert_eq!(replays + in_flight, 15);
    assert_eq!(applicants(&app, "crashed").await, 1);
    let again = post(&app, &live.key, "crashed", "crashed").await;
    assert_eq!(again.status(), 201);
    assert!(again.headers().contains_key("idempotent-replayed"));

    // Past its lease but applied (the process died between the commit and storing the answer):
    // not run a second time.
    leave_claim(&app, &tenant, "applied", "applied", past_lease, true).await;
    let lost = post(&app, &live.key, "applied", "applied").await;
    assert_eq!(lost.status(), 409);
    assert_eq!(error_code(lost).await, "idempotency_key_answer_lost");
    assert_eq!(applicants(&app, "applied").await, 0, "not run again");
}

async fn concurrent_identical_requests_run_once(app: TestApp) {
    let (live, _) = seeded(&app).await;
    let [runs, replays, in_flight] = race(&app, &live.key, "together", "together", 16).await;
    assert_eq!(runs, 1);
    assert_eq!(replays + in_flight, 15);
    assert_eq!(applicants(&app, "together").await, 1);
}

/// A committed change marks its claim applied in the same transaction.
async fn a_committed_request_marks_its_claim_applied(app: TestApp) {
    let (live, _) = seeded(&app).await;
    assert_eq!(
        post(&app, &live.key, "marked", "marked").await.status(),
        201
    );
    let applied: Option<String> = sqlx::query_scalar(
        "SELECT applied_at FROM idempotency_keys WHERE idempotency_key = 'marked'",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("claim");
    assert!(applied.is_some());
    // A refused request changed nothing: its key stays free of the mark.
    let refused = post(&app, &live.key, "refused", "").await;
    assert_eq!(refused.status(), 422);
    let applied: Option<String> = sqlx::query_scalar(
        "SELECT applied_at FROM idempotency_keys WHERE idempotency_key = 'refused'",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("claim");
    assert!(applied.is_none());
}

on_both_databases!(
    a_retry_after_a_disconnect_gets_the_answer,
    a_dead_requests_claim_is_a_lease_taken_over_once,
    concurrent_identical_requests_run_once,
    a_committed_request_marks_its_claim_applied,
);
