//! Expectations and verdicts: growth bounds, error budgets, latency/throughput/resource budgets, knees,
//! breaking points and the USL. Each [`Expectation`] judges a curve ([`Judgement`]: holds / fails / could not
//! be judged, with the measured value and the bound); an experiment carries them as claims
//! ([`crate::Experiment::claim`]) and its run holds one [`Verdict`] per claim ([`crate::Curve::verdicts`]).
//! Failures are typed errors whose Display shows the verdicts, the fitted curve table and a plot path.
//!
//! The last stage: depends on everything before it (it draws the failure plot with [`crate::report`]).

mod budget;
mod error;
mod errors;
mod expectation;
mod growth;
mod judgement;
mod knee;
mod scaling;
mod usl;
mod verdict;

pub use budget::{BYTES_WRITTEN, BrokenStep, Budget, FSYNCS};
pub use error::{ExpectError, plot_dir};
pub use errors::Errors;
pub use expectation::Expectation;
pub use growth::Growth;
pub use judgement::{Judgement, Outcome};
pub use knee::ThroughputKnee;
pub use scaling::Scaling;
pub use usl::UslReport;
pub use verdict::{Verdict, Verdicts, verdict_table};
