//! Memory per item and disk writes per appended entry, read from the curves.

use audit_system::Durability;
use scale_props::Curve;
use scale_props::measure::DiskIo;
use scale_props::measure::Point;
use serde::Serialize;

use super::answers::find;
use crate::audit_store::{durability_name, synchronous};
use crate::suites::{audit, evolution, hitl};
use crate::{RunCase, Topic};

/// Bytes per item of one memory curve (or RSS growth per 1 000 operations of a sustained run).
#[derive(Debug, Clone, Serialize)]
pub struct MemoryRow {
    /// Curve id.
    pub id: String,
    /// (size, RSS growth while preparing / size) per size; `None` where RSS was not reported.
    pub rss_per_item: Vec<(u64, Option<f64>)>,
    /// (counter, size, value) of the work counters that state bytes per item (component accounting, disk).
    pub counted_per_item: Vec<(String, u64, f64)>,
    /// RSS growth per 1 000 operations of a sustained run, bytes.
    pub growth_per_1000_ops: Option<f64>,
}

fn growth_per_1000(c: &Curve) -> Option<f64> {
    let p = c.points.last()?;
    let v: Vec<f64> = p
        .repetitions
        .iter()
        .filter_map(|m| m.memory.map(|x| x.growth_per_op * 1_000.0))
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// The memory rows of `runs`: the stress memory curves and the sustained-load runs.
pub fn memory_rows(runs: &[RunCase]) -> Vec<MemoryRow> {
    let mut rows: Vec<MemoryRow> = runs
        .iter()
        .filter(|r| r.topic == Topic::StressMemory)
        .map(|r| {
            let c = &r.curve;
            MemoryRow {
                id: c.id.clone(),
                rss_per_item: c.memory_per_item(),
                counted_per_item: c
                    .points
                    .iter()
                    .flat_map(|p| {
                        p.work_names()
                            .into_iter()
                            .filter(|n| n.ends_with("_per_item") || n.ends_with("_per_entry"))
                            .map(|n| (n.clone(), p.size, p.work_per_op(&n)))
                            .collect::<Vec<_>>()
                    })
                    .collect(),
                growth_per_1000_ops: None,
            }
        })
        .collect();
    for id in [evolution::MEMORY, hitl::MEMORY] {
        if let Some(c) = find(runs, id) {
            rows.push(MemoryRow {
                id: id.to_owned(),
                rss_per_item: Vec::new(),
                counted_per_item: Vec::new(),
                growth_per_1000_ops: growth_per_1000(c),
            });
        }
    }
    rows
}

/// Disk writes per appended entry at one durability, from the store wrapper's counters and the OS.
#[derive(Debug, Clone, Serialize)]
pub struct DiskRow {
    /// Curve id.
    pub id: String,
    /// `process_crash (synchronous=NORMAL)` or `power_loss (synchronous=FULL)`.
    pub durability: String,
    /// (workers, commits per appended entry) per level.
    pub commits_per_entry: Vec<(usize, f64)>,
    /// Row bytes handed to the store per entry (1 writer).
    pub row_bytes_per_entry: Option<f64>,
    /// Bytes the OS wrote to storage per entry (1 writer), when `/proc/self/io` was readable.
    pub os_bytes_per_entry: Option<f64>,
    /// (workers, WAL fsyncs per appended entry) per level, counted by the store wrapper (commits at
    /// `synchronous=FULL` and `Store::sync` calls; SQLite's checkpoint fsyncs are not seen).
    pub fsyncs_per_entry: Vec<(usize, f64)>,
}

fn os_bytes_per_op(p: &Point) -> Option<f64> {
    let m = p.repetitions.first()?;
    match m.io {
        DiskIo::Bytes { written, .. } if m.completed > 0 => {
            Some(written as f64 / m.completed as f64)
        }
        _ => None,
    }
}

/// The disk rows of the audit writer sweeps in `runs`.
pub fn disk_rows(runs: &[RunCase]) -> Vec<DiskRow> {
    [Durability::ProcessCrash, Durability::PowerLoss]
        .into_iter()
        .filter_map(|d| {
            let c = find(runs, &audit::writers_id(d))?;
            let per_entry_of = |name: &str, p: &Point| {
                p.work_per_op(name) / p.work_per_op("entries_written").max(f64::MIN_POSITIVE)
            };
            let per_entry = |p: &Point| per_entry_of("commits", p);
            let commits: Vec<(usize, f64)> = c
                .points
                .iter()
                .map(|p| (p.phase.workers, per_entry(p)))
                .collect();
            let one = c.points.iter().find(|p| p.phase.workers == 1);
            Some(DiskRow {
                id: c.id.clone(),
                durability: format!("{} (synchronous={})", durability_name(d), synchronous(d)),
                fsyncs_per_entry: c
                    .points
                    .iter()
                    .map(|p| (p.phase.workers, per_entry_of("fsyncs", p)))
                    .collect(),
                commits_per_entry: commits,
                row_bytes_per_entry: one.map(|p| p.work_per_op("bytes_written")),
                os_bytes_per_entry: one.and_then(os_bytes_per_op),
            })
        })
        .collect()
}
