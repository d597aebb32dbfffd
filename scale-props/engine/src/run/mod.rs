//! Running: the measured target, the experiment builder, and a rayon runner with per-worker recorders.
//!
//! Depends only on [`crate::shape`]. Produces a [`RawCurve`] of plain records; `measure` summarises them.

mod error;
mod experiment;
pub mod probe;
mod progress;
mod record;
mod runner;
mod target;

pub use error::RunError;
pub use experiment::{
    Experiment, Fallible, FnWorkload, Infallible, NoWorkload, PrepareFn, Prepared,
    StatelessWorkload,
};
pub use progress::{Progress, ProgressFn};
pub use record::{PhaseRecord, PrepareRecord, RawCurve};
pub use target::{OpContext, OpError, OpOutcome, Workload};
