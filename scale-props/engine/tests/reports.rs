//! Reports from the same results: Markdown, CSV with the earlier columns plus the new measures, JSON, SVG.
#![cfg(not(loom))]

use scale_props::report::{CSV_HEADER, write_all};
use scale_props::{Experiment, Growth, fit::Complexity};

#[test]
fn write_all_produces_every_format() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let sizes = Experiment::new("reports.scan")
        .sizes([100, 1_000, 10_000])
        .prepare(|n| (0..n).collect::<Vec<u64>>())
        .op(|v, ctx| {
            ctx.add_work(v.len() as u64);
            !v.contains(&u64::MAX)
        })
        .ops(30)
        .run()?;
    let sweep = Experiment::new("reports.sweep")
        .workers([1, 2, 4])
        .ops(2_000)
        .op(|_: &(), _| ())
        .run()?;
    let files = write_all(dir.path(), "engine self-test", &[sizes.clone(), sweep])?;
    let names: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    for expected in [
        "report.md",
        "results.csv",
        "results.json",
        "reports.scan.svg",
        "reports.sweep.svg",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    let csv = std::fs::read_to_string(dir.path().join("results.csv"))?;
    assert!(csv.starts_with(CSV_HEADER));
    assert!(CSV_HEADER.starts_with(
        "Test Name,Duration (ms),Throughput (ops/sec),Memory (MB),Success Rate (%),P50"
    ));
    assert_eq!(csv.lines().count(), 1 + 3 + 3);
    let md = std::fs::read_to_string(dir.path().join("report.md"))?;
    assert!(md.contains("## reports.scan") && md.contains("![reports.sweep](reports.sweep.svg)"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("results.json"))?)?;
    assert_eq!(json["curves"].as_array().map(Vec::len), Some(2));
    let svg = std::fs::read_to_string(dir.path().join("reports.scan.svg"))?;
    assert!(svg.contains("<svg") && svg.contains("reports.scan"));
    sizes.check(Growth::at_most(Complexity::Linear))?;
    Ok(())
}

/// `UslReport` prints the fit's line and one table (header plus a row per worker level), not two.
#[test]
fn usl_report_prints_its_table_once() -> Result<(), Box<dyn std::error::Error>> {
    let levels = [1, 2, 3, 4];
    let report = Experiment::new("reports.usl")
        .workers(levels)
        .ops(4_000)
        .op(|_: &(), ctx| {
            std::hint::black_box(ctx.i.wrapping_mul(31));
        })
        .run()?
        .usl()?;
    assert!(
        report.fit.sigma >= 0.0 && report.fit.kappa >= 0.0 && report.fit.lambda > 0.0,
        "{report}"
    );
    assert_eq!(
        report.measured,
        report.fit.sample.points().collect::<Vec<_>>()
    );
    let text = report.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("USL ") && lines[0].contains("sigma"),
        "{text}"
    );
    let headers = lines
        .iter()
        .filter(|l| l.trim_start().starts_with("workers"))
        .count();
    let rows = lines
        .iter()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .count();
    assert_eq!((headers, rows), (1, levels.len()), "{text}");
    assert_eq!(lines.len(), 2 + levels.len(), "{text}");
    assert!(lines[1].contains("efficiency"), "the fitted table: {text}");
    Ok(())
}
