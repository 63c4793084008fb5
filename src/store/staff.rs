//! Staff users.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::rows::{flag, parsed, parsed_opt, timestamp};
use super::{Conn, StoreError};
use crate::domain::staff::StaffUser;

pub async fn insert(conn: &mut Conn, user: &StaffUser) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO staff_users (id, email, password_hash, roles, active, failed_logins, locked_until,
                                  must_change_password, created_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(user.id.to_string())
    .bind(user.email.as_str())
    .bind(&user.password_hash)
    .bind(user.roles.to_string())
    .bind(i64::from(user.active))
    .bind(user.failed_logins)
    .bind(user.locked_until.map(|t| t.canonical()))
    .bind(i64::from(user.must_change_password))
    .bind(user.created_at.canonical())
    .bind(user.version)
    .execute(conn)
    .await?;
    Ok(())
}

fn from_row(row: &AnyRow) -> Result<StaffUser, StoreError> {
    Ok(StaffUser {
        id: parsed(row, "id")?,
        email: crate::domain::validate::contact::Email::parse(&row.try_get::<String, _>("email")?)
            .map_err(|e| StoreError::Corrupt {
                column: "email",
                value: e.message,
            })?,
        password_hash: row.try_get("password_hash")?,
        roles: parsed(row, "roles")?,
        active: flag(row, "active")?,
        failed_logins: row.try_get("failed_logins")?,
        locked_until: parsed_opt(row, "locked_until")?,
        must_change_password: flag(row, "must_change_password")?,
        created_at: timestamp(row, "created_at")?,
        version: row.try_get("version")?,
    })
}

const COLUMNS: &str = "id, email, password_hash, roles, active, failed_logins, locked_until, must_change_password, created_at, version";

pub async fn find_by_email(conn: &mut Conn, email: &str) -> Result<StaffUser, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM staff_users WHERE email = $1"
    ))
    .bind(email)
    .fetch_one(conn)
    .await?;
    from_row(&row)
}

pub async fn count(conn: &mut Conn) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM staff_users")
        .fetch_one(conn)
        .await?)
}
