//! Budgets per point (p99, error rate, throughput efficiency, memory per item) and the breaking point.

use std::time::Duration;

use super::{Expectation, Judgement};
use crate::digest::Analysis;
use crate::fit::first_failure;
use crate::measure::{Axis, Curve};

/// A budget every point must meet; the first point that does not is the breaking point.
///
/// ```
/// use std::time::Duration;
/// use scale_props::{Budget, Experiment};
/// let curve = Experiment::new("budget.doc").workers([1, 2]).op(|_: &(), _| ()).ops(1_000).run()?;
/// curve.check(Budget::p99(Duration::from_secs(1)))?;
/// assert!(curve.breaking_point(&Budget::p99(Duration::from_secs(1))).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Budget {
    /// Median p99 latency at most this.
    P99(Duration),
    /// Errors / completed at most this.
    ErrorRate(f64),
    /// Throughput at least this fraction of ideal scaling from the first point (per worker on a worker
    /// axis, absolute otherwise).
    ThroughputEfficiency(f64),
    /// RSS growth while preparing the state, per item, at most this many bytes.
    MemoryPerItem(f64),
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
    /// Median p99 at most `d`.
    pub fn p99(d: Duration) -> Self {
        Self::P99(d)
    }
    /// Error rate at most `r`.
    pub fn error_rate(r: f64) -> Self {
        Self::ErrorRate(r)
    }
    /// Throughput efficiency at least `min` (0..1).
    pub fn throughput_efficiency(min: f64) -> Self {
        Self::ThroughputEfficiency(min)
    }
    /// Memory per item at most `bytes`.
    pub fn memory_per_item(bytes: f64) -> Self {
        Self::MemoryPerItem(bytes)
    }

    /// The bound, as text (e.g. `p99 <= 1ms`).
    pub fn bound(&self) -> String {
        match self {
            Self::P99(d) => format!("p99 <= {d:?} at every point"),
            Self::ErrorRate(r) => format!("error rate <= {r} at every point"),
            Self::ThroughputEfficiency(m) => format!("throughput efficiency >= {m} at every point"),
            Self::MemoryPerItem(b) => format!("memory per item <= {b} B at every size"),
        }
    }

    /// The budget's measure at point `index` of `curve`, or why it cannot be measured there.
    fn measure(&self, curve: &Curve, index: usize) -> Result<f64, String> {
        let Some(p) = curve.points.get(index) else {
            return Err(format!("no point {index}"));
        };
        match *self {
            Self::P99(_) => p
                .median_latency_ns(0.99)
                .filter(|_| p.total_completed() > 0)
                .ok_or_else(|| "no operation completed".to_owned()),
            Self::ErrorRate(_) => Ok(p.error_rate()),
            Self::ThroughputEfficiency(_) => {
                let per = |q: &crate::measure::Point| {
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
            Self::MemoryPerItem(_) => curve
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
        }
    }

    /// Whether a measured value meets the budget.
    fn within(&self, v: f64) -> bool {
        match *self {
            Self::P99(d) => v <= d.as_nanos() as f64,
            Self::ErrorRate(r) => v <= r,
            Self::ThroughputEfficiency(min) => v >= min,
            Self::MemoryPerItem(max) => v <= max,
        }
    }

    /// A measured value as text.
    fn show(&self, v: f64) -> String {
        match self {
            Self::P99(_) => format!("p99 {:.1} us", v / 1e3),
            Self::ErrorRate(_) => format!("error rate {v:.4}"),
            Self::ThroughputEfficiency(_) => format!("throughput efficiency {v:.2}"),
            Self::MemoryPerItem(_) => format!("memory per item {v:.1} B"),
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
            Err(format!("{} against {}", self.show(v), self.bound()))
        }
    }
}

impl Expectation for Budget {
    fn describe(&self) -> String {
        match self {
            Self::P99(d) => format!("p99 at most {d:?} at every point"),
            Self::ErrorRate(r) => format!("error rate at most {r} at every point"),
            Self::ThroughputEfficiency(m) => {
                format!("throughput efficiency at least {m} at every point")
            }
            Self::MemoryPerItem(b) => format!("memory per item at most {b} bytes at every size"),
        }
    }
    fn judge(&self, curve: &Curve, _: &Analysis) -> Judgement {
        let bound = self.bound();
        if curve.points.is_empty() {
            return Judgement::unjudged(bound, "the curve has no points");
        }
        let mut worst: Option<(usize, f64)> = None;
        for i in 0..curve.points.len() {
            let v = match self.measure(curve, i) {
                Ok(v) => v,
                Err(why) => {
                    let x = curve.points[i].x(curve.axis, i);
                    return Judgement::unjudged(bound, format!("at point {i} (x = {x}): {why}"));
                }
            };
            if !self.within(v) {
                let x = curve.points[i].x(curve.axis, i);
                return Judgement::fails(format!("{} at point {i} (x = {x})", self.show(v)), bound);
            }
            // The value closest to the bound so far: the largest, or the smallest for a lower bound.
            let closer = |w: f64| match self {
                Self::ThroughputEfficiency(_) => v < w,
                _ => v > w,
            };
            if worst.is_none_or(|(_, w)| closer(w)) {
                worst = Some((i, v));
            }
        }
        let (i, v) = worst.unwrap_or((0, 0.0));
        let x = curve.points[i].x(curve.axis, i);
        Judgement::holding(
            format!("worst {} at point {i} (x = {x})", self.show(v)),
            bound,
        )
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
