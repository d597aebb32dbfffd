//! The answers of the report, computed once from the runs into plain values.

use std::time::Duration;

use audit_system::Durability;
use scale_props::measure::{Axis, Point};
use scale_props::{Budget, Curve};
use serde::Serialize;

use super::concurrency::{ConcurrencyRow, concurrency_rows};
use super::cpu::{CpuFinding, cpu_findings};
use super::memory::{DiskRow, MemoryRow, disk_rows, memory_rows};
use super::side_by_side::SideBySide;
use super::stages::Stages;
use crate::stepped::{StepBudget, StepOutcome};
use crate::suites::{audit, evolution, firewall, hitl, load, love, pipeline, stress};
use crate::{RunCase, Scale, Topic};

/// How one size curve scales.
#[derive(Debug, Clone, Serialize)]
pub struct ScalingRow {
    /// Experiment id.
    pub id: String,
    /// Component.
    pub component: String,
    /// Sizes, smallest and largest.
    pub sizes: (u64, u64),
    /// Median p50 time per operation at the smallest and largest size, microseconds.
    pub op_us: (f64, f64),
    /// Log-log exponent of time against size.
    pub exponent: Option<f64>,
    /// Its wide bin (`flat`, `linear`, ...).
    pub time_class: Option<String>,
    /// Complexity classes fitted from deterministic work counters, e.g. `nodes_read O(log n)`.
    pub work_classes: Vec<String>,
    /// Latency at 10x the size over latency at 1x (geometric mean per decade).
    pub factor_per_decade: Option<f64>,
    /// Verdict of the earlier analysis rule: ideal (< 1.2), good (< 2), acceptable (< 10), poor.
    pub rating: String,
    /// Single-worker throughput at the largest size, ops/s.
    pub ops_per_sec_at_largest: f64,
}

fn rating(factor: f64) -> &'static str {
    if factor < 1.2 {
        "ideal"
    } else if factor < 2.0 {
        "good"
    } else if factor < 10.0 {
        "acceptable"
    } else {
        "poor"
    }
}

impl ScalingRow {
    /// The scaling row of a size curve (`None` for other curves).
    pub fn of(run: &RunCase) -> Option<Self> {
        let c = &run.curve;
        if c.axis != Axis::Size || c.points.len() < 2 || run.topic != Topic::ComponentScaling {
            return None;
        }
        let first = c.points.first()?;
        let last = c.points.last()?;
        let analysis = c.analysis();
        let fits = analysis.fits.phases.first();
        let (t0, t1) = (first.median_p50_ns(), last.median_p50_ns());
        let decades = (last.size as f64 / first.size as f64).log10();
        let factor = (t0 > 0.0 && decades > 0.0).then(|| (t1 / t0).powf(1.0 / decades));
        Some(Self {
            id: c.id.clone(),
            component: run.component.to_owned(),
            sizes: (first.size, last.size),
            op_us: (t0 / 1_000.0, t1 / 1_000.0),
            exponent: fits.and_then(|f| f.time.as_ref()).map(|t| t.exponent),
            time_class: fits
                .and_then(|f| f.time.as_ref())
                .map(|t| t.verdict.to_string()),
            work_classes: fits
                .map(|f| {
                    f.work
                        .iter()
                        .map(|(k, v)| format!("{k} {}", v.best.notation()))
                        .collect()
                })
                .unwrap_or_default(),
            factor_per_decade: factor,
            rating: factor.map_or("-", rating).to_owned(),
            ops_per_sec_at_largest: if t1 > 0.0 { 1e9 / t1 } else { 0.0 },
        })
    }
}

/// Which point of a curve a safety margin is read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum At {
    /// The smallest size (a typical input).
    Smallest,
    /// The largest size (the most state).
    Largest,
    /// The point of highest throughput (a worker sweep's best level).
    Best,
}

/// A throughput target of the earlier specification and the curve it is read on.
#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    /// Component.
    pub component: &'static str,
    /// Curve id.
    pub id: String,
    /// Which point.
    pub at: At,
    /// Target, ops/s.
    pub target: f64,
}

