//! Admins manage tenants and their API keys: list, create a tenant (its first key and webhook secret
//! shown once), issue another key, revoke a key, rotate the webhook secret (shown once). Every action
//! swaps the `TenantsMain` partial; without htmx the whole page renders.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use axum_htmx::HxRequest;
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::ids::{ApiKeyId, TenantId};
use crate::domain::tenant::{ApiKey, TenantName, TenantWithKeys, WebhookUrl};
use crate::service;
use crate::web::auth::Staff;
use crate::web::error::WebError;
use crate::web::format;
use crate::web::layout::{Layout, partial_or_page};

pub struct KeyRow {
    id: ApiKeyId,
    prefix: String,
    created: String,
    last_used: Option<String>,
    revoked: Option<String>,
}

pub struct TenantRow {
    id: TenantId,
    name: String,
    sandbox: bool,
    webhook_url: Option<String>,
    created: String,
    keys: Vec<KeyRow>,
}

/// Secrets shown once, right after they were issued; only the key's hash is stored.
pub struct Secret {
    tenant: String,
    /// None when only the webhook secret was rotated.
    api_key: Option<String>,
    /// When the tenant was just created, or its webhook secret rotated; new keys leave it alone.
    webhook_secret: Option<String>,
    /// After a rotation: how long the previous webhook secret keeps signing.
    grace_hours: Option<i64>,
    why: &'static str,
}

#[derive(Template)]
#[template(path = "admin/_tenants_main.html")]
pub struct TenantsMain {
    rows: Vec<TenantRow>,
    secret: Option<Secret>,
    notice: Option<String>,
    csrf: String,
    /// How long a rotated webhook secret keeps signing, for the rotate button's confirmation.
    rotation_grace_hours: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/tenants.html")]
pub struct TenantsPage {
    layout: Layout,
    main: TenantsMain,
}

/// Either the partial (htmx) or the page around it.
fn respond(staff: &Staff, is_htmx: bool, main: TenantsMain) -> Result<Response, WebError> {
    partial_or_page(is_htmx, main, |main| TenantsPage {
        layout: Layout::for_staff(staff, "Tenants"),
        main,
    })
}

fn key_row(key: ApiKey) -> KeyRow {
    KeyRow {
        id: key.id,
        prefix: key.prefix,
        created: format::when(key.created_at),
        last_used: key.last_used_at.map(format::when),
        revoked: key.revoked_at.map(format::when),
    }
}

fn tenant_row(listed: TenantWithKeys) -> TenantRow {
    let TenantWithKeys { tenant, keys } = listed;
    TenantRow {
        id: tenant.id,
        name: tenant.name,
        sandbox: tenant.sandbox,
        webhook_url: tenant.webhook_url,
        created: format::when(tenant.created_at),
        keys: keys.into_iter().map(key_row).collect(),
    }
}

async fn main_view(
    state: &AppState,
    staff: &Staff,
    secret: Option<Secret>,
    notice: Option<String>,
) -> Result<TenantsMain, WebError> {
    let rows = service::tenants::list(&state.services, &staff.ctx)
        .await?
        .into_iter()
        .map(tenant_row)
        .collect();
    Ok(TenantsMain {
        rows,
        secret,
        notice,
        csrf: staff.csrf.clone(),
        rotation_grace_hours: service::webhooks::ROTATION_GRACE.num_hours(),
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

#[derive(Deserialize)]
pub struct CreateForm {
    name: String,
    /// A checkbox: present (`on`) when ticked, absent otherwise.
    sandbox: Option<String>,
    /// Optional: an empty field means no default webhook.
    #[serde(default)]
    webhook_url: String,
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Form(form): Form<CreateForm>,
) -> Result<Response, WebError> {
    let name = TenantName::parse(&form.name).map_err(service::ServiceError::from)?;
    let webhook_url = match form.webhook_url.trim() {
        "" => None,
        url => Some(WebhookUrl::parse(url).map_err(service::ServiceError::from)?),
    };
    let created = service::tenants::create(
        &state.services,
        &staff.ctx,
        service::tenants::NewTenant {
            name,
            sandbox: form.sandbox.is_some(),
            webhook_url,
        },
    )
    .await?;
    let secret = Secret {
        tenant: created.tenant.name,
        api_key: Some(created.api_key),
        webhook_secret: Some(created.webhook_secret),
        grace_hours: None,
        why: "New tenant",
    };
    let main = main_view(&state, &staff, Some(secret), None).await?;
    respond(&staff, is_htmx, main)
}

fn tenant_id(raw: &str) -> Result<TenantId, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

pub async fn create_key(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let issued = service::tenants::create_key(&state.services, &staff.ctx, tenant_id(&id)?).await?;
    let secret = Secret {
        tenant: issued.tenant.name,
        api_key: Some(issued.api_key),
        webhook_secret: None,
        grace_hours: None,
        why: "New API key",
    };
    let main = main_view(&state, &staff, Some(secret), None).await?;
    respond(&staff, is_htmx, main)
}

pub async fn revoke_key(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path((id, key)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let key_id: ApiKeyId = key.parse().map_err(|_| WebError::NotFound)?;
    let key =
        service::tenants::revoke_key(&state.services, &staff.ctx, tenant_id(&id)?, key_id).await?;
    let notice = format!(
        "API key {}… revoked; the API refuses it from now on.",
        key.prefix
    );
    let main = main_view(&state, &staff, None, Some(notice)).await?;
    respond(&staff, is_htmx, main)
}

#[derive(Deserialize)]
pub struct WebhookUrlForm {
    /// Empty: no default webhook.
    #[serde(default)]
    webhook_url: String,
}

pub async fn set_webhook_url(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
    Form(form): Form<WebhookUrlForm>,
) -> Result<Response, WebError> {
    let webhook_url = match form.webhook_url.trim() {
        "" => None,
        url => Some(WebhookUrl::parse(url).map_err(service::ServiceError::from)?),
    };
    let cleared = webhook_url.is_none();
    service::tenants::set_webhook_url(&state.services, &staff.ctx, tenant_id(&id)?, webhook_url)
        .await?;
    let notice = if cleared {
        "Default webhook removed.".to_owned()
    } else {
        "Default webhook saved.".to_owned()
    };
    let main = main_view(&state, &staff, None, Some(notice)).await?;
    respond(&staff, is_htmx, main)
}

pub async fn rotate_webhook_secret(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(is_htmx): HxRequest,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let tenant = tenant_id(&id)?;
    let webhook_secret =
        service::tenants::rotate_webhook_secret(&state.services, &staff.ctx, tenant).await?;
    let mut main = main_view(&state, &staff, None, None).await?;
    let name = main
        .rows
        .iter()
        .find(|row| row.id == tenant)
        .map_or_else(|| tenant.to_string(), |row| row.name.clone());
    main.secret = Some(Secret {
        tenant: name,
        api_key: None,
        webhook_secret: Some(webhook_secret),
        grace_hours: Some(main.rotation_grace_hours),
        why: "New webhook signing secret",
    });
    respond(&staff, is_htmx, main)
}
