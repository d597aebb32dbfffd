//! Expectations on curves: growth bounds, error budgets, latency/throughput/memory budgets, knees, breaking
//! points and the USL; failures are typed errors whose Display shows the fitted curve table and a plot path.
//!
//! The last stage: depends on everything before it (it draws the failure plot with [`crate::report`]).

mod budget;
mod error;
mod errors;
mod expectation;
mod growth;
mod judgement;
mod knee;
mod usl;

pub use budget::{BrokenStep, Budget};
pub use error::{ExpectError, plot_dir};
pub use errors::Errors;
pub use expectation::Expectation;
pub use growth::Growth;
pub use judgement::{Judgement, Outcome};
pub use knee::ThroughputKnee;
pub use usl::UslReport;
