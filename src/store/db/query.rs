//! Statements with their bound values, run on a [`Conn`].

use std::marker::PhantomData;

use futures_util::TryStreamExt;

use super::param::{Kind, Param, ToParam};
use super::row::{FromDb, FromRow, Row};
use super::{Conn, Inner};
use crate::store::StoreError;

/// A statement and its parameters (`$1, $2 ...`, or `?` in order).
#[derive(Debug, Clone)]
pub struct Query<'q> {
    sql: &'q str,
    params: Vec<Param>,
    persistent: bool,
}

/// What a statement without results did.
#[derive(Debug, Clone, Copy)]
pub struct Done {
    rows_affected: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

pub fn query(sql: &str) -> Query<'_> {
    Query {
        sql,
        params: Vec::new(),
        persistent: true,
    }
}

impl<'q> Query<'q> {
    /// Binds the next parameter.
    pub fn bind(mut self, value: impl ToParam) -> Self {
        self.params.push(value.to_param());
        self
    }

    /// Whether the prepared statement is kept for the next run (the default); one-off statements
    /// should not push reused ones out of the connection's cache.
    pub fn persistent(mut self, persistent: bool) -> Self {
        self.persistent = persistent;
        self
    }

    pub async fn execute(self, conn: &mut Conn) -> Result<Done, StoreError> {
        let rows_affected = match &mut conn.0 {
            Inner::Sqlite(sqlite) => sqlite.execute(self.sql, &self.params, self.persistent)?,
            Inner::Any(any) => self.sqlx().execute(&mut **any).await?.rows_affected(),
            Inner::AnyTx(tx) => self.sqlx().execute(&mut **tx).await?.rows_affected(),
        };
        Ok(Done { rows_affected })
    }

    pub async fn fetch_all(self, conn: &mut Conn) -> Result<Vec<Row>, StoreError> {
        match &mut conn.0 {
            Inner::Sqlite(sqlite) => {
                Ok(sqlite.fetch(self.sql, &self.params, self.persistent, None)?)
            }
            Inner::Any(any) => Ok(any_rows(self.sqlx().fetch_all(&mut **any).await?)),
            Inner::AnyTx(tx) => Ok(any_rows(self.sqlx().fetch_all(&mut **tx).await?)),
        }
    }

    pub async fn fetch_optional(self, conn: &mut Conn) -> Result<Option<Row>, StoreError> {
        match &mut conn.0 {
            Inner::Sqlite(sqlite) => Ok(sqlite
                .fetch(self.sql, &self.params, self.persistent, Some(1))?
                .pop()),
            Inner::Any(any) => Ok(self.sqlx().fetch_optional(&mut **any).await?.map(Row::any)),
            Inner::AnyTx(tx) => Ok(self.sqlx().fetch_optional(&mut **tx).await?.map(Row::any)),
        }
    }

    /// The first row; `StoreError::NotFound` when there is none.
    pub async fn fetch_one(self, conn: &mut Conn) -> Result<Row, StoreError> {
        self.fetch_optional(conn).await?.ok_or(StoreError::NotFound)
    }

    /// Rows streamed from PostgreSQL one by one, for bulk reads ([`super::sqlite`] has its own).
    pub(super) fn fetch_any<'c>(
        self,
        conn: &'c mut sqlx::AnyConnection,
    ) -> impl futures_util::Stream<Item = Result<Row, StoreError>> + Send + 'c
    where
        'q: 'c,
    {
        self.sqlx()
            .fetch(conn)
            .map_ok(Row::any)
            .map_err(StoreError::from)
    }

    pub(super) fn sql(&self) -> &'q str {
        self.sql
    }

    pub(super) fn params(&self) -> &[Param] {
        &self.params
    }

    fn sqlx(self) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let query = sqlx::query(self.sql).persistent(self.persistent);
        self.params
            .into_iter()
            .fold(query, |query, param| match param {
                Param::Text(text) => query.bind(text),
                Param::Int(n) => query.bind(n),
                Param::Real(x) => query.bind(x),
                Param::Blob(bytes) => query.bind(bytes),
                Param::Null(Kind::Text) => query.bind(None::<String>),
                Param::Null(Kind::Int) => query.bind(None::<i64>),
                Param::Null(Kind::Real) => query.bind(None::<f64>),
                Param::Null(Kind::Blob) => query.bind(None::<Vec<u8>>),
            })
    }
}

fn any_rows(rows: Vec<sqlx::any::AnyRow>) -> Vec<Row> {
    rows.into_iter().map(Row::any).collect()
}

/// A query whose rows are read as `T` (a tuple of columns).
#[derive(Debug, Clone)]
pub struct QueryAs<'q, T> {
    query: Query<'q>,
    _row: PhantomData<fn() -> T>,
}

pub fn query_as<T: FromRow>(sql: &str) -> QueryAs<'_, T> {
    QueryAs {
        query: query(sql),
        _row: PhantomData,
    }
}

impl<T: FromRow> QueryAs<'_, T> {
    pub fn bind(mut self, value: impl ToParam) -> Self {
        self.query = self.query.bind(value);
        self
    }

    pub async fn fetch_all(self, conn: &mut Conn) -> Result<Vec<T>, StoreError> {
        self.query
            .fetch_all(conn)
            .await?
            .iter()
            .map(T::from_row)
            .collect()
    }

    pub async fn fetch_optional(self, conn: &mut Conn) -> Result<Option<T>, StoreError> {
        self.query
            .fetch_optional(conn)
            .await?
            .as_ref()
            .map(T::from_row)
            .transpose()
    }

    pub async fn fetch_one(self, conn: &mut Conn) -> Result<T, StoreError> {
        T::from_row(&self.query.fetch_one(conn).await?)
    }
}

/// A query whose rows are one value each (the first column): a one-column [`QueryAs`].
#[derive(Debug, Clone)]
pub struct QueryScalar<'q, T>(QueryAs<'q, (T,)>);

pub fn query_scalar<T: FromDb>(sql: &str) -> QueryScalar<'_, T> {
    QueryScalar(query_as(sql))
}

impl<T: FromDb> QueryScalar<'_, T> {
    pub fn bind(self, value: impl ToParam) -> Self {
        QueryScalar(self.0.bind(value))
    }

    pub async fn fetch_all(self, conn: &mut Conn) -> Result<Vec<T>, StoreError> {
        let rows = self.0.fetch_all(conn).await?;
        Ok(rows.into_iter().map(|(value,)| value).collect())
    }

    pub async fn fetch_optional(self, conn: &mut Conn) -> Result<Option<T>, StoreError> {
        Ok(self.0.fetch_optional(conn).await?.map(|(value,)| value))
    }

    pub async fn fetch_one(self, conn: &mut Conn) -> Result<T, StoreError> {
        Ok(self.0.fetch_one(conn).await?.0)
    }
}
