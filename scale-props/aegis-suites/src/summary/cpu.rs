//! CPU-bound or waiting: the verdict per worker sweep, from the CPU time measured against the wall time.

use audit_system::Durability;
use scale_props::measure::Axis;
use serde::Serialize;

use crate::suites::{audit, load, pipeline};
use crate::{RunCase, Topic};

/// A busy fraction at or above this is CPU-bound.
pub const CPU_BOUND: f64 = 0.8;
/// A busy fraction at or below this is waiting.
pub const WAITING: f64 = 0.5;

/// What the CPU measure says about one level of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum CpuVerdict {
    /// The workers kept their cores busy.
    CpuBound,
    /// The workers spent most of the time off the CPU (I/O, locks, or a machine shared with other work).
    Waiting,
    /// Between the two thresholds: neither verdict can be made.
    Undecided,
    /// CPU time was not measured (no `getrusage` data on this platform).
    NotMeasured,
}

/// The CPU finding of one sweep, at its busiest level.
#[derive(Debug, Clone, Serialize)]
pub struct CpuFinding {
    /// Curve id.
    pub id: String,
    /// Workers at the level read.
    pub workers: usize,
    /// CPU time / (wall time x cores the level could use), 0..1.
    pub busy: Option<f64>,
    /// The verdict.
    pub verdict: CpuVerdict,
}

impl CpuFinding {
    /// The sentence the report prints.
    pub fn sentence(&self) -> String {
        let busy = self
            .busy
            .map_or_else(|| "-".to_owned(), |b| format!("{:.0}%", b * 100.0));
        match self.verdict {
            CpuVerdict::CpuBound => format!(
                "`{}`: {busy} of the usable cores busy at {} workers (>= {:.0}%): CPU-bound.",
                self.id,
                self.workers,
                CPU_BOUND * 100.0
            ),
            CpuVerdict::Waiting => format!(
                "`{}`: {busy} of the usable cores busy at {} workers (<= {:.0}%): waiting (I/O, locks, or \
                 cores taken by other work on this machine).",
                self.id,
                self.workers,
                WAITING * 100.0
            ),
            CpuVerdict::Undecided => format!(
                "`{}`: {busy} of the usable cores busy at {} workers: could not be judged (between {:.0}% \
                 and {:.0}%).",
                self.id,
                self.workers,
                WAITING * 100.0,
                CPU_BOUND * 100.0
            ),
            CpuVerdict::NotMeasured => format!(
                "`{}`: could not be judged: CPU time was not measured on this platform.",
                self.id
            ),
        }
    }
}

/// The verdict for a busy fraction.
pub fn verdict(busy: Option<f64>) -> CpuVerdict {
    match busy {
        None => CpuVerdict::NotMeasured,
        Some(b) if b >= CPU_BOUND => CpuVerdict::CpuBound,
        Some(b) if b <= WAITING => CpuVerdict::Waiting,
        Some(_) => CpuVerdict::Undecided,
    }
}

/// The sweeps whose CPU use the report judges: screening (CPU test), audit writers and the pipeline at both
/// durabilities.
fn judged_ids() -> Vec<String> {
    let mut ids = vec![load::CPU.to_owned()];
    for d in [Durability::ProcessCrash, Durability::PowerLoss] {
        ids.push(audit::writers_id(d));
        ids.push(pipeline::workers_id(d));
    }
    ids
}

/// One finding per judged worker sweep in `runs`, read at the level with the most workers that still fit on
/// the cores (or one worker), where busy = utilisation of the machine / share of the machine the level can
/// use.
pub fn cpu_findings(runs: &[RunCase]) -> Vec<CpuFinding> {
    let ids = judged_ids();
    runs.iter()
        .filter(|r| {
            r.curve.axis == Axis::Workers
                && (ids.contains(&r.curve.id) || r.topic == Topic::StressConcurrency)
        })
        .filter_map(|r| {
            let c = &r.curve;
            let cores = c.cores.max(1);
            let p = c
                .points
                .iter()
                .filter(|p| p.phase.workers <= cores)
                .max_by_key(|p| p.phase.workers)?;
            let usable = p.phase.workers.min(cores) as f64 / cores as f64;
            let busy = p.median_cpu_utilisation().map(|u| (u / usable).min(1.0));
            Some(CpuFinding {
                id: c.id.clone(),
                workers: p.phase.workers,
                busy,
                verdict: verdict(busy),
            })
        })
        .collect()
}
