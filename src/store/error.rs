//! Database errors mapped to what they mean for the caller.

use super::contention::Contention;

/// One error type for the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; names the constraint or the columns.
    #[error("already exists ({0})")]
    Duplicate(String),
    /// An optimistic-concurrency update found another version than the one it read.
    #[error("changed by someone else since it was read")]
    StaleVersion,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A stored value that does not parse into its domain type: data was changed behind our back.
    #[error("corrupt value in column {column}: {value:?}")]
    Corrupt { column: &'static str, value: String },
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The database gave up on this transaction to let a concurrent one through (a deadlock
    /// victim, a serialization failure): nothing was written, and running the whole use case
    /// again can succeed.
    #[error("transaction aborted by the database ({0}); it may be run again")]
    Contention(Contention),
    #[error("database error: {0}")]
    Database(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error
            && let Some(kind) = db.code().and_then(|code| Contention::of_sqlstate(&code))
        {
            return StoreError::Contention(kind);
        }
        match error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(
                db.constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| db.message().to_owned()),
            ),
            sqlx::Error::PoolTimedOut
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolClosed => StoreError::Unavailable(error.to_string()),
            other => StoreError::Database(other.to_string()),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ffi;
        match error {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            // SQLite names the columns in its message ("UNIQUE constraint failed: t.a, t.b"),
            // as sqlx reported it too.
            rusqlite::Error::SqliteFailure(failure, message)
                if matches!(
                    failure.extended_code,
                    ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                ) =>
            {
                StoreError::Duplicate(message.unwrap_or_else(|| failure.to_string()))
            }
            rusqlite::Error::SqliteFailure(failure, message)
                if matches!(
                    failure.code,
                    rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::NotADatabase
                ) =>
            {
                StoreError::Unavailable(message.unwrap_or_else(|| failure.to_string()))
            }
            other => StoreError::Database(other.to_string()),
        }
    }
}
