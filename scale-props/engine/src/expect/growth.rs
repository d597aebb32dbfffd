//! Growth bounds: `Growth::at_most(Complexity::Log)`.

use super::{Expectation, Judgement};
use crate::digest::Analysis;
use crate::fit::{Complexity, GrowthBin};
use crate::measure::{Axis, Curve};

/// What a growth bound is checked on.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// Work counters when the workload reports any, else time.
    Auto,
    /// One work counter (deterministic, exact class).
    Work(String),
    /// Median time per operation (wide bin).
    Time,
}

impl Growth {
    /// The widest time bin a complexity class may show: O(1) and O(log n) look flat, O(n) and O(n log n)
    /// linear.
    ///
    /// ```
    /// use scale_props::fit::{Complexity, GrowthBin};
    /// assert_eq!(scale_props::Growth::time_bin_of(Complexity::Log), GrowthBin::Flat);
    /// ```
    pub fn time_bin_of(class: Complexity) -> GrowthBin {
        match class {
            Complexity::Constant | Complexity::Log => GrowthBin::Flat,
            Complexity::Linear | Complexity::Linearithmic => GrowthBin::Linear,
            Complexity::Quadratic => GrowthBin::Quadratic,
            Complexity::Cubic => GrowthBin::Steeper,
        }
    }
}

/// An upper bound on how cost per operation grows with size.
///
/// Checked on the work counters the workload reports (exact classes from deterministic counts), or, when it
/// reports none, on median time per operation in wide bins (see [`Growth::time_bin_of`]). Needs a size curve
/// with at least three sizes.
///
/// ```
/// use scale_props::{fit::Complexity, Experiment, Growth};
/// let curve = Experiment::new("growth.doc").sizes([100, 1_000, 10_000])
///     .op(|_: &(), ctx| ctx.add_work(ctx.size)).ops(10).run()?;
/// curve.check(Growth::at_most(Complexity::Linear))?;
/// assert!(curve.check(Growth::at_most(Complexity::Log)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Growth {
    bound: Complexity,
    source: Source,
}

impl Growth {
    /// Growth at most `bound`.
    pub fn at_most(bound: Complexity) -> Self {
        Self {
            bound,
            source: Source::Auto,
        }
    }
    /// Checked on work counter `name` only.
    pub fn of_work(mut self, name: &str) -> Self {
        self.source = Source::Work(name.to_owned());
        self
    }
    /// Checked on median time per operation only (wide bin).
    pub fn of_time(mut self) -> Self {
        self.source = Source::Time;
        self
    }
}

impl Expectation for Growth {
    fn describe(&self) -> String {
        let on = match &self.source {
            Source::Auto => "cost".to_owned(),
            Source::Work(n) => format!("work `{n}`"),
            Source::Time => "time".to_owned(),
        };
        format!("{on} per operation to grow at most {}", self.bound)
    }

    fn judge(&self, curve: &Curve, analysis: &Analysis) -> Judgement {
        let max_bin = Self::time_bin_of(self.bound);
        let bound = match &self.source {
            Source::Time => format!(
                "{} (time exponent in the {max_bin} bin or below)",
                self.bound
            ),
            _ => self.bound.to_string(),
        };
        if curve.axis != Axis::Size || analysis.fits.phases.is_empty() {
            return Judgement::unjudged(
                bound,
                format!(
                    "the curve has {} size(s); a growth bound needs at least three",
                    curve.sizes.len()
                ),
            );
        }
        // One finding per (phase, source): (holds, what was measured), or why it could not be judged.
        let mut found: Vec<(bool, String)> = Vec::new();
        for g in &analysis.fits.phases {
            let time = || match g.time_bin {
                Some(bin) => Ok((
                    bin <= max_bin,
                    format!(
                        "phase {}: time log-log exponent {:.2} ({bin})",
                        g.phase,
                        g.time_exponent.unwrap_or(f64::NAN)
                    ),
                )),
                None => Err(format!(
                    "phase {}: time could not be fitted ({})",
                    g.phase,
                    g.unfitted.join("; ")
                )),
            };
            let work = |name: &str| match g.work.get(name) {
                Some(f) => Ok((
                    f.is_at_most(self.bound),
                    format!("phase {}: work `{name}` grows as {}", g.phase, f.best),
                )),
                None => Err(format!(
                    "phase {}: no fit for work counter `{name}`",
                    g.phase
                )),
            };
            let findings = match &self.source {
                Source::Time => vec![time()],
                Source::Work(name) => vec![work(name)],
                Source::Auto if g.work.is_empty() => vec![time()],
                Source::Auto => g.work.keys().map(|name| work(name)).collect(),
            };
            for f in findings {
                match f {
                    Ok(x) => found.push(x),
                    Err(why) => return Judgement::unjudged(bound, why),
                }
            }
        }
        let failed: Vec<&str> = found
            .iter()
            .filter(|(ok, _)| !ok)
            .map(|(_, m)| m.as_str())
            .collect();
        if failed.is_empty() {
            let all: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
            Judgement::holding(all.join("; "), bound)
        } else {
            Judgement::fails(failed.join("; "), bound)
        }
    }
}
