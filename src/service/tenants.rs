//! Tenants and API keys.

use serde_json::json;

use super::{Ctx, ServiceError, Services};
use crate::domain::audit::AuditSubject;
use crate::domain::ids::{ApiKeyId, TenantId};
use crate::domain::permission::Permission;
use crate::domain::tenant::{
    API_KEY_PREFIX_LEN, ApiKey, Tenant, TenantName, TenantWithKeys, WebhookUrl, api_key_hash,
};
use crate::domain::time::Timestamp;
use crate::store::{self, StoreError, Tx};
use crate::webhooks::signing::WebhookSecret;

pub struct NewTenant {
    pub name: TenantName,
    pub sandbox: bool,
    /// The default webhook target, stored with the tenant (applications may name their own).
    pub webhook_url: Option<WebhookUrl>,
}

/// A new tenant and its first API key. The key's secret exists only in this value: it is stored hashed.
pub struct CreatedTenant {
    pub tenant: Tenant,
    pub api_key_id: ApiKeyId,
    pub api_key: String,
    pub webhook_secret: String,
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0_u8; bytes];
    rand::fill(&mut buf[..]);
    hex::encode(buf)
}

/// An API key secret, returned once when issued; only its hash is stored.
pub struct IssuedKey {
    pub tenant: Tenant,
    pub api_key_id: ApiKeyId,
    pub api_key: String,
}

/// Issues a key inside the caller's transaction and returns its secret.
async fn issue_key(
    tx: &mut Tx,
    ctx: &Ctx,
    tenant: &Tenant,
) -> Result<(ApiKeyId, String), ServiceError> {
    let kind = if tenant.sandbox { "test" } else { "live" };
    let secret = format!("kyc_{kind}_{}", random_hex(32));
    let key = ApiKey {
        id: ApiKeyId::generate(),
        tenant_id: tenant.id,
        prefix: secret.chars().take(API_KEY_PREFIX_LEN).collect(),
        created_at: Timestamp::now(),
        revoked_at: None,
        last_used_at: None,
    };
    store::tenants::insert_api_key(tx, &key, &api_key_hash(&secret)).await?;
    let event = ctx
        .event(
            "api_key.created",
            AuditSubject::new("api_key", key.id),
            json!({"prefix": key.prefix}),
        )
        .for_tenant(tenant.id);
    store::audit::append(tx, &event);
    Ok((key.id, secret))
}

pub async fn create(
    services: &Services,
    ctx: &Ctx,
    new: NewTenant,
) -> Result<CreatedTenant, ServiceError> {
    ctx.require(services, Permission::Administer, "tenant.create")
        .await?;
    let tenant = Tenant {
        id: TenantId::generate(),
        name: new.name.as_str().to_owned(),
        sandbox: new.sandbox,
        webhook_url: new.webhook_url.map(|url| url.as_str().to_owned()),
        created_at: Timestamp::now(),
    };
    if let Some(url) = &tenant.webhook_url {
        super::webhooks::check_target(services, url)?;
    }
    let webhook_secret = WebhookSecret::generate();
    let mut tx = services.store.begin_write().await?;
    match store::tenants::insert(&mut tx, &tenant, &webhook_secret).await {
        Err(StoreError::Duplicate(_)) => {
            return Err(ServiceError::Duplicate(
                "a tenant with this name already exists",
            ));
        }
        other => other?,
    }
    let event = ctx
        .event(
            "tenant.created",
            AuditSubject::new("tenant", tenant.id),
            json!({"name": tenant.name, "sandbox": tenant.sandbox, "webhook_url": tenant.webhook_url}),
        )
        .for_tenant(tenant.id);
    store::audit::append(&mut tx, &event);
    let (api_key_id, api_key) = issue_key(&mut tx, ctx, &tenant).await?;
    tx.commit().await?;
    Ok(CreatedTenant {
        tenant,
        api_key_id,
        api_key,
        webhook_secret,
    })
}

