//! Calibration from deterministic work counters: each known workload gets its exact complexity class.
#![cfg(not(loom))]

mod common;

use common::*;
use scale_props::fit::Complexity;
use scale_props::{CurveDigest, Errors, Experiment, Growth};

fn class_of(digest: &CurveDigest) -> Complexity {
    assert_eq!(digest.growth.len(), 1, "{digest:#?}");
    digest.growth[0].work["comparisons"]
}

#[test]
fn hashmap_lookup_is_constant() -> Result<(), Box<dyn std::error::Error>> {
    let curve = Experiment::new("calibrate.work.hashmap_lookup")
        .sizes([1_000, 10_000, 100_000])
        .prepare(hash_map)
        .op(hash_lookup)
        .ops(2_000)
        .run()?;
    curve.check(Errors::none())?;
    curve.check(Growth::at_most(Complexity::Constant).of_work("comparisons"))?;
    assert_eq!(class_of(&CurveDigest::of(&curve)), Complexity::Constant);
    Ok(())
}

#[test]
fn btreemap_insert_is_logarithmic() -> Result<(), Box<dyn std::error::Error>> {
    let curve = Experiment::new("calibrate.work.btreemap_insert")
        .sizes([1_000, 10_000, 100_000])
        .prepare(btree)
        .op(btree_insert)
        .ops(2_000)
        .run()?;
    curve.check(Errors::none())?;
    assert_eq!(class_of(&CurveDigest::of(&curve)), Complexity::Log);
    assert!(curve.check(Growth::at_most(Complexity::Constant)).is_err());
    Ok(())
}

#[test]
fn linear_scan_is_linear() -> Result<(), Box<dyn std::error::Error>> {
    let curve = Experiment::new("calibrate.work.scan")
        .sizes([1_000, 10_000, 100_000])
        .prepare(vector)
        .op(|v, ctx| scan(v, ctx))
        .ops(20)
        .run()?;
    curve.check(Errors::none())?;
    assert_eq!(class_of(&CurveDigest::of(&curve)), Complexity::Linear);
    assert_eq!(curve.points[2].work_per_op("comparisons"), 100_000.0);
    Ok(())
}

#[test]
fn sort_is_linearithmic() -> Result<(), Box<dyn std::error::Error>> {
    let curve = Experiment::new("calibrate.work.sort")
        .sizes([1_000, 10_000, 100_000])
        .prepare(vector)
        .op(|v, ctx| sort(v, ctx))
        .ops(3)
        .run()?;
    curve.check(Errors::none())?;
    assert_eq!(class_of(&CurveDigest::of(&curve)), Complexity::Linearithmic);
    let err = curve
        .check(Growth::at_most(Complexity::Linear))
        .expect_err("n log n is above O(n)");
    let text = err.to_string();
    assert!(
        text.contains("| size |") && text.contains("plot: "),
        "{text}"
    );
    Ok(())
}

#[test]
fn nested_loops_are_quadratic() -> Result<(), Box<dyn std::error::Error>> {
    let curve = Experiment::new("calibrate.work.nested")
        .sizes([100, 400, 1_600])
        .prepare(vector)
        .op(|v, ctx| nested(v, ctx))
        .ops(3)
        .run()?;
    assert_eq!(class_of(&CurveDigest::of(&curve)), Complexity::Quadratic);
    assert_eq!(
        curve.points[0].work_per_op("comparisons"),
        (100.0 * 99.0) / 2.0
    );
    Ok(())
}
