//! Curve fitting: complexity classes, log-log exponents and growth bins, the Universal Scalability Law, knees
//! and breaking points.
//!
//! Pure numerics on plain values: every routine takes a validated [`Sample`] of (x, y) points (sizes or load
//! levels against costs or throughput), depends on nothing else in the crate, and documents its cost in the
//! number of points k.
//!
//! - [`fit_complexity`]: least squares WITH an intercept, `y = a + b f(n)` for O(1) ... O(n^3), on relative
//!   errors, with `a, b >= 0`, the simplest class within a tolerance of the best winning ([`ComplexityFit`]).
//! - [`loglog_exponent`] and [`GrowthBin`]: the wide, snapshot-stable view of how a median grows.
//! - [`fit_usl`]: `X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1))` with `sigma, kappa >= 0`
//!   ([`UslFit`]).
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

mod complexity;
mod error;
mod growth;
mod knee;
mod regression;
mod sample;
mod usl;

pub use complexity::{
    BoundExceeded, Candidate, Complexity, ComplexityFit, RELATIVE_FLOOR, TieTolerance,
    fit_complexity, fit_complexity_with,
};
pub use error::FitError;
pub use growth::{GrowthBin, loglog_exponent};
pub use knee::{DEFAULT_KNEE_GAIN_FRACTION, Knee, first_failure, knee};
pub use sample::{Sample, median};
pub use usl::{LINEAR_PENALTY, UslFit, UslLabel, fit_usl};
