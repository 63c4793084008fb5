//! Seed 000's dialect (Qolo "Perform KYC"): `POST /api/v1/persons/{person_guid}/kyc` replays the
//! seed's request sample, runs a verification to its decision, asks and takes challenge answers,
//! records the tenant's own verification; authentication, tenant isolation, and bad input as 400
//! in the native error body, never a 5xx.

use crate::common::TestApp;
use crate::common::tenant::{TenantApi, seeded};
use base64::Engine;
use kycdesk::demo::images::{ArtKind, DocumentArt, render_png};
use reqwest::Method;
use serde_json::{Value, json};

const REQUEST_SAMPLE: &str = include_str!("../../fixtures/seeds/000_perform_kyc_request.json");
const RESPONSE_SAMPLE: &str = include_str!("../../fixtures/seeds/000_perform_kyc_response.json");

fn base64_png(kind: ArtKind) -> String {
    let png = render_png(&DocumentArt {
        kind,
        full_name: "Ada Lovelace",
        date_of_birth: "1990-12-10",
        document_number: "X1234567",
        country: "GB",
        seed: 7,
    });
    base64::engine::general_purpose::STANDARD.encode(png)
}

async fn perform(app: &TestApp, key: Option<&str>, person: &str, body: &str) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/persons/{person}/kyc")))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The object keys of `value`, recursively (arrays by their first element), as sorted paths.
fn shape(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                let path = format!("{at}.{key}");
                out.push(path.clone());
                shape(field, &path, out);
            }
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                shape(first, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

fn keys(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    shape(value, "", &mut out);
    out.sort();
    out
}

/// An error in the native body with the seed's status.
fn assert_refused(status: u16, answer: &Value, expected: u16) {
    assert_eq!(status, expected, "{answer}");
    assert!(answer["error"]["code"].is_string(), "{answer}");
    assert!(answer["error"]["message"].is_string(), "{answer}");
    assert!(answer["error"]["details"].is_array(), "{answer}");
}

/// A level a seed 000 integration can complete on its own: a government id, an identity document
/// and a selfie, decided by the sandbox provider without a human.
async fn program(app: &TestApp) -> String {
    use kycdesk::domain::document::{DocumentSide, DocumentType};
    use kycdesk::domain::level::{ApplicantType, Policy};
    use kycdesk::domain::requirement::{Requirement, RequirementKind};
    use kycdesk::domain::validate::government_id::GovernmentIdType;
    let requirement = |key: &str, kind| Requirement {
        key: key.into(),
        label: key.into(),
        required: true,
        kind,
    };
    let level = kycdesk::service::levels::create(
        &app.services,
        &kycdesk::service::Ctx::system("test"),
        kycdesk::service::levels::NewLevel {
            name: "Qolo KYC".into(),
            tier: 2,
            applicant_type: ApplicantType::Individual,
            requirements: vec![
                requirement(
                    "government_id",
                    RequirementKind::GovernmentId {
                        id_types: vec![GovernmentIdType::Ssn, GovernmentIdType::Passport],
                    },
                ),
                requirement(
                    "identity_document",
                    RequirementKind::Document {
                        document_types: vec![DocumentType::Passport, DocumentType::IdCard],
                        sides: vec![DocumentSide::Front, DocumentSide::Back],
                    },
                ),
                requirement("selfie", RequirementKind::Selfie),
            ],
            policy: Policy {
                provider: "sandbox".into(),
                auto_decision: true,
                max_attempts: 2,
                four_eyes: false,
                sla_hours: 24,
            },
            upgrades_to: vec![],
        },
    )
    .await
    .expect("level");
    level.level_id.to_string()
}

/// The person's applications through the native API.
async fn applications(tenant: &TenantApi, person: &str) -> Vec<Value> {
    let (status, list) = tenant
        .call(
            Method::GET,
            &format!("/kyc_applications?applicant_id={person}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    list.as_array().expect("list").clone()
}

fn full_request(program: &str) -> Value {
    json!({
        "perform_kyc": true,
        "notes": "customer onboarded at the branch",
        "identifications": [
            {"govt_id_type": "NOTPROVIDED", "govt_id_number": null},
            {"govt_id_type": "PASSPORT", "govt_id_number": "X1234567"}
        ],
        "document": {
            "document_type": "PASSPORT", "file_type": "PNG", "issuing_country": "GB",
            "front": base64_png(ArtKind::PassportPage), "face_image": base64_png(ArtKind::Selfie),
            "liveness_detected": true
        },
        "program_guid": program
    })
}

fn result<'v>(answer: &'v Value, method: &str) -> &'v Value {
    answer["verificationResults"]
        .as_array()
        .and_then(|results| results.iter().find(|r| r["verification_method"] == method))
        .unwrap_or_else(|| panic!("no {method} result: {answer}"))
}

async fn the_seed_sample_is_refused_cleanly_until_its_placeholders_are_real(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let level = program(&app).await;
    let person = sandbox.applicant("qolo-1", "Lovelace").await;

    // As printed: "string" for a country and for images is a 400 naming the field.
    let (status, answer) = perform(&app, Some(&sandbox.key), &person, REQUEST_SAMPLE).await;
    assert_refused(status, &answer, 400);
    assert_eq!(
        answer["error"]["details"][0]["field"], "document.issuing_country",
        "{answer}"
    );

    let mut sample: Value = serde_json::from_str(REQUEST_SAMPLE).expect("sample");
    let real_document = json!({
        "document_type": "PASSPORT", "file_type": "PNG", "issuing_country": "GB",
        "front": base64_png(ArtKind::PassportPage), "back": base64_png(ArtKind::IdCardBack),
        "face_image": base64_png(ArtKind::Selfie), "liveness_detected": true
    });
    sample["document"]["issuing_country"] = json!("GB");
    let (status, answer) = perform(&app, Some(&sandbox.key), &person, &sample.to_string()).await;
    assert_refused(status, &answer, 400);
    assert_eq!(
        answer["error"]["details"][0]["code"], "invalid_base64",
        "{answer}"
    );

    // Real files: the placeholder program is not a level.
    sample["document"] = real_document.clone();
    sample["client_verification"]["document"] = real_document;
    let (status, answer) = perform(&app, Some(&sandbox.key), &person, &sample.to_string()).await;
    assert_refused(status, &answer, 400);
    assert_eq!(
        answer["error"]["details"][0]["field"], "program_guid",
        "{answer}"
    );
    assert!(applications(&sandbox, &person).await.is_empty());

    // A real program and passport number: the files are taken, but no challenge questions wait for
    // the sample's answer.
    sample["program_guid"] = json!(level);
    sample["identifications"] = json!([{"govt_id_type": "PASSPORT", "govt_id_number": "X1234567"}]);
    let (status, answer) = perform(&app, Some(&sandbox.key), &person, &sample.to_string()).await;
    assert_refused(status, &answer, 400);
    assert_eq!(answer["error"]["code"], "conflict", "{answer}");

    // Without the answers the sample runs: the passport is sent to the provider.
    sample["answers"] = Value::Null;
    let (status, answer) = perform(&app, Some(&sandbox.key), &person, &sample.to_string()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["person_guid"], json!(person));
    assert_eq!(answer["verification_level"], "Qolo KYC");
    assert_eq!(answer["verification_mode"], "AUTOMATIC");
    let client = result(&answer, "CLIENT");
    assert_eq!(client["provider_name"], "string");
    assert_eq!(client["response_code"], "APPROVED");
    assert_eq!(client["document_type"], "PASSPORT");
    assert!(client["documents"]["back_docpath"].is_string(), "{answer}");
    assert_eq!(
        app.audit_count("application.tenant_note_added").await,
        1,
        "the sample's note"
    );
    let listed = applications(&sandbox, &person).await;
    assert_eq!(listed.len(), 1, "one application, reused by the retry");
    sandbox
        .wait_for_status(listed[0]["id"].as_str().expect("id"), "accepted")
        .await;

    // The response has exactly the documented shape.
    let sample_response: Value = serde_json::from_str(RESPONSE_SAMPLE).expect("response sample");
    let (status, answer) = perform(&app, Some(&sandbox.key), &person, "{}").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(result(&answer, "DOCUMENT")["response_code"], "CLEAR");
    let with_questions = answer["verificationResults"]
        .as_array()
        .expect("results")
        .iter()
        .any(|r| r["questions"].as_array().is_some_and(|q| !q.is_empty()));
    assert!(!with_questions, "no questions open: {answer}");
    // Only open questions have entries, and none are open: their keys are checked in the
    // challenge test.
    let mut expected = keys(&sample_response);
    expected.retain(|k| !k.contains(".questions[]."));
    assert_eq!(keys(&answer), expected, "{answer}");
}

async fn perform_kyc_runs_to_a_decision(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let level = program(&app).await;
    let person = sandbox.applicant("qolo-2", "Lovelace").await;

    let (status, answer) = perform(&app, Some(&sandbox.key), &person, "{}").await;
    assert_eq!(status, 200, "nothing yet: {answer}");
    assert_eq!(answer["verificationResults"], json!([]));
    assert_eq!(answer["verification_level"], Value::Null);

    let (status, answer) = perform(
        &app,
        Some(&sandbox.key),
        &person,
        &full_request(&level).to_string(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["person_guid"], json!(person));
    assert_eq!(answer["verification_mode"], "AUTOMATIC");
    assert_eq!(answer["verification_level"], "Qolo KYC");
    assert!(answer["additional_desc"].is_string(), "{answer}");

    let listed = applications(&sandbox, &person).await;
    assert_eq!(listed.len(), 1);
    let id = listed[0]["id"].as_str().expect("id").to_owned();
    let decided = sandbox.wait_for_status(&id, "accepted").await;
    let government_id = decided["questionnaire"]
        .as_array()
        .expect("questionnaire")
        .iter()
        .find(|q| q["key"] == "government_id")
        .expect("government id")["value"]
        .clone();
    assert_eq!(
        government_id,
        json!({"type": "passport", "number": "X1234567"})
    );

    let (status, answer) = perform(&app, Some(&sandbox.key), &person, "{}").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["additional_desc"], "Accepted: verified");
    let document = result(&answer, "DOCUMENT");
    assert_eq!(document["response_code"], "CLEAR");
    assert_eq!(document["provider_name"], "sandbox");
    assert!(document["provider_reference"].is_string(), "{answer}");
    assert_eq!(document["document_type"], "PASSPORT");
    assert_eq!(document["verification_results"], "no findings");
    assert!(document["verification_date"].is_string());
    let files = &document["documents"];
    assert_eq!(files["file_type"], "PNG");
    assert_eq!(files["document_reference"], files["front_docpath"]);
    assert_eq!(document["document_path"], files["front_docpath"]);
    let uploaded: Vec<&str> = decided["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .filter_map(|d| d["id"].as_str())
        .collect();
    assert!(uploaded.contains(&files["front_docpath"].as_str().expect("front")));
    assert!(uploaded.contains(&files["face_image_docpath"].as_str().expect("face")));
    assert_eq!(files["back_docpath"], Value::Null);
    assert_eq!(result(&answer, "FACE_MATCH")["response_code"], "CLEAR");

    // perform_kyc again on a decided level opens a new verification (a re-check), not a 500.
    let (status, answer) = perform(
        &app,
        Some(&sandbox.key),
        &person,
        &json!({"perform_kyc": true, "program_guid": level}).to_string(),
    )
    .await;
    assert_refused(status, &answer, 400);
    assert_eq!(answer["error"]["code"], "missing_requirements", "{answer}");
}

async fn challenge_questions_are_asked_and_answered(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let level = program(&app).await;
    let person = sandbox.applicant("qolo-3", "Questions").await;
    let (status, answer) = perform(
        &app,
        Some(&sandbox.key),
        &person,
        &full_request(&level).to_string(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let id = applications(&sandbox, &person).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    sandbox
        .wait_for(&id, "questions", |a| {
            a["questions"].as_array().is_some_and(|q| q.len() == 3)
        })
        .await;

    let (status, answer) = perform(&app, Some(&sandbox.key), &person, "{}").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["additional_desc"],
        "Submitted: waiting for the answers to the challenge questions"
    );
    let asking = result(&answer, "QUESTIONS");
    assert_eq!(asking["response_code"], "QUESTIONS_ASKED");
    let questions = asking["questions"].as_array().expect("questions");
    assert_eq!(questions.len(), 3, "{answer}");
    for question in questions {
        assert_eq!(
            keys(question),
            [".key", ".options", ".prompt"],
            "{question}"
        );
        assert!(question["prompt"].is_string() && question["key"].is_string());
        assert_eq!(question["options"].as_array().map(Vec::len), Some(4));
    }

    // The sandbox's right answer is each question's first option.
    let answers: Vec<Value> = questions
        .iter()
        .map(|q| json!({"key": q["key"], "answer": q["options"][0]}))
        .collect();
    let wrong_key = json!({"answers": [{"key": "nope", "answer": "x"}]});
    let (status, refused) =
        perform(&app, Some(&sandbox.key), &person, &wrong_key.to_string()).await;
    assert_refused(status, &refused, 400);
    let (status, answer) = perform(
        &app,
        Some(&sandbox.key),
        &person,
        &json!({"answers": answers}).to_string(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["additional_desc"], "Accepted: verified");
    let judged: Vec<&Value> = answer["verificationResults"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["verification_method"] == "QUESTIONS")
        .collect();
    assert_eq!(judged.len(), 2, "asked, then judged: {answer}");
    assert_eq!(judged[1]["response_code"], "CLEAR");
    assert!(judged.iter().all(|r| r["questions"] == json!([])));
    assert_eq!(app.audit_count("challenge.answered").await, 1);
}

async fn client_verification_is_recorded(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let level = program(&app).await;
    let person = sandbox.applicant("qolo-4", "Lovelace").await;
    let request = json!({
        "program_guid": level,
        "client_verification": {
            "document_approved": true, "person_status_update": true, "override_sanction_check": false,
            "verification_datetime": "2019-08-24T14:15:22Z", "verification_provider": "Acme KYC",
            "verification_provider_refnumber": "ACME-778", "verification_level": "L2",
            "document": {"document_type": "ID_CARD", "file_type": "png", "issuing_country": "GB",
                         "front": base64_png(ArtKind::IdCardFront), "back": base64_png(ArtKind::IdCardBack)}
        }
    });
    let (status, answer) = perform(&app, Some(&sandbox.key), &person, &request.to_string()).await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer["additional_desc"]
            .as_str()
            .is_some_and(|d| d.starts_with("Draft: missing")),
        "{answer}"
    );
    let client = result(&answer, "CLIENT");
    assert_eq!(client["response_code"], "APPROVED");
    assert_eq!(client["provider_name"], "Acme KYC");
    assert_eq!(client["provider_reference"], "ACME-778");
    assert_eq!(client["document_type"], "ID_CARD");
    assert!(
        client["verification_date"]
            .as_str()
            .is_some_and(|d| d.starts_with("2019-08-24T14:15:22")),
        "{answer}"
    );
    assert_eq!(client["documents"]["file_type"], "PNG");
    assert_eq!(client["documents"]["back_file_type"], "PNG");
    assert_eq!(
        app.audit_count("application.client_verification_recorded")
            .await,
        1
    );
    let id = applications(&sandbox, &person).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (_, application) = sandbox
        .call(Method::GET, &format!("/kyc_applications/{id}"), None)
        .await;
    assert_eq!(
        application["documents"].as_array().map(Vec::len),
        Some(2),
        "both sides kept: {application}"
    );
    assert_eq!(application["status"], "draft", "it decides nothing");
}

async fn authentication_and_isolation(app: TestApp) {
    let (live, sandbox) = seeded(&app).await;
    let level = program(&app).await;
    let person = sandbox.applicant("qolo-5", "Lovelace").await;
    let body = json!({"program_guid": level}).to_string();

    let (status, answer) = perform(&app, None, &person, &body).await;
    assert_refused(status, &answer, 401);
    let (status, answer) = perform(&app, Some("kyc_test_nope"), &person, &body).await;
    assert_refused(status, &answer, 401);

    // Another tenant's person is exactly as unknown as a made-up one.
    let (status, answer) = perform(&app, Some(&live.key), &person, &body).await;
    assert_refused(status, &answer, 404);
    assert_eq!(answer["error"]["message"], "Person not found");
    let unknown = "2ae6ba4b-f6c0-4817-a158-43e5a87168fd";
    let (status, unknown_answer) = perform(&app, Some(&sandbox.key), unknown, &body).await;
    assert_eq!((status, &unknown_answer["error"]), (404, &answer["error"]));
    let (status, answer) = perform(&app, Some(&sandbox.key), "not-a-guid", &body).await;
    assert_refused(status, &answer, 404);
    let (status, answer) = perform(&app, Some(&live.key), &person, "{}").await;
    assert_refused(status, &answer, 404);
    assert!(applications(&sandbox, &person).await.is_empty());

    let (status, answer) = perform(&app, Some(&sandbox.key), &person, &body).await;
    assert_eq!(status, 200, "{answer}");
}

/// Files may be at most 20 KiB here, so an oversized image is cheap to send.
fn small_uploads(config: &mut kycdesk::config::Config) {
    config.max_upload_bytes = 20 * 1024;
}

async fn bad_input_is_a_400(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let level = program(&app).await;
    let person = sandbox.applicant("qolo-6", "Lovelace").await;
    let with = |extra: Value| {
        let mut request = json!({"program_guid": level});
        if let (Some(target), Value::Object(more)) = (request.as_object_mut(), extra) {
            target.extend(more);
        }
        request.to_string()
    };
    let engine = base64::engine::general_purpose::STANDARD;
    let oversized = engine.encode(vec![0_u8; 21 * 1024]);
    let cases: Vec<(&str, String, &str)> = vec![
        ("unreadable", "not json".into(), "invalid_json"),
        ("unknown field", with(json!({"extra": 1})), "invalid_json"),
        (
            "wrong type",
            with(json!({"perform_kyc": "yes"})),
            "invalid_json",
        ),
        (
            "bad base64",
            with(json!({"document": {"document_type": "PASSPORT", "front": "%%%"}})),
            "invalid_base64",
        ),
        (
            "unknown document type",
            with(json!({"document": {"document_type": "LIBRARY_CARD", "front": "AAAA"}})),
            "unknown_value",
        ),
        (
            "unknown file type",
            with(
                json!({"document": {"document_type": "PASSPORT", "file_type": "GIF", "front": "AAAA"}}),
            ),
            "unknown_value",
        ),
        (
            "not an image",
            with(
                json!({"document": {"document_type": "PASSPORT", "front": engine.encode(b"hello")}}),
            ),
            "unsupported_file_type",
        ),
        (
            "oversized image",
            with(json!({"document": {"document_type": "PASSPORT", "front": oversized}})),
            "payload_too_large",
        ),
        (
            "unknown id type",
            with(
                json!({"identifications": [{"govt_id_type": "LIBRARY_CARD", "govt_id_number": "1"}]}),
            ),
            "unknown_value",
        ),
        (
            "malformed id number",
            with(json!({"identifications": [{"govt_id_type": "SSN", "govt_id_number": "12"}]})),
            "invalid_government_id",
        ),
        (
            "id type the level does not take",
            with(
                json!({"identifications": [{"govt_id_type": "BVN", "govt_id_number": "22345678901"}]}),
            ),
            "unknown_requirement",
        ),
        (
            "not a level id",
            json!({"program_guid": "nope"}).to_string(),
            "invalid_id",
        ),
        (
            "bad verification date",
            with(json!({"client_verification": {"verification_datetime": "yesterday"}})),
            "invalid_datetime",
        ),
        (
            "no questions waiting",
            with(json!({"answers": [{"key": "vehicle", "answer": "Volvo V70"}]})),
            "conflict",
        ),
        (
            "incomplete",
            with(json!({"perform_kyc": true})),
            "missing_requirements",
        ),
    ];
    for (what, body, code) in cases {
        let (status, answer) = perform(&app, Some(&sandbox.key), &person, &body).await;
        assert_refused(status, &answer, 400);
        let codes = (
            answer["error"]["code"].as_str(),
            answer["error"]["details"][0]["code"].as_str(),
        );
        assert!(
            codes.0 == Some(code) || codes.1 == Some(code),
            "{what}: {answer}"
        );
    }
    let (_, application) = sandbox
        .call(
            Method::GET,
            &format!(
                "/kyc_applications/{}",
                applications(&sandbox, &person).await[0]["id"]
                    .as_str()
                    .expect("id")
            ),
            None,
        )
        .await;
    assert_eq!(
        application["documents"],
        json!([]),
        "refused files leave nothing"
    );

    // A body over the limit for six files is refused before it is read whole.
    let huge = json!({"notes": "x".repeat(400 * 1024)}).to_string();
    let (status, answer) = perform(&app, Some(&sandbox.key), &person, &huge).await;
    assert_refused(status, &answer, 400);
    assert_eq!(answer["error"]["code"], "payload_too_large");
}

/// Who calls and about whom is settled before the body is read, so a call about nobody costs no
/// memory however large its body; only then does the body limit (six files) apply.
async fn the_person_is_found_before_the_body_is_read(app: TestApp) {
    let (live, sandbox) = seeded(&app).await;
    let person = sandbox.applicant("qolo-7", "Lovelace").await;
    let huge = json!({"notes": "x".repeat(400 * 1024)}).to_string();
    let unknown = "2ae6ba4b-f6c0-4817-a158-43e5a87168fd";
    let (status, answer) = perform(&app, Some(&sandbox.key), unknown, &huge).await;
    assert_refused(status, &answer, 404);
    assert_eq!(answer["error"]["message"], "Person not found");
    let (status, answer) = perform(&app, Some(&live.key), &person, "not json").await;
    assert_refused(status, &answer, 404);
    let (status, answer) = perform(&app, None, &person, &huge).await;
    assert_refused(status, &answer, 401);
    let (status, answer) = perform(&app, Some(&sandbox.key), &person, &huge).await;
    assert_refused(status, &answer, 400);
    assert_eq!(answer["error"]["code"], "payload_too_large");
    // Six files at the 20 KiB limit, in base64, fit (with 64 KiB for the JSON around them); nine
    // do not.
    let file = base64::engine::general_purpose::STANDARD.encode(vec![0_u8; 20 * 1024]);
    let six = json!({"notes": file.repeat(6)}).to_string();
    let (status, answer) = perform(&app, Some(&sandbox.key), &person, &six).await;
    assert_ne!(answer["error"]["code"], "payload_too_large", "{status}");
    let nine = json!({"notes": file.repeat(9)}).to_string();
    let (status, answer) = perform(&app, Some(&sandbox.key), &person, &nine).await;
    assert_refused(status, &answer, 400);
    assert_eq!(answer["error"]["code"], "payload_too_large");
}

on_both_databases!(
    the_seed_sample_is_refused_cleanly_until_its_placeholders_are_real,
    perform_kyc_runs_to_a_decision,
    challenge_questions_are_asked_and_answered,
    client_verification_is_recorded,
    authentication_and_isolation,
);

on_both_databases!(@with super::small_uploads; bad_input_is_a_400, the_person_is_found_before_the_body_is_read);
