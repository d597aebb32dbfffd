//! The summary of one run: every measure, computed once from a [`PhaseRecord`].

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::run::PhaseRecord;
use crate::run::probe::DiskIo;

/// Latency percentiles in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Latency {
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 95th percentile.
    pub p95: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// Largest.
    pub max: u64,
    /// Mean.
    pub mean: f64,
}

impl Latency {
    /// Percentiles of a histogram (all zero when it is empty).
    ///
    /// ```
    /// use scale_props::measure::Latency;
    /// let mut h = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 1_000_000, 3)?;
    /// for v in 1..=100 { h.record(v)?; }
    /// let l = Latency::from_histogram(&h);
    /// assert_eq!((l.p50, l.p99, l.max), (50, 99, 100));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_histogram(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Self::default();
        }
        Self {
            p50: h.value_at_quantile(0.50),
            p90: h.value_at_quantile(0.90),
            p95: h.value_at_quantile(0.95),
            p99: h.value_at_quantile(0.99),
            p999: h.value_at_quantile(0.999),
            max: h.max(),
            mean: h.mean(),
        }
    }

    /// The latency at `quantile` in [0, 1] of these fixed points, rounding up to the next reported one
    /// (0.5 -> p50, 0.9 -> p90, ..., above 0.999 -> max); `None` outside [0, 1].
    pub fn at_quantile(&self, quantile: f64) -> Option<u64> {
        if !(0.0..=1.0).contains(&quantile) {
            return None;
        }
        let steps = [
            (0.5, self.p50),
            (0.9, self.p90),
            (0.95, self.p95),
            (0.99, self.p99),
            (0.999, self.p999),
        ];
        Some(
            steps
                .iter()
                .find(|(q, _)| quantile <= *q)
                .map_or(self.max, |(_, v)| *v),
        )
    }
}

/// Resident memory over a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    /// RSS before the run, bytes.
    pub before: u64,
    /// RSS after the run, bytes.
    pub after: u64,
    /// Highest RSS sampled by the monitor thread, bytes.
    pub peak: u64,
    /// `(after - before) / completed operations`, bytes (may be negative).
    pub growth_per_op: f64,
}

/// CPU use over a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CpuUse {
    /// User CPU time.
    pub user: Duration,
    /// System CPU time.
    pub system: Duration,
    /// `(user + system) / (wall * cores)`: 1.0 means every core busy the whole run.
    pub utilisation_per_core: f64,
}

/// Allocations counted around operations by [`crate::CountingAllocator`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Allocations {
    /// Allocations in total.
    pub count: u64,
    /// Bytes asked for in total.
    pub bytes: u64,
    /// Allocations per completed operation.
    pub count_per_op: f64,
    /// Bytes per completed operation.
    pub bytes_per_op: f64,
}

/// Everything measured in one run of one phase at one size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// Operations scheduled.
    pub scheduled: u64,
    /// Operations that ran.
    pub completed: u64,
    /// Errors by kind.
    pub errors: BTreeMap<String, u64>,
    /// Open model: operations dropped for starting too late.
    pub dropped: u64,
    /// Operations cut by the time bound.
    pub unfinished: u64,
    /// Wall time.
    pub wall: Duration,
    /// Latency percentiles (open model: from scheduled start).
    pub latency: Latency,
    /// Mean time inside an operation, ns (busy time / completed).
    pub mean_op_ns: f64,
    /// Completed operations per second of wall time.
    pub throughput: f64,
    /// Errors / completed (0 when nothing completed).
    pub error_rate: f64,
    /// Resident memory, where available.
    pub memory: Option<Memory>,
    /// CPU use, where available.
    pub cpu: Option<CpuUse>,
    /// Disk I/O.
    pub io: DiskIo,
    /// Allocations, when the counting allocator is installed.
    pub allocations: Option<Allocations>,
    /// Work counters (totals), by name.
    pub work: BTreeMap<String, u64>,
    /// Largest batch timed together.
    pub max_batch: u64,
    /// (start offset, latency) ns per timed batch, recovery phases only.
    pub timeline: Vec<(u64, u64)>,
}

impl Measure {
    /// Summarises one record; `cores` is the number of logical CPUs.
    ///
    /// Cost: O(histogram buckets + timeline).
    pub fn from_record(r: &PhaseRecord, cores: usize) -> Self {
        let completed = r.completed;
        let per_op = |x: f64| {
            if completed == 0 {
                0.0
            } else {
                x / completed as f64
            }
        };
        let secs = r.wall.as_secs_f64();
        let error_total: u64 = r.errors.values().sum();
        Self {
            scheduled: r.phase.ops,
            completed,
            errors: r.errors.clone(),
            dropped: r.dropped,
            unfinished: r.unfinished,
            wall: r.wall,
            latency: Latency::from_histogram(&r.latency_ns),
            mean_op_ns: per_op(r.busy_ns as f64),
            throughput: if secs > 0.0 {
                completed as f64 / secs
            } else {
                0.0
            },
            error_rate: per_op(error_total as f64),
            memory: r.rss.map(|(before, after, peak)| Memory {
                before,
                after,
                peak,
                growth_per_op: per_op(after as f64 - before as f64),
            }),
            cpu: r.cpu.map(|c| CpuUse {
                user: c.user,
                system: c.system,
                utilisation_per_core: if secs > 0.0 {
                    c.total().as_secs_f64() / (secs * cores.max(1) as f64)
                } else {
                    0.0
                },
            }),
            io: r.io,
            allocations: r.allocations.map(|(count, bytes)| Allocations {
                count,
                bytes,
                count_per_op: per_op(count as f64),
                bytes_per_op: per_op(bytes as f64),
            }),
            work: r.work.clone(),
            max_batch: r.max_batch,
            timeline: r.timeline.clone(),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn quantiles_outside_zero_one_are_refused() {
        let l = Latency {
            p50: 1,
            p90: 2,
            p95: 3,
            p99: 4,
            p999: 5,
            max: 6,
            mean: 2.0,
        };
        assert_eq!(l.at_quantile(0.5), Some(1));
        assert_eq!(l.at_quantile(0.97), Some(4));
        assert_eq!(l.at_quantile(1.0), Some(6));
        assert_eq!(l.at_quantile(1.5), None);
        assert_eq!(l.at_quantile(-0.1), None);
    }
}
