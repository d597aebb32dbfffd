//! Load shapes: what load to offer, as plain values and as proptest strategies that shrink toward less load.
//!
//! Every shape is a validated value (a value that exists respects [`MAX_WORKERS`], [`MAX_OPS`] and its own
//! duration bound) that expands into [`Phase`]s for the runner. Each shape has a lower-case constructor that
//! returns a named, `#[must_use]` proptest strategy (`shape::burst(10..200, 2..20)` returns a
//! [`BurstStrategy`]); integer ranges shrink toward their low end, so a failing case shrinks toward fewer users,
//! lower rates, fewer operations and shorter spikes.

mod any;
mod arbitrary;
mod breaking;
mod burst;
mod closed;
mod error;
mod load_shape;
mod open;
mod phase;
mod ramp;
mod range;
mod steps;
mod sweep;

pub use any::{AnyShapeStrategy, any_shape};
pub use breaking::{BreakingPoint, Confirmation, find_breaking_point, find_breaking_point_in};
pub use burst::{Burst, BurstStrategy, burst, burst_with_ops};
pub use closed::{Closed, ClosedStrategy, closed};
pub use error::ShapeError;
pub use load_shape::{LoadShape, MAX_DURATION, MAX_OPS, MAX_WORKERS};
pub use open::{Open, OpenStrategy, open};
pub use phase::{Arrival, Phase, PhaseRole};
pub use ramp::{Ramp, RampStrategy, ramp};
pub use range::LoadRange;
pub use steps::{Steps, StepsStrategy, decades, steps};
pub use sweep::{WorkerSweep, WorkerSweepStrategy, worker_sweep};
