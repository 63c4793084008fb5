//! Result rows and the Rust types read from their columns.

use std::sync::Arc;

use sqlx::any::AnyRow;

use super::super::StoreError;

/// One result row.
pub struct Row(Inner);

enum Inner {
    Sqlite {
        columns: Arc<[String]>,
        values: Vec<Value>,
    },
    Any(AnyRow),
}

/// A SQLite value, owned.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "INTEGER",
            Value::Real(_) => "REAL",
            Value::Text(_) => "TEXT",
            Value::Blob(_) => "BLOB",
        }
    }
}

impl From<rusqlite::types::ValueRef<'_>> for Value {
    fn from(value: rusqlite::types::ValueRef<'_>) -> Self {
        use rusqlite::types::ValueRef;
        match value {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(n) => Value::Int(n),
            ValueRef::Real(x) => Value::Real(x),
            // Valid UTF-8 is the rule; checking it whole is several times faster than the lossy path.
            ValueRef::Text(bytes) => Value::Text(match std::str::from_utf8(bytes) {
                Ok(text) => text.to_owned(),
                Err(_) => String::from_utf8_lossy(bytes).into_owned(),
            }),
            ValueRef::Blob(bytes) => Value::Blob(bytes.to_vec()),
        }
    }
}

impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Inner::Sqlite { columns, values } => {
                f.debug_map().entries(columns.iter().zip(values)).finish()
            }
            Inner::Any(row) => write!(f, "Row({} columns)", sqlx::Row::len(row)),
        }
    }
}

impl Row {
    pub(super) fn sqlite(columns: Arc<[String]>, values: Vec<Value>) -> Row {
        Row(Inner::Sqlite { columns, values })
    }

    pub(super) fn any(row: AnyRow) -> Row {
        Row(Inner::Any(row))
    }

    /// The named column's value.
    pub fn try_get<T: FromDb>(&self, column: &str) -> Result<T, StoreError> {
        match &self.0 {
            Inner::Sqlite { columns, values } => {
                let index = columns
                    .iter()
                    .position(|name| name == column)
                    .ok_or_else(|| StoreError::Database(format!("no column {column}")))?;
                T::from_value(&values[index])
                    .map_err(|found| mismatch::<T>(column, found.type_name()))
            }
            Inner::Any(row) => Ok(T::from_any(row, Column::Name(column))?),
        }
    }

    /// Moves the named column's value out of the row (bulk reads: no copy on SQLite); reading the
    /// same column again gives NULL.
    pub fn take<T: FromDb>(&mut self, column: &str) -> Result<T, StoreError> {
        match &mut self.0 {
            Inner::Sqlite { columns, values } => {
                let index = columns
                    .iter()
                    .position(|name| name == column)
                    .ok_or_else(|| StoreError::Database(format!("no column {column}")))?;
                let value = std::mem::replace(&mut values[index], Value::Null);
                T::from_owned(value).map_err(|found| mismatch::<T>(column, found.type_name()))
            }
            Inner::Any(row) => Ok(T::from_any(row, Column::Name(column))?),
        }
    }

    /// The value of the column at `index` (0-based).
    pub fn try_get_at<T: FromDb>(&self, index: usize) -> Result<T, StoreError> {
        match &self.0 {
            Inner::Sqlite { values, .. } => {
                let value = values
                    .get(index)
                    .ok_or_else(|| StoreError::Database(format!("no column {index}")))?;
                T::from_value(value)
                    .map_err(|found| mismatch::<T>(&index.to_string(), found.type_name()))
            }
            Inner::Any(row) => Ok(T::from_any(row, Column::Index(index))?),
        }
    }
}

fn mismatch<T>(column: &str, found: &str) -> StoreError {
    StoreError::Database(format!(
        "column {column}: cannot read {found} as {}",
        std::any::type_name::<T>()
    ))
}

/// A column by name or position, for sqlx rows.
#[derive(Debug, Clone, Copy)]
pub enum Column<'a> {
    Name(&'a str),
    Index(usize),
}

