//! Growth bounds: `Growth::at_most(Complexity::Log)`.

use super::Expectation;
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
/// reports none, on the time verdict ([`crate::fit::TimeVerdict`], in wide bins, see [`Growth::time_bin_of`]):
/// it holds when every bin the verdict allows is within the bound's bin (a lookup that is "sublinear,
/// memory-bound" holds for O(log n)), fails when even the cheapest is steeper, and cannot be judged when the
/// verdict is undecided across the bound. Needs a size curve with at least three sizes.
///
/// ```
/// use scale_props::{fit::Complexity, Experiment, Growth};
/// let curve = Experiment::new("growth.doc").sizes([100, 1_000, 10_000])
///     .op(|_: &(), ctx| ctx.add_work(ctx.size)).ops(10).run()?;
/// curve.expect(Growth::at_most(Complexity::Linear))?;
/// assert!(curve.expect(Growth::at_most(Complexity::Log)).is_err());
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
    /// Checked on the time verdict only (wide bins).
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

    fn check(&self, curve: &Curve, analysis: &Analysis) -> Result<(), String> {
        if curve.axis != Axis::Size || analysis.fits.phases.is_empty() {
            return Err(format!(
                "the curve has {} size(s); a growth bound needs at least three",
                curve.sizes.len()
            ));
        }
        let max_bin = Self::time_bin_of(self.bound);
        for g in &analysis.fits.phases {
            let check_time = || match &g.time {
                Some(t) => match t.verdict.is_at_most(max_bin) {
                    Some(true) => Ok(()),
                    Some(false) => Err(format!(
                        "phase {}: time grows {}, above the {max_bin} bin\n{t}",
                        g.phase, t.verdict
                    )),
                    None => Err(format!(
                        "phase {}: could not be judged: time is {}\n{t}",
                        g.phase, t.verdict
                    )),
                },
                None => Err(format!(
                    "phase {}: time could not be fitted ({})",
                    g.phase,
                    g.unfitted.join("; ")
                )),
            };
            let check_work = |name: &str| match g.work.get(name) {
                Some(f) if f.is_at_most(self.bound) => Ok(()),
                Some(f) => Err(format!(
                    "phase {}: work `{name}` grows as {}",
                    g.phase, f.best
                )),
                None => Err(format!(
                    "phase {}: no fit for work counter `{name}`",
                    g.phase
                )),
            };
            match &self.source {
                Source::Time => check_time()?,
                Source::Work(name) => check_work(name)?,
                Source::Auto if g.work.is_empty() => check_time()?,
                Source::Auto => {
                    for name in g.work.keys() {
                        check_work(name)?;
                    }
                }
            }
        }
        Ok(())
    }
}
