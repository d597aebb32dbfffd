//! The end-to-end pipeline at the test scale: the offered workflow rates are served (>= 80%, the earlier
//! target), nothing fails, every workflow ends executed or blocked; digests snapshotted.
#![cfg(not(loom))]

mod common;

use aegis_scale::SuiteName;
use aegis_scale::suites::pipeline;
use common::{curve, exclusive, run_suite, snapshot_all};
use scale_props::Errors;

#[test]
fn pipeline_serves_the_offered_rates() {
    let _one = exclusive();
    let runs = run_suite(SuiteName::Pipeline);
    for r in &runs {
        r.curve
            .check(Errors::none())
            .unwrap_or_else(|e| panic!("{}: {e}", r.curve.id));
        for p in &r.curve.points {
            assert_eq!(p.work_total("other"), 0, "no review, no failed execution");
            assert_eq!(
                p.work_total("executed") + p.work_total("blocked"),
                p.total_completed(),
                "every workflow ends executed or blocked"
            );
        }
    }
    for rate in [100, 500] {
        let c = curve(&runs, &format!("{}{rate}", pipeline::OPEN_PREFIX));
        let p = &c.points[0];
        assert!(
            p.total_completed() as f64 >= 0.8 * p.phase.ops as f64,
            "{rate}/s: {} of {} served",
            p.total_completed(),
            p.phase.ops
        );
    }
    snapshot_all(&runs, &[]);
}

#[test]
fn report_answers_the_questions_and_writes_every_format() {
    let _one = exclusive();
    let runs = run_suite(SuiteName::Pipeline);
    let dir = tempfile::tempdir().expect("temp dir");
    let files = aegis_scale::summary::write_report(dir.path(), &runs, std::time::Duration::ZERO)
        .expect("report written");
    for name in ["REPORT.md", "report.md", "results.csv", "results.json"] {
        assert!(dir.path().join(name).is_file(), "{name} missing");
    }
    assert!(
        files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "svg"))
            .count()
            >= runs.len(),
        "one plot per curve"
    );
    let md = std::fs::read_to_string(dir.path().join("REPORT.md")).expect("readable");
    for section in [
        "## Bottleneck",
        "## Memory per 1000 operations",
        "## Maximum throughput, cores and concurrent users",
        "## Safety margin",
        "Maximum end-to-end throughput",
        "workflows/s",
    ] {
        assert!(md.contains(section), "REPORT.md lacks {section:?}");
    }
}
