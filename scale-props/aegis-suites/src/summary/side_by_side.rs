//! "SQLite and PostgreSQL side by side": the same questions answered on both backends in one run (the main
//! job with `--audit <url>`), and the curve of appends against writer processes that only the server has.

use std::fmt::Write as _;

use audit_system::Durability;
use scale_props::fit::{UslFit, fit_usl_repeated};
use scale_props::{Curve, Point};
use serde::Serialize;

use super::answers::{find, max_throughput};
use crate::RunCase;
use crate::postgres as pg;
use crate::suites::{audit, pipeline};

/// One question, answered on each backend where the run measured it.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The question.
    pub what: &'static str,
    /// The unit of the figures (`appends/s`, ...).
    pub unit: &'static str,
    /// SQLite's figure and where it was read (curve id and level).
    pub sqlite: Option<(f64, String)>,
    /// Whether SQLite can answer the question at all (several processes on one log: it cannot).
    pub sqlite_applies: bool,
    /// PostgreSQL's figure and where it was read.
    pub postgres: Option<(f64, String)>,
}

/// Appends per second against the number of writer processes on one shared log, with the USL fitted on
/// every level.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessCurve {
    /// (writer processes, median appends/s) per level.
    pub levels: Vec<(usize, f64)>,
    /// The fit's verdict and parameters in words, or why it could not be fitted.
    pub usl: Result<String, String>,
}

/// Everything the section says.
#[derive(Debug, Clone, Serialize)]
pub struct SideBySide {
    /// The comparisons, in the section's order.
    pub rows: Vec<Comparison>,
    /// The writer-process curve, when the run measured it.
    pub processes: Option<ProcessCurve>,
}

fn at(c: &Curve, p: &Point) -> String {
    let unit = if c.id == pg::WRITER_PROCESSES {
        "writer process(es)"
    } else {
        "worker(s)"
    };
    format!("`{}` at {} {unit}", c.id, p.phase.workers)
}

/// Median throughput at the level with `workers` workers.
fn at_workers(c: &Curve, workers: usize) -> Option<(f64, String)> {
    let p = c.points.iter().find(|p| p.phase.workers == workers)?;
    Some((p.median_throughput(), at(c, p)))
}

/// The best median throughput over the levels.
fn best(c: &Curve) -> Option<(f64, String)> {
    max_throughput(c).map(|(p, x)| (x, at(c, p)))
}

/// Entries verified per second at the largest size both verification curves measured.
fn verified_per_second(
    sqlite: Option<&Curve>,
    postgres: Option<&Curve>,
) -> [Option<(f64, String)>; 2] {
    let largest_common = match (sqlite, postgres) {
        (Some(s), Some(p)) => s
            .sizes
            .iter()
            .filter(|n| p.sizes.contains(n))
            .max()
            .copied(),
        _ => None,
    };
    [sqlite, postgres].map(|c| {
        let c = c?;
        let size = largest_common.or_else(|| c.sizes.iter().max().copied())?;
        let p = c.points.iter().find(|p| p.size == size)?;
        Some((
            p.median_throughput() * size as f64,
            format!("`{}` at {size} entries", c.id),
        ))
    })
}

fn process_curve(c: &Curve) -> ProcessCurve {
    let levels: Vec<(usize, f64)> = c
        .points
        .iter()
        .map(|p| (p.phase.workers, p.median_throughput()))
        .collect();
    let reps: Vec<(f64, Vec<f64>)> = c
        .points
        .iter()
        .map(|p| {
            let xs = p.repetitions.iter().map(|m| m.throughput).collect();
            (p.phase.workers as f64, xs)
        })
        .collect();
    let most = levels.iter().map(|(w, _)| *w).max().unwrap_or(1) as f64;
    let usl = fit_usl_repeated(&reps, most)
        .map(|f| usl_words(&f, levels.len(), c.cores))
        .map_err(|e| e.to_string());
    ProcessCurve { levels, usl }
}

fn usl_words(f: &UslFit, levels: usize, cores: usize) -> String {
    let (s, k) = (f.interval.sigma, f.interval.kappa);
    let peak = f.peak_workers.map_or_else(
        || "no peak".to_owned(),
        |p| format!("peak at {p:.1} processes"),
    );
    format!(
        "USL fitted on all {levels} levels, those above this run's {cores} core(s) included: {}; sigma {:.4} (90% {:.3}..{:.3}), kappa {:.2e} (90% \
         {:.1e}..{:.1e}), {peak}; {}; spread {}",
        f.verdict,
        f.sigma,
        s.0,
        s.1,
        f.kappa,
        k.0,
        k.1,
        f.goodness(),
        f.interval.basis
    )
}

