//! The answers of the report: how each component scales, the bottleneck, memory per 1 000 operations, cores
//! for a target throughput, maximum ops/s and concurrent users, safety margins; and `REPORT.md` with them.
//!
//! Everything here reads measured curves and the engine's fits; nothing is assumed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use scale_props::digest::Analysis;
use scale_props::measure::{Axis, Point};
use scale_props::report::{markdown_fits, markdown_table};
use scale_props::{Budget, Curve};
use serde::Serialize;

use crate::{RunCase, SuiteError, Topic};

/// How one size curve scales.
#[derive(Debug, Clone, Serialize)]
pub struct ScalingRow {
    /// Experiment id.
    pub id: String,
    /// Component.
    pub component: String,
    /// Sizes, smallest and largest.
    pub sizes: (u64, u64),
    /// Median p50 time per operation at the smallest and largest size, microseconds.
    pub op_us: (f64, f64),
    /// Log-log exponent of time against size.
    pub exponent: Option<f64>,
    /// Its wide bin (`flat`, `linear`, ...).
    pub time_class: Option<String>,
    /// Complexity classes fitted from deterministic work counters, e.g. `nodes_read O(log n)`.
    pub work_classes: Vec<String>,
    /// Latency at 10x the size over latency at 1x (geometric mean per decade).
    pub factor_per_decade: Option<f64>,
    /// Verdict of the earlier analysis rule: ideal (< 1.2), good (< 2), acceptable (< 10), poor.
    pub rating: String,
    /// Single-worker throughput at the largest size, ops/s.
    pub ops_per_sec_at_largest: f64,
    /// The claim the tests assert for this curve.
    pub claim: String,
}

fn rating(factor: f64) -> &'static str {
    if factor < 1.2 {
        "ideal"
    } else if factor < 2.0 {
        "good"
    } else if factor < 10.0 {
        "acceptable"
    } else {
        "poor"
    }
}

/// The scaling row of a size curve (`None` for other curves).
pub fn scaling_row(run: &RunCase) -> Option<ScalingRow> {
    let c = &run.curve;
    if c.axis != Axis::Size || c.points.len() < 2 {
        return None;
    }
    let first = c.points.first()?;
    let last = c.points.last()?;
    let analysis = Analysis::of(c);
    let fits = analysis.fits.phases.first();
    let (t0, t1) = (first.median_p50_ns(), last.median_p50_ns());
    let decades = (last.size as f64 / first.size as f64).log10();
    let factor = (t0 > 0.0 && decades > 0.0).then(|| (t1 / t0).powf(1.0 / decades));
    Some(ScalingRow {
        id: c.id.clone(),
        component: run.component.to_owned(),
        sizes: (first.size, last.size),
        op_us: (t0 / 1_000.0, t1 / 1_000.0),
        exponent: fits.and_then(|f| f.time.as_ref()).map(|t| t.exponent),
        time_class: fits
            .and_then(|f| f.time.as_ref())
            .map(|t| t.verdict.to_string()),
        work_classes: fits
            .map(|f| {
                f.work
                    .iter()
                    .map(|(k, v)| format!("{k} {}", v.best.notation()))
                    .collect()
            })
            .unwrap_or_default(),
        factor_per_decade: factor,
        rating: factor.map_or("-", rating).to_owned(),
        ops_per_sec_at_largest: if t1 > 0.0 { 1e9 / t1 } else { 0.0 },
        claim: run.claim.to_owned(),
    })
}

/// Which point of a curve a safety margin is read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// The smallest size (a typical input).
    Smallest,
    /// The largest size (the most state).
    Largest,
    /// The point of highest throughput (a worker sweep's best level).
    Best,
}

/// A throughput target of the earlier specification and the curve it is checked on.
#[derive(Debug, Clone, Copy)]
pub struct Reference {
    /// Component.
    pub component: &'static str,
    /// Curve id.
    pub id: &'static str,
    /// Which point.
    pub at: At,
    /// Target, ops/s.
    pub target: f64,
}

