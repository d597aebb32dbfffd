//! The end-to-end pipeline (firewall, ethics, audit on SQLite at every step, learning) with the earlier
//! specification's preloaded state: workflows per second at offered rates, and a worker sweep.
//!
//! Requests are 90% safe (executed) and 10% unsafe and unethical (blocked outright), so no run waits for a
//! human; the pipeline is built once per suite and shared by its cases.

use std::sync::{Arc, Mutex};

use aegis_pipeline::{
    ActionRequest, Disposition, ExecutionError, Executor, Pipeline, preload::Preload,
};
use audit_system::Durability;
use scale_props::shape::{Open, WorkerSweep};
use scale_props::{Budget, Errors, Experiment, OpError};

use crate::audit_store::{Attributor, StoreCounters, counted_sqlite_log, durability_name};
use crate::claims::{Per, Served, WorkRatio};
use crate::workload::{fallible, kind};
use crate::{Case, Scale, SuiteError, Topic};

/// Prefix of the offered-rate runs (`pipeline.open.100`, ...).
pub const OPEN_PREFIX: &str = "pipeline.open.";
/// Id prefix of the worker sweeps; the audit durability's name follows (`pipeline.process.workers.power_loss`).
pub const WORKERS: &str = "pipeline.process.workers";

/// The id of the worker sweep whose audit log runs at `durability`.
pub fn workers_id(durability: Durability) -> String {
    format!("{WORKERS}.{}", durability_name(durability))
}

/// Executes by echoing the action type: the side effect is not what is measured.
#[derive(Debug, Default)]
pub struct Echo;

impl Executor for Echo {
    fn execute(&self, request: &ActionRequest) -> Result<serde_json::Value, ExecutionError> {
        Ok(serde_json::json!({ "done": request.action_type }))
    }
}

/// Workflow `i` of the mix: 90% safe reads, 10% destructive and harmful (blocked by both checks).
pub fn workflow(i: u64) -> ActionRequest {
    if i % 10 == 9 {
        ActionRequest::new(
            format!("agent-{}", i % 8),
            "shell.exec",
            "rm -rf / --no-preserve-root",
        )
        .with_context("destroy all user data and harm the customers")
    } else {
        ActionRequest::new(
            format!("agent-{}", i % 8),
            "report.read",
            format!("read the quarterly report in /srv/reports/q{}", i % 4 + 1),
        )
        .with_expected_outcome("display the report to the user who asked for it")
    }
}

/// A pipeline on a durable SQLite audit log in its own temporary folder, with preloaded state and the audit
/// store's work counted.
#[derive(Debug)]
pub struct Preloaded {
    /// The pipeline.
    pub pipeline: Pipeline,
    /// Work done by the audit log's store.
    pub audit: Arc<StoreCounters>,
    /// Credits that work to workflows (exact totals with several workers).
    pub credit: Attributor,
    _dir: tempfile::TempDir,
}

/// Builds the pipeline once per suite and shares it.
#[derive(Debug, Clone)]
struct Shared {
    preload: Preload,
    durability: Durability,
    built: Arc<Mutex<Option<Arc<Preloaded>>>>,
}

