//! Staff accounts: created by the CLI or by admins, managed by admins, passwords changed by their owners.

use serde_json::json;

use super::{Ctx, ServiceError, Services, passwords};
use crate::domain::audit::AuditSubject;
use crate::domain::ids::StaffUserId;
use crate::domain::password::Password;
use crate::domain::permission::Permission;
use crate::domain::staff::{Role, Roles, StaffUser};
use crate::domain::time::Timestamp;
use crate::domain::validate::Invalid;
use crate::domain::validate::contact::Email;
use crate::store::{self, StoreError, Tx};

pub struct NewStaffUser {
    pub email: Email,
    pub roles: Roles,
    pub password: Password,
    /// A password someone else chose must be replaced at the first sign-in.
    pub must_change_password: bool,
}

async fn insert_user(
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
        must_change_password: new.must_change_password,
        session_epoch: 0,
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
    store::audit::append(&mut tx, &event);
    tx.commit().await?;
    Ok(user)
}

/// Creates an active staff user with a chosen password (CLI, demo).
pub async fn create_user(
    services: &Services,
    ctx: &Ctx,
    new: NewStaffUser,
) -> Result<StaffUser, ServiceError> {
    ctx.require(services, Permission::Administer, "staff_user.create")
        .await?;
    insert_user(services, ctx, new).await
}

/// Creates a staff user with a one-time password that must be changed at the first sign-in.
/// The password is returned once and stored only as a hash.
pub async fn invite(
    services: &Services,
    ctx: &Ctx,
    email: Email,
    roles: Roles,
) -> Result<(StaffUser, String), ServiceError> {
    ctx.require(services, Permission::Administer, "staff_user.create")
        .await?;
    let one_time = passwords::generate_one_time();
    let password = Password::parse(&one_time)?;
    let user = insert_user(
        services,
        ctx,
        NewStaffUser {
            email,
            roles,
            password,
            must_change_password: true,
        },
    )
    .await?;
    Ok((user, one_time))
}

pub async fn list(services: &Services, ctx: &Ctx) -> Result<Vec<StaffUser>, ServiceError> {
    ctx.require(services, Permission::Administer, "staff_user.list")
        .await?;
    let mut conn = services.store.conn().await?;
    Ok(store::staff::list(&mut conn).await?)
}

/// Whether any staff user exists (the demo seeds only an empty database).
pub async fn any_exist(services: &Services) -> Result<bool, ServiceError> {
    let mut conn = services.store.conn().await?;
    Ok(store::staff::count(&mut conn).await? > 0)
}

/// Loads a user for an admin change, refusing a stale version.
async fn load_for_change(
    tx: &mut Tx,
    id: StaffUserId,
    version: i64,
) -> Result<StaffUser, ServiceError> {
    let user = match store::staff::get(tx, id).await {
        Err(StoreError::NotFound) => return Err(ServiceError::NotFound("staff user")),
        other => other?,
    };
    if user.version != version {
        return Err(ServiceError::Stale);
    }
    Ok(user)
}

fn refuse_self(ctx: &Ctx, id: StaffUserId, what: &str) -> Result<(), ServiceError> {
    if ctx.staff.as_ref().is_some_and(|staff| staff.id == id) {
        return Err(ServiceError::Invalid(Invalid {
            code: "self_change_refused",
            message: format!("you cannot {what} your own account; ask another admin"),
        }));
    }
    Ok(())
}

/// Saves an admin change with its audit event; bumping the epoch ends the user's sessions at once.
async fn save_change(
    tx: &mut Tx,
    ctx: &Ctx,
    user: &mut StaffUser,
    action: &'static str,
    payload: serde_json::Value,
) -> Result<(), ServiceError> {
    user.session_epoch += 1;
    store::staff::update(tx, user).await?;
    store::audit::append(
        tx,
        &ctx.event(action, AuditSubject::new("staff_user", user.id), payload),
    );
    Ok(())
}

