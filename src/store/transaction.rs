//! Transactions and gated connections: each derefs to its [`Conn`], so `&mut tx` goes wherever a
//! `&mut Conn` does.

use std::ops::{Deref, DerefMut};

use super::sequencer::Sequencer;
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
/// 3. none of the audit chain: the transaction's events (queued by `audit::append`) are written
///    to `audit_pending` at commit and chained after it by a sequencing round, the only writer of
///    the chain's head row (`store::sequencer`).
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
    /// PostgreSQL's sequencer, which chains the events after the commit.
    sequencer: Option<Sequencer>,
}

impl WriteTx {
    pub(super) fn new(conn: Conn, turn: Turn, sequencer: Option<Sequencer>) -> Self {
        Self {
            conn,
            _turn: turn,
            audit: Vec::new(),
            sequencer,
        }
    }

    /// Commits with the queued audit events. SQLite chains them in the transaction (it is the only
    /// writer); PostgreSQL leaves them pending, commits, and returns once a sequencing round has
    /// chained them (see `store::sequencer`). Inside an API request with an `Idempotency-Key`, the
    /// transaction also marks the key's claim applied, so a retry never applies the change twice.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        super::idempotency::mark_applied_if_claimed(&mut self.conn).await?;
        let mut events = std::mem::take(&mut self.audit);
        if events.is_empty() {
            return self.conn.commit().await;
        }
        match self.sequencer.take() {
            None => {
                let head = super::audit::lock_head(&mut self.conn).await?;
                super::audit::chain(&mut self.conn, head, &mut events).await?;
                self.conn.commit().await
            }
            Some(sequencer) => {
                super::audit::leave_pending(&mut self.conn, &events).await?;
                self.conn.commit().await?;
                sequencer.after_commit().await;
                Ok(())
            }
        }
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