/// The earlier specification's throughput targets: firewall > 10K/s, love engine > 5K/s, evolution > 20K/s,
/// audit > 2K/s (at both durabilities), HITL > 10K/s, full workflow > 500/s.
pub fn references() -> Vec<Reference> {
    let r = |component, id: &str, at, target| Reference {
        component,
        id: id.to_owned(),
        at,
        target,
    };
    vec![
        r("firewall", firewall::VALIDATE, At::Largest, 10_000.0),
        r("love", love::ETHICS, At::Smallest, 5_000.0),
        r("evolution", evolution::LOG, At::Largest, 20_000.0),
        r(
            "audit",
            &audit::writers_id(Durability::ProcessCrash),
            At::Best,
            2_000.0,
        ),
        r(
            "audit",
            &audit::writers_id(Durability::PowerLoss),
            At::Best,
            2_000.0,
        ),
        r("hitl", hitl::REQUEST, At::Largest, 10_000.0),
        r(
            "pipeline",
            &pipeline::workers_id(Durability::ProcessCrash),
            At::Best,
            500.0,
        ),
        r(
            "pipeline",
            &pipeline::workers_id(Durability::PowerLoss),
            At::Best,
            500.0,
        ),
    ]
}

/// A margin: measured throughput over the earlier target.
#[derive(Debug, Clone, Serialize)]
pub struct Margin {
    /// The target it is read against.
    pub reference: Reference,
    /// Size and workers of the point read.
    pub at: (u64, usize),
    /// Measured ops/s.
    pub measured: f64,
    /// measured / target.
    pub margin: f64,
}

/// The smallest worker count whose USL-fitted throughput reaches `target`, if any up to 1 024.
pub fn workers_for(usl: &scale_props::fit::UslFit, target: f64) -> Option<u32> {
    (1..=1_024u32).find(|n| usl.throughput(f64::from(*n)) >= target)
}

/// The best throughput of a worker sweep, the USL fit and the workers (cores) needed for target rates.
#[derive(Debug, Clone, Serialize)]
pub struct Capacity {
    /// Curve id.
    pub id: String,
    /// What one operation is (`screenings`, `workflows`).
    pub unit: &'static str,
    /// Best measured throughput and the workers it was measured at.
    pub best: Option<(f64, usize)>,
    /// Knee: workers and throughput where growth stops.
    pub knee: Option<(f64, f64)>,
    /// The USL fit's first line, or why it could not be fitted.
    pub usl: Result<String, String>,
    /// (target ops/s, workers needed per the USL or `None` when adding workers cannot reach it).
    pub cores_for: Vec<(f64, Option<u32>)>,
}

/// A stepped throughput search's result.
#[derive(Debug, Clone, Serialize)]
pub struct StressOutcome {
    /// Curve id.
    pub id: String,
    /// The breaking point, or "not reached within the run's bound", or why it could not be read.
    pub outcome: String,
}

/// Every answer of the report, computed once.
#[derive(Debug, Clone, Serialize)]
pub struct Answers {
    /// Logical CPUs of the machine.
    pub cores: usize,
    /// Curves in the run.
    pub curves: usize,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// How each component scales.
    pub scaling: Vec<ScalingRow>,
    /// Per-stage costs of a workflow and the bottleneck.
    pub stages: Stages,
    /// CPU-bound or waiting, per worker sweep.
    pub cpu: Vec<CpuFinding>,
    /// Bytes per item.
    pub memory: Vec<MemoryRow>,
    /// Disk writes per appended entry.
    pub disk: Vec<DiskRow>,
    /// Screening and pipeline capacity.
    pub capacity: Vec<Capacity>,
    /// Most concurrent users within p99 <= 100 ms and no errors.
    pub max_users: Option<String>,
    /// Margins against the earlier targets.
    pub margins: Vec<Margin>,
    /// Stepped throughput outcomes.
    pub stress: Vec<StressOutcome>,
    /// Throughput per level, gain at two workers and USL verdict of each concurrency sweep.
    pub concurrency: Vec<ConcurrencyRow>,
    /// SQLite and PostgreSQL side by side, when the run measured PostgreSQL.
    pub side_by_side: Option<SideBySide>,
}

pub(super) fn find<'a>(runs: &'a [RunCase], id: &str) -> Option<&'a Curve> {
    runs.iter().map(|r| &r.curve).find(|c| c.id == id)
}

