//! Admins manage levels over real HTTP on both databases: the editor creates versions that
//! applications are pinned to, every validation message is shown, levels in use are deactivated
//! rather than deleted, the API reflects active versions at once, and only admins may change them.

use crate::common::TestApp;
use crate::common::browser::{Browser, signed_in};
use crate::common::tenant::seeded;
use reqwest::Method;
use serde_json::json;

/// The editor form of a level with these (key, kind) text-like requirements.
fn level_form<'a>(
    name: &'a str,
    rows: &[(&'a str, &'a str)],
    extra: &[(&'a str, &'a str)],
) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = vec![
        ("name".into(), name.into()),
        ("tier".into(), "2".into()),
        ("applicant_type".into(), "individual".into()),
        ("provider".into(), "sandbox".into()),
        ("max_attempts".into(), "3".into()),
        ("sla_hours".into(), "24".into()),
    ];
    for (i, (key, kind)) in rows.iter().enumerate() {
        let token = format!("r{i}");
        form.push(("row".into(), token.clone()));
        form.push((format!("{token}.key"), (*key).into()));
        form.push((format!("{token}.label"), format!("Label of {key}")));
        form.push((format!("{token}.kind"), (*kind).into()));
        form.push((format!("{token}.required"), "on".into()));
    }
    form.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    form
}

async fn post(
    admin: &mut Browser,
    path: &str,
    form: &[(String, String)],
) -> crate::common::browser::Page {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    admin.post(path, &fields).await
}

async fn level_id_named(app: &TestApp, name: &str) -> String {
    sqlx::query_scalar("SELECT level_id FROM level_versions WHERE name = $1 LIMIT 1")
        .bind(name)
        .fetch_one(app.services.store.pool())
        .await
        .expect("level")
}

async fn edits_make_versions_and_applications_keep_theirs(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    let list = admin.get("/admin/levels").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Basic") && list.body.contains("Enhanced"));
    assert_eq!(admin.get("/admin/levels/new").await.status, 200);

    let created = post(
        &mut admin,
        "/admin/levels",
        &level_form("Gold", &[("nickname", "text")], &[]),
    )
    .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = level_id_named(&app, "Gold").await;
    assert_eq!(
        created.location(),
        Some(format!("/admin/levels/{id}").as_str())
    );

    let applicant = sandbox.applicant("pin-1", "Lovelace").await;
    let (status, first) = sandbox
        .call(
            Method::POST,
            "/kyc_applications",
            Some(json!({"applicant_id": applicant, "level_id": id})),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["level_version"], 1);

    let editor = admin.get(&format!("/admin/levels/{id}")).await;
    assert!(editor.body.contains("name=\"row_version\" value=\"1\""));
    let mut form = level_form(
        "Gold",
        &[("nickname", "text"), ("favourite_colour", "text")],
        &[],
    );
    form.push(("row_version".into(), "1".into()));
    let saved = post(&mut admin, &format!("/admin/levels/{id}"), &form).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let stale = post(&mut admin, &format!("/admin/levels/{id}"), &form).await;
    assert_eq!(
        stale.status, 422,
        "a form read before the last save is refused"
    );
    assert!(
        stale
            .body
            .contains("Someone saved this level in the meantime")
    );

    let (_, levels) = sandbox.call(Method::GET, "/levels", None).await;
    let gold = levels
        .as_array()
        .expect("levels")
        .iter()
        .find(|l| l["id"] == json!(id))
        .expect("gold")
        .clone();
    assert_eq!(
        gold["version"], 2,
        "the API shows the new version at once: {gold}"
    );
    let other = sandbox.applicant("pin-2", "Lovelace").await;
    let (_, second) = sandbox
        .call(
            Method::POST,
            "/kyc_applications",
            Some(json!({"applicant_id": other, "level_id": id})),
        )
        .await;
    assert_eq!(second["level_version"], 2);
    assert_eq!(second["questionnaire"].as_array().map(Vec::len), Some(2));
    let (_, still) = sandbox
        .call(
            Method::GET,
            &format!("/kyc_applications/{}", first["id"].as_str().expect("id")),
            None,
        )
        .await;
    assert_eq!(
        (
            still["level_version"].clone(),
            still["questionnaire"].as_array().map(Vec::len)
        ),
        (json!(1), Some(1))
    );

    let diff = admin
        .get(&format!("/admin/levels/{id}/diff?from=1&to=2"))
        .await;
    assert_eq!(diff.status, 200);
    assert!(
        diff.body
            .contains("requirement added: favourite_colour (text, required)"),
        "{}",
        diff.body
    );
    assert_eq!(
        admin
            .get(&format!("/admin/levels/{id}/diff?from=1&to=9"))
            .await
            .status,
        404
    );
    let old = admin.get(&format!("/admin/levels/{id}/versions/1")).await;
    assert_eq!(old.status, 200);
    assert!(
        old.body.contains("nickname") && !old.body.contains("favourite_colour"),
        "version 1 as it was"
    );
    assert_eq!(
        admin
            .get(&format!("/admin/levels/{id}/versions/x"))
            .await
            .status,
        404
    );
    assert_eq!(app.audit_count("level.version_created").await, 1);

    // In use: deleting is refused, deactivating hides it from new applications.
    let refused = admin.post(&format!("/admin/levels/{id}/delete"), &[]).await;
    assert_eq!(refused.status, 409);
    let deactivated = admin
        .post(
            &format!("/admin/levels/{id}/active"),
            &[("active", "false")],
        )
        .await;
    assert_eq!(deactivated.status, 200);
    let (_, levels) = sandbox.call(Method::GET, "/levels", None).await;
    assert!(
        levels
            .as_array()
            .expect("levels")
            .iter()
            .all(|l| l["id"] != json!(id))
    );
    let third = sandbox.applicant("pin-3", "Lovelace").await;
    let (status, _) = sandbox
        .call(
            Method::POST,
            "/kyc_applications",
            Some(json!({"applicant_id": third, "level_id": id})),
        )
        .await;
    assert_eq!(status, 404, "inactive levels take no new applications");

    // Unused: deleted.
    post(
        &mut admin,
        "/admin/levels",
        &level_form("Scratch", &[("a", "text")], &[]),
    )
    .await;
    let scratch = level_id_named(&app, "Scratch").await;
    assert_eq!(
        admin
            .post(&format!("/admin/levels/{scratch}/delete"), &[])
            .await
            .status,
        200
    );
    assert_eq!(
        admin.get(&format!("/admin/levels/{scratch}")).await.status,
        404
    );
}

