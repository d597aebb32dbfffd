//! The bottleneck of a workflow: the cost of each pipeline stage, from the component curves measured in the
//! same run, against the pipeline's own time per workflow.

use audit_system::Durability;
use scale_props::Curve;
use scale_props::measure::Point;
use serde::Serialize;

use super::answers::find;
use crate::RunCase;
use crate::suites::{audit, evolution, firewall, love, pipeline};

/// One stage's cost per workflow.
#[derive(Debug, Clone, Serialize)]
pub struct StageCost {
    /// The stage (`firewall`, `ethics`, `audit`, `learning`).
    pub stage: &'static str,
    /// Where it was measured, in words (curve and point).
    pub source: String,
    /// Microseconds per workflow.
    pub us: f64,
}

/// Per-stage costs and the pipeline's measured time per workflow (audit at process_crash, one worker).
#[derive(Debug, Clone, Serialize)]
pub struct Stages {
    /// Costs of the stages that could be measured.
    pub costs: Vec<StageCost>,
    /// Why a stage could not be measured.
    pub missing: Vec<String>,
    /// The pipeline's time per workflow at one worker, microseconds.
    pub pipeline_us: Option<f64>,
}

fn nearest(c: &Curve, size: u64) -> Option<&Point> {
    let d = |p: &&Point| ((p.size.max(1) as f64).ln() - (size as f64).ln()).abs();
    c.points.iter().min_by(|a, b| d(a).total_cmp(&d(b)))
}

fn at_workers(c: &Curve, workers: usize) -> Option<&Point> {
    c.points.iter().find(|p| p.phase.workers == workers)
}

fn per_op_us(p: &Point) -> Option<f64> {
    let x = p.median_throughput();
    (x > 0.0).then(|| 1e6 / x)
}

impl Stages {
    /// Reads the stage costs from `runs`.
    pub fn of(runs: &[RunCase]) -> Self {
        let mut costs = Vec::new();
        let mut missing = Vec::new();
        let mut stage = |stage: &'static str, cost: Result<(String, f64), String>| match cost {
            Ok((source, us)) => costs.push(StageCost { stage, source, us }),
            Err(why) => missing.push(format!("{stage}: {why}")),
        };
        let curve = |id: &str| find(runs, id).ok_or_else(|| format!("`{id}` not in this run"));
        stage(
            "firewall",
            curve(firewall::VALIDATE).and_then(|c| {
                let p = nearest(c, 1_000).ok_or("no points")?;
                Ok((
                    format!("`{}` p50 at {} patterns", c.id, p.size),
                    p.median_p50_ns() / 1e3,
                ))
            }),
        );
        stage(
            "ethics",
            curve(love::ETHICS).and_then(|c| {
                let p = c.points.first().ok_or("no points")?;
                Ok((
                    format!("`{}` p50 at {} characters", c.id, p.size),
                    p.median_p50_ns() / 1e3,
                ))
            }),
        );
        let pipe_id = pipeline::workers_id(Durability::ProcessCrash);
        let pipe_one = find(runs, &pipe_id).and_then(|c| at_workers(c, 1));
        stage(
            "audit",
            curve(&audit::writers_id(Durability::ProcessCrash)).and_then(|c| {
                let p = at_workers(c, 1).ok_or("no 1-writer point")?;
                let per_append = per_op_us(p).ok_or("no throughput")?;
                let commits = pipe_one
                    .map(|q| q.work_per_op("audit_commits"))
                    .filter(|x| *x > 0.0)
                    .ok_or_else(|| format!("commits per workflow not measured (`{pipe_id}`)"))?;
                Ok((
                    format!(
                        "`{}` at 1 writer ({per_append:.1} us per commit) x {commits:.2} commits per workflow",
                        c.id
                    ),
                    per_append * commits,
                ))
            }),
        );
        stage(
            "learning",
            curve(evolution::LOG).and_then(|c| {
                let p = c.points.last().ok_or("no points")?;
                Ok((
                    format!("`{}` p50 at {} experiences", c.id, p.size),
                    p.median_p50_ns() / 1e3,
                ))
            }),
        );
        Self {
            costs,
            missing,
            pipeline_us: pipe_one.and_then(per_op_us),
        }
    }

    /// The costliest stage, when every stage was measured.
    pub fn bottleneck(&self) -> Option<&StageCost> {
        if !self.missing.is_empty() {
            return None;
        }
        self.costs.iter().max_by(|a, b| a.us.total_cmp(&b.us))
    }

    /// Sum of the stage costs, microseconds.
    pub fn total_us(&self) -> f64 {
        self.costs.iter().map(|c| c.us).sum()
    }
}
