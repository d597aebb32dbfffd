//! USL calibration: an uncontended per-thread counter against one shared Mutex counter.
//!
//! This binary holds this one test only, so no other test of the crate runs beside it (cargo runs test
//! binaries one after another).
#![cfg(not(loom))]

use std::cell::Cell;
use std::hint::black_box;
use std::sync::Mutex;

use scale_props::Experiment;
use scale_props::fit::{Sample, UslFit, UslLabel, fit_usl, median};

thread_local! {
    static LOCAL: Cell<u64> = const { Cell::new(0) };
}

/// Worker levels that make sense on two cores: below, at and above the core count.
const LEVELS: [u64; 4] = [1, 2, 3, 4];
/// Rounds over every (level, counter) pair; each curve point is the median over the rounds.
const ROUNDS: usize = 7;
/// Operations per run (about half a microsecond each).
const OPS: u64 = 100_000;

/// A fixed amount of real arithmetic (an LCG), so an operation costs about half a microsecond.
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

/// Median throughput (ops/s) of `OPS` operations of the per-thread counter on `workers` workers.
fn per_thread(workers: u64) -> Result<f64, Box<dyn std::error::Error>> {
    let curve = Experiment::new("calibrate.usl.per_thread")
        .workers([workers])
        .ops(OPS)
        .op(|_: &(), ctx| LOCAL.with(|c| c.set(c.get().wrapping_add(spin(ctx.i)))))
        .run()?;
    Ok(curve.points[0].median_throughput())
}

/// Median throughput (ops/s) of `OPS` operations of the one-Mutex counter on `workers` workers; the whole
/// operation runs under the lock, so at most one worker makes progress at a time.
fn one_mutex(workers: u64, shared: &Mutex<u64>) -> Result<f64, Box<dyn std::error::Error>> {
    let curve = Experiment::new("calibrate.usl.mutex")
        .workers([workers])
        .ops(OPS)
        .op(|_: &(), ctx| match shared.lock() {
            Ok(mut total) => {
                *total = total.wrapping_add(spin(ctx.i));
                true
            }
            Err(_) => false,
        })
        .run()?;
    assert_eq!(curve.points[0].total_errors(), 0, "poisoned lock");
    Ok(curve.points[0].median_throughput())
}

/// Median throughput at `workers` over median throughput at one worker, from the fit's sample.
fn speedup(fit: &UslFit, workers: f64) -> f64 {
    let at = |n: f64| {
        fit.sample
            .points()
            .find(|&(x, _)| x == n)
            .map_or(f64::NAN, |(_, y)| y)
    };
    at(workers) / at(1.0)
}

/// The per-thread counter's median speedup at two workers from which the machine counts as granting this
/// process a second core. An idle two-core machine gives about 1.9.
const PARALLEL_GATE: f64 = 1.6;
/// Whole measurements tried, one after another, until one finds a second core granted.
const ATTEMPTS: usize = 3;

/// One measurement: the per-thread counter (the control) and the Mutex counter in `ROUNDS` interleaved rounds
/// (level by level, alternating which counter goes first, so a change in the machine's load hits both alike),
/// each fitted to the medians over the rounds. Returns (control, contended).
fn measure(shared: &Mutex<u64>) -> Result<(UslFit, UslFit), Box<dyn std::error::Error>> {
    let mut pt: Vec<Vec<f64>> = vec![Vec::new(); LEVELS.len()];
    let mut mx: Vec<Vec<f64>> = vec![Vec::new(); LEVELS.len()];
    for round in 0..ROUNDS {
        for (i, &n) in LEVELS.iter().enumerate() {
            if round % 2 == 0 {
                pt[i].push(per_thread(n)?);
                mx[i].push(one_mutex(n, shared)?);
            } else {
                mx[i].push(one_mutex(n, shared)?);
                pt[i].push(per_thread(n)?);
            }
        }
    }
    let fit = |runs: &[Vec<f64>]| -> Result<UslFit, Box<dyn std::error::Error>> {
        let points = LEVELS
            .iter()
            .zip(runs)
            .map(|(&n, r)| median(r).map(|m| (n as f64, m)))
            .collect::<Option<Vec<_>>>()
            .ok_or("a level without runs")?;
        Ok(fit_usl(&Sample::from_pairs(points)?)?)
    };
    Ok((fit(&pt)?, fit(&mx)?))
}

