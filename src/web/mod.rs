//! The back-office edge: server-rendered HTML with htmx partials. Handlers extract, call a service,
//! render; sessions, CSRF, security headers and sign-in checks are layers around them.

mod assets;
mod auth;
mod csrf;
mod error;
mod format;
mod headers;
mod health;
mod layout;
mod pages;
mod permit;
mod request_meta;
mod session_store;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::app::AppState;
use crate::domain::permission::Permission;
use permit::post_if;

pub use auth::Staff;
pub use error::WebError;
pub use request_meta::{Meta, meta_of};

/// The session cookie's name; `__Host-` binds it to this exact origin over https.
fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-kycdesk_session"
    } else {
        "kycdesk_session"
    }
}

pub fn router(state: &AppState) -> Router<AppState> {
    let signed_in = Router::new()
        .route("/", get(pages::home::page))
        .route("/logout", post(pages::login::logout))
        .route("/applications", get(pages::queue::page))
        .route(
            "/applications/next",
            post_if(
                state,
                Permission::WorkCases,
                "application.claim_next",
                pages::queue::next_case,
            ),
        )
        .route("/applications/{id}", get(pages::case::page))
        .route(
            "/applications/{id}/decision",
            post_if(
                state,
                Permission::WorkCases,
                "application.decide",
                pages::case::decide,
            ),
        )
        .route(
            "/applications/{id}/decisions/{decision}/confirm",
            post_if(
                state,
                Permission::WorkCases,
                "application.decision_review",
                pages::case::confirm,
            ),
        )
        .route(
            "/applications/{id}/decisions/{decision}/send-back",
            post_if(
                state,
                Permission::WorkCases,
                "application.decision_review",
                pages::case::send_back,
            ),
        )
        .route(
            "/applications/{id}/legal-hold",
            post_if(
                state,
                Permission::Administer,
                "retention.legal_hold",
                pages::record_keeping::legal_hold,
            ),
        )
        .route(
            "/applications/{id}/case-file",
            get(pages::record_keeping::case_file),
        )
        .route(
            "/admin/retention",
            post_if(
                state,
                Permission::Administer,
                "retention.set_period",
                pages::record_keeping::retention_period,
            ),
        )
        .route(
            "/applications/{id}/notes",
            post_if(
                state,
                Permission::WorkCases,
                "application.note",
                pages::case::add_note,
            ),
        )
        .route(
            "/applications/{id}/assignment",
            post_if(
                state,
                Permission::WorkCases,
                "application.assign",
                pages::case::assign,
            ),
        )
        .route(
            "/applications/{id}/government-ids",
            get(pages::case::reveal),
        )
        .route(
            "/applications/{id}/checks/{check}/raw",
            get(pages::case::raw_payload),
        )
        .route("/documents/{id}", get(pages::documents::original))
        .route(
            "/documents/{id}/thumbnail",
            get(pages::documents::thumbnail),
        )
        .route(
            "/account/password",
            get(pages::account::page).post(pages::account::change),
        )
        .route(
            "/account/mfa",
            get(pages::account_mfa::page).post(pages::account_mfa::confirm),
        )
        .route(
            "/admin/users",
            get(pages::admin_users::page).merge(post_if(
                state,
                Permission::Administer,
                "staff_user.create",
                pages::admin_users::create,
            )),
        )
        .route(
            "/admin/users/{id}/active",
            post_if(
                state,
                Permission::Administer,
                "staff_user.set_active",
                pages::admin_users::set_active,
            ),
        )
        .route(
            "/admin/users/{id}/roles",
            post_if(
                state,
                Permission::Administer,
                "staff_user.change_roles",
                pages::admin_users::change_roles,
            ),
        )
        .route(
            "/admin/users/{id}/password-reset",
            post_if(
                state,
                Permission::Administer,
                "staff_user.password_reset",
                pages::admin_users::reset_password,
            ),
        )
        .route(
            "/admin/users/{id}/mfa-reset",
            post_if(
                state,
                Permission::Administer,
                "auth.mfa_reset",
                pages::admin_users::reset_mfa,
            ),
        )
        .route(
            "/admin/users/mfa-required",
            post_if(
                state,
                Permission::Administer,
                "settings.mfa_required",
                pages::admin_users::set_mfa_required,
            ),
        )
        .route(
            "/admin/tenants",
            get(pages::admin_tenants::page).merge(post_if(
                state,
                Permission::Administer,
                "tenant.create",
                pages::admin_tenants::create,
            )),
        )
        .route(
            "/admin/tenants/{id}/keys",
            post_if(
                state,
                Permission::Administer,
                "api_key.create",
                pages::admin_tenants::create_key,
            ),
        )
        .route(
            "/admin/tenants/{id}/keys/{key}/revoke",
            post_if(
                state,
                Permission::Administer,
                "api_key.revoke",
                pages::admin_tenants::revoke_key,
            ),
        )
        .route(
            "/admin/tenants/{id}/webhook-url",
            post_if(
                state,
                Permission::Administer,
                "tenant.set_webhook_url",
                pages::admin_tenants::set_webhook_url,
            ),
        )
        .route(
            "/admin/tenants/{id}/webhook-secret",
            post_if(
                state,
                Permission::Administer,
                "tenant.rotate_webhook_secret",
                pages::admin_tenants::rotate_webhook_secret,
            ),
        )
        .route(
            "/admin/tenants/{id}/webhooks",
            get(pages::admin_webhooks::page),
        )
        .route(
            "/admin/webhooks/{id}/redeliver",
            post_if(
                state,
                Permission::Administer,
                "webhook.redeliver",
                pages::admin_webhooks::redeliver,
            ),
        )
        .route(
            "/admin/levels",
            get(pages::admin_levels::page).merge(post_if(
                state,
                Permission::Administer,
                "level.create",
                pages::admin_levels::create,
            )),
        )
        .route("/admin/levels/new", get(pages::admin_levels::new_level))
        .route(
            "/admin/levels/requirement-row",
            get(pages::admin_levels::requirement_row),
        )
        .route(
            "/admin/levels/legal-documents",
            post_if(
                state,
                Permission::Administer,
                "legal_document.create",
                pages::admin_levels::add_legal_document,
            ),
        )
        .route(
            "/admin/levels/{id}",
            get(pages::admin_levels::edit).merge(post_if(
                state,
                Permission::Administer,
                "level.update",
                pages::admin_levels::update,
            )),
        )
        .route(
            "/admin/levels/{id}/active",
            post_if(
                state,
                Permission::Administer,
                "level.set_active",
                pages::admin_levels::set_active,
            ),
        )
        .route(
            "/admin/levels/{id}/delete",
            post_if(
                state,
                Permission::Administer,
                "level.delete",
                pages::admin_levels::delete,
            ),
        )
        .route(
            "/admin/levels/{id}/versions/{version}",
            get(pages::admin_levels::version),
        )
        .route("/admin/levels/{id}/diff", get(pages::admin_levels::diff))
        .route("/admin/jobs", get(pages::admin_jobs::page))
        .route(
            "/admin/jobs/{id}/retry",
            post_if(
                state,
                Permission::Administer,
                "job.retry",
                pages::admin_jobs::retry,
            ),
        )
        .route("/audit", get(pages::audit_log::page))
        .route("/audit/events/{seq}", get(pages::audit_log::event))
        .route(
            "/audit/verify",
            post_if(
                state,
                Permission::Audit,
                "audit.verify",
                pages::audit_log::verify,
            ),
        )
        .route(
            "/audit/exports",
            get(pages::audit_exports::page).merge(post_if(
                state,
                Permission::Audit,
                "export.create",
                pages::audit_exports::create,
            )),
        )
        .route("/audit/exports/{id}/file", get(pages::audit_exports::file))
        .route(
            "/audit/exports/{id}/manifest",
            get(pages::audit_exports::manifest),
        )
        .route_layer(from_fn_with_state(state.clone(), auth::require_staff));

    let idle = time::Duration::seconds(state.config.security.session_idle.num_seconds());
    let sessions = SessionManagerLayer::new(session_store::DbSessionStore::new(
        state.services.store.clone(),
    ))
    .with_name(cookie_name(state.config.secure_cookies))
    .with_secure(state.config.secure_cookies)
    .with_http_only(true)
    .with_same_site(SameSite::Strict)
    .with_path("/")
    .with_expiry(Expiry::OnInactivity(idle));

    Router::new()
        .route("/login", get(pages::login::page).post(pages::login::submit))
        .route(
            "/login/code",
            get(pages::login::code_page).post(pages::login::submit_code),
        )
        .merge(signed_in)
        .fallback(error::not_found)
        .layer(from_fn(csrf::protect))
        .layer(sessions)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/static/{name}", get(assets::serve))
}

/// What every response gets, back-office or API: a request id, the security headers, HTML error
/// pages for back-office errors, and gzip when the client takes it (pages and assets shrink
/// about four times; zips are compressed already).
pub fn around(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    let compress = DefaultPredicate::new().and(NotForContentType::const_new("application/zip"));
    router
        .layer(from_fn(error::render_errors))
        .layer(from_fn_with_state(state.clone(), headers::security_headers))
        .layer(from_fn(request_meta::assign_request_id))
        .layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Fastest)
                .compress_when(compress),
        )
}
