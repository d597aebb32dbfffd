//! Memory of the three stores that grow with use, at growing sizes: the evolution history (10K/100K/1M
//! experiences), the audit log (10K/100K/1M entries of ~500 B payloads, on SQLite: bytes on disk per entry)
//! and the HITL queue (1K/10K/100K pending requests of ~1 KB). Bytes per item come from RSS growth while
//! preparing each size (the engine's measure) and, where the component accounts for itself, from its own
//! accounting (a deterministic work counter, so it sits in the snapshot).

use std::time::Duration;

use evolution_core::EvolutionEngine;
use hitl_collab::{DecisionRequest, HitlQueue};
use scale_props::{Budget, Errors, Experiment, OpError};

use crate::audit_store::AuditFixture;
use crate::claims::{Relation, WorkTotal};
use crate::fixtures::{evolution_with, priority};
use crate::workload::{fallible, kind};
use crate::{Case, Scale, SuiteError, Topic};

/// Id of the evolution-history curve.
pub const EVOLUTION: &str = "stress.memory.evolution";
/// Id of the audit-log curve.
pub const AUDIT: &str = "stress.memory.audit";
/// Id of the HITL-queue curve.
pub const HITL: &str = "stress.memory.hitl";

/// Payload bytes of an audit entry in the memory test.
pub const AUDIT_PAYLOAD_BYTES: usize = 500;
/// Context bytes of a review request in the memory test.
pub const REQUEST_CONTEXT_BYTES: usize = 1_000;

/// RSS budget per experience of the history, bytes.
pub const EVOLUTION_RSS_PER_ITEM: f64 = 1_024.0;
/// The evolution engine's own accounting budget per experience, bytes.
pub const EVOLUTION_ACCOUNTED_PER_ITEM: f64 = 256.0;
/// Disk budget per audit entry of ~500 B payload (database and WAL files), bytes: the earlier
/// specification's "~1 KB per entry" with room for SQLite's pages, indexes and tree nodes.
pub const AUDIT_DISK_PER_ENTRY: f64 = 2_048.0;
/// RSS budget per pending ~1 KB review request, bytes.
pub const HITL_RSS_PER_ITEM: f64 = 4_096.0;

/// A review request of about [`REQUEST_CONTEXT_BYTES`] bytes of context.
pub fn large_request(i: u64) -> DecisionRequest {
    let note = "n".repeat(REQUEST_CONTEXT_BYTES - 40);
    DecisionRequest::new(
        format!("agent-{}", i % 8),
        format!("review action {i}"),
        priority(i),
        Duration::from_secs(3_600),
    )
    .with_context(serde_json::json!({ "request": i, "note": note }))
}

fn queue_of_large(n: u64) -> Result<HitlQueue, String> {
    let q = HitlQueue::builder()
        .capacity(usize::try_from(n).map_err(|e| e.to_string())?.max(1))
        .clock(hitl_collab::ManualClock::new())
        .build()
        .map_err(|e| e.to_string())?;
    for i in 0..n {
        q.request(large_request(i)).map_err(|e| e.to_string())?;
    }
    Ok(q)
}

/// The three memory curves at `scale`.
///
/// # Errors
/// None today; the signature matches the other suites.
pub fn cases(scale: Scale) -> Result<Vec<Case>, SuiteError> {
    let evolution = Experiment::new(EVOLUTION)
        .sizes(scale.pick(vec![10_000, 100_000], vec![10_000, 100_000, 1_000_000]))
        .ops(1)
        .repetitions(1)
        .workload(fallible(evolution_with, |e: &EvolutionEngine, ctx| {
            let accounted = e.memory_usage().total_bytes() as u64;
            ctx.count("accounted_bytes_per_item", accounted / ctx.size.max(1));
            Ok::<(), OpError>(())
        }));
    let audit = Experiment::new(AUDIT)
        .sizes(scale.pick(vec![1_000, 10_000], vec![10_000, 100_000, 1_000_000]))
        .ops(1)
        .repetitions(1)
        .workload(fallible(
            |n| AuditFixture::with_payloads(n, AUDIT_PAYLOAD_BYTES),
            |f: &AuditFixture, ctx| {
                let rows = f.counters.snapshot();
                ctx.count(
                    "row_bytes_per_entry",
                    rows.bytes_written / rows.entries_written.max(1),
                );
                ctx.count("disk_bytes_per_entry", f.disk_bytes() / ctx.size.max(1));
                let n = f.log.verify().map_err(kind)?.size;
                ctx.count("entries_verified", n);
                Ok::<(), OpError>(())
            },
        ));
    let hitl = Experiment::new(HITL)
        .sizes(scale.pick(vec![1_000, 10_000], vec![1_000, 10_000, 100_000]))
        .ops(1)
        .repetitions(1)
        .workload(fallible(queue_of_large, |q: &HitlQueue, ctx| {
            ctx.count("pending", q.pending_len() as u64);
            Ok::<(), OpError>(())
        }));
    Ok(vec![
        Case::new("evolution", Topic::StressMemory, evolution)
            .claim(Errors::none())
            .claim(Budget::memory_per_item(EVOLUTION_RSS_PER_ITEM))
            .claim(Budget::work_per_op("accounted_bytes_per_item", ..=EVOLUTION_ACCOUNTED_PER_ITEM)),
        Case::new("audit", Topic::StressMemory, audit)
            .claim(Errors::none())
            .claim(Budget::work_per_op("row_bytes_per_entry", ..=1_024.0))
            .claim(Budget::work_per_op("disk_bytes_per_entry", ..=AUDIT_DISK_PER_ENTRY))
            .claim(WorkTotal {
                name: "entries_verified",
                per_size: 1,
                relation: Relation::Exactly,
            }),
        Case::new("hitl", Topic::StressMemory, hitl)
            .claim(Errors::none())
            .claim(Budget::memory_per_item(HITL_RSS_PER_ITEM))
            .claim(WorkTotal {
                name: "pending",
                per_size: 1,
                relation: Relation::Exactly,
            }),
    ])
}