/// The earlier specification's throughput targets: firewall > 10K/s, love engine > 5K/s, evolution > 20K/s,
/// audit > 2K/s, HITL > 10K/s, full workflow > 500/s.
pub const REFERENCES: [Reference; 6] = [
    Reference {
        component: "firewall",
        id: crate::suites::firewall::VALIDATE,
        at: At::Largest,
        target: 10_000.0,
    },
    Reference {
        component: "love",
        id: crate::suites::love::ETHICS,
        at: At::Smallest,
        target: 5_000.0,
    },
    Reference {
        component: "evolution",
        id: crate::suites::evolution::LOG,
        at: At::Largest,
        target: 20_000.0,
    },
    Reference {
        component: "audit",
        id: crate::suites::audit::WRITERS,
        at: At::Best,
        target: 2_000.0,
    },
    Reference {
        component: "hitl",
        id: crate::suites::hitl::REQUEST,
        at: At::Largest,
        target: 10_000.0,
    },
    Reference {
        component: "pipeline",
        id: crate::suites::pipeline::WORKERS,
        at: At::Best,
        target: 500.0,
    },
];

/// The smallest worker count whose USL-fitted throughput reaches `target`, if any up to 1 024.
pub fn workers_for(usl: &scale_props::fit::UslFit, target: f64) -> Option<u32> {
    (1..=1_024u32).find(|n| usl.throughput(f64::from(*n)) >= target)
}

fn find<'a>(runs: &'a [RunCase], id: &str) -> Option<&'a Curve> {
    runs.iter().map(|r| &r.curve).find(|c| c.id == id)
}

fn max_throughput(c: &Curve) -> Option<(&Point, f64)> {
    c.points
        .iter()
        .map(|p| (p, p.median_throughput()))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// Appends the USL fit of `c` and the workers needed for each target rate.
fn usl_lines(t: &mut String, c: &Curve, what: &str, targets: &[f64]) {
    match c.usl() {
        Ok(u) => {
            let _ = writeln!(t, "- {}", u.fit.to_string().lines().next().unwrap_or(""));
            for target in targets {
                let _ = writeln!(
                    t,
                    "  - workers (cores) for {target:.0} {what}/s: {}",
                    workers_for(&u.fit, *target).map_or_else(
                        || "not reachable by adding workers".to_owned(),
                        |n| n.to_string()
                    )
                );
            }
        }
        Err(e) => {
            let _ = writeln!(t, "- USL not fitted: {e}");
        }
    }
}

/// A rate with two decimals below 10, none above.
fn rate(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.0}")
    }
}

fn fmt_opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |x| format!("{x:.digits$}"))
}

