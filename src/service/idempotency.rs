//! `Idempotency-Key` on tenant POSTs: the same key and request replays the first response; the same
//! key with another request is refused. Keys live 24 hours per tenant.

use chrono::Duration;
use sha2::{Digest, Sha256};

use super::{Ctx, ServiceError, Services};
use crate::domain::time::Timestamp;
use crate::store;

/// How long a key is remembered.
const KEPT_HOURS: i64 = 24;

pub use store::idempotency::Claim;

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// First use, or a retry after the holder's lease ran out: run it `within` the claim, then
    /// `complete`.
    Run(Claim),
    /// The same request ran before: answer with this.
    Replay { status: u16, body: String },
    /// The key was used for a different request.
    Reused,
    /// The first request with this key has not finished, and its lease has not run out.
    InFlight,
    /// The first request's change was committed but its answer was lost (the process died
    /// between the two): it is not run again.
    AnswerLost,
}

/// A fingerprint of the request the key is bound to.
pub fn request_hash(method: &str, path: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    for part in [method.as_bytes(), b"\n", path.as_bytes(), b"\n", body] {
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

/// Claims the key for this request. `lease` is how long a running request holds it: the request
/// timeout, past which the holder is gone (dropped, or the process died) and a retry runs.
pub async fn begin(
    services: &Services,
    ctx: &Ctx,
    key: &str,
    hash: &str,
    lease: std::time::Duration,
) -> Result<Begin, ServiceError> {
    let tenant = ctx.tenant_scope()?;
    let claim = Claim {
        tenant: tenant.id,
        key: key.to_owned(),
        id: uuid::Uuid::now_v7().to_string(),
    };
    let now = Timestamp::now();
    let lease = Duration::from_std(lease).unwrap_or(Duration::hours(KEPT_HOURS));
    let mut conn = services.store.write_conn().await?;
    let stored = store::idempotency::claim(
        &mut conn,
        &claim,
        hash,
        now,
        now.plus(Duration::hours(-KEPT_HOURS)),
        now.plus(-lease),
    )
    .await?;
    Ok(match stored {
        None => Begin::Run(claim),
        Some(stored) if stored.request_hash != hash => Begin::Reused,
        Some(stored) if stored.lapsed && stored.applied => Begin::AnswerLost,
        Some(stored) if stored.status == 0 => Begin::InFlight,
        Some(stored) => Begin::Replay {
            status: u16::try_from(stored.status).unwrap_or(200),
            body: stored.response_body.unwrap_or_default(),
        },
    })
}

/// Runs the request as the holder of `claim` (its committed changes mark the claim applied).
pub async fn within<F: Future>(claim: Claim, work: F) -> F::Output {
    store::idempotency::within(claim, work).await
}

/// Stores the answer. A server error is not an answer to replay: it frees the key when the request
/// changed nothing (a retry runs again), and otherwise leaves the key applied but unanswered.
pub async fn complete(
    services: &Services,
    claim: &Claim,
    status: u16,
    body: &str,
) -> Result<(), ServiceError> {
    let mut conn = services.store.write_conn().await?;
    if status >= 500 {
        store::idempotency::release(&mut conn, claim).await?;
    } else {
        store::idempotency::complete(&mut conn, claim, i64::from(status), body).await?;
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