impl SideBySide {
    /// The comparisons `runs` allow; `None` when the run measured nothing on PostgreSQL.
    pub fn of(runs: &[RunCase]) -> Option<Self> {
        let pg_threads = find(runs, pg::WRITER_THREADS);
        let pg_pipeline = find(runs, pg::PIPELINE);
        let pg_processes = find(runs, pg::WRITER_PROCESSES);
        let pg_verify = find(runs, pg::VERIFY);
        if [pg_threads, pg_pipeline, pg_processes, pg_verify]
            .iter()
            .all(Option::is_none)
        {
            return None;
        }
        let sq_writers = find(runs, &audit::writers_id(Durability::ProcessCrash));
        let sq_pipeline = find(runs, &pipeline::workers_id(Durability::ProcessCrash));
        let [sq_verified, pg_verified] = verified_per_second(find(runs, audit::VERIFY), pg_verify);
        let rows = vec![
            Comparison {
                what: "single appends, one writer thread",
                unit: "appends/s",
                sqlite: sq_writers.and_then(|c| at_workers(c, 1)),
                sqlite_applies: true,
                postgres: pg_threads.and_then(|c| at_workers(c, 1)),
            },
            Comparison {
                what: "single appends, the best number of writer threads in one process",
                unit: "appends/s",
                sqlite: sq_writers.and_then(best),
                sqlite_applies: true,
                postgres: pg_threads.and_then(best),
            },
            Comparison {
                what: "single appends, the best number of writer processes on one log",
                unit: "appends/s",
                sqlite: None,
                sqlite_applies: false,
                postgres: pg_processes.and_then(best),
            },
            Comparison {
                what: "verification of the whole log",
                unit: "entries/s",
                sqlite: sq_verified,
                sqlite_applies: true,
                postgres: pg_verified,
            },
            Comparison {
                what: "pipeline, one worker",
                unit: "workflows/s",
                sqlite: sq_pipeline.and_then(|c| at_workers(c, 1)),
                sqlite_applies: true,
                postgres: pg_pipeline.and_then(|c| at_workers(c, 1)),
            },
            Comparison {
                what: "pipeline, the best number of workers",
                unit: "workflows/s",
                sqlite: sq_pipeline.and_then(best),
                sqlite_applies: true,
                postgres: pg_pipeline.and_then(best),
            },
        ];
        Some(Self {
            rows,
            processes: pg_processes.map(process_curve),
        })
    }
}

fn cell(v: Option<&(f64, String)>, unit: &str) -> String {
    v.map_or_else(
        || "not measured in this run".to_owned(),
        |(x, w)| format!("{x:.0} {unit} ({w})"),
    )
}

/// The section; empty when the run measured nothing on PostgreSQL.
pub fn section(s: Option<&SideBySide>) -> String {
    let Some(s) = s else {
        return String::new();
    };
    let mut t = String::from(
        "## SQLite and PostgreSQL side by side\n\n\
         Both measured in this run (SQLite at process-crash durability, the default; PostgreSQL commits \
         with `synchronous_commit = on`, as its audit store sets it). Each figure names the curve and level \
         it was read at.\n\n\
         | question | SQLite | PostgreSQL | PostgreSQL / SQLite |\n|---|---|---|---:|\n",
    );
    for r in &s.rows {
        let ratio = match (&r.sqlite, &r.postgres) {
            (Some((a, _)), Some((b, _))) if *a > 0.0 => format!("{:.2}x", b / a),
            _ => "-".to_owned(),
        };
        let sqlite = if r.sqlite_applies {
            cell(r.sqlite.as_ref(), r.unit)
        } else {
            "cannot: one writer process per SQLite file".to_owned()
        };
        let _ = writeln!(
            t,
            "| {} | {sqlite} | {} | {ratio} |",
            r.what,
            cell(r.postgres.as_ref(), r.unit)
        );
    }
    if let Some(p) = &s.processes {
        t.push_str("\nAppends per second against writer processes on one shared log:\n\n| writer processes |");
        for (w, _) in &p.levels {
            let _ = write!(t, " {w} |");
        }
        t.push_str("\n|---|");
        t.push_str(&"---:|".repeat(p.levels.len()));
        t.push_str("\n| appends/s |");
        for (_, x) in &p.levels {
            let _ = write!(t, " {x:.0} |");
        }
        t.push_str("\n\n");
        match &p.usl {
            Ok(words) => {
                let _ = writeln!(t, "- {words}.");
            }
            Err(e) => {
                let _ = writeln!(t, "- The USL could not be fitted: {e}.");
            }
        }
    }
    t.push('\n');
    t
}
