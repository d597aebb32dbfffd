//! A stepped throughput search: offered rates `from`, `from + step`, ... (open model), one run per rate,
//! until a budget (p99 latency from the scheduled start, served fraction) breaks or the run's bound of steps
//! is reached. A step that breaks is run again ([`CONFIRMING_RUNS`]): the search stops only when every run of
//! the step broke, so a one-off stall is reported as such, not as the breaking point. The runs are joined into
//! one [`Curve`] with one point per run, in order (a repeated rate is a confirming run), so its last point is
//! the breaking step exactly when a budget broke.

use std::time::Duration;

use scale_props::measure::Point;
use scale_props::run::ProgressFn;
use scale_props::shape::{Open, ShapeError};
use scale_props::{Curve, Experiment, RunError, Workload};

use scale_props::expect::Verdict;

use crate::{Claim, Runnable};

/// The rates a stepped search offers: `from + k * step` for `k` in `0..steps`, each for `seconds`, served by
/// `servers` workers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepPlan {
    /// First offered rate, operations per second.
    pub from: u64,
    /// Increase per step, operations per second.
    pub step: u64,
    /// Most steps (the run's bound).
    pub steps: u64,
    /// Seconds each rate is offered for.
    pub seconds: f64,
    /// Worker threads serving the arrivals.
    pub servers: u64,
}

impl StepPlan {
    /// The offered rate of step `k`.
    pub fn rate(&self, k: u64) -> u64 {
        self.from + k * self.step
    }

    /// The highest rate the plan offers (its bound).
    pub fn top_rate(&self) -> u64 {
        self.rate(self.steps.saturating_sub(1))
    }

    /// The open-model shapes, one per step.
    ///
    /// # Errors
    /// [`ShapeError`] when a rate, the operation count or the server count is out of the engine's bounds.
    ///
    /// ```
    /// use aegis_scale::stepped::StepPlan;
    /// let plan = StepPlan { from: 1_000, step: 1_000, steps: 3, seconds: 0.5, servers: 2 };
    /// let shapes = plan.shapes()?;
    /// assert_eq!(shapes.iter().map(|s| s.rate_per_sec()).collect::<Vec<_>>(), [1_000, 2_000, 3_000]);
    /// assert_eq!(shapes[2].ops(), 1_500);
    /// # Ok::<(), scale_props::shape::ShapeError>(())
    /// ```
    pub fn shapes(&self) -> Result<Vec<Open>, ShapeError> {
        (0..self.steps)
            .map(|k| {
                let rate = self.rate(k);
                let ops = ((rate as f64 * self.seconds).round() as u64).max(1);
                Open::new(rate, self.servers, ops)
            })
            .collect()
    }
}

/// The budget each step must meet: p99 latency (from the scheduled start) and the fraction of scheduled
/// operations completed without error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepBudget {
    /// Highest median p99 latency.
    pub p99: Duration,
    /// Lowest fraction of the scheduled operations served (completed without error).
    pub min_served: f64,
}

impl StepBudget {
    /// Checks one step; the error says what broke, in numbers.
    ///
    /// # Errors
    /// What was measured, when the step breaks the budget.
    pub fn check(&self, point: &Point) -> Result<(), String> {
        let served = served_fraction(point);
        if served < self.min_served {
            return Err(format!(
                "served {:.1}% < {:.0}% of the offered {}/s",
                served * 100.0,
                self.min_served * 100.0,
                offered_rate(point).unwrap_or(0)
            ));
        }
        let p99 = point.median_latency_ns(0.99).unwrap_or(f64::INFINITY);
        let limit = self.p99.as_nanos() as f64;
        if p99 > limit {
            return Err(format!(
                "p99 {:.2} ms > {:.2} ms at {}/s",
                p99 / 1e6,
                limit / 1e6,
                offered_rate(point).unwrap_or(0)
            ));
        }
        Ok(())
    }
}

impl std::fmt::Display for StepBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "p99 <= {} ms and >= {:.0}% served",
            self.p99.as_secs_f64() * 1e3,
            self.min_served * 100.0
        )
    }
}

