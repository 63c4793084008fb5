//! Per-key token buckets: each API key may make `rate` requests a second on average, in bursts of up
//! to `burst`. Kept in memory per server instance (several instances each allow the rate).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::ids::ApiKeyId;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<ApiKeyId, Bucket>>,
}

impl RateLimiter {
    pub fn new(rate_per_second: u32) -> Self {
        let rate = f64::from(rate_per_second.max(1));
        Self {
            rate,
            burst: rate * 2.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `key`, or says how long until one is available.
    pub fn check(&self, key: ApiKeyId, now: Instant) -> Result<(), Duration> {
        // A poisoned lock only means another request panicked mid-update; the counts are still usable.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: self.burst,
            refilled_at: now,
        });
        let elapsed = now
            .saturating_duration_since(bucket.refilled_at)
            .as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.rate).min(self.burst);
        bucket.refilled_at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
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
}
