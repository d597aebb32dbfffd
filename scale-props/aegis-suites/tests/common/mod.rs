//! Shared helpers of the suite tests: run a suite at the test scale, one suite at a time.

use std::sync::{Mutex, MutexGuard};

use aegis_scale::{RunCase, Scale, SuiteName};
use scale_props::digest::{CurveDigest, assert_digest_snapshot};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Serialises suites within a test binary, so they do not compete for the cores they measure.
pub fn exclusive() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs every case of `suite` at the test scale.
pub fn run_suite(suite: SuiteName) -> Vec<RunCase> {
    suite
        .cases(Scale::Test)
        .expect("suite builds")
        .into_iter()
        .map(|c| c.run(None).expect("case runs"))
        .collect()
}

/// Asserts every claim of every case of `runs` holds (a claim that could not be judged does not), showing
/// each verdict that does not and the curve's table. The one exception: a claim that could not be judged
/// because the run measured the machine too busy to judge it ([`aegis_scale::claims::MACHINE_BUSY`]: its
/// threads waited for CPUs other processes held) is printed, not failed: a loaded CI machine is not a
/// defect of the code, and the main job still counts such a claim as not holding.
pub fn assert_claims(runs: &[RunCase]) {
    let mut problems = Vec::new();
    for r in runs {
        assert!(!r.verdicts.is_empty(), "`{}` carries no claim", r.curve.id);
        for v in r.verdicts.iter().filter(|v| !v.holds()) {
            if let scale_props::Outcome::Unjudged { why } = &v.judgement.outcome
                && why.starts_with(aegis_scale::claims::MACHINE_BUSY)
            {
                eprintln!("not judged on a busy machine (tolerated in tests): {v}");
                continue;
            }
            problems.push(format!(
                "{v}\n{}",
                scale_props::report::markdown_table(r.curve.analysis())
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "claims that do not hold:\n{}",
        problems.join("\n")
    );
}

/// Work counters whose per-operation value depends on thread timing when several workers run: group commit
/// moves audit commits between operations, and concurrent verification sees a log of timing-dependent length.
const TIMING_MOVED_WORK: [&str; 5] = [
    "commits",
    "fsyncs",
    "audit_commits",
    "audit_bytes_written",
    "entries_verified",
];

/// Curves whose several workers append to one audit log: group commit batches their entries, and the
/// allocations per operation follow the (timing-dependent) group sizes across log2 buckets.
const GROUP_COMMIT_PREFIXES: [&str; 3] = ["io.audit.", "pipeline.", "stress.concurrency.audit"];

/// The deterministic digest of a curve: with several workers, counters that thread timing moves, bytes
/// allocated per operation (thread pools and group commit move them across log2 buckets) and, on audit
/// appends shared by group commit, allocation counts are left out (the engine's digest holds no time). Every
/// fact left is stable across runs (checked by `scripts/snapshot-stability.sh`).
pub fn stable_digest(r: &RunCase) -> CurveDigest {
    let mut d = r.curve.analysis().digest.clone();
    let group_commit = GROUP_COMMIT_PREFIXES.iter().any(|p| d.id.starts_with(p));
    for p in d.points.iter_mut().filter(|p| p.workers > 1) {
        p.work_per_op
            .retain(|name, _| !TIMING_MOVED_WORK.contains(&name.as_str()));
        p.alloc_bytes_per_op = None;
        if group_commit {
            p.allocations_per_op = None;
        }
    }
    d
}

/// Snapshots the stable digest of every curve (see [`stable_digest`]).
pub fn snapshot_all(runs: &[RunCase]) {
    for r in runs {
        assert_digest_snapshot(&stable_digest(r));
    }
}
