//! Redial pacing for the child side of a link: exponential backoff with
//! jitter. Without jitter every county that lost the region at the same
//! moment would redial at the same moments too (NATS #1368); with it their
//! attempts spread out over the whole backoff interval.

use std::time::Duration;

use rand::Rng;

/// Exponential backoff with jitter, bounded below by `min` and above by
/// `max`. Attempt `n` (from 0) waits a uniformly random time in
/// `[min, min(max, min · 2^(n+1))]`, so even the first retry is spread out.
#[derive(Clone, Debug)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    attempt: u32,
}

/// Doublings beyond this cannot matter: 2^30 · 1 ms is already twelve days.
const MAX_DOUBLINGS: u32 = 30;

impl Backoff {
    /// A backoff between `min` and `max` (swapped into order if reversed).
    pub fn new(min: Duration, max: Duration) -> Self {
        let (min, max) = if max < min { (max, min) } else { (min, max) };
        Backoff { min, max, attempt: 0 }
    }

    /// The pause before the next attempt, drawn from the thread's RNG.
    pub fn next_delay(&mut self) -> Duration {
        self.next_delay_with(&mut rand::rng())
    }

    /// The pause before the next attempt, drawn from `rng`, so simulations
    /// with a fixed seed pace reconnects reproducibly.
    pub fn next_delay_with<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Duration {
        let cap = self.cap();
        self.attempt = (self.attempt + 1).min(MAX_DOUBLINGS);
        let lo = nanos(self.min);
        let hi = nanos(cap);
        Duration::from_nanos(rng.random_range(lo..=hi))
    }

    /// Forgets past failures, after a session that lived long enough to
    /// show the link is healthy again.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The upper end of the current attempt's interval.
    fn cap(&self) -> Duration {
        let factor = 1u32 << (self.attempt + 1).min(MAX_DOUBLINGS);
        self.min.saturating_mul(factor).min(self.max)
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn delays_respect_bounds_and_grow() {
        let (min, max) = (Duration::from_millis(200), Duration::from_secs(30));
        let mut b = Backoff::new(min, max);
        let mut rng = StdRng::seed_from_u64(7);
        let mut caps = Vec::new();
        for _ in 0..40 {
            caps.push(b.cap());
            let d = b.next_delay_with(&mut rng);
            assert!(d >= min && d <= max, "{d:?} out of bounds");
        }
        assert_eq!(caps[0], Duration::from_millis(400));
        assert_eq!(caps[1], Duration::from_millis(800));
        assert!(caps.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*caps.last().unwrap(), max);
        b.reset();
        assert_eq!(b.cap(), Duration::from_millis(400));
    }

    #[test]
    fn delays_are_jittered() {
        let (min, max) = (Duration::from_millis(200), Duration::from_secs(30));
        let mut rng = StdRng::seed_from_u64(42);
        // Many children failing at once draw their first delay: it must spread.
        let first: Vec<Duration> = (0..81).map(|_| Backoff::new(min, max).next_delay_with(&mut rng)).collect();
        let distinct: std::collections::BTreeSet<_> = first.iter().collect();
        assert!(distinct.len() > 70, "first retries not spread: {}", distinct.len());
        let lo = first.iter().min().unwrap();
        let hi = first.iter().max().unwrap();
        assert!(*hi - *lo > Duration::from_millis(150), "spread only {:?}", *hi - *lo);
        // Late attempts spread over the whole range up to max.
        let mut b = Backoff::new(min, max);
        for _ in 0..20 {
            b.next_delay_with(&mut rng);
        }
        let late: Vec<Duration> = (0..200).map(|_| b.next_delay_with(&mut rng)).collect();
        assert!(late.iter().any(|d| *d < Duration::from_secs(10)));
        assert!(late.iter().any(|d| *d > Duration::from_secs(20)));
    }

    #[test]
    fn degenerate_bounds() {
        let d = Duration::from_millis(50);
        let mut b = Backoff::new(d, d);
        assert_eq!(b.next_delay(), d);
        let mut r = Backoff::new(Duration::from_secs(2), Duration::from_secs(1));
        let x = r.next_delay();
        assert!(x >= Duration::from_secs(1) && x <= Duration::from_secs(2));
    }
}