async fn every_validation_message_is_shown(app: TestApp) {
    seeded(&app).await;
    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    let cases: Vec<(Vec<(String, String)>, &str)> = vec![
        (
            level_form("Dup", &[("a", "text"), ("a", "text")], &[]),
            "requirement key &#34;a&#34; is used twice",
        ),
        (
            level_form("None", &[], &[]),
            "a level needs at least one requirement",
        ),
        (
            level_form("Bad key", &[("First Name", "text")], &[]),
            "must start with a lowercase letter",
        ),
        (
            level_form("Basic", &[("a", "text")], &[]),
            "another level is called",
        ),
        (
            level_form("Sel", &[("plan", "select")], &[]),
            "a select needs at least one option",
        ),
        (
            level_form("Doc", &[("passport", "document")], &[]),
            "choose at least one document type",
        ),
        (
            level_form("Gov", &[("ssn", "government_id")], &[]),
            "choose at least one government id type",
        ),
        (
            level_form("Legal", &[("terms", "legal_document")], &[]),
            "choose an existing legal document",
        ),
        (
            level_form("Tier", &[("a", "text")], &[("tier", "eleven")]),
            "the tier must be a whole number",
        ),
        (
            level_form("Att", &[("a", "text")], &[("max_attempts", "0")]),
            "max attempts must be 1 to 10",
        ),
    ];
    for (mut form, message) in cases {
        if form.iter().filter(|(k, _)| k == "tier").count() > 1 {
            let at = form.iter().position(|(k, _)| k == "tier").expect("tier");
            form.remove(at);
        }
        if form.iter().filter(|(k, _)| k == "max_attempts").count() > 1 {
            let at = form
                .iter()
                .position(|(k, _)| k == "max_attempts")
                .expect("attempts");
            form.remove(at);
        }
        let page = post(&mut admin, "/admin/levels", &form).await;
        assert_eq!(page.status, 422, "{message}");
        assert!(page.body.contains(message), "{message} in {}", page.body);
        assert!(
            page.body.contains("The level was not saved"),
            "the form is shown again"
        );
    }

    // A cycle: Enhanced upgrades to nothing; make it upgrade to Basic, which leads back to it.
    let enhanced = level_id_named(&app, "Enhanced").await;
    let basic = level_id_named(&app, "Basic").await;
    let mut form = level_form("Enhanced", &[("a", "text")], &[("upgrades_to", &basic)]);
    form.push(("row_version".into(), "1".into()));
    let page = post(&mut admin, &format!("/admin/levels/{enhanced}"), &form).await;
    assert_eq!(page.status, 422);
    assert!(
        page.body.contains("upgrades would go round in a circle"),
        "{}",
        page.body
    );
}

