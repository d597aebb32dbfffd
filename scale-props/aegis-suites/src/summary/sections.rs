//! One function per report section, each a function of [`Answers`] (and the runs for the tables): they
//! format, they do not measure.

use std::fmt::Write as _;

use scale_props::expect::verdict_table;
use scale_props::measure::Point;

use super::answers::{Answers, max_throughput};
use crate::stepped::{offered_rate, served_fraction};
use crate::{RunCase, Topic, Verdict};

fn fmt_opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |x| format!("{x:.digits$}"))
}

/// A rate with two decimals below 10, none above.
fn rate(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.0}")
    }
}

/// "How each component scales": one row per size curve.
pub fn scaling(a: &Answers) -> String {
    let mut t = String::from("## How each component scales\n\n");
    if a.scaling.is_empty() {
        t.push_str("No size curve in this run.\n\n");
        return t;
    }
    t.push_str(
        "| curve | sizes | p50 us (small -> large) | exponent | time class | work classes (exact) | factor / 10x | rating |\n\
         |---|---|---|---:|---|---|---:|---|\n",
    );
    for r in &a.scaling {
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
        "\nFactor / 10x is the latency at ten times the size over the latency at the size (< 1.2 ideal, < 2 good, \
         < 10 acceptable), the rule of the earlier analysis.\n\n",
    );
    t
}

/// "Bottleneck": per-stage costs of a workflow, the costliest stage, and the CPU verdicts.
pub fn bottleneck(a: &Answers) -> String {
    let mut t = String::from("## Bottleneck\n\n");
    let s = &a.stages;
    if !s.costs.is_empty() {
        t.push_str("| stage | us per workflow | measured on |\n|---|---:|---|\n");
        for c in &s.costs {
            let _ = writeln!(t, "| {} | {:.1} | {} |", c.stage, c.us, c.source);
        }
        t.push('\n');
    }
    match s.bottleneck() {
        Some(b) => {
            let total = s.total_us();
            let _ = write!(
                t,
                "- The costliest stage of a workflow is **{}**: {:.1} us of the {total:.1} us the stages add up to \
                 ({:.0}%).",
                b.stage,
                b.us,
                100.0 * b.us / total.max(f64::MIN_POSITIVE)
            );
            match s.pipeline_us {
                Some(p) => {
                    let _ = writeln!(
                        t,
                        " The pipeline measured {p:.1} us per workflow on one worker; the stages account for \
                         {:.0}% of it.",
                        100.0 * total / p
                    );
                }
                None => t.push_str(
                    " The pipeline's own time per workflow was not measured in this run.\n",
                ),
            }
        }
        None => {
            let _ = writeln!(
                t,
                "- The bottleneck could not be judged: {}.",
                if s.missing.is_empty() {
                    "no stage was measured".to_owned()
                } else {
                    s.missing.join("; ")
                }
            );
        }
    }
    for f in &a.cpu {
        let _ = writeln!(t, "- {}", f.sentence());
    }
    t.push('\n');
    t
}

/// "Memory and data volume": bytes per item, sustained growth, disk writes per entry.
pub fn memory(a: &Answers) -> String {
    let mut t = String::from("## Memory and data volume\n\n");
    for m in &a.memory {
        if let Some(g) = m.growth_per_1000_ops {
            let _ = writeln!(
                t,
                "- `{}`: RSS grew {:.1} KiB per 1000 operations.",
                m.id,
                g / 1024.0
            );
        }
        if !m.rss_per_item.is_empty() {
            let rss: Vec<String> = m
                .rss_per_item
                .iter()
                .map(|(n, b)| {
                    format!(
                        "{n}: {}",
                        b.map_or_else(|| "not reported".to_owned(), |b| format!("{b:.0} B"))
                    )
                })
                .collect();
            let _ = writeln!(
                t,
                "- `{}`: RSS per item while preparing: {}.",
                m.id,
                rss.join(", ")
            );
        }
        if !m.counted_per_item.is_empty() {
            let counted: Vec<String> = m
                .counted_per_item
                .iter()
                .map(|(name, n, v)| format!("{name} at {n}: {v:.0} B"))
                .collect();
            let _ = writeln!(t, "- `{}`: {}.", m.id, counted.join(", "));
        }
    }
    for d in &a.disk {
        let commits: Vec<String> = d
            .commits_per_entry
            .iter()
            .map(|(w, x)| format!("{w} writers: {x:.2}"))
            .collect();
        let fsyncs: Vec<String> = d
            .fsyncs_per_entry
            .iter()
            .map(|(w, x)| format!("{w}: {x:.2}"))
            .collect();
        let _ = writeln!(
            t,
            "- Audit appends at {}: commits per entry {}; WAL fsyncs per entry (counted: commits at FULL and \
             Store::sync calls; checkpoint fsyncs not seen) {}; row bytes per entry {}; bytes the OS wrote per \
             entry {}.",
            d.durability,
            commits.join(", "),
            fsyncs.join(", "),
            fmt_opt(d.row_bytes_per_entry, 0),
            d.os_bytes_per_entry.map_or_else(
                || "not measured on this platform".to_owned(),
                |b| format!("{b:.0}")
            )
        );
    }
    t.push('\n');
    t
}

