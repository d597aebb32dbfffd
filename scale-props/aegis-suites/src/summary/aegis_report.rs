//! [`AegisReport`]: the engine reporter that writes `REPORT.md` (answers, then one section per curve), and
//! [`write_report`], which runs it beside the engine's CSV, JSON and SVG reporters and writes the stress
//! CSV and the results document.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use scale_props::Curve;
use scale_props::digest::Analysis;
use scale_props::report::{
    CsvReport, JsonReport, Report, ReportError, Reports, SvgReport, markdown_fits, markdown_table,
};

use super::answers::Answers;
use super::sections;
use crate::run_info::RunInfo;
use crate::stepped::served_fraction;
use crate::{RunCase, SuiteError, Topic, Verdict};

/// The one Markdown report of a run (the engine's own `report.md` is not written beside it: on a
/// case-insensitive file system the two names are one file).
pub const REPORT_FILE: &str = "REPORT.md";
/// The results document: run facts, answers and the stress table, without the per-curve details.
pub const RESULTS_FILE: &str = "SCALABILITY_TEST_RESULTS.md";
/// The stress tests' CSV, the earlier specification's columns first.
pub const STRESS_CSV_FILE: &str = "stress_test_results.csv";

/// The earlier specification's stress CSV columns, then ours.
pub const STRESS_CSV_HEADER: &str = "Test Name,Duration (ms),Throughput (ops/sec),Memory (MB),Success Rate (%),\
P50 Latency (us),P95 Latency (us),P99 Latency (us),Status,Component,Kind,Point,Errors,Step";

/// Writes `REPORT.md`: the run facts, the answers, then one section per curve (claim, load, table, fits,
/// plot) as the engine hands the curves over.
pub struct AegisReport {
    dir: PathBuf,
    title: String,
    head: String,
    cases: Vec<(String, Topic, Vec<Verdict>)>,
    body: String,
}

impl std::fmt::Debug for AegisReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AegisReport")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl AegisReport {
    /// A report into `dir` whose head (run facts and answers) is `head`, for the cases of `runs`.
    pub fn new(dir: &Path, head: String, runs: &[RunCase]) -> Self {
        Self {
            dir: dir.to_owned(),
            title: String::new(),
            head,
            cases: runs
                .iter()
                .map(|r| (r.curve.id.clone(), r.topic, r.verdicts.clone()))
                .collect(),
            body: String::new(),
        }
    }
}

fn svg_name(id: &str) -> String {
    scale_props::digest::snapshot_name(id)
        .trim_start_matches("curve__")
        .to_owned()
}

impl Report for AegisReport {
    fn begin(&mut self, title: &str) -> Result<(), ReportError> {
        title.clone_into(&mut self.title);
        Ok(())
    }

    fn curve(&mut self, curve: &Curve, analysis: &Analysis) -> Result<(), ReportError> {
        let (topic, verdicts) = self
            .cases
            .iter()
            .find(|(id, _, _)| *id == curve.id)
            .map_or(("-", &[][..]), |(_, t, v)| (t.title(), v.as_slice()));
        let _ = writeln!(
            self.body,
            "### `{}` ({topic})\n\nLoad: {}. Repetitions: {}.\n",
            curve.id, curve.shape, curve.repetitions
        );
        if verdicts.is_empty() {
            self.body.push_str("No claim.\n\n");
        } else {
            self.body.push_str("Claims:\n");
            for v in verdicts {
                let _ = writeln!(self.body, "- {}: {}", v.claim, sections::verdict_word(v));
            }
            self.body.push('\n');
        }
        self.body.push_str(&markdown_table(analysis));
        self.body.push('\n');
        self.body.push_str(&markdown_fits(analysis));
        let _ = writeln!(
            self.body,
            "\n![{}]({}.svg)\n",
            curve.id,
            svg_name(&curve.id)
        );
        Ok(())
    }