async fn legal_documents_are_versioned_and_accepted_by_id(app: TestApp) {
    let (_, sandbox) = seeded(&app).await;
    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    let published = admin
        .post(
            "/admin/levels/legal-documents",
            &[
                ("title", "Terms"),
                ("version", "2026-11"),
                ("body", "You agree to be verified."),
            ],
        )
        .await;
    assert_eq!(published.status, 200);
    let doc_id: String =
        sqlx::query_scalar("SELECT id FROM legal_documents WHERE version = '2026-11'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("doc");
    let (status, text) = sandbox
        .call(Method::GET, &format!("/legal-documents/{doc_id}"), None)
        .await;
    assert_eq!(
        (status.as_u16(), text["body"].clone()),
        (200, json!("You agree to be verified."))
    );
    let (status, _) = sandbox
        .call(Method::GET, "/legal-documents/nope", None)
        .await;
    assert_eq!(status, 404);
    let again = admin
        .post(
            "/admin/levels/legal-documents",
            &[
                ("title", "Terms"),
                ("version", "2026-11"),
                ("body", "Other text"),
            ],
        )
        .await;
    assert_eq!(again.status, 409, "a version label is published once");
    let row = admin
        .get("/admin/levels/requirement-row?kind=legal_document")
        .await;
    assert!(row.body.contains(&doc_id), "the row offers the document");
    let form = level_form(
        "Terms level",
        &[("terms", "legal_document")],
        &[("r0.legal_document", &doc_id)],
    );
    assert_eq!(post(&mut admin, "/admin/levels", &form).await.status, 303);
    let level = level_id_named(&app, "Terms level").await;
    let applicant = sandbox.applicant("terms-1", "Lovelace").await;
    let (_, application) = sandbox
        .call(
            Method::POST,
            "/kyc_applications",
            Some(json!({"applicant_id": applicant, "level_id": level})),
        )
        .await;
    let id = application["id"].as_str().expect("id");
    let (status, _) = sandbox
        .call(
            Method::PATCH,
            &format!("/kyc_applications/{id}"),
            Some(json!({"attribute_changes": [{"key": "terms", "value": "some-other-version"}]})),
        )
        .await;
    assert_eq!(status, 422);
    let (status, accepted) = sandbox
        .call(
            Method::PATCH,
            &format!("/kyc_applications/{id}"),
            Some(json!({"attribute_changes": [{"key": "terms", "value": doc_id}]})),
        )
        .await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(
        accepted["questionnaire"][0]["value"],
        json!(doc_id),
        "the accepted version is recorded"
    );
}

async fn the_editor_rows_change_with_their_kind(app: TestApp) {
    seeded(&app).await;
    let mut admin = signed_in(&app, "adm@example.com", "admin").await;
    let row = admin
        .get_htmx("/admin/levels/requirement-row?kind=select")
        .await;
    assert_eq!(row.status, 200);
    assert!(row.body.contains("class=\"req-row") && row.body.contains(".options"));
    let flipped = admin
        .get_htmx("/admin/levels/requirement-row?refresh=rab12&rab12.key=passport&rab12.label=Passport&rab12.kind=document")
        .await;
    assert!(
        flipped.body.contains("rab12.doc_types") && flipped.body.contains("value=\"passport\"")
    );
    assert_eq!(
        admin
            .get("/admin/levels/requirement-row?kind=hologram")
            .await
            .status,
        400
    );
    assert_eq!(
        admin
            .get("/admin/levels/requirement-row?refresh=../x")
            .await
            .status,
        400
    );
}

async fn only_admins_change_levels(app: TestApp) {
    seeded(&app).await;
    let basic = level_id_named(&app, "Basic").await;
    for roles in ["auditor", "reviewer"] {
        let mut user = signed_in(&app, &format!("{roles}@example.com"), roles).await;
        assert_eq!(user.get("/admin/levels").await.status, 403, "{roles}");
        assert_eq!(
            user.get(&format!("/admin/levels/{basic}")).await.status,
            403,
            "{roles}"
        );
        assert_eq!(
            user.get("/admin/levels/requirement-row?kind=text")
                .await
                .status,
            403,
            "{roles}"
        );
        let form = level_form("Sneaky", &[("a", "text")], &[("row_version", "1")]);
        assert_eq!(
            post(&mut user, "/admin/levels", &form).await.status,
            403,
            "{roles}"
        );
        assert_eq!(
            post(&mut user, &format!("/admin/levels/{basic}"), &form)
                .await
                .status,
            403,
            "{roles}"
        );
        assert_eq!(
            user.post(
                &format!("/admin/levels/{basic}/active"),
                &[("active", "false")]
            )
            .await
            .status,
            403
        );
        assert_eq!(
            user.post(&format!("/admin/levels/{basic}/delete"), &[])
                .await
                .status,
            403
        );
        assert_eq!(
            user.post(
                "/admin/levels/legal-documents",
                &[("title", "T"), ("version", "1"), ("body", "b")]
            )
            .await
            .status,
            403
        );
    }
    assert!(
        app.audit_count("access.denied").await >= 16,
        "refusals are audited"
    );
    assert_eq!(
        app.audit_count("level.created").await,
        3,
        "only the seeded levels"
    );
}

on_both_databases!(
    edits_make_versions_and_applications_keep_theirs,
    every_validation_message_is_shown,
    legal_documents_are_versioned_and_accepted_by_id,
    the_editor_rows_change_with_their_kind,
    only_admins_change_levels,
);
