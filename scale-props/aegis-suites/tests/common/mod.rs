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

/// Snapshots the deterministic digest of every curve. Digests no longer hold time (the engine's time verdict
/// can differ between runs), so `_untimed`, the ids whose time used to be left out, is ignored.
pub fn snapshot_all(runs: &[RunCase], _untimed: &[&str]) {
    for r in runs {
        assert_digest_snapshot(&CurveDigest::of(&r.curve));
    }
}
