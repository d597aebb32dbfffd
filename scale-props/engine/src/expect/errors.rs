//! Error budgets: `Errors::none()`.

use super::{Expectation, Judgement};
use crate::digest::Analysis;
use crate::measure::Curve;

/// A bound on failed operations over the whole curve.
///
/// ```
/// use scale_props::{Errors, Experiment};
/// let curve = Experiment::new("errors.doc").op(|_: &(), ctx| ctx.i != 3).ops(100).run()?;
/// assert!(curve.check(Errors::none()).is_err());
/// curve.check(Errors::at_most_rate(0.05))?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Errors {
    max_rate: f64,
}

impl Errors {
    /// No operation may fail, at any point.
    pub fn none() -> Self {
        Self { max_rate: 0.0 }
    }
    /// At every point, errors / completed operations at most `rate` (in [0, 1]).
    pub fn at_most_rate(rate: f64) -> Self {
        Self { max_rate: rate }
    }
}

impl Expectation for Errors {
    fn describe(&self) -> String {
        if self.max_rate == 0.0 {
            "no errors".to_owned()
        } else {
            format!("error rate at most {}", self.max_rate)
        }
    }
    fn judge(&self, curve: &Curve, _: &Analysis) -> Judgement {
        let bound = if self.max_rate == 0.0 {
            "0 errors".to_owned()
        } else {
            format!("error rate <= {} at every point", self.max_rate)
        };
        if curve.points.iter().all(|p| p.total_completed() == 0) {
            return Judgement::unjudged(bound, "no operation completed");
        }
        // The worst point by rate (by count on ties), so the measured value is the one that decides.
        let worst = curve
            .points
            .iter()
            .max_by(|a, b| {
                a.error_rate()
                    .total_cmp(&b.error_rate())
                    .then(a.total_errors().cmp(&b.total_errors()))
            })
            .filter(|p| p.total_errors() > 0);
        let Some(p) = worst else {
            let done: u64 = curve.points.iter().map(|p| p.total_completed()).sum();
            return Judgement::holding(format!("0 errors in {done} operations"), bound);
        };
        let (n, rate) = (p.total_errors(), p.error_rate());
        let measured = format!(
            "{n} errors of {} operations (rate {rate:.4}) at size {} phase {} ({:?})",
            p.total_completed(),
            p.size,
            p.phase.name,
            p.errors_by_kind()
        );
        let ok = !(self.max_rate == 0.0 && n > 0) && rate <= self.max_rate;
        Judgement::when(ok, measured, bound)
    }
}
