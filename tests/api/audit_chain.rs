//! The hash-chained audit trail on both databases: intact chains verify, every kind of tampering is found,
//! the database refuses UPDATE and DELETE, and concurrent writers leave no gaps or forks.

use crate::common::TestApp;
use kycdesk::domain::audit::{AuditActor, AuditSubject, ChainAnchor, ChainHead, NewAuditEvent};
use kycdesk::domain::tenant::TenantName;
use kycdesk::service::{self, Ctx};
use kycdesk::store;
use serde_json::json;

/// Creates `n` tenants: two audit events each (tenant.created, api_key.created).
async fn create_tenants(app: &TestApp, n: usize) {
    for i in 0..n {
        let new = service::tenants::NewTenant {
            name: TenantName::parse(&format!("Tenant {i}")).expect("name"),
            sandbox: i % 2 == 0,
            webhook_url: None,
        };
        service::tenants::create(&app.services, &Ctx::system("test"), new)
            .await
            .expect("create tenant");
    }
}

async fn verify(
    app: &TestApp,
    anchor: Option<ChainAnchor>,
) -> Result<ChainHead, kycdesk::domain::audit::ChainBreak> {
    service::audit::verify(&app.services, anchor)
        .await
        .expect("database answers")
}

async fn an_intact_chain_verifies_up_to_its_head(app: TestApp) {
    assert_eq!(
        verify(&app, None).await.expect("empty chain is intact").seq,
        0
    );
    create_tenants(&app, 3).await;
    let head = verify(&app, None).await.expect("intact");
    assert_eq!(head.events, 6);
    let mut conn = app.services.store.conn().await.expect("conn");
    let (seq, hash) = store::audit::recorded_head(&mut conn).await.expect("head");
    assert_eq!((head.seq, head.hash.clone()), (seq, hash));
}

async fn the_database_refuses_update_and_delete(app: TestApp) {
    create_tenants(&app, 1).await;
    let pool = app.services.store.pool();
    let update = sqlx::query("UPDATE audit_events SET payload = '{}' WHERE seq = 1")
        .execute(pool)
        .await;
    assert!(update.is_err(), "UPDATE must be refused");
    let delete = sqlx::query("DELETE FROM audit_events WHERE seq = 2")
        .execute(pool)
        .await;
    assert!(delete.is_err(), "DELETE must be refused");
    assert_eq!(verify(&app, None).await.expect("still intact").events, 2);
}

async fn a_changed_payload_is_found(app: TestApp) {
    create_tenants(&app, 3).await;
    app.tamper("UPDATE audit_events SET payload = '{\"name\":\"Evil Corp\",\"sandbox\":false}' WHERE seq = 3").await;
    let broken = verify(&app, None).await.expect_err("broken");
    assert_eq!(broken.seq, 3);
    assert!(broken.reason.contains("hash"), "{}", broken.reason);
}

async fn a_deleted_event_is_found(app: TestApp) {
    create_tenants(&app, 3).await;
    app.tamper("DELETE FROM audit_events WHERE seq = 4").await;
    let broken = verify(&app, None).await.expect_err("broken");
    assert_eq!(broken.seq, 4);
    assert!(broken.reason.contains("missing"), "{}", broken.reason);
}

async fn a_truncated_tail_is_found_against_the_recorded_or_a_printed_head(app: TestApp) {
    create_tenants(&app, 2).await;
    let printed = verify(&app, None).await.expect("intact");
    assert_eq!(printed.seq, 4);
    let anchor = ChainAnchor {
        seq: printed.seq,
        hash: printed.hash.clone(),
    };

    app.tamper("DELETE FROM audit_events WHERE seq > 2").await;
    assert_eq!(
        verify(&app, None)
            .await
            .expect_err("recorded head catches it")
            .seq,
        3
    );

    // A careful attacker also rewinds the head row; only the head printed earlier still tells.
    let mut conn = app.services.store.pool().acquire().await.expect("conn");
    let hash_2: String = sqlx::query_scalar("SELECT hash FROM audit_events WHERE seq = 2")
        .fetch_one(&mut *conn)
        .await
        .expect("hash");
    app.tamper(&format!(
        "UPDATE audit_head SET seq = 2, hash = '{hash_2}' WHERE id = 1"
    ))
    .await;
    assert_eq!(
        verify(&app, None)
            .await
            .expect("looks intact without the printed head")
            .seq,
        2
    );
    let broken = verify(&app, Some(anchor))
        .await
        .expect_err("the printed head catches it");
    assert_eq!(broken.seq, 3);
}

