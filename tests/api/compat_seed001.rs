//! Seed 001's dialect, "KYC Flow": `/v1/clients/kyc-level-info/`, `/v1/kyc/{uuid}/` and the rest,
//! with the seed's own query and body samples; DRF's error form (`{"detail"}`, `{"<field>": [..]}`);
//! authentication and tenant isolation on every endpoint; the documented flow end to end.

use crate::common::TestApp;
use crate::common::tenant::{TenantApi, quick_level, seeded};
use kycdesk::demo::images::{ArtKind, DocumentArt, render_png};
use kycdesk::domain::document::{DocumentSide, DocumentType};
use kycdesk::domain::requirement::{Requirement, RequirementKind, SelectOption, SignatureChannel};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const SAMPLE_UUID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

/// A sample query object as query pairs.
fn pairs(query: &Value) -> Vec<(String, String)> {
    query
        .as_object()
        .expect("query object")
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            )
        })
        .collect()
}

/// The sample query with our own tenant and client.
fn scope(tenant: &str, client: &str) -> Vec<(String, String)> {
    let mut query = fixture(include_str!("../../fixtures/seeds/001_client_query.json"));
    query["legal_entity_uuid"] = json!(tenant);
    query["client_uuid"] = json!(client);
    pairs(&query)
}

struct Call<'a> {
    app: &'a TestApp,
    key: Option<&'a str>,
}

impl Call<'_> {
    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let request = match self.key {
            Some(key) => request.bearer_auth(key),
            None => request,
        };
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn json(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .app
            .client
            .request(method, self.app.url(path))
            .query(query);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    async fn raw(&self, method: Method, path: &str, body: &str) -> (u16, Value) {
        let request = self
            .app
            .client
            .request(method, self.app.url(path))
            .header("content-type", "application/json")
            .body(body.to_owned());
        self.send(request).await
    }

    async fn files(&self, query: &[(String, String)], files: Vec<(&str, Vec<u8>)>) -> (u16, Value) {
        let mut form = Form::new();
        for (name, bytes) in files {
            let part = Part::bytes(bytes)
                .file_name(format!("{name}.png"))
                .mime_str("image/png")
                .expect("mime");
            form = form.part(name.to_owned(), part);
        }
        let request = self
            .app
            .client
            .post(self.app.url("/v1/files/"))
            .query(query)
            .multipart(form);
        self.send(request).await
    }
}

fn png(kind: ArtKind) -> Vec<u8> {
    render_png(&DocumentArt {
        kind,
        full_name: "Ada Clear",
        date_of_birth: "1990-12-10",
        document_number: "X1234567",
        country: "GB",
        seed: 1,
    })
}

fn assert_detail(status: u16, expected: u16, answer: &Value) {
    assert_eq!(status, expected, "{answer}");
    assert!(answer["detail"].is_string(), "{answer}");
}

/// A DRF validation error naming `field`.
fn assert_field(status: u16, answer: &Value, field: &str) {
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer[field]
            .as_array()
            .is_some_and(|m| m.iter().all(Value::is_string) && !m.is_empty()),
        "expected messages for {field}: {answer}"
    );
}

async fn tenant_id(app: &TestApp, tenant: &TenantApi) -> String {
    let (_, found) = kycdesk::service::api_keys::authenticate(&app.services, &tenant.key)
        .await
        .expect("authenticate")
        .expect("a tenant");
    found.id.to_string()
}

