//! Measuring: turns the runner's raw records into summaries (percentiles, throughput, error rate, dropped
//! operations, memory, CPU, disk, allocations and work per operation) and a [`Curve`] of medians.
//!
//! Depends on [`crate::shape`] and [`crate::run`]. Quantiles are in [0, 1].

mod curve;
mod summary;

pub use crate::run::probe::{CpuTimes, DiskIo, cpu_times};
pub use curve::{Axis, Curve, Point};
pub use summary::{Allocations, CpuUse, Latency, Measure, Memory, QuantileError};
