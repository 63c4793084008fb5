//! Tenants and their API keys.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::rows::{flag, parsed, parsed_opt, timestamp};
use super::{Conn, StoreError};
use crate::domain::tenant::{ApiKey, Tenant};

pub async fn insert(
    conn: &mut Conn,
    tenant: &Tenant,
    webhook_secret: &str,
) -> Result<(), StoreError> {
    sqlx::query(
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

fn tenant_from_row(row: &AnyRow) -> Result<Tenant, StoreError> {
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
        sqlx::query("SELECT id, name, sandbox, webhook_url, created_at FROM tenants ORDER BY name")
            .fetch_all(conn)
            .await?;
    rows.iter().map(tenant_from_row).collect()
}

pub async fn insert_api_key(
    conn: &mut Conn,
    key: &ApiKey,
    key_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query(
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
    let row = sqlx::query(
        "SELECT id, tenant_id, prefix, created_at, revoked_at, last_used_at FROM api_keys
         WHERE key_hash = $1 AND revoked_at IS NULL",
    )
    .bind(key_hash)
    .fetch_one(conn)
    .await?;
    Ok(ApiKey {
        id: parsed(&row, "id")?,
        tenant_id: parsed(&row, "tenant_id")?,
        prefix: row.try_get("prefix")?,
        created_at: timestamp(&row, "created_at")?,
        revoked_at: parsed_opt(&row, "revoked_at")?,
        last_used_at: parsed_opt(&row, "last_used_at")?,
    })
}

pub async fn name(conn: &mut Conn, id: crate::domain::ids::TenantId) -> Result<String, StoreError> {
    Ok(sqlx::query_scalar("SELECT name FROM tenants WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(conn)
        .await?)
}

pub async fn get(conn: &mut Conn, id: crate::domain::ids::TenantId) -> Result<Tenant, StoreError> {
    let row =
        sqlx::query("SELECT id, name, sandbox, webhook_url, created_at FROM tenants WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(conn)
            .await?;
    tenant_from_row(&row)
}

/// Records that a key was used (callers throttle this to once a minute per key).
pub async fn touch_api_key(
    conn: &mut Conn,
    id: crate::domain::ids::ApiKeyId,
    at: crate::domain::time::Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
        .bind(at.canonical())
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}
