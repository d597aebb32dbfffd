//! The Aegis scalability suites: scale-props experiments aimed at every Aegis component, the Day-9 load
//! tests, and the report that answers how each component scales.
//!
//! # Example
//! ```
//! use aegis_scale::{Scale, SuiteName};
//!
//! # fn main() -> Result<(), aegis_scale::SuiteError> {
//! let cases = SuiteName::Firewall.cases(Scale::Test)?;
//! assert!(cases.iter().any(|c| c.id == aegis_scale::suites::firewall::VALIDATE));
//! // Run one case: a curve of cost against the number of firewall patterns.
//! let validate = cases.into_iter().next().expect("the firewall suite has cases");
//! let run = validate.run(None)?;
//! assert_eq!(run.curve.total_errors(), 0);
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//! - [`suites`]: one module per component plus [`suites::load`] (the Day-9 tests), each returning its
//!   [`Case`]s for a [`Scale`] ([`Scale::Test`] for `cargo test`, [`Scale::Full`] for the main job).
//! - [`fixtures`] and [`audit_store`]: deterministic inputs, and a store wrapper that counts the audit log's
//!   work so its costs have exact complexity classes.
//! - [`postgres`]: the audit and pipeline cases against a PostgreSQL server, writer processes included (the
//!   main job's `--audit <url>`; the cases need feature `postgres`, their ids do not).
//! - [`suites::stress`]: the earlier specification's 13 stress tests (stepped throughput, concurrency 1..16,
//!   memory per item), each against one component alone; [`stepped`] is the stepped-rate search.
//! - [`summary`]: the answers the report gives, computed once ([`summary::Answers`]: class, exponent and
//!   factor per curve, per-stage costs and the bottleneck, CPU-bound or waiting, memory and disk writes per
//!   item, cores for a target throughput, maximum ops/s and users, safety margins, breaking points), one
//!   function per section, and [`summary::AegisReport`], the engine reporter writing `REPORT.md`.
//!
//! # Design decisions
//! - Work counters come from the components themselves wherever they report work (matches, claims,
//!   rows, tree nodes read and written, entries verified), so snapshots hold exact classes.
//! - Exhaustion runs use manual clocks and one worker, so their error counts are exact.

#![forbid(unsafe_code)]

pub mod audit_store;
mod case;
pub mod claims;
mod error;
pub mod fixtures;
pub mod postgres;
pub mod run_info;
mod scale;
pub mod stepped;
pub mod suites;
pub mod summary;
pub mod workload;

pub use case::{Case, Claim, RunCase, Runnable, Topic};
pub use error::SuiteError;
pub use scale::Scale;
pub use scale_props::expect::Verdict;
pub use suites::SuiteName;
