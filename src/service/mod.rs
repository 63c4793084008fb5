//! Use cases. Each owns its transaction: load, check, apply the domain rule, save, append the audit
//! event, enqueue the outbox message, commit. The web UI, the API and the CLI all call these.

pub mod audit;
mod error;
pub mod levels;
pub mod passwords;
pub mod staff;
pub mod tenants;

use std::sync::Arc;

pub use error::ServiceError;

use crate::blobs::BlobStore;
use crate::domain::audit::{AuditActor, AuditSubject, NewAuditEvent};
use crate::store::Store;

/// What the use cases work with.
#[derive(Clone, Debug)]
pub struct Services {
    pub store: Store,
    pub blobs: Arc<dyn BlobStore>,
}

/// Who is acting and from where: every audit event carries it.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: AuditActor,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

impl Ctx {
    /// The platform acting on its own (the CLI, the demo seeder).
    pub fn system(component: &str) -> Self {
        Self {
            actor: AuditActor::system(component),
            request_id: None,
            client_ip: None,
        }
    }

    /// An audit event by this actor.
    pub fn event(
        &self,
        action: &'static str,
        subject: AuditSubject,
        payload: serde_json::Value,
    ) -> NewAuditEvent {
        let mut event = NewAuditEvent::new(self.actor.clone(), action, subject, payload);
        event.request_id = self.request_id.clone();
        event.client_ip = self.client_ip.clone();
        event
    }
}
