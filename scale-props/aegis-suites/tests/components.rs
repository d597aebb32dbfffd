//! The component suites at the test scale: every claim of every case holds (the claims are the cases' own,
//! judged by their runs), and the stable digest of every curve is snapshotted into `snapshots/`.
#![cfg(not(loom))]

scale_props::install_counting_allocator!();

mod common;

use aegis_scale::SuiteName;
use common::{assert_claims, exclusive, run_suite, snapshot_all};

fn suite_holds(suite: SuiteName) {
    let _one = exclusive();
    let runs = run_suite(suite);
    assert_claims(&runs);
    snapshot_all(&runs);
}

#[test]
fn firewall_claims_hold() {
    suite_holds(SuiteName::Firewall);
}

#[test]
fn love_claims_hold() {
    suite_holds(SuiteName::Love);
}

#[test]
fn evolution_claims_hold() {
    suite_holds(SuiteName::Evolution);
}

#[test]
fn audit_claims_hold() {
    suite_holds(SuiteName::Audit);
}

#[test]
fn hitl_claims_hold() {
    suite_holds(SuiteName::Hitl);
}
