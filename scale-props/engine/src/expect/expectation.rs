//! The `Expectation` trait and `Curve::expect`.

use super::ExpectError;
use super::error::plot_dir;
use crate::digest::Analysis;
use crate::measure::Curve;
use crate::report::plot_curve;

/// Something a curve must satisfy.
///
/// ```
/// use scale_props::{Analysis, Curve};
/// use scale_props::expect::Expectation;
/// struct AtLeastPoints(usize);
/// impl Expectation for AtLeastPoints {
///     fn describe(&self) -> String { format!("at least {} points", self.0) }
///     fn check(&self, c: &Curve, _: &Analysis) -> Result<(), String> {
///         if c.points.len() >= self.0 { Ok(()) } else { Err(format!("{} points", c.points.len())) }
///     }
/// }
/// let curve = scale_props::Experiment::new("pts").sizes([1, 2]).op(|_: &(), _| ()).ops(5).run()?;
/// curve.expect(AtLeastPoints(2))?;
/// assert!(curve.expect(AtLeastPoints(3)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Expectation {
    /// What is expected, for messages (e.g. `growth at most O(log n)`).
    fn describe(&self) -> String;
    /// Checks the curve.
    ///
    /// # Errors
    /// What was found instead, in words and numbers.
    fn check(&self, curve: &Curve, analysis: &Analysis) -> Result<(), String>;
}

impl Curve {
    /// Checks an expectation; on failure draws the curve with its fit into [`plot_dir`] and returns an error
    /// showing the table, the fits and the plot path.
    ///
    /// # Errors
    /// [`ExpectError::Violated`] when the expectation does not hold.
    ///
    /// ```
    /// use scale_props::{Errors, Experiment};
    /// let curve = Experiment::new("expect.errors").op(|_: &(), ctx| ctx.i % 10 != 0).ops(100).run()?;
    /// let err = curve.expect(Errors::none()).unwrap_err();
    /// assert!(err.to_string().contains("10 errors"));
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    pub fn expect(&self, expectation: impl Expectation) -> Result<(), ExpectError> {
        let analysis = Analysis::of(self);
        let Err(reason) = expectation.check(self, &analysis) else {
            return Ok(());
        };
        let path = plot_dir().join(format!("{}.svg", crate::digest::snapshot_name(&self.id)));
        let plot = match plot_curve(self, &analysis, &path) {
            Ok(()) => format!("plot: {}", path.display()),
            Err(e) => format!("plot not written: {e}"),
        };
        let table = format!(
            "{}\n{}",
            crate::report::markdown_table(&analysis),
            crate::report::markdown_fits(&analysis)
        );
        Err(ExpectError::Violated {
            id: self.id.clone(),
            expectation: expectation.describe(),
            reason,
            table,
            plot,
        })
    }
}
