//! Use cases. Each owns its transaction: load, check, apply the domain rule, save, append the audit
//! event, enqueue the outbox message, commit. The web UI, the API and the CLI all call these.

mod announce;
pub mod api_keys;
pub mod applicants;
pub mod applications;
pub mod audit;
pub mod auth;
pub mod case_export;
pub mod cases;
mod ctx;
pub mod dashboard;
pub mod decisions;
mod decoding;
pub mod documents;
mod error;
pub mod exports;
pub mod idempotency;
pub mod intake;
pub mod jobs;
pub mod levels;
pub mod mfa;
pub mod passwords;
pub mod pipeline;
pub mod provider_callbacks;
pub mod queue;
pub mod retention;
mod retry;
pub mod signatures;
pub mod staff;
pub mod tenants;
pub mod webhooks;

use std::sync::Arc;

pub use ctx::{Ctx, RequestMeta, StaffPrincipal, TenantPrincipal};
pub use error::{FieldError, ServiceError};

use crate::blobs::BlobStore;
use crate::config::{ProviderConfig, WorkerConfig};
use crate::domain::audit::NewAuditEvent;
use crate::providers::Providers;
use crate::store::{self, Store};
use crate::webhooks::sender::WebhookSender;
pub use signatures::CodeSender;

/// What the use cases work with.
#[derive(Clone, Debug)]
pub struct Services {
    pub store: Store,
    pub blobs: Arc<dyn BlobStore>,
    pub providers: Providers,
    pub webhooks: WebhookSender,
    pub codes: Arc<dyn CodeSender>,
    pub settings: Arc<Settings>,
}

/// Configuration the use cases need.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub worker: WorkerConfig,
    /// Where providers call back (`{public_url}/api/v1/provider-webhooks/{provider}`).
    pub public_url: Option<String>,
    pub providers: ProviderConfig,
}

/// Appends one audit event in a transaction of its own: for reads, refusals and sign-in attempts,
/// which change nothing else.
pub(crate) async fn record(services: &Services, event: &NewAuditEvent) -> Result<(), ServiceError> {
    retry::on_contention(services, "audit.record", || async {
        let mut tx = services.store.begin_write().await?;
        store::audit::append(&mut tx, event);
        tx.commit().await?;
        Ok(())
    })
    .await
}
