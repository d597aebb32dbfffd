//! Budgets every point must meet: latency, error rate, throughput efficiency, and resources (memory per item
//! of state, memory growth per operation of sustained work, CPU utilisation, work counters per operation such
//! as bytes written and fsyncs); the first point that breaks one is the breaking point.

use std::fmt::Write as _;
use std::ops::{Bound, RangeBounds};
use std::time::Duration;

use super::{Expectation, Judgement};
use crate::digest::Analysis;
use crate::fit::first_failure;
use crate::measure::{Axis, Curve, Point};

/// The smallest RSS change the platform shows: one page. A memory-growth bound needs enough operations that
/// one page more or less cannot decide it.
const PAGE_BYTES: f64 = 4_096.0;

/// The work counter [`Budget::bytes_written_per_op`] reads.
pub const BYTES_WRITTEN: &str = "bytes_written";
/// The work counter [`Budget::fsyncs_per_op`] reads.
pub const FSYNCS: &str = "fsyncs";

/// What a budget measures at each point.
#[derive(Debug, Clone, PartialEq)]
enum Measure {
    /// Median p99 latency, ns.
    P99,
    /// Errors / completed.
    ErrorRate,
    /// Throughput relative to the first point (per worker on a worker axis).
    ThroughputEfficiency,
    /// RSS growth while preparing the state, per item of size, bytes.
    MemoryPerItem,
    /// RSS slope against operations over the point's repetitions, bytes per operation.
    MemoryGrowthPerOp,
    /// Median CPU utilisation as a fraction of all cores.
    Cpu,
    /// A work counter the target reports, per completed operation.
    Work(String),
}

/// A budget every point must meet: a measure and the range it must stay in. The first point that does not
/// is the breaking point ([`Curve::breaking_point`]).
///
/// ```
/// use std::time::Duration;
/// use scale_props::prelude::*;
/// let curve = Experiment::new("budget.doc")
///     .workers([1, 2])
///     .claim(Budget::p99(Duration::from_secs(1)))
///     .claim(Budget::fsyncs_per_op(1.0..=1.0))
///     .op(|_: &(), ctx| ctx.count("fsyncs", 1))
///     .ops(1_000)
///     .run()?;
/// curve.verdicts().assert_all()?;
/// assert!(curve.breaking_point(&Budget::p99(Duration::from_secs(1))).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    measure: Measure,
    low: Bound<f64>,
    high: Bound<f64>,
}

/// Where a budget first broke.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokenStep {
    /// Index of the point.
    pub index: usize,
    /// Its x value on the curve's axis.
    pub x: f64,
    /// What was measured there.
    pub reason: String,
}

impl Budget {
    fn new(measure: Measure, range: impl RangeBounds<f64>) -> Self {
        Self {
            measure,
            low: range.start_bound().cloned(),
            high: range.end_bound().cloned(),
        }
    }

    /// Median p99 latency at most `d` at every point.
    pub fn p99(d: Duration) -> Self {
        Self::new(Measure::P99, ..=d.as_nanos() as f64)
    }
    /// Error rate (errors / completed operations) at most `r` at every point.
    pub fn error_rate(r: f64) -> Self {
        Self::new(Measure::ErrorRate, ..=r)
    }
    /// Throughput at least `min` (0..1) of ideal scaling from the first point: per worker on a worker axis,
    /// absolute otherwise.
    pub fn throughput_efficiency(min: f64) -> Self {
        Self::new(Measure::ThroughputEfficiency, min..)
    }
    /// Memory per item of prepared state at most `bytes`: RSS growth while preparing a size, over the size.
    pub fn memory_per_item(bytes: f64) -> Self {
        Self::new(Measure::MemoryPerItem, ..=bytes)
    }
    /// Memory growth per operation of sustained work at most `bytes`: the least-squares slope of RSS against
    /// operations completed over a point's repetitions (which run one after another on the same state).
    /// RSS moves in pages, so the point needs at least `4096 / bytes` operations to be judged.
    ///
    /// ```
    /// use scale_props::prelude::*;
    /// let kept = std::sync::Mutex::new(Vec::<Box<[u8; 1024]>>::new());
    /// let curve = Experiment::new("memory.growth").repetitions(3).ops(4_000)
    ///     .claim(Budget::memory_growth_per_op(1_000_000.0))
    ///     .op(|_: &(), _| kept.lock().map(|mut v| v.push(Box::new([1; 1024]))).is_ok())
    ///     .run()?;
    /// let v = &curve.verdicts()[0];
    /// assert!(v.holds() || v.judgement.measured == "-", "{v}"); // holds, or no RSS on this platform
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    pub fn memory_growth_per_op(bytes: f64) -> Self {
        Self::new(Measure::MemoryGrowthPerOp, ..=bytes)
    }
    /// Median CPU utilisation, as a fraction of all the machine's cores (1.0: every core busy the whole
    /// run), within `range` at every point (e.g. `..=0.5`, or `0.9..` for work that should use every core).
    pub fn cpu_utilisation(range: impl RangeBounds<f64>) -> Self {
        Self::new(Measure::Cpu, range)
    }
    /// Work counter `name` (reported by the target with `ctx.count(name, n)`) per completed operation within
    /// `range` at every point. A counter the target never reported cannot be judged: report zero as
    /// `ctx.count(name, 0)`.
    ///
    /// ```
    /// use scale_props::prelude::*;
    /// let c = Experiment::new("rows.doc").op(|_: &(), ctx| ctx.count("rows", 3)).ops(10).run()?;
    /// assert!(c.check(Budget::work_per_op("rows", ..=3.0)).is_ok());
    /// assert!(c.check(Budget::work_per_op("rows", 4.0..)).is_err());
    /// assert!(c.check(Budget::work_per_op("pages", ..=1.0)).is_err(), "never reported: not judged");
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    pub fn work_per_op(name: &str, range: impl RangeBounds<f64>) -> Self {
        Self::new(Measure::Work(name.to_owned()), range)
    }
    /// Bytes written per operation within `range`, from the work counter [`BYTES_WRITTEN`] the target
    /// reports (what it asked the store to write; the OS view is in the report rows).
    pub fn bytes_written_per_op(range: impl RangeBounds<f64>) -> Self {
        Self::work_per_op(BYTES_WRITTEN, range)
    }
    /// fsyncs (or commits) per operation within `range`, from the work counter [`FSYNCS`] the target
    /// reports: `1.0..=1.0` claims exactly one durable write per operation, `..=0.01` group commit.
    pub fn fsyncs_per_op(range: impl RangeBounds<f64>) -> Self {
        Self::work_per_op(FSYNCS, range)
    }

