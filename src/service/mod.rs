//! Use cases. Each owns its transaction: load, check, apply the domain rule, save, append the audit
//! event, enqueue the outbox message, commit. The web UI, the API and the CLI all call these.

pub mod api_keys;
pub mod applicants;
pub mod applications;
pub mod audit;
pub mod auth;
pub mod cases;
mod ctx;
pub mod dashboard;
pub mod decisions;
pub mod documents;
mod error;
pub mod idempotency;
pub mod intake;
pub mod levels;
pub mod passwords;
pub mod queue;
pub mod staff;
pub mod tenants;

use std::sync::Arc;

pub use ctx::{Ctx, RequestMeta, StaffPrincipal, TenantPrincipal};
pub use error::{FieldError, ServiceError};

use crate::blobs::BlobStore;
use crate::domain::audit::NewAuditEvent;
use crate::store::{self, Store, StoreError};

/// What the use cases work with.
#[derive(Clone, Debug)]
pub struct Services {
    pub store: Store,
    pub blobs: Arc<dyn BlobStore>,
}

/// Appends one audit event in a transaction of its own: for reads, refusals and sign-in attempts,
/// which change nothing else.
pub(crate) async fn record(services: &Services, event: &NewAuditEvent) -> Result<(), ServiceError> {
    let mut tx = services.store.begin_write().await?;
    store::audit::append(&mut tx, event).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
