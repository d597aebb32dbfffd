//! A burst: base load, a k-times spike, then a recovery window.

use std::time::Duration;

use proptest::strategy::{BoxedStrategy, NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde::{Deserialize, Serialize};

use super::load_shape::{
    DEFAULT_DURATION, MAX_OPS, MAX_WORKERS, check_duration, check_ops, check_workers,
};
use super::{LoadRange, Phase, PhaseRole, ShapeError};

/// A burst: `base` users run `ops` operations, then `base * factor` users run `ops * factor`, then `base` users
/// run `ops` again while recovery is watched.
///
/// Invariants: `base >= 1`, `factor >= 1`, `base * factor <= MAX_WORKERS`, `ops * factor <= MAX_OPS`.
///
/// ```
/// use scale_props::shape::{Burst, PhaseRole};
/// let b = Burst::new(10, 5, 100)?;
/// let spike = &b.phases()[1];
/// assert_eq!((spike.role, spike.workers, spike.ops), (PhaseRole::Spike, 50, 500));
/// # Ok::<(), scale_props::shape::ShapeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Burst {
    base: usize,
    factor: usize,
    ops: u64,
    max_duration: Duration,
}

impl Burst {
    /// Base users, spike factor and operations per base phase, 60 s bound per phase.
    ///
    /// # Errors
    /// [`ShapeError`] when the spike exceeds `MAX_WORKERS` users or `MAX_OPS` operations.
    pub fn new(base: u64, factor: u64, ops: u64) -> Result<Self, ShapeError> {
        Self::with_bounds(base, factor, ops, DEFAULT_DURATION)
    }

    /// The validating constructor.
    ///
    /// # Errors
    /// [`ShapeError`] when any value is out of its bound.
    pub fn with_bounds(
        base: u64,
        factor: u64,
        ops: u64,
        max: Duration,
    ) -> Result<Self, ShapeError> {
        let b = check_workers("base users", base)?;
        check_workers("spike users", base.saturating_mul(factor))?;
        let f = check_workers("spike factor", factor)?;
        check_ops(ops.saturating_mul(factor))?;
        let max_duration = check_duration(max)?;
        Ok(Self {
            base: b,
            factor: f,
            ops,
            max_duration,
        })
    }

    /// Base users.
    pub fn base(&self) -> usize {
        self.base
    }
    /// Spike factor k.
    pub fn factor(&self) -> usize {
        self.factor
    }
    /// Operations per base phase.
    pub fn ops(&self) -> u64 {
        self.ops
    }

    /// Before, spike, recovery.
    pub fn phases(&self) -> Vec<Phase> {
        let phase = |name: &str, role, workers, ops| Phase {
            name: name.to_owned(),
            role,
            workers,
            ops,
            think: None,
            arrival: None,
            max_duration: self.max_duration,
        };
        vec![
            phase("before", PhaseRole::BeforeSpike, self.base, self.ops),
            phase(
                "spike",
                PhaseRole::Spike,
                self.base * self.factor,
                self.ops * self.factor as u64,
            ),
            phase("recovery", PhaseRole::Recovery, self.base, self.ops),
        ]
    }
}

/// Strategy for [`Burst`] loads; shrinks toward a smaller base, a smaller factor and fewer operations. Made by
/// [`burst`].
#[must_use = "strategies do nothing unless used"]
#[derive(Debug)]
pub struct BurstStrategy {
    inner: BoxedStrategy<Burst>,
}

/// Bursts with base users and spike factor drawn from the ranges, 100 operations per base phase.
///
/// ```
/// use proptest::prelude::*;
/// proptest!(|(b in scale_props::shape::burst(1..4, 2..5))| {
///     prop_assert!(b.factor() >= 2 && b.base() < 4);
/// });
/// ```
pub fn burst(base: impl Into<LoadRange>, factor: impl Into<LoadRange>) -> BurstStrategy {
    burst_with_ops(base, factor, 100)
}

/// Bursts with base users, spike factor and operations per base phase drawn from the ranges.
///
/// ```
/// use proptest::prelude::*;
/// proptest!(|(b in scale_props::shape::burst_with_ops(1..4, 2..5, 10..20))| {
///     prop_assert!(b.ops() < 20);
/// });
/// ```
pub fn burst_with_ops(
    base: impl Into<LoadRange>,
    factor: impl Into<LoadRange>,
    ops: impl Into<LoadRange>,
) -> BurstStrategy {
    let b = base.into().within(1, MAX_WORKERS);
    let f = factor.into().within(1, MAX_WORKERS);
    let o = ops.into().within(1, MAX_OPS);
    let inner = (b.lo()..=b.hi(), f.lo()..=f.hi(), o.lo()..=o.hi())
        .prop_filter_map("spike within bounds", |(b, f, o)| Burst::new(b, f, o).ok())
        .boxed();
    BurstStrategy { inner }
}

impl Strategy for BurstStrategy {
    type Tree = Box<dyn ValueTree<Value = Burst>>;
    type Value = Burst;
    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        self.inner.new_tree(runner)
    }
}
