//! Shared helpers of the suite tests: run a suite at the test scale, one suite at a time.

use std::sync::{Mutex, MutexGuard};

use aegis_scale::{RunCase, Scale, SuiteName};
use scale_props::Curve;
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

/// The curve with id `id`.
pub fn curve<'a>(runs: &'a [RunCase], id: &str) -> &'a Curve {
    runs.iter()
        .map(|r| &r.curve)
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no curve `{id}`"))
}

/// Snapshots the deterministic digest of every curve; with `keep_time` false for an id, its wide time bins are
/// left out (for curves whose timing is not stable enough on a shared machine).
pub fn snapshot_all(runs: &[RunCase], untimed: &[&str]) {
    for r in runs {
        let mut d = CurveDigest::of(&r.curve);
        if untimed.contains(&d.id.as_str()) {
            for g in &mut d.growth {
                g.time = None;
            }
        }
        assert_digest_snapshot(&d);
    }
}