/// The per-thread counter is the control and the Mutex counter the subject (see [`measure`]).
///
/// Always asserted, on every measurement: both curves fit the USL with valid parameters, and at one worker
/// the two counters run at about the same rate, within a factor of 3 (an uncontended lock is cheap next to
/// the half microsecond of arithmetic under it; single runs on a loaded machine differ by up to 2x either way).
///
/// Asserted when the control shows the machine granted a second core (its speedup at two workers is at least
/// [`PARALLEL_GATE`]; always so on an idle two-core CI machine, whose first measurement decides): the Mutex
/// counter's speedup at two workers is at most 0.8 of the control's, its fitted contention `sigma` exceeds the
/// control's by at least 0.15, and its label is not `Linear`. A loaded machine gets up to [`ATTEMPTS`]
/// measurements to grant that core.
///
/// Why gated: serialised and parallel code can only be told apart by timing when the process gets more than
/// one core. On a shared machine with Linux autogroup scheduling the CPU is shared per session, not per
/// thread, so a loaded box gives this process about the same fraction of a core with one thread as with four:
/// both counters then measure flat (observed: per-thread 1.37, 1.36, 1.37, 1.37 Mops/s at 1..4 workers, a
/// fitted sigma of 1.0), and the Mutex counter can even measure faster with more threads (observed: a
/// speedup of 1.61 at two workers against the control's 0.93, and a sigma 0.88 below the control's). No
/// threshold on the ordering holds there, so the test prints the curves and asserts only the facts that hold
/// on any machine.
///
/// Why the labels are not compared: they differ on an idle two-core machine (observed every time: per-thread
/// `CoherencyLimited`, sigma 0 and a peak near 3 workers, because its throughput stops dead at the core count;
/// Mutex `ContentionLimited`, sigma about 1.2), but that split comes from the hard ceiling, not from the code,
/// and it moves with load: under load both counters were labelled `ContentionLimited` in the same run, and a
/// per-thread counter that gets more of a loaded machine with more threads can fit as `ContentionLimited` or
/// `Linear`. The ordering of the speedups and of `sigma` is the fact of the code.
#[test]
fn mutex_counter_scales_worse_than_per_thread_counter() -> Result<(), Box<dyn std::error::Error>> {
    let shared = Mutex::new(0u64);
    for attempt in 1..=ATTEMPTS {
        let (control, contended) = measure(&shared)?;
        let (s_pt, s_mx) = (speedup(&control, 2.0), speedup(&contended, 2.0));
        let gated = s_pt >= PARALLEL_GATE;
        let both = format!(
            "\nattempt {attempt}/{ATTEMPTS}\nper-thread (speedup at 2: {s_pt:.2}):\n{control}\n\
             mutex (speedup at 2: {s_mx:.2}):\n{contended}\n\
             margins: speedup ratio mutex/per-thread {:.2}, sigma mutex - per-thread {:.3}; {}",
            s_mx / s_pt,
            contended.sigma - control.sigma,
            if gated {
                "a second core was granted: ordering asserted"
            } else {
                "no second core granted (machine loaded): ordering not observable"
            }
        );
        eprintln!("{both}");

        for f in [&control, &contended] {
            assert!(
                f.lambda > 0.0 && f.sigma >= 0.0 && f.kappa >= 0.0 && f.sigma.is_finite(),
                "{both}"
            );
        }
        let single = contended.sample.ys()[0] / control.sample.ys()[0];
        assert!(
            (1.0 / 3.0..=3.0).contains(&single),
            "one worker: mutex / per-thread = {single:.2}{both}"
        );
        if gated {
            assert!(s_mx <= 0.8 * s_pt, "{both}");
            assert!(contended.sigma >= control.sigma + 0.15, "{both}");
            assert_ne!(contended.label, UslLabel::Linear, "{both}");
            return Ok(());
        }
    }
    Ok(())
}
