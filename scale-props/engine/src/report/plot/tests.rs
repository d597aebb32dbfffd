//! What a reader of each kind of plot must find in it, checked on the SVG text of curves with known numbers.

use super::{PlotBound, render};
use crate::shape::{Burst, Open};
use crate::{Analysis, Curve, Experiment};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// (x, text) of every `<text>` element.
fn texts(svg: &str) -> Vec<(f64, String)> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let x = t.split("x=\"").nth(1)?.split('"').next()?.parse().ok()?;
            let body = t.split_once('>')?.1.split("</text>").next()?;
            let body = body.trim();
            let text = body
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&apos;", "'")
                .replace("&quot;", "\"")
                .replace("&amp;", "&");
            Some((x, text))
        })
        .collect()
}

fn has(svg: &str, text: &str) -> bool {
    texts(svg).iter().any(|(_, t)| t == text)
}

fn plot(curve: &Curve, bounds: &[PlotBound]) -> Result<String> {
    Ok(render(curve, &Analysis::of(curve), bounds)?)
}

/// No tick or legend text is a raw float such as `1000000.0` or `9.0`.
fn assert_no_raw_floats(svg: &str) {
    for (_, t) in texts(svg) {
        assert!(
            !(t.ends_with(".0") && t.trim_end_matches(".0").parse::<f64>().is_ok()),
            "raw float label {t:?}"
        );
    }
}

/// A sweep at 1, 2, 4 workers on 2 cores whose throughput flattens at 2 (400K, 696K, 700K ops/s), with a
/// +-5% spread over three runs.
fn sweep() -> Result<Curve> {
    let mut c = Experiment::new("plot.sweep")
        .workers([1, 2, 4])
        .repetitions(3)
        .ops(50)
        .op(|_: &(), _| ())
        .run()?;
    c.cores = 2;
    for (p, base) in c.points.iter_mut().zip([400_000.0, 696_000.0, 700_000.0]) {
        for (k, m) in p.repetitions.iter_mut().enumerate() {
            m.throughput = base * (0.95 + 0.05 * k as f64);
        }
    }
    Ok(c)
}

/// A linear size curve: p50 = 5 ns per entry at 1K .. 1M, +-10% over three runs.
fn sizes() -> Result<Curve> {
    let mut c = Experiment::new("plot.size")
        .sizes([1_000, 10_000, 100_000, 1_000_000])
        .repetitions(3)
        .ops(20)
        .op(|_: &(), _| ())
        .run()?;
    for p in &mut c.points {
        for (k, m) in p.repetitions.iter_mut().enumerate() {
            m.latency.p50 = (5.0 * p.size as f64 * (0.9 + 0.1 * k as f64)) as u64;
        }
    }
    Ok(c)
}

#[test]
fn a_worker_sweep_marks_the_cores_and_labels_workers_as_distinct_integers() -> Result {
    let svg = plot(&sweep()?, &[])?;
    assert!(has(&svg, "cores = 2"), "no cores marker");
    for w in ["1", "2", "4"] {
        assert_eq!(
            texts(&svg).iter().filter(|(_, t)| t == w).count(),
            1,
            "worker tick {w}"
        );
    }
    let rates = texts(&svg)
        .iter()
        .filter(|(_, t)| t.ends_with('K') || t.ends_with('M'))
        .count();
    assert!(rates >= 4, "only {rates} throughput labels");
    assert!(svg.contains("throughput (ops/s"), "y axis without its unit");
    assert_no_raw_floats(&svg);
    Ok(())
}

/// The legend column's text, wrapped lines joined.
fn legend(svg: &str) -> String {
    let column = f64::from(super::canvas::WIDTH - 290);
    let words: Vec<String> = texts(svg)
        .into_iter()
        .filter(|(x, _)| *x >= column)
        .map(|(_, t)| t.trim().to_owned())
        .collect();
    words.join(" ")
}

#[test]
fn the_usl_legend_carries_the_fit_and_its_error_outside_the_data() -> Result {
    let svg = plot(&sweep()?, &[])?;
    let legend = legend(&svg);
    assert!(legend.contains("USL fit: "), "{legend}");
    assert!(
        legend.contains("exact fit (2 levels, 2 parameters): no goodness of fit"),
        "two levels within two cores: {legend}"
    );
    assert!(
        legend.contains("error: RMS "),
        "the capped level's miss: {legend}"
    );
    assert!(legend.contains(" workers: fit "), "{legend}");
    assert!(
        legend.contains("cores = 2: the machine's logical CPUs"),
        "{legend}"
    );
    Ok(())
}

