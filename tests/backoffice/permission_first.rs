//! Permission first: every state-changing back-office route refuses every role that lacks its
//! permission with 403 and an `access.denied` event, whatever the form says (empty, or every field
//! invalid) and whether or not the object exists. The route list is checked against the router's
//! source, so a new route cannot be left out of the walk.

use crate::common::TestApp;
use crate::common::browser::signed_in;
use kycdesk::domain::permission::Permission;

/// Who may send a state-changing request to a route.
#[derive(Clone, Copy, Debug)]
enum Access {
    /// Before sign-in (the sign-in form itself).
    Public,
    /// Any signed-in staff member (their own password, sign-out).
    AnyStaff,
    Needs(Permission),
}

use Access::*;
use Permission::*;

/// Every route of `src/web/mod.rs` that takes a POST, PUT, PATCH or DELETE.
const STATE_CHANGING: &[(&str, Access)] = &[
    ("/login", Public),
    ("/login/code", Public),
    ("/logout", AnyStaff),
    ("/account/password", AnyStaff),
    ("/account/mfa", AnyStaff),
    ("/applications/next", Needs(WorkCases)),
    ("/applications/{id}/decision", Needs(WorkCases)),
    (
        "/applications/{id}/decisions/{decision}/confirm",
        Needs(WorkCases),
    ),
    (
        "/applications/{id}/decisions/{decision}/send-back",
        Needs(WorkCases),
    ),
    ("/applications/{id}/notes", Needs(WorkCases)),
    ("/applications/{id}/assignment", Needs(WorkCases)),
    ("/applications/{id}/legal-hold", Needs(Administer)),
    ("/admin/retention", Needs(Administer)),
    ("/admin/users", Needs(Administer)),
    ("/admin/users/{id}/active", Needs(Administer)),
    ("/admin/users/{id}/roles", Needs(Administer)),
    ("/admin/users/{id}/password-reset", Needs(Administer)),
    ("/admin/users/{id}/mfa-reset", Needs(Administer)),
    ("/admin/users/mfa-required", Needs(Administer)),
    ("/admin/tenants", Needs(Administer)),
    ("/admin/tenants/{id}/keys", Needs(Administer)),
    ("/admin/tenants/{id}/keys/{key}/revoke", Needs(Administer)),
    ("/admin/tenants/{id}/webhook-url", Needs(Administer)),
    ("/admin/tenants/{id}/webhook-secret", Needs(Administer)),
    ("/admin/webhooks/{id}/redeliver", Needs(Administer)),
    ("/admin/levels", Needs(Administer)),
    ("/admin/levels/legal-documents", Needs(Administer)),
    ("/admin/levels/{id}", Needs(Administer)),
    ("/admin/levels/{id}/active", Needs(Administer)),
    ("/admin/levels/{id}/delete", Needs(Administer)),
    ("/admin/jobs/{id}/retry", Needs(Administer)),
    ("/audit/verify", Needs(Audit)),
    ("/audit/exports", Needs(Audit)),
];

/// The routes the router's source declares with a state-changing method: each `.route(` call's
/// path, when its handler part names `post`, `put`, `patch` or `delete` (`post_if` included).
fn declared_state_changing_routes() -> Vec<String> {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/mod.rs"))
        .expect("read src/web/mod.rs");
    source
        .split(".route(")
        .skip(1)
        .filter_map(|call| {
            let path = call.split('"').nth(1)?;
            let methods = &call[call.find(path)? + path.len()..];
            let methods = methods.split(".route(").next().unwrap_or(methods);
            ["post", "put(", "patch(", "delete("]
                .iter()
                .any(|m| methods.contains(m))
                .then(|| path.to_owned())
        })
        .collect()
}

#[test]
fn the_walk_lists_every_state_changing_route_of_the_router() {
    let declared = declared_state_changing_routes();
    assert!(
        declared.len() >= STATE_CHANGING.len(),
        "parsing the router found only {declared:?}"
    );
    for path in &declared {
        assert!(
            STATE_CHANGING.iter().any(|(listed, _)| listed == path),
            "src/web/mod.rs declares the state-changing route {path}, which \
             tests/permission_first.rs does not walk: add it to STATE_CHANGING with its access"
        );
    }
    for (listed, _) in STATE_CHANGING {
        assert!(
            declared.iter().any(|path| path == listed),
            "STATE_CHANGING lists {listed}, which src/web/mod.rs no longer declares"
        );
    }
}

/// Every form field the back-office reads, each with a value no handler accepts.
const INVALID_FORM: &[(&str, &str)] = &[
    ("outcome", "explode"),
    ("reason", "no_such_reason"),
    ("version", "x"),
    ("active", "maybe"),
    ("action", "explode"),
    ("years", "forever"),
    ("email", "not an e-mail"),
    ("webhook_url", "gopher://x"),
    ("tier", "many"),
    ("row", "r"),
    ("r.kind", "nonsense"),
    ("row_version", "x"),
    ("tenant", "not-a-tenant"),
    ("before", "not-a-cursor"),
    ("from", "x"),
    ("to", "x"),
];

async fn every_state_changing_route_checks_the_permission_before_the_form(app: TestApp) {
    let roles = [
        ("reviewer", [ViewCases, WorkCases]),
        ("admin", [ViewCases, Administer]),
        ("auditor", [ViewCases, Audit]),
    ];
    let mut walked = 0;
    for (role, held) in roles {
        let mut browser = signed_in(&app, &format!("{role}@example.com"), role).await;
        for (template, access) in STATE_CHANGING {
            let Needs(permission) = *access else { continue };
            if held.contains(&permission) {
                continue;
            }
            // Ids of nothing: the refusal must not depend on (or reveal) whether the object exists.
            let path = template
                .split('/')
                .map(|part| {
                    if part.starts_with('{') {
                        uuid::Uuid::now_v7().to_string()
                    } else {
                        part.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            for form in [&[][..], INVALID_FORM] {
                let before = app.audit_count("access.denied").await;
                let page = browser.post(&path, form).await;
                assert_eq!(
                    page.status,
                    403,
                    "{role} POST {template} ({} fields): {}",
                    form.len(),
                    page.body
                );
                assert_eq!(
                    app.audit_count("access.denied").await,
                    before + 1,
                    "{role} POST {template}: one access.denied event"
                );
                walked += 1;
            }
        }
    }
    // Each permission is held by one of the three roles: two roles walk each route, with two forms.
    assert_eq!(walked, (6 + 20 + 2) * 2 * 2);
}

on_both_databases!(every_state_changing_route_checks_the_permission_before_the_form);
