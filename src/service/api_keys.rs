//! Authenticating tenant integrations by API key.

use chrono::Duration;

use super::{ServiceError, Services};
use crate::domain::tenant::{ApiKey, Tenant, api_key_hash};
use crate::domain::time::Timestamp;
use crate::store::{self, StoreError};

/// `last_used_at` is written at most this often per key, so busy integrations do not write on every call.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// The key and tenant behind a bearer secret; `None` for an unknown or revoked key.
pub async fn authenticate(
    services: &Services,
    secret: &str,
) -> Result<Option<(ApiKey, Tenant)>, ServiceError> {
    let mut conn = services.store.conn().await?;
    let key = match store::tenants::find_active_key(&mut conn, &api_key_hash(secret)).await {
        Ok(key) => key,
        Err(StoreError::NotFound) => return Ok(None),
        Err(other) => return Err(other.into()),
    };
    let tenant = store::tenants::get(&mut conn, key.tenant_id).await?;
    drop(conn);
    let now = Timestamp::now();
    if key
        .last_used_at
        .is_none_or(|used| used.plus(Duration::seconds(TOUCH_EVERY_SECONDS)) <= now)
    {
        store::tenants::touch_api_key(&mut *services.store.write_conn().await?, key.id, now)
            .await?;
    }
    Ok(Some((key, tenant)))
}