pub(super) fn max_throughput(c: &Curve) -> Option<(&Point, f64)> {
    c.points
        .iter()
        .map(|p| (p, p.median_throughput()))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// The first line of a curve's USL fit (verdict, parameters, goodness), or why it could not be fitted.
pub(super) fn usl_line(c: &Curve) -> Result<String, String> {
    c.usl()
        .map(|u| u.fit.to_string().lines().next().unwrap_or("").to_owned())
        .map_err(|e| e.to_string())
}

fn capacity(c: &Curve, unit: &'static str, targets: &[f64]) -> Capacity {
    let usl = c.usl();
    Capacity {
        id: c.id.clone(),
        unit,
        best: max_throughput(c).map(|(p, x)| (x, p.phase.workers)),
        knee: c.knee().map(|k| (k.load, k.throughput)),
        usl: usl_line(c),
        cores_for: targets
            .iter()
            .map(|t| (*t, usl.as_ref().ok().and_then(|u| workers_for(&u.fit, *t))))
            .collect(),
    }
}

fn max_users(c: &Curve) -> String {
    let budget = Duration::from_millis(100);
    let broken = c.breaking_point(&Budget::p99(budget));
    let max_ok = match &broken {
        Some(b) => c.points[..b.index]
            .iter()
            .filter(|p| p.total_errors() == 0)
            .map(|p| p.phase.workers)
            .max(),
        None => c
            .points
            .iter()
            .filter(|p| p.total_errors() == 0)
            .map(|p| p.phase.workers)
            .max(),
    };
    format!(
        "{} with p99 <= {} ms and no errors{}",
        max_ok.map_or_else(|| "none".to_owned(), |n| n.to_string()),
        budget.as_millis(),
        broken.map_or_else(
            || " (the budget held at every level measured)".to_owned(),
            |b| format!(" (first broken: {})", b.reason)
        )
    )
}

fn margins(runs: &[RunCase]) -> Vec<Margin> {
    references()
        .into_iter()
        .filter_map(|r| {
            let c = find(runs, &r.id)?;
            let (p, x) = match r.at {
                At::Smallest => c.points.first().map(|p| (p, p.median_throughput()))?,
                At::Largest => c.points.last().map(|p| (p, p.median_throughput()))?,
                At::Best => max_throughput(c)?,
            };
            Some(Margin {
                at: (p.size, p.phase.workers),
                measured: x,
                margin: x / r.target,
                reference: r,
            })
        })
        .collect()
}

/// The stepped-throughput budget a search ran with, from its case.
fn stress_outcomes(runs: &[RunCase], scale: Scale) -> Vec<StressOutcome> {
    runs.iter()
        .filter(|r| r.topic == Topic::StressThroughput)
        .map(|r| StressOutcome {
            id: r.curve.id.clone(),
            outcome: stress::throughput::budget_of(&r.curve.id, scale).map_or_else(
                || "could not be judged: no budget is known for this search".to_owned(),
                |b: StepBudget| {
                    StepOutcome::of(&r.curve, &b).map_or_else(
                        || "could not be judged: the search has no open-model steps".to_owned(),
                        |o| o.to_string(),
                    )
                },
            ),
        })
        .collect()
}

impl Answers {
    /// Computes every answer from `runs` (one main-job run at `scale`) that took `elapsed`.
    pub fn of(runs: &[RunCase], scale: Scale, elapsed: Duration) -> Self {
        let mut capacity_rows = Vec::new();
        if let Some(c) = find(runs, load::MAX_THROUGHPUT) {
            capacity_rows.push(capacity(
                c,
                "screenings",
                &[5_000.0, 500_000.0, 1_000_000.0, 2_000_000.0],
            ));
        }
        for d in [Durability::ProcessCrash, Durability::PowerLoss] {
            if let Some(c) = find(runs, &pipeline::workers_id(d)) {
                capacity_rows.push(capacity(
                    c,
                    "workflows",
                    &[500.0, 5_000.0, 10_000.0, 20_000.0],
                ));
            }
        }
        Self {
            cores: runs.first().map_or(1, |r| r.curve.cores),
            curves: runs.len(),
            elapsed,
            scaling: runs.iter().filter_map(ScalingRow::of).collect(),
            stages: Stages::of(runs),
            cpu: cpu_findings(runs),
            memory: memory_rows(runs),
            disk: disk_rows(runs),
            capacity: capacity_rows,
            max_users: find(runs, load::MAX_USERS).map(max_users),
            margins: margins(runs),
            stress: stress_outcomes(runs, scale),
            concurrency: concurrency_rows(runs),
            side_by_side: SideBySide::of(runs),
        }
    }
}