fn events_in(transaction: usize) -> usize {
    1 + transaction % 3
}

async fn concurrent_writers_leave_a_contiguous_chain(app: TestApp) {
    const WRITERS: usize = 8;
    const EVENTS: usize = 200;
    // On PostgreSQL half the writers are a second instance: its own pool and its own sequencer.
    let other = match app.backend() {
        store::Backend::Postgres => store::Store::connect(&app.config.database_url)
            .await
            .expect("second instance"),
        store::Backend::Sqlite => app.services.store.clone(),
    };
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let store = if writer % 2 == 0 {
            app.services.store.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            for n in 0..EVENTS {
                let mut tx = store.begin_write().await.expect("begin");
                // One to three events per transaction: they are chained together at commit.
                for k in 0..events_in(n) {
                    let event = NewAuditEvent::new(
                        AuditActor::system("test"),
                        "test.concurrent",
                        AuditSubject::new("writer", writer),
                        json!({"writer": writer, "n": n, "k": k}),
                    );
                    store::audit::append(&mut tx, &event);
                }
                tx.commit().await.expect("commit");
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer finished");
    }
    let head = verify(&app, None).await.expect("intact");
    let total: usize = WRITERS * (0..EVENTS).map(events_in).sum::<usize>();
    assert_eq!(head.events, total as i64);
    let distinct: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT seq) FROM audit_events")
        .fetch_one(app.services.store.pool())
        .await
        .expect("count");
    let max: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM audit_events")
        .fetch_one(app.services.store.pool())
        .await
        .expect("max");
    assert_eq!(
        (distinct, max),
        (head.events, head.events),
        "no gaps and no duplicates"
    );
}

/// An instance that died between its commit and the sequencing round left its events pending: the
/// next round (of any instance) chains them after what was chained before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_a_crash_left_pending_are_chained_by_the_next_round() {
    let Some(app) = TestApp::postgres().await else {
        return;
    };
    create_tenants(&app, 2).await;
    let before = verify(&app, None).await.expect("intact");
    for n in 0..3 {
        sqlx::query(
            "INSERT INTO audit_pending (event_id, occurred_at, actor, action, subject, payload)
             VALUES ($1, '2026-12-07T08:00:00.000000Z', 'system:crashed', 'test.left_pending', 'test:1', $2)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(json!({"n": n}).to_string())
        .execute(app.services.store.pool())
        .await
        .expect("a pending event");
    }
    // The server's own once-a-second round may take some of them first: either way, after this
    // call every one is chained.
    app.services
        .store
        .chain_pending_audit()
        .await
        .expect("round");
    let after = verify(&app, None).await.expect("intact");
    assert_eq!(after.events, before.events + 3);
    let payloads: Vec<String> = sqlx::query_scalar(
        "SELECT payload FROM audit_events WHERE action = 'test.left_pending' ORDER BY seq",
    )
    .fetch_all(app.services.store.pool())
    .await
    .expect("chained");
    assert_eq!(
        payloads,
        [r#"{"n":0}"#, r#"{"n":1}"#, r#"{"n":2}"#],
        "in the order written"
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_pending")
        .fetch_one(app.services.store.pool())
        .await
        .expect("count");
    assert_eq!(left, 0);
}

on_both_databases!(
    an_intact_chain_verifies_up_to_its_head,
    the_database_refuses_update_and_delete,
    a_changed_payload_is_found,
    a_deleted_event_is_found,
    a_truncated_tail_is_found_against_the_recorded_or_a_printed_head,
    concurrent_writers_leave_a_contiguous_chain,
);
