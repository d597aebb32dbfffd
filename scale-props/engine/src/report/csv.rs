//! CSV: one row per point, the earlier codebase's columns first, then the new measures.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::ReportError;
use super::error::write_file;
use crate::digest::{Analysis, Row};
use crate::measure::Curve;

/// Column headers, in order.
pub const CSV_HEADER: &str = "Test Name,Duration (ms),Throughput (ops/sec),Memory (MB),Success Rate (%),\
P50 Latency (us),P95 Latency (us),P99 Latency (us),Status,Size,Phase,Workers,P99.9 Latency (us),\
Max Latency (us),Errors,Dropped,CPU per Core (%),Disk Read (bytes),Disk Write (bytes),Allocations per Op,\
Alloc Bytes per Op,Work per Op";

/// Writes `results.csv` with one row per point.
#[derive(Debug)]
pub struct CsvReport {
    dir: PathBuf,
    text: String,
}

impl CsvReport {
    /// A CSV report written into `dir`.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            text: String::new(),
        }
    }
}

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn opt(v: Option<String>) -> String {
    v.unwrap_or_default()
}

fn row_line(r: &Row) -> String {
    let work = r
        .work_per_op
        .iter()
        .map(|(k, v)| format!("{k}={v:.3}"))
        .collect::<Vec<_>>()
        .join(";");
    [
        field(&r.test_name),
        format!("{:.3}", r.duration_ms),
        format!("{:.1}", r.throughput),
        opt(r.memory_mb.map(|m| format!("{m:.2}"))),
        format!("{:.2}", r.success_rate_pct),
        format!("{:.3}", r.p50_us),
        format!("{:.3}", r.p95_us),
        format!("{:.3}", r.p99_us),
        r.status.to_string(),
        r.size.to_string(),
        field(&r.phase),
        r.workers.to_string(),
        format!("{:.3}", r.p999_us),
        format!("{:.3}", r.max_us),
        r.errors.to_string(),
        r.dropped.to_string(),
        opt(r.cpu_per_core.map(|c| format!("{:.1}", c * 100.0))),
        opt(r.disk_read_write.map(|d| d.0.to_string())),
        opt(r.disk_read_write.map(|d| d.1.to_string())),
        opt(r.allocs_per_op.map(|a| format!("{:.3}", a.0))),
        opt(r.allocs_per_op.map(|a| format!("{:.1}", a.1))),
        field(&work),
    ]
    .join(",")
}

impl super::Report for CsvReport {
    fn begin(&mut self, _title: &str) -> Result<(), ReportError> {
        self.text = format!("{CSV_HEADER}\n");
        Ok(())
    }
    fn curve(&mut self, _curve: &Curve, analysis: &Analysis) -> Result<(), ReportError> {
        if self.text.is_empty() {
            self.text = format!("{CSV_HEADER}\n");
        }
        for r in &analysis.rows {
            let _ = writeln!(self.text, "{}", row_line(r));
        }
        Ok(())
    }
    fn end(&mut self) -> Result<Vec<PathBuf>, ReportError> {
        Ok(vec![write_file(self.dir.join("results.csv"), &self.text)?])
    }
}
