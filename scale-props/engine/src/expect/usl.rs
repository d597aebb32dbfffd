//! `sweep.usl()`: the Universal Scalability Law fit of a worker sweep, printable with its table.

use std::fmt;

use super::ExpectError;
use crate::fit::UslFit;
use crate::measure::Curve;

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
    /// Fits the USL to median throughput against workers, on the levels within the cores the run had (the same
    /// computation as [`crate::digest::Fits::of`]: [`crate::digest::usl_of`]).
    ///
    /// # Errors
    /// [`ExpectError::Unfitted`] when the fit fails: fewer than two worker levels within the cores (the verdict
    /// cannot be made), or too few levels.
    ///
    /// ```
    /// use scale_props::Experiment;
    /// let sweep = Experiment::new("usl.doc").workers([1, 2, 4]).op(|_: &(), _| ()).ops(100).run()?;
    /// match sweep.usl() {
    ///     Ok(usl) => assert_eq!(usl.fit.cores, Some(sweep.cores as f64)),
    ///     Err(e) => assert!(e.to_string().contains("undecided"), "one core: {e}"),
    /// }
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    pub fn usl(&self) -> Result<UslReport, ExpectError> {
        let unfitted = |source| ExpectError::Unfitted {
            id: self.id.clone(),
            what: "the USL",
            source,
        };
        let fit = crate::digest::usl_of(self).map_err(unfitted)?;
        let measured: Vec<(f64, f64)> = fit.sample.points().collect();
        Ok(UslReport { fit, measured })
    }
}
