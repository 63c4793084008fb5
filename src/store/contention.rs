//! Transactions the database aborted to let a concurrent one through, and how often it happened.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why the database aborted a transaction that can be run again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contention {
    /// PostgreSQL's SQLSTATE 40P01: chosen as the victim of a lock cycle.
    Deadlock,
    /// SQLSTATE 40001: a concurrent update made this transaction's reads unrepeatable.
    Serialization,
}

impl Contention {
    pub(super) fn of_sqlstate(code: &str) -> Option<Contention> {
        match code {
            "40P01" => Some(Contention::Deadlock),
            "40001" => Some(Contention::Serialization),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Contention::Deadlock => "deadlock",
            Contention::Serialization => "serialization_failure",
        }
    }
}

impl std::fmt::Display for Contention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many transactions the database aborted for contention since this store was opened (the
/// service layer reports each one it runs again): shared by every clone of the store.
#[derive(Debug, Clone, Default)]
pub struct ContentionCounts(Arc<[AtomicU64; 2]>);

impl ContentionCounts {
    pub fn record(&self, kind: Contention) {
        self.0[kind as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn deadlocks(&self) -> u64 {
        self.0[Contention::Deadlock as usize].load(Ordering::Relaxed)
    }
}
