//! The sign-in lockout: how many secrets (passwords, one-time codes) may be checked for one account
//! before it is locked, whatever the concurrency.
//!
//! A check is *admitted* before it runs and counted as a failure until it is known to be right, so
//! a burst of simultaneous attempts cannot get more than `max_failures` checks between two reads of
//! the counter: the admission and the count are one atomic step in the caller's write transaction.

use chrono::Duration;

use super::time::Timestamp;

/// How many failures lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: i64,
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_for: Duration::minutes(15),
        }
    }
}

/// An account's attempt counter: checks admitted and not (yet) known to be right, and any lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInAttempts {
    pub counted: i64,
    pub locked_until: Option<Timestamp>,
}

/// Whether one more check may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Run it; `lock_expired` is the end of a lock that ran out (the count started afresh).
    Admitted { lock_expired: Option<Timestamp> },
    /// Do not check the secret at all. `newly_locked` when this refusal set the lock.
    Refused {
        locked_until: Timestamp,
        newly_locked: bool,
    },
}

impl SignInAttempts {
    fn lock(&mut self, now: Timestamp, policy: LockoutPolicy) -> Timestamp {
        let until = now.plus(policy.lock_for);
        self.locked_until = Some(until);
        until
    }

    fn locked_at(&self, now: Timestamp) -> Option<Timestamp> {
        self.locked_until.filter(|until| *until > now)
    }

    /// Admits one more check and counts it, or refuses it.
    pub fn admit(&mut self, now: Timestamp, policy: LockoutPolicy) -> Admission {
        if let Some(locked_until) = self.locked_at(now) {
            return Admission::Refused {
                locked_until,
                newly_locked: false,
            };
        }
        let lock_expired = self.locked_until.take();
        if lock_expired.is_some() {
            self.counted = 0;
        }
        if self.counted >= policy.max_failures {
            // Every check this window allows is taken, by failures or by checks still running (or
            // by checks a crash never finished): lock, so that the count can start again later.
            return Admission::Refused {
                locked_until: self.lock(now, policy),
                newly_locked: true,
            };
        }
        self.counted += 1;
        Admission::Admitted { lock_expired }
    }

    /// An admitted check failed: it stays counted; the lock starts when the count is full.
    /// Returns the lock when this failure set it.
    pub fn failed(&mut self, now: Timestamp, policy: LockoutPolicy) -> Option<Timestamp> {
        (self.counted >= policy.max_failures && self.locked_at(now).is_none())
            .then(|| self.lock(now, policy))
    }

    /// A right password when a code is still due: refused if the account was locked meanwhile;
    /// otherwise this check's own count is given back, and only that — failures stay counted
    /// until the code is right, so knowing the password buys no extra code guesses.
    pub fn passed_first_factor(&mut self, now: Timestamp) -> Result<(), Timestamp> {
        if let Some(until) = self.locked_at(now) {
            return Err(until);
        }
        self.counted = (self.counted - 1).max(0);
        Ok(())
    }

    /// An admitted check was right. Refused (with the lock's end) when concurrent failures locked
    /// the account meanwhile: a locked account takes not even the right secret. Otherwise the count
    /// starts afresh.
    pub fn succeeded(&mut self, now: Timestamp) -> Result<(), Timestamp> {
        if let Some(until) = self.locked_at(now) {
            return Err(until);
        }
        self.counted = 0;
        self.locked_until = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> SignInAttempts {
        SignInAttempts {
            counted: 0,
            locked_until: None,
        }
    }

    #[test]
    fn a_burst_gets_at_most_max_checks_then_locks() {
        let policy = LockoutPolicy::default();
        let now = Timestamp::now();
        let mut attempts = fresh();
        let admitted = (0..30)
            .filter(|_| matches!(attempts.admit(now, policy), Admission::Admitted { .. }))
            .count();
        assert_eq!(admitted, 5);
        assert_eq!(attempts.locked_until, Some(now.plus(policy.lock_for)));
        // The right secret among the admitted ones finishes after the lock: refused.
        assert!(attempts.succeeded(now).is_err());
    }

    #[test]
    fn sequential_typos_then_the_right_password_clear_the_count() {
        let policy = LockoutPolicy::default();
        let now = Timestamp::now();
        let mut attempts = fresh();
        for _ in 0..4 {
            assert!(matches!(
                attempts.admit(now, policy),
                Admission::Admitted { .. }
            ));
            assert_eq!(attempts.failed(now, policy), None);
        }
        assert!(matches!(
            attempts.admit(now, policy),
            Admission::Admitted { .. }
        ));
        assert_eq!(attempts.succeeded(now), Ok(()));
        assert_eq!(attempts.counted, 0);
    }

    #[test]
    fn a_right_password_with_a_code_due_gives_back_only_its_own_count() {
        let policy = LockoutPolicy::default();
        let now = Timestamp::now();
        let mut attempts = fresh();
        for _ in 0..3 {
            attempts.admit(now, policy);
            attempts.failed(now, policy);
        }
        attempts.admit(now, policy);
        assert_eq!(attempts.passed_first_factor(now), Ok(()));
        assert_eq!(attempts.counted, 3, "earlier failures stay counted");
    }

    #[test]
    fn the_fifth_failure_locks_and_the_lock_runs_out() {
        let policy = LockoutPolicy::default();
        let now = Timestamp::now();
        let mut attempts = fresh();
        for _ in 0..4 {
            attempts.admit(now, policy);
            attempts.failed(now, policy);
        }
        attempts.admit(now, policy);
        let until = attempts.failed(now, policy).expect("locked");
        assert!(matches!(
            attempts.admit(now, policy),
            Admission::Refused {
                newly_locked: false,
                ..
            }
        ));
        assert_eq!(
            attempts.admit(until, policy),
            Admission::Admitted {
                lock_expired: Some(until)
            }
        );
        assert_eq!(attempts.counted, 1);
    }
}