async fn client(tenant: &TenantApi, external_id: &str, last_name: &str) -> String {
    let (status, body) = tenant
        .call(
            Method::POST,
            "/applicants",
            Some(
                json!({"external_id": external_id, "first_name": "Ada", "last_name": last_name,
                        "email": "ada@example.com", "phone": "+4915112345678"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("id").to_owned()
}

/// A level with every kind of attribute the seed talks about: text, reference data, a legal
/// document, an attribute signed by SMS, an identity document and a liveness check.
async fn flow_level(app: &TestApp) -> String {
    let ctx = kycdesk::service::Ctx::system("test");
    let terms = kycdesk::service::levels::add_legal_document(
        &app.services,
        &ctx,
        "Terms",
        "v1",
        "Be nice.",
    )
    .await
    .expect("legal document");
    let requirement = |key: &str, kind| Requirement {
        key: key.into(),
        label: key.replace('_', " "),
        required: true,
        kind,
    };
    quick_level(
        app,
        "Seed 001 flow",
        true,
        vec![
            requirement(
                "source_of_funds",
                RequirementKind::Select {
                    options: vec![SelectOption {
                        value: "salary".into(),
                        label: "Salary".into(),
                    }],
                },
            ),
            requirement(
                "terms",
                RequirementKind::LegalDocument {
                    document_id: terms.id,
                },
            ),
            requirement(
                "agreement_signature",
                RequirementKind::Signature {
                    channel: SignatureChannel::Sms,
                },
            ),
            requirement(
                "identity_document",
                RequirementKind::Document {
                    document_types: vec![DocumentType::Passport, DocumentType::IdCard],
                    sides: vec![DocumentSide::Front, DocumentSide::Back],
                },
            ),
            requirement("liveness", RequirementKind::Liveness),
        ],
    )
    .await
}

fn question<'v>(application: &'v Value, key: &str) -> &'v Value {
    application["kyc_steps"]
        .as_array()
        .expect("kyc_steps")
        .iter()
        .flat_map(|step| step["questions"].as_array().expect("questions"))
        .map(|q| &q["attribute"])
        .find(|a| a["key"] == key)
        .unwrap_or_else(|| panic!("no attribute {key}: {application}"))
}

async fn the_seed_samples_get_clean_answers(app: TestApp) {
    let (live, sandbox) = seeded(&app).await;
    let ours = Call {
        app: &app,
        key: Some(&sandbox.key),
    };
    let client_query = pairs(&fixture(include_str!(
        "../../fixtures/seeds/001_client_query.json"
    )));
    let create = fixture(include_str!(
        "../../fixtures/seeds/001_create_kyc_application.json"
    ));
    let update = fixture(include_str!(
        "../../fixtures/seeds/001_update_kyc_application.json"
    ));
    let document = fixture(include_str!(
        "../../fixtures/seeds/001_create_document.json"
    ));
    let send_code = fixture(include_str!("../../fixtures/seeds/001_send_code.json"));
    let get_query = pairs(&fixture(include_str!(
        "../../fixtures/seeds/001_get_kyc_application_query.json"
    )));
    let attribute_query = pairs(&fixture(include_str!(
        "../../fixtures/seeds/001_attribute_query.json"
    )));
    let sign_query = pairs(&fixture(include_str!(
        "../../fixtures/seeds/001_sign_codes_query.json"
    )));
    let legal_query = pairs(&fixture(include_str!(
        "../../fixtures/seeds/001_legal_document_query.json"
    )));
    let sample_kyc = format!("/v1/kyc/{SAMPLE_UUID}/");

    // Every sample as printed: its uuids are nobody's here, so each is a clean 404 in DRF's form.
    let replays = [
        (
            Method::GET,
            "/v1/clients/kyc-level-info/".to_owned(),
            client_query.clone(),
            None,
        ),
        (
            Method::POST,
            "/v1/clients/kyc-level-info/".to_owned(),
            client_query.clone(),
            Some(create),
        ),
        (
            Method::PATCH,
            sample_kyc.clone(),
            sign_query.clone(),
            Some(update.clone()),
        ),
        (
            Method::PATCH,
            sample_kyc.clone(),
            client_query.clone(),
            Some(update),
        ),
        (Method::GET, sample_kyc.clone(), get_query.clone(), None),
        (
            Method::GET,
            format!("{sample_kyc}attributes/sumsub_liveness_check_token/"),
            attribute_query,
            None,
        ),
        (
            Method::POST,
            format!("{sample_kyc}send-to-review/"),
            client_query.clone(),
            None,
        ),
        (
            Method::POST,
            "/v1/documents/".to_owned(),
            client_query.clone(),
            Some(document),
        ),
        (
            Method::POST,
            "/v1/sign/send-code/".to_owned(),
            client_query.clone(),
            Some(send_code),
        ),
        (
            Method::GET,
            "/v1/legal-documents/".to_owned(),
            legal_query.clone(),
            None,
        ),
        (
            Method::GET,
            "/v1/attribute-definitions/".to_owned(),
            legal_query,
            None,
        ),
    ];
    for (method, path, query, body) in &replays {
        let (status, answer) = ours.json(method.clone(), path, query, body.clone()).await;
        assert_detail(status, 404, &answer);
        // Without a key: 401 in the same form, with the Bearer challenge.
        let (status, answer) = Call {
            app: &app,
            key: None,
        }
        .json(method.clone(), path, query, body.clone())
        .await;
        assert_detail(status, 401, &answer);
        let (status, _) = Call {
            app: &app,
            key: Some("kyc_test_nope"),
        }
        .json(method.clone(), path, query, body.clone())
        .await;
        assert_eq!(status, 401, "{method} {path}");
    }
    let (status, answer) = ours
        .files(&client_query, vec![("files", png(ArtKind::PassportPage))])
        .await;
    assert_detail(status, 404, &answer);
    let (status, answer) = Call {
        app: &app,
        key: None,
    }
    .files(&client_query, vec![("files", png(ArtKind::PassportPage))])
    .await;
    assert_detail(status, 401, &answer);
    let response = app
        .client
        .get(app.url("/v1/clients/kyc-level-info/"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.headers()["www-authenticate"], "Bearer");

    // The same samples with our own tenant and client answer in the documented shape.
    let entity = tenant_id(&app, &sandbox).await;
    let applicant = client(&sandbox, "c-001-samples", "Clear").await;
    let (status, info) = ours
        .json(
            Method::GET,
            "/v1/clients/kyc-level-info/",
            &scope(&entity, &applicant),
            None,
        )
        .await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["allowed_to_create_kyc_application"], true);
    assert_eq!(info["last_kyc_application_uuid"], Value::Null);
    assert_eq!(info["current_level"], Value::Null);
    let basic = info["available_levels_for_upgrade"]
        .as_array()
        .expect("levels")
        .iter()
        .find(|l| l["name"] == "Basic")
        .expect("the entry level is offered");
    assert_eq!(basic["tier"], 1);

    // The legal-document and attribute-definition samples, with our tenant and real keys.
    let mut query = fixture(include_str!(
        "../../fixtures/seeds/001_legal_document_query.json"
    ));
    query["legal_entity_uuid"] = json!(entity);
    query["key"] = json!("country");
    let (status, definitions) = ours
        .json(
            Method::GET,
            "/v1/attribute-definitions/",
            &pairs(&query),
            None,
        )
        .await;
    assert_eq!(status, 200, "{definitions}");
    assert_eq!(definitions[0]["key"], "country");
    assert_eq!(definitions[0]["type"], "country");
    query["key"] = json!("source_of_funds");
    let (_, definitions) = ours
        .json(
            Method::GET,
            "/v1/attribute-definitions/",
            &pairs(&query),
            None,
        )
        .await;
    assert_eq!(definitions[0]["type"], "reference_data");
    assert_eq!(definitions[0]["options"][0]["value"], "salary");
    let (status, answer) = ours
        .json(Method::GET, "/v1/legal-documents/", &pairs(&query), None)
        .await;
    assert_detail(status, 404, &answer);
    query["client_type"] = json!("robot");
    let (status, answer) = ours
        .json(Method::GET, "/v1/legal-documents/", &pairs(&query), None)
        .await;
    assert_field(status, &answer, "client_type");

    // Isolation: the live tenant naming the sandbox tenant's entity or client finds nothing.
    let theirs = Call {
        app: &app,
        key: Some(&live.key),
    };
    let (status, answer) = theirs
        .json(
            Method::GET,
            "/v1/clients/kyc-level-info/",
            &scope(&entity, &applicant),
            None,
        )
        .await;
    assert_detail(status, 404, &answer);
    let live_entity = tenant_id(&app, &live).await;
    let (status, answer) = theirs
        .json(
            Method::GET,
            "/v1/clients/kyc-level-info/",
            &scope(&live_entity, &applicant),
            None,
        )
        .await;
    assert_detail(status, 404, &answer);

    // Bad input: DRF's field errors, never a 5xx.
    let bad_queries = [
        (vec![], "legal_entity_uuid"),
        (
            vec![("legal_entity_uuid".to_owned(), "nope".to_owned())],
            "legal_entity_uuid",
        ),
        (
            vec![("legal_entity_uuid".to_owned(), entity.clone())],
            "client_uuid",
        ),
        (scope(&entity, "not-a-uuid"), "client_uuid"),
    ];
    for (query, field) in bad_queries {
        let (status, answer) = ours
            .json(Method::GET, "/v1/clients/kyc-level-info/", &query, None)
            .await;
        assert_field(status, &answer, field);
    }
    let path =
        format!("/v1/clients/kyc-level-info/?legal_entity_uuid={entity}&client_uuid={applicant}");
    for (body, field) in [
        ("{}", "kyc_level_uuid"),
        (r#"{"kyc_level_uuid": 7}"#, "kyc_level_uuid"),
        (r#"{"kyc_level_uuid": "x"}"#, "kyc_level_uuid"),
        ("[1]", "non_field_errors"),
    ] {
        let (status, answer) = ours.raw(Method::POST, &path, body).await;
        assert_field(status, &answer, field);
    }
    let (status, answer) = ours.raw(Method::POST, &path, "{not json").await;
    assert_detail(status, 400, &answer);
    let (status, answer) = ours
        .json(
            Method::POST,
            "/v1/clients/kyc-level-info/",
            &scope(&entity, &applicant),
            Some(json!({"kyc_level_uuid": SAMPLE_UUID})),
        )
        .await;
    assert_detail(status, 404, &answer);
    let (status, answer) = ours.json(Method::GET, "/v1/nowhere/", &[], None).await;
    assert_detail(status, 404, &answer);
}

async fn the_documented_flow_runs_end_to_end(app: TestApp) {
    let (live, sandbox) = seeded(&app).await;
    let ours = Call {
        app: &app,
        key: Some(&sandbox.key),
    };
    let theirs = Call {
        app: &app,
        key: Some(&live.key),
    };
    let level = flow_level(&app).await;
    let entity = tenant_id(&app, &sandbox).await;
    let applicant = client(&sandbox, "c-001-flow", "Clear").await;
    let scoped = scope(&entity, &applicant);

    // Level info, then create: the answer is the questionnaire to fill.
    let (status, info) = ours
        .json(Method::GET, "/v1/clients/kyc-level-info/", &scoped, None)
        .await;
    assert_eq!(status, 200, "{info}");
    assert!(
        info["available_levels_for_upgrade"]
            .as_array()
            .expect("levels")
            .iter()
            .any(|l| l["uuid"] == level.as_str()),
        "{info}"
    );
    let (status, created) = ours
        .json(
            Method::POST,
            "/v1/clients/kyc-level-info/",
            &scoped,
            Some(json!({"kyc_level_uuid": level})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["uuid"].as_str().expect("uuid").to_owned();
    let kyc = format!("/v1/kyc/{id}/");
    assert_eq!(created["status"], "draft");
    assert_eq!(created["client_uuid"], applicant.as_str());
    assert_eq!(created["legal_entity_uuid"], entity.as_str());
    let titles: Vec<&str> = created["kyc_steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Personal information",
            "Agreements",
            "Documents",
            "Liveness check"
        ]
    );
    assert_eq!(
        question(&created, "agreement_signature")["sign_providers"],
        json!(["sms"])
    );
    assert_eq!(
        question(&created, "source_of_funds")["options"][0]["value"],
        "salary"
    );
    let terms = question(&created, "terms")["legal_document_uuid"].clone();
    assert!(terms.is_string(), "{created}");
    assert_eq!(
        question(&created, "identity_document")["document_keys"],
        json!(["passport", "id_card_front_side", "id_card_back_side"])
    );
    assert_eq!(
        question(&created, "sumsub_liveness_check_token")["value"],
        Value::Null
    );
    let (status, info) = ours
        .json(Method::GET, "/v1/clients/kyc-level-info/", &scoped, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(info["allowed_to_create_kyc_application"], false);
    assert_eq!(info["last_kyc_application_uuid"], id.as_str());

    // The legal document the `terms` attribute needs.
    let (status, legal) = ours
        .json(
            Method::GET,
            "/v1/legal-documents/",
            &[
                ("legal_entity_uuid".to_owned(), entity.clone()),
                ("client_type".to_owned(), "individual".to_owned()),
                ("key".to_owned(), "terms".to_owned()),
            ],
            None,
        )
        .await;
    assert_eq!(status, 200, "{legal}");
    assert_eq!(legal["uuid"], terms);
    assert_eq!(legal["text"], "Be nice.");

    // Fill in parts; the signed attribute needs the SMS code in the query.
    let answers = json!({"attribute_changes": [
        {"key": "nickname", "value": "Ada"}, {"key": "source_of_funds", "value": "salary"},
        {"key": "terms", "value": terms}, {"key": "agreement_signature", "value": "Ada Clear"}
    ]});
    let (status, answer) = ours
        .json(Method::PATCH, &kyc, &scoped, Some(answers.clone()))
        .await;
    assert_field(status, &answer, "sms_sign_code");
    let send = json!({"legal_entity_uuid": entity, "object_uuid": id, "provider_type": "sms", "destination": "+4915112345678"});
    let (status, sent) = ours
        .json(
            Method::POST,
            "/v1/sign/send-code/",
            &scoped,
            Some(send.clone()),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["provider_type"], "sms");
    assert_ne!(sent["destination"], "+4915112345678", "masked");
    let mut signed = scoped.clone();
    signed.push(("sms_sign_code".to_owned(), "111111".to_owned()));
    let (status, filled) = ours.json(Method::PATCH, &kyc, &signed, Some(answers)).await;
    assert_eq!(status, 200, "{filled}");
    assert_eq!(question(&filled, "nickname")["value"], "Ada");
    assert_eq!(question(&filled, "agreement_signature")["filled"], true);
    let (status, answer) = ours
        .json(
            Method::PATCH,
            &kyc,
            &scoped,
            Some(json!({"attribute_changes": [{"key": "source_of_funds", "value": "lottery"}]})),
        )
        .await;
    assert_field(status, &answer, "source_of_funds");

    // Documents: first the files, then the document made of them; its answer goes in the value.
    let (status, files) = ours
        .files(
            &scoped,
            vec![
                ("front", png(ArtKind::IdCardFront)),
                ("back", png(ArtKind::IdCardBack)),
            ],
        )
        .await;
    assert_eq!(status, 201, "{files}");
    assert_eq!(files.as_array().map(Vec::len), Some(2), "{files}");
    assert_eq!(files[0]["attribute_key"], Value::Null, "not a document yet");
    let (status, front) = ours
        .json(
            Method::POST,
            "/v1/documents/",
            &scoped,
            Some(json!({"attribute_key": "id_card_front_side", "files": [files[0]["uuid"]]})),
        )
        .await;
    assert_eq!(status, 201, "{front}");
    assert_eq!(front["requirement_key"], "identity_document");
    assert_eq!(front["files"][0]["attribute_key"], "id_card_front_side");
    let (status, back) = ours
        .json(
            Method::POST,
            "/v1/documents/",
            &scoped,
            Some(json!({"attribute_key": "id_card_back_side", "files": [files[1]]})),
        )
        .await;
    assert_eq!(status, 201, "{back}");
    let (status, answer) = ours
        .json(
            Method::POST,
            "/v1/documents/",
            &scoped,
            Some(json!({"attribute_key": "passport", "files": [files[1]["uuid"]]})),
        )
        .await;
    assert_field(status, &answer, "files");
    let (status, put) = ours
        .json(
            Method::PATCH,
            &kyc,
            &scoped,
            Some(json!({"attribute_changes": [
                {"key": "id_card_front_side", "value": front}, {"key": "id_card_back_side", "value": back}
            ]})),
        )
        .await;
    assert_eq!(status, 200, "{put}");
    assert_eq!(question(&put, "identity_document")["filled"], true, "{put}");
    let (status, answer) = ours
        .json(
            Method::PATCH,
            &kyc,
            &scoped,
            Some(json!({"attribute_changes": [{"key": "passport", "value": {"files": [SAMPLE_UUID]}}]})),
        )
        .await;
    assert_field(status, &answer, "passport");
    let (status, selfie) = ours
        .files(&scoped, vec![("files", png(ArtKind::Selfie))])
        .await;
    assert_eq!(status, 201, "{selfie}");
    let (status, made) = ours
        .json(
            Method::POST,
            "/v1/documents/",
            &scoped,
            Some(json!({"attribute_key": "selfie", "files": selfie})),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["requirement_key"], "liveness");

    // Liveness: a token bound to this client, with the contact details beside it.
    let token_path = format!("{kyc}attributes/sumsub_liveness_check_token/");
    let sample = pairs(&fixture(include_str!(
        "../../fixtures/seeds/001_attribute_query.json"
    )));
    let (status, token) = ours.json(Method::GET, &token_path, &sample, None).await;
    assert_eq!(status, 200, "{token}");
    assert!(
        token["value"]
            .as_str()
            .is_some_and(|t| t.starts_with("kyc_at_")),
        "{token}"
    );
    assert_eq!(token["additional_info"]["email"], "ada@example.com");
    assert_eq!(token["additional_info"]["phone"], "+4915112345678");
    assert_eq!(app.audit_count("applicant.access_token_issued").await, 1);
    let sample = pairs(&fixture(include_str!(
        "../../fixtures/seeds/001_get_kyc_application_query.json"
    )));
    let (status, shown) = ours.json(Method::GET, &kyc, &sample, None).await;
    assert_eq!(status, 200, "{shown}");
    let issued = question(&shown, "sumsub_liveness_check_token")["value"].clone();
    assert!(
        issued.as_str().is_some_and(|t| t != token["value"]),
        "{shown}"
    );
    let (_, quiet) = ours
        .json(
            Method::GET,
            &kyc,
            &[("empty_volatile_fields".to_owned(), "true".to_owned())],
            None,
        )
        .await;
    assert_eq!(
        question(&quiet, "sumsub_liveness_check_token")["value"],
        Value::Null
    );
    assert_eq!(app.audit_count("applicant.access_token_issued").await, 2);
    for (query, field) in [
        (vec![("ttl_min", "30")], "ttl_min"),
        (vec![("ttl_max", "7200")], "ttl_max"),
        (vec![("ttl_min", "900"), ("ttl_max", "600")], "ttl_min"),
        (vec![("ttl_min", "ten")], "ttl_min"),
        (vec![("ttl_renew", "maybe")], "ttl_renew"),
    ] {
        let query: Vec<(String, String)> = query
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let (status, answer) = ours.json(Method::GET, &token_path, &query, None).await;
        assert_field(status, &answer, field);
    }
    let (status, answer) = ours
        .json(
            Method::GET,
            &format!("{kyc}attributes/no_such_thing/"),
            &[],
            None,
        )
        .await;
    assert_detail(status, 404, &answer);
    let (status, answer) = ours
        .json(
            Method::PATCH,
            &kyc,
            &[],
            Some(json!({"attribute_changes": [{"key": "sumsub_liveness_check_token", "value": "x"}]})),
        )
        .await;
    assert_field(status, &answer, "sumsub_liveness_check_token");

    // Isolation: the other tenant gets 404 on every endpoint naming this application or client;
    // so does this tenant naming another client for the application.
    let live_entity = tenant_id(&app, &live).await;
    let live_scope = scope(&live_entity, &applicant);
    for (method, path, query, body) in [
        (Method::GET, kyc.clone(), vec![], None),
        (
            Method::PATCH,
            kyc.clone(),
            vec![],
            Some(json!({"attribute_changes": [{"key": "nickname", "value": "X"}]})),
        ),
        (Method::POST, format!("{kyc}send-to-review/"), vec![], None),
        (Method::GET, token_path.clone(), vec![], None),
        (
            Method::POST,
            "/v1/documents/".to_owned(),
            live_scope.clone(),
            Some(json!({"attribute_key": "passport", "files": [files[0]["uuid"]]})),
        ),
        (
            Method::POST,
            "/v1/sign/send-code/".to_owned(),
            vec![],
            Some(
                json!({"legal_entity_uuid": live_entity, "object_uuid": id, "provider_type": "sms"}),
            ),
        ),
        (
            Method::GET,
            "/v1/clients/kyc-level-info/".to_owned(),
            live_scope.clone(),
            None,
        ),
        (
            Method::POST,
            "/v1/clients/kyc-level-info/".to_owned(),
            live_scope.clone(),
            Some(json!({"kyc_level_uuid": level})),
        ),
    ] {
        let (status, answer) = theirs.json(method.clone(), &path, &query, body).await;
        assert_detail(status, 404, &answer);
        assert!(!answer.to_string().contains(&id), "{path}: {answer}");
    }
    let (status, answer) = theirs
        .files(&live_scope, vec![("files", png(ArtKind::Selfie))])
        .await;
    assert_detail(status, 404, &answer);
    let other = client(&sandbox, "c-001-other", "Clear").await;
    let (status, answer) = ours
        .json(Method::GET, &kyc, &scope(&entity, &other), None)
        .await;
    assert_detail(status, 404, &answer);
    let (status, answer) = ours
        .json(
            Method::GET,
            &kyc,
            &[("legal_entity_uuid".to_owned(), live_entity.clone())],
            None,
        )
        .await;
    assert_detail(status, 404, &answer);

    // More bad input, in DRF's form.
    for (body, field) in [
        (json!({}), "attribute_changes"),
        (json!({"attribute_changes": "x"}), "attribute_changes"),
        (json!({"attribute_changes": []}), "attribute_changes"),
        (
            json!({"attribute_changes": [{"value": 1}]}),
            "attribute_changes",
        ),
        (
            json!({"attribute_changes": [{"key": "nope", "value": 1}]}),
            "nope",
        ),
    ] {
        let (status, answer) = ours
            .json(Method::PATCH, &kyc, &[], Some(body.clone()))
            .await;
        assert_field(status, &answer, field);
    }
    for (body, field) in [
        (
            json!({"object_uuid": id, "provider_type": "sms"}),
            "legal_entity_uuid",
        ),
        (
            json!({"legal_entity_uuid": entity, "provider_type": "sms"}),
            "object_uuid",
        ),
        (
            json!({"legal_entity_uuid": entity, "object_uuid": id, "provider_type": "pigeon"}),
            "provider_type",
        ),
        (
            json!({"legal_entity_uuid": entity, "object_uuid": id, "provider_type": "sms", "destination": "x".repeat(300)}),
            "destination",
        ),
    ] {
        let (status, answer) = ours
            .json(Method::POST, "/v1/sign/send-code/", &[], Some(body))
            .await;
        assert_field(status, &answer, field);
    }
    for (body, field) in [
        (json!({"files": [files[0]["uuid"]]}), "attribute_key"),
        (
            json!({"attribute_key": "visa", "files": [files[0]["uuid"]]}),
            "attribute_key",
        ),
        (json!({"attribute_key": "passport"}), "files"),
        (json!({"attribute_key": "passport", "files": []}), "files"),
        (
            json!({"attribute_key": "passport", "files": ["nope"]}),
            "files",
        ),
        (
            json!({"attribute_key": "passport", "files": [SAMPLE_UUID]}),
            "files",
        ),
        (
            json!({"attribute_key": "proof_of_address", "files": [files[0]["uuid"]]}),
            "attribute_key",
        ),
    ] {
        let (status, answer) = ours
            .json(Method::POST, "/v1/documents/", &scoped, Some(body.clone()))
            .await;
        assert_field(status, &answer, field);
    }
    let (status, answer) = ours.files(&scoped, vec![]).await;
    assert_field(status, &answer, "files");
    let (status, answer) = ours
        .files(&scoped, vec![("files", b"not an image".to_vec())])
        .await;
    assert!(status == 400 || status == 415, "{status} {answer}");
    assert!(answer.is_object(), "{answer}");

    // Send to review; the sandbox accepts; the decided status and the diagnostics show.
    let (status, reviewed) = ours
        .json(
            Method::POST,
            &format!("{kyc}send-to-review/"),
            &scoped,
            None,
        )
        .await;
    assert_eq!(status, 200, "{reviewed}");
    assert_eq!(reviewed["status"], "in_review");
    let (status, answer) = ours
        .json(
            Method::POST,
            &format!("{kyc}send-to-review/"),
            &scoped,
            None,
        )
        .await;
    assert_detail(status, 409, &answer);
    // Neither in review nor once accepted is the application open for changes.
    let (status, answer) = ours
        .json(
            Method::PATCH,
            &kyc,
            &[],
            Some(json!({"attribute_changes": [{"key": "nickname", "value": "Eve"}]})),
        )
        .await;
    assert_detail(status, 409, &answer);
    sandbox.wait_for_status(&id, "accepted").await;
    let (status, decided) = ours.json(Method::GET, &kyc, &scoped, None).await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["status"], "accepted");
    let verification = &question(&decided, "identity_document")["value"]["verification"]["sandbox"];
    assert_eq!(verification["verificator"], "sandbox", "{decided}");
    assert_eq!(verification["status"], "approved", "{decided}");
    assert_eq!(
        question(&decided, "sumsub_liveness_check_token")["value"],
        Value::Null,
        "nothing to capture any more"
    );
    let (_, info) = ours
        .json(Method::GET, "/v1/clients/kyc-level-info/", &scoped, None)
        .await;
    assert_eq!(info["current_level"]["uuid"], level.as_str(), "{info}");
    assert_eq!(app.audit_count("document.attached").await, 3);
}

/// The seed's `pending` is an application sent back for correction.
async fn remediation_shows_as_pending(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let ours = Call {
        app: &app,
        key: Some(&sandbox.key),
    };
    let level = quick_level(&app, "Seed 001 remediation", true, vec![]).await;
    let entity = tenant_id(&app, &sandbox).await;
    let applicant = client(&sandbox, "c-001-remediate", "Remediate").await;
    let scoped = scope(&entity, &applicant);
    let (status, created) = ours
        .json(
            Method::POST,
            "/v1/clients/kyc-level-info/",
            &scoped,
            Some(json!({"kyc_level_uuid": level})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["uuid"].as_str().expect("uuid").to_owned();
    let kyc = format!("/v1/kyc/{id}/");
    let review = format!("{kyc}send-to-review/");
    let (status, answer) = ours.json(Method::POST, &review, &[], None).await;
    assert_field(status, &answer, "nickname");
    let fill = json!({"attribute_changes": [{"key": "nickname", "value": "Ada"}]});
    let (status, _) = ours.json(Method::PATCH, &kyc, &scoped, Some(fill)).await;
    assert_eq!(status, 200);
    let (status, _) = ours.json(Method::POST, &review, &[], None).await;
    assert_eq!(status, 200);
    sandbox.wait_for_status(&id, "remediate").await;
    let (_, shown) = ours.json(Method::GET, &kyc, &[], None).await;
    assert_eq!(shown["status"], "pending", "{shown}");
    assert_eq!(shown["attempt"], 1);
}

on_both_databases!(
    the_seed_samples_get_clean_answers,
    the_documented_flow_runs_end_to_end,
    remediation_shows_as_pending
);
