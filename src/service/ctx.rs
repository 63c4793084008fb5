//! Who is acting, from where, and with which rights.

use serde_json::json;

use super::{ServiceError, Services};
use crate::domain::audit::{AuditActor, AuditSubject, NewAuditEvent};
use crate::domain::ids::{ApiKeyId, StaffUserId, TenantId};
use crate::domain::permission::{Permission, allows};
use crate::domain::staff::{Roles, StaffUser};
use crate::domain::tenant::Tenant;

/// Where a request came from, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

/// A signed-in staff member.
#[derive(Debug, Clone)]
pub struct StaffPrincipal {
    pub id: StaffUserId,
    pub email: String,
    pub roles: Roles,
}

/// A tenant integration, authenticated by one of its API keys.
#[derive(Debug, Clone)]
pub struct TenantPrincipal {
    pub id: TenantId,
    pub api_key: ApiKeyId,
    pub sandbox: bool,
}

/// The acting party of a use case. Staff are checked against the permission matrix; the platform
/// itself (CLI, demo seeder, worker) runs with an operator's authority.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: AuditActor,
    pub staff: Option<StaffPrincipal>,
    pub tenant: Option<TenantPrincipal>,
    pub meta: RequestMeta,
}

impl Ctx {
    /// The platform acting on its own (the CLI, the demo seeder).
    pub fn system(component: &str) -> Self {
        Self {
            actor: AuditActor::system(component),
            staff: None,
            tenant: None,
            meta: RequestMeta::default(),
        }
    }

    pub fn staff(user: &StaffUser, meta: RequestMeta) -> Self {
        Self {
            actor: AuditActor::staff(user.id),
            staff: Some(StaffPrincipal {
                id: user.id,
                email: user.email.as_str().to_owned(),
                roles: user.roles.clone(),
            }),
            tenant: None,
            meta,
        }
    }

    /// The acting staff member's id, for use cases only staff perform.
    pub fn staff_id(&self) -> Result<StaffUserId, ServiceError> {
        self.staff
            .as_ref()
            .map(|s| s.id)
            .ok_or(ServiceError::NotFound("staff user"))
    }

    /// A tenant integration acting through an API key.
    pub fn tenant(tenant: &Tenant, api_key: ApiKeyId, meta: RequestMeta) -> Self {
        Self {
            actor: AuditActor::api_key(api_key),
            staff: None,
            tenant: Some(TenantPrincipal {
                id: tenant.id,
                api_key,
                sandbox: tenant.sandbox,
            }),
            meta,
        }
    }

    /// The tenant acting, for tenant-scoped use cases; staff and the platform have none.
    pub fn tenant_scope(&self) -> Result<&TenantPrincipal, ServiceError> {
        self.tenant.as_ref().ok_or(ServiceError::NotFound("tenant"))
    }

    /// An audit event by this actor.
    pub fn event(
        &self,
        action: &'static str,
        subject: AuditSubject,
        payload: serde_json::Value,
    ) -> NewAuditEvent {
        let mut event = NewAuditEvent::new(self.actor.clone(), action, subject, payload);
        event.request_id = self.meta.request_id.clone();
        event.client_ip = self.meta.client_ip.clone();
        event
    }

    /// Whether this actor holds the permission (no side effects; for navigation and hints).
    pub fn can(&self, permission: Permission) -> bool {
        self.staff
            .as_ref()
            .is_none_or(|staff| allows(&staff.roles, permission))
    }

    /// Refuses with `Forbidden` unless this actor holds the permission; every refusal is audited.
    pub async fn require(
        &self,
        services: &Services,
        permission: Permission,
        attempted: &'static str,
    ) -> Result<(), ServiceError> {
        if self.can(permission) {
            return Ok(());
        }
        let event = self.event(
            "access.denied",
            AuditSubject::new("permission", permission),
            json!({"attempted": attempted, "permission": permission.as_str()}),
        );
        super::record(services, &event).await?;
        Err(ServiceError::Forbidden(permission))
    }
}
