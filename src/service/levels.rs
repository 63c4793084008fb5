//! KYC levels.

use std::collections::HashSet;

use serde_json::json;

use super::{Ctx, ServiceError, Services};
use crate::domain::audit::AuditSubject;
use crate::domain::ids::LevelId;
use crate::domain::level::{ApplicantType, LevelVersion, Policy};
use crate::domain::requirement::Requirement;
use crate::domain::time::Timestamp;
use crate::domain::validate::Invalid;
use crate::store::{self, StoreError};

pub struct NewLevel {
    pub name: String,
    pub tier: i64,
    pub applicant_type: ApplicantType,
    pub requirements: Vec<Requirement>,
    pub policy: Policy,
    pub upgrades_to: Vec<LevelId>,
}

fn invalid(code: &'static str, message: &str) -> ServiceError {
    ServiceError::Invalid(Invalid {
        code,
        message: message.to_owned(),
    })
}

/// Creates a level with its first version.
pub async fn create(
    services: &Services,
    ctx: &Ctx,
    new: NewLevel,
) -> Result<LevelVersion, ServiceError> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid(
            "invalid_level_name",
            "a level name must be 1 to 100 characters",
        ));
    }
    if new.requirements.is_empty() {
        return Err(invalid(
            "no_requirements",
            "a level needs at least one requirement",
        ));
    }
    let mut keys = HashSet::new();
    if let Some(duplicate) = new
        .requirements
        .iter()
        .find(|r| !keys.insert(r.key.as_str()))
    {
        return Err(ServiceError::Invalid(Invalid {
            code: "duplicate_requirement_key",
            message: format!("requirement key {:?} is used twice", duplicate.key),
        }));
    }
    if new.policy.max_attempts < 1 {
        return Err(invalid(
            "invalid_max_attempts",
            "max attempts must be at least 1",
        ));
    }
    let level = LevelVersion {
        level_id: LevelId::generate(),
        version: 1,
        name: name.to_owned(),
        tier: new.tier,
        applicant_type: new.applicant_type,
        requirements: new.requirements,
        policy: new.policy,
        upgrades_to: new.upgrades_to,
        created_at: Timestamp::now(),
    };
    let mut tx = services.store.begin_write().await?;
    store::levels::insert(&mut tx, &level).await?;
    let event = ctx.event(
        "level.created",
        AuditSubject::new("level", level.level_id),
        json!({"name": level.name, "tier": level.tier, "version": level.version}),
    );
    store::audit::append(&mut tx, &event).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(level)
}

/// The current version of every active level.
pub async fn list_active(
    services: &Services,
    ctx: &Ctx,
) -> Result<Vec<LevelVersion>, ServiceError> {
    if ctx.tenant.is_none() {
        ctx.require(
            services,
            crate::domain::permission::Permission::ViewCases,
            "level.list",
        )
        .await?;
    }
    let mut conn = services.store.conn().await?;
    Ok(store::levels::list_active(&mut conn).await?)
}
