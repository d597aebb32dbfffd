//! USL calibration: an uncontended per-thread counter and one shared Mutex counter get different labels.
#![cfg(not(loom))]

use std::cell::Cell;
use std::hint::black_box;
use std::sync::Mutex;

use scale_props::Experiment;
use scale_props::expect::UslReport;
use scale_props::fit::UslLabel;

thread_local! {
    static LOCAL: Cell<u64> = const { Cell::new(0) };
}

/// A fixed amount of real arithmetic (an LCG), so an operation costs about a microsecond.
fn spin(seed: u64) -> u64 {
    let mut x = seed;
    for _ in 0..300 {
        x = black_box(
            x.wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407),
        );
    }
    x
}

fn per_thread(levels: [u64; 4]) -> Result<UslReport, Box<dyn std::error::Error>> {
    Ok(Experiment::new("calibrate.usl.per_thread")
        .workers(levels)
        .ops(40_000)
        .repetitions(3)
        .op(|_: &(), ctx| LOCAL.with(|c| c.set(c.get().wrapping_add(spin(ctx.i)))))
        .run()?
        .usl()?)
}

fn one_mutex(levels: [u64; 4]) -> Result<UslReport, Box<dyn std::error::Error>> {
    let shared = Mutex::new(0u64);
    Ok(Experiment::new("calibrate.usl.mutex")
        .workers(levels)
        .ops(40_000)
        .repetitions(3)
        .op(|_: &(), ctx| match shared.lock() {
            Ok(mut total) => {
                *total = total.wrapping_add(spin(ctx.i));
                true
            }
            Err(_) => false,
        })
        .run()?
        .usl()?)
}

#[test]
fn both_counters_fit_the_usl_and_print_their_tables() -> Result<(), Box<dyn std::error::Error>> {
    for report in [per_thread([1, 2, 4, 8])?, one_mutex([1, 2, 4, 8])?] {
        assert!(
            report.fit.sigma >= 0.0 && report.fit.kappa >= 0.0 && report.fit.lambda > 0.0,
            "{report}"
        );
        let text = report.to_string();
        // The parameters, then one table row per worker level.
        let rows = text
            .lines()
            .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
            .count();
        assert!(text.contains("sigma") && rows >= 4, "{text}");
    }
    Ok(())
}

/// Needs a machine whose two cores are free: on a box saturated by other work, more threads buy a larger
/// share of the CPU, which swamps the lock's effect. Run with `cargo test -p scale-props -- --ignored`.
#[test]
#[ignore = "timing-sensitive: needs two idle cores"]
fn per_thread_counter_and_mutex_counter_get_different_labels()
-> Result<(), Box<dyn std::error::Error>> {
    let (uncontended, contended) = (per_thread([1, 2, 3, 4])?, one_mutex([1, 2, 3, 4])?);
    let both = format!("\nper-thread:\n{uncontended}\nmutex:\n{contended}");
    assert_ne!(contended.fit.label, UslLabel::Linear, "{both}");
    assert_ne!(uncontended.fit.label, contended.fit.label, "{both}");
    Ok(())
}
