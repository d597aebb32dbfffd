//! The stress tests at the test scale: every stepped search holds its budget below the specification's
//! target (or reports where it broke), every concurrency level answers correctly, and memory per item is
//! within its budget; digests of the deterministic curves snapshotted.
#![cfg(not(loom))]

scale_props::install_counting_allocator!();

mod common;

use aegis_scale::stepped::StepOutcome;
use aegis_scale::suites::stress::{concurrency, memory, throughput};
use aegis_scale::{Scale, SuiteName, Topic};
use common::{curve, exclusive, run_suite, snapshot_all};
use scale_props::Errors;

#[test]
fn stress_tests_hold_at_the_test_scale() {
    let _one = exclusive();
    let runs = run_suite(SuiteName::Stress);
    assert_eq!(runs.len(), 13, "the specification's 13 stress tests");
    for r in runs.iter().filter(|r| r.topic == Topic::StressThroughput) {
        let budget = throughput::budget_of(&r.curve.id, Scale::Test).expect("budget known");
        let target = throughput::target(&r.curve.id).expect("target known");
        match StepOutcome::of(&r.curve, &budget).expect("open-model steps") {
            StepOutcome::Broke { rate, .. } => assert!(
                rate >= target,
                "{}: broke at {rate}/s below the target {target}/s",
                r.curve.id
            ),
            StepOutcome::NotReached { bound } => assert!(bound > 0),
        }
    }
    for r in runs.iter().filter(|r| r.topic == Topic::StressConcurrency) {
        r.curve
            .expect(Errors::none())
            .unwrap_or_else(|e| panic!("{}: {e}", r.curve.id));
        let workers: Vec<usize> = r.curve.points.iter().map(|p| p.phase.workers).collect();
        assert_eq!(workers, [1, 2, 4, 8, 16], "{}", r.curve.id);
    }
    for p in &curve(&runs, concurrency::HITL).points {
        assert_eq!(p.work_total("decided"), p.work_total("requested"));
        assert_eq!(p.work_total("decided"), p.total_completed());
    }
    for p in &curve(&runs, concurrency::AUDIT).points {
        assert!(
            p.work_total("entries_verified") > p.size,
            "verify ran at {}",
            p.phase.name
        );
    }
    let audit = curve(&runs, memory::AUDIT);
    for p in &audit.points {
        let row = p.work_per_op("row_bytes_per_entry");
        assert!(
            (memory::AUDIT_PAYLOAD_BYTES as f64..1_024.0).contains(&row),
            "row bytes per entry {row}"
        );
        assert_eq!(p.work_total("entries_verified"), p.size);
    }
    for p in &curve(&runs, memory::EVOLUTION).points {
        let b = p.work_per_op("accounted_bytes_per_item");
        assert!((1.0..=512.0).contains(&b), "{b} bytes per experience");
    }
    // Stepped searches stop where a timed budget breaks, so their point count is not a deterministic fact;
    // the sweeps and memory curves keep their counts and leave time out.
    let snapshotted: Vec<_> = runs
        .into_iter()
        .filter(|r| r.topic != Topic::StressThroughput)
        .collect();
    let untimed: Vec<String> = snapshotted.iter().map(|r| r.curve.id.clone()).collect();
    let untimed: Vec<&str> = untimed.iter().map(String::as_str).collect();
    snapshot_all(&snapshotted, &untimed);
}