    fn end(&mut self) -> Result<Vec<PathBuf>, ReportError> {
        let md = format!(
            "# {}\n\n{}## Curves\n\n{}",
            self.title, self.head, self.body
        );
        let path = self.dir.join(REPORT_FILE);
        std::fs::write(&path, md).map_err(|source| ReportError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(vec![path])
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SuiteError + '_ {
    move |source| SuiteError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The results document: run facts, the answers, and `extra` (e.g. the verdict table).
pub fn results_document(
    info: &RunInfo,
    answers: &Answers,
    runs: &[RunCase],
    extra: &str,
) -> String {
    format!(
        "# Aegis scalability test results\n\n{}\nWritten whole by `aegis-scale` (see the command above); the \
         per-curve tables and plots are in its output folder (`{REPORT_FILE}`).\n\n{extra}{}",
        info.markdown(),
        sections::answers(answers, runs)
    )
}

/// The stress CSV: one row per point of every stress case, the specification's columns first; Status is
/// `pass` when every claim of the case holds, `fail` otherwise; Step says whether a stepped search's step
/// held its budget.
pub fn stress_csv(runs: &[RunCase], scale: crate::Scale) -> String {
    let mut t = format!("{STRESS_CSV_HEADER}\n");
    let us = |p: &scale_props::measure::Point, q: f64| {
        p.median_latency_ns(q)
            .ok()
            .map_or_else(String::new, |x| format!("{:.1}", x / 1e3))
    };
    for r in runs.iter().filter(|r| {
        matches!(
            r.topic,
            Topic::StressThroughput | Topic::StressConcurrency | Topic::StressMemory
        )
    }) {
        let budget = crate::suites::stress::throughput::budget_of(&r.curve.id, scale);
        for p in &r.curve.points {
            let status = if r.verdicts.iter().all(Verdict::holds) {
                "pass"
            } else {
                "fail"
            };
            let step = match budget {
                Some(b) if r.topic == Topic::StressThroughput => {
                    if b.check(p).is_ok() {
                        "held"
                    } else {
                        "broke"
                    }
                }
                _ => "",
            };
            let _ = writeln!(
                t,
                "{} {},{:.1},{:.1},{},{:.2},{},{},{},{status},{},{:?},size={} {},{},{step}",
                r.curve.id,
                p.phase.name,
                p.median_wall().as_secs_f64() * 1e3,
                p.median_throughput(),
                p.peak_rss()
                    .map_or_else(String::new, |b| format!("{:.1}", b as f64 / 1_048_576.0)),
                100.0 * served_fraction(p),
                us(p, 0.5),
                us(p, 0.95),
                us(p, 0.99),
                r.component,
                r.topic,
                p.size,
                p.phase.name,
                p.total_errors()
            );
        }
    }
    t
}

/// Writes `REPORT.md` (through [`AegisReport`]), the engine's `results.csv`, `results.json` and one SVG per
/// curve, `stress_test_results.csv` and `SCALABILITY_TEST_RESULTS.md` into `dir`; `extra` goes into both
/// Markdown documents after the run facts (the verdict table). Returns the files written.
///
/// # Errors
/// [`SuiteError::Io`] or [`SuiteError::Report`] when a file cannot be written.
pub fn write_report(
    dir: &Path,
    runs: &[RunCase],
    info: &RunInfo,
    extra: &str,
) -> Result<Vec<PathBuf>, SuiteError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let answers = Answers::of(runs, info.scale, info.duration);
    let head = format!(
        "{}\n{extra}{}",
        info.markdown(),
        sections::answers(&answers, runs)
    );
    let mut reports = Reports::new()
        .with(AegisReport::new(dir, head, runs))
        .with(CsvReport::new(dir))
        .with(JsonReport::new(dir))
        .with(SvgReport::new(dir));
    reports.begin("Aegis scalability report")?;
    for r in runs {
        reports.curve(&r.curve, r.curve.analysis())?;
    }
    let mut files = reports.end()?;
    let csv = dir.join(STRESS_CSV_FILE);
    std::fs::write(&csv, stress_csv(runs, info.scale)).map_err(io(&csv))?;
    files.push(csv);
    let doc = dir.join(RESULTS_FILE);
    std::fs::write(&doc, results_document(info, &answers, runs, extra)).map_err(io(&doc))?;
    files.push(doc);
    Ok(files)
}
