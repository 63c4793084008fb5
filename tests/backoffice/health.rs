use crate::common::TestApp;

async fn health_and_readiness_answer(app: TestApp) {
    let health = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("request");
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.expect("body"), "ok");
    let ready = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("request");
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.expect("body"), "ready");
}

async fn readiness_fails_when_the_database_is_gone(app: TestApp) {
    app.services.store.close().await;
    let ready = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("request");
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.text().await.expect("body"), "database unavailable");
    let health = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("request");
    assert_eq!(health.status(), 200, "the process itself is still up");
}

on_both_databases!(
    health_and_readiness_answer,
    readiness_fails_when_the_database_is_gone
);
