//! An end-to-end scaling property on std collections, writing a full report.
//!
//! `cargo run -p scale-props --release --example std_collections [-- <report dir>]`
//!
//! - `BTreeSet::contains` at 1K, 10K, 100K, 1M entries: comparisons (counted) grow at most logarithmically,
//!   time per lookup stays in the flat bin, no errors.
//! - `Vec::contains` (a scan) at the same sizes: linear, and the bound `at_most(Log)` fails with the fitted
//!   table and a plot path, printed.
//! - A `Mutex<HashSet>` under 1, 2, 4 workers: the USL fit and its table.
//!
//! Reports (Markdown, CSV, JSON, SVG) go to the given folder, `target/scale-props-report` by default.

use std::cell::Cell;
use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;

use scale_props::fit::Complexity;
use scale_props::shape::decades;
use scale_props::{Errors, Experiment, Growth, OpContext, install_counting_allocator};

install_counting_allocator!();

thread_local! {
    static COMPARISONS: Cell<u64> = const { Cell::new(0) };
}

/// A key whose comparisons are counted, so the cost model is exact.
#[derive(Debug, Clone, Copy)]
struct Key(u64);

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        COMPARISONS.with(|c| c.set(c.get() + 1));
        self.0 == other.0
    }
}
impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        COMPARISONS.with(|c| c.set(c.get() + 1));
        self.0.cmp(&other.0)
    }
}

fn scramble(i: u64) -> u64 {
    i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn counted<R>(ctx: &OpContext<'_>, f: impl FnOnce() -> R) -> R {
    let before = COMPARISONS.with(Cell::get);
    let r = f();
    ctx.count("comparisons", COMPARISONS.with(Cell::get) - before);
    r
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/scale-props-report"), PathBuf::from);
    let sizes = decades(1_000, 4);

    let lookup = Experiment::new("std.btreeset.contains")
        .sizes(sizes.clone())
        .prepare(|n| (0..n).map(|k| Key(scramble(k))).collect::<BTreeSet<Key>>())
        .op(|set, ctx| counted(ctx, || set.contains(&Key(scramble(ctx.i % ctx.size)))))
        .ops(20_000)
        .repetitions(5)
        .on_progress(|p| eprintln!("{p:?}"))
        .run()?;
    lookup.check(Errors::none())?;
    lookup.check(Growth::at_most(Complexity::Log))?;
    lookup.check(Growth::at_most(Complexity::Log).of_time())?;
    println!("BTreeSet::contains: comparisons at most O(log n), time flat: ok");

    let scan = Experiment::new("std.vec.contains")
        .sizes(sizes)
        .prepare(|n| (0..n).map(|k| Key(scramble(k))).collect::<Vec<Key>>())
        .op(|v, ctx| counted(ctx, || !v.contains(&Key(1))))
        .ops(20)
        .repetitions(3)
        .run()?;
    match scan.check(Growth::at_most(Complexity::Log)) {
        Ok(_) => return Err("a linear scan passed a logarithmic bound".into()),
        Err(e) => println!("Vec::contains, as expected, is not O(log n):\n{e}"),
    }

    let shared = Mutex::new(HashSet::new());
    let sweep = Experiment::new("std.mutex_hashset.insert")
        .workers([1, 2, 4])
        .ops(50_000)
        .repetitions(3)
        .op(|_: &(), ctx| shared.lock().map(|mut s| s.insert(ctx.i % 4_096)).is_ok())
        .run()?;
    sweep.check(Errors::none())?;
    match sweep.usl() {
        Ok(usl) => println!("{usl}"),
        Err(e) => println!("no USL fit: {e}"),
    }

    let files = scale_props::report::write_all(&dir, "std collections", &[lookup, scan, sweep])?;
    for f in files {
        println!("wrote {}", f.display());
    }
    Ok(())
}