/// "Maximum throughput, cores and concurrent users".
pub fn capacity(a: &Answers) -> String {
    let mut t = String::from("## Maximum throughput, cores and concurrent users\n\n");
    for c in &a.capacity {
        match c.best {
            Some((x, w)) => {
                let _ = writeln!(
                    t,
                    "- `{}`: maximum {x:.0} {}/s at {w} workers.",
                    c.id, c.unit
                );
            }
            None => {
                let _ = writeln!(t, "- `{}`: no throughput measured.", c.id);
            }
        }
        if let Some((w, x)) = c.knee {
            let _ = writeln!(
                t,
                "  - knee: throughput stops growing at {w} workers ({x:.0}/s)."
            );
        }
        match &c.usl {
            Ok(line) => {
                let _ = writeln!(t, "  - {line}");
                for (target, n) in &c.cores_for {
                    let _ = writeln!(
                        t,
                        "  - workers (cores) for {target:.0} {}/s: {}",
                        c.unit,
                        n.map_or_else(
                            || "not reachable by adding workers".to_owned(),
                            |n| n.to_string()
                        )
                    );
                }
            }
            Err(e) => {
                let _ = writeln!(
                    t,
                    "  - cores for a target could not be judged: USL not fitted ({e})."
                );
            }
        }
    }
    let _ = writeln!(
        t,
        "- The USL is fitted on this {}-core machine: worker counts above {} share cores, so a fit describes this \
         machine.",
        a.cores, a.cores
    );
    if let Some(u) = &a.max_users {
        let _ = writeln!(t, "- Maximum concurrent users: {u}.");
    }
    t.push('\n');
    t
}

/// "Safety margin against the earlier throughput targets".
pub fn margins(a: &Answers) -> String {
    let mut t = String::from("## Safety margin against the earlier throughput targets\n\n");
    if a.margins.is_empty() {
        t.push_str("No curve of this run carries a target.\n\n");
        return t;
    }
    t.push_str(
        "| component | measured on | ops/s | target ops/s | margin |\n|---|---|---:|---:|---:|\n",
    );
    for m in &a.margins {
        let _ = writeln!(
            t,
            "| {} | `{}` size {} x {} workers | {} | {:.0} | {:.2}x |",
            m.reference.component,
            m.reference.id,
            m.at.0,
            m.at.1,
            rate(m.measured),
            m.reference.target,
            m.margin
        );
    }
    t.push_str(
        "\nMargin = measured / target on this machine (completed operations over wall time, medians over \
         repetitions).\n\n",
    );
    t
}

/// "Stress tests": the breaking point of each stepped search, then one row per step.
pub fn stress(a: &Answers, runs: &[RunCase]) -> String {
    let mut t = String::from("## Stress tests\n\n");
    for s in &a.stress {
        let _ = writeln!(t, "- `{}`: {}.", s.id, s.outcome);
    }
    let rows: Vec<&RunCase> = runs
        .iter()
        .filter(|r| r.topic == Topic::StressThroughput)
        .collect();
    if !rows.is_empty() {
        t.push_str(
            "\n| search | offered /s | served | p99 ms | errors |\n|---|---:|---:|---:|---:|\n",
        );
        for r in rows {
            for p in &r.curve.points {
                let _ = writeln!(
                    t,
                    "| `{}` | {} | {:.1}% | {} | {} |",
                    r.curve.id,
                    offered_rate(p).unwrap_or(0),
                    100.0 * served_fraction(p),
                    fmt_opt(p.median_latency_ns(0.99).ok().map(|x| x / 1e6), 2),
                    p.total_errors()
                );
            }
        }
    }
    t.push('\n');
    t
}

/// "Load tests at a glance": every curve that is not a size curve.
pub fn load_glance(runs: &[RunCase]) -> String {
    let mut t = String::from("## Load, concurrency and exhaustion runs at a glance\n\n");
    t.push_str(
        "| curve | test | points | errors | dropped | best ops/s | served of offered (first point) |\n\
         |---|---|---:|---:|---:|---:|---:|\n",
    );
    for r in runs.iter().filter(|r| r.topic != Topic::ComponentScaling) {
        let c = &r.curve;
        let dropped: u64 = c.points.iter().map(Point::total_dropped).sum();
        let served = c.points.first().and_then(|p| {
            let offered = offered_rate(p)?;
            Some(format!("{:.0}% of {offered}/s", 100.0 * served_fraction(p)))
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

/// The answers' sections in order (everything of the report before the per-curve details).
pub fn answers(a: &Answers, runs: &[RunCase]) -> String {
    let mut t = format!(
        "{} curve(s) measured on {} logical CPU(s) in {:.0} s. Every figure below comes from these curves.\n\n",
        a.curves,
        a.cores,
        a.elapsed.as_secs_f64()
    );
    for section in [
        verdicts(runs),
        scaling(a),
        bottleneck(a),
        memory(a),
        capacity(a),
        super::concurrency::section(&a.concurrency, a.cores),
        super::side_by_side::section(a.side_by_side.as_ref()),
        margins(a),
        stress(a, runs),
        load_glance(runs),
    ] {
        t.push_str(&section);
    }
    t
}

/// `holds`, `FAILS` or `could not be judged: <why>`.
pub fn verdict_word(v: &Verdict) -> String {
    v.word()
}

/// "Verdicts": the engine's verdict table (case, claim, measured, bound, verdict) of every case, with the
/// count of claims that do not hold.
pub fn verdicts(runs: &[RunCase]) -> String {
    let all: Vec<&Verdict> = runs.iter().flat_map(|r| &r.verdicts).collect();
    let failing = all.iter().filter(|v| !v.holds()).count();
    format!(
        "## Verdicts\n\n{} claim(s) of {} case(s): {} hold, {failing} do not (fail or could not be judged).\n\n{}\n",
        all.len(),
        runs.len(),
        all.len() - failing,
        verdict_table(all)
    )
}
