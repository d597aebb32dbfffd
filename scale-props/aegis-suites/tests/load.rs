//! The Day-9 load tests at the test scale on the screening path: every claim of every case holds; stable
//! digests snapshotted.
#![cfg(not(loom))]

scale_props::install_counting_allocator!();

mod common;

use aegis_scale::SuiteName;
use common::{assert_claims, exclusive, run_suite, snapshot_all};

#[test]
fn screening_path_claims_hold() {
    let _one = exclusive();
    let runs = run_suite(SuiteName::Load);
    assert_claims(&runs);
    snapshot_all(&runs);
}