pub async fn set_active(
    services: &Services,
    ctx: &Ctx,
    id: StaffUserId,
    version: i64,
    active: bool,
) -> Result<StaffUser, ServiceError> {
    let action = if active {
        "staff_user.reactivated"
    } else {
        "staff_user.deactivated"
    };
    ctx.require(services, Permission::Administer, action)
        .await?;
    if !active {
        refuse_self(ctx, id, "deactivate")?;
    }
    let mut tx = services.store.begin_write().await?;
    let mut user = load_for_change(&mut tx, id, version).await?;
    user.active = active;
    let payload = json!({"email": user.email.as_str()});
    save_change(&mut tx, ctx, &mut user, action, payload).await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn change_roles(
    services: &Services,
    ctx: &Ctx,
    id: StaffUserId,
    version: i64,
    roles: Roles,
) -> Result<StaffUser, ServiceError> {
    ctx.require(services, Permission::Administer, "staff_user.roles_changed")
        .await?;
    if !roles.contains(Role::Admin) {
        refuse_self(ctx, id, "remove the admin role from")?;
    }
    let mut tx = services.store.begin_write().await?;
    let mut user = load_for_change(&mut tx, id, version).await?;
    let before = user.roles.to_string();
    user.roles = roles;
    let payload = json!({"from": before, "to": user.roles.to_string()});
    save_change(&mut tx, ctx, &mut user, "staff_user.roles_changed", payload).await?;
    tx.commit().await?;
    Ok(user)
}

/// Removes a user's second factor (a lost phone) and ends their sessions. If MFA is required they
/// enrol again at their next sign-in.
pub async fn reset_mfa(
    services: &Services,
    ctx: &Ctx,
    id: StaffUserId,
    version: i64,
) -> Result<StaffUser, ServiceError> {
    ctx.require(services, Permission::Administer, "auth.mfa_reset")
        .await?;
    refuse_self(ctx, id, "reset the second factor of")?;
    let mut tx = services.store.begin_write().await?;
    let mut user = load_for_change(&mut tx, id, version).await?;
    let had_mfa = store::staff_mfa::remove(&mut tx, id).await?;
    let payload = json!({"email": user.email.as_str(), "had_mfa": had_mfa});
    save_change(&mut tx, ctx, &mut user, "auth.mfa_reset", payload).await?;
    tx.commit().await?;
    Ok(user)
}

/// Replaces a user's password with a one-time one (returned once) that must be changed at next sign-in.
pub async fn reset_password(
    services: &Services,
    ctx: &Ctx,
    id: StaffUserId,
    version: i64,
) -> Result<(StaffUser, String), ServiceError> {
    ctx.require(
        services,
        Permission::Administer,
        "staff_user.password_reset",
    )
    .await?;
    let one_time = passwords::generate_one_time();
    let hash = passwords::hash(&Password::parse(&one_time)?).await?;
    let mut tx = services.store.begin_write().await?;
    let mut user = load_for_change(&mut tx, id, version).await?;
    user.password_hash = hash;
    user.must_change_password = true;
    user.failed_logins = 0;
    user.locked_until = None;
    save_change(
        &mut tx,
        ctx,
        &mut user,
        "staff_user.password_reset",
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok((user, one_time))
}

/// A user changes their own password after re-entering the current one. Other sessions of the user
/// end; the returned user carries the new epoch for the session that made the change.
pub async fn change_own_password(
    services: &Services,
    ctx: &Ctx,
    current: &str,
    new: &str,
) -> Result<StaffUser, ServiceError> {
    let mut conn = services.store.conn().await?;
    let user = store::staff::get(&mut conn, ctx.staff_id()?).await?;
    drop(conn);
    if !passwords::verify(current, Some(&user.password_hash)).await? {
        return Err(ServiceError::Invalid(Invalid {
            code: "wrong_password",
            message: "the current password is not correct".into(),
        }));
    }
    if new == current {
        return Err(ServiceError::Invalid(Invalid {
            code: "same_password",
            message: "the new password must differ from the current one".into(),
        }));
    }
    let password = Password::parse(new)?;
    if new
        .to_lowercase()
        .contains(&user.email.as_str().to_lowercase())
    {
        return Err(ServiceError::Invalid(Invalid {
            code: "contains_email",
            message: "the password must not contain your e-mail address".into(),
        }));
    }
    let hash = passwords::hash(&password).await?;
    let mut tx = services.store.begin_write().await?;
    let mut user = load_for_change(&mut tx, user.id, user.version).await?;
    user.password_hash = hash;
    user.must_change_password = false;
    save_change(
        &mut tx,
        ctx,
        &mut user,
        "staff_user.password_changed",
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}
