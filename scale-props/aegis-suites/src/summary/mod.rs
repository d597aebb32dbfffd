//! The report: the answers computed once from the measured curves ([`Answers`]), each report section a small
//! function of them ([`sections`]), and [`AegisReport`], the engine [`scale_props::report::Report`] that
//! writes `REPORT.md` beside the engine's CSV, JSON and SVG reporters ([`write_report`]).
//!
//! Every sentence is computed from a measurement; where a measurement is missing or cannot decide, the
//! sentence says "could not be judged" and why.

mod aegis_report;
mod answers;
mod concurrency;
mod cpu;
mod memory;
pub mod sections;
pub mod side_by_side;
mod stages;

pub use aegis_report::{
    AegisReport, REPORT_FILE, RESULTS_FILE, STRESS_CSV_FILE, STRESS_CSV_HEADER, results_document,
    stress_csv, write_report,
};
pub use answers::{
    Answers, At, Capacity, Margin, Reference, ScalingRow, StressOutcome, references, workers_for,
};
pub use concurrency::ConcurrencyRow;
pub use cpu::{CpuFinding, CpuVerdict};
pub use memory::{DiskRow, MemoryRow};
pub use stages::{StageCost, Stages};
