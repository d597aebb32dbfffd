//! `sweep.usl()`: the Universal Scalability Law fit of a worker sweep, printable with its table.

use std::fmt;

use super::ExpectError;
use crate::fit::{Sample, UslFit, fit_usl};
use crate::measure::{Axis, Curve, Point};

/// A USL fit with the measured table it came from. Display prints the fit and the table.
///
/// ```
/// let sweep = scale_props::Experiment::new("usl").workers([1, 2, 4]).ops(20_000).op(|_: &(), _| ()).run()?;
/// if let Ok(usl) = sweep.usl() {
///     assert!(usl.fit.sigma >= 0.0 && usl.to_string().contains("sigma"));
/// }
/// # Ok::<(), scale_props::RunError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct UslReport {
    /// The fit.
    pub fit: UslFit,
    /// (workers, median throughput) as measured.
    pub measured: Vec<(f64, f64)>,
}

impl fmt::Display for UslReport {
    /// The fit's own Display: parameters, label, and the measured and fitted table.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.fit)
    }
}

impl Curve {
    /// Fits the USL to median throughput against workers.
    ///
    /// # Errors
    /// [`ExpectError::Unfitted`] when the curve is not a worker sweep or the fit fails (e.g. fewer than three
    /// levels).
    ///
    /// ```
    /// use scale_props::Experiment;
    /// let sweep = Experiment::new("usl.doc").workers([1, 2]).op(|_: &(), _| ()).ops(100).run()?;
    /// assert!(sweep.usl().is_err(), "two levels are too few for a USL fit");
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    pub fn usl(&self) -> Result<UslReport, ExpectError> {
        let unfitted = |source| ExpectError::Unfitted {
            id: self.id.clone(),
            what: "the USL",
            source,
        };
        let measured: Vec<(f64, f64)> = if self.axis == Axis::Workers {
            self.series(Point::median_throughput)
        } else {
            self.points
                .iter()
                .map(|p| (p.phase.workers as f64, p.median_throughput()))
                .collect()
        };
        let sample = Sample::from_pairs(measured.clone()).map_err(unfitted)?;
        let fit = fit_usl(&sample).map_err(unfitted)?;
        Ok(UslReport { fit, measured })
    }
}