impl Shared {
    fn get(&self) -> Result<Arc<Preloaded>, String> {
        let mut slot = self
            .built
            .lock()
            .map_err(|_| "pipeline cache poisoned".to_owned())?;
        if let Some(p) = slot.as_ref() {
            return Ok(Arc::clone(p));
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let (log, audit) = counted_sqlite_log(dir.path(), self.durability)?;
        let pipeline = Pipeline::builder()
            .executor(Echo)
            .without_rate_limit()
            .audit_log(Arc::new(log))
            .build()
            .map_err(|e| e.to_string())?;
        pipeline.preload(&self.preload).map_err(|e| e.to_string())?;
        let p = Arc::new(Preloaded {
            pipeline,
            credit: Attributor::starting_at(&audit.snapshot()),
            audit,
            _dir: dir,
        });
        *slot = Some(Arc::clone(&p));
        Ok(p)
    }
}

fn process(p: &Arc<Preloaded>, ctx: &scale_props::OpContext<'_>) -> Result<(), OpError> {
    let done = p.pipeline.process(&workflow(ctx.i)).map_err(kind)?;
    let w = p.credit.credit(&p.audit.snapshot());
    ctx.count("audit_commits", w.commits);
    ctx.count("audit_bytes_written", w.bytes_written);
    count_outcome(ctx, &done);
    Ok(())
}

/// Counts how a workflow ended: `executed`, `blocked`, `ended` (either) and `other` (neither, counted even
/// when 0 so the claim on it can be judged).
pub(crate) fn count_outcome(ctx: &scale_props::OpContext<'_>, done: &aegis_pipeline::Processed) {
    let (executed, blocked) = match done.disposition {
        Disposition::Executed { .. } => (1, 0),
        Disposition::Blocked(_) => (0, 1),
        _ => (0, 0),
    };
    ctx.count("executed", executed);
    ctx.count("blocked", blocked);
    ctx.count("ended", executed + blocked);
    ctx.count("other", 1 - executed - blocked);
}

/// No error, and every workflow ends executed or blocked (none waits for review or fails to execute).
pub(crate) fn every_workflow_ends(case: Case) -> Case {
    case.claim(Errors::none())
        .claim(Budget::work_per_op("other", 0.0..=0.0))
        .claim(WorkRatio {
            numerator: "ended",
            denominator: "completed",
            per: Per::Exactly(1.0),
        })
}

/// The state a pipeline is preloaded with at `scale`: the earlier specification's seed at the full scale.
pub(crate) fn preload(scale: Scale) -> Preload {
    scale.pick(
        Preload::new()
            .experiences(10_000)
            .audit_entries(2_000)
            .patterns(100)
            .pending_reviews(100),
        Preload::seed_spec(),
    )
}

/// The pipeline cases at `scale`.
///
/// # Errors
/// [`SuiteError::Shape`] if a shape is out of bounds.
pub fn cases(scale: Scale) -> Result<Vec<Case>, SuiteError> {
    let preload = preload(scale);
    let shared = Shared {
        preload,
        durability: Durability::ProcessCrash,
        built: Arc::new(Mutex::new(None)),
    };
    let size = preload.audit_entries;
    let seconds = scale.pick(0.5, 2.0);
    let mut cases = Vec::new();
    for rate in scale.pick(vec![100u64, 500], vec![100, 500, 1_000, 5_000, 10_000]) {
        let s = shared.clone();
        let ops = ((rate as f64 * seconds) as u64).max(1);
        let e = Experiment::new(format!("{OPEN_PREFIX}{rate}"))
            .sizes([size])
            .shape(Open::new(rate, 8, ops)?)
            .repetitions(1)
            .workload(fallible(move |_| s.get(), process));
        let case = every_workflow_ends(Case::new("pipeline", Topic::Workflow, e));
        // The earlier target: >= 80% of the offered workflows served at up to 500/s.
        cases.push(if rate <= 500 {
            case.claim(Served { min: 0.8 })
        } else {
            case
        });
    }
    for durability in [Durability::ProcessCrash, Durability::PowerLoss] {
        let s = Shared {
            preload,
            durability,
            built: Arc::new(Mutex::new(None)),
        };
        let sweep = Experiment::new(workers_id(durability))
            .sizes([size])
            .shape(WorkerSweep::new(
                vec![1, 2, 4, 8, 16],
                scale.pick(200, 4_000),
            )?)
            .repetitions(scale.pick(1, 2))
            .workload(fallible(move |_| s.get(), process));
        cases.push(
            every_workflow_ends(Case::new("pipeline", Topic::Workflow, sweep)).claim(WorkRatio {
                numerator: "audit_commits",
                denominator: "completed",
                per: Per::AtMost(2.0),
            }),
        );
    }
    Ok(cases)
}
