//! Result rows and the Rust types read from their columns.

use std::borrow::Cow;
use std::sync::Arc;

use sqlx::any::AnyRow;

use super::super::StoreError;

/// One result row, owned.
pub struct Row(Owned);

enum Owned {
    Sqlite {
        columns: Arc<[String]>,
        values: Vec<Value>,
    },
    Any(AnyRow),
}

/// A row of a long read as the mapping function sees it: borrowed from the SQLite statement (no
/// copy of values the mapping does not keep), or an owned row.
pub enum RowRef<'r> {
    Statement {
        columns: &'r [String],
        row: &'r rusqlite::Row<'r>,
    },
    Row(&'r Row),
}

/// Reading columns by name, from a [`Row`] or a [`RowRef`].
pub trait Columns {
    fn try_get<T: FromDb>(&self, column: &str) -> Result<T, StoreError>;
}

/// A SQLite value, owned.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A SQLite value as a column gives it, text checked to be UTF-8.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(Cow<'a, str>),
    Blob(&'a [u8]),
}

impl ValueRef<'_> {
    fn type_name(&self) -> &'static str {
        match self {
            ValueRef::Null => "NULL",
            ValueRef::Int(_) => "INTEGER",
            ValueRef::Real(_) => "REAL",
            ValueRef::Text(_) => "TEXT",
            ValueRef::Blob(_) => "BLOB",
        }
    }
}

impl<'a> From<rusqlite::types::ValueRef<'a>> for ValueRef<'a> {
    fn from(value: rusqlite::types::ValueRef<'a>) -> Self {
        use rusqlite::types::ValueRef as Raw;
        match value {
            Raw::Null => ValueRef::Null,
            Raw::Integer(n) => ValueRef::Int(n),
            Raw::Real(x) => ValueRef::Real(x),
            // Valid UTF-8 is the rule; checking it whole is several times faster than the lossy path.
            Raw::Text(bytes) => ValueRef::Text(match std::str::from_utf8(bytes) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(bytes),
            }),
            Raw::Blob(bytes) => ValueRef::Blob(bytes),
        }
    }
}

impl From<ValueRef<'_>> for Value {
    fn from(value: ValueRef<'_>) -> Self {
        match value {
            ValueRef::Null => Value::Null,
            ValueRef::Int(n) => Value::Int(n),
            ValueRef::Real(x) => Value::Real(x),
            ValueRef::Text(text) => Value::Text(text.into_owned()),
            ValueRef::Blob(bytes) => Value::Blob(bytes.to_vec()),
        }
    }
}

impl Value {
    fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Int(n) => ValueRef::Int(*n),
            Value::Real(x) => ValueRef::Real(*x),
            Value::Text(text) => ValueRef::Text(Cow::Borrowed(text)),
            Value::Blob(bytes) => ValueRef::Blob(bytes),
        }
    }
}

impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Owned::Sqlite { columns, values } => {
                f.debug_map().entries(columns.iter().zip(values)).finish()
            }
            Owned::Any(row) => write!(f, "Row({} columns)", sqlx::Row::len(row)),
        }
    }
}

impl Row {
    pub(super) fn sqlite(columns: Arc<[String]>, values: Vec<Value>) -> Self {
        Row(Owned::Sqlite { columns, values })
    }

    pub(super) fn any(row: AnyRow) -> Self {
        Row(Owned::Any(row))
    }

    /// The named column's value.
    pub fn try_get<T: FromDb>(&self, column: &str) -> Result<T, StoreError> {
        RowRef::Row(self).try_get(column)
    }

    /// The value of the column at `index` (0-based).
    pub fn try_get_at<T: FromDb>(&self, index: usize) -> Result<T, StoreError> {
        RowRef::Row(self).get(Column::Index(index))
    }
}

impl RowRef<'_> {
    /// The named column's value.
    pub fn try_get<T: FromDb>(&self, column: &str) -> Result<T, StoreError> {
        self.get(Column::Name(column))
    }

    fn get<T: FromDb>(&self, column: Column<'_>) -> Result<T, StoreError> {
        let columns = match self {
            RowRef::Statement { columns, .. } => *columns,
            RowRef::Row(Row(Owned::Sqlite { columns, .. })) => &columns[..],
            RowRef::Row(Row(Owned::Any(row))) => return Ok(T::from_any(row, column)?),
        };
        let (index, shown) = match column {
            Column::Name(name) => (columns.iter().position(|c| c == name), name.to_owned()),
            Column::Index(index) => ((index < columns.len()).then_some(index), index.to_string()),
        };
        let index = index.ok_or_else(|| StoreError::Database(format!("no column {shown}")))?;
        let value = match self {
            RowRef::Statement { row, .. } => row.get_ref(index)?.into(),
            RowRef::Row(Row(Owned::Sqlite { values, .. })) => values[index].as_ref(),
            RowRef::Row(Row(Owned::Any(_))) => ValueRef::Null,
        };
        let found = value.type_name();
        T::from_sqlite(value).ok_or_else(|| {
            StoreError::Database(format!(
                "column {shown}: cannot read {found} as {}",
                std::any::type_name::<T>()
            ))
        })
    }
}

impl Columns for Row {
    fn try_get<T: FromDb>(&self, column: &str) -> Result<T, StoreError> {
        Row::try_get(self, column)
    }
}

impl Columns for RowRef<'_> {
    fn try_get<T: FromDb>(&self, column: &str) -> Result<T, StoreError> {
        RowRef::try_get(self, column)
    }
}

/// A column by name or position, for sqlx rows.
#[derive(Debug, Clone, Copy)]
pub enum Column<'a> {
    Name(&'a str),
    Index(usize),
}

/// A Rust type read from one column.
pub trait FromDb: Sized {
    /// From a SQLite value; `None` when it does not fit.
    fn from_sqlite(value: ValueRef<'_>) -> Option<Self>;
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
    fn from_sqlite(value: ValueRef<'_>) -> Option<Self> {
        match value {
            ValueRef::Text(text) => Some(text.into_owned()),
            _ => None,
        }
    }
    fn from_any(row: &AnyRow, column: Column<'_>) -> Result<Self, sqlx::Error> {
        any_get(row, column)
    }
}

impl FromDb for i64 {
    fn from_sqlite(value: ValueRef<'_>) -> Option<Self> {
        match value {
            ValueRef::Int(n) => Some(n),
            _ => None,
        }
    }
    fn from_any(row: &AnyRow, column: Column<'_>) -> Result<Self, sqlx::Error> {
        any_get(row, column)
    }
}

impl FromDb for f64 {
    fn from_sqlite(value: ValueRef<'_>) -> Option<Self> {
        match value {
            ValueRef::Real(x) => Some(x),
            // SQLite stores a REAL without a fraction as an integer where the column has no REAL affinity.
            ValueRef::Int(n) => Some(n as f64),
            _ => None,
        }
    }
    fn from_any(row: &AnyRow, column: Column<'_>) -> Result<Self, sqlx::Error> {
        any_get(row, column)
    }
}

impl FromDb for Vec<u8> {
    fn from_sqlite(value: ValueRef<'_>) -> Option<Self> {
        match value {
            ValueRef::Blob(bytes) => Some(bytes.to_vec()),
            _ => None,
        }
    }
    fn from_any(row: &AnyRow, column: Column<'_>) -> Result<Self, sqlx::Error> {
        any_get(row, column)
    }
}

impl<T: FromDb> FromDb for Option<T> {
    fn from_sqlite(value: ValueRef<'_>) -> Option<Self> {
        match value {
            ValueRef::Null => Some(None),
            other => T::from_sqlite(other).map(Some),
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
