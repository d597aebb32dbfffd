//! Concurrency: each component's sweep over worker counts, its throughput per level, the gain of two workers
//! over one, and the USL verdict the repetitions support (a label, or undecided between the labels their
//! spread allows).

use std::fmt::Write as _;

use serde::Serialize;

use super::answers::usl_line;
use crate::{RunCase, Topic};

/// One concurrency sweep's answers.
#[derive(Debug, Clone, Serialize)]
pub struct ConcurrencyRow {
    /// Curve id.
    pub id: String,
    /// (workers, median ops/s) per level, in sweep order.
    pub throughput: Vec<(usize, f64)>,
    /// Median throughput at 2 workers over 1, when both levels were measured and 1 did work.
    pub gain_at_two: Option<f64>,
    /// The USL fit's first line (its verdict and parameters), or why it could not be fitted.
    pub usl: Result<String, String>,
}

impl ConcurrencyRow {
    fn of(r: &RunCase) -> Self {
        let throughput: Vec<(usize, f64)> = r
            .curve
            .points
            .iter()
            .map(|p| (p.phase.workers, p.median_throughput()))
            .collect();
        let at = |w: usize| throughput.iter().find(|(n, _)| *n == w).map(|(_, x)| *x);
        let gain_at_two = match (at(1), at(2)) {
            (Some(one), Some(two)) if one > 0.0 => Some(two / one),
            _ => None,
        };
        Self {
            id: r.curve.id.clone(),
            throughput,
            gain_at_two,
            usl: usl_line(&r.curve),
        }
    }
}

/// The rows of every stress concurrency sweep in `runs`.
pub fn concurrency_rows(runs: &[RunCase]) -> Vec<ConcurrencyRow> {
    runs.iter()
        .filter(|r| r.topic == Topic::StressConcurrency)
        .map(ConcurrencyRow::of)
        .collect()
}

/// "Concurrency: gains and USL verdicts": a table of throughput per worker level and the gain at two
/// workers, then each sweep's USL verdict. Empty when the run had no concurrency sweep.
pub fn section(rows: &[ConcurrencyRow], cores: usize) -> String {
    let Some(first) = rows.first() else {
        return String::new();
    };
    let mut t = String::from("## Concurrency: gains and USL verdicts\n\n");
    let levels: Vec<usize> = first.throughput.iter().map(|(w, _)| *w).collect();
    t.push_str("| sweep |");
    for w in &levels {
        let _ = write!(t, " {w} worker(s) /s |");
    }
    t.push_str(" 2 workers / 1 |\n|---|");
    t.push_str(&"---:|".repeat(levels.len() + 1));
    t.push('\n');
    for r in rows {
        let _ = write!(t, "| `{}` |", r.id);
        for w in &levels {
            match r.throughput.iter().find(|(n, _)| n == w) {
                Some((_, x)) => {
                    let _ = write!(t, " {x:.0} |");
                }
                None => t.push_str(" - |"),
            }
        }
        match r.gain_at_two {
            Some(g) => {
                let _ = writeln!(t, " {g:.2}x |");
            }
            None => t.push_str(" not measured |\n"),
        }
    }
    t.push('\n');
    for r in rows {
        match &r.usl {
            Ok(line) => {
                let _ = writeln!(t, "- `{}`: {line}", r.id);
            }
            Err(e) => {
                let _ = writeln!(t, "- `{}`: USL verdict could not be made ({e}).", r.id);
            }
        }
    }
    let _ = writeln!(
        t,
        "- Fitted on the levels within this run's {cores} core(s); above them workers share cores.\n"
    );
    t
}
