//! The end-to-end pipeline at the test scale: every claim of every case holds (offered rates up to the earlier
//! target served, nothing fails, every workflow ends executed or blocked, audit commits shared); stable digests
//! snapshotted; and the report computes its sentences from what ran.
#![cfg(not(loom))]

scale_props::install_counting_allocator!();

mod common;

use aegis_scale::SuiteName;
use common::{assert_claims, exclusive, run_suite, snapshot_all};

#[test]
fn pipeline_claims_hold() {
    let _one = exclusive();
    let runs = run_suite(SuiteName::Pipeline);
    assert_claims(&runs);
    snapshot_all(&runs);
}

#[test]
fn report_answers_the_questions_and_writes_every_format() {
    let _one = exclusive();
    let runs = run_suite(SuiteName::Pipeline);
    let dir = tempfile::tempdir().expect("temp dir");
    let info =
        aegis_scale::run_info::RunInfo::now(std::time::Duration::ZERO, aegis_scale::Scale::Test);
    let files =
        aegis_scale::summary::write_report(dir.path(), &runs, &info, "").expect("report written");
    for name in [
        "REPORT.md",
        "SCALABILITY_TEST_RESULTS.md",
        "stress_test_results.csv",
        "results.csv",
        "results.json",
    ] {
        assert!(dir.path().join(name).is_file(), "{name} missing");
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("listed")
        .map(|e| {
            e.expect("entry")
                .file_name()
                .to_string_lossy()
                .to_lowercase()
        })
        .collect();
    let unique: std::collections::HashSet<&String> = names.iter().collect();
    assert_eq!(
        unique.len(),
        names.len(),
        "two files differ only in case: {names:?}"
    );
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
        "## Memory and data volume",
        "## Maximum throughput, cores and concurrent users",
        "## Safety margin",
        "workflows/s",
    ] {
        assert!(md.contains(section), "REPORT.md lacks {section:?}");
    }
    // The component curves are not in this run: the bottleneck is not named, and the report says why.
    assert!(
        md.contains("The bottleneck could not be judged: firewall: `firewall.validate.patterns` not in this run"),
        "{md}"
    );
}
