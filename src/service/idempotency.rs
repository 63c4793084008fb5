//! `Idempotency-Key` on tenant POSTs: the same key and request replays the first response; the same
//! key with another request is refused. Keys live 24 hours per tenant.

use chrono::Duration;
use sha2::{Digest, Sha256};

use super::{Ctx, ServiceError, Services};
use crate::domain::time::Timestamp;
use crate::store;

/// How long a key is remembered.
const KEPT_HOURS: i64 = 24;

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// First use: run it, then `complete`.
    Run,
    /// The same request ran before: answer with this.
    Replay { status: u16, body: String },
    /// The key was used for a different request.
    Reused,
    /// The first request with this key has not finished.
    InFlight,
}

/// A fingerprint of the request the key is bound to.
pub fn request_hash(method: &str, path: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    for part in [method.as_bytes(), b"\n", path.as_bytes(), b"\n", body] {
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

pub async fn begin(
    services: &Services,
    ctx: &Ctx,
    key: &str,
    hash: &str,
) -> Result<Begin, ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let now = Timestamp::now();
    let mut conn = services.store.write_conn().await?;
    let stored = store::idempotency::claim(
        &mut conn,
        tenant.id,
        key,
        hash,
        now,
        now.plus(Duration::hours(-KEPT_HOURS)),
    )
    .await?;
    Ok(match stored {
        None => Begin::Run,
        Some(stored) if stored.request_hash != hash => Begin::Reused,
        Some(stored) if stored.status == 0 => Begin::InFlight,
        Some(stored) => Begin::Replay {
            status: u16::try_from(stored.status).unwrap_or(200),
            body: stored.response_body.unwrap_or_default(),
        },
    })
}

/// Stores the first response; a server error frees the key instead, so a retry runs again.
pub async fn complete(
    services: &Services,
    ctx: &Ctx,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let mut conn = services.store.write_conn().await?;
    if status >= 500 {
        store::idempotency::release(&mut conn, tenant.id, key).await?;
    } else {
        store::idempotency::complete(&mut conn, tenant.id, key, i64::from(status), body).await?;
    }
    Ok(())
}

/// Forgets keys older than 24 hours.
pub async fn purge_expired(services: &Services) -> Result<u64, ServiceError> {
    let mut conn = services.store.write_conn().await?;
    Ok(store::idempotency::purge(
        &mut conn,
        Timestamp::now().plus(Duration::hours(-KEPT_HOURS)),
    )
    .await?)
}
