//! Error budgets: `Errors::none()`.

use super::Expectation;
use crate::digest::Analysis;
use crate::measure::Curve;

/// A bound on failed operations over the whole curve.
///
/// ```
/// use scale_props::{Errors, Experiment};
/// let curve = Experiment::new("errors.doc").op(|_: &(), ctx| ctx.i != 3).ops(100).run()?;
/// assert!(curve.expect(Errors::none()).is_err());
/// curve.expect(Errors::at_most_rate(0.05))?;
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
    fn check(&self, curve: &Curve, _: &Analysis) -> Result<(), String> {
        for p in &curve.points {
            let (n, rate) = (p.total_errors(), p.error_rate());
            if (self.max_rate == 0.0 && n > 0) || rate > self.max_rate {
                return Err(format!(
                    "size {} phase {} had {n} errors of {} operations ({:?})",
                    p.size,
                    p.phase.name,
                    p.total_completed(),
                    p.errors_by_kind()
                ));
            }
        }
        Ok(())
    }
}