    /// What is measured, for bounds and messages.
    fn what(&self) -> String {
        match &self.measure {
            Measure::P99 => "p99".to_owned(),
            Measure::ErrorRate => "error rate".to_owned(),
            Measure::ThroughputEfficiency => "throughput efficiency".to_owned(),
            Measure::MemoryPerItem => "memory per item".to_owned(),
            Measure::MemoryGrowthPerOp => "memory growth per op".to_owned(),
            Measure::Cpu => "CPU utilisation".to_owned(),
            Measure::Work(name) => format!("`{name}` per op"),
        }
    }

    /// A value of the measure with its unit.
    fn show(&self, v: f64) -> String {
        match self.measure {
            Measure::P99 => format!("{:.1} us", v / 1e3),
            Measure::ErrorRate => format!("{v:.4}"),
            Measure::ThroughputEfficiency => format!("{v:.2}"),
            Measure::MemoryPerItem | Measure::MemoryGrowthPerOp => format!("{v:.1} B"),
            Measure::Cpu => format!("{:.1}% of all cores", v * 100.0),
            Measure::Work(_) => format!("{v:.3}"),
        }
    }

    /// The bound, as text (e.g. `p99 <= 1000.0 us at every point`).
    ///
    /// ```
    /// assert_eq!(scale_props::Budget::fsyncs_per_op(1.0..=1.0).bound(), "1.000 <= `fsyncs` per op <= 1.000 at every point");
    /// ```
    pub fn bound(&self) -> String {
        let mut t = String::new();
        match self.low {
            Bound::Included(l) => {
                let _ = write!(t, "{} <= ", self.show(l));
            }
            Bound::Excluded(l) => {
                let _ = write!(t, "{} < ", self.show(l));
            }
            Bound::Unbounded => {}
        }
        t.push_str(&self.what());
        match self.high {
            Bound::Included(h) => {
                let _ = write!(t, " <= {}", self.show(h));
            }
            Bound::Excluded(h) => {
                let _ = write!(t, " < {}", self.show(h));
            }
            Bound::Unbounded => {}
        }
        let at = if self.measure == Measure::MemoryPerItem {
            "size"
        } else {
            "point"
        };
        format!("{t} at every {at}")
    }

    /// Whether a measured value is within the budget.
    fn within(&self, v: f64) -> bool {
        let low = match self.low {
            Bound::Included(l) => v >= l,
            Bound::Excluded(l) => v > l,
            Bound::Unbounded => true,
        };
        let high = match self.high {
            Bound::Included(h) => v <= h,
            Bound::Excluded(h) => v < h,
            Bound::Unbounded => true,
        };
        low && high && !v.is_nan()
    }