/// The offered rate of an open-model point, if it is one.
pub fn offered_rate(point: &Point) -> Option<u64> {
    point.phase.arrival.map(|a| a.rate_per_sec)
}

/// Operations completed without error over operations scheduled (all repetitions).
pub fn served_fraction(point: &Point) -> f64 {
    let scheduled = point.phase.ops * point.repetitions.len() as u64;
    if scheduled == 0 {
        return 0.0;
    }
    let ok = point.total_completed().saturating_sub(point.total_errors());
    ok as f64 / scheduled as f64
}

/// How many times a step that broke its budget is run again before the break counts: a capacity limit
/// breaks again at the same offered rate, a one-off stall (a preempted thread, a page-cache flush) does not.
pub const CONFIRMING_RUNS: usize = 1;

/// Where a stepped search ended.
#[derive(Debug, Clone, PartialEq)]
pub enum StepOutcome {
    /// A budget broke at this offered rate, and again on every confirming run of the step.
    Broke {
        /// The offered rate that broke the budget.
        rate: u64,
        /// The highest rate that held, if any did.
        held: Option<u64>,
        /// What broke.
        reason: String,
        /// Rates whose step broke once but held when run again (not a breaking point).
        transient: Vec<u64>,
    },
    /// Every step up to the run's bound held (some perhaps only on their confirming run).
    NotReached {
        /// The highest rate offered.
        bound: u64,
        /// Rates whose step broke once but held when run again.
        transient: Vec<u64>,
    },
}

impl StepOutcome {
    /// Reads the outcome of a stepped curve (points in the order run; a rate repeated is a confirming run):
    /// the last point broke the budget, or it held.
    pub fn of(curve: &Curve, budget: &StepBudget) -> Option<Self> {
        let last = curve.points.last()?;
        let rate = offered_rate(last)?;
        let mut transient = Vec::new();
        for pair in curve.points.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if offered_rate(a) == offered_rate(b)
                && budget.check(a).is_err()
                && budget.check(b).is_ok()
            {
                transient.extend(offered_rate(a));
            }
        }
        match budget.check(last) {
            Ok(()) => Some(Self::NotReached {
                bound: rate,
                transient,
            }),
            Err(reason) => Some(Self::Broke {
                rate,
                held: curve
                    .points
                    .iter()
                    .rev()
                    .filter(|p| budget.check(p).is_ok())
                    .filter_map(offered_rate)
                    .find(|&r| r < rate),
                reason,
                transient,
            }),
        }
    }
}

/// ", broke once but held when run again at 200/s, 900/s" (empty when none did).
fn transient_note(transient: &[u64]) -> String {
    if transient.is_empty() {
        return String::new();
    }
    let rates: Vec<String> = transient.iter().map(|r| format!("{r}/s")).collect();
    format!(
        "; broke once but held when run again at {}",
        rates.join(", ")
    )
}

impl std::fmt::Display for StepOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Broke {
                rate,
                held,
                reason,
                transient,
            } => {
                write!(
                    f,
                    "breaking point {rate}/s ({reason}; broke again on {CONFIRMING_RUNS} re-run)"
                )?;
                match held {
                    Some(h) => write!(f, "; held at {h}/s")?,
                    None => f.write_str("; no step held")?,
                }
                f.write_str(&transient_note(transient))
            }
            Self::NotReached { bound, transient } => write!(
                f,
                "not reached within the run's bound (every step held up to {bound}/s{})",
                transient_note(transient)
            ),
        }
    }
}

type StepRunner = dyn Fn(Open, Option<ProgressFn>) -> Result<Curve, RunError> + Send;

/// A stepped search ready to run (a [`Runnable`]).
pub struct Stepped {
    shapes: Vec<Open>,
    budget: StepBudget,
    run_step: Box<StepRunner>,
}

impl std::fmt::Debug for Stepped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stepped")
            .field("steps", &self.shapes.len())
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

