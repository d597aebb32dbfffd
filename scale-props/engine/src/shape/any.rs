//! A strategy over every kind of shape, for properties that must hold under any load.

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, NewTree, ValueTree};
use proptest::test_runner::TestRunner;

use super::{LoadShape, Steps, burst, closed, open, ramp, worker_sweep};

/// Strategy for any [`LoadShape`] of modest size (at most 16 users, 200 operations per phase); a union that
/// shrinks within the chosen kind toward less load. Made by [`any_shape`].
#[must_use = "strategies do nothing unless used"]
#[derive(Debug)]
pub struct AnyShapeStrategy {
    inner: BoxedStrategy<LoadShape>,
}

/// Any kind of load shape, kept small enough for a unit test.
///
/// ```
/// use proptest::prelude::*;
/// proptest!(|(s in scale_props::shape::any_shape())| {
///     prop_assert!(s.total_ops() >= 1 && s.peak_workers() <= 16 * 4);
/// });
/// ```
pub fn any_shape() -> AnyShapeStrategy {
    let inner = prop_oneof![
        closed(1..16, 1..200).prop_map(LoadShape::from),
        open(100..10_000, 1..4, 1..200).prop_map(LoadShape::from),
        (1u64..=2, 1u64..200).prop_filter_map("in bounds", |(b, o)| Steps::new(b, vec![1, 10], o)
            .ok()
            .map(LoadShape::from)),
        ramp(1..16, 1..200).prop_map(LoadShape::from),
        burst(1..4, 2..16).prop_map(LoadShape::from),
        worker_sweep(1..16, 1..200).prop_map(LoadShape::from),
    ]
    .boxed();
    AnyShapeStrategy { inner }
}

impl Strategy for AnyShapeStrategy {
    type Tree = Box<dyn ValueTree<Value = LoadShape>>;
    type Value = LoadShape;
    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        self.inner.new_tree(runner)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::shape::{MAX_OPS, MAX_WORKERS};

    proptest! {
        #[test]
        fn every_generated_phase_is_bounded(s in any_shape()) {
            for p in s.phases() {
                prop_assert!(p.workers >= 1 && p.workers as u64 <= MAX_WORKERS);
                prop_assert!(p.ops >= 1 && p.ops <= MAX_OPS);
                prop_assert!(!p.max_duration.is_zero());
            }
        }
    }

    #[test]
    fn burst_shrinks_toward_less_load() {
        let mut runner = TestRunner::deterministic();
        let mut tree = burst(10..200, 2..20)
            .new_tree(&mut runner)
            .expect("strategy generates");
        let start = LoadShape::from(tree.current()).load();
        while tree.simplify() {}
        let end = LoadShape::from(tree.current());
        assert!(end.load() <= start);
        let LoadShape::Burst(b) = end else {
            unreachable!("burst strategy yields bursts")
        };
        assert_eq!(
            (b.base(), b.factor()),
            (10, 2),
            "fully simplified burst is the smallest load"
        );
    }
}
