//! The error an unmet expectation returns.

use std::path::PathBuf;

use super::{Judgement, Verdict};
use crate::fit::FitError;

/// Errors of [`crate::Curve::check`] and [`crate::Curve::usl`].
///
/// ```
/// use scale_props::{Errors, ExpectError, Experiment};
/// let c = Experiment::new("e").op(|_: &(), _| false).ops(3).run()?;
/// let Err(ExpectError::Violated { judgement, plot, .. }) = c.check(Errors::none()) else { panic!() };
/// assert!(judgement.measured.contains("3 errors") && plot.starts_with("plot"));
/// # Ok::<(), scale_props::RunError>(())
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExpectError {
    /// Occurs when an expectation fails on a curve or could not be judged; shows the judgement (measured
    /// value and bound, or why it could not be judged), the measured table, the fits and a plot path.
    #[error("{id}: expected {expectation}: {judgement}\n{table}\n{plot}")]
    Violated {
        /// Experiment id.
        id: String,
        /// What was expected ([`super::Expectation::describe`]).
        expectation: String,
        /// What was found: fails (measured vs bound) or could not be judged (why).
        judgement: Box<Judgement>,
        /// The curve table and fits, as Markdown.
        table: String,
        /// `plot: <path>` of the SVG drawn for the failure, or why none was drawn.
        plot: String,
    },
    /// Occurs when some claim of an experiment fails or could not be judged
    /// ([`super::Verdicts::assert_all`]); shows every claim's verdict, the measured table, the fits and a
    /// plot path.
    #[error(
        "{id}: {failed} claim(s) failed and {unjudged} could not be judged (never counted as holding)\n{table}\n{plot}"
    )]
    Claims {
        /// Experiment id.
        id: String,
        /// Claims that failed.
        failed: usize,
        /// Claims that could not be judged.
        unjudged: usize,
        /// Every verdict of the run, in claim order.
        verdicts: Vec<Verdict>,
        /// The verdict table, the curve table and the fits, as Markdown.
        table: String,
        /// `plot: <path>` of the SVG drawn for the failure, or why none was drawn.
        plot: String,
    },
    /// Occurs when a model cannot be fitted to the curve (e.g. too few worker levels for the USL).
    #[error("{id}: cannot fit {what}: {source}")]
    Unfitted {
        /// Experiment id.
        id: String,
        /// Which model.
        what: &'static str,
        /// The fitting error.
        source: FitError,
    },
}

/// Where failure plots go: `$SCALE_PROPS_PLOT_DIR`, else `<temp dir>/scale-props-plots`.
///
/// ```
/// assert!(!scale_props::expect::plot_dir().as_os_str().is_empty());
/// ```
pub fn plot_dir() -> PathBuf {
    std::env::var_os("SCALE_PROPS_PLOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("scale-props-plots"))
}