impl Stepped {
    /// A search over `plan`'s rates; `experiment(shape)` builds the experiment of one step (same id each step).
    ///
    /// # Errors
    /// [`ShapeError`] when a step's shape is out of bounds.
    pub fn new<W, F>(plan: StepPlan, budget: StepBudget, experiment: F) -> Result<Self, ShapeError>
    where
        W: Workload + Send + 'static,
        F: Fn(Open) -> Experiment<W> + Send + 'static,
    {
        Ok(Self {
            shapes: plan.shapes()?,
            budget,
            run_step: Box::new(move |shape, progress| {
                let e = experiment(shape);
                match progress {
                    Some(f) => e.on_progress(move |p| f(p)).run(),
                    None => e.run(),
                }
            }),
        })
    }
}

impl Runnable for Stepped {
    /// Runs the steps, joins them, and judges `claims` on the joined curve (each step alone carries none).
    fn run_with(
        self: Box<Self>,
        claims: Vec<Claim>,
        progress: Option<ProgressFn>,
    ) -> Result<(Curve, Vec<Verdict>), RunError> {
        let mut joined: Option<Curve> = None;
        'steps: for shape in self.shapes {
            // A step that breaks is run again (CONFIRMING_RUNS times): the search stops only when every
            // run of the step broke; each run is kept as a point, so a transient break stays visible.
            for _ in 0..=CONFIRMING_RUNS {
                let step = (self.run_step)(shape.clone(), progress.clone())?;
                let broke = step.points.iter().any(|p| self.budget.check(p).is_err());
                match joined.as_mut() {
                    None => joined = Some(step),
                    Some(c) => {
                        c.points.extend(step.points);
                        c.prepare_rss.extend(step.prepare_rss);
                    }
                }
                if !broke {
                    continue 'steps;
                }
            }
            break;
        }
        let curve = joined.ok_or(RunError::Shape(ShapeError::ZeroRate))?;
        // The steps carry no claims, so no analysis was taken before the join: the one kept by the joined
        // curve (and read again by the report) covers every step.
        let verdicts = claims
            .iter()
            .map(|c| Verdict {
                case: curve.id.clone(),
                claim: c.describe(),
                judgement: c.judge(&curve, curve.analysis()),
            })
            .collect();
        Ok((curve, verdicts))
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    /// Three steps of 0.2 s at 50, 100, 150/s on one server; `stall(rate, run)` says whether the first
    /// operation of that run of that rate stalls for 400 ms (over the 150 ms budget, which a no-op on a
    /// loaded machine stays far below).
    fn search(stall: impl Fn(u64, u64) -> bool + Send + Sync + 'static) -> Option<StepOutcome> {
        let plan = StepPlan {
            from: 50,
            step: 50,
            steps: 3,
            seconds: 0.2,
            servers: 1,
        };
        let budget = StepBudget {
            p99: Duration::from_millis(150),
            min_served: 0.5,
        };
        let stall = Arc::new(stall);
        let runs = Arc::new(AtomicU64::new(0));
        let stepped = Stepped::new(plan, budget, move |shape: Open| {
            let rate = shape.rate_per_sec();
            let run = runs.fetch_add(1, Ordering::SeqCst);
            let stall = Arc::clone(&stall);
            Experiment::new("stepped.test")
                .sizes([1])
                .shape(shape)
                .op(move |_: &(), ctx| {
                    if ctx.i == 0 && stall(rate, run) {
                        std::thread::sleep(Duration::from_millis(400));
                    }
                })
        })
        .unwrap();
        let (curve, _) = Box::new(stepped).run_with(Vec::new(), None).unwrap();
        StepOutcome::of(&curve, &budget)
    }

    #[test]
    fn a_one_off_stall_is_not_a_breaking_point() {
        // The first run at 100/s (the second run overall) stalls; its re-run does not.
        match search(|rate, run| rate == 100 && run == 1) {
            Some(StepOutcome::NotReached { bound, transient }) => {
                assert_eq!(bound, 150);
                assert!(transient.contains(&100), "{transient:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_break_that_repeats_is_the_breaking_point() {
        match search(|rate, _| rate >= 100) {
            Some(StepOutcome::Broke {
                rate,
                held,
                transient,
                ..
            }) => assert_eq!((rate, held, transient), (100, Some(50), Vec::<u64>::new())),
            other => panic!("{other:?}"),
        }
    }
}
