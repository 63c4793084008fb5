//! tower-sessions records kept in the application database, so every app server sees every session.
//! The database holds only a SHA-256 of each session id: a leaked table cannot be replayed as cookies.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result, SessionStore};

use crate::domain::time::Timestamp;
use crate::store::{self, Store};

#[derive(Debug, Clone)]
pub struct DbSessionStore {
    store: Store,
}

impl DbSessionStore {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

fn key(id: &Id) -> String {
    hex::encode(Sha256::digest(id.to_string().as_bytes()))
}

fn backend(error: impl std::fmt::Display) -> Error {
    Error::Backend(error.to_string())
}

fn to_timestamp(at: OffsetDateTime) -> Timestamp {
    let nanos = at.unix_timestamp_nanos();
    let seconds = i64::try_from(nanos.div_euclid(1_000_000_000)).unwrap_or(i64::MAX);
    let subsec = u32::try_from(nanos.rem_euclid(1_000_000_000)).unwrap_or(0);
    Timestamp::from_datetime(chrono::DateTime::from_timestamp(seconds, subsec).unwrap_or_default())
}

fn to_offset(at: Timestamp) -> OffsetDateTime {
    let micros = at.as_datetime().timestamp_micros();
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        let mut conn = self.store.write_conn().await.map_err(backend)?;
        // A collision of 128 random bits is not expected; draw again rather than overwrite.
        while !store::sessions::create(
            &mut conn,
            &key(&record.id),
            &data,
            to_timestamp(record.expiry_date),
        )
        .await
        .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    /// tower-sessions calls this only for a session that was loaded at the start of the request.
    /// If it has been deleted since (a sign-out in another request), the save is dropped rather
    /// than recreating it: an ended session never comes back. Not an error, which would turn the
    /// late request's answer into a 500.
    async fn save(&self, record: &Record) -> Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        let mut conn = self.store.write_conn().await.map_err(backend)?;
        let saved = store::sessions::update(
            &mut conn,
            &key(&record.id),
            &data,
            to_timestamp(record.expiry_date),
        )
        .await
        .map_err(backend)?;
        if !saved {
            tracing::debug!("a session ended during the request; its late save is dropped");
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let mut conn = self.store.conn().await.map_err(backend)?;
        let Some((data, expires_at)) = store::sessions::load(&mut conn, &key(id), Timestamp::now())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date: to_offset(expires_at),
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        let mut conn = self.store.write_conn().await.map_err(backend)?;
        store::sessions::delete(&mut conn, &key(id))
            .await
            .map_err(backend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_survives_the_round_trip_at_microsecond_precision() {
        let at =
            OffsetDateTime::from_unix_timestamp_nanos(1_795_000_000_123_456_000).expect("valid");
        assert_eq!(to_offset(to_timestamp(at)), at);
    }

    #[test]
    fn the_database_key_is_not_the_cookie_value() {
        let id = Id::default();
        assert_ne!(key(&id), id.to_string());
        assert_eq!(key(&id).len(), 64);
    }
}
