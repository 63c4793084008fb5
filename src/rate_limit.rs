//! Token buckets per key (an API key, a client address): each key may act `rate` times a second on
//! average, in bursts of up to `burst`. Kept in memory per server instance (several instances each
//! allow the rate).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::ids::ApiKeyId;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

/// The limits the edges apply, one per kind of request they slow down.
#[derive(Debug)]
pub struct Throttles {
    /// Requests per API key.
    pub api_keys: RateLimiter<ApiKeyId>,
    /// Refused sign-ins per client address: a password spray across many accounts from one address
    /// is slowed here, where per-account lockout does not see it.
    pub sign_in_failures: RateLimiter<String>,
    /// Refused API keys per client address (key guessing).
    pub refused_keys: RateLimiter<String>,
    /// Refused (unsigned or badly signed) provider callbacks per client address: each is stored
    /// and audited, so a flood of them is answered 429 and neither.
    pub callback_refusals: RateLimiter<String>,
}

impl Throttles {
    /// `failures_per_minute` and `callback_refusals_per_minute` per address, in bursts of two
    /// minutes' worth.
    pub fn new(
        api_rate_per_second: u32,
        failures_per_minute: u32,
        callback_refusals_per_minute: u32,
    ) -> Self {
        let per_minute = |n: u32| RateLimiter::with_rate(f64::from(n.max(1)) / 60.0, 120.0);
        Self {
            api_keys: RateLimiter::new(api_rate_per_second),
            sign_in_failures: per_minute(failures_per_minute),
            refused_keys: per_minute(failures_per_minute),
            callback_refusals: per_minute(callback_refusals_per_minute),
        }
    }
}

/// Above this many keys, buckets that have refilled completely are dropped (they hold nothing a new
/// bucket would not), so that a flood of distinct addresses cannot grow the map without bound.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter<K> {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq> RateLimiter<K> {
    pub fn new(rate_per_second: u32) -> Self {
        Self::with_rate(f64::from(rate_per_second.max(1)), 2.0)
    }

    /// `rate` actions a second on average (fractions allowed: 0.1 is one every ten seconds), in
    /// bursts of `burst_seconds` worth of the rate.
    pub fn with_rate(rate: f64, burst_seconds: f64) -> Self {
        Self {
            rate,
            burst: (rate * burst_seconds).max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `key`, or says how long until one is available.
    pub fn check(&self, key: K, now: Instant) -> Result<(), Duration> {
        self.with_bucket(key, now, |tokens| {
            let available = *tokens >= 1.0;
            if available {
                *tokens -= 1.0;
            }
            available
        })
    }

    /// Whether `key` has a token left, without taking it: for limits on failures, where the
    /// attempt is let through (or not) first and only a failure then `spend`s a token.
    pub fn peek(&self, key: K, now: Instant) -> Result<(), Duration> {
        self.with_bucket(key, now, |tokens| *tokens >= 1.0)
    }

    /// Spends a token for `key` (none left is fine: the next `peek` refuses).
    pub fn spend(&self, key: K, now: Instant) {
        // The answer only says whether a token was there; spending one that is not is not an error.
        let _ = self.with_bucket(key, now, |tokens| {
            *tokens = (*tokens - 1.0).max(0.0);
            true
        });
    }

    /// Refills `key`'s bucket up to `now`, then lets `use_tokens` act on it; it answers whether the
    /// action is allowed. Refused: how long until a token is back.
    fn with_bucket(
        &self,
        key: K,
        now: Instant,
        use_tokens: impl FnOnce(&mut f64) -> bool,
    ) -> Result<(), Duration> {
        // A poisoned lock only means another request panicked mid-update; the counts are still usable.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.refilled_at).as_secs_f64() * rate < burst
            });
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: self.burst,
            refilled_at: now,
        });
        let elapsed = now
            .saturating_duration_since(bucket.refilled_at)
            .as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.rate).min(self.burst);
        bucket.refilled_at = now;
        if use_tokens(&mut bucket.tokens) {
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills_at_the_rate() {
        let limiter = RateLimiter::new(2);
        let key = ApiKeyId::generate();
        let start = Instant::now();
        for _ in 0..4 {
            assert!(limiter.check(key, start).is_ok());
        }
        let wait = limiter.check(key, start).expect_err("burst used up");
        assert!(
            wait <= Duration::from_millis(500) && wait > Duration::ZERO,
            "{wait:?}"
        );
        assert!(
            limiter
                .check(key, start + Duration::from_millis(500))
                .is_ok(),
            "one token back after 1/rate"
        );
        assert!(
            limiter.check(ApiKeyId::generate(), start).is_ok(),
            "keys have their own buckets"
        );
    }

    #[test]
    fn failures_are_spent_and_peeked_separately() {
        let limiter = RateLimiter::with_rate(1.0 / 6.0, 12.0); // 10 a minute, bursts of 2
        let address = "192.0.2.1";
        let start = Instant::now();
        assert!(limiter.peek(address, start).is_ok());
        limiter.spend(address, start);
        assert!(
            limiter.peek(address, start).is_ok(),
            "peeking takes nothing"
        );
        limiter.spend(address, start);
        limiter.spend(address, start);
        let wait = limiter.peek(address, start).expect_err("both spent");
        assert!(wait <= Duration::from_secs(6), "{wait:?}");
        assert!(
            limiter
                .peek(address, start + Duration::from_secs(6))
                .is_ok()
        );
    }
}
