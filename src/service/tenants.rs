//! Tenants and API keys.

use serde_json::json;

use super::{Ctx, ServiceError, Services};
use crate::domain::audit::AuditSubject;
use crate::domain::ids::{ApiKeyId, TenantId};
use crate::domain::tenant::{API_KEY_PREFIX_LEN, ApiKey, Tenant, TenantName, api_key_hash};
use crate::domain::time::Timestamp;
use crate::store::{self, Conn, StoreError};

pub struct NewTenant {
    pub name: TenantName,
    pub sandbox: bool,
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

/// Issues a key inside the caller's transaction and returns its secret.
async fn issue_key(
    conn: &mut Conn,
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
    store::tenants::insert_api_key(conn, &key, &api_key_hash(&secret)).await?;
    let event = ctx
        .event(
            "api_key.created",
            AuditSubject::new("api_key", key.id),
            json!({"prefix": key.prefix}),
        )
        .for_tenant(tenant.id);
    store::audit::append(conn, &event).await?;
    Ok((key.id, secret))
}

pub async fn create(
    services: &Services,
    ctx: &Ctx,
    new: NewTenant,
) -> Result<CreatedTenant, ServiceError> {
    let tenant = Tenant {
        id: TenantId::generate(),
        name: new.name.as_str().to_owned(),
        sandbox: new.sandbox,
        webhook_url: None,
        created_at: Timestamp::now(),
    };
    // Standard Webhooks secrets are `whsec_` + base64; hex digits are valid base64.
    let webhook_secret = format!("whsec_{}", random_hex(24));
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
            json!({"name": tenant.name, "sandbox": tenant.sandbox}),
        )
        .for_tenant(tenant.id);
    store::audit::append(&mut tx, &event).await?;
    let (api_key_id, api_key) = issue_key(&mut tx, ctx, &tenant).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(CreatedTenant {
        tenant,
        api_key_id,
        api_key,
        webhook_secret,
    })
}
