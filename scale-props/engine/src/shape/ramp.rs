//! A ramp: users rising linearly from one count to another.

use std::time::Duration;

use proptest::strategy::{BoxedStrategy, NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde::{Deserialize, Serialize};

use super::load_shape::{
    DEFAULT_DURATION, MAX_OPS, MAX_WORKERS, check_duration, check_ops, check_workers,
};
use super::{LoadRange, Phase, PhaseRole, ShapeError};

/// Most steps a ramp may have.
const MAX_RAMP_STEPS: u64 = 64;

/// A ramp from `from` to `to` users in `steps` equal steps, each running `ops_per_step` operations.
///
/// Invariants: user counts in `1..=MAX_WORKERS`, `1 <= steps <= 64`, ops in bounds.
///
/// ```
/// use scale_props::shape::Ramp;
/// let r = Ramp::new(1, 10, 4, 100)?;
/// assert_eq!(r.phases().iter().map(|p| p.workers).collect::<Vec<_>>(), vec![1, 4, 7, 10]);
/// # Ok::<(), scale_props::shape::ShapeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ramp {
    from: usize,
    to: usize,
    steps: usize,
    ops_per_step: u64,
    max_duration: Duration,
}

impl Ramp {
    /// A ramp with a 60 s bound per step.
    ///
    /// # Errors
    /// [`ShapeError`] when a value is out of bounds.
    pub fn new(from: u64, to: u64, steps: u64, ops_per_step: u64) -> Result<Self, ShapeError> {
        Self::with_bounds(from, to, steps, ops_per_step, DEFAULT_DURATION)
    }

    /// The validating constructor.
    ///
    /// # Errors
    /// [`ShapeError`] when any value is out of its bound.
    pub fn with_bounds(
        from: u64,
        to: u64,
        steps: u64,
        ops_per_step: u64,
        max: Duration,
    ) -> Result<Self, ShapeError> {
        let from = check_workers("ramp start users", from)?;
        let to = check_workers("ramp end users", to)?;
        if steps == 0 || steps > MAX_RAMP_STEPS {
            return Err(ShapeError::WorkersOutOfRange {
                what: "ramp steps",
                got: steps,
                max: MAX_RAMP_STEPS,
            });
        }
        let ops_per_step = check_ops(ops_per_step)?;
        Ok(Self {
            from,
            to,
            steps: steps as usize,
            ops_per_step,
            max_duration: check_duration(max)?,
        })
    }

    /// First user count.
    pub fn from(&self) -> usize {
        self.from
    }
    /// Last user count.
    pub fn to(&self) -> usize {
        self.to
    }
    /// Number of steps.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// One phase per step, user counts linearly interpolated (rounded).
    pub fn phases(&self) -> Vec<Phase> {
        (0..self.steps)
            .map(|k| {
                let t = if self.steps == 1 {
                    1.0
                } else {
                    k as f64 / (self.steps - 1) as f64
                };
                let users = (self.from as f64 + t * (self.to as f64 - self.from as f64))
                    .round()
                    .max(1.0) as usize;
                Phase {
                    name: format!("ramp{k}:users={users}"),
                    role: PhaseRole::Steady,
                    workers: users,
                    ops: self.ops_per_step,
                    think: None,
                    arrival: None,
                    max_duration: self.max_duration,
                }
            })
            .collect()
    }
}

/// Strategy for rising [`Ramp`]s from 1 user to a peak drawn from `peak`, in 4 steps; shrinks toward a lower
/// peak and fewer operations. Made by [`ramp`].
#[must_use = "strategies do nothing unless used"]
#[derive(Debug)]
pub struct RampStrategy {
    inner: BoxedStrategy<Ramp>,
}

/// Ramps from 1 user to a peak drawn from `peak`, in 4 steps of a number of operations drawn from `ops`.
///
/// ```
/// use proptest::prelude::*;
/// proptest!(|(r in scale_props::shape::ramp(2..16, 10..20))| {
///     prop_assert!(r.to() >= 2);
/// });
/// ```
pub fn ramp(peak: impl Into<LoadRange>, ops: impl Into<LoadRange>) -> RampStrategy {
    let p = peak.into().within(1, MAX_WORKERS);
    let o = ops.into().within(1, MAX_OPS);
    let inner = (p.lo()..=p.hi(), o.lo()..=o.hi())
        .prop_filter_map("in bounds", |(p, o)| Ramp::new(1, p, 4, o).ok())
        .boxed();
    RampStrategy { inner }
}

impl Strategy for RampStrategy {
    type Tree = Box<dyn ValueTree<Value = Ramp>>;
    type Value = Ramp;
    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        self.inner.new_tree(runner)
    }
}
