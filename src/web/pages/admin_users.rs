//! Admins manage staff users: list, invite with a one-time password, (de)activate, change roles,
//! reset passwords. Every action swaps the `UsersMain` partial; without htmx the whole page renders.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use axum_htmx::HxRequest;
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::ids::StaffUserId;
use crate::domain::staff::{Role, Roles, StaffUser};
use crate::domain::time::Timestamp;
use crate::domain::validate::contact::Email;
use crate::service;
use crate::web::auth::Staff;
use crate::web::error::WebError;
use crate::web::layout::{Layout, partial_or_page};

pub struct UserRow {
    id: StaffUserId,
    email: String,
    roles: Vec<(&'static str, bool)>,
    active: bool,
    locked: bool,
    must_change_password: bool,
    /// Has a confirmed second factor.
    mfa: bool,
    version: i64,
    is_self: bool,
}

/// A password shown once, right after it was set.
pub struct Secret {
    email: String,
    password: String,
    why: &'static str,
}

#[derive(Template)]
#[template(path = "admin/_users_main.html")]
pub struct UsersMain {
    rows: Vec<UserRow>,
    /// Every staff user must have a second factor.
    mfa_required: bool,
    secret: Option<Secret>,
    notice: Option<String>,
    csrf: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    layout: Layout,
    main: UsersMain,
}

/// Either the partial (htmx) or the page around it.
fn respond(staff: &Staff, is_htmx: bool, main: UsersMain) -> Result<Response, WebError> {
    partial_or_page(is_htmx, main, |main| UsersPage {
        layout: Layout::for_staff(staff, "Staff users"),
        main,
    })
}

async fn main_view(
    state: &AppState,
    staff: &Staff,
    secret: Option<Secret>,
    notice: Option<String>,
) -> Result<UsersMain, WebError> {
    let now = Timestamp::now();
    let enrolled = service::mfa::enrolled_users(&state.services).await?;
    let rows = service::staff::list(&state.services, &staff.ctx)
        .await?
        .into_iter()
        .map(|user: StaffUser| UserRow {
            id: user.id,
            email: user.email.as_str().to_owned(),
            roles: Role::ALL
                .iter()
                .map(|role| (role.as_str(), user.roles.contains(*role)))
                .collect(),
            active: user.active,
            locked: user.is_locked(now),
            must_change_password: user.must_change_password,
            mfa: enrolled.contains(&user.id),
            version: user.version,
            is_self: user.id == staff.user.id,
        })
        .collect();
    Ok(UsersMain {
        rows,
        mfa_required: service::mfa::is_required(&state.services).await?,
        secret,
        notice,
        csrf: staff.csrf.clone(),
    })
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
) -> Result<Response, WebError> {
    let main = main_view(&state, &staff, None, None).await?;
    respond(&staff, is_htmx, main)
}

/// Role checkboxes arrive as `role_reviewer=on` and so on. (Not a flattened struct: serde_urlencoded
/// cannot parse numbers inside a flattened form.)
fn picked_roles(
    reviewer: &Option<String>,
    admin: &Option<String>,
    auditor: &Option<String>,
) -> Result<Roles, WebError> {
    let picked = [
        (Role::Reviewer, reviewer),
        (Role::Admin, admin),
        (Role::Auditor, auditor),
    ];
    Roles::new(
        picked
            .into_iter()
            .filter(|(_, value)| value.is_some())
            .map(|(role, _)| role),
    )
    .map_err(|invalid| service::ServiceError::from(invalid).into())
}

#[derive(Deserialize)]
pub struct CreateForm {
    email: String,
    role_reviewer: Option<String>,
    role_admin: Option<String>,
    role_auditor: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Form(form): Form<CreateForm>,
) -> Result<Response, WebError> {
    let email = Email::parse(&form.email).map_err(service::ServiceError::from)?;
    let roles = picked_roles(&form.role_reviewer, &form.role_admin, &form.role_auditor)?;
    let (user, password) =
        service::staff::invite(&state.services, &staff.ctx, email, roles).await?;
    let secret = Secret {
        email: user.email.as_str().to_owned(),
        password,
        why: "New account",
    };
    let main = main_view(&state, &staff, Some(secret), None).await?;
    respond(&staff, is_htmx, main)
}

fn user_id(raw: &str) -> Result<StaffUserId, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

#[derive(Deserialize)]
pub struct ActiveForm {
    version: i64,
    active: bool,
}

pub async fn set_active(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
    Form(form): Form<ActiveForm>,
) -> Result<Response, WebError> {
    let user = service::staff::set_active(
        &state.services,
        &staff.ctx,
        user_id(&id)?,
        form.version,
        form.active,
    )
    .await?;
    let verb = if user.active {
        "reactivated"
    } else {
        "deactivated; their sessions have ended"
    };
    let main = main_view(
        &state,
        &staff,
        None,
        Some(format!("{} {verb}.", user.email.as_str())),
    )
    .await?;
    respond(&staff, is_htmx, main)
}

#[derive(Deserialize)]
pub struct RolesForm {
    version: i64,
    role_reviewer: Option<String>,
    role_admin: Option<String>,
    role_auditor: Option<String>,
}

pub async fn change_roles(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
    Form(form): Form<RolesForm>,
) -> Result<Response, WebError> {
    let roles = picked_roles(&form.role_reviewer, &form.role_admin, &form.role_auditor)?;
    let user = service::staff::change_roles(
        &state.services,
        &staff.ctx,
        user_id(&id)?,
        form.version,
        roles,
    )
    .await?;
    let notice = format!(
        "{} now has the roles {}; their sessions have ended.",
        user.email.as_str(),
        user.roles
    );
    let main = main_view(&state, &staff, None, Some(notice)).await?;
    respond(&staff, is_htmx, main)
}

#[derive(Deserialize)]
pub struct VersionForm {
    version: i64,
}

pub async fn reset_password(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
    Form(form): Form<VersionForm>,
) -> Result<Response, WebError> {
    let (user, password) =
        service::staff::reset_password(&state.services, &staff.ctx, user_id(&id)?, form.version)
            .await?;
    let secret = Secret {
        email: user.email.as_str().to_owned(),
        password,
        why: "Password reset",
    };
    let main = main_view(&state, &staff, Some(secret), None).await?;
    respond(&staff, is_htmx, main)
}

pub async fn reset_mfa(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
    Form(form): Form<VersionForm>,
) -> Result<Response, WebError> {
    let user =
        service::staff::reset_mfa(&state.services, &staff.ctx, user_id(&id)?, form.version).await?;
    let notice = format!(
        "The second factor of {} was removed and their sessions have ended.",
        user.email.as_str()
    );
    let main = main_view(&state, &staff, None, Some(notice)).await?;
    respond(&staff, is_htmx, main)
}

#[derive(Deserialize)]
pub struct MfaRequiredForm {
    required: bool,
}

pub async fn set_mfa_required(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Form(form): Form<MfaRequiredForm>,
) -> Result<Response, WebError> {
    service::mfa::set_required(&state.services, &staff.ctx, form.required).await?;
    let notice = if form.required {
        "Two-factor sign-in is now required: staff without it set it up at their next sign-in."
    } else {
        "Two-factor sign-in is now optional."
    };
    let main = main_view(&state, &staff, None, Some(notice.to_owned())).await?;
    respond(&staff, is_htmx, main)
}