/// Memory growth per 1 000 operations of a run, from RSS before and after (median over repetitions), bytes.
fn rss_growth_per_1000(c: &Curve) -> Option<f64> {
    let p = c.points.last()?;
    let v: Vec<f64> = p
        .repetitions
        .iter()
        .filter_map(|m| m.memory.map(|x| x.growth_per_op * 1_000.0))
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Writes the Markdown answers for `runs` (the sections of `REPORT.md` before the per-curve details).
pub fn answers(runs: &[RunCase], elapsed: Duration) -> String {
    let mut t = String::new();
    let cores = runs.first().map_or(1, |r| r.curve.cores);
    let _ = writeln!(
        t,
        "Measured on this machine: {cores} logical CPU(s); {} curve(s) in {:.0} s. All figures come from the \
         curves below; none is assumed.\n",
        runs.len(),
        elapsed.as_secs_f64()
    );

    // How each component scales.
    let rows: Vec<ScalingRow> = runs.iter().filter_map(scaling_row).collect();
    t.push_str("## How each component scales\n\n");
    t.push_str(
        "| curve | sizes | p50 us (small -> large) | exponent | time class | work classes (exact) | factor / 10x | rating |\n\
         |---|---|---|---:|---|---|---:|---|\n",
    );
    for r in &rows {
        let _ = writeln!(
            t,
            "| `{}` | {} -> {} | {:.2} -> {:.2} | {} | {} | {} | {} | {} |",
            r.id,
            r.sizes.0,
            r.sizes.1,
            r.op_us.0,
            r.op_us.1,
            fmt_opt(r.exponent, 2),
            r.time_class.as_deref().unwrap_or("-"),
            if r.work_classes.is_empty() {
                "-".to_owned()
            } else {
                r.work_classes.join(", ")
            },
            fmt_opt(r.factor_per_decade, 2),
            r.rating
        );
    }
    t.push_str(
        "\nFactor / 10x is the latency at ten times the size over the latency at the size (1 ideal, < 2 good, \
         < 10 acceptable), the rule of the earlier analysis.\n\n",
    );

    // Bottleneck.
    t.push_str("## Bottleneck\n\n");
    let mut slowest: Vec<&ScalingRow> = rows.iter().collect();
    slowest.sort_by(|a, b| {
        a.ops_per_sec_at_largest
            .total_cmp(&b.ops_per_sec_at_largest)
    });
    if let Some(s) = slowest.first() {
        let _ = writeln!(
            t,
            "- Slowest operation at its largest size: `{}` at {} ops/s on one worker ({:.0} us per operation).",
            s.id,
            rate(s.ops_per_sec_at_largest),
            s.op_us.1
        );
    }
    let cpu_of = |id: &str| {
        find(runs, id).and_then(|c| {
            c.points
                .iter()
                .filter_map(|p| p.median_cpu_utilisation().map(|u| (p.phase.workers, u)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
        })
    };
    if let Some((w, u)) = cpu_of(crate::suites::load::CPU) {
        let _ = writeln!(
            t,
            "- Screening (firewall + ethics) reaches {:.0}% CPU per core at {w} workers: it is CPU-bound.",
            u * 100.0
        );
    }
    if let Some((w, u)) = cpu_of(crate::suites::audit::WRITERS) {
        let verdict = if u < 0.5 {
            "they mostly wait on the disk (one fsync per commit group): I/O-bound"
        } else {
            "signing and SQLite work keep the CPU busy even with fsync: CPU-bound on this disk"
        };
        let _ = writeln!(
            t,
            "- Audit appends on SQLite (synchronous=FULL) peak at {:.0}% CPU per core at {w} writers; {verdict}.",
            u * 100.0
        );
    }
    let best = |id: &str| find(runs, id).and_then(max_throughput).map(|(_, x)| x);
    if let (Some(screen), Some(pipe)) = (
        best(crate::suites::load::MAX_THROUGHPUT),
        best(crate::suites::pipeline::WORKERS),
    ) {
        let _ = writeln!(
            t,
            "- End to end, the pipeline peaks at {pipe:.0} workflows/s against {screen:.0} screenings/s for the \
             checks alone: the durable audit trail (two commits per workflow) and learning cost {:.0}x the checks, \
             so the audit log is the workflow's bottleneck.",
            screen / pipe.max(1e-9)
        );
    }
    t.push('\n');

    // Memory.
    t.push_str("## Memory per 1000 operations\n\n");
    for id in [
        crate::suites::evolution::MEMORY,
        crate::suites::hitl::MEMORY,
    ] {
        if let Some(c) = find(runs, id) {
            let _ = writeln!(
                t,
                "- `{id}`: RSS grew {} KiB per 1000 operations.",
                fmt_opt(rss_growth_per_1000(c).map(|b| b / 1024.0), 1)
            );
        }
    }
    for r in runs.iter().filter(|r| r.curve.axis == Axis::Size) {
        let per_item: Vec<String> = r
            .curve
            .memory_per_item()
            .iter()
            .filter_map(|(n, b)| b.map(|b| format!("{n}: {:.0} B", b.max(0.0))))
            .collect();
        let any = r
            .curve
            .memory_per_item()
            .iter()
            .any(|(_, b)| b.is_some_and(|b| b >= 1.0));
        if any && r.topic == Topic::ComponentScaling {
            let _ = writeln!(
                t,
                "- `{}` state, RSS per item while preparing: {}.",
                r.curve.id,
                per_item.join(", ")
            );
        }
    }
    if let Ok(e) = crate::fixtures::evolution_with(100_000) {
        let m = e.memory_usage();
        let _ = writeln!(
            t,
            "- Evolution engine, from its own accounting after 100 000 experiences: {:.1} KiB per 1000 \
             experiences ({} bytes in all).",
            m.total_bytes() as f64 / 100.0 / 1024.0,
            m.total_bytes()
        );
    }
    if let Some(c) = find(runs, crate::suites::audit::APPEND) {
        let per_op: Vec<String> = c
            .points
            .iter()
            .filter_map(|p| {
                let m = p.repetitions.first()?;
                match m.io {
                    scale_props::measure::DiskIo::Bytes { written, .. } if m.completed > 0 => {
                        Some(format!(
                            "{}: {:.1} KiB",
                            p.size,
                            written as f64 / m.completed as f64 / 1024.0
                        ))
                    }
                    _ => None,
                }
            })
            .collect();
        if !per_op.is_empty() {
            let _ = writeln!(
                t,
                "- Data volume: disk bytes written per audit append (entry, tree nodes, WAL): {}.",
                per_op.join(", ")
            );
        }
    }
    t.push('\n');

    // Throughput, cores, users.
    t.push_str("## Maximum throughput, cores and concurrent users\n\n");
    if let Some(c) = find(runs, crate::suites::load::MAX_THROUGHPUT) {
        if let Some((p, x)) = max_throughput(c) {
            let _ = writeln!(
                t,
                "- Maximum screening throughput: {x:.0} ops/s at {} workers.",
                p.phase.workers
            );
        }
        if let Some(k) = c.knee() {
            let _ = writeln!(
                t,
                "- Knee: throughput stops growing at {} workers ({:.0} ops/s).",
                k.load, k.throughput
            );
        }
        usl_lines(
            &mut t,
            c,
            "screenings",
            &[5_000.0, 500_000.0, 1_000_000.0, 2_000_000.0],
        );
    }
    if let Some(c) = find(runs, crate::suites::pipeline::WORKERS) {
        if let Some((p, x)) = max_throughput(c) {
            let _ = writeln!(
                t,
                "- Maximum end-to-end throughput: {x:.0} workflows/s at {} workers (SQLite audit, preloaded state).",
                p.phase.workers
            );
        }
        usl_lines(
            &mut t,
            c,
            "workflows",
            &[500.0, 5_000.0, 10_000.0, 20_000.0],
        );
    }
    let _ = writeln!(
        t,
        "- The USL is fitted on this {cores}-core machine: worker counts above {cores} share cores, so a fit \
         describes this machine, and its peak is where adding workers stops paying."
    );
    if let Some(c) = find(runs, crate::suites::load::MAX_USERS) {
        let budget = Duration::from_millis(100);
        let clean: Vec<&Point> = c.points.iter().filter(|p| p.total_errors() == 0).collect();
        let broken = c.breaking_point(&Budget::p99(budget));
        let max_ok = match &broken {
            Some(b) => c.points[..b.index].iter().map(|p| p.phase.workers).max(),
            None => clean.iter().map(|p| p.phase.workers).max(),
        };
        let _ = writeln!(
            t,
            "- Maximum concurrent users with p99 <= {} ms and no errors: {}{}",
            budget.as_millis(),
            max_ok.map_or_else(|| "none".to_owned(), |n| n.to_string()),
            broken.map_or_else(
                || " (the budget held at every level measured)".to_owned(),
                |b| format!(" (first broken: {})", b.reason)
            )
        );
        if let Ok(u) = c.usl() {
            let _ = writeln!(
                t,
                "- Users USL: {}",
                u.fit.to_string().lines().next().unwrap_or("")
            );
        }
    }
    t.push('\n');

    // Safety margin.
    t.push_str("## Safety margin against the earlier throughput targets\n\n");
    t.push_str(
        "| component | measured on | ops/s | target ops/s | margin |\n|---|---|---:|---:|---:|\n",
    );
    for r in REFERENCES {
        let Some(c) = find(runs, r.id) else { continue };
        let point = match r.at {
            At::Smallest => c.points.first().map(|p| (p, p.median_throughput())),
            At::Largest => c.points.last().map(|p| (p, p.median_throughput())),
            At::Best => max_throughput(c),
        };
        if let Some((p, x)) = point {
            let _ = writeln!(
                t,
                "| {} | `{}` size {} x {} workers | {} | {:.0} | {:.1}x |",
                r.component,
                r.id,
                p.size,
                p.phase.workers,
                rate(x),
                r.target,
                x / r.target
            );
        }
    }
    t.push_str(
        "\nMargin = measured / target: how many times the earlier target the measured throughput is, on this \
         machine (throughput is completed operations over wall time, medians over repetitions).\n\n",
    );

    // Load tests at a glance.
    t.push_str("## Day-9 load tests at a glance\n\n");
    t.push_str(
        "| curve | test | points | errors | dropped | best ops/s | served of offered |\n|---|---|---:|---:|---:|---:|---:|\n",
    );
    for r in runs.iter().filter(|r| r.topic != Topic::ComponentScaling) {
        let c = &r.curve;
        let dropped: u64 = c.points.iter().map(Point::total_dropped).sum();
        let served = c.points.first().and_then(|p| {
            let rate = p.phase.arrival?.rate_per_sec as f64;
            Some(format!(
                "{:.0}% of {rate:.0}/s",
                100.0 * p.median_throughput() / rate
            ))
        });
        let _ = writeln!(
            t,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            c.id,
            r.topic.title(),
            c.points.len(),
            c.total_errors(),
            dropped,
            fmt_opt(max_throughput(c).map(|(_, x)| x), 0),
            served.unwrap_or_else(|| "-".to_owned())
        );
    }
    t.push('\n');
    t
}

/// Writes `REPORT.md` (answers, then one section per curve with its table, fits and plot) and the engine's
/// `report.md`, `results.csv`, `results.json` and one SVG per curve into `dir`; returns the files written.
///
/// # Errors
/// [`SuiteError::Io`] or [`SuiteError::Report`] when a file cannot be written.
pub fn write_report(
    dir: &Path,
    runs: &[RunCase],
    elapsed: Duration,
) -> Result<Vec<PathBuf>, SuiteError> {
    std::fs::create_dir_all(dir).map_err(|source| SuiteError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let curves: Vec<Curve> = runs.iter().map(|r| r.curve.clone()).collect();
    let mut files = scale_props::report::write_all(dir, "Aegis scalability (all curves)", &curves)?;
    let mut md = String::from("# Aegis scalability report\n\n");
    md.push_str(&answers(runs, elapsed));
    md.push_str("## Curves\n\n");
    let mut topics: Vec<Topic> = runs.iter().map(|r| r.topic).collect();
    topics.dedup();
    for r in runs {
        let a = Analysis::of(&r.curve);
        let _ = writeln!(
            md,
            "### `{}` ({})\n\nClaim: {}. Load: {}. Repetitions: {}.\n",
            r.curve.id,
            r.topic.title(),
            r.claim,
            r.curve.shape,
            r.curve.repetitions
        );
        md.push_str(&markdown_table(&a));
        md.push('\n');
        md.push_str(&markdown_fits(&a));
        let _ = writeln!(md, "\n![{}]({}.svg)\n", r.curve.id, svg_name(&r.curve.id));
    }
    let path = dir.join("REPORT.md");
    std::fs::write(&path, md).map_err(|source| SuiteError::Io {
        path: path.display().to_string(),
        source,
    })?;
    files.push(path);
    Ok(files)
}

fn svg_name(id: &str) -> String {
    scale_props::digest::snapshot_name(id)
        .trim_start_matches("curve__")
        .to_owned()
}
