//! One table row per point: the CSV/Markdown columns, as numbers computed before any formatting.

use serde::{Deserialize, Serialize};

use crate::measure::Point;
use crate::run::probe::DiskIo;

/// Whether a point ran clean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Every scheduled operation ran without error.
    Pass,
    /// Some operation failed, was dropped, or was cut by the time bound.
    Fail,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
        })
    }
}

/// The report row of one point (medians over repetitions).
///
/// ```
/// use scale_props::digest::{Row, Status};
/// let c = scale_props::Experiment::new("row").op(|_: &(), ctx| ctx.i > 0).ops(4).run()?;
/// let row = Row::of(&c.id, &c.points[0]);
/// assert_eq!((row.errors, row.success_rate_pct, row.status), (1, 75.0, Status::Fail));
/// # Ok::<(), scale_props::RunError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// `id[size=..,phase]`.
    pub test_name: String,
    /// State size.
    pub size: u64,
    /// Phase name.
    pub phase: String,
    /// Workers.
    pub workers: usize,
    /// Median wall time, ms.
    pub duration_ms: f64,
    /// Median throughput, operations per second.
    pub throughput: f64,
    /// Peak RSS, MB.
    pub memory_mb: Option<f64>,
    /// `100 * (1 - error rate)`.
    pub success_rate_pct: f64,
    /// Median p50, microseconds.
    pub p50_us: f64,
    /// Median p95, microseconds.
    pub p95_us: f64,
    /// Median p99, microseconds.
    pub p99_us: f64,
    /// Median p99.9, microseconds.
    pub p999_us: f64,
    /// Median max, microseconds.
    pub max_us: f64,
    /// Errors over all repetitions.
    pub errors: u64,
    /// Dropped operations over all repetitions.
    pub dropped: u64,
    /// Median CPU utilisation per core (0..1).
    pub cpu_per_core: Option<f64>,
    /// Disk bytes read and written (first repetition), if available.
    pub disk_read_write: Option<(u64, u64)>,
    /// Allocations and bytes per operation.
    pub allocs_per_op: Option<(f64, f64)>,
    /// Work counters per operation.
    pub work_per_op: Vec<(String, f64)>,
    /// Pass or fail.
    pub status: Status,
}

impl Row {
    /// The row of a point in experiment `id`.
    pub fn of(id: &str, p: &Point) -> Self {
        let us = |q: f64| p.median_latency_ns(q).unwrap_or(0.0) / 1_000.0;
        let unfinished: u64 = p.repetitions.iter().map(|m| m.unfinished).sum();
        let clean = p.total_errors() == 0 && p.total_dropped() == 0 && unfinished == 0;
        Self {
            test_name: format!("{id}[size={},{}]", p.size, p.phase.name),
            size: p.size,
            phase: p.phase.name.clone(),
            workers: p.phase.workers,
            duration_ms: p.median_wall().as_secs_f64() * 1_000.0,
            throughput: p.median_throughput(),
            memory_mb: p.peak_rss().map(|b| b as f64 / (1024.0 * 1024.0)),
            success_rate_pct: 100.0 * (1.0 - p.error_rate()),
            p50_us: us(0.5),
            p95_us: us(0.95),
            p99_us: us(0.99),
            p999_us: us(0.999),
            max_us: us(1.0),
            errors: p.total_errors(),
            dropped: p.total_dropped(),
            cpu_per_core: p.median_cpu_utilisation(),
            disk_read_write: p.repetitions.first().and_then(|m| match m.io {
                DiskIo::Bytes { read, written } => Some((read, written)),
                DiskIo::Unavailable => None,
            }),
            allocs_per_op: p.allocations_per_op(),
            work_per_op: p
                .work_names()
                .into_iter()
                .map(|n| (n.clone(), p.work_per_op(&n)))
                .collect(),
            status: if clean { Status::Pass } else { Status::Fail },
        }
    }
}
