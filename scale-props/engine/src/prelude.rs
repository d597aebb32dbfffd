//! The names almost every scaling test uses: `use scale_props::prelude::*;`.
//!
//! ```
//! use scale_props::prelude::*;
//! let curve = Experiment::new("prelude.doc")
//!     .sizes([10, 100, 1_000])
//!     .claim(Growth::at_most(Complexity::Linear))
//!     .claim(Errors::none())
//!     .op(|_: &(), ctx| ctx.add_work(ctx.size))
//!     .ops(5)
//!     .run()?;
//! curve.verdicts().assert_all()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use crate::expect::{
    Budget, Errors, ExpectError, Expectation, Growth, Scaling, ThroughputKnee,
};
pub use crate::fit::{Complexity, GrowthBin, UslLabel};
pub use crate::measure::{Axis, Curve, Point};
pub use crate::run::{Experiment, OpContext, OpError, RunError, Workload};
pub use crate::shape::{Burst, Closed, LoadShape, Open, Ramp, Steps, WorkerSweep};
pub use crate::{assert_curve_snapshot, install_counting_allocator};
