//! Log-log growth exponents and the wide bins that make them stable enough for snapshots.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::regression::ols_slope;
use super::{FitError, Sample};

/// Wide, machine-independent bins for a log-log growth exponent.
///
/// The edges sit half-way between the exponents of O(1), O(n), O(n^2) and O(n^3), so timing noise moves an
/// exponent across an edge only when the growth itself is ambiguous.
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

impl GrowthBin {
    /// The bin of a log-log exponent. NaN lands in [`GrowthBin::Steeper`], the bin no bound-style check would
    /// let pass. Cost: O(1).
    pub fn from_exponent(exponent: f64) -> GrowthBin {
        if exponent < 0.5 {
            GrowthBin::Flat
        } else if exponent < 1.5 {
            GrowthBin::Linear
        } else if exponent < 2.5 {
            GrowthBin::Quadratic
        } else {
            GrowthBin::Steeper
        }
    }

    /// The bin of the log-log exponent of per-size medians (build the sample with
    /// [`Sample::from_repetitions`]). Cost: O(k).
    ///
    /// # Errors
    /// As [`loglog_exponent`].
    pub fn from_medians(medians: &Sample) -> Result<GrowthBin, FitError> {
        loglog_exponent(medians).map(GrowthBin::from_exponent)
    }

    /// Short lower-case name: `flat`, `linear`, `quadratic`, `steeper`.
    pub fn name(self) -> &'static str {
        match self {
            GrowthBin::Flat => "flat",
            GrowthBin::Linear => "linear",
            GrowthBin::Quadratic => "quadratic",
            GrowthBin::Steeper => "steeper",
        }
    }
}

impl fmt::Display for GrowthBin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Slope of ln(y) against ln(x) by ordinary least squares: y ~ c x^slope. Cost: O(k).
///
/// # Errors
/// [`FitError::BadValue`] when a y is <= 0 (no logarithm), [`FitError::TooFewDistinct`] when the x values do
/// not vary.
pub fn loglog_exponent(sample: &Sample) -> Result<f64, FitError> {
    sample.require_positive_y("log-log fits need y > 0")?;
    let lx: Vec<f64> = sample.xs().iter().map(|x| x.ln()).collect();
    let ly: Vec<f64> = sample.ys().iter().map(|y| y.ln()).collect();
    ols_slope(&lx, &ly).ok_or(FitError::TooFewDistinct { needed: 2, got: 1 })
}

/// As [`loglog_exponent`] over the points with y > 0 only; `None` when those do not span two sizes.
pub(crate) fn loglog_exponent_of_positive(sample: &Sample) -> Option<f64> {
    let (lx, ly): (Vec<f64>, Vec<f64>) = sample
        .points()
        .filter(|&(_, y)| y > 0.0)
        .map(|(x, y)| (x.ln(), y.ln()))
        .unzip();
    if lx.len() < 2 {
        return None;
    }
    ols_slope(&lx, &ly)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn bins_have_the_documented_edges() {
        assert_eq!(GrowthBin::from_exponent(-1.0), GrowthBin::Flat);
        assert_eq!(GrowthBin::from_exponent(0.499), GrowthBin::Flat);
        assert_eq!(GrowthBin::from_exponent(0.5), GrowthBin::Linear);
        assert_eq!(GrowthBin::from_exponent(1.499), GrowthBin::Linear);
        assert_eq!(GrowthBin::from_exponent(1.5), GrowthBin::Quadratic);
        assert_eq!(GrowthBin::from_exponent(2.499), GrowthBin::Quadratic);
        assert_eq!(GrowthBin::from_exponent(2.5), GrowthBin::Steeper);
        assert_eq!(GrowthBin::from_exponent(f64::NAN), GrowthBin::Steeper);
        assert_eq!(GrowthBin::from_exponent(f64::NEG_INFINITY), GrowthBin::Flat);
    }

    #[test]
    fn exponent_of_a_power_law_is_its_power() {
        for power in [0.0, 0.5, 1.0, 2.0, 3.0] {
            let xs = vec![10.0, 100.0, 1_000.0, 10_000.0];
            let ys = xs.iter().map(|x: &f64| 7.0 * x.powf(power)).collect();
            let sample = Sample::new(xs, ys).expect("valid");
            let e = loglog_exponent(&sample).expect("positive y");
            assert!((e - power).abs() < 1e-9, "power {power}: {e}");
        }
    }

    #[test]
    fn bins_from_medians_of_repetitions() {
        let xs = vec![1e3, 1e4, 1e5];
        let reps: Vec<Vec<f64>> = xs
            .iter()
            .map(|&x| vec![x * x * 1.1, x * x, x * x * 0.9, 1e30])
            .collect();
        // Medians of [0.9, 1.0, 1.1, huge] x^2 are 1.05 x^2: the outlier does not move the bin.
        let medians = Sample::from_repetitions(xs, &reps).expect("valid");
        assert_eq!(GrowthBin::from_medians(&medians), Ok(GrowthBin::Quadratic));
    }

    #[test]
    fn exponent_needs_positive_y_and_varying_x() {
        let zero = Sample::new(vec![1.0, 2.0], vec![1.0, 0.0]).expect("valid");
        assert!(matches!(
            loglog_exponent(&zero),
            Err(FitError::BadValue { index: 1, .. })
        ));
        let same = Sample::new(vec![3.0, 3.0], vec![1.0, 2.0]).expect("valid");
        assert!(matches!(
            loglog_exponent(&same),
            Err(FitError::TooFewDistinct { .. })
        ));
    }
}
