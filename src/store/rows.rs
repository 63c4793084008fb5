//! Small helpers to turn row columns into domain types.

use std::str::FromStr;

use super::StoreError;
use super::db::Columns;
use crate::domain::time::Timestamp;

/// Reads a text column and parses it into a domain type; a value that does not parse is corruption.
pub fn parsed<T: FromStr>(row: &impl Columns, column: &'static str) -> Result<T, StoreError> {
    let text: String = row.try_get(column)?;
    text.parse().map_err(|_| StoreError::Corrupt {
        column,
        value: text,
    })
}

pub fn parsed_opt<T: FromStr>(
    row: &impl Columns,
    column: &'static str,
) -> Result<Option<T>, StoreError> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|text| {
        text.parse().map_err(|_| StoreError::Corrupt {
            column,
            value: text,
        })
    })
    .transpose()
}

pub fn json<T: serde::de::DeserializeOwned>(
    row: &impl Columns,
    column: &'static str,
) -> Result<T, StoreError> {
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text).map_err(|_| StoreError::Corrupt {
        column,
        value: text,
    })
}

pub fn json_opt<T: serde::de::DeserializeOwned>(
    row: &impl Columns,
    column: &'static str,
) -> Result<Option<T>, StoreError> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|text| {
        serde_json::from_str(&text).map_err(|_| StoreError::Corrupt {
            column,
            value: text,
        })
    })
    .transpose()
}

pub fn flag(row: &impl Columns, column: &'static str) -> Result<bool, StoreError> {
    Ok(row.try_get::<i64>(column)? != 0)
}

pub fn timestamp(row: &impl Columns, column: &'static str) -> Result<Timestamp, StoreError> {
    parsed(row, column)
}

/// Serializes a value the store keeps as JSON text.
pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Serializing our own plain data types cannot fail (no maps with non-string keys, no I/O).
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// A nullable float bound as text, for SQL that casts it back (`CAST($n AS DOUBLE PRECISION)`).
/// sqlx 0.8's Any driver sends a NULL f64 to PostgreSQL as float4, and the prepared statement then
/// refuses the next non-NULL f64; text has one type either way. Rust prints the shortest exact form.
pub fn float_text(value: Option<f64>) -> Option<String> {
    value.map(|v| v.to_string())
}
