//! The component suites at the test scale: the scaling claims we make, with wide margins, and the
//! deterministic digest of every curve snapshotted into `snapshots/`.
#![cfg(not(loom))]

scale_props::install_counting_allocator!();

mod common;

use aegis_scale::SuiteName;
use aegis_scale::suites::{audit, evolution, firewall, hitl, love};
use audit_system::Durability;
use common::{curve, exclusive, run_suite, snapshot_all};
use scale_props::fit::{Complexity, GrowthBin};
use scale_props::{Errors, Growth};

fn time_bin(c: &scale_props::Curve) -> GrowthBin {
    let a = scale_props::Analysis::of(c);
    a.fits.phases[0].time_bin.expect("time fitted")
}

#[test]
fn firewall_validate_is_flat_in_pattern_count_and_rate_limit_recovers() {
    let _one = exclusive();
    let runs = run_suite(SuiteName::Firewall);
    let v = curve(&runs, firewall::VALIDATE);
    v.expect(Errors::none()).expect("no errors");
    v.expect(Growth::at_most(Complexity::Constant).of_work("matches"))
        .expect("matches per request do not grow with patterns");
    let small = v.points[0].median_p50_ns();
    let large = v.points[v.points.len() - 1].median_p50_ns();
    assert!(
        time_bin(v) == GrowthBin::Flat || large <= 4.0 * small,
        "validate at 10K patterns {large:.0} ns vs {small:.0} ns at 10"
    );

    let r = curve(&runs, firewall::RATE_LIMIT);
    let burst = r.sizes[0];
    let errors = r.points[0].errors_by_kind();
    assert_eq!(errors.get("RateLimited"), Some(&burst), "{errors:?}");
    assert_eq!(errors.len(), 1, "only rate limiting: {errors:?}");
    assert_eq!(r.points[0].total_completed(), 3 * burst);
    snapshot_all(&runs, &[]);
}

#[test]
fn love_checks_are_linear_in_context() {
    let _one = exclusive();
    let runs = run_suite(SuiteName::Love);
    for id in [love::HALLUCINATION, love::ETHICS] {
        let c = curve(&runs, id);
        c.expect(Errors::none()).expect("no errors");
        assert_eq!(time_bin(c), GrowthBin::Linear, "{id} time should be linear");
    }
    curve(&runs, love::HALLUCINATION)
        .expect(Growth::at_most(Complexity::Constant).of_work("claims"))
        .expect("the checked text's claims do not depend on the context");
    snapshot_all(&runs, &[]);
}

#[test]
fn evolution_is_flat_in_history() {
    let _one = exclusive();
    let runs = run_suite(SuiteName::Evolution);
    for id in [evolution::LOG, evolution::PATTERNS, evolution::QUERY] {
        let c = curve(&runs, id);
        c.expect(Errors::none()).expect("no errors");
        c.expect(Growth::at_most(Complexity::Log).of_time())
            .unwrap_or_else(|e| panic!("{id}: {e}"));
    }
    curve(&runs, evolution::PATTERNS)
        .expect(Growth::at_most(Complexity::Constant).of_work("patterns"))
        .expect("patterns come from aggregates");
    curve(&runs, evolution::MEMORY)
        .expect(Errors::none())
        .expect("sustained logging never fails");
    snapshot_all(&runs, &[]);
}

#[test]
fn audit_costs_follow_the_merkle_log() {
    let _one = exclusive();
    let runs = run_suite(SuiteName::Audit);
    for r in &runs {
        r.curve.expect(Errors::none()).expect("no errors");
    }
    let append = curve(&runs, audit::APPEND);
    append
        .expect(Growth::at_most(Complexity::Log))
        .expect("append work is at most logarithmic");
    for p in &append.points {
        assert_eq!(
            p.work_per_op("entries_written"),
            1.0,
            "one entry per append"
        );
    }
    let query = curve(&runs, audit::QUERY);
    query
        .expect(Growth::at_most(Complexity::Constant).of_work("rows"))
        .expect("limit 50 rows");
    query
        .expect(Growth::at_most(Complexity::Log).of_time())
        .expect("indexed query is flat");
    let proof = curve(&runs, audit::PROOF);
    proof
        .expect(Growth::at_most(Complexity::Log).of_work("nodes_read"))
        .expect("proofs read O(log n) nodes");
    let reads: Vec<f64> = proof
        .points
        .iter()
        .map(|p| p.work_per_op("nodes_read"))
        .collect();
    assert!(reads[0] < reads[reads.len() - 1], "proofs grow: {reads:?}");
    let verify = curve(&runs, audit::VERIFY);
    verify
        .expect(Growth::at_most(Complexity::Linear).of_work("entries_verified"))
        .expect("verification is linear");
    for p in &verify.points {
        assert!(
            p.work_per_op("entries_verified") >= p.size as f64,
            "every entry is verified"
        );
    }
    let untimed: Vec<String> = [Durability::ProcessCrash, Durability::PowerLoss]
        .into_iter()
        .map(audit::writers_id)
        .collect();
    let untimed: Vec<&str> = untimed.iter().map(String::as_str).collect();
    snapshot_all(&runs, &untimed);
}

#[test]
fn hitl_is_flat_in_queue_size_and_recovers_from_queue_full() {
    let _one = exclusive();
    let runs = run_suite(SuiteName::Hitl);
    for id in [hitl::REQUEST, hitl::TOP10, hitl::DECIDE] {
        let c = curve(&runs, id);
        c.expect(Errors::none()).expect("no errors");
        c.expect(Growth::at_most(Complexity::Log).of_time())
            .unwrap_or_else(|e| panic!("{id}: {e}"));
    }
    curve(&runs, hitl::TOP10)
        .expect(Growth::at_most(Complexity::Constant).of_work("views"))
        .expect("top-10 returns 10");
    let full = curve(&runs, hitl::QUEUE_FULL);
    let capacity = full.sizes[0];
    let p = &full.points[0];
    assert_eq!(
        p.errors_by_kind().get("QueueFull"),
        Some(&capacity),
        "exactly the requests sent while full are refused"
    );
    assert_eq!(p.total_errors(), capacity, "nothing else fails");
    assert_eq!(
        p.work_total("drained"),
        capacity,
        "the drain decides one per op"
    );
    curve(&runs, hitl::MEMORY)
        .expect(Errors::none())
        .expect("sustained traffic never fails");
    snapshot_all(&runs, &[]);
}
