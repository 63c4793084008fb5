//! Verifying the audit chain.

use super::{ServiceError, Services};
use crate::domain::audit::{ChainAnchor, ChainBreak, ChainHead};
use crate::store;

/// Recomputes the chain. The outer error is a database problem; the inner one a broken chain.
pub async fn verify(
    services: &Services,
    anchor: Option<ChainAnchor>,
) -> Result<Result<ChainHead, ChainBreak>, ServiceError> {
    Ok(store::audit::verify(&services.store, anchor).await?)
}
