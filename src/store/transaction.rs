//! Transactions and gated connections: each derefs to its [`Conn`], so `&mut tx` goes wherever a
//! `&mut Conn` does.

use std::ops::{Deref, DerefMut};

use super::write_gate::Turn;
use super::{Conn, StoreError};

/// A write transaction holding its turn at the write gate until it commits, rolls back or is dropped
/// (which rolls back).
#[derive(Debug)]
pub struct WriteTx {
    // Fields drop in order: a dropped transaction rolls back before the turn passes on.
    conn: Conn,
    _turn: Turn,
}

impl WriteTx {
    pub(super) fn new(conn: Conn, turn: Turn) -> Self {
        Self { conn, _turn: turn }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        self.conn.commit().await
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        self.conn.rollback().await
    }
}

/// A pooled connection holding its write turn, for single-statement writes.
#[derive(Debug)]
pub struct WriteConn {
    conn: Conn,
    _turn: Turn,
}

impl WriteConn {
    pub(super) fn new(conn: Conn, turn: Turn) -> Self {
        Self { conn, _turn: turn }
    }
}

/// A read-only transaction over one snapshot; ending it (or dropping it) releases the snapshot.
#[derive(Debug)]
pub struct SnapshotTx {
    conn: Conn,
}

impl SnapshotTx {
    pub(super) fn new(conn: Conn) -> Self {
        Self { conn }
    }

    /// Ends the read transaction (nothing was written).
    pub async fn rollback(self) -> Result<(), StoreError> {
        self.conn.rollback().await
    }

    pub(super) fn into_conn(self) -> Conn {
        self.conn
    }
}

macro_rules! deref_to_conn {
    ($($t:ty),+) => {$(
        impl Deref for $t {
            type Target = Conn;
            fn deref(&self) -> &Conn {
                &self.conn
            }
        }
        impl DerefMut for $t {
            fn deref_mut(&mut self) -> &mut Conn {
                &mut self.conn
            }
        }
    )+};
}

deref_to_conn!(WriteTx, WriteConn, SnapshotTx);
