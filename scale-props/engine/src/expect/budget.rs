//! Budgets per point (p99, error rate, throughput efficiency, memory per item) and the breaking point.

use std::time::Duration;

use super::Expectation;
use crate::digest::Analysis;
use crate::fit::first_failure;
use crate::measure::{Axis, Curve};

/// A budget every point must meet; the first point that does not is the breaking point.
///
/// ```
/// use std::time::Duration;
/// use scale_props::{Budget, Experiment};
/// let curve = Experiment::new("budget.doc").workers([1, 2]).op(|_: &(), _| ()).ops(1_000).run()?;
/// curve.expect(Budget::p99(Duration::from_secs(1)))?;
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

    /// Checks point `index` of `curve`.
    ///
    /// # Errors
    /// What was measured, when the budget is exceeded.
    pub fn check_point(&self, curve: &Curve, index: usize) -> Result<(), String> {
        let Some(p) = curve.points.get(index) else {
            return Err(format!("no point {index}"));
        };
        match *self {
            Self::P99(d) => {
                let p99 = p.median_latency_ns(0.99).unwrap_or(0.0);
                let limit = d.as_nanos() as f64;
                if p99 > limit {
                    Err(format!("p99 {:.1} us > {:.1} us", p99 / 1e3, limit / 1e3))
                } else {
                    Ok(())
                }
            }
            Self::ErrorRate(r) => {
                let rate = p.error_rate();
                if rate > r {
                    Err(format!("error rate {rate:.4} > {r}"))
                } else {
                    Ok(())
                }
            }
            Self::ThroughputEfficiency(min) => {
                let Some(first) = curve.points.first() else {
                    return Ok(());
                };
                let per = |q: &crate::measure::Point| {
                    let t = q.median_throughput();
                    if curve.axis == Axis::Workers {
                        t / q.phase.workers as f64
                    } else {
                        t
                    }
                };
                let base = per(first);
                let eff = if base > 0.0 { per(p) / base } else { 0.0 };
                if eff < min {
                    Err(format!("throughput efficiency {eff:.2} < {min}"))
                } else {
                    Ok(())
                }
            }
            Self::MemoryPerItem(max) => {
                let per_item = curve
                    .memory_per_item()
                    .into_iter()
                    .find(|(s, _)| *s == p.size)
                    .and_then(|(_, m)| m);
                match per_item {
                    Some(m) if m > max => Err(format!("memory per item {m:.1} B > {max} B")),
                    Some(_) => Ok(()),
                    None => Err(format!(
                        "memory per item unknown at size {} (RSS not reported)",
                        p.size
                    )),
                }
            }
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
    fn check(&self, curve: &Curve, _: &Analysis) -> Result<(), String> {
        match curve.breaking_point(self) {
            None => Ok(()),
            Some(b) => Err(format!("at point {} (x = {}): {}", b.index, b.x, b.reason)),
        }
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
