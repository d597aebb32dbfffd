//! One plot of each kind the engine draws, for looking at: size curves (time classes: a memory-bound
//! lookup, a linear scan; a work class from a counter), a worker sweep (USL), a step load of users (knee),
//! an open-model phase and a burst with its recovery timeline; most carry a claim's bound. Each curve's
//! verdicts (the fits the report prints) go to stdout beside the file name.
//!
//! `cargo run -p scale-props --release --example plot_gallery [-- <dir>]` writes the SVGs into `<dir>`
//! (`target/plots` by default); `scripts/render-plots.sh` runs this and renders them to PNG.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use scale_props::report::{PlotBound, plot_curve_with_bounds};
use scale_props::shape::{Burst, Open, Steps};
use scale_props::{Curve, Experiment};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/plots"), PathBuf::from);

    let lookup = Experiment::new("gallery.size.hashmap_get")
        .sizes([1_000, 10_000, 100_000, 1_000_000])
        .prepare(|n| {
            (0..n)
                .map(|k| (k.wrapping_mul(0x9E37_79B9), k))
                .collect::<HashMap<u64, u64>>()
        })
        .op(|m, ctx| m.contains_key(&(ctx.i % ctx.size).wrapping_mul(0x9E37_79B9)))
        .ops(50_000)
        .repetitions(5)
        .run()?;
    // A claim "at most logarithmic from the smallest size", drawn as the most it allows at each size.
    let first = lookup.points.first().map_or(1.0, |p| p.median_p50_ns());
    let log_bound: Vec<(f64, f64)> = [1e3, 1e4, 1e5, 1e6]
        .iter()
        .map(|n: &f64| (*n, first * 2.0 * n.ln() / 1e3f64.ln()))
        .collect();
    draw(
        &dir,
        &lookup,
        &[PlotBound::curve("2x O(log n) from 1K", log_bound)],
    )?;

    // Binary search over sorted keys: O(log n) comparisons (a work counter, exact class), and time that steps
    // up as the array leaves the caches.
    let search = Experiment::new("gallery.size.binary_search")
        .sizes([1_000, 10_000, 100_000, 1_000_000])
        .prepare(|n| (0..n).map(|k| k * 2).collect::<Vec<u64>>())
        .op(|v, ctx| {
            let key = (ctx.i.wrapping_mul(0x9E37_79B9) % ctx.size) * 2;
            let (mut lo, mut hi, mut steps) = (0usize, v.len(), 0u64);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                steps += 1;
                if v[mid] < key {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            ctx.count("comparisons", steps);
            v.get(lo) == Some(&key)
        })
        .ops(50_000)
        .repetitions(5)
        .run()?;
    draw(&dir, &search, &[])?;

    // A scan: time linear in the size.
    let scan = Experiment::new("gallery.size.scan")
        .sizes([1_000, 10_000, 100_000, 1_000_000])
        .prepare(|n| (0..n).collect::<Vec<u64>>())
        .op(|v, ctx| v.iter().fold(ctx.i, |a, x| a ^ x) != u64::MAX)
        .ops(200)
        .repetitions(5)
        .run()?;
    draw(&dir, &scan, &[])?;

    let shared = Mutex::new(0u64);
    let sweep = Experiment::new("gallery.sweep.mutex_counter")
        .workers([1, 2, 4, 8])
        .ops(200_000)
        .repetitions(5)
        .op(|_: &(), _| shared.lock().map(|mut c| *c += 1).is_ok())
        .run()?;
    draw(&dir, &sweep, &[])?;

    // Users at 1x, 4x, 16x, 64x of 2 (a closed-model step load): a worker axis spanning decades.
    let users = Experiment::new("gallery.steps.users")
        .shape(Steps::new(2, vec![1, 4, 16, 64], 40_000)?)
        .repetitions(3)
        .op(|_: &(), ctx| std::hint::black_box(ctx.i.wrapping_mul(31)) != 7)
        .run()?;
    draw(&dir, &users, &[PlotBound::level("least 1M ops/s", 1e6)])?;

    let open = Experiment::new("gallery.open.rate_20k")
        .shape(Open::new(20_000, 2, 10_000)?)
        .repetitions(3)
        .op(|_: &(), ctx| std::hint::black_box(ctx.i.wrapping_mul(31)) != 7)
        .run()?;
    draw(&dir, &open, &[PlotBound::level("p99 budget 1 ms", 1e6)])?;

    let burst = Experiment::new("gallery.burst.mutex_counter")
        .shape(Burst::new(2, 4, 20_000)?)
        .repetitions(3)
        .op(|_: &(), _| shared.lock().map(|mut c| *c += 1).is_ok())
        .run()?;
    draw(
        &dir,
        &burst,
        &[PlotBound::level("recovery limit 50 us", 50_000.0)],
    )?;
    Ok(())
}

fn draw(
    dir: &std::path::Path,
    curve: &Curve,
    bounds: &[PlotBound],
) -> Result<(), Box<dyn std::error::Error>> {
    let path = dir.join(format!("{}.svg", curve.id));
    plot_curve_with_bounds(curve, curve.analysis(), bounds, &path)?;
    println!(
        "wrote {}\n{}",
        path.display(),
        scale_props::report::markdown_fits(curve.analysis())
    );
    Ok(())
}
