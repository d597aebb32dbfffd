//! The `Expectation` trait and `Curve::check`.

use super::error::plot_dir;
use super::{ExpectError, Judgement};
use crate::digest::Analysis;
use crate::measure::Curve;
use crate::report::{plot_curve, plot_file_name};

/// Something a curve must satisfy, judged on the curve and its analysis.
///
/// ```
/// use scale_props::{Analysis, Curve};
/// use scale_props::expect::{Expectation, Judgement};
/// struct AtLeastPoints(usize);
/// impl Expectation for AtLeastPoints {
///     fn describe(&self) -> String { format!("at least {} points", self.0) }
///     fn judge(&self, c: &Curve, _: &Analysis) -> Judgement {
///         let n = c.points.len();
///         Judgement::when(n >= self.0, format!("{n} points"), format!(">= {} points", self.0))
///     }
/// }
/// let curve = scale_props::Experiment::new("pts").sizes([1, 2]).op(|_: &(), _| ()).ops(5).run()?;
/// curve.check(AtLeastPoints(2))?;
/// assert!(curve.check(AtLeastPoints(3)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Expectation {
    /// What is expected, for messages and verdict tables (e.g. `work per operation to grow at most O(log n)`).
    fn describe(&self) -> String;
    /// Judges the curve: holds, fails, or could not be judged (why), with the measured value and the bound.
    fn judge(&self, curve: &Curve, analysis: &Analysis) -> Judgement;
}

impl<E: Expectation + ?Sized> Expectation for &E {
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn judge(&self, curve: &Curve, analysis: &Analysis) -> Judgement {
        (**self).judge(curve, analysis)
    }
}

impl Curve {
    /// Judges an expectation; unless it holds, draws the curve with its fit into [`plot_dir`] and returns an
    /// error showing the judgement, the table, the fits and the plot path. "Could not be judged" is an error
    /// too: it never counts as holding.
    ///
    /// # Errors
    /// [`ExpectError::Violated`] when the expectation fails or could not be judged.
    ///
    /// ```
    /// use scale_props::{Errors, Experiment};
    /// let curve = Experiment::new("check.errors").op(|_: &(), ctx| ctx.i % 10 != 0).ops(100).run()?;
    /// let err = curve.check(Errors::none()).unwrap_err();
    /// assert!(err.to_string().contains("10 errors"));
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    pub fn check(&self, expectation: impl Expectation) -> Result<Judgement, ExpectError> {
        let analysis = self.analysis();
        let judgement = expectation.judge(self, analysis);
        if judgement.holds() {
            return Ok(judgement);
        }
        let path = plot_dir().join(plot_file_name(&self.id));
        let plot = match plot_curve(self, analysis, &path) {
            Ok(()) => format!("plot: {}", path.display()),
            Err(e) => format!("plot not written: {e}"),
        };
        let table = format!(
            "{}\n{}",
            crate::report::markdown_table(analysis),
            crate::report::markdown_fits(analysis)
        );
        Err(ExpectError::Violated {
            id: self.id.clone(),
            expectation: expectation.describe(),
            judgement: Box::new(judgement),
            table,
            plot,
        })
    }
}
