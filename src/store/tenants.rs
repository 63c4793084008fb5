//! Tenants and their API keys.

use super::db::{Row, query, query_scalar};
use std::collections::HashMap;

use super::rows::{flag, parsed, parsed_opt, timestamp};
use super::{Conn, StoreError};
use crate::domain::ids::{ApiKeyId, TenantId};
use crate::domain::tenant::{ApiKey, Tenant, TenantWithKeys};
use crate::domain::time::Timestamp;

pub async fn insert(
    conn: &mut Conn,
    tenant: &Tenant,
    webhook_secret: &str,
) -> Result<(), StoreError> {
    query(
        "INSERT INTO tenants (id, name, sandbox, webhook_url, webhook_secret, created_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, 1)",
    )
    .bind(tenant.id.to_string())
    .bind(&tenant.name)
    .bind(i64::from(tenant.sandbox))
    .bind(tenant.webhook_url.clone())
    .bind(webhook_secret)
    .bind(tenant.created_at.canonical())
    .execute(conn)
    .await?;
    Ok(())
}

fn tenant_from_row(row: &Row) -> Result<Tenant, StoreError> {
    Ok(Tenant {
        id: parsed(row, "id")?,
        name: row.try_get("name")?,
        sandbox: flag(row, "sandbox")?,
        webhook_url: row.try_get("webhook_url")?,
        created_at: timestamp(row, "created_at")?,
    })
}

pub async fn list(conn: &mut Conn) -> Result<Vec<Tenant>, StoreError> {
    let rows =
        query("SELECT id, name, sandbox, webhook_url, created_at FROM tenants ORDER BY name")
            .fetch_all(conn)
            .await?;
    rows.iter().map(tenant_from_row).collect()
}

const KEY_COLUMNS: &str = "id, tenant_id, prefix, created_at, revoked_at, last_used_at";

fn key_from_row(row: &Row) -> Result<ApiKey, StoreError> {
    Ok(ApiKey {
        id: parsed(row, "id")?,
        tenant_id: parsed(row, "tenant_id")?,
        prefix: row.try_get("prefix")?,
        created_at: timestamp(row, "created_at")?,
        revoked_at: parsed_opt(row, "revoked_at")?,
        last_used_at: parsed_opt(row, "last_used_at")?,
    })
}

/// Every tenant by name with its keys, newest first: two statements, whatever the number of tenants.
pub async fn list_with_keys(conn: &mut Conn) -> Result<Vec<TenantWithKeys>, StoreError> {
    let tenants = list(conn).await?;
    let rows = query(&format!(
        "SELECT {KEY_COLUMNS} FROM api_keys ORDER BY created_at DESC, id DESC"
    ))
    .fetch_all(conn)
    .await?;
    let mut keys: HashMap<TenantId, Vec<ApiKey>> = HashMap::new();
    for row in &rows {
        let key = key_from_row(row)?;
        keys.entry(key.tenant_id).or_default().push(key);
    }
    Ok(tenants
        .into_iter()
        .map(|tenant| TenantWithKeys {
            keys: keys.remove(&tenant.id).unwrap_or_default(),
            tenant,
        })
        .collect())
}

pub async fn insert_api_key(
    conn: &mut Conn,
    key: &ApiKey,
    key_hash: &str,
) -> Result<(), StoreError> {
    query(
        "INSERT INTO api_keys (id, tenant_id, prefix, key_hash, created_at, revoked_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, NULL, NULL)",
    )
    .bind(key.id.to_string())
    .bind(key.tenant_id.to_string())
    .bind(&key.prefix)
    .bind(key_hash)
    .bind(key.created_at.canonical())
    .execute(conn)
    .await?;
    Ok(())
}

/// The live (not revoked) key with this hash.
pub async fn find_active_key(conn: &mut Conn, key_hash: &str) -> Result<ApiKey, StoreError> {
    let row = query(&format!(
        "SELECT {KEY_COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL"
    ))
    .bind(key_hash)
    .fetch_one(conn)
    .await?;
    key_from_row(&row)
}

/// One of a tenant's keys, revoked or not; another tenant's key is not found.
pub async fn get_api_key(
    conn: &mut Conn,
    tenant_id: TenantId,
    id: ApiKeyId,
) -> Result<ApiKey, StoreError> {
    let row = query(&format!(
        "SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1 AND tenant_id = $2"
    ))
    .bind(id.to_string())
    .bind(tenant_id.to_string())
    .fetch_one(conn)
    .await?;
    key_from_row(&row)
}

/// Revokes a live key; `StaleVersion` when it was revoked in the meantime.
pub async fn revoke_api_key(
    conn: &mut Conn,
    id: ApiKeyId,
    at: Timestamp,
) -> Result<(), StoreError> {
    let done = query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(at.canonical())
        .bind(id.to_string())
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::StaleVersion);
    }
    Ok(())
}

pub async fn name(conn: &mut Conn, id: TenantId) -> Result<String, StoreError> {
    query_scalar("SELECT name FROM tenants WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(conn)
        .await
}

pub async fn get(conn: &mut Conn, id: TenantId) -> Result<Tenant, StoreError> {
    let row = query("SELECT id, name, sandbox, webhook_url, created_at FROM tenants WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(conn)
        .await?;
    tenant_from_row(&row)
}

/// Records that a key was used (callers throttle this to once a minute per key).
pub async fn touch_api_key(conn: &mut Conn, id: ApiKeyId, at: Timestamp) -> Result<(), StoreError> {
    query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
        .bind(at.canonical())
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// The secrets a tenant's webhooks are signed with: the current one, and during a rotation the
/// previous one with when it was replaced.
pub struct WebhookSecrets {
    pub current: String,
    pub previous: Option<String>,
    pub rotated_at: Option<Timestamp>,
}

pub async fn webhook_secrets(conn: &mut Conn, id: TenantId) -> Result<WebhookSecrets, StoreError> {
    let row = query(
        "SELECT webhook_secret, previous_webhook_secret, webhook_secret_rotated_at FROM tenants WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_one(conn)
    .await?;
    Ok(WebhookSecrets {
        current: row.try_get("webhook_secret")?,
        previous: row.try_get("previous_webhook_secret")?,
        rotated_at: super::rows::parsed_opt(&row, "webhook_secret_rotated_at")?,
    })
}

/// Installs a new secret; the current one becomes the previous one.
pub async fn rotate_webhook_secret(
    conn: &mut Conn,
    id: TenantId,
    secret: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let done = query(
        "UPDATE tenants SET previous_webhook_secret = webhook_secret, webhook_secret = $2,
                webhook_secret_rotated_at = $3, version = version + 1
         WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(secret)
    .bind(at.canonical())
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Sets (or clears) the tenant's default webhook URL.
pub async fn set_webhook_url(
    conn: &mut Conn,
    id: TenantId,
    url: Option<&str>,
) -> Result<(), StoreError> {
    let done = query("UPDATE tenants SET webhook_url = $2, version = version + 1 WHERE id = $1")
        .bind(id.to_string())
        .bind(url)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
