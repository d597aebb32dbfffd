//! Curve fitting: complexity classes, log-log exponents and growth bins, the Universal Scalability Law, knees
//! and breaking points.
//!
//! Pure numerics on plain values: every routine takes a validated [`Sample`] of (x, y) points (sizes or load
//! levels against costs or throughput), depends on nothing else in the crate, and documents its cost in the
//! number of points k.
//!
//! - [`fit_complexity`]: least squares WITH an intercept, `y = a + b f(n)` for O(1) ... O(n^3), on relative
//!   errors, with `a, b >= 0`, the simplest class within a tolerance of the best winning ([`ComplexityFit`]).
//! - [`loglog_exponent`] and [`GrowthBin`]: the wide view of how a median grows.
//! - [`time_growth`]: the verdict on time ([`TimeVerdict`]): a wide class the timings support, "sublinear,
//!   memory-bound past ~N" when time steps up as the working set leaves the caches ([`CacheLevels`]), or
//!   undecided with the reason. Never a class steeper than the data support.
//! - [`fit_usl`]: `X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1))` with `sigma, kappa >= 0`
//!   ([`UslFit`]); [`fit_usl_on_cores`] fits it on the levels the cores can run in parallel and labels the
//!   levels above them CPU-capped; [`fit_usl_repeated`] does the same from repetitions. Every fit carries a
//!   [`UslVerdict`]: a label only when the spread of the measurements (bootstrap over repetitions, or a
//!   margin) supports it, else undecided between the labels it allows.
//! - [`knee`] and [`first_failure`]: where throughput stops growing, where a property first breaks.
//!
//! # Example
//! ```
//! use scale_props::fit::{fit_complexity, Complexity, Sample};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sizes = [1e3, 1e4, 1e5, 1e6];
//! let nanos: Vec<f64> = sizes.iter().map(|n: &f64| 40.0 + 3.0 * n.ln()).collect();
//! let fit = fit_complexity(&Sample::new(sizes.to_vec(), nanos)?)?;
//! assert_eq!(fit.best, Complexity::Log);
//! fit.ensure_at_most(Complexity::Linear)?;
//! # Ok(())
//! # }
//! ```

mod cache;
mod complexity;
mod error;
mod growth;
mod knee;
mod regression;
mod resample;
mod sample;
mod time;
mod usl;
mod usl_verdict;

pub use cache::{CacheLevel, CacheLevels};
pub use complexity::{
    BoundExceeded, Candidate, Complexity, ComplexityFit, RELATIVE_FLOOR, TieTolerance,
    fit_complexity, fit_complexity_with,
};
pub use error::FitError;
pub use growth::{GrowthBin, loglog_exponent};
pub use knee::{DEFAULT_KNEE_GAIN_FRACTION, Knee, first_failure, knee};
pub use sample::{Sample, median};
pub use time::{
    FLAT_SLOPE, LocalSlope, MEMORY_STEP_LIMIT, MEMORY_STEP_SLOPE, TimeGrowth, TimeVerdict,
    time_growth,
};
pub use usl::{LINEAR_PENALTY, UslFit, UslLabel, fit_usl, fit_usl_on_cores, fit_usl_repeated};
pub use usl_verdict::{
    SpreadBasis, USL_DECIDED_SHARE, USL_MARGIN, USL_MIN_REPETITIONS, USL_RESAMPLES, UslInterval,
    UslVerdict,
};
