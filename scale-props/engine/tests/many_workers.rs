//! Many workers: per-worker setup (recorders, thread start, the merge) stays out of the measured window, so
//! throughput and the open model's dropped work describe the operations, not the bookkeeping.
#![cfg(not(loom))]

use std::time::Duration;

use scale_props::Experiment;
use scale_props::shape::{Closed, Open};

/// Median throughput of a trivial operation on a closed model with `users` simulated users.
fn trivial_throughput(users: u64, ops: u64) -> Result<f64, Box<dyn std::error::Error>> {
    let curve = Experiment::new("many_workers.closed")
        .shape(Closed::new(users, ops)?)
        .repetitions(3)
        // A few microseconds of real arithmetic: the scale of the operations the suites measure.
        .op(|_: &(), ctx| {
            (0..5_000u64).fold(ctx.i, |a, x| std::hint::black_box(a ^ x.wrapping_mul(31))) != 1
        })
        .run()?;
    Ok(curve.points[0].median_throughput())
}

#[test]
fn a_thousand_users_keep_the_throughput_of_ten_on_a_trivial_operation()
-> Result<(), Box<dyn std::error::Error>> {
    // The operation does the same work whatever the user count; on any number of cores a thousand users can
    // only lose to ten by scheduling, never by a factor of four. Per-worker setup counted as run time
    // used to make it forty.
    let ops = 100_000;
    let ten = trivial_throughput(10, ops)?;
    let thousand = trivial_throughput(1_000, ops)?;
    let ratio = thousand / ten;
    println!("throughput 10 users {ten:.0}/s, 1000 users {thousand:.0}/s, ratio {ratio:.3}");
    assert!(
        ratio >= 0.25,
        "1000 users: {thousand:.0}/s vs 10 users: {ten:.0}/s (ratio {ratio:.3})"
    );
    Ok(())
}

#[test]
fn a_thousand_open_model_workers_do_not_drop_work_while_they_start()
-> Result<(), Box<dyn std::error::Error>> {
    // 2 000 trivial operations, 100 us apart, with a generous 200 ms lateness tolerance: the pacing is slack,
    // so work is dropped only if the schedule starts before the workers are ready.
    let open = Open::new(10_000, 1_000, 2_000)?.with_drop_after(Duration::from_millis(200))?;
    let curve = Experiment::new("many_workers.open")
        .shape(open)
        .op(|_: &(), ctx| std::hint::black_box(ctx.i.wrapping_mul(31)) != u64::MAX)
        .run()?;
    let p = &curve.points[0];
    println!(
        "open model, 1000 workers: dropped {} of 2000",
        p.total_dropped()
    );
    assert_eq!(p.total_completed() + p.total_dropped(), 2_000);
    assert!(
        p.total_dropped() <= 500,
        "dropped {} of 2000",
        p.total_dropped()
    );
    Ok(())
}
