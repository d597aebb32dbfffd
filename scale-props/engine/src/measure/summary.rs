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
}

/// Why a latency quantile cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum QuantileError {
    /// Occurs when the quantile is not in [0, 1] (or is NaN).
    #[error("quantile {0} is outside [0, 1]")]
    OutOfRange(f64),
    /// Occurs when no latency was recorded (nothing completed).
    #[error("no latency was recorded")]
    Empty,
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
    /// The latency histogram as recorded: (value in ns, the highest equivalent value of its HDR bucket;
    /// count), ascending. Any quantile is read from it ([`Measure::latency_at`]).
    pub recorded: Vec<(u64, u64)>,
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
    /// Time the workers spent runnable but waiting for a CPU, summed over workers (Linux run-queue delay):
    /// how much other work kept this run off the CPUs. `None` where the kernel does not report it.
    #[serde(default)]
    pub cpu_wait: Option<Duration>,
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
    /// The latency at `quantile` in [0, 1], ns, read from the recorded histogram the way HDR histograms read
    /// it: the smallest recorded value with at least `ceil(quantile * count)` values at or below it (`0.0` is
    /// the smallest value, `1.0` the largest).
    ///
    /// # Errors
    /// [`QuantileError::OutOfRange`] outside [0, 1]; [`QuantileError::Empty`] when nothing was recorded.
    ///
    /// ```
    /// use scale_props::measure::QuantileError;
    /// let c = scale_props::Experiment::new("q").batching(false).ops(1_000).op(|_: &(), _| ()).run()?;
    /// let m = &c.points[0].repetitions[0];
    /// let (p10, p50, p999) = (m.latency_at(0.1)?, m.latency_at(0.5)?, m.latency_at(0.999)?);
    /// assert!(p10 <= p50 && p50 <= p999 && p50 == m.latency.p50);
    /// assert_eq!(m.latency_at(1.5), Err(QuantileError::OutOfRange(1.5)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn latency_at(&self, quantile: f64) -> Result<u64, QuantileError> {
        if !(0.0..=1.0).contains(&quantile) {
            return Err(QuantileError::OutOfRange(quantile));
        }
        let total: u64 = self.recorded.iter().map(|(_, n)| n).sum();
        if total == 0 {
            return Err(QuantileError::Empty);
        }
        let target = ((quantile * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0u64;
        for (value, count) in &self.recorded {
            seen += count;
            if seen >= target {
                return Ok(*value);
            }
        }
        Ok(self.recorded.last().map_or(0, |(v, _)| *v))
    }

    /// The workers' wait for a CPU over the wall time: the average number of this run's threads that were
    /// runnable but not running (0 on a machine with CPUs to spare; `None` where not measured). Cost: O(1).
    pub fn cpu_wait_share(&self) -> Option<f64> {
        let wall = self.wall.as_secs_f64();
        self.cpu_wait
            .filter(|_| wall > 0.0)
            .map(|w| w.as_secs_f64() / wall)
    }

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
            recorded: r
                .latency_ns
                .iter_recorded()
                .map(|v| (v.value_iterated_to(), v.count_at_value()))
                .collect(),
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
            cpu_wait: r.cpu_wait,
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

    fn measure_of(h: &Histogram<u64>) -> Measure {
        Measure {
            scheduled: 0,
            completed: h.len(),
            errors: BTreeMap::new(),
            dropped: 0,
            unfinished: 0,
            wall: Duration::ZERO,
            latency: Latency::from_histogram(h),
            recorded: h
                .iter_recorded()
                .map(|v| (v.value_iterated_to(), v.count_at_value()))
                .collect(),
            mean_op_ns: 0.0,
            throughput: 0.0,
            error_rate: 0.0,
            memory: None,
            cpu: None,
            io: DiskIo::Unavailable,
            cpu_wait: None,
            allocations: None,
            work: BTreeMap::new(),
            max_batch: 1,
            timeline: Vec::new(),
        }
    }

    /// Failed before: every quantile snapped to one of six fixed points (0.1 read the p50).
    #[test]
    fn any_quantile_is_read_from_the_histogram_as_hdr_reads_it()
    -> Result<(), Box<dyn std::error::Error>> {
        let mut h = Histogram::<u64>::new_with_bounds(1, 3_600_000_000_000, 3)?;
        for v in 1..=10_000u64 {
            h.record(v * 37 % 100_003 + 1)?;
        }
        let m = measure_of(&h);
        for q in [
            0.0, 0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.97, 0.99, 0.999, 0.9999, 1.0,
        ] {
            assert_eq!(m.latency_at(q)?, h.value_at_quantile(q), "quantile {q}");
        }
        assert!(m.latency_at(0.1)? < m.latency_at(0.5)?);
        assert_eq!(m.latency_at(-0.1), Err(QuantileError::OutOfRange(-0.1)));
        assert!(matches!(
            m.latency_at(f64::NAN),
            Err(QuantileError::OutOfRange(_))
        ));
        let empty = measure_of(&Histogram::<u64>::new_with_bounds(1, 1_000, 3)?);
        assert_eq!(empty.latency_at(0.5), Err(QuantileError::Empty));
        Ok(())
    }
}
