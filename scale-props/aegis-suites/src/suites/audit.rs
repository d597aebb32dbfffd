//! Audit log on SQLite (the default, durable store): append, indexed query, inclusion proofs and full
//! verification against the chain length, and appends from several writers (disk I/O, group commit).
//!
//! The logs of each size are built once and shared by the cases of one suite (append runs first, so the
//! other cases see a log a little longer than its nominal size).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use audit_system::{Durability, Query};
use scale_props::shape::WorkerSweep;
use scale_props::fit::Complexity;
use scale_props::{Budget, Errors, Experiment, Growth, OpError};

use crate::audit_store::{AuditFixture, StoreWork, durability_name};
use crate::claims::{CommitsPerEntry, CoversSize, FsyncsPerEntry, Per, WorkGrows, WorkRatio};
use crate::workload::{fallible, kind};
use crate::{Case, Scale, SuiteError, Topic};

/// Id of the append curve.
pub const APPEND: &str = "audit.append.chain";
/// Id of the query curve.
pub const QUERY: &str = "audit.query.chain";
/// Id of the inclusion-proof curve.
pub const PROOF: &str = "audit.inclusion_proof.chain";
/// Id of the verification curve.
pub const VERIFY: &str = "audit.verify.chain";
/// Id prefix of the writer sweeps; the durability's name follows (`io.audit.append.writers.power_loss`).
pub const WRITERS: &str = "io.audit.append.writers";

/// Row bytes the store may be handed per appended entry of the ~100 B mix (entry fields, signature, tree
/// nodes).
pub const ROW_BYTES_BUDGET: f64 = 512.0;

/// The id of the writer sweep at `durability`.
pub fn writers_id(durability: Durability) -> String {
    format!("{WRITERS}.{}", durability_name(durability))
}

/// Logs built once per size and shared by the cases of a suite.
#[derive(Debug, Clone, Default)]
pub struct Fixtures {
    logs: Arc<Mutex<HashMap<u64, Arc<AuditFixture>>>>,
}

impl Fixtures {
    /// The log of `n` entries, built on first use.
    ///
    /// # Errors
    /// A message if the log cannot be built.
    pub fn get(&self, n: u64) -> Result<Arc<AuditFixture>, String> {
        let mut logs = self
            .logs
            .lock()
            .map_err(|_| "audit fixture cache poisoned".to_owned())?;
        if let Some(f) = logs.get(&n) {
            return Ok(Arc::clone(f));
        }
        let f = Arc::new(AuditFixture::with_entries(n)?);
        logs.insert(n, Arc::clone(&f));
        Ok(f)
    }
}

/// The chain lengths at `scale`.
pub fn sizes(scale: Scale) -> Vec<u64> {
    scale.pick(
        vec![128, 1_024, 8_192],
        vec![1_000, 10_000, 100_000, 1_000_000],
    )
}

