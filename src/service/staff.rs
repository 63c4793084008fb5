//! Staff accounts.

use serde_json::json;

use super::{Ctx, ServiceError, Services, passwords};
use crate::domain::audit::AuditSubject;
use crate::domain::ids::StaffUserId;
use crate::domain::password::Password;
use crate::domain::staff::{Roles, StaffUser};
use crate::domain::time::Timestamp;
use crate::domain::validate::contact::Email;
use crate::store::{self, StoreError};

pub struct NewStaffUser {
    pub email: Email,
    pub roles: Roles,
    pub password: Password,
}

/// Creates an active staff user.
pub async fn create_user(
    services: &Services,
    ctx: &Ctx,
    new: NewStaffUser,
) -> Result<StaffUser, ServiceError> {
    let password_hash = passwords::hash(&new.password).await?;
    let user = StaffUser {
        id: StaffUserId::generate(),
        email: new.email,
        password_hash,
        roles: new.roles,
        active: true,
        failed_logins: 0,
        locked_until: None,
        must_change_password: false,
        created_at: Timestamp::now(),
        version: 1,
    };
    let mut tx = services.store.begin_write().await?;
    match store::staff::insert(&mut tx, &user).await {
        Err(StoreError::Duplicate(_)) => {
            return Err(ServiceError::Duplicate(
                "a staff user with this e-mail already exists",
            ));
        }
        other => other?,
    }
    let event = ctx.event(
        "staff_user.created",
        AuditSubject::new("staff_user", user.id),
        json!({"email": user.email.as_str(), "roles": user.roles.to_string()}),
    );
    store::audit::append(&mut tx, &event).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(user)
}

/// Whether any staff user exists (the demo seeds only an empty database).
pub async fn any_exist(services: &Services) -> Result<bool, ServiceError> {
    let mut conn = services
        .store
        .pool()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    Ok(store::staff::count(&mut conn).await? > 0)
}
