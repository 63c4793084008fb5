//! Levels and their immutable versions.

use super::db::{Row, query};
use super::rows::{json, parsed, timestamp, to_json};
use super::{Conn, StoreError};
use crate::domain::ids::LevelId;
use crate::domain::level::LevelVersion;

/// Inserts a new level with its first version.
pub async fn insert(conn: &mut Conn, level: &LevelVersion) -> Result<(), StoreError> {
    query("INSERT INTO levels (id, current_version, active, created_at, version) VALUES ($1, $2, 1, $3, 1)")
        .bind(level.level_id.to_string())
        .bind(level.version)
        .bind(level.created_at.canonical())
        .execute(&mut *conn)
        .await?;
    insert_version(conn, level).await
}

async fn insert_version(conn: &mut Conn, level: &LevelVersion) -> Result<(), StoreError> {
    query(
        "INSERT INTO level_versions (level_id, version, name, tier, applicant_type, requirements, policy, upgrades_to, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(level.level_id.to_string())
    .bind(level.version)
    .bind(&level.name)
    .bind(level.tier)
    .bind(level.applicant_type.as_str())
    .bind(to_json(&level.requirements))
    .bind(to_json(&level.policy))
    .bind(to_json(&level.upgrades_to))
    .bind(level.created_at.canonical())
    .execute(conn)
    .await?;
    Ok(())
}

fn from_row(row: &Row) -> Result<LevelVersion, StoreError> {
    Ok(LevelVersion {
        level_id: parsed(row, "level_id")?,
        version: row.try_get("version")?,
        name: row.try_get("name")?,
        tier: row.try_get("tier")?,
        applicant_type: parsed(row, "applicant_type")?,
        requirements: json(row, "requirements")?,
        policy: json(row, "policy")?,
        upgrades_to: json(row, "upgrades_to")?,
        created_at: timestamp(row, "created_at")?,
    })
}

pub async fn get_version(
    conn: &mut Conn,
    id: LevelId,
    version: i64,
) -> Result<LevelVersion, StoreError> {
    let row = query(
        "SELECT level_id, version, name, tier, applicant_type, requirements, policy, upgrades_to, created_at
         FROM level_versions WHERE level_id = $1 AND version = $2",
    )
    .bind(id.to_string())
    .bind(version)
    .fetch_one(conn)
    .await?;
    from_row(&row)
}

/// The current version of every active level, by tier.
pub async fn list_active(conn: &mut Conn) -> Result<Vec<LevelVersion>, StoreError> {
    let rows = query(
        "SELECT v.level_id, v.version, v.name, v.tier, v.applicant_type, v.requirements, v.policy, v.upgrades_to, v.created_at
         FROM levels l JOIN level_versions v ON v.level_id = l.id AND v.version = l.current_version
         WHERE l.active = 1 ORDER BY v.tier, v.name",
    )
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// The current version of a level, if the level exists and is active.
pub async fn current_active(conn: &mut Conn, id: LevelId) -> Result<LevelVersion, StoreError> {
    let row = query(
        "SELECT v.level_id, v.version, v.name, v.tier, v.applicant_type, v.requirements, v.policy, v.upgrades_to, v.created_at
         FROM levels l JOIN level_versions v ON v.level_id = l.id AND v.version = l.current_version
         WHERE l.id = $1 AND l.active = 1",
    )
    .bind(id.to_string())
    .fetch_one(conn)
    .await?;
    from_row(&row)
}

/// A level's current version with what admins see beside it.
pub struct LevelRow {
    pub current: LevelVersion,
    pub active: bool,
    /// The level row's own version, for optimistic updates.
    pub row_version: i64,
    /// Applications created on any version of it.
    pub applications: i64,
}

const CURRENT: &str = "SELECT v.level_id, v.version, v.name, v.tier, v.applicant_type, v.requirements, v.policy, v.upgrades_to, v.created_at,
            l.active, l.version AS row_version,
            (SELECT COUNT(*) FROM applications a WHERE a.level_id = l.id) AS applications
     FROM levels l JOIN level_versions v ON v.level_id = l.id AND v.version = l.current_version";

fn level_row(row: &Row) -> Result<LevelRow, StoreError> {
    Ok(LevelRow {
        current: from_row(row)?,
        active: super::rows::flag(row, "active")?,
        row_version: row.try_get("row_version")?,
        applications: row.try_get("applications")?,
    })
}

/// Every level, active or not, by tier and name.
pub async fn list_all(conn: &mut Conn) -> Result<Vec<LevelRow>, StoreError> {
    let rows = query(&format!("{CURRENT} ORDER BY v.tier, v.name"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(level_row).collect()
}

pub async fn get(conn: &mut Conn, id: LevelId) -> Result<LevelRow, StoreError> {
    let row = query(&format!("{CURRENT} WHERE l.id = $1"))
        .bind(id.to_string())
        .fetch_one(conn)
        .await?;
    level_row(&row)
}

/// Every version of a level, newest first.
pub async fn versions(conn: &mut Conn, id: LevelId) -> Result<Vec<LevelVersion>, StoreError> {
    let rows = query(
        "SELECT level_id, version, name, tier, applicant_type, requirements, policy, upgrades_to, created_at
         FROM level_versions WHERE level_id = $1 ORDER BY version DESC",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Saves a new version and makes it current, if the level is still at `row_version`.
pub async fn add_version(
    conn: &mut Conn,
    level: &LevelVersion,
    row_version: i64,
) -> Result<(), StoreError> {
    let done = query(
        "UPDATE levels SET current_version = $2, version = version + 1 WHERE id = $1 AND version = $3",
    )
    .bind(level.level_id.to_string())
    .bind(level.version)
    .bind(row_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::StaleVersion);
    }
    insert_version(conn, level).await
}

pub async fn set_active(conn: &mut Conn, id: LevelId, active: bool) -> Result<(), StoreError> {
    let done = query("UPDATE levels SET active = $2, version = version + 1 WHERE id = $1")
        .bind(id.to_string())
        .bind(i64::from(active))
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Removes a level no application uses (the foreign keys refuse it otherwise).
pub async fn delete(conn: &mut Conn, id: LevelId) -> Result<(), StoreError> {
    query("DELETE FROM level_versions WHERE level_id = $1")
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    query("DELETE FROM levels WHERE id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}
