//! Staff TOTP enrolments and recovery codes.

use super::db::{query, query_scalar};
use super::rows::parsed_opt;
use super::{Conn, StoreError};
use crate::domain::ids::StaffUserId;
use crate::domain::time::Timestamp;

/// A user's TOTP enrolment as stored: the base32 secret, whether it was confirmed, the last step used.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret: String,
    pub confirmed_at: Option<Timestamp>,
    pub last_used_step: Option<i64>,
}

pub async fn get(conn: &mut Conn, user: StaffUserId) -> Result<Option<Enrolment>, StoreError> {
    let row = query(
        "SELECT secret, confirmed_at, last_used_step FROM staff_mfa WHERE staff_user_id = $1",
    )
    .bind(user.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        Ok(Enrolment {
            secret: row.try_get("secret")?,
            confirmed_at: parsed_opt(&row, "confirmed_at")?,
            last_used_step: row.try_get("last_used_step")?,
        })
    })
    .transpose()
}

/// Starts (or restarts) an unconfirmed enrolment; `false` when a confirmed one exists (it is kept).
pub async fn start(
    conn: &mut Conn,
    user: StaffUserId,
    secret: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let done = query(
        "INSERT INTO staff_mfa (staff_user_id, secret, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (staff_user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at
         WHERE staff_mfa.confirmed_at IS NULL",
    )
    .bind(user.to_string())
    .bind(secret)
    .bind(at.canonical())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Confirms the enrolment in progress with the step of its first good code; `false` if there was
/// none to confirm (already confirmed by a concurrent request, or reset).
pub async fn confirm(
    conn: &mut Conn,
    user: StaffUserId,
    step: i64,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let done = query(
        "UPDATE staff_mfa SET confirmed_at = $2, last_used_step = $3
         WHERE staff_user_id = $1 AND confirmed_at IS NULL",
    )
    .bind(user.to_string())
    .bind(at.canonical())
    .bind(step)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks `step` used if no later or equal step was: `false` means the code was already used (a
/// replay, or a concurrent request with the same code won).
pub async fn use_step(conn: &mut Conn, user: StaffUserId, step: i64) -> Result<bool, StoreError> {
    let done = query(
        "UPDATE staff_mfa SET last_used_step = $2
         WHERE staff_user_id = $1 AND confirmed_at IS NOT NULL
           AND (last_used_step IS NULL OR last_used_step < $2)",
    )
    .bind(user.to_string())
    .bind(step)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the user's recovery codes with these digests.
pub async fn replace_recovery_codes(
    conn: &mut Conn,
    user: StaffUserId,
    digests: &[String],
) -> Result<(), StoreError> {
    query("DELETE FROM staff_recovery_codes WHERE staff_user_id = $1")
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    for digest in digests {
        query("INSERT INTO staff_recovery_codes (staff_user_id, code_sha256) VALUES ($1, $2)")
            .bind(user.to_string())
            .bind(digest)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Uses up the recovery code with this digest; `false` when there is no such unused code.
pub async fn use_recovery_code(
    conn: &mut Conn,
    user: StaffUserId,
    digest: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let done = query(
        "UPDATE staff_recovery_codes SET used_at = $3
         WHERE staff_user_id = $1 AND code_sha256 = $2 AND used_at IS NULL",
    )
    .bind(user.to_string())
    .bind(digest)
    .bind(at.canonical())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn recovery_codes_left(conn: &mut Conn, user: StaffUserId) -> Result<i64, StoreError> {
    query_scalar(
        "SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_user_id = $1 AND used_at IS NULL",
    )
    .bind(user.to_string())
    .fetch_one(conn)
    .await
}

/// The users with a confirmed enrolment (for the admin's user list).
pub async fn enrolled_users(conn: &mut Conn) -> Result<Vec<StaffUserId>, StoreError> {
    let ids: Vec<String> =
        query_scalar("SELECT staff_user_id FROM staff_mfa WHERE confirmed_at IS NOT NULL")
            .fetch_all(conn)
            .await?;
    ids.iter()
        .map(|id| {
            id.parse().map_err(|_| StoreError::Corrupt {
                column: "staff_user_id",
                value: id.clone(),
            })
        })
        .collect()
}

/// Removes the user's enrolment and recovery codes; `true` if there was an enrolment.
pub async fn remove(conn: &mut Conn, user: StaffUserId) -> Result<bool, StoreError> {
    query("DELETE FROM staff_recovery_codes WHERE staff_user_id = $1")
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    let done = query("DELETE FROM staff_mfa WHERE staff_user_id = $1")
        .bind(user.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
