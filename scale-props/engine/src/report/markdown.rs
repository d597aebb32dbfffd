//! Markdown: a section per curve with its table, fits and plot.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::ReportError;
use super::error::write_file;
use super::svg::plot_file_name;
use crate::digest::Analysis;
use crate::expect::{Outcome, Verdict, verdict_table};
use crate::measure::Curve;

/// Writes `report.md`: the title, the verdict table of every claim (case, claim, measured, bound, verdict),
/// then one section per curve (table, fits, plot).
#[derive(Debug)]
pub struct MarkdownReport {
    dir: PathBuf,
    title: String,
    text: String,
    verdicts: Vec<Verdict>,
}

impl MarkdownReport {
    /// A Markdown report written into `dir`.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            title: String::new(),
            text: String::new(),
            verdicts: Vec::new(),
        }
    }
}

/// The Markdown table of an analysis, one row per point (also used in expectation failures).
pub fn table(analysis: &Analysis) -> String {
    let mut t = String::from(
        "| size | phase | workers | ops/s | p50 us | p95 us | p99 us | p99.9 us | errors | dropped | allocs/op | work/op | status |\n\
         |---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n",
    );
    for r in &analysis.rows {
        let work = r
            .work_per_op
            .iter()
            .map(|(k, v)| format!("{k}={v:.2}"))
            .collect::<Vec<_>>()
            .join(", ");
        let allocs = r
            .allocs_per_op
            .map_or_else(|| "-".to_owned(), |a| format!("{:.2}", a.0));
        let _ = writeln!(
            t,
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {} | {} |",
            r.size,
            r.phase,
            r.workers,
            r.throughput,
            r.p50_us,
            r.p95_us,
            r.p99_us,
            r.p999_us,
            r.errors,
            r.dropped,
            allocs,
            work,
            r.status
        );
    }
    t
}

/// The fits of an analysis as Markdown list lines.
pub fn fits_text(analysis: &Analysis) -> String {
    let mut t = String::new();
    for g in &analysis.fits.phases {
        if let (Some(e), Some(bin)) = (g.time_exponent, g.time_bin) {
            let _ = writeln!(t, "- `{}` time: log-log exponent {e:.2} ({bin})", g.phase);
        }
        if let Some(f) = &g.time {
            let _ = writeln!(
                t,
                "- `{}` time fit: {}",
                g.phase,
                f.to_string().lines().next().unwrap_or("")
            );
        }
        for (name, f) in &g.work {
            let _ = writeln!(
                t,
                "- `{}` work `{name}`: {}",
                g.phase,
                f.to_string().lines().next().unwrap_or("")
            );
        }
        for u in &g.unfitted {
            let _ = writeln!(t, "- `{}` not fitted: {u}", g.phase);
        }
    }
    if let Some(u) = &analysis.fits.usl {
        let _ = writeln!(t, "- {}", u.to_string().lines().next().unwrap_or(""));
    }
    if let Some(k) = &analysis.fits.knee {
        let _ = writeln!(
            t,
            "- knee: throughput stops growing at {} ({:.0} ops/s)",
            k.load, k.throughput
        );
    }
    for u in &analysis.fits.unfitted {
        let _ = writeln!(t, "- not fitted: {u}");
    }
    t
}

impl super::Report for MarkdownReport {
    fn begin(&mut self, title: &str) -> Result<(), ReportError> {
        title.clone_into(&mut self.title);
        self.text.clear();
        self.verdicts.clear();
        Ok(())
    }
    fn curve(&mut self, curve: &Curve, analysis: &Analysis) -> Result<(), ReportError> {
        self.verdicts.extend(curve.verdicts().iter().cloned());
        let _ = writeln!(
            self.text,
            "## {}\n\nLoad: {}. Repetitions: {}.\n",
            curve.id, curve.shape, curve.repetitions
        );
        self.text.push_str(&table(analysis));
        self.text.push('\n');
        self.text.push_str(&fits_text(analysis));
        let _ = writeln!(
            self.text,
            "\n![{}]({})\n",
            curve.id,
            plot_file_name(&curve.id)
        );
        Ok(())
    }
    fn end(&mut self) -> Result<Vec<PathBuf>, ReportError> {
        let mut doc = format!("# {}\n\n## Verdicts\n\n", self.title);
        let holding = self.verdicts.iter().filter(|v| v.holds()).count();
        let failing = self
            .verdicts
            .iter()
            .filter(|v| v.judgement.outcome == Outcome::Fails)
            .count();
        let _ = writeln!(
            doc,
            "{} claim(s): {holding} hold, {failing} fail, {} could not be judged.\n",
            self.verdicts.len(),
            self.verdicts.len() - holding - failing
        );
        if !self.verdicts.is_empty() {
            doc.push_str(&verdict_table(&self.verdicts));
            doc.push('\n');
        }
        doc.push_str(&self.text);
        Ok(vec![write_file(self.dir.join("report.md"), &doc)?])
    }
}
