//! The permission matrix (docs/ARCHITECTURE.md, Permission matrix) as the service layer enforces
//! it: every cell, every denial audited.

use crate::common::TestApp;
use kycdesk::domain::permission::Permission;
use kycdesk::service::{Ctx, RequestMeta, ServiceError};

async fn every_cell_is_enforced_and_denials_are_audited(app: TestApp) {
    let expected = [
        ("reviewer", [true, true, false, false]),
        ("admin", [true, false, true, false]),
        ("auditor", [true, false, false, true]),
    ];
    let mut denials = 0;
    for (role, row) in expected {
        let user = app
            .staff_user(
                &format!("{role}@example.com"),
                role,
                "correct horse battery staple",
            )
            .await;
        let ctx = Ctx::staff(
            &user,
            RequestMeta {
                request_id: Some("req-1".into()),
                client_ip: Some("127.0.0.1".into()),
            },
        );
        let permissions = [
            Permission::ViewCases,
            Permission::WorkCases,
            Permission::Administer,
            Permission::Audit,
        ];
        for (permission, allowed) in permissions.into_iter().zip(row) {
            let outcome = ctx.require(&app.services, permission, "test.action").await;
            match (allowed, outcome) {
                (true, Ok(())) => {}
                (false, Err(ServiceError::Forbidden(refused))) => {
                    assert_eq!(refused, permission);
                    denials += 1;
                }
                (allowed, outcome) => {
                    panic!("{role} {permission}: expected allowed={allowed}, got {outcome:?}")
                }
            }
        }
    }
    assert_eq!(denials, 6);
    assert_eq!(app.audit_count("access.denied").await, 6);
    let (actor, request_id, ip): (String, Option<String>, Option<String>) =
        sqlx::query_as("SELECT actor, request_id, client_ip FROM audit_events WHERE action = 'access.denied' ORDER BY seq LIMIT 1")
            .fetch_one(app.services.store.pool())
            .await
            .expect("denial event");
    assert!(actor.starts_with("staff:"));
    assert_eq!(
        (request_id.as_deref(), ip.as_deref()),
        (Some("req-1"), Some("127.0.0.1"))
    );
}

on_both_databases!(every_cell_is_enforced_and_denials_are_audited);
