//! Curve fitting: complexity classes, log-log exponents, the Universal Scalability Law, knees.
//!
//! CONTRACT STUB written by the lead: the fit helper replaces the bodies (and may add items), keeping these
//! names and signatures so the rest of the engine can code against them.

use serde::{Deserialize, Serialize};

/// Errors of the fitting routines.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// Occurs when a sample has fewer points than the routine needs.
    #[error("need at least {needed} points, got {got}")]
    TooFewPoints {
        /// Points the routine needs.
        needed: usize,
        /// Points supplied.
        got: usize,
    },
    /// Occurs when x and y have different lengths.
    #[error("x has {x} values but y has {y}")]
    LengthMismatch {
        /// Length of x.
        x: usize,
        /// Length of y.
        y: usize,
    },
    /// Occurs when a value is NaN or infinite, or out of the routine's domain (e.g. x <= 0 for a log fit).
    #[error("value {value} at index {index} is not usable: {reason}")]
    BadValue {
        /// Index of the offending point.
        index: usize,
        /// The value.
        value: f64,
        /// Why it is rejected.
        reason: &'static str,
    },
}

/// A validated set of (x, y) points: at least two, all finite, x strictly positive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    xs: Vec<f64>,
    ys: Vec<f64>,
}

impl Sample {
    /// Validates and builds a sample.
    ///
    /// # Errors
    /// [`FitError`] when lengths differ, fewer than two points, or a value is not finite / x <= 0.
    pub fn new(xs: Vec<f64>, ys: Vec<f64>) -> Result<Self, FitError> {
        if xs.len() != ys.len() {
            return Err(FitError::LengthMismatch { x: xs.len(), y: ys.len() });
        }
        Ok(Self { xs, ys })
    }
    /// The x values.
    pub fn xs(&self) -> &[f64] {
        &self.xs
    }
    /// The y values.
    pub fn ys(&self) -> &[f64] {
        &self.ys
    }
}

/// Complexity classes, ordered from cheapest to most expensive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Complexity {
    /// O(1).
    Constant,
    /// O(log n).
    Log,
    /// O(n).
    Linear,
    /// O(n log n).
    Linearithmic,
    /// O(n^2).
    Quadratic,
    /// O(n^3).
    Cubic,
}

/// The result of fitting `y = a + b * f(n)` for every class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplexityFit {
    /// The class with the lowest normalised error.
    pub best: Complexity,
    /// Intercept `a` of the best model.
    pub intercept: f64,
    /// Coefficient `b` of the best model.
    pub coefficient: f64,
    /// Root-mean-square error of the best model divided by the mean of y.
    pub normalized_rmse: f64,
    /// Slope of log(y) against log(x).
    pub exponent: f64,
}

/// Fits every complexity class with an intercept and picks the best.
///
/// # Errors
/// [`FitError::TooFewPoints`] with fewer than three points.
pub fn fit_complexity(sample: &Sample) -> Result<ComplexityFit, FitError> {
    Err(FitError::TooFewPoints { needed: 3, got: sample.xs.len() })
}

/// Wide, machine-independent bins for a log-log growth exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum GrowthBin {
    /// exponent < 0.5
    Flat,
    /// 0.5 <= exponent < 1.5
    Linear,
    /// 1.5 <= exponent < 2.5
    Quadratic,
    /// exponent >= 2.5
    Steeper,
}

/// How throughput scales with workers, per the Universal Scalability Law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UslLabel {
    /// Near-linear: contention and coherency both negligible.
    Linear,
    /// Contention (sigma) dominates.
    ContentionLimited,
    /// Coherency (kappa) dominates: throughput falls past a peak.
    CoherencyLimited,
}

/// A Universal Scalability Law fit: `X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1))`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UslFit {
    /// Throughput of one worker.
    pub lambda: f64,
    /// Contention coefficient, >= 0.
    pub sigma: f64,
    /// Coherency coefficient, >= 0.
    pub kappa: f64,
    /// `sqrt((1 - sigma) / kappa)`, or `None` when kappa is 0.
    pub peak_workers: Option<f64>,
    /// The label.
    pub label: UslLabel,
}

/// Fits the USL to (workers, throughput) points.
///
/// # Errors
/// [`FitError::TooFewPoints`] with fewer than three points.
pub fn fit_usl(sample: &Sample) -> Result<UslFit, FitError> {
    Err(FitError::TooFewPoints { needed: 3, got: sample.xs.len() })
}
