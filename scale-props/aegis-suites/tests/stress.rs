//! The stress tests at the test scale: every claim of every case holds (stepped searches hold their budget
//! below the specification's target, every concurrency level answers correctly, memory per item within its
//! budget); stable digests of the deterministic curves snapshotted.
#![cfg(not(loom))]

scale_props::install_counting_allocator!();

mod common;

use aegis_scale::{SuiteName, Topic};
use common::{assert_claims, exclusive, run_suite, snapshot_all};

#[test]
fn stress_tests_hold_at_the_test_scale() {
    let _one = exclusive();
    let runs = run_suite(SuiteName::Stress);
    assert_eq!(runs.len(), 13, "the specification's 13 stress tests");
    assert_claims(&runs);
    // Stepped searches stop where a timed budget breaks, so their point count is not a deterministic fact;
    // the sweeps and memory curves keep their counts.
    let snapshotted: Vec<_> = runs
        .into_iter()
        .filter(|r| r.topic != Topic::StressThroughput)
        .collect();
    snapshot_all(&snapshotted);
}
