//! Exponential backoff with full jitter: the n-th wait is a random time up to
//! `min(max, base × 2ⁿ)`, so that a county's terminals coming back online together do not
//! knock on HQ's door in step.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Backoff {
    /// The ceiling of wait number `attempt` (0-based).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }

    /// Wait number `attempt`, given a uniformly random `r`.
    pub fn delay(&self, attempt: u32, r: u64) -> Duration {
        let ceiling = self.ceiling(attempt).as_millis() as u64;
        Duration::from_millis(if ceiling == 0 { 0 } else { r % (ceiling + 1) })
    }
}

/// A random u64 from the system; 0 if there is none (the wait is then shortest).
pub fn random() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map(|_| u64::from_le_bytes(b)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_then_level_off_and_never_exceed_the_ceiling() {
        let b = Backoff { base: Duration::from_millis(200), max: Duration::from_secs(30) };
        let ceilings: Vec<u128> = (0..10).map(|n| b.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
        assert_eq!(b.ceiling(1000), Duration::from_secs(30));
        for n in 0..12 {
            for r in [0, 1, 12345, u64::MAX / 3, u64::MAX] {
                assert!(b.delay(n, r) <= b.ceiling(n));
            }
        }
        // Jitter spreads the waits.
        let spread: std::collections::BTreeSet<_> = (0..50).map(|_| b.delay(6, random())).collect();
        assert!(spread.len() > 10, "{spread:?}");
    }
}
