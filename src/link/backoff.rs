//! Reconnect backoff with jitter.

use std::time::Duration;

use rand::RngExt;

/// Exponential backoff with jitter: attempt n waits a random time between half and all of
/// `min(max, initial × 2ⁿ)`, so many clients dropped at once do not return at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    /// Give up after this many failed attempts in a row (None: never).
    pub max_retries: Option<u32>,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(30),
            max_retries: None,
        }
    }
}

impl Backoff {
    /// The delay before attempt `attempt` (0-based), or None when retries are used up.
    pub fn delay(&self, attempt: u32) -> Option<Duration> {
        if self.max_retries.is_some_and(|m| attempt >= m) {
            return None;
        }
        let ceiling = self
            .initial
            .saturating_mul(1u32 << attempt.min(20))
            .min(self.max);
        let half = ceiling / 2;
        let jitter = rand::rng().random_range(0..=half.as_millis().max(1) as u64);
        Some(half + Duration::from_millis(jitter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(2),
            max_retries: None,
        };
        for attempt in 0..30 {
            let ceiling = (Duration::from_millis(100) * 2u32.pow(attempt.min(10)))
                .min(Duration::from_secs(2));
            for _ in 0..20 {
                let d = b.delay(attempt).unwrap();
                assert!(
                    d >= ceiling / 2 && d <= ceiling + Duration::from_millis(1),
                    "attempt {attempt}: {d:?} vs {ceiling:?}"
                );
            }
        }
        // Jitter: not every delay of one attempt is the same.
        let delays: std::collections::HashSet<_> = (0..50).map(|_| b.delay(5).unwrap()).collect();
        assert!(delays.len() > 1);
    }

    #[test]
    fn retries_run_out_when_limited() {
        let b = Backoff {
            max_retries: Some(3),
            ..Backoff::default()
        };
        assert!(b.delay(2).is_some());
        assert_eq!(b.delay(3), None);
    }
}
