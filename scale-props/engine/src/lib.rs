//! Property-based, model-checked scalability testing: load shapes, runners, metrics, curve fits, snapshots, reports.

#![deny(unsafe_code)]

pub mod fit;
pub mod measure;
pub mod run;
pub mod shape;

pub use measure::{Axis, Curve, Point};
pub use run::probe::CountingAllocator;
pub use run::{Experiment, OpContext, OpError, OpOutcome, Progress, RunError, Workload};