#[test]
fn a_size_curve_has_human_size_and_time_labels_and_the_time_verdict_with_its_interval() -> Result {
    let svg = plot(&sizes()?, &[])?;
    for label in ["1K", "10K", "100K", "1M"] {
        assert!(has(&svg, label), "size tick {label} missing");
    }
    let times = texts(&svg)
        .iter()
        .filter(|(_, t)| [" ns", " us", " ms"].iter().any(|u| t.ends_with(u)))
        .count();
    assert!(times >= 4, "only {times} time labels");
    let legend = legend(&svg);
    assert!(legend.contains("time: "), "{legend}");
    assert!(legend.contains("90% interval"), "{legend}");
    assert!(!svg.contains("1000000"), "raw size label");
    assert_no_raw_floats(&svg);
    Ok(())
}

#[test]
fn a_bound_is_drawn_and_named_only_when_given() -> Result {
    let curve = sizes()?;
    let bound = PlotBound::curve("at most O(log n)", vec![(1e3, 5e3), (1e6, 1e4)]);
    let with = plot(&curve, std::slice::from_ref(&bound))?;
    assert!(has(&with, "at most O(log n)") && has(&with, "bound: at most O(log n)"));
    let without = plot(&curve, &[])?;
    assert!(!without.contains("at most O(log n)") && !without.contains("bound:"));
    let open = Experiment::new("plot.open")
        .shape(Open::new(10_000, 1, 200)?)
        .op(|_: &(), _| ())
        .run()?;
    let svg = plot(&open, &[PlotBound::level("p99 <= 5 ms", 5e6)])?;
    assert!(has(&svg, "p99 <= 5 ms"), "the bound's level is not drawn");
    assert!(
        legend(&svg).contains("offered 10K/s"),
        "open phase without its offered rate"
    );
    Ok(())
}

#[test]
fn a_burst_shows_its_phases_and_the_recovery_timeline_against_the_baseline() -> Result {
    let burst = Experiment::new("plot.burst")
        .shape(Burst::new(1, 2, 200)?)
        .repetitions(2)
        .op(|_: &(), _| ())
        .run()?;
    let svg = plot(&burst, &[PlotBound::level("limit", 1e6)])?;
    for text in ["before", "spike", "recovery"] {
        assert!(
            texts(&svg).iter().any(|(_, t)| t.contains(text)),
            "{text} missing"
        );
    }
    assert!(
        texts(&svg)
            .iter()
            .any(|(_, t)| t.starts_with("p99 before the spike: "))
    );
    assert!(svg.contains("time since the recovery phase began"));
    assert_eq!(
        texts(&svg)
            .iter()
            .filter(|(_, t)| t == "bound: limit")
            .count(),
        1
    );
    assert_no_raw_floats(&svg);
    Ok(())
}

#[test]
fn bounds_and_measures_that_cannot_be_drawn_are_said_not_hidden() -> Result {
    let mut curve = sizes()?;
    for m in curve.points.iter_mut().flat_map(|p| &mut p.repetitions) {
        m.latency.p50 = 0;
    }
    let bounds = [
        PlotBound::level("nan budget", f64::NAN),
        PlotBound::level("infinite budget", f64::INFINITY),
        PlotBound::curve("empty curve", Vec::new()),
        PlotBound::curve("one point", vec![(1e3, 10.0)]),
    ];
    let svg = plot(&curve, &bounds)?;
    let legend = legend(&svg);
    for b in &bounds {
        assert!(
            legend.contains(&format!(
                "bound: {} (not drawn: no value inside the plot)",
                b.label()
            )),
            "{legend}"
        );
    }
    let mut sweep = sweep()?;
    for m in sweep.points.iter_mut().flat_map(|p| &mut p.repetitions) {
        m.throughput = f64::NAN;
    }
    let svg = plot(&sweep, &[PlotBound::level("negative", -5.0)])?;
    assert!(has(&svg, "cores = 2"));
    assert!(!svg.contains("NaN"), "NaN written into the SVG");
    Ok(())
}

#[test]
fn ten_worker_levels_never_print_two_labels_on_top_of_each_other() -> Result {
    let mut c = Experiment::new("plot.ten")
        .workers(1..=10)
        .ops(20)
        .op(|_: &(), _| ())
        .run()?;
    c.cores = 64;
    let svg = plot(&c, &[])?;
    let mut ticks: Vec<(f64, u32)> = texts(&svg)
        .into_iter()
        .filter_map(|(x, t)| Some((x, t.parse::<u32>().ok().filter(|w| (1..=10).contains(w))?)))
        .collect();
    ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(ticks.len() >= 4, "{ticks:?}");
    assert!(
        ticks
            .windows(2)
            .all(|w| w[1].0 - w[0].0 >= 40.0 && w[1].1 > w[0].1),
        "{ticks:?}"
    );
    assert!(legend(&svg).contains("cores = 64"), "cores not named");
    Ok(())
}