    /// The budget's measure at point `index` of `curve`, or why it cannot be measured there.
    fn measure(&self, curve: &Curve, index: usize) -> Result<f64, String> {
        let Some(p) = curve.points.get(index) else {
            return Err(format!("no point {index}"));
        };
        if p.total_completed() == 0 && self.measure != Measure::MemoryPerItem {
            return Err("no operation completed".to_owned());
        }
        match &self.measure {
            Measure::P99 => p.median_latency_ns(0.99).map_err(|e| e.to_string()),
            Measure::ErrorRate => Ok(p.error_rate()),
            Measure::ThroughputEfficiency => {
                let per = |q: &Point| {
                    let t = q.median_throughput();
                    if curve.axis == Axis::Workers {
                        t / q.phase.workers as f64
                    } else {
                        t
                    }
                };
                let base = curve.points.first().map_or(0.0, per);
                if base > 0.0 {
                    Ok(per(p) / base)
                } else {
                    Err("the first point has no throughput to compare with".to_owned())
                }
            }
            Measure::MemoryPerItem => curve
                .memory_per_item()
                .into_iter()
                .find(|(s, _)| *s == p.size)
                .and_then(|(_, m)| m)
                .ok_or_else(|| {
                    format!(
                        "memory per item unknown at size {} (RSS not reported)",
                        p.size
                    )
                }),
            Measure::MemoryGrowthPerOp => {
                let slope = rss_slope(p)?;
                if let Bound::Included(h) | Bound::Excluded(h) = self.high {
                    let need = (PAGE_BYTES / h.abs().max(f64::MIN_POSITIVE)).ceil();
                    if (p.total_completed() as f64) < need {
                        return Err(format!(
                            "{} operations cannot resolve {} per op: RSS moves in 4 KiB pages, so at \
                             least {need} operations are needed",
                            p.total_completed(),
                            self.show(h)
                        ));
                    }
                }
                Ok(slope)
            }
            Measure::Cpu => p
                .median_cpu_utilisation()
                .ok_or_else(|| "CPU time is not reported on this platform".to_owned()),
            Measure::Work(name) => {
                if p.work_names().iter().any(|n| n == name) {
                    Ok(p.work_per_op(name))
                } else {
                    Err(format!(
                        "the target never reported work counter `{name}` (count it with \
                         ctx.count(\"{name}\", n), zero included)"
                    ))
                }
            }
        }
    }

    /// Checks point `index` of `curve`.
    ///
    /// # Errors
    /// What was measured when the budget is exceeded, or why it could not be measured.
    pub fn check_point(&self, curve: &Curve, index: usize) -> Result<(), String> {
        let v = self.measure(curve, index)?;
        if self.within(v) {
            Ok(())
        } else {
            Err(format!("{} {}", self.what(), self.show(v)))
        }
    }
}

/// Least-squares slope of RSS against operations completed over a point's repetitions, bytes per operation:
/// (0, RSS before the first), then (operations so far, RSS after) for each repetition.
fn rss_slope(p: &Point) -> Result<f64, String> {
    let mut xy: Vec<(f64, f64)> = Vec::with_capacity(p.repetitions.len() + 1);
    let mut done = 0u64;
    for m in &p.repetitions {
        let Some(mem) = m.memory else {
            return Err("RSS is not reported on this platform".to_owned());
        };
        if xy.is_empty() {
            xy.push((0.0, mem.before as f64));
        }
        done += m.completed;
        xy.push((done as f64, mem.after as f64));
    }
    let n = xy.len() as f64;
    let (mx, my) = (
        xy.iter().map(|(x, _)| x).sum::<f64>() / n,
        xy.iter().map(|(_, y)| y).sum::<f64>() / n,
    );
    let sxx: f64 = xy.iter().map(|(x, _)| (x - mx) * (x - mx)).sum();
    let sxy: f64 = xy.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    if sxx > 0.0 {
        Ok(sxy / sxx)
    } else {
        Err("no operation completed".to_owned())
    }
}

impl Expectation for Budget {
    fn describe(&self) -> String {
        self.bound()
    }
    fn judge(&self, curve: &Curve, _: &Analysis) -> Judgement {
        let bound = self.bound();
        if curve.points.is_empty() {
            return Judgement::unjudged(bound, "the curve has no points");
        }
        let at = |i: usize| format!("at point {i} (x = {})", curve.points[i].x(curve.axis, i));
        let mut worst: Option<(usize, f64)> = None;
        for i in 0..curve.points.len() {
            let v = match self.measure(curve, i) {
                Ok(v) => v,
                Err(why) => return Judgement::unjudged(bound, format!("{}: {why}", at(i))),
            };
            if !self.within(v) {
                return Judgement::fails(format!("{} {}", self.show(v), at(i)), bound);
            }
            // The value closest to the bound so far: the largest, or the smallest for a lower bound only.
            let closer = |w: f64| match self.high {
                Bound::Unbounded => v < w,
                _ => v > w,
            };
            if worst.is_none_or(|(_, w)| closer(w)) {
                worst = Some((i, v));
            }
        }
        let (i, v) = worst.unwrap_or((0, 0.0));
        Judgement::holding(format!("worst {} {}", self.show(v), at(i)), bound)
    }
}

impl Curve {
    /// The first point (in load order) at which `budget` breaks, or `None` if it holds everywhere.
    pub fn breaking_point(&self, budget: &Budget) -> Option<BrokenStep> {
        let indices: Vec<usize> = (0..self.points.len()).collect();
        let index = first_failure(&indices, |i| budget.check_point(self, *i).is_ok())?;
        Some(BrokenStep {
            index,
            x: self.points[index].x(self.axis, index),
            reason: budget.check_point(self, index).err().unwrap_or_default(),
        })
    }
}
