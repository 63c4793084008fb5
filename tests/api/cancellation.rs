//! A pooled connection left inside a transaction must never serve another request. Under load,
//! sqlx 0.8 could hand such a connection back when a request was dropped mid-write (the client went
//! away): every later write on it failed ("begin_with at non-zero transaction depth"), and on
//! SQLite its open transaction kept the write lock from every other connection.

use crate::common::TestApp;
use crate::common::tenant::seeded;
use serde_json::json;
use sqlx::Connection;

async fn a_connection_left_in_a_transaction_is_not_reused(app: TestApp) {
    let (_, tenant) = seeded(&app).await;
    {
        let mut conn = app
            .services
            .store
            .pool()
            .acquire()
            .await
            .expect("a connection");
        let mut leaked = std::mem::ManuallyDrop::new(conn.begin().await.expect("a transaction"));
        sqlx::query("UPDATE tenants SET name = name")
            .execute(&mut **leaked)
            .await
            .expect("a write inside it");
        // The transaction is never committed nor rolled back, as when its future was dropped.
    }
    // Enough writes to come round every pooled connection.
    for n in 0..20 {
        let (status, body) = tenant
            .call(
                reqwest::Method::POST,
                "/applicants",
                Some(json!({"external_id": format!("after-{n}")})),
            )
            .await;
        assert_eq!(
            status, 201,
            "write {n} after the leaked transaction: {body}"
        );
    }
}

on_both_databases!(a_connection_left_in_a_transaction_is_not_reused);
