//! Load shapes end to end: bursts under proptest, the open model's dropped work, think time, progress.
#![cfg(not(loom))]

use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;
use scale_props::shape::{self, Closed, Confirmation, Open, find_breaking_point};
use scale_props::{Errors, Experiment, Progress};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    #[test]
    fn a_burst_runs_every_operation_of_every_phase(b in shape::burst_with_ops(1..3, 2..4, 20..60)) {
        let curve = Experiment::new("shapes.burst")
            .shape(b.clone())
            .op(|_: &(), ctx| std::hint::black_box(ctx.i.wrapping_mul(31)) != u64::MAX)
            .run()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(curve.points.len(), 3);
        prop_assert_eq!(curve.points[1].total_completed(), b.ops() * b.factor() as u64);
        prop_assert!(curve.p99_during_spike().is_some() && curve.p99_before_spike().is_some());
        prop_assert!(curve.check(Errors::none()).is_ok());
    }
}

#[test]
fn open_model_counts_work_it_could_not_start_as_dropped() -> Result<(), Box<dyn std::error::Error>>
{
    // 1 000 operations scheduled 10 us apart on one worker, each a few hundred microseconds of arithmetic:
    // most cannot start in time.
    let open = Open::new(100_000, 1, 1_000)?.with_drop_after(Duration::from_millis(5))?;
    let curve = Experiment::new("shapes.open")
        .shape(open)
        .op(|_: &(), ctx| {
            (0..200_000u64).fold(ctx.i, |a, x| std::hint::black_box(a ^ x.wrapping_mul(31))) != 1
        })
        .run()?;
    let p = &curve.points[0];
    assert!(p.total_dropped() > 100, "dropped {}", p.total_dropped());
    assert_eq!(p.total_completed() + p.total_dropped(), 1_000);
    // Latency counts from the scheduled start, so queueing shows up in the tail.
    let (p99, service) = (p.median_latency_ns(0.99).unwrap_or(0.0), p.median_op_ns());
    assert!(
        p99 > 2.0 * service,
        "p99 {p99} ns vs service time {service} ns"
    );
    Ok(())
}

#[test]
fn progress_events_cover_every_run() -> Result<(), Box<dyn std::error::Error>> {
    let (tx, rx) = mpsc::channel();
    Experiment::new("shapes.progress")
        .sizes([1, 2])
        .shape(Closed::new(2, 50)?.with_think(Duration::from_micros(10))?)
        .repetitions(2)
        .progress_channel(tx)
        .op(|_: &(), _| ())
        .run()?;
    let events: Vec<Progress> = rx.try_iter().collect();
    assert!(matches!(
        events.first(),
        Some(Progress::Started { total: 4, .. })
    ));
    assert!(matches!(events.last(), Some(Progress::Finished { .. })));
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, Progress::RunDone { .. }))
            .count(),
        4
    );
    Ok(())
}

#[test]
fn breaking_point_of_a_real_budget_is_confirmed() -> Result<(), Box<dyn std::error::Error>> {
    // The property: a shared Vec protected by a Mutex keeps p50 under a generous budget at 1 and 2 users.
    let confirm = Confirmation::new(2, 3, 11)?;
    let found = find_breaking_point([1u64, 2], confirm, |users, _seed| {
        Experiment::new("shapes.breaking")
            .shape(Closed::new(*users, 200).unwrap_or_else(|e| panic!("{e}")))
            .op(|_: &(), ctx| ctx.i < 1_000_000)
            .run()
            .map(|c| c.total_errors() == 0)
            .unwrap_or(false)
    });
    assert!(found.is_none(), "no errors at any load: {found:?}");
    Ok(())
}
