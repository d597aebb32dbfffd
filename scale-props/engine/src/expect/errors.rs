//! Error budgets: `Errors::none()`, a rate at every point, a count over the whole run, and kinds that are
//! part of the design (e.g. a full queue refusing work) left out of the budget.

use std::collections::BTreeMap;

use super::{Expectation, Judgement};
use crate::digest::Analysis;
use crate::measure::{Curve, Point};

/// How much failure the budget allows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Allowance {
    /// Errors / completed at most this at every point (0: none at all).
    RatePerPoint(f64),
    /// At most this many errors over the whole curve.
    Total(u64),
}

/// An error budget: failed operations (counted by kind) a curve may have.
///
/// ```
/// use scale_props::{Errors, Experiment};
/// let curve = Experiment::new("errors.doc").op(|_: &(), ctx| ctx.i != 3).ops(100).run()?;
/// assert!(curve.check(Errors::none()).is_err());
/// curve.check(Errors::at_most_rate(0.05))?;
/// curve.check(Errors::at_most(1))?;
/// curve.check(Errors::none().allowing("false"))?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Errors {
    allowance: Allowance,
    allowed_kinds: Vec<String>,
}

impl Errors {
    /// No operation may fail, at any point.
    pub fn none() -> Self {
        Self {
            allowance: Allowance::RatePerPoint(0.0),
            allowed_kinds: Vec::new(),
        }
    }
    /// At every point, errors / completed operations at most `rate` (in [0, 1]).
    pub fn at_most_rate(rate: f64) -> Self {
        Self {
            allowance: Allowance::RatePerPoint(rate),
            allowed_kinds: Vec::new(),
        }
    }
    /// At most `count` errors over the whole curve (every point and repetition).
    pub fn at_most(count: u64) -> Self {
        Self {
            allowance: Allowance::Total(count),
            allowed_kinds: Vec::new(),
        }
    }
    /// Errors of `kind` are outside the budget: outcomes the design expects (e.g. `"QueueFull"` from a
    /// bounded queue that refuses work by design). Repeatable.
    pub fn allowing(mut self, kind: &str) -> Self {
        self.allowed_kinds.push(kind.to_owned());
        self
    }

    /// Errors of a point that count against the budget, by kind.
    fn counted(&self, p: &Point) -> BTreeMap<String, u64> {
        let mut kinds = p.errors_by_kind();
        kinds.retain(|k, _| !self.allowed_kinds.contains(k));
        kinds
    }

    fn bound(&self) -> String {
        let mut b = match self.allowance {
            Allowance::RatePerPoint(0.0) => "0 errors".to_owned(),
            Allowance::RatePerPoint(r) => format!("error rate <= {r} at every point"),
            Allowance::Total(n) => format!("<= {n} errors over the run"),
        };
        if !self.allowed_kinds.is_empty() {
            b.push_str(&format!(
                " (not counting {})",
                self.allowed_kinds.join(", ")
            ));
        }
        b
    }
}

impl Expectation for Errors {
    fn describe(&self) -> String {
        let mut d = match self.allowance {
            Allowance::RatePerPoint(0.0) => "no errors".to_owned(),
            Allowance::RatePerPoint(r) => format!("error rate at most {r}"),
            Allowance::Total(n) => format!("at most {n} errors"),
        };
        if !self.allowed_kinds.is_empty() {
            d.push_str(&format!(" except {}", self.allowed_kinds.join(", ")));
        }
        d
    }

    fn judge(&self, curve: &Curve, _: &Analysis) -> Judgement {
        let bound = self.bound();
        let done: u64 = curve.points.iter().map(Point::total_completed).sum();
        if done == 0 {
            return Judgement::unjudged(bound, "no operation completed");
        }
        let counted = |p: &Point| self.counted(p).values().sum::<u64>();
        let rate = |p: &Point| {
            let n = p.total_completed();
            if n == 0 {
                0.0
            } else {
                counted(p) as f64 / n as f64
            }
        };
        match self.allowance {
            Allowance::Total(max) => {
                let total: u64 = curve.points.iter().map(counted).sum();
                let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
                for p in &curve.points {
                    for (k, v) in self.counted(p) {
                        *kinds.entry(k).or_insert(0) += v;
                    }
                }
                let measured = if total == 0 {
                    format!("0 errors in {done} operations")
                } else {
                    format!("{total} errors in {done} operations ({kinds:?})")
                };
                Judgement::when(total <= max, measured, bound)
            }
            Allowance::RatePerPoint(max_rate) => {
                // The worst point by rate (by count on ties): the one that decides.
                let worst = curve
                    .points
                    .iter()
                    .max_by(|a, b| {
                        rate(a)
                            .total_cmp(&rate(b))
                            .then(counted(a).cmp(&counted(b)))
                    })
                    .filter(|p| counted(p) > 0);
                let Some(p) = worst else {
                    return Judgement::holding(format!("0 errors in {done} operations"), bound);
                };
                let (n, r) = (counted(p), rate(p));
                let measured = format!(
                    "{n} errors of {} operations (rate {r:.4}) at size {} phase {} ({:?})",
                    p.total_completed(),
                    p.size,
                    p.phase.name,
                    self.counted(p)
                );
                Judgement::when(
                    r <= max_rate && !(max_rate == 0.0 && n > 0),
                    measured,
                    bound,
                )
            }
        }
    }
}
