//! Calibration of the time verdict: a corpus of functions of known complexity, four of them cache-bound
//! lookups over 1K..1M entries, each of which must get a right verdict in every run.
//!
//! Right means: the verdict is decided, and it is the function's wide class; for a lookup (O(1) or O(log n) in
//! operations) "sublinear" or "sublinear, memory-bound past ~N" are both right. A class steeper than the truth
//! is wrong, and so is "undecided": every function here is measured over enough decades that the engine
//! should decide it, so an undecided verdict fails the test too (it names the numbers it straddled).
//!
//! Sizes keep every operation under about a millisecond: time is wall time, and on a loaded machine an
//! operation longer than a scheduler slice waits for the CPU in the middle (observed at load average 126: a
//! sort of 100K entries measured 26 ms against 0.17 ms at 10K, a local slope of 2.2), which is the machine,
//! not the function. The sort and the nested loops therefore stop at 32K and 1K entries, and the nested loops
//! span a whole decade (one size inflated 1.8 times by load moved their exponent from 2.0 to 1.6 over 150..1K).
//!
//! This binary holds one test, so the corpus is measured one function at a time.
#![cfg(not(loom))]

mod common;

use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;

use common::key;
use scale_props::fit::{Complexity, GrowthBin, TimeGrowth, TimeVerdict};
use scale_props::{Analysis, Curve, Experiment, Growth, OpContext, RunError};

/// Repetitions per size: the verdict's interval on the exponent comes from their spread.
const REPETITIONS: u32 = 5;
/// The sizes of the lookups and the constant and logarithmic functions: three decades up to 1M entries.
const DECADES: [u64; 4] = [1_000, 10_000, 100_000, 1_000_000];

/// A fixed amount of arithmetic (an LCG), `rounds` steps.
fn spin(seed: u64, rounds: u64) -> u64 {
    let mut x = seed;
    for _ in 0..rounds {
        x = black_box(
            x.wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407),
        );
    }
    x
}

/// A random position in 0..n, from the operation index.
fn position(ctx: &OpContext<'_>) -> u64 {
    key(ctx.i) % ctx.size
}

fn sorted_vec(n: u64) -> Vec<u64> {
    (0..n).map(|k| 2 * k).collect()
}

fn scrambled_vec(n: u64) -> Vec<u64> {
    (0..n).map(key).collect()
}

fn hash_map(n: u64) -> HashMap<u64, u64> {
    (0..n).map(|k| (key(k), k)).collect()
}

fn btree_map(n: u64) -> BTreeMap<u64, u64> {
    (0..n).map(|k| (2 * k, k)).collect()
}

/// What a function's verdict must be.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Truth {
    /// O(1) or O(log n) in operations: sublinear, or sublinear and memory-bound.
    Sublinear,
    /// Exactly this bin.
    Bin(GrowthBin),
}

impl Truth {
    fn accepts(self, verdict: &TimeVerdict) -> bool {
        match self {
            Truth::Sublinear => matches!(
                verdict,
                TimeVerdict::Class(GrowthBin::Flat) | TimeVerdict::MemoryBound { .. }
            ),
            Truth::Bin(bin) => *verdict == TimeVerdict::Class(bin),
        }
    }

    /// The tightest `Growth::at_most` bound the truth satisfies, and one it must fail (if any).
    fn bounds(self) -> (Complexity, Option<Complexity>) {
        match self {
            Truth::Sublinear => (Complexity::Log, None),
            Truth::Bin(GrowthBin::Linear) => (Complexity::Linearithmic, Some(Complexity::Log)),
            Truth::Bin(GrowthBin::Quadratic) => {
                (Complexity::Quadratic, Some(Complexity::Linearithmic))
            }
            Truth::Bin(_) => (Complexity::Cubic, Some(Complexity::Quadratic)),
        }
    }
}

/// One corpus entry: its name, the truth, and how to measure it.
struct Case {
    name: &'static str,
    truth: Truth,
    run: fn() -> Result<Curve, RunError>,
}

fn experiment(name: &str) -> Experiment {
    Experiment::new(format!("calibrate.time.{name}")).repetitions(REPETITIONS)
}

