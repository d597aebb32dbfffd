//! The closed model: N users doing operations back to back.

use std::time::Duration;

use proptest::strategy::{BoxedStrategy, NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde::{Deserialize, Serialize};

use super::load_shape::{
    DEFAULT_DURATION, MAX_OPS, MAX_WORKERS, check_duration, check_ops, check_workers,
};
use super::{LoadRange, Phase, PhaseRole, ShapeError};

/// A closed model: `users` threads each run operations back to back (pausing `think` after each) until
/// `ops` operations are done or `max_duration` passes.
///
/// Invariants: `1 <= users <= MAX_WORKERS`, `1 <= ops <= MAX_OPS`, `0 < max_duration <= MAX_DURATION`.
///
/// ```
/// use std::time::Duration;
/// use scale_props::shape::Closed;
/// let c = Closed::new(8, 1_000)?.with_think(Duration::from_micros(50))?;
/// assert_eq!(c.users(), 8);
/// # Ok::<(), scale_props::shape::ShapeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closed {
    users: usize,
    ops: u64,
    think: Option<Duration>,
    max_duration: Duration,
}

impl Closed {
    /// `users` users running `ops` operations, no think time, the default time bound (60 s).
    ///
    /// # Errors
    /// [`ShapeError`] when a count is zero or above its bound.
    pub fn new(users: u64, ops: u64) -> Result<Self, ShapeError> {
        Self::with_bounds(users, ops, None, DEFAULT_DURATION)
    }

    /// The same load with a think time after each operation.
    ///
    /// # Errors
    /// [`ShapeError::DurationOutOfRange`] when `think` is above the time bound.
    pub fn with_think(self, think: Duration) -> Result<Self, ShapeError> {
        Self::with_bounds(self.users as u64, self.ops, Some(think), self.max_duration)
    }

    /// The same load with another time bound.
    ///
    /// # Errors
    /// [`ShapeError::DurationOutOfRange`] when the bound is zero or above `MAX_DURATION`.
    pub fn with_max_duration(self, max: Duration) -> Result<Self, ShapeError> {
        Self::with_bounds(self.users as u64, self.ops, self.think, max)
    }

    /// The one validating constructor the others funnel into.
    ///
    /// # Errors
    /// [`ShapeError`] when any value is out of its bound.
    pub fn with_bounds(
        users: u64,
        ops: u64,
        think: Option<Duration>,
        max: Duration,
    ) -> Result<Self, ShapeError> {
        let users = check_workers("users", users)?;
        let ops = check_ops(ops)?;
        let max_duration = check_duration(max)?;
        if let Some(t) = think
            && t > max_duration
        {
            return Err(ShapeError::DurationOutOfRange {
                got_ms: t.as_millis(),
                max_secs: max_duration.as_secs(),
            });
        }
        Ok(Self {
            users,
            ops,
            think: think.filter(|t| !t.is_zero()),
            max_duration,
        })
    }

    /// Concurrent users.
    pub fn users(&self) -> usize {
        self.users
    }
    /// Total operations.
    pub fn ops(&self) -> u64 {
        self.ops
    }
    /// Think time after each operation.
    pub fn think(&self) -> Option<Duration> {
        self.think
    }
    /// Time bound.
    pub fn max_duration(&self) -> Duration {
        self.max_duration
    }

    /// One phase.
    pub fn phases(&self) -> Vec<Phase> {
        vec![Phase {
            name: format!("users={}", self.users),
            role: PhaseRole::Steady,
            workers: self.users,
            ops: self.ops,
            think: self.think,
            arrival: None,
            max_duration: self.max_duration,
        }]
    }
}

/// Strategy for [`Closed`] loads; shrinks toward fewer users and fewer operations. Made by [`closed`].
#[must_use = "strategies do nothing unless used"]
#[derive(Debug)]
pub struct ClosedStrategy {
    inner: BoxedStrategy<Closed>,
}

/// Closed loads with `users` and `ops` drawn from the given ranges (clamped into the shape bounds).
///
/// ```
/// use proptest::prelude::*;
/// proptest!(|(c in scale_props::shape::closed(1..8, 10..100))| {
///     prop_assert!(c.users() < 8 && c.ops() >= 10);
/// });
/// ```
pub fn closed(users: impl Into<LoadRange>, ops: impl Into<LoadRange>) -> ClosedStrategy {
    let u = users.into().within(1, MAX_WORKERS);
    let o = ops.into().within(1, MAX_OPS);
    let inner = (u.lo()..=u.hi(), o.lo()..=o.hi())
        .prop_filter_map("in bounds", |(u, o)| Closed::new(u, o).ok())
        .boxed();
    ClosedStrategy { inner }
}

impl Strategy for ClosedStrategy {
    type Tree = Box<dyn ValueTree<Value = Closed>>;
    type Value = Closed;
    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        self.inner.new_tree(runner)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn rejects_zero_and_oversized_loads() {
        assert!(matches!(
            Closed::new(0, 1),
            Err(ShapeError::WorkersOutOfRange { .. })
        ));
        assert!(matches!(
            Closed::new(1, 0),
            Err(ShapeError::OpsOutOfRange { .. })
        ));
        assert!(matches!(
            Closed::new(MAX_WORKERS + 1, 1),
            Err(ShapeError::WorkersOutOfRange { .. })
        ));
        let too_long =
            Closed::new(1, 1).and_then(|c| c.with_max_duration(Duration::from_secs(10_000)));
        assert!(matches!(
            too_long,
            Err(ShapeError::DurationOutOfRange { .. })
        ));
    }
}
