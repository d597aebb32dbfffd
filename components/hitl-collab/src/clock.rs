//! Time as the queue sees it: a [`Clock`] trait, the real [`SystemClock`] and the test [`ManualClock`].

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::sync::{Arc, AtomicU64, Ordering};

/// A point in time: nanoseconds since the clock's own origin.
///
/// Timestamps from different clocks are not comparable. Arithmetic saturates at `u64::MAX` nanoseconds
/// (about 584 years), which the queue treats as "never".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Timestamp(u64);

impl Timestamp {
    /// The clock's origin.
    pub const ZERO: Self = Self(0);

    /// Returns the timestamp `nanos` nanoseconds after the origin.
    #[must_use]
    pub const fn from_nanos(nanos: u64) -> Self {
        Self(nanos)
    }

    /// Returns the nanoseconds since the origin.
    #[must_use]
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Returns this timestamp moved `by` later, saturating at the far future.
    #[must_use]
    pub fn saturating_add(self, by: Duration) -> Self {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        Self(self.0.saturating_add(nanos))
    }

    /// Returns how long after `earlier` this timestamp is, or zero if it is not later.
    #[must_use]
    pub fn saturating_duration_since(self, earlier: Self) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", Duration::from_nanos(self.0))
    }
}

/// A monotonic source of [`Timestamp`]s.
///
/// Implementations must never go backwards; the queue also guards against it by never letting its own notion of
/// "now" decrease.
pub trait Clock: Send + Sync + 'static {
    /// Returns the current time.
    fn now(&self) -> Timestamp;
}

/// The real monotonic clock (`std::time::Instant`), with its origin at construction.
///
/// Not available under `cfg(loom)`: loom cannot model the passage of time.
#[cfg(not(loom))]
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    origin: crate::sync::Instant,
}

#[cfg(not(loom))]
impl SystemClock {
    /// Returns a clock whose origin is now.
    #[must_use]
    pub fn new() -> Self {
        Self {
            origin: crate::sync::instant_now(),
        }
    }
}

#[cfg(not(loom))]
impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(not(loom))]
impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let elapsed = self.origin.elapsed();
        Timestamp(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX))
    }
}

/// A clock that moves only when told to; clones share the same time.
///
/// Tests and loom models use it so that timeouts are deterministic and nothing sleeps.
#[derive(Debug, Clone)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// Returns a clock standing at its origin.
    #[must_use]
    pub fn new() -> Self {
        Self {
            nanos: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Moves the clock `by` later (saturating).
    pub fn advance(&self, by: Duration) {
        let add = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let mut current = self.nanos.load(Ordering::SeqCst);
        loop {
            let next = current.saturating_add(add);
            match self
                .nanos
                .compare_exchange(current, next, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return,
                Err(seen) => current = seen,
            }
        }
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.nanos.load(Ordering::SeqCst))
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_clones_share_time_and_saturate() {
        let clock = ManualClock::new();
        let other = clock.clone();
        clock.advance(Duration::from_secs(2));
        assert_eq!(other.now(), Timestamp::from_nanos(2_000_000_000));
        clock.advance(Duration::MAX);
        assert_eq!(other.now().as_nanos(), u64::MAX);
    }

    #[test]
    fn timestamp_arithmetic_saturates() {
        let t = Timestamp::from_nanos(10);
        assert_eq!(t.saturating_add(Duration::from_nanos(5)).as_nanos(), 15);
        assert_eq!(
            t.saturating_duration_since(Timestamp::from_nanos(20)),
            Duration::ZERO
        );
        assert_eq!(
            Timestamp::from_nanos(u64::MAX - 1)
                .saturating_add(Duration::from_secs(1))
                .as_nanos(),
            u64::MAX
        );
    }

    #[test]
    fn system_clock_is_monotonic() {
        let clock = SystemClock::new();
        let a = clock.now();
        let b = clock.now();
        assert!(b >= a);
    }
}
