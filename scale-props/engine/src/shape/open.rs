//! The open model: operations arriving at a fixed rate, whatever the system does.

use std::time::Duration;

use proptest::strategy::{BoxedStrategy, NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde::{Deserialize, Serialize};

use super::load_shape::{
    DEFAULT_DURATION, MAX_OPS, MAX_WORKERS, check_duration, check_ops, check_workers,
};
use super::{Arrival, LoadRange, Phase, PhaseRole, ShapeError};

/// Highest rate a strategy draws (operations per second).
const MAX_STRATEGY_RATE: u64 = 10_000_000;

/// An open model: `ops` operations scheduled `1 / rate` apart, served by `workers` threads. Latency is measured
/// from each operation's scheduled start (coordinated omission corrected); an operation the pool cannot start
/// within `drop_after` of its schedule is counted as dropped.
///
/// Invariants: `rate >= 1`, `1 <= workers <= MAX_WORKERS`, `1 <= ops <= MAX_OPS`, durations within bounds.
///
/// ```
/// use scale_props::shape::Open;
/// let o = Open::new(5_000, 2, 1_000)?;
/// assert_eq!(o.phases()[0].arrival.map(|a| a.rate_per_sec), Some(5_000));
/// # Ok::<(), scale_props::shape::ShapeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Open {
    rate_per_sec: u64,
    workers: usize,
    ops: u64,
    drop_after: Duration,
    max_duration: Duration,
}

impl Open {
    /// `ops` operations at `rate_per_sec`, `workers` servers, dropped after 100 ms late, 60 s bound.
    ///
    /// # Errors
    /// [`ShapeError`] when a value is zero or out of bounds.
    pub fn new(rate_per_sec: u64, workers: u64, ops: u64) -> Result<Self, ShapeError> {
        Self::with_bounds(
            rate_per_sec,
            workers,
            ops,
            Duration::from_millis(100),
            DEFAULT_DURATION,
        )
    }

    /// The same load with another lateness tolerance before an operation is dropped.
    ///
    /// # Errors
    /// [`ShapeError::DurationOutOfRange`] when the tolerance is zero or above the time bound.
    pub fn with_drop_after(self, drop_after: Duration) -> Result<Self, ShapeError> {
        Self::with_bounds(
            self.rate_per_sec,
            self.workers as u64,
            self.ops,
            drop_after,
            self.max_duration,
        )
    }

    /// The validating constructor the others funnel into.
    ///
    /// # Errors
    /// [`ShapeError`] when any value is out of its bound.
    pub fn with_bounds(
        rate_per_sec: u64,
        workers: u64,
        ops: u64,
        drop_after: Duration,
        max: Duration,
    ) -> Result<Self, ShapeError> {
        if rate_per_sec == 0 {
            return Err(ShapeError::ZeroRate);
        }
        let workers = check_workers("workers", workers)?;
        let ops = check_ops(ops)?;
        let max_duration = check_duration(max)?;
        let drop_after = check_duration(drop_after)?;
        Ok(Self {
            rate_per_sec,
            workers,
            ops,
            drop_after,
            max_duration,
        })
    }

    /// Scheduled operations per second.
    pub fn rate_per_sec(&self) -> u64 {
        self.rate_per_sec
    }
    /// Server threads.
    pub fn workers(&self) -> usize {
        self.workers
    }
    /// Operations scheduled.
    pub fn ops(&self) -> u64 {
        self.ops
    }

    /// One paced phase.
    pub fn phases(&self) -> Vec<Phase> {
        vec![Phase {
            name: format!("rate={}/s", self.rate_per_sec),
            role: PhaseRole::Steady,
            workers: self.workers,
            ops: self.ops,
            think: None,
            arrival: Some(Arrival {
                rate_per_sec: self.rate_per_sec,
                drop_after: self.drop_after,
            }),
            max_duration: self.max_duration,
        }]
    }
}

/// Strategy for [`Open`] loads; shrinks toward lower rates, fewer workers and fewer operations. Made by
/// [`open`].
#[must_use = "strategies do nothing unless used"]
#[derive(Debug)]
pub struct OpenStrategy {
    inner: BoxedStrategy<Open>,
}

/// Open loads with rate, workers and operations drawn from the ranges.
///
/// ```
/// use proptest::prelude::*;
/// proptest!(|(o in scale_props::shape::open(100..1_000, 1..3, 10..50))| {
///     prop_assert!(o.rate_per_sec() >= 100);
/// });
/// ```
pub fn open(
    rate: impl Into<LoadRange>,
    workers: impl Into<LoadRange>,
    ops: impl Into<LoadRange>,
) -> OpenStrategy {
    let r = rate.into().within(1, MAX_STRATEGY_RATE);
    let w = workers.into().within(1, MAX_WORKERS);
    let o = ops.into().within(1, MAX_OPS);
    let inner = (r.lo()..=r.hi(), w.lo()..=w.hi(), o.lo()..=o.hi())
        .prop_filter_map("in bounds", |(r, w, o)| Open::new(r, w, o).ok())
        .boxed();
    OpenStrategy { inner }
}

impl Strategy for OpenStrategy {
    type Tree = Box<dyn ValueTree<Value = Open>>;
    type Value = Open;
    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        self.inner.new_tree(runner)
    }
}