/// A Rust type read from one column.
pub trait FromDb: Sized {
    /// From a SQLite value; `Err` gives back the value that does not fit.
    fn from_value(value: &Value) -> Result<Self, &Value>;
    /// From a SQLite value taken out of its row.
    fn from_owned(value: Value) -> Result<Self, Value> {
        match Self::from_value(&value) {
            Ok(read) => Ok(read),
            Err(_) => Err(value),
        }
    }
    fn from_any(row: &AnyRow, column: Column<'_>) -> Result<Self, sqlx::Error>;
}

fn any_get<'r, T>(row: &'r AnyRow, column: Column<'_>) -> Result<T, sqlx::Error>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row as _;
    match column {
        Column::Name(name) => row.try_get(name),
        Column::Index(index) => row.try_get(index),
    }
}

impl FromDb for String {
    fn from_value(value: &Value) -> Result<Self, &Value> {
        match value {
            Value::Text(text) => Ok(text.clone()),
            other => Err(other),
        }
    }
    fn from_owned(value: Value) -> Result<Self, Value> {
        match value {
            Value::Text(text) => Ok(text),
            other => Err(other),
        }
    }
    fn from_any(row: &AnyRow, column: Column<'_>) -> Result<Self, sqlx::Error> {
        any_get(row, column)
    }
}

impl FromDb for i64 {
    fn from_value(value: &Value) -> Result<Self, &Value> {
        match value {
            Value::Int(n) => Ok(*n),
            other => Err(other),
        }
    }
    fn from_any(row: &AnyRow, column: Column<'_>) -> Result<Self, sqlx::Error> {
        any_get(row, column)
    }
}

impl FromDb for f64 {
    fn from_value(value: &Value) -> Result<Self, &Value> {
        match value {
            Value::Real(x) => Ok(*x),
            // SQLite stores a REAL without a fraction as an integer where the column has no REAL affinity.
            Value::Int(n) => Ok(*n as f64),
            other => Err(other),
        }
    }
    fn from_any(row: &AnyRow, column: Column<'_>) -> Result<Self, sqlx::Error> {
        any_get(row, column)
    }
}

impl FromDb for Vec<u8> {
    fn from_value(value: &Value) -> Result<Self, &Value> {
        match value {
            Value::Blob(bytes) => Ok(bytes.clone()),
            other => Err(other),
        }
    }
    fn from_any(row: &AnyRow, column: Column<'_>) -> Result<Self, sqlx::Error> {
        any_get(row, column)
    }
}

impl<T: FromDb> FromDb for Option<T> {
    fn from_value(value: &Value) -> Result<Self, &Value> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
    fn from_owned(value: Value) -> Result<Self, Value> {
        match value {
            Value::Null => Ok(None),
            other => T::from_owned(other).map(Some),
        }
    }
    fn from_any(row: &AnyRow, column: Column<'_>) -> Result<Self, sqlx::Error> {
        use sqlx::{Row as _, ValueRef as _};
        let index = match column {
            Column::Name(name) => {
                use sqlx::ColumnIndex;
                name.index(row)?
            }
            Column::Index(index) => index,
        };
        if row.try_get_raw(index)?.is_null() {
            Ok(None)
        } else {
            T::from_any(row, Column::Index(index)).map(Some)
        }
    }
}

/// A whole row read as one value (tuples of columns, by position).
pub trait FromRow: Sized {
    fn from_row(row: &Row) -> Result<Self, StoreError>;
}

macro_rules! tuple_from_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: FromDb),+> FromRow for ($($t,)+) {
            fn from_row(row: &Row) -> Result<Self, StoreError> {
                Ok(($(row.try_get_at::<$t>($i)?,)+))
            }
        }
    };
}

tuple_from_row!(A 0);
tuple_from_row!(A 0, B 1);
tuple_from_row!(A 0, B 1, C 2);
tuple_from_row!(A 0, B 1, C 2, D 3);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5);
