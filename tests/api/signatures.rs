//! Signature requirements (seed 001): a signed attribute needs the one-time code sent to the
//! applicant; sandbox tenants' code is 111111; wrong codes are counted and lock the code.

use crate::common::TestApp;
use crate::common::tenant::{TenantApi, quick_level, seeded};
use kycdesk::domain::requirement::{Requirement, RequirementKind, SignatureChannel};
use reqwest::Method;
use serde_json::{Value, json};

fn consent() -> Requirement {
    Requirement {
        key: "consent".into(),
        label: "Consent to the terms".into(),
        required: true,
        kind: RequirementKind::Signature {
            channel: SignatureChannel::Sms,
        },
    }
}

async fn sign(tenant: &TenantApi, id: &str, query: &str, code: Option<&str>) -> (u16, Value) {
    let mut body = json!({"attribute_changes": [{"key": "consent", "value": "I agree"}]});
    if let Some(code) = code {
        body["sms_sign_code"] = json!(code);
    }
    let (status, answer) = tenant
        .call(
            Method::PATCH,
            &format!("/kyc_applications/{id}{query}"),
            Some(body),
        )
        .await;
    (status.as_u16(), answer)
}

fn code_of(answer: &Value) -> Value {
    answer["error"]["details"][0]["code"].clone()
}

async fn send_code(tenant: &TenantApi, id: &str) -> (u16, Value) {
    let (status, answer) = tenant
        .call(
            Method::POST,
            &format!("/kyc_applications/{id}/signature-codes"),
            Some(json!({"channel": "sms", "destination": "+447700900123"})),
        )
        .await;
    (status.as_u16(), answer)
}

async fn signed_attributes_need_the_code_sent_to_the_applicant(app: TestApp) {
    let (live, sandbox) = seeded(&app).await;
    let level = quick_level(&app, "Signed", false, vec![consent()]).await;
    let applicant = sandbox.applicant("sig-1", "Lovelace").await;
    let id = sandbox
        .quick_application(&level, &applicant, json!({}))
        .await;

    let (status, refused) = sign(&sandbox, &id, "", None).await;
    assert_eq!(
        (status, code_of(&refused)),
        (422, json!("signature_code_required"))
    );
    let (status, refused) = sign(&sandbox, &id, "", Some("111111")).await;
    assert_eq!(
        (status, code_of(&refused)),
        (422, json!("signature_code_not_sent"))
    );

    let (status, sent) = send_code(&sandbox, &id).await;
    assert_eq!(status, 202, "{sent}");
    assert_eq!(sent["destination"], "+•••••••••123");
    let audited: String =
        sqlx::query_scalar("SELECT payload FROM audit_events WHERE action = 'signature.code_sent'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("audit");
    assert!(
        !audited.contains("7700900123"),
        "the destination is masked in the trail: {audited}"
    );

    let (status, refused) = sign(&sandbox, &id, "", Some("000000")).await;
    assert_eq!(
        (status, code_of(&refused)),
        (422, json!("signature_code_invalid"))
    );
    let (_, unchanged) = sandbox
        .call(Method::GET, &format!("/kyc_applications/{id}"), None)
        .await;
    assert_eq!(
        unchanged["missing_requirements"],
        json!(["consent"]),
        "a refused code writes nothing"
    );
    let (status, signed) = sign(&sandbox, &id, "", Some("111111")).await;
    assert_eq!(status, 200, "{signed}");
    assert_eq!(signed["missing_requirements"], json!([]));
    let (status, refused) = sign(&sandbox, &id, "", Some("111111")).await;
    assert_eq!(
        (status, code_of(&refused)),
        (422, json!("signature_code_not_sent")),
        "a code signs once"
    );

    // Seed 001 passes the code as a query parameter.
    send_code(&sandbox, &id).await;
    let (status, signed) = sign(&sandbox, &id, "?sms_sign_code=111111", None).await;
    assert_eq!(status, 200, "{signed}");

    // Five wrong codes lock the code, even the right one after them.
    send_code(&sandbox, &id).await;
    for _ in 0..5 {
        let (status, _) = sign(&sandbox, &id, "", Some("123456")).await;
        assert_eq!(status, 422);
    }
    let (status, refused) = sign(&sandbox, &id, "", Some("111111")).await;
    assert_eq!(
        (status, code_of(&refused)),
        (422, json!("signature_code_locked"))
    );
    assert_eq!(app.audit_count("signature.code_refused").await, 6);

    // Live tenants need a gateway; none is configured here.
    let applicant = live.applicant("sig-live", "Lovelace").await;
    let live_id = live.quick_application(&level, &applicant, json!({})).await;
    let (status, unavailable) = send_code(&live, &live_id).await;
    assert_eq!(
        (status, unavailable["error"]["code"].clone()),
        (503, json!("unavailable"))
    );
    let (status, _) = send_code(&sandbox, &live_id).await;
    assert_eq!(status, 404, "another tenant's application");
}

on_both_databases!(signed_attributes_need_the_code_sent_to_the_applicant);
