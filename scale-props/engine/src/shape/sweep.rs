//! A sweep of worker counts, for concurrency scaling (USL).

use std::time::Duration;

use proptest::strategy::{BoxedStrategy, NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde::{Deserialize, Serialize};

use super::load_shape::{
    DEFAULT_DURATION, MAX_OPS, MAX_WORKERS, check_duration, check_ops, check_workers,
};
use super::{LoadRange, Phase, PhaseRole, ShapeError};

/// A sweep: at each worker count, that many threads run `ops_per_level` operations between them.
///
/// Invariants: counts non-empty, each in `1..=MAX_WORKERS`; ops in bounds.
///
/// ```
/// use scale_props::shape::WorkerSweep;
/// let s = WorkerSweep::new(vec![1, 2, 4, 8], 1_000)?;
/// assert_eq!(s.phases()[3].workers, 8);
/// # Ok::<(), scale_props::shape::ShapeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerSweep {
    workers: Vec<usize>,
    ops_per_level: u64,
    max_duration: Duration,
}

impl WorkerSweep {
    /// A sweep with a 60 s bound per level.
    ///
    /// # Errors
    /// [`ShapeError`] when the list is empty or a count is out of bounds.
    pub fn new(workers: Vec<u64>, ops_per_level: u64) -> Result<Self, ShapeError> {
        Self::with_bounds(workers, ops_per_level, DEFAULT_DURATION)
    }

    /// The validating constructor.
    ///
    /// # Errors
    /// [`ShapeError`] when any value is out of its bound.
    pub fn with_bounds(
        workers: Vec<u64>,
        ops_per_level: u64,
        max: Duration,
    ) -> Result<Self, ShapeError> {
        if workers.is_empty() {
            return Err(ShapeError::Empty {
                what: "worker counts",
            });
        }
        let workers = workers
            .into_iter()
            .map(|w| check_workers("workers", w))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            workers,
            ops_per_level: check_ops(ops_per_level)?,
            max_duration: check_duration(max)?,
        })
    }

    /// Worker counts, in order.
    pub fn workers(&self) -> &[usize] {
        &self.workers
    }
    /// Operations per level.
    pub fn ops_per_level(&self) -> u64 {
        self.ops_per_level
    }

    /// One phase per worker count.
    pub fn phases(&self) -> Vec<Phase> {
        self.workers
            .iter()
            .map(|w| Phase {
                name: format!("workers={w}"),
                role: PhaseRole::Steady,
                workers: *w,
                ops: self.ops_per_level,
                think: None,
                arrival: None,
                max_duration: self.max_duration,
            })
            .collect()
    }
}

/// Strategy for doubling sweeps `1, 2, 4, ..` up to a top drawn from `top`; shrinks toward a lower top and
/// fewer operations. Made by [`worker_sweep`].
#[must_use = "strategies do nothing unless used"]
#[derive(Debug)]
pub struct WorkerSweepStrategy {
    inner: BoxedStrategy<WorkerSweep>,
}

/// Doubling sweeps up to a top worker count drawn from `top`, each level running operations drawn from `ops`.
///
/// ```
/// use proptest::prelude::*;
/// proptest!(|(s in scale_props::shape::worker_sweep(1..9, 10..20))| {
///     prop_assert_eq!(s.workers()[0], 1);
/// });
/// ```
pub fn worker_sweep(top: impl Into<LoadRange>, ops: impl Into<LoadRange>) -> WorkerSweepStrategy {
    let t = top.into().within(1, MAX_WORKERS);
    let o = ops.into().within(1, MAX_OPS);
    let inner = (t.lo()..=t.hi(), o.lo()..=o.hi())
        .prop_filter_map("in bounds", |(t, o)| {
            let levels: Vec<u64> = (0..11).map(|k| 1u64 << k).take_while(|w| *w <= t).collect();
            WorkerSweep::new(levels, o).ok()
        })
        .boxed();
    WorkerSweepStrategy { inner }
}

impl Strategy for WorkerSweepStrategy {
    type Tree = Box<dyn ValueTree<Value = WorkerSweep>>;
    type Value = WorkerSweep;
    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        self.inner.new_tree(runner)
    }
}
