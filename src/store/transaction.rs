//! Transactions and gated connections: each derefs to its [`Conn`], so `&mut tx` goes wherever a
//! `&mut Conn` does.

use std::ops::{Deref, DerefMut};

use super::write_gate::Turn;
use super::{Conn, StoreError};
use crate::domain::audit::AuditEvent;

/// A write transaction holding its turn at the write gate until it commits, rolls back or is dropped
/// (which rolls back).
///
/// **Lock order.** On PostgreSQL every write transaction takes its row locks in this order, so no
/// two can wait for each other in a cycle:
/// 1. the rows the use case reads and changes (applicant, application, decision, job …), each
///    use case touching an entity before the entities it owns;
/// 2. no shared counter: a status change appends a delta row (`application_count_deltas`) that
///    locks nothing, folded into `application_counts` by one instance at a time;
/// 3. last, at commit, the audit chain's head row, through [`WriteTx::commit`] alone: the
///    transaction's audit events were queued by `audit::append` and are chained here.
///
/// A deadlock that happens anyway (rows of step 1 taken in opposite orders by two use cases) ends
/// in [`StoreError::Contention`], and the service layer runs the whole use case again.
#[derive(Debug)]
pub struct WriteTx {
    // Fields drop in order: a dropped transaction rolls back before the turn passes on.
    conn: Conn,
    _turn: Turn,
    /// Audit events to chain at commit (see `audit::append`).
    pub(super) audit: Vec<AuditEvent>,
}

impl WriteTx {
    pub(super) fn new(conn: Conn, turn: Turn) -> Self {
        Self {
            conn,
            _turn: turn,
            audit: Vec::new(),
        }
    }

    /// Appends the queued audit events to the chain, then commits.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        let events = std::mem::take(&mut self.audit);
        if !events.is_empty() {
            super::audit::write_pending(&mut self.conn, events).await?;
        }
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
