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
//! - [`summary`]: the answers the report gives (class, exponent and factor per curve, bottleneck, memory per
//!   1 000 operations, cores for a target throughput, maximum ops/s and users, safety margin), and
//!   [`summary::write_report`] which writes `REPORT.md` beside the engine's CSV, JSON and SVG reports.
//!
//! # Design decisions
//! - Work counters come from the components themselves wherever they report work (matches, claims,
//!   rows, tree nodes read and written, entries verified), so snapshots hold exact classes.
//! - Exhaustion runs use manual clocks and one worker, so their error counts are exact.

#![forbid(unsafe_code)]

pub mod audit_store;
mod case;
mod error;
pub mod fixtures;
mod scale;
pub mod suites;
pub mod summary;
pub mod workload;

pub use case::{Case, RunCase, Runnable, Topic};
pub use error::SuiteError;
pub use scale::Scale;
pub use suites::SuiteName;
