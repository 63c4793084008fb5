//! PostgreSQL's audit sequencer: transactions leave their events in `audit_pending` and commit
//! without touching the chain's head; rounds chain what was committed, many transactions' events at
//! a time.
//!
//! Why: with the head row taken inside every audited transaction, each commit (its WAL flush
//! included) waited for the previous one, whatever the instance, so writes could not commit in
//! parallel: 32 concurrent decisions reached ~725/s on one instance and ~520/s on two (lock-free
//! counters already in place). With rounds, transactions commit in parallel (PostgreSQL flushes
//! them together) and a round holds the head for a few statements and one commit for all the events
//! it chains (Trillian's sequencer does the same for its log): ~975/s and ~730/s, measured the same
//! way (bench/run postgres).
//!
//! A committing transaction waits for a round that started after its commit, so a caller that gets
//! its answer finds its events in the chain: the next request, a test, an auditor's query. One
//! round serves every transaction that was waiting for it. Events a crash left pending are chained
//! by the next round of any instance (each runs one a second). The events commit with the change
//! they record, as before; only their numbering comes after.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::AnyPool;
use tokio::sync::Mutex;

use super::db::{Conn, Inner};
use super::{StoreError, audit};

#[derive(Debug, Clone)]
pub(super) struct Sequencer(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    pool: AnyPool,
    /// One round of this process at a time; the waiters queue here.
    round: Mutex<()>,
    /// Rounds started so far (counted inside `round`).
    started: AtomicU64,
}

impl Sequencer {
    pub(super) fn new(pool: AnyPool) -> Self {
        Self(Arc::new(Shared {
            pool,
            round: Mutex::new(()),
            started: AtomicU64::new(0),
        }))
    }

    /// Returns once every event committed before the call is chained (or a round failed, which
    /// is logged: the events stay pending for the next round).
    pub(super) async fn after_commit(&self) {
        if let Err(error) = self.chain_committed().await {
            tracing::warn!(%error, "audit sequencing round failed; the events stay pending for the next one");
        }
    }

    /// Runs rounds until every event committed before the call is chained; returns how many
    /// events this call chained (0 when a round another waiter ran did it).
    pub(super) async fn chain_committed(&self) -> Result<usize, StoreError> {
        let seen = self.0.started.load(Ordering::Acquire);
        let _turn = self.0.round.lock().await;
        if self.0.started.load(Ordering::Acquire) > seen {
            // A round began after the caller's commit and, since the turn is free, has ended.
            return Ok(0);
        }
        self.0.started.fetch_add(1, Ordering::AcqRel);
        let mut chained = 0;
        loop {
            let mut tx = Conn(Inner::AnyTx(self.0.pool.begin().await?));
            let moved = audit::sequence_round(&mut tx).await?;
            if moved == 0 {
                // Another instance's round took them: ending without a commit spares a WAL flush
                // (the head was only locked).
                tx.rollback().await?;
                return Ok(chained);
            }
            tx.commit().await?;
            chained += moved;
            if moved < audit::ROUND {
                return Ok(chained);
            }
        }
    }
}
