//! Store behaviour both databases must share: optimistic concurrency and tenant scoping.

use crate::common::TestApp;
use kycdesk::domain::ids::{ApplicationId, TenantId};
use kycdesk::domain::status::ApplicationStatus;
use kycdesk::store::{self, StoreError};
use kycdesk::{demo, service};

async fn first_application(app: &TestApp) -> (TenantId, ApplicationId) {
    let (tenant, id): (String, String) = sqlx::query_as(
        "SELECT tenant_id, id FROM applications WHERE status = 'review' ORDER BY id LIMIT 1",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("an application in review");
    (
        tenant.parse().expect("tenant id"),
        id.parse().expect("application id"),
    )
}

async fn a_stale_version_is_refused_and_changes_nothing(app: TestApp) {
    demo::seed(&app.services, 8).await.expect("seed");
    let (tenant, id) = first_application(&app).await;
    let mut conn = app.services.store.conn().await.expect("conn");
    let mut first = store::applications::get(&mut conn, tenant, id)
        .await
        .expect("load");
    let mut second = first.clone();

    first.status = ApplicationStatus::Accepted;
    store::applications::update(&mut conn, &mut first)
        .await
        .expect("first writer wins");
    assert_eq!(first.version, second.version + 1);

    second.status = ApplicationStatus::Rejected;
    let lost = store::applications::update(&mut conn, &mut second).await;
    assert!(matches!(lost, Err(StoreError::StaleVersion)), "{lost:?}");
    let stored = store::applications::get(&mut conn, tenant, id)
        .await
        .expect("reload");
    assert_eq!(stored.status, ApplicationStatus::Accepted);
    assert_eq!(stored.version, first.version);
}

async fn another_tenants_application_is_not_found(app: TestApp) {
    demo::seed(&app.services, 8).await.expect("seed");
    let (_, id) = first_application(&app).await;
    let mut conn = app.services.store.conn().await.expect("conn");
    let other = store::applications::get(&mut conn, TenantId::generate(), id).await;
    assert!(matches!(other, Err(StoreError::NotFound)), "{other:?}");
}

async fn duplicates_map_to_domain_errors(app: TestApp) {
    use kycdesk::domain::tenant::TenantName;
    let ctx = service::Ctx::system("test");
    let new = || service::tenants::NewTenant {
        name: TenantName::parse("Same Name").expect("name"),
        sandbox: false,
        webhook_url: None,
    };
    service::tenants::create(&app.services, &ctx, new())
        .await
        .expect("first");
    let again = service::tenants::create(&app.services, &ctx, new()).await;
    assert!(
        matches!(again, Err(service::ServiceError::Duplicate(_))),
        "{:?}",
        again.err()
    );
    let head = service::audit::verify(&app.services, None)
        .await
        .expect("db")
        .expect("intact");
    assert_eq!(
        head.events, 2,
        "the refused tenant left no audit event behind"
    );
}

on_both_databases!(
    a_stale_version_is_refused_and_changes_nothing,
    another_tenants_application_is_not_found,
    duplicates_map_to_domain_errors,
);
