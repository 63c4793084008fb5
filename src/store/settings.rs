//! Installation-wide settings admins change at run time (retention period, MFA requirement).

use super::db::{query, query_scalar};
use super::{Conn, StoreError};
use crate::domain::time::Timestamp;

pub async fn get(conn: &mut Conn, key: &str) -> Result<Option<String>, StoreError> {
    query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await
}

pub async fn set(conn: &mut Conn, key: &str, value: &str, at: Timestamp) -> Result<(), StoreError> {
    query("DELETE FROM settings WHERE key = $1")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)")
        .bind(key)
        .bind(value)
        .bind(at.canonical())
        .execute(conn)
        .await?;
    Ok(())
}
