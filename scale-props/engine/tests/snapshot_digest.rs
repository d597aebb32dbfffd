//! The digest is deterministic: the same experiment twice gives identical digests, snapshotted with insta.
#![cfg(not(loom))]

use scale_props::{
    CurveDigest, Errors, Experiment, assert_curve_snapshot, install_counting_allocator,
};

install_counting_allocator!();

/// Sums a fresh copy of the state: one allocation of 8 n bytes and n additions per operation.
fn copy_and_sum() -> Experiment<impl scale_props::Workload> {
    Experiment::new("digest.copy_and_sum")
        .sizes([100, 1_000, 10_000])
        .prepare(|n| (0..n).collect::<Vec<u64>>())
        .op(|v, ctx| {
            let copy = v.clone();
            ctx.count("additions", copy.len() as u64);
            copy.iter().fold(0u64, |a, x| a.wrapping_add(*x)) == ctx.size * (ctx.size - 1) / 2
        })
        .ops(200)
        .repetitions(3)
}

#[test]
fn same_experiment_twice_gives_identical_digests() -> Result<(), Box<dyn std::error::Error>> {
    let experiment = copy_and_sum();
    let first = experiment.run()?;
    let second = experiment.run()?;
    first.check(Errors::none())?;
    let (a, b) = (CurveDigest::of(&first), CurveDigest::of(&second));
    assert_eq!(a, b);
    let point = &a.points[2];
    assert_eq!(
        point.work_per_op["additions"],
        scale_props::digest::PerOp::Exact(10_000.0)
    );
    assert_eq!(
        point.allocations_per_op,
        Some(scale_props::digest::PerOp::Between(1, 2))
    );
    assert_eq!(
        point.alloc_bytes_per_op,
        Some(scale_props::digest::PerOp::Between(65_536, 131_072))
    );
    Ok(())
}

#[test]
fn digest_matches_snapshot() -> Result<(), Box<dyn std::error::Error>> {
    let curve = copy_and_sum().run()?;
    assert_curve_snapshot!(curve);
    Ok(())
}
