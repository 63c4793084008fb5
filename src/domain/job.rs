//! Background jobs: what they do, where they stand, and when a failed one runs again.

use chrono::Duration;

use super::ids::JobId;
use super::time::Timestamp;
use super::wire_enum::wire_enum;

wire_enum!(JobKind, "job kind" {
    /// Send a pending application to its provider.
    SubmitApplication => "submit_application",
    /// Ask the provider for the result of a submitted application (when no callback came).
    FetchResult => "fetch_result",
    /// Deliver one outbox message to the tenant's webhook endpoint.
    DeliverWebhook => "deliver_webhook",
});

wire_enum!(JobState, "job state" {
    Queued => "queued",
    Running => "running",
    Done => "done",
    /// Out of attempts: waits for an admin to retry it.
    Dead => "dead",
});

impl JobKind {
    /// Attempts before a job is dead. Webhooks get about a day of retries (Standard Webhooks);
    /// a provider that fails five times in a row needs a human to look.
    pub fn max_attempts(self) -> i64 {
        match self {
            JobKind::SubmitApplication => 5,
            JobKind::FetchResult => 30,
            JobKind::DeliverWebhook => 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub kind: JobKind,
    /// The application or outbox message the job works on.
    pub subject_id: String,
    pub state: JobState,
    /// Attempts started so far, including the running one.
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Job {
    pub fn new(kind: JobKind, subject_id: String, max_attempts: i64, now: Timestamp) -> Self {
        Self {
            id: JobId::generate(),
            kind,
            subject_id,
            state: JobState::Queued,
            attempts: 0,
            max_attempts,
            run_at: now,
            last_error: None,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn attempts_left(&self) -> bool {
        self.attempts < self.max_attempts
    }
}

/// Exponential backoff with jitter: `base · 2^(attempt−1)`, capped, then scaled into
/// `[½, 1]` by `jitter` (0.0..=1.0) so that jobs failing together do not retry together.
pub fn backoff(attempt: i64, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let full = base
        .checked_mul(1_i32 << exponent.min(30))
        .unwrap_or(cap)
        .min(cap);
    let factor = 0.5 + 0.5 * jitter.clamp(0.0, 1.0);
    let millis = (full.num_milliseconds() as f64 * factor).round() as i64;
    Duration::milliseconds(millis.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let base = Duration::seconds(2);
        let cap = Duration::minutes(10);
        let full = |attempt| backoff(attempt, base, cap, 1.0);
        assert_eq!(full(1), Duration::seconds(2));
        assert_eq!(full(2), Duration::seconds(4));
        assert_eq!(full(5), Duration::seconds(32));
        assert_eq!(full(20), cap);
        assert_eq!(full(i64::MAX), cap);
    }

    #[test]
    fn jitter_spreads_the_delay_between_half_and_full() {
        let base = Duration::seconds(8);
        let cap = Duration::hours(1);
        assert_eq!(backoff(1, base, cap, 0.0), Duration::seconds(4));
        assert_eq!(backoff(1, base, cap, 0.5), Duration::seconds(6));
        assert_eq!(backoff(1, base, cap, 7.0), Duration::seconds(8));
        assert_eq!(backoff(0, base, cap, -1.0), Duration::seconds(4));
    }

    #[test]
    fn job_kinds_and_states_round_trip() {
        for kind in JobKind::ALL {
            assert_eq!(kind.as_str().parse::<JobKind>(), Ok(*kind));
        }
        for state in JobState::ALL {
            assert_eq!(state.as_str().parse::<JobState>(), Ok(*state));
        }
    }
}
