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
    sizes.expect(Growth::at_most(Complexity::Linear))?;
    Ok(())
}