/// The audit cases at `scale`.
///
/// # Errors
/// [`SuiteError::Shape`] if a shape is out of bounds.
pub fn cases(scale: Scale) -> Result<Vec<Case>, SuiteError> {
    let fixtures = Fixtures::default();
    let get = move |n| fixtures.get(n);
    let append = Experiment::new(APPEND)
        .sizes(sizes(scale))
        .ops(scale.pick(100, 500))
        .repetitions(3)
        .workload(fallible(get.clone(), |f: &Arc<AuditFixture>, ctx| {
            let w = f.append(ctx.size * 10 + ctx.i).map_err(kind)?;
            count_writes(ctx, &w);
            ctx.count("nodes_read", w.nodes_read);
            Ok::<(), OpError>(())
        }));
    let query = Experiment::new(QUERY)
        .sizes(sizes(scale))
        .ops(scale.pick(100, 500))
        .repetitions(3)
        .workload(fallible(get.clone(), |f: &Arc<AuditFixture>, ctx| {
            let rows = f
                .log
                .query(&Query::new().action("delete").limit(50).descending())
                .map_err(kind)?;
            ctx.count("rows", rows.len() as u64);
            Ok::<(), OpError>(())
        }));
    let proof = Experiment::new(PROOF)
        .sizes(sizes(scale))
        .ops(scale.pick(300, 2_000))
        .repetitions(3)
        .workload(fallible(get.clone(), |f: &Arc<AuditFixture>, ctx| {
            let before = f.counters.snapshot();
            let seq = ctx.i * 7_919 % ctx.size;
            f.log.inclusion_proof(seq, ctx.size).map_err(kind)?;
            let w = f.counters.snapshot().since(&before);
            ctx.count("nodes_read", w.nodes_read);
            Ok::<(), OpError>(())
        }));
    let verify = Experiment::new(VERIFY)
        .sizes(sizes(scale))
        .ops(scale.pick(2, 1))
        .repetitions(3)
        .workload(fallible(get, |f: &Arc<AuditFixture>, ctx| {
            let r = f.log.verify().map_err(kind)?;
            ctx.count("entries_verified", r.size);
            Ok::<(), OpError>(())
        }));
    Ok(vec![
        Case::new("audit", Topic::ComponentScaling, append)
            .claim(Errors::none())
            .claim(Growth::at_most(Complexity::Log))
            .claim(Budget::work_per_op("entries_written", 1.0..=1.0))
            .claim(Budget::work_per_op("commits", 1.0..=1.0))
            .claim(Budget::work_per_op("bytes_written", ..=ROW_BYTES_BUDGET)),
        Case::new("audit", Topic::ComponentScaling, query)
            .claim(Errors::none())
            .claim(Growth::at_most(Complexity::Constant).of_work("rows"))
            .claim(Growth::at_most(Complexity::Log).of_time()),
        Case::new("audit", Topic::ComponentScaling, proof)
            .claim(Errors::none())
            .claim(Growth::at_most(Complexity::Log).of_work("nodes_read"))
            .claim(WorkGrows { name: "nodes_read" }),
        Case::new("audit", Topic::ComponentScaling, verify)
            .claim(Errors::none())
            .claim(Growth::at_most(Complexity::Linear).of_work("entries_verified"))
            .claim(CoversSize {
                name: "entries_verified",
            }),
        writers(scale, Durability::ProcessCrash)?,
        writers(scale, Durability::PowerLoss)?,
    ])
}

/// Counts the writes of one append (exact with one writer; with several, group commit moves commits
/// between operations).
fn count_writes(ctx: &scale_props::OpContext<'_>, w: &StoreWork) {
    ctx.count("commits", w.commits);
    ctx.count("entries_written", w.entries_written);
    ctx.count("nodes_written", w.nodes_written);
    ctx.count("bytes_written", w.bytes_written);
    ctx.count("fsyncs", w.fsyncs);
}

/// Appends from 1 .. 16 writers at `durability` (disk I/O): commits and bytes written per appended entry
/// from the store wrapper's counters.
///
/// # Errors
/// [`SuiteError::Shape`] if the sweep is out of bounds.
pub fn writers(scale: Scale, durability: Durability) -> Result<Case, SuiteError> {
    let e = Experiment::new(writers_id(durability))
        .sizes([scale.pick(1_000, 10_000)])
        .shape(WorkerSweep::new(
            vec![1, 2, 4, 8, 16],
            scale.pick(160, 1_600),
        )?)
        .repetitions(scale.pick(1, 3))
        .workload(fallible(
            move |n| AuditFixture::with_durability(n, durability),
            |f: &AuditFixture, ctx| {
                let w = f.append(ctx.i + 1_000_000_000).map_err(kind)?;
                count_writes(ctx, &w);
                Ok::<(), OpError>(())
            },
        ));
    Ok(Case::new("audit", Topic::DiskIo, e)
        .claim(Errors::none())
        .claim(CommitsPerEntry { durability })
        .claim(FsyncsPerEntry { durability })
        .claim(WorkRatio {
            numerator: "bytes_written",
            denominator: "entries_written",
            per: Per::AtMost(ROW_BYTES_BUDGET),
        }))
}