/// The corpus: known complexity in operations, measured in time.
const CORPUS: [Case; 10] = [
    Case {
        name: "constant: 64 LCG steps",
        truth: Truth::Sublinear,
        run: || {
            experiment("constant")
                .sizes(DECADES)
                .op(|_: &(), ctx| {
                    black_box(spin(ctx.i, 64));
                })
                .ops(20_000)
                .run()
        },
    },
    Case {
        name: "log: 8 LCG steps per halving of n",
        truth: Truth::Sublinear,
        run: || {
            experiment("log")
                .sizes(DECADES)
                .op(|_: &(), ctx| {
                    black_box(spin(ctx.i, 8 * u64::from(ctx.size.ilog2())));
                })
                .ops(20_000)
                .run()
        },
    },
    Case {
        name: "lookup: Vec index at random positions",
        truth: Truth::Sublinear,
        run: || {
            experiment("vec_index")
                .sizes(DECADES)
                .prepare(scrambled_vec)
                .op(|v, ctx| {
                    black_box(v[position(ctx) as usize]);
                })
                .ops(50_000)
                .run()
        },
    },
    Case {
        name: "lookup: HashMap get",
        truth: Truth::Sublinear,
        run: || {
            experiment("hashmap_get")
                .sizes(DECADES)
                .prepare(hash_map)
                .op(|m, ctx| m.get(&key(position(ctx))).is_some())
                .ops(50_000)
                .run()
        },
    },
    Case {
        name: "lookup: binary search of a sorted Vec",
        truth: Truth::Sublinear,
        run: || {
            experiment("binary_search")
                .sizes(DECADES)
                .prepare(sorted_vec)
                .op(|v, ctx| v.binary_search(&(2 * position(ctx) + 1)).is_err())
                .ops(50_000)
                .run()
        },
    },
    Case {
        name: "lookup: BTreeMap lower bound (range(k..).next())",
        truth: Truth::Sublinear,
        run: || {
            experiment("btree_lower_bound")
                .sizes(DECADES)
                .prepare(btree_map)
                .op(|m, ctx| {
                    black_box(m.range(2 * position(ctx) + 1..).next());
                })
                .ops(50_000)
                .run()
        },
    },
    Case {
        name: "linear: scan for a missing value",
        truth: Truth::Bin(GrowthBin::Linear),
        run: || {
            experiment("scan")
                .sizes([1_000, 10_000, 100_000, 1_000_000])
                .prepare(scrambled_vec)
                .op(|v, _| !v.contains(&1))
                .ops(40)
                .run()
        },
    },
    Case {
        name: "n log n: sort a copy",
        truth: Truth::Bin(GrowthBin::Linear),
        run: || {
            experiment("sort")
                .sizes([500, 2_000, 8_000, 32_000])
                .prepare(scrambled_vec)
                .op(|v, _| {
                    let mut c = v.clone();
                    c.sort_unstable();
                    black_box(c[0]);
                })
                .ops(20)
                .run()
        },
    },
    Case {
        name: "quadratic: count inversions with two loops",
        truth: Truth::Bin(GrowthBin::Quadratic),
        run: || {
            experiment("nested")
                .sizes([100, 316, 1_000])
                .prepare(scrambled_vec)
                .op(|v, _| {
                    let mut inversions = 0u64;
                    for i in 0..v.len() {
                        for j in i + 1..v.len() {
                            inversions += u64::from(v[i] > v[j]);
                        }
                    }
                    black_box(inversions);
                })
                .ops(10)
                .run()
        },
    },
    Case {
        name: "lookup: HashMap insert and remove of a new key",
        truth: Truth::Sublinear,
        run: || {
            experiment("hashmap_insert_remove")
                .sizes(DECADES)
                .prepare(|n| std::sync::Mutex::new(hash_map(n)))
                .op(|m, ctx| {
                    let Ok(mut m) = m.lock() else { return false };
                    let k = key(ctx.size + position(ctx));
                    m.insert(k, 0).is_none() && m.remove(&k).is_some()
                })
                .ops(50_000)
                .run()
        },
    },
];

/// The time verdict of a curve's only phase, as every reader sees it.
fn time_of(curve: &Curve) -> TimeGrowth {
    let analysis = Analysis::of(curve);
    match analysis.fits.phases.first().and_then(|p| p.time.clone()) {
        Some(t) => t,
        None => panic!("no time verdict: {:#?}", analysis.fits),
    }
}

/// Every function of the corpus gets a right, decided verdict, and `Growth::at_most(..).of_time()` agrees
/// with it: holds at the function's own bound, fails at the next cheaper bin.
#[test]
fn every_function_of_the_corpus_gets_a_right_time_verdict() -> Result<(), Box<dyn std::error::Error>>
{
    let mut wrong = Vec::new();
    let mut table =
        String::from("| function | verdict | median ns by size | right |\n|---|---|---|---|\n");
    for case in &CORPUS {
        let curve = (case.run)()?;
        let time = time_of(&curve);
        let right = case.truth.accepts(&time.verdict);
        let medians: Vec<String> = time
            .medians
            .points()
            .map(|(x, y)| format!("{x}: {y:.0}"))
            .collect();
        table.push_str(&format!(
            "| {} | {time} | {} | {} |\n",
            case.name,
            medians.join(", "),
            if right { "yes" } else { "NO" }
        ));
        if !right {
            wrong.push(case.name);
        }
        let (holds, fails) = case.truth.bounds();
        let at_most = curve.check(Growth::at_most(holds).of_time());
        if right && at_most.is_err() {
            wrong.push(case.name);
            table.push_str(&format!(
                "|  | at most {holds} did not hold: {at_most:?} | NO |\n"
            ));
        }
        if let Some(bound) = fails.filter(|_| right)
            && curve.check(Growth::at_most(bound).of_time()).is_ok()
        {
            wrong.push(case.name);
            table.push_str(&format!("|  | at most {bound} held | NO |\n"));
        }
    }
    eprintln!("{table}");
    assert!(wrong.is_empty(), "wrong verdicts for {wrong:?}\n{table}");
    Ok(())
}
