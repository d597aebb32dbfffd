//! Calibration from time: the median p50 of several repetitions lands in the right wide growth bin.
#![cfg(not(loom))]

mod common;

use common::*;
use std::sync::Mutex;

use scale_props::fit::{Complexity, GrowthBin};
use scale_props::{Curve, CurveDigest, Experiment, Growth};

/// Timing tests run one at a time, so they do not compete with each other for the two cores.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn time_bin(curve: &Curve) -> GrowthBin {
    let d = CurveDigest::of(curve);
    d.growth[0]
        .time
        .unwrap_or_else(|| panic!("no time bin: {d:#?}"))
}

#[test]
fn hashmap_lookup_time_is_flat() -> Result<(), Box<dyn std::error::Error>> {
    let _serial = serial();
    let curve = Experiment::new("calibrate.time.hashmap_lookup")
        .sizes([1_000, 10_000, 100_000])
        .prepare(hash_map)
        .op(hash_lookup)
        .ops(20_000)
        .repetitions(5)
        .run()?;
    curve.check(Growth::at_most(Complexity::Log).of_time())?;
    assert_eq!(time_bin(&curve), GrowthBin::Flat, "{}", table(&curve));
    Ok(())
}

#[test]
fn btreemap_insert_time_is_flat() -> Result<(), Box<dyn std::error::Error>> {
    let _serial = serial();
    let curve = Experiment::new("calibrate.time.btreemap_insert")
        .sizes([1_000, 10_000, 100_000])
        .prepare(btree)
        .op(btree_insert)
        .ops(20_000)
        .repetitions(5)
        .run()?;
    assert_eq!(time_bin(&curve), GrowthBin::Flat, "{}", table(&curve));
    Ok(())
}

#[test]
fn linear_scan_time_is_linear() -> Result<(), Box<dyn std::error::Error>> {
    let _serial = serial();
    let curve = Experiment::new("calibrate.time.scan")
        .sizes([1_000, 10_000, 100_000])
        .prepare(vector)
        .op(|v, ctx| scan(v, ctx))
        .ops(50)
        .repetitions(5)
        .run()?;
    assert_eq!(time_bin(&curve), GrowthBin::Linear, "{}", table(&curve));
    Ok(())
}

#[test]
/// Sizes stay within the L2 cache: past it, a busy shared machine's memory bandwidth bends the curve.
fn sort_time_is_linear_bin() -> Result<(), Box<dyn std::error::Error>> {
    let _serial = serial();
    let curve = Experiment::new("calibrate.time.sort")
        .sizes([256, 2_048, 16_384])
        .prepare(vector)
        .op(|v, ctx| sort(v, ctx))
        .ops(15)
        .repetitions(5)
        .run()?;
    assert_eq!(time_bin(&curve), GrowthBin::Linear, "{}", table(&curve));
    Ok(())
}

#[test]
fn nested_loops_time_is_quadratic() -> Result<(), Box<dyn std::error::Error>> {
    let _serial = serial();
    let curve = Experiment::new("calibrate.time.nested")
        .sizes([100, 400, 1_600])
        .prepare(vector)
        .op(|v, ctx| nested(v, ctx))
        .ops(5)
        .repetitions(5)
        .run()?;
    assert_eq!(time_bin(&curve), GrowthBin::Quadratic, "{}", table(&curve));
    assert!(
        curve
            .check(Growth::at_most(Complexity::Linear).of_time())
            .is_err()
    );
    Ok(())
}

/// The measured table and fits, for failure messages.
fn table(curve: &Curve) -> String {
    let a = scale_props::Analysis::of(curve);
    format!(
        "{}\n{}",
        scale_props::report::markdown_table(&a),
        scale_props::report::markdown_fits(&a)
    )
}
