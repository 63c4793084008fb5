//! The demo seeder on both databases: every status present, documents stored, the audit chain intact.

use crate::common::TestApp;
use kycdesk::domain::status::ApplicationStatus;
use kycdesk::{demo, service, store};

async fn demo_data_covers_every_status_with_an_intact_chain(app: TestApp) {
    let seeded = demo::seed(&app.services, 24).await.expect("seed");
    assert_eq!(seeded.applications, 24);
    assert_eq!(seeded.logins.len(), 4);
    assert!(seeded.logins.iter().all(|login| login.password.len() >= 12));
    assert_eq!(seeded.tenants.iter().filter(|t| t.sandbox).count(), 1);
    assert!(
        service::staff::any_exist(&app.services)
            .await
            .expect("query")
    );

    let mut conn = app.services.store.conn().await.expect("conn");
    let counts = store::applications::count_by_status(&mut conn)
        .await
        .expect("counts");
    for status in ApplicationStatus::ALL {
        assert!(
            counts.iter().any(|(s, n)| *s == status && *n > 0),
            "no application in {status}: {counts:?}"
        );
    }
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<i64>(), 24);

    let levels = store::levels::list_active(&mut conn).await.expect("levels");
    let names: Vec<&str> = levels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["Basic", "Standard", "Enhanced"]);
    assert!(levels[2].policy.four_eyes);

    let (documents, blob_hash): (i64, String) =
        sqlx::query_as("SELECT COUNT(*), MIN(blob_hash) FROM documents")
            .fetch_one(app.services.store.pool())
            .await
            .expect("documents");
    assert!(documents > 0);
    let png = app
        .services
        .blobs
        .get(&blob_hash)
        .await
        .expect("blob stored");
    assert!(png.starts_with(b"\x89PNG"));
    let findings: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM findings")
        .fetch_one(app.services.store.pool())
        .await
        .expect("findings");
    assert!(findings > 0);

    let head = service::audit::verify(&app.services, None)
        .await
        .expect("db")
        .expect("intact");
    assert!(head.events > 100, "{head:?}");
    let disorder: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events a JOIN audit_events b ON b.seq = a.seq + 1
         WHERE a.actor <> 'system:demo' AND b.occurred_at < a.occurred_at",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("order");
    assert_eq!(
        disorder, 0,
        "the backdated history (after the set-up by system:demo) is replayed in time order"
    );
}

on_both_databases!(demo_data_covers_every_status_with_an_intact_chain);
