//! Property-based scalability testing under `cargo test`: an experiment states its load, its workload and
//! its claims; running it measures every point (HDR latencies, throughput, RSS, CPU, disk I/O, allocations,
//! work counters), fits the curve (complexity class, growth bin, USL, knee) and judges every claim. Tests,
//! reports and snapshots read the same verdicts.
//!
//! # A claim, stated once, judged by the run
//! ```
//! use std::collections::BTreeMap;
//! use scale_props::prelude::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let curve = Experiment::new("btreemap.get")
//!     .sizes([1_000, 10_000, 100_000])                  // state sizes: the x axis
//!     .prepare(|n| (0..n).map(|k| (k, k)).collect::<BTreeMap<u64, u64>>()) // untimed, once per size
//!     .op(|map, ctx| map.get(&(ctx.i * 7_919 % ctx.size)).is_some())       // timed by the engine
//!     .ops(2_000)
//!     .repetitions(3)                                   // time facts use the median of 3
//!     .claim(Errors::none())
//!     .claim(Growth::at_most(Complexity::Linear).of_time())
//!     .run()?;
//! for v in curve.verdicts() {
//!     println!("{v}");                                  // case: claim: holds / FAILS / could not be judged
//! }
//! curve.verdicts().assert_all()?;                       // any failure: every verdict, the fits, a plot path
//! # Ok(())
//! # }
//! ```
//! A verdict is [`Outcome::Holds`], [`Outcome::Fails`] or [`Outcome::Unjudged`] (with why), each with the
//! measured value and the bound as text ([`Judgement`]). "Could not be judged" never counts as holding:
//! [`Verdicts::assert_all`] fails on it too, saying why. [`Curve::check`] judges one expectation on a curve
//! after the fact, with the same failure.
//!
//! # Where things live
//! | you want | it is |
//! |---|---|
//! | the names every test uses | [`prelude`] |
//! | to describe load: closed, open, steps, ramp, burst, worker sweep, as values or proptest strategies | [`shape`] |
//! | to build and run an experiment ([`Experiment::run`], [`Experiment::claim`], [`Experiment::try_prepare`]), the [`Workload`] trait, [`OpContext`] work counters | [`run`] |
//! | a run's results: [`Curve`], [`Point`] (medians, totals, any latency quantile), [`measure::Measure`] | [`measure`] |
//! | fitting: complexity classes, growth bins, the time verdict ([`fit::time_growth`]), the USL and its verdict ([`fit::fit_usl_repeated`], [`fit::UslVerdict`]), knee | [`fit`] |
//! | a curve's fits, table rows and snapshot digest, computed once ([`Curve::analysis`]); snapshots ([`assert_curve_snapshot!`]) | [`digest`] |
//! | claims and verdicts: [`Growth`], [`Errors`], [`Budget`] (latency, throughput, memory, CPU, bytes written, fsyncs), [`Scaling`] (the USL verdict of a worker sweep), [`expect::ThroughputKnee`], [`Verdict`], [`Curve::check`], [`Curve::usl`], [`Curve::breaking_point`] | [`expect`] |
//! | Markdown (with the verdict table), CSV, JSON and SVG reports | [`report`] |
//!
//! # The path of the data
//! [`shape`] (what load) -> [`run`] (rayon pool, per-worker recorders, probes) -> [`measure`] (summaries and
//! medians) -> [`fit`] (complexity, USL, knee) -> [`digest`] (deterministic facts, the analysis) ->
//! [`expect`] (judgements of claims) -> [`report`]. Each stage takes the previous stage's plain values;
//! [`Experiment::run`] is where they meet: it executes, summarises into a [`Curve`] and judges the claims,
//! which the curve then carries ([`Curve::verdicts`]).
//!
//! # Design decisions
//! - Snapshots ([`assert_curve_snapshot!`]) hold only deterministic facts: counts, classes fitted from work
//!   counters, and time growth in wide bins from medians. Wall times stay in reports. The macro writes to
//!   the calling workspace's `snapshots/` folder (or `$SCALE_PROPS_SNAPSHOT_DIR`) and names the calling
//!   test as the source.
//! - Operations shorter than about a microsecond are timed in batches (doubling while a batch takes under
//!   2 us), so the clock does not dominate; open-model latency is measured from the scheduled start.
//!   Operations timed alone (`.batching(false)`, think times, recovery timelines) take one clock read each:
//!   an operation's latency runs from the previous one's end, so it carries the engine's few-ns step between
//!   two operations (`benches/overhead.rs` measures the path against one clock read plus one HDR record).
//! - A USL label is named only when the repetitions support it ([`fit::UslVerdict`]): a bootstrap over them
//!   (or a ±10% margin with fewer than three) that straddles a label boundary is "undecided between" the
//!   labels, and a fit with no more levels than parameters reports no goodness of fit.
//! - A load shape carries its own workers and operations: `.shape(..)` with `.workers(..)` or `.ops(..)` is
//!   [`RunError::ConflictingLoad`], not a guess.
//! - Allocation counts need the counting allocator in the test binary: [`install_counting_allocator!`].
//! - Resource claims read counters the target reports where the machine cannot tell (`ctx.count("fsyncs",
//!   1)`, [`Budget::fsyncs_per_op`]); a counter never reported is "could not be judged", not zero.

#![deny(unsafe_code)]

pub mod digest;
pub mod expect;
pub mod fit;
pub mod measure;
pub mod report;
pub mod run;
pub mod shape;

pub mod prelude;

#[doc(hidden)]
pub use insta as __insta;

pub use digest::{Analysis, CurveDigest};
pub use expect::{
    Budget, Errors, ExpectError, Expectation, Growth, Judgement, Outcome, Scaling, Verdict,
    Verdicts,
};
pub use measure::{Axis, Curve, Point};
pub use run::probe::CountingAllocator;
pub use run::{Experiment, OpContext, OpError, OpOutcome, Progress, RunError, Workload};
pub use shape::LoadShape;
