//! Staff users.

use super::db::{Row, query, query_scalar};
use super::rows::{flag, parsed, parsed_opt, timestamp};
use super::{Backend, Conn, StoreError};
use crate::domain::ids::StaffUserId;
use crate::domain::sign_in::SignInAttempts;
use crate::domain::staff::StaffUser;
use crate::domain::validate::contact::Email;

const COLUMNS: &str =
    "id, email, password_hash, roles, active, failed_logins, locked_until, must_change_password,
    session_epoch, created_at, version";

pub async fn insert(conn: &mut Conn, user: &StaffUser) -> Result<(), StoreError> {
    query(&format!(
        "INSERT INTO staff_users ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(user.id.to_string())
    .bind(user.email.as_str())
    .bind(&user.password_hash)
    .bind(user.roles.to_string())
    .bind(i64::from(user.active))
    .bind(user.failed_logins)
    .bind(user.locked_until.map(|t| t.canonical()))
    .bind(i64::from(user.must_change_password))
    .bind(user.session_epoch)
    .bind(user.created_at.canonical())
    .bind(user.version)
    .execute(conn)
    .await?;
    Ok(())
}

/// Saves every mutable field if the row still has `user.version`, and bumps the version.
pub async fn update(conn: &mut Conn, user: &mut StaffUser) -> Result<(), StoreError> {
    let done = query(
        "UPDATE staff_users SET password_hash = $1, roles = $2, active = $3, failed_logins = $4, locked_until = $5,
                must_change_password = $6, session_epoch = $7, version = version + 1
         WHERE id = $8 AND version = $9",
    )
    .bind(&user.password_hash)
    .bind(user.roles.to_string())
    .bind(i64::from(user.active))
    .bind(user.failed_logins)
    .bind(user.locked_until.map(|t| t.canonical()))
    .bind(i64::from(user.must_change_password))
    .bind(user.session_epoch)
    .bind(user.id.to_string())
    .bind(user.version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::StaleVersion);
    }
    user.version += 1;
    Ok(())
}

fn from_row(row: &Row) -> Result<StaffUser, StoreError> {
    let email: String = row.try_get("email")?;
    Ok(StaffUser {
        id: parsed(row, "id")?,
        email: Email::parse(&email).map_err(|_| StoreError::Corrupt {
            column: "email",
            value: email,
        })?,
        password_hash: row.try_get("password_hash")?,
        roles: parsed(row, "roles")?,
        active: flag(row, "active")?,
        failed_logins: row.try_get("failed_logins")?,
        locked_until: parsed_opt(row, "locked_until")?,
        must_change_password: flag(row, "must_change_password")?,
        session_epoch: row.try_get("session_epoch")?,
        created_at: timestamp(row, "created_at")?,
        version: row.try_get("version")?,
    })
}

pub async fn find_by_email(conn: &mut Conn, email: &Email) -> Result<StaffUser, StoreError> {
    let row = query(&format!(
        "SELECT {COLUMNS} FROM staff_users WHERE email = $1"
    ))
    .bind(email.as_str())
    .fetch_one(conn)
    .await?;
    from_row(&row)
}

pub async fn get(conn: &mut Conn, id: StaffUserId) -> Result<StaffUser, StoreError> {
    let row = query(&format!("SELECT {COLUMNS} FROM staff_users WHERE id = $1"))
        .bind(id.to_string())
        .fetch_one(conn)
        .await?;
    from_row(&row)
}

/// All staff users by e-mail (a back-office has tens of them, not thousands).
pub async fn list(conn: &mut Conn) -> Result<Vec<StaffUser>, StoreError> {
    let rows = query(&format!("SELECT {COLUMNS} FROM staff_users ORDER BY email"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn count(conn: &mut Conn) -> Result<i64, StoreError> {
    query_scalar("SELECT COUNT(*) FROM staff_users")
        .fetch_one(conn)
        .await
}

/// The user's sign-in attempt counter, locked until the transaction ends (a row lock on PostgreSQL;
/// on SQLite the write transaction already excludes every other writer), so that reading and
/// updating it is one atomic step however many sign-ins run at once.
pub async fn lock_sign_in_attempts(
    conn: &mut Conn,
    id: StaffUserId,
) -> Result<SignInAttempts, StoreError> {
    let lock = match conn.backend() {
        Backend::Postgres => "FOR UPDATE",
        Backend::Sqlite => "",
    };
    let row = query(&format!(
        "SELECT failed_logins, locked_until FROM staff_users WHERE id = $1 {lock}"
    ))
    .bind(id.to_string())
    .fetch_one(conn)
    .await?;
    Ok(SignInAttempts {
        counted: row.try_get("failed_logins")?,
        locked_until: parsed_opt(&row, "locked_until")?,
    })
}

pub async fn save_sign_in_attempts(
    conn: &mut Conn,
    id: StaffUserId,
    attempts: SignInAttempts,
) -> Result<(), StoreError> {
    query(
        "UPDATE staff_users SET failed_logins = $1, locked_until = $2, version = version + 1 WHERE id = $3",
    )
    .bind(attempts.counted)
    .bind(attempts.locked_until.map(|t| t.canonical()))
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}
