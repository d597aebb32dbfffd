//! Property-based scalability testing under `cargo test`: load shapes as proptest strategies, a rayon runner
//! with per-worker HDR recorders, resource probes, curve fits, deterministic snapshots and reports.
//!
//! # Example: a scaling property in a few lines
//! ```
//! use std::collections::BTreeMap;
//! use scale_props::{fit::Complexity, Errors, Experiment, Growth};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let curve = Experiment::new("btreemap.get")
//!     .sizes([1_000, 10_000, 100_000])                  // state sizes: the x axis
//!     .prepare(|n| (0..n).map(|k| (k, k)).collect::<BTreeMap<u64, u64>>()) // untimed, once per size
//!     .op(|map, ctx| map.get(&(ctx.i * 7_919 % ctx.size)).is_some())       // timed by the engine
//!     .ops(2_000)
//!     .repetitions(3)                                   // time facts use the median of 3
//!     .run()?;
//! curve.check(Errors::none())?;
//! curve.check(Growth::at_most(Complexity::Linear).of_time())?; // fails with the fitted table and a plot path
//! # Ok(())
//! # }
//! ```
//!
//! # The path of the data
//! [`shape`] (what load, as values and strategies) -> [`run`] (rayon pool, per-worker recorders, probes) ->
//! [`measure`] (percentiles, throughput, RSS, CPU, I/O, allocations, work counters) -> [`fit`] (complexity,
//! USL, knee) -> [`digest`] (deterministic facts, snapshots) -> [`report`] (Markdown, CSV, JSON, SVG) ->
//! [`expect`] (bounds and budgets whose failures show the table and a plot). Each stage takes the previous
//! stage's plain values; nothing reaches back.
//!
//! # Design decisions
//! - Snapshots ([`assert_curve_snapshot!`]) hold only deterministic facts: counts, classes fitted from work
//!   counters, and time growth in wide bins from medians. Wall times stay in reports.
//! - Operations shorter than about a microsecond are timed in batches (doubling while a batch takes under
//!   2 us), so the clock does not dominate; open-model latency is measured from the scheduled start.
//! - Allocation counts need the counting allocator in the test binary: [`install_counting_allocator!`].

#![deny(unsafe_code)]

pub mod digest;
pub mod expect;
pub mod fit;
pub mod measure;
pub mod report;
pub mod run;
pub mod shape;

pub mod prelude;

pub use digest::{Analysis, CurveDigest};
pub use expect::{
    Budget, Errors, ExpectError, Expectation, Growth, Judgement, Outcome, Verdict, Verdicts,
};
pub use measure::{Axis, Curve, Point};
pub use run::probe::CountingAllocator;
pub use run::{Experiment, OpContext, OpError, OpOutcome, Progress, RunError, Workload};
pub use shape::LoadShape;