/// Sets or clears the tenant's default webhook URL; messages not yet delivered go to the new one.
pub async fn set_webhook_url(
    services: &Services,
    ctx: &Ctx,
    id: TenantId,
    url: Option<WebhookUrl>,
) -> Result<(), ServiceError> {
    ctx.require(services, Permission::Administer, "tenant.set_webhook_url")
        .await?;
    let url = url.map(|u| u.as_str().to_owned());
    if let Some(url) = &url {
        super::webhooks::check_target(services, url)?;
    }
    let mut tx = services.store.begin_write().await?;
    let before = match store::tenants::get(&mut tx, id).await {
        Err(StoreError::NotFound) => return Err(ServiceError::NotFound("tenant")),
        other => other?,
    };
    store::tenants::set_webhook_url(&mut tx, id, url.as_deref()).await?;
    let event = ctx
        .event(
            "tenant.webhook_url_changed",
            AuditSubject::new("tenant", id),
            json!({"from": before.webhook_url, "to": url}),
        )
        .for_tenant(id);
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(())
}

/// Replaces the tenant's webhook secret. The old one keeps signing beside it for a grace period
/// (two signatures per message) so the tenant can switch without losing a message.
pub async fn rotate_webhook_secret(
    services: &Services,
    ctx: &Ctx,
    id: TenantId,
) -> Result<String, ServiceError> {
    ctx.require(
        services,
        Permission::Administer,
        "tenant.rotate_webhook_secret",
    )
    .await?;
    let secret = WebhookSecret::generate();
    let mut tx = services.store.begin_write().await?;
    match store::tenants::rotate_webhook_secret(&mut tx, id, &secret, Timestamp::now()).await {
        Err(StoreError::NotFound) => return Err(ServiceError::NotFound("tenant")),
        other => other?,
    }
    let event = ctx
        .event(
            "tenant.webhook_secret_rotated",
            AuditSubject::new("tenant", id),
            json!({"grace_hours": super::webhooks::ROTATION_GRACE.num_hours()}),
        )
        .for_tenant(id);
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(secret)
}

/// Every tenant with its keys (prefixes and dates only; secrets are never stored).
pub async fn list(services: &Services, ctx: &Ctx) -> Result<Vec<TenantWithKeys>, ServiceError> {
    ctx.require(services, Permission::Administer, "tenant.list")
        .await?;
    let mut conn = services.store.conn().await?;
    Ok(store::tenants::list_with_keys(&mut conn).await?)
}

/// Issues another key for a tenant, e.g. to rotate: the old key stays valid until revoked.
pub async fn create_key(
    services: &Services,
    ctx: &Ctx,
    tenant_id: TenantId,
) -> Result<IssuedKey, ServiceError> {
    ctx.require(services, Permission::Administer, "api_key.create")
        .await?;
    let mut tx = services.store.begin_write().await?;
    let tenant = match store::tenants::get(&mut tx, tenant_id).await {
        Err(StoreError::NotFound) => return Err(ServiceError::NotFound("tenant")),
        other => other?,
    };
    let (api_key_id, api_key) = issue_key(&mut tx, ctx, &tenant).await?;
    tx.commit().await?;
    Ok(IssuedKey {
        tenant,
        api_key_id,
        api_key,
    })
}

/// Revokes a tenant's key; the API refuses it from the next request on.
pub async fn revoke_key(
    services: &Services,
    ctx: &Ctx,
    tenant_id: TenantId,
    key_id: ApiKeyId,
) -> Result<ApiKey, ServiceError> {
    ctx.require(services, Permission::Administer, "api_key.revoke")
        .await?;
    let mut tx = services.store.begin_write().await?;
    let mut key = match store::tenants::get_api_key(&mut tx, tenant_id, key_id).await {
        Err(StoreError::NotFound) => return Err(ServiceError::NotFound("API key")),
        other => other?,
    };
    let already = || ServiceError::Conflict("this API key is already revoked".into());
    if key.revoked_at.is_some() {
        return Err(already());
    }
    let now = Timestamp::now();
    match store::tenants::revoke_api_key(&mut tx, key.id, now).await {
        // Revoked by someone else between the read and the write (PostgreSQL reads committed data).
        Err(StoreError::StaleVersion) => return Err(already()),
        other => other?,
    }
    key.revoked_at = Some(now);
    let event = ctx
        .event(
            "api_key.revoked",
            AuditSubject::new("api_key", key.id),
            json!({"prefix": key.prefix}),
        )
        .for_tenant(tenant_id);
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(key)
}
