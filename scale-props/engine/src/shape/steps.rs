//! Load steps at multiples of a base: 1x, 10x, 100x, 1000x.

use std::time::Duration;

use proptest::strategy::{BoxedStrategy, NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde::{Deserialize, Serialize};

use super::load_shape::{
    DEFAULT_DURATION, MAX_OPS, MAX_WORKERS, check_duration, check_ops, check_workers,
};
use super::{LoadRange, Phase, PhaseRole, ShapeError};

/// Sizes at decades of a base: `decades(1_000, 4)` is `[1_000, 10_000, 100_000, 1_000_000]`, saturating.
///
/// ```
/// assert_eq!(scale_props::shape::decades(3, 3), vec![3, 30, 300]);
/// ```
pub fn decades(base: u64, count: u32) -> Vec<u64> {
    (0..count)
        .map(|k| base.saturating_mul(10u64.saturating_pow(k)))
        .collect()
}

/// Closed-model steps: at each factor, `base * factor` users run `ops_per_step` operations.
///
/// Invariants: factors non-empty, every `base * factor` in `1..=MAX_WORKERS`, ops in bounds.
///
/// ```
/// use scale_props::shape::Steps;
/// let s = Steps::new(1, vec![1, 10, 100], 50)?;
/// assert_eq!(s.phases().iter().map(|p| p.workers).collect::<Vec<_>>(), vec![1, 10, 100]);
/// # Ok::<(), scale_props::shape::ShapeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Steps {
    base: usize,
    factors: Vec<u64>,
    ops_per_step: u64,
    max_duration: Duration,
}

impl Steps {
    /// Steps of `base * factor` users with a 60 s bound per step.
    ///
    /// # Errors
    /// [`ShapeError`] when the factor list is empty or a step is out of bounds.
    pub fn new(base: u64, factors: Vec<u64>, ops_per_step: u64) -> Result<Self, ShapeError> {
        Self::with_bounds(base, factors, ops_per_step, DEFAULT_DURATION)
    }

    /// The validating constructor.
    ///
    /// # Errors
    /// [`ShapeError`] when any value is out of its bound.
    pub fn with_bounds(
        base: u64,
        factors: Vec<u64>,
        ops_per_step: u64,
        max: Duration,
    ) -> Result<Self, ShapeError> {
        if factors.is_empty() {
            return Err(ShapeError::Empty {
                what: "step factors",
            });
        }
        let b = check_workers("base users", base)?;
        for f in &factors {
            check_workers("step users", base.saturating_mul(*f))?;
        }
        let ops_per_step = check_ops(ops_per_step)?;
        Ok(Self {
            base: b,
            factors,
            ops_per_step,
            max_duration: check_duration(max)?,
        })
    }

    /// Base users.
    pub fn base(&self) -> usize {
        self.base
    }
    /// Multipliers of the base.
    pub fn factors(&self) -> &[u64] {
        &self.factors
    }
    /// Operations per step.
    pub fn ops_per_step(&self) -> u64 {
        self.ops_per_step
    }

    /// One phase per factor.
    pub fn phases(&self) -> Vec<Phase> {
        self.factors
            .iter()
            .map(|f| Phase {
                name: format!("{f}x"),
                role: PhaseRole::Steady,
                workers: self.base * *f as usize,
                ops: self.ops_per_step,
                think: None,
                arrival: None,
                max_duration: self.max_duration,
            })
            .collect()
    }
}

/// Strategy for [`Steps`] over 1x, 10x, 100x (as far as `MAX_WORKERS` allows); shrinks toward a smaller base
/// and fewer operations. Made by [`steps`].
#[must_use = "strategies do nothing unless used"]
#[derive(Debug)]
pub struct StepsStrategy {
    inner: BoxedStrategy<Steps>,
}

/// Steps at decades (1x, 10x, 100x, 1000x, cut where users would exceed `MAX_WORKERS`) of a base drawn from
/// `base`, each running a number of operations drawn from `ops`.
///
/// ```
/// use proptest::prelude::*;
/// proptest!(|(s in scale_props::shape::steps(1..3, 10..20))| {
///     prop_assert!(s.factors().len() >= 1 && s.factors()[0] == 1);
/// });
/// ```
pub fn steps(base: impl Into<LoadRange>, ops: impl Into<LoadRange>) -> StepsStrategy {
    let b = base.into().within(1, MAX_WORKERS);
    let o = ops.into().within(1, MAX_OPS);
    let inner = (b.lo()..=b.hi(), o.lo()..=o.hi())
        .prop_filter_map("in bounds", |(b, o)| {
            let factors: Vec<u64> = decades(1, 4)
                .into_iter()
                .filter(|f| b * f <= MAX_WORKERS)
                .collect();
            Steps::new(b, factors, o).ok()
        })
        .boxed();
    StepsStrategy { inner }
}

impl Strategy for StepsStrategy {
    type Tree = Box<dyn ValueTree<Value = Steps>>;
    type Value = Steps;
    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        self.inner.new_tree(runner)
    }
}
