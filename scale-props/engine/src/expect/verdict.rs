//! Verdicts: one per claim an experiment carried, judged when it ran; `assert_all` turns any that does not
//! hold into a test failure with the verdict table, the fits and a plot path.

use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};

use super::error::plot_dir;
use super::{ExpectError, Judgement, Outcome};
use crate::measure::Curve;
use crate::report::{markdown_fits, markdown_table, plot_curve, plot_file_name};

/// The verdict on one claim: the case (experiment id), the claim (the expectation's own description) and
/// its judgement (holds / fails / could not be judged, measured value, bound).
///
/// ```
/// use scale_props::{Errors, Experiment};
/// let curve = Experiment::new("verdict.doc").claim(Errors::none()).op(|_: &(), _| ()).ops(10).run()?;
/// let v = &curve.verdicts()[0];
/// assert_eq!((v.case.as_str(), v.claim.as_str()), ("verdict.doc", "no errors"));
/// assert!(v.holds());
/// # Ok::<(), scale_props::RunError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The experiment id the claim was made in.
    pub case: String,
    /// What was claimed ([`super::Expectation::describe`]).
    pub claim: String,
    /// What the run found.
    pub judgement: Judgement,
}

impl Verdict {
    /// The claim holds (never true for one that could not be judged).
    pub fn holds(&self) -> bool {
        self.judgement.holds()
    }
    /// The word in the verdict column: `holds`, `FAILS` or `could not be judged: <why>`.
    pub fn word(&self) -> String {
        self.judgement.outcome.to_string()
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.case, self.claim, self.judgement)
    }
}

/// Escapes a cell of a Markdown table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The Markdown verdict table: case, claim, measured, bound, verdict; one row per verdict.
///
/// ```
/// use scale_props::expect::{verdict_table, Judgement, Verdict};
/// let v = Verdict { case: "c".into(), claim: "no errors".into(), judgement: Judgement::holding("0 errors", "0 errors") };
/// assert!(verdict_table(&[v]).contains("| c | no errors | 0 errors | 0 errors | holds |"));
/// ```
pub fn verdict_table<'a>(verdicts: impl IntoIterator<Item = &'a Verdict>) -> String {
    let mut t =
        String::from("| case | claim | measured | bound | verdict |\n|---|---|---|---|---|\n");
    for v in verdicts {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} |",
            cell(&v.case),
            cell(&v.claim),
            cell(&v.judgement.measured),
            cell(&v.judgement.bound),
            cell(&v.word())
        );
    }
    t
}

/// The verdicts of one run, one per claim, in the order the claims were made.
///
/// ```
/// use std::time::Duration;
/// use scale_props::{Budget, Errors, Experiment};
/// let curve = Experiment::new("verdicts.doc")
///     .claim(Errors::none())
///     .claim(Budget::p99(Duration::from_secs(10)))
///     .op(|_: &(), ctx| ctx.i != 3)
///     .ops(100)
///     .run()?;
/// let verdicts = curve.verdicts();
/// assert_eq!(verdicts.len(), 2);
/// assert!(!verdicts[0].holds() && verdicts[1].holds());
/// let err = verdicts.assert_all().unwrap_err().to_string();
/// assert!(err.contains("| verdicts.doc | no errors |") && err.contains("plot"));
/// # Ok::<(), scale_props::RunError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Verdicts<'a> {
    curve: &'a Curve,
}

impl<'a> Verdicts<'a> {
    pub(crate) fn of(curve: &'a Curve) -> Self {
        Self { curve }
    }

    /// The verdicts, in claim order.
    pub fn as_slice(&self) -> &'a [Verdict] {
        &self.curve.verdict_list
    }

    /// Every claim holds (true when there were no claims).
    pub fn all_hold(&self) -> bool {
        self.as_slice().iter().all(Verdict::holds)
    }

    /// The verdicts that do not hold: failed, or could not be judged.
    pub fn not_holding(&self) -> impl Iterator<Item = &'a Verdict> {
        self.as_slice().iter().filter(|v| !v.holds())
    }

    /// The Markdown verdict table (see [`verdict_table`]).
    pub fn table(&self) -> String {
        verdict_table(self.as_slice())
    }

    /// Returns `Ok` when every claim holds. Otherwise draws the curve into [`plot_dir`] and returns
    /// [`ExpectError::Claims`], whose Display shows every claim's verdict, the measured table, the fits and
    /// the plot path. A claim that could not be judged fails this too: it is never counted as holding.
    ///
    /// # Errors
    /// [`ExpectError::Claims`] when some claim fails or could not be judged.
    pub fn assert_all(&self) -> Result<(), ExpectError> {
        if self.all_hold() {
            return Ok(());
        }
        let curve = self.curve;
        let analysis = curve.analysis();
        let path = plot_dir().join(plot_file_name(&curve.id));
        let plot = match plot_curve(curve, analysis, &path) {
            Ok(()) => format!("plot: {}", path.display()),
            Err(e) => format!("plot not written: {e}"),
        };
        let count = |f: fn(&Outcome) -> bool| {
            self.as_slice()
                .iter()
                .filter(|v| f(&v.judgement.outcome))
                .count()
        };
        Err(ExpectError::Claims {
            id: curve.id.clone(),
            failed: count(|o| *o == Outcome::Fails),
            unjudged: count(|o| matches!(o, Outcome::Unjudged { .. })),
            verdicts: self.as_slice().to_vec(),
            table: format!(
                "{}\n{}\n{}",
                self.table(),
                markdown_table(analysis),
                markdown_fits(analysis)
            ),
            plot,
        })
    }
}

impl<'a> std::ops::Deref for Verdicts<'a> {
    type Target = [Verdict];
    fn deref(&self) -> &[Verdict] {
        self.as_slice()
    }
}

impl<'a> IntoIterator for Verdicts<'a> {
    type Item = &'a Verdict;
    type IntoIter = std::slice::Iter<'a, Verdict>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}
